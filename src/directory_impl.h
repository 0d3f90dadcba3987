/* SPDX-License-Identifier: ISC */
/*
 * directory_impl: what the two files of the LDAP module share: the
 * state of one authentication and of the directory, and the making of
 * a connection to one server (directory_conn.c) that the dialogue
 * (directory.c) runs on. Nothing here leaves the module.
 */
#ifndef CASSH_DIRECTORY_IMPL_H
#define CASSH_DIRECTORY_IMPL_H

#include <sys/time.h>

#include <time.h>

#include <ldap.h>

#include "config.h"
#include "err.h"

#define DIR_LOGIN_MAX		64	/* bytes of a login */
#define DIR_PASSWORD_MAX	1024	/* bytes of a password */
#define DIR_SIZELIMIT		2	/* enough to tell one entry from more */

/* The CA bundle when neither ca_cert nor ldap.conf names one (Debian). */
#define DIR_SYSTEM_CA		"/etc/ssl/certs/ca-certificates.crt"
/* The largest ca_cert read: a bundle of every CA there is is 0.2 MiB. */
#define DIR_CA_MAX		(4 * 1024 * 1024)

/* Where dir_io sits: above the socket, below TLS. */
#define DIR_IO_LEVEL		(LBER_SBIOD_LEVEL_PROVIDER + 1)

/* How one server of the list is reached, from its URI's scheme. */
enum dir_transport {
	DIR_CLEAR,		/* ldap:// with starttls = no */
	DIR_STARTTLS,		/* ldap:// with starttls = yes */
	DIR_LDAPS,		/* ldaps:// */
	DIR_LOCAL		/* ldapi://, a local socket */
};

/* The bound on each read and write of a connection (see dir_io_wait). */
struct dir_io {
	int			 ms;
	int			 timed_out;	/* it gave up once */
};

/* One authentication: what every step needs, and what it must wipe. */
struct dir_auth {
	const struct config	*cfg;
	char			 login[DIR_LOGIN_MAX + 1];
	char			*uris;		/* the list, cut into URIs */
	const char		*uri;		/* the server being tried */
	enum dir_transport	 transport;	/* of that server */
	int			 unusable;	/* it failed: try the next */
	char			*filter;	/* the login escaped into it */
	struct berval		 userpw;	/* a copy, wiped; none: find */
	struct berval		*svcpw;		/* the directory's */
	const char		*ca_file;	/* its copy of ca_cert */
	struct timeval		 tv;		/* per operation */
	struct dir_io		 io;
	struct ldap_conncb	 conncb;	/* puts dir_io on each socket */
	int			 ldrc;		/* last libldap result */
};

/*
 * One process's way to the directory (see directory.h). The connection
 * of the last find or authentication stays open here until the next
 * call or directory_close, so that closing it costs the caller
 * nothing: it is only ever closed, never used again, except for the
 * bind that a find prepared. A connection on which a user bound never
 * serves another request.
 */
struct directory {
	const struct config	*cfg;
	struct berval		 svcpw;		/* from the file, wiped */
	int			 ca_fd;		/* the copy of ca_cert */
	char			 ca_file[32];	/* its name, or "" */
	struct dir_auth		 a;		/* of that connection */
	LDAP			*ld;
	char			*dn;		/* the entry found there */
	enum err		 found;		/* what the find found */
	time_t			 found_at;	/* when (CLOCK_MONOTONIC) */
	int			 bindable;	/* ld awaits the user's bind */
};

/* dir_wants_tls: whether a's server is used over TLS only. */
int	dir_wants_tls(const struct dir_auth *a);

/* dir_ca_name: the CA bundle a trusts, for the log. */
const char *dir_ca_name(const struct dir_auth *a);

/*
 * dir_log: one event=ldap_error line about the failure of step (with
 * a->ldrc, and the server's own words from ld if not NULL).
 */
void	dir_log(const struct dir_auth *a, LDAP *ld, const char *step,
	    const char *dn);

/* dir_unreachable: whether libldap's rc means "try the next server". */
int	dir_unreachable(int rc);

/*
 * dir_open: a handle for a->uri, with every option set (and for TLS,
 * its own context); nothing is sent yet. dir_connect then connects
 * (with the handshake for ldaps://), dir_starttls switches an ldap://
 * URI to TLS when starttls is set, and dir_tls_in_place refuses to go
 * on without TLS where it is wanted. Each returns ERR_OK or an error,
 * logged, and marks a->unusable when the next server should be tried.
 */
enum err dir_open(struct dir_auth *a, LDAP **out);
enum err dir_connect(struct dir_auth *a, LDAP *ld);
enum err dir_starttls(struct dir_auth *a, LDAP *ld);
enum err dir_tls_in_place(struct dir_auth *a, LDAP *ld);

/* dir_any_tls: whether a server of cfg's list needs TLS. */
int	dir_any_tls(const struct config *cfg);

/*
 * dir_ca_copy: copy the file path (ca_cert) into a sealed anonymous
 * file that d->ca_file names; ERR_OK, ERR_CONFIG (unreadable, too
 * large) or ERR_INTERNAL, logged.
 */
enum err dir_ca_copy(struct directory *d, const char *path);

#endif
