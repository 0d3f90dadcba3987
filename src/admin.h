/* SPDX-License-Identifier: ISC */
/*
 * admin: the commands of cassh-admin, the tool that root runs on the
 * CA host to create the CA and register people without going through
 * the network or LDAP (and so also when LDAP is down).
 *
 * This is program code, not a shared module: it writes each command's
 * output to the stream it is given. It never writes to stderr and
 * never exits; a failure comes back as an error code with one line of
 * text saying what is wrong and what to do, for main() to print.
 */
#ifndef CASSH_ADMIN_H
#define CASSH_ADMIN_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

/* Room for the one line that explains a failure. */
#define ADMIN_MSG_MAX	512

/*
 * admin_run: run one command. argv[0] is the command ("init", "user",
 * "check", "ca", "host-key", "help"), the rest its arguments;
 * config_path names the configuration file. The command's output is
 * written to out, which the caller should pass on only on success.
 * Returns ERR_OK, or an error with msg holding one line (no newline,
 * no program name) that says what is wrong and what to do.
 */
enum err admin_run(const char *config_path, int argc, char **argv,
	    FILE *out, char *msg, size_t msglen);

/* admin_usage: the synopsis of every command, for help and -h. */
const char *admin_usage(void);

#endif
