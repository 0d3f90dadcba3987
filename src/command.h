/* SPDX-License-Identifier: ISC */
/*
 * command: the commands users run over ssh (sign, status, ca, help,
 * version), on behalf of a login that has been authenticated already.
 *
 * This is the privileged side: it holds the registry and the CA key.
 * Its input is the command line and the bytes of standard input; its
 * output is standard output, one error line and an exit status, as
 * the command contract of README.md describes.
 */
#ifndef CASSH_COMMAND_H
#define CASSH_COMMAND_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "wire.h"

struct registry;

#define COMMAND_MAX_ARGS	16
#define COMMAND_MAX_LINE	1024

struct command_env {
	const struct config	*cfg;
	struct registry		*reg;		/* opened by the caller */
	const char		*conn_id;	/* for the audit lines */
	const char		*peer;
	const char		*login;		/* authenticated */
	int			 is_public;	/* the public login */
};

struct command;

struct command_call {
	const struct command	*cmd;
	int			 argc;
	char			*argv[COMMAND_MAX_ARGS];
	char			 buf[COMMAND_MAX_LINE];
};

/*
 * command_prepare: split line into words and find the command, which
 * must be allowed to env's login. Sets *max_input (0 if the command
 * reads no input). Returns ERR_OK, ERR_USAGE or ERR_NOT_PERMITTED.
 */
enum err command_prepare(const struct command_env *env, const char *line,
	    struct command_call *call, size_t *max_input);

/*
 * command_run: run the prepared call on n input bytes (toolong set if
 * more arrived than max_input). Appends standard output to out and
 * returns the exit status; on failure out is left empty and errline
 * holds the line for standard error. Audits the decision.
 */
int	command_run(const struct command_env *env, struct command_call *call,
	    const uint8_t *in, size_t n, int toolong, struct wbuf *out,
	    char *errline, size_t errlen);

#endif
