/* SPDX-License-Identifier: ISC */
/*
 * keygen: the unit tests' way to ask the real ssh-keygen, the oracle
 * every key and certificate is checked against.
 */
#ifndef CASSH_TEST_KEYGEN_H
#define CASSH_TEST_KEYGEN_H

#include <stdarg.h>
#include <stddef.h>

/*
 * keygen_run: run ssh-keygen (SSH_KEYGEN from the environment, else
 * from PATH) with first and the NULL-terminated arguments after it;
 * its stdout and stderr together go to out (NUL-terminated, cut to
 * outsz). Returns its exit status, -1 if it did not exit. A failure to
 * start it fails the current cmocka test.
 */
int	keygen_run(char *out, size_t outsz, char *first, ...);
int	keygen_vrun(char *out, size_t outsz, char *first, va_list ap);

#endif
