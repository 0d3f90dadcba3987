/* SPDX-License-Identifier: ISC */
/*
 * directory: proving who someone is with the site's LDAP directory.
 *
 * Search, then bind: the user's entry is found under the base with the
 * configured filter (the login escaped by libldap, so that no login can
 * change the filter), anonymously or as the service account, and the
 * password is then proved by a simple bind as that entry's DN. A
 * successful bind is confirmed with a whoami, because a directory that
 * allows anonymous binds answers success to an empty password. Empty
 * passwords never reach the directory.
 *
 * ldaps:// URIs, and ldap:// URIs with [ldap] starttls = yes, are used
 * only over TLS with a certificate that chains to ca_cert (or the
 * system's CAs) and names the URI's host; any TLS failure makes that
 * server unavailable, never a reason to go on in clear.
 *
 * libldap's own error text is logged here and never returned.
 */
#ifndef CASSH_DIRECTORY_H
#define CASSH_DIRECTORY_H

#include <stddef.h>

#include "config.h"
#include "err.h"

struct directory;

/*
 * directory_open: a way to the directory for this process, with what
 * needs the process's privileges and no network done now: the service
 * account's password, read from bind_password_file, and a copy of
 * ca_cert, kept until directory_close. cfg must outlive the directory.
 * Returns ERR_OK and sets *out; ERR_CONFIG when bind_dn is set and its
 * password file cannot be read or holds more than one line, or
 * ca_cert cannot be read while a server needs TLS; ERR_NOMEM.
 */
enum err directory_open(const struct config *cfg, struct directory **out);

/*
 * directory_find: look login up before its password is known, so that
 * directory_authenticate has only the bind left: the connection, its
 * TLS and the search happen while the user is still typing. What it
 * finds, and the connection, serve the next directory_authenticate if
 * it is for the same login; any other call drops them. It has no
 * result of its own: a failure is met again, and reported, by the
 * authentication.
 */
void	directory_find(struct directory *d, const char *login);

/*
 * directory_authenticate: check login and password against the
 * directory. On success, *dn (if not NULL) is the user's DN, a new
 * string the caller frees.
 *
 * Returns ERR_OK; ERR_AUTH for a wrong or empty password, an unknown
 * login, or a login that matches several entries (all alike, so that
 * logins cannot be enumerated); ERR_DIRECTORY_DOWN when no server
 * answers in time, none completes TLS, or the service account is
 * refused; ERR_CONFIG for a user_filter without exactly one %s (and no
 * other %), a URI that is not one ldap://, ldaps:// or ldapi:// server,
 * or a ca_cert that cannot be loaded; ERR_NOMEM; ERR_INTERNAL. Logins
 * over 64 bytes or with control characters, and empty passwords, are
 * ERR_AUTH before any traffic. Servers are tried in the order of
 * cfg->ldap_uri, the next one only when the one before could not be
 * reached, did not answer in time or failed TLS.
 *
 * The connection it used is closed by the next call or by
 * directory_close, so that the caller can answer first.
 */
enum err directory_authenticate(struct directory *d, const char *login,
	    const char *password, char **dn);

/*
 * directory_warm: libldap's start (its configuration files, this
 * host's name, Cyrus SASL) and a lookup of each server's host name,
 * done now rather than in the first login's time. Both may ask DNS:
 * a confined process calls it once it is the privsep user, and before
 * its seccomp filter, which would refuse the resolver loading what it
 * needs. Optional: everything starts when first needed otherwise.
 */
void	directory_warm(struct directory *d);

/*
 * directory_drop: close the connection a find left open, keeping
 * nothing of it: the next authentication starts afresh. For a password
 * that is slow to come, so that connections to the directory do not
 * wait on people.
 */
void	directory_drop(struct directory *d);

/* directory_close: close any connection, wipe the secrets, free d. */
void	directory_close(struct directory *d);

/*
 * The directory as the monitor sees it, wherever it runs: the calls
 * above on a struct directory of this process (directory_local_ops,
 * ctx a struct directory *), or messages to the process that holds it
 * (dirproc.c).
 */
struct directory_ops {
	void	 (*find)(void *ctx, const char *login);
	enum err (*authenticate)(void *ctx, const char *login,
		    const char *password);
};

extern const struct directory_ops directory_local_ops;

/*
 * cassh-signer does not link directory.c: it loads it as a module, so
 * that libldap and its libraries are mapped only by the process that
 * talks to the directory, once the connection is under way
 * (directory_load.c). The module exports one struct directory_module
 * under DIRECTORY_MODULE_SYMBOL.
 */
#define DIRECTORY_MODULE_NAME	"cassh-directory.so"
#define DIRECTORY_MODULE_SYMBOL	"cassh_directory_module"

struct directory_module {
	const char	*abi;		/* CASSH_MODULE_ABI of its build */
	size_t		 config_size;	/* sizeof(struct config) there */
	enum err	(*open)(const struct config *, struct directory **);
	void		(*warm)(struct directory *);
	void		(*find)(struct directory *, const char *);
	enum err	(*authenticate)(struct directory *, const char *,
			    const char *, char **);
	void		(*drop)(struct directory *);
	void		(*close)(struct directory *);
};

/*
 * directory_load: load the module, if not yet done (the signer's
 * directory process does, when the monitor tells it to warm up);
 * directory_open calls it too. Only the first call tries: it logs why
 * it failed, and every later call returns the same. Returns ERR_OK, or
 * ERR_CONFIG when the module cannot be loaded or is not from this
 * build. In a program that links directory.c itself, it does nothing
 * and returns ERR_OK.
 */
enum err directory_load(void);

/*
 * directory_module_path: the module's full path. Programs that run from
 * this build's folder load the module built there; all others the
 * installed one, in CASSH_MODULE_DIR. Nothing else (no environment
 * variable, no setting) chooses it.
 */
const char *directory_module_path(void);

/*
 * directory_module_open: load the module at path, after checking that
 * it is a regular file that only root or this process's user owns and
 * can write, under folders alike up to the root (or to this build's
 * folder), and that its entry is from this build.
 * Returns the module's entry, or NULL (why is logged). For
 * directory_load, and for the tests.
 */
const struct directory_module *directory_module_open(const char *path);

#endif
