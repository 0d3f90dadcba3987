/* SPDX-License-Identifier: ISC */
/*
 * config: the one INI file (read with libinih) that cassh-signer and
 * cassh-admin share. README.md documents every key. Unknown sections
 * and keys are errors, so that a typo never silently falls back to a
 * default.
 */
#ifndef CASSH_CONFIG_H
#define CASSH_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct config {
	/* [signer] */
	char		*host_key;
	char		*privsep_user;		/* the sandboxed child's */
	char		*generic_login;
	char		*public_login;
	int		 login_grace_time;	/* seconds */
	int		 max_auth_tries;
	char		*log_file;		/* "" for syslog only */
	int		 lockout_failures;	/* in a window; 0: never */
	int		 lockout_window;	/* seconds */
	int		 lockout_time;		/* seconds */
	/* [ca] */
	char		*ca_key;
	/* [registry] */
	char		*registry_path;
	unsigned	 node_id;
	size_t		 map_size;		/* bytes */
	/* [ldap] */
	char		*ldap_uri;		/* space-separated */
	char		*ldap_base;
	char		*ldap_user_filter;	/* one %s */
	char		*ldap_bind_dn;		/* "" for anonymous search */
	char		*ldap_bind_password_file;
	char		*ldap_admin_group;
	int		 ldap_timeout;		/* seconds */
	int		 ldap_starttls;		/* ldap:// must go TLS */
	char		*ldap_ca_cert;		/* "" for the system's */
	/* [certificate] */
	int64_t		 default_expiry;	/* seconds */
	int64_t		 max_expiry;
	int64_t		 backdate;
	unsigned	 min_rsa_bits;
};

#define CONFIG_DEFAULT_PATH	"/etc/cassh/cassh.conf"

/*
 * config_load: read path into a new config with defaults for every
 * key the file leaves out. The file must be a regular file (not a
 * FIFO, device or directory) of at most 64 KiB whose lines are at most
 * 199 bytes each (the end, "\n" or "\r\n", not counted) and hold no NUL
 * byte; a UTF-8 BOM is allowed. No key may be given twice, even in a
 * second copy of its section, and no line may continue a value. Returns
 * ERR_OK (and *out, freed with config_free), ERR_NOMEM, or ERR_CONFIG
 * with a line naming the file, the line where there is one, and the
 * problem in err.
 */
enum err config_load(const char *path, struct config **out,
	    char *err, size_t errlen);

/* config_defaults: a new config holding only the defaults. */
struct config *config_defaults(void);

/* config_free: NULL is allowed. */
void	config_free(struct config *c);

/*
 * config_write_skeleton: write a commented config file naming the
 * given state folder and key paths, mode 0644, refusing to replace an
 * existing file. Returns ERR_OK, ERR_EXISTS or ERR_CONFIG.
 */
enum err config_write_skeleton(const char *path, const struct config *c);

#endif
