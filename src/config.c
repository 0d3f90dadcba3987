/* SPDX-License-Identifier: ISC */
/*
 * config: defaults, the INI file (libinih) and the skeleton that
 * cassh-admin init writes. Values are checked as they are read, so a
 * signer never starts on a half-understood configuration.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include "config.h"
#include "duration.h"

enum config_kind {
	CK_STR, CK_INT, CK_UINT, CK_INT64, CK_SIZE, CK_DURATION, CK_BOOL
};

struct config_key {
	const char	*section;
	const char	*name;
	enum config_kind kind;
	size_t		 off;
	long long	 min, max;	/* for numbers */
};

#define OFF(m)	offsetof(struct config, m)

static const struct config_key config_keys[] = {
	{ "signer", "host_key", CK_STR, OFF(host_key), 0, 0 },
	{ "signer", "privsep_user", CK_STR, OFF(privsep_user), 0, 0 },
	{ "signer", "generic_login", CK_STR, OFF(generic_login), 0, 0 },
	{ "signer", "public_login", CK_STR, OFF(public_login), 0, 0 },
	{ "signer", "login_grace_time", CK_INT, OFF(login_grace_time),
	    1, 600 },
	{ "signer", "max_auth_tries", CK_INT, OFF(max_auth_tries), 1, 10 },
	{ "signer", "log_file", CK_STR, OFF(log_file), 0, 0 },
	/* A lock never lasts long: a stranger can cause one (guard.c). */
	{ "signer", "lockout_failures", CK_INT, OFF(lockout_failures),
	    0, 100 },
	{ "signer", "lockout_window", CK_INT, OFF(lockout_window), 1, 86400 },
	{ "signer", "lockout_time", CK_INT, OFF(lockout_time), 1, 900 },
	{ "ca", "key", CK_STR, OFF(ca_key), 0, 0 },
	{ "registry", "path", CK_STR, OFF(registry_path), 0, 0 },
	{ "registry", "node_id", CK_UINT, OFF(node_id), 0, 65535 },
	{ "registry", "map_size", CK_SIZE, OFF(map_size),
	    1 << 20, 1LL << 40 },
	{ "ldap", "uri", CK_STR, OFF(ldap_uri), 0, 0 },
	{ "ldap", "base", CK_STR, OFF(ldap_base), 0, 0 },
	{ "ldap", "user_filter", CK_STR, OFF(ldap_user_filter), 0, 0 },
	{ "ldap", "bind_dn", CK_STR, OFF(ldap_bind_dn), 0, 0 },
	{ "ldap", "bind_password_file", CK_STR,
	    OFF(ldap_bind_password_file), 0, 0 },
	{ "ldap", "admin_group", CK_STR, OFF(ldap_admin_group), 0, 0 },
	{ "ldap", "timeout", CK_INT, OFF(ldap_timeout), 1, 120 },
	{ "ldap", "starttls", CK_BOOL, OFF(ldap_starttls), 0, 0 },
	{ "ldap", "ca_cert", CK_STR, OFF(ldap_ca_cert), 0, 0 },
	{ "certificate", "default_expiry", CK_DURATION,
	    OFF(default_expiry), 0, 0 },
	{ "certificate", "max_expiry", CK_DURATION, OFF(max_expiry), 0, 0 },
	{ "certificate", "backdate", CK_INT64, OFF(backdate), 0, 3600 },
	{ "certificate", "min_rsa_bits", CK_UINT, OFF(min_rsa_bits),
	    2048, 16384 },
};

struct config_parse {
	struct config	*cfg;
	char		*err;
	size_t		 errlen;
	int		 failed;
};

static const struct config_key *
config_find(const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++)
		if (strcmp(config_keys[i].section, section) == 0 &&
		    strcmp(config_keys[i].name, name) == 0)
			return &config_keys[i];
	return NULL;
}

