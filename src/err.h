/* SPDX-License-Identifier: ISC */
/*
 * err: the one error vocabulary of cassh.
 *
 * Every module returns one of these codes instead of printing or
 * exiting. A single table turns a code into the line a user reads and
 * into the sysexits.h status the command contract promises, so that
 * the same failure always reads the same way wherever it is detected.
 * Detail from OpenSSL, libldap or LMDB is logged by the module that saw
 * it; it never reaches the user.
 */
#ifndef CASSH_ERR_H
#define CASSH_ERR_H

enum err {
	ERR_OK = 0,

	/* 64: usage */
	ERR_USAGE,		/* unknown command or bad arguments */

	/* 65: bad input data */
	ERR_INPUT_EMPTY,	/* nothing on stdin */
	ERR_INPUT_TOO_LONG,	/* more than the input bound */
	ERR_KEY_FORMAT,		/* not one valid public key line */
	ERR_KEY_TYPE,		/* a key type cassh does not sign */
	ERR_KEY_TOO_SMALL,	/* RSA below the configured minimum */
	ERR_KEY_PRIVATE,	/* a private key was pasted */
	ERR_KEY_ENCODING,	/* UTF-16 or a byte order mark */

	/* 69: a service is unavailable after login */
	ERR_DIRECTORY_DOWN,

	/* 70: internal error (a bug or a broken system) */
	ERR_INTERNAL,
	ERR_NOMEM,

	/* 75: temporary */
	ERR_REGISTRY_BUSY,
	ERR_REGISTRY_FULL,

	/* 77: not permitted */
	ERR_AUTH,		/* login or password incorrect */
	ERR_NOT_REGISTERED,
	ERR_PENDING,
	ERR_REVOKED,
	ERR_NOT_YOUR_KEY,
	ERR_NOT_PERMITTED,	/* command not allowed for this login */
	ERR_LOCKED,		/* too many failed logins, for a while */

	/* 78: configuration */
	ERR_CONFIG,
	ERR_CA_KEY,
	ERR_REGISTRY_MISSING,	/* state folder or registry absent */

	/* not errors of a command, but of a lookup */
	ERR_NOT_FOUND,
	ERR_EXISTS,

	ERR_MAX
};

/*
 * err_str: the one line shown to a user for code e: what is wrong and
 * what to do. Never NULL; static storage.
 */
const char *err_str(enum err e);

/*
 * err_exit_status: the sysexits.h status for code e (0 for ERR_OK).
 */
int err_exit_status(enum err e);

/*
 * err_name: a short stable token for code e, for audit lines
 * ("reason=not_your_key"). Never NULL; static storage.
 */
const char *err_name(enum err e);

#endif
