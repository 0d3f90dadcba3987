/* SPDX-License-Identifier: ISC */
/*
 * floor: the fastest an SSH signer could answer on this machine. It
 * speaks SSH on an inherited socket exactly as cassh-signer does (the
 * same session module, libssh, TCP_NODELAY and TCP_QUICKACK), accepts
 * any keyboard-interactive answer without asking anyone, and answers
 * every exec with nothing and exit status 0: no LDAP, no registry, no
 * CA key. The difference between cassh-signer and this is what cassh's
 * own work costs.
 *
 * usage: floor HOST_KEY   (under systemd-socket-activate, fd 3 or 0)
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libssh/libssh.h>

#include "log.h"
#include "session.h"

static enum err
floor_auth(void *ctx, const char *login, const char *password)
{
	return ERR_OK;
}

static int
floor_is_public(void *ctx, const char *login)
{
	return 0;
}

static enum err
floor_prepare(void *ctx, const char *line, size_t *max_input)
{
	*max_input = 16 * 1024;
	return ERR_OK;
}

static int
floor_run(void *ctx, const uint8_t *in, size_t n, int toolong,
    struct wbuf *out, char *errline, size_t errlen)
{
	return 0;
}

static const struct session_ops floor_ops = {
	.auth = floor_auth,
	.is_public = floor_is_public,
	.prepare = floor_prepare,
	.run = floor_run,
};

int
main(int argc, char *argv[])
{
	struct session_params sp;
	const char *fds = getenv("LISTEN_FDS");
	int sock, null;

	if (argc != 2)
		return 64;
	sock = fcntl(fds != NULL ? 3 : 0, F_DUPFD_CLOEXEC, 10);
	if (sock == -1 || (null = open("/dev/null", O_RDWR)) == -1)
		return 71;
	dup2(null, 0);
	dup2(null, 1);
	log_open("cassh-floor", 0, NULL);
	memset(&sp, 0, sizeof(sp));
	sp.host_key = argv[1];
	sp.generic_login = "cassh";
	sp.login_grace_time = 30;
	sp.max_auth_tries = 3;
	sp.conn_id = "floor";
	sp.peer = "-";
	ssh_init();
	session_serve(&sp, sock, &floor_ops, NULL);
	ssh_finalize();
	return 0;
}