/* A whole decimal number in [min, max], nothing else on the line. */
static int
config_number(const char *v, long long min, long long max, long long *out)
{
	char *end;
	long long n;

	if (*v == '\0' || *v == '-' || *v == '+')
		return -1;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

static int
config_set(struct config *c, const struct config_key *k, const char *v)
{
	char *p = (char *)c + k->off;
	long long n = 0;
	int64_t secs;
	char *s;

	switch (k->kind) {
	case CK_STR:
		if ((s = strdup(v)) == NULL)
			return -1;
		free(*(char **)(void *)p);
		*(char **)(void *)p = s;
		return 0;
	case CK_DURATION:
		if (duration_parse(v, &secs) == -1)
			return -1;
		*(int64_t *)(void *)p = secs;
		return 0;
	case CK_BOOL:
		/* Only the two words the README names: no guessing. */
		if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
			return -1;
		*(int *)(void *)p = strcmp(v, "yes") == 0;
		return 0;
	default:
		break;
	}
	if (config_number(v, k->min, k->max, &n) == -1)
		return -1;
	if (k->kind == CK_INT)
		*(int *)(void *)p = (int)n;
	else if (k->kind == CK_UINT)
		*(unsigned *)(void *)p = (unsigned)n;
	else if (k->kind == CK_INT64)
		*(int64_t *)(void *)p = n;
	else
		*(size_t *)(void *)p = (size_t)n;
	return 0;
}

static int
config_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct config_parse *cp = user;
	const struct config_key *k;

	if (cp->failed)
		return 0;
	if ((k = config_find(section, name)) == NULL) {
		snprintf(cp->err, cp->errlen, "unknown key [%s] %s",
		    section, name);
		cp->failed = 1;
		return 0;
	}
	if (config_set(cp->cfg, k, value) == -1) {
		snprintf(cp->err, cp->errlen, "bad value for [%s] %s",
		    section, name);
		cp->failed = 1;
		return 0;
	}
	return 1;
}

static char *
config_strdup_or_null(const char *s, int *fail)
{
	char *d = strdup(s);

	if (d == NULL)
		*fail = 1;
	return d;
}

struct config *
config_defaults(void)
{
	struct config *c;
	int fail = 0;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->host_key = config_strdup_or_null("/etc/cassh/ssh_host_ed25519_key",
	    &fail);
	/* Owns nothing and exists everywhere; sandbox.h says more. */
	c->privsep_user = config_strdup_or_null("nobody", &fail);
	c->generic_login = config_strdup_or_null("cassh", &fail);
	c->public_login = config_strdup_or_null("public", &fail);
	c->login_grace_time = 30;
	c->max_auth_tries = 3;
	c->log_file = config_strdup_or_null("", &fail);
	c->lockout_failures = 5;
	c->lockout_window = 300;
	c->lockout_time = 60;
	c->ca_key = config_strdup_or_null("/etc/cassh/ca_key", &fail);
	c->registry_path = config_strdup_or_null("/var/lib/cassh", &fail);
	c->node_id = 0;
	c->map_size = 0;
	c->ldap_uri = config_strdup_or_null("ldap://127.0.0.1:389", &fail);
	c->ldap_base = config_strdup_or_null("ou=people,dc=example,dc=org",
	    &fail);
	c->ldap_user_filter = config_strdup_or_null("(uid=%s)", &fail);
	c->ldap_bind_dn = config_strdup_or_null("", &fail);
	c->ldap_bind_password_file = config_strdup_or_null("", &fail);
	c->ldap_admin_group = config_strdup_or_null(
	    "cn=cassh-admins,ou=groups,dc=example,dc=org", &fail);
	c->ldap_timeout = 5;
	c->ldap_starttls = 0;
	c->ldap_ca_cert = config_strdup_or_null("", &fail);
	c->default_expiry = 86400;
	c->max_expiry = 365 * 86400;
	c->backdate = 300;
	c->min_rsa_bits = 3072;
	if (fail) {
		config_free(c);
		return NULL;
	}
	return c;
}

/* Checks that involve more than one key. */
static int
config_coherent(const struct config *c, char *err, size_t errlen)
{
	if (c->default_expiry > c->max_expiry) {
		snprintf(err, errlen, "[certificate] default_expiry is "
		    "longer than max_expiry");
		return -1;
	}
	if (*c->privsep_user == '\0') {
		snprintf(err, errlen, "[signer] privsep_user must be set");
		return -1;
	}
	if (*c->generic_login == '\0' || *c->public_login == '\0' ||
	    strcmp(c->generic_login, c->public_login) == 0) {
		snprintf(err, errlen, "[signer] generic_login and "
		    "public_login must be set and differ");
		return -1;
	}
	return 0;
}

