/* SPDX-License-Identifier: ISC */
/*
 * session: the SSH server side of one connection, with libssh, on a
 * socket inherited from inetd or systemd.
 *
 * This is the code that parses network input. It knows nothing of
 * LDAP, the registry or the CA key: it asks its caller, through
 * struct session_ops, to authenticate a login and to run a command on
 * the bytes read from the channel, and it writes back what it is given.
 * That narrow interface is the privilege boundary: today the
 * operations are function calls in the same process; they are designed
 * to become messages to a privileged monitor process without change
 * here.
 *
 * One connection: key exchange, keyboard-interactive authentication
 * only (at most max_auth_tries attempts within login_grace_time), one
 * session channel, one exec request. Every other channel type, request
 * and authentication method is refused.
 */
#ifndef CASSH_SESSION_H
#define CASSH_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "wire.h"

struct session_ops {
	/*
	 * started: the version line has gone out and the client's answer
	 * is awaited; work put off so as not to delay that line can start
	 * elsewhere now. Called once; may be NULL.
	 */
	void	(*started)(void *ctx);

	/*
	 * login: the client asked to log in as login with
	 * keyboard-interactive, and will be asked its password: a valid
	 * name, neither the generic nor the public login. Nothing is
	 * decided yet; the directory may look the login up meanwhile.
	 * Called once per connection at most; may be NULL.
	 */
	void	(*login)(void *ctx, const char *login);

	/*
	 * auth: prove login with password (may be "" for the public
	 * login). Returns ERR_OK, ERR_AUTH or ERR_DIRECTORY_DOWN.
	 */
	enum err (*auth)(void *ctx, const char *login, const char *password);

	/*
	 * is_public: 1 if login needs no password (the public login).
	 */
	int	(*is_public)(void *ctx, const char *login);

	/*
	 * prepare: the exec request's command line, for the login that
	 * authenticated. Returns ERR_OK and sets *max_input to the bound
	 * on standard input the command reads (0: it reads none), or an
	 * error that ends the command at once (ERR_USAGE,
	 * ERR_NOT_PERMITTED).
	 */
	enum err (*prepare)(void *ctx, const char *cmdline, size_t *max_input);

	/*
	 * run: run the prepared command on the n input bytes (input
	 * longer than max_input is passed as truncated with toolong
	 * set). Append its standard output to out and return its exit
	 * status; on failure out stays empty and errline holds the one
	 * line for standard error.
	 */
	int	(*run)(void *ctx, const uint8_t *in, size_t n, int toolong,
		    struct wbuf *out, char *errline, size_t errlen);
};

struct ssh_key_struct;

struct session_params {
	const char	*host_key;		/* path */
	/*
	 * The host key loaded already (a libssh ssh_key), for a process
	 * that may no longer open files: session_serve then owns it,
	 * whatever it returns. NULL: session_serve reads host_key.
	 */
	struct ssh_key_struct	*host_key_loaded;
	const char	*generic_login;		/* prompts for the login */
	int		 login_grace_time;	/* seconds */
	int		 max_auth_tries;
	const char	*conn_id;		/* for the audit lines */
	const char	*peer;			/* client address */
};

/*
 * session_serve: serve one connection on fd until it ends; fd is
 * closed. Returns ERR_OK when a command ran (whatever its status),
 * ERR_AUTH when authentication never succeeded, ERR_CONFIG when the
 * host key cannot be loaded, ERR_INTERNAL on a protocol failure.
 */
enum err session_serve(const struct session_params *p, int fd,
	    const struct session_ops *ops, void *ctx);

#endif
