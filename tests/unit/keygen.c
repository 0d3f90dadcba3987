/* SPDX-License-Identifier: ISC */
/*
 * keygen: run the real ssh-keygen and collect what it prints.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "keygen.h"

#define KEYGEN_MAX_ARGS	32

int
keygen_vrun(char *out, size_t outsz, char *first, va_list ap)
{
	char *argv[KEYGEN_MAX_ARGS], *prog;
	size_t i = 0, len = 0;
	ssize_t r;
	int fds[2], status;
	pid_t pid;

	prog = getenv("SSH_KEYGEN") != NULL ? getenv("SSH_KEYGEN") :
	    "ssh-keygen";
	argv[i++] = prog;
	argv[i++] = first;
	while (i < KEYGEN_MAX_ARGS - 1 &&
	    (argv[i] = va_arg(ap, char *)) != NULL)
		i++;
	argv[i] = NULL;

	assert_int_equal(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		execvp(prog, argv);
		_exit(127);
	}
	assert_true(pid > 0);
	close(fds[1]);
	while ((r = read(fds[0], out + len, outsz - 1 - len)) > 0)
		len += (size_t)r;
	out[len] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int
keygen_run(char *out, size_t outsz, char *first, ...)
{
	va_list ap;
	int rc;

	va_start(ap, first);
	rc = keygen_vrun(out, outsz, first, ap);
	va_end(ap);
	return rc;
}