enum err
config_load(const char *path, struct config **out, char *err, size_t errlen)
{
	struct config_parse cp;
	struct config *c;
	char why[160];
	FILE *f;
	int line;

	if ((c = config_defaults()) == NULL)
		return ERR_NOMEM;
	if ((f = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		config_free(c);
		return ERR_CONFIG;
	}
	why[0] = '\0';
	cp.cfg = c;
	cp.err = why;
	cp.errlen = sizeof(why);
	cp.failed = 0;
	line = ini_parse_file(f, config_handler, &cp);
	fclose(f);
	if (line != 0) {
		snprintf(err, errlen, "%s line %d: %s", path, line,
		    why[0] != '\0' ? why : "not a key = value line");
		config_free(c);
		return ERR_CONFIG;
	}
	if (config_coherent(c, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "%s: %s", path, why);
		config_free(c);
		return ERR_CONFIG;
	}
	*out = c;
	return ERR_OK;
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	free(c->host_key);
	free(c->privsep_user);
	free(c->generic_login);
	free(c->public_login);
	free(c->log_file);
	free(c->ca_key);
	free(c->registry_path);
	free(c->ldap_uri);
	free(c->ldap_base);
	free(c->ldap_user_filter);
	free(c->ldap_bind_dn);
	free(c->ldap_bind_password_file);
	free(c->ldap_admin_group);
	free(c->ldap_ca_cert);
	free(c);
}

enum err
config_write_skeleton(const char *path, const struct config *c)
{
	char exp[32], maxexp[32];
	FILE *f;
	int fd, bad;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd == -1)
		return errno == EEXIST ? ERR_EXISTS : ERR_CONFIG;
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		return ERR_CONFIG;
	}
	duration_format(c->default_expiry, exp, sizeof(exp));
	duration_format(c->max_expiry, maxexp, sizeof(maxexp));
	fprintf(f,
	    "; cassh configuration: every key is documented in README.md.\n"
	    "\n[signer]\n"
	    "host_key = %s\n"
	    "privsep_user = %s\n"
	    "generic_login = %s\n"
	    "public_login = %s\n"
	    "login_grace_time = %d\n"
	    "max_auth_tries = %d\n"
	    "log_file = %s\n"
	    "lockout_failures = %d\n"
	    "lockout_window = %d\n"
	    "lockout_time = %d\n"
	    "\n[ca]\n"
	    "key = %s\n"
	    "\n[registry]\n"
	    "path = %s\n"
	    "node_id = %u\n"
	    "\n[ldap]\n"
	    "uri = %s\n"
	    "base = %s\n"
	    "user_filter = %s\n"
	    "bind_dn = %s\n"
	    "bind_password_file = %s\n"
	    "admin_group = %s\n"
	    "timeout = %d\n"
	    "starttls = %s\n"
	    "ca_cert = %s\n"
	    "\n[certificate]\n"
	    "default_expiry = %s\n"
	    "max_expiry = %s\n"
	    "backdate = %lld\n"
	    "min_rsa_bits = %u\n",
	    c->host_key, c->privsep_user, c->generic_login, c->public_login,
	    c->login_grace_time, c->max_auth_tries, c->log_file,
	    c->lockout_failures, c->lockout_window, c->lockout_time, c->ca_key,
	    c->registry_path, c->node_id, c->ldap_uri, c->ldap_base,
	    c->ldap_user_filter, c->ldap_bind_dn, c->ldap_bind_password_file,
	    c->ldap_admin_group, c->ldap_timeout,
	    c->ldap_starttls ? "yes" : "no", c->ldap_ca_cert, exp, maxexp,
	    (long long)c->backdate, c->min_rsa_bits);
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		unlink(path);
		return ERR_CONFIG;
	}
	return ERR_OK;
}
