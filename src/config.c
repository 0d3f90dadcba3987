/* SPDX-License-Identifier: ISC */
/*
 * config: defaults, the INI file (libinih) and the skeleton that
 * cassh-admin init writes. Values are checked as they are read, so a
 * signer never starts on a half-understood configuration.
 *
 * The file is read whole here, bounded, and only then given to libinih
 * one line at a time, so that what libinih would get wrong (an endless
 * or blocking file, a line longer than its buffer, a key given twice, an
 * indented line taken as more of a value) is refused with its own words.
 */
#include <sys/stat.h>

#include <ctype.h>
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
	long long	 min, max;	/* numbers; strings: min 1, not empty */
};

#define OFF(m)	offsetof(struct config, m)

static const struct config_key config_keys[] = {
	{ "signer", "host_key", CK_STR, OFF(host_key), 1, 0 },
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
	{ "ca", "key", CK_STR, OFF(ca_key), 1, 0 },
	{ "registry", "path", CK_STR, OFF(registry_path), 1, 0 },
	{ "registry", "node_id", CK_UINT, OFF(node_id), 0, 65535 },
	{ "registry", "map_size", CK_SIZE, OFF(map_size),
	    1 << 20, 1LL << 40 },
	{ "ldap", "uri", CK_STR, OFF(ldap_uri), 1, 0 },
	{ "ldap", "base", CK_STR, OFF(ldap_base), 0, 0 },
	{ "ldap", "user_filter", CK_STR, OFF(ldap_user_filter), 1, 0 },
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

#define CONFIG_NKEYS	(sizeof(config_keys) / sizeof(config_keys[0]))

/*
 * Bounds on the file. A configuration is a few dozen short lines; the
 * size bound keeps a wrong -c (a log, a disk image) from being read
 * whole. libinih reads each line into a buffer of INI_MAX_LINE bytes,
 * fixed when the library was built (200 on Debian 12), and would cut a
 * longer line in two and misread the rest: so each line is measured
 * first, its end ("\n" or "\r\n") not counted, and config_read_line
 * hands it over without that end, which leaves room for the longest.
 * That relies on libinih 55 (Debian 12): later releases treat a line
 * that fills the buffer as too long whatever follows, and would refuse
 * a 199-byte line as "not a key = value line" (test_config says so).
 */
#define CONFIG_MAX_SIZE	(64 * 1024)
#define CONFIG_MAX_LINE	(INI_MAX_LINE - 1)

/* The file in memory, as libinih's reader sees it. */
struct config_reader {
	const char	*next, *end;	/* what is left to hand over */
	const char	*cur;		/* the line last handed over */
	size_t		 curlen;	/* without its end */
	int		 line;		/* its number, from 1 */
	int		 overlong;	/* a line outgrew libinih's buffer */
};

struct config_parse {
	struct config	*cfg;
	struct config_reader rd;
	int		 set_on[CONFIG_NKEYS];	/* line per key; 0: unset */
	char		 why[160];
	int		 failed;		/* line of the first refusal */
};

static const struct config_key *
config_find(const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < CONFIG_NKEYS; i++)
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

/*
 * libinih takes an indented line that follows a key for more of that
 * key's value, and calls the handler for the key again: the value would
 * be replaced without a word, and "  base = x" under "  uri = y" would
 * set uri. A line that is indented and does not start with "name =" (or
 * "name :") is such a continuation.
 */
static int
config_is_continuation(const char *line, size_t len, const char *name)
{
	size_t i = 0, nlen = strlen(name);

	if (len == 0 || !isspace((unsigned char)line[0]))
		return 0;
	while (i < len && isspace((unsigned char)line[i]))
		i++;
	if (len - i < nlen || memcmp(line + i, name, nlen) != 0)
		return 1;
	for (i += nlen; i < len && isspace((unsigned char)line[i]); i++)
		continue;
	return i == len || (line[i] != '=' && line[i] != ':');
}

static int
config_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct config_parse *cp = user;
	const struct config_key *k = NULL;
	int line = cp->rd.line;

	if (cp->failed)
		return 0;
	if (config_is_continuation(cp->rd.cur, cp->rd.curlen, name))
		snprintf(cp->why, sizeof(cp->why), "an indented line would "
		    "continue the value of [%s] %s (start each key at the "
		    "margin)", section, name);
	else if ((k = config_find(section, name)) == NULL)
		snprintf(cp->why, sizeof(cp->why), "unknown key [%s] %s",
		    section, name);
	else if (cp->set_on[k - config_keys] != 0)
		snprintf(cp->why, sizeof(cp->why), "[%s] %s is set twice "
		    "(also on line %d)", section, name,
		    cp->set_on[k - config_keys]);
	else if (k->kind == CK_STR && k->min > 0 && *value == '\0')
		snprintf(cp->why, sizeof(cp->why), "[%s] %s cannot be empty",
		    section, name);
	else if (config_set(cp->cfg, k, value) == -1)
		snprintf(cp->why, sizeof(cp->why), "bad value for [%s] %s",
		    section, name);
	else {
		cp->set_on[k - config_keys] = line;
		return 1;
	}
	cp->failed = line;
	return 0;
}

/*
 * An ini_reader: one whole line per call, without its end, which
 * libinih would strip anyway. Counting here tells the handler which
 * line it is called for. config_scan has measured every line; a buffer
 * smaller than that promised stops the parse rather than split a line.
 */
static char *
config_read_line(char *buf, int size, void *arg)
{
	struct config_reader *rd = arg;
	const char *nl;
	size_t len;

	if (rd->next >= rd->end)
		return NULL;
	nl = memchr(rd->next, '\n', (size_t)(rd->end - rd->next));
	len = (size_t)((nl != NULL ? nl : rd->end) - rd->next);
	if (len > 0 && rd->next[len - 1] == '\r')
		len--;
	if (size < 1 || len > (size_t)size - 1) {
		rd->overlong = 1;
		return NULL;
	}
	memcpy(buf, rd->next, len);
	buf[len] = '\0';
	rd->cur = rd->next;
	rd->curlen = len;
	rd->line++;
	rd->next = nl != NULL ? nl + 1 : rd->end;
	return buf;
}

/* A control byte other than a tab: NUL, a lone CR, an escape, ... */
static int
config_has_control(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (((unsigned char)p[i] < 0x20 && p[i] != '\t') ||
		    p[i] == 0x7f)
			return 1;
	return 0;
}

/*
 * Every line fits libinih's buffer and holds no control byte: a NUL
 * would end the line early without a word, and a lone CR or an escape
 * would hide part of the line from someone reading the file with cat.
 * Returns the first line that does not, or 0.
 */
static int
config_scan(const char *buf, size_t len, int *toolong)
{
	const char *p = buf, *end = buf + len, *nl;
	size_t n;
	int line;

	for (line = 1; p < end; line++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl != NULL ? nl : end) - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		*toolong = n > CONFIG_MAX_LINE;
		if (*toolong || config_has_control(p, n))
			return line;
		p = nl != NULL ? nl + 1 : end;
	}
	return 0;
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

/*
 * The filter is a template, not a printf format: exactly one "%s" and
 * no other '%' (directory.c checks it again before each search).
 */
static int
config_filter_ok(const char *f)
{
	const char *pct = strchr(f, '%');

	return pct != NULL && pct[1] == 's' && strchr(pct + 2, '%') == NULL;
}

/*
 * Paths are full paths: the signer runs from / under systemd and from
 * wherever inetd was started, cassh-admin from the admin's folder, so a
 * relative path would name another file in each.
 */
static int
config_full_paths(const struct config *c, char *err, size_t errlen)
{
	const struct {
		const char	*name;
		const char	*value;
	} paths[] = {
		{ "[signer] host_key", c->host_key },
		{ "[signer] log_file", c->log_file },
		{ "[ca] key", c->ca_key },
		{ "[registry] path", c->registry_path },
		{ "[ldap] bind_password_file", c->ldap_bind_password_file },
		{ "[ldap] ca_cert", c->ldap_ca_cert },
	};
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		const char *v = paths[i].value;

		if (v == NULL || *v == '\0' || *v == '/' ||
		    (v == c->ca_key && strncmp(v, "agent:", 6) == 0))
			continue;
		snprintf(err, errlen, "%s must be a full path (starting with "
		    "/), not %.64s", paths[i].name, v);
		return -1;
	}
	return 0;
}

/* Checks of a whole value, or that involve more than one key. */
static int
config_coherent(const struct config *c, char *err, size_t errlen)
{
	if (config_full_paths(c, err, errlen) == -1)
		return -1;
	if (c->default_expiry > c->max_expiry) {
		snprintf(err, errlen, "[certificate] default_expiry is "
		    "longer than max_expiry");
		return -1;
	}
	if (*c->privsep_user == '\0') {
		snprintf(err, errlen, "[signer] privsep_user must be set");
		return -1;
	}
	/*
	 * By name only: sandbox.c refuses any account of uid or gid 0 when
	 * the signer starts; this lets cassh-admin say so too.
	 */
	if (strcmp(c->privsep_user, "root") == 0) {
		snprintf(err, errlen, "[signer] privsep_user cannot be root");
		return -1;
	}
	if (!config_filter_ok(c->ldap_user_filter)) {
		snprintf(err, errlen, "[ldap] user_filter needs exactly one "
		    "%%s and no other %%");
		return -1;
	}
	if (*c->ldap_bind_dn != '\0' && *c->ldap_bind_password_file == '\0') {
		snprintf(err, errlen, "[ldap] bind_dn is set but "
		    "bind_password_file is not");
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

/* Refuse what is not a regular file, saying what it is. */
static int
config_regular(const char *path, const struct stat *st, char *err,
    size_t errlen)
{
	const char *what = "a special file";

	if (S_ISREG(st->st_mode))
		return 0;
	if (S_ISDIR(st->st_mode))
		what = "a directory";
	else if (S_ISFIFO(st->st_mode))
		what = "a FIFO";
	else if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		what = "a device";
	else if (S_ISSOCK(st->st_mode))
		what = "a socket";
	snprintf(err, errlen, "%s is %s, not a regular file", path, what);
	return -1;
}

/*
 * Open path for reading, only if it is a regular file. A FIFO or a
 * device could keep the reader waiting or reading for ever (/dev/zero,
 * a shell's <(yes)), and a directory reads as empty, which would give
 * every default without a word. stat() first spares a device even
 * being opened; O_NONBLOCK keeps open() from waiting for a FIFO's
 * writer should one take the file's place in between, and fstat()
 * checks what was opened. Returns the descriptor and its *size, or -1.
 */
static int
config_open(const char *path, off_t *size, char *err, size_t errlen)
{
	struct stat st;
	int fd, saved;

	if (stat(path, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (config_regular(path, &st, err, errlen) == -1)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1 || fstat(fd, &st) == -1) {
		saved = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(saved));
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (config_regular(path, &st, err, errlen) == -1) {
		close(fd);
		return -1;
	}
	*size = st.st_size;
	return fd;
}

/*
 * The whole file into *buf (the caller's to free), *len bytes, if it
 * is a regular file of at most CONFIG_MAX_SIZE bytes. One byte more
 * than the bound is read, so that a file grown since fstat() is
 * refused as well.
 */
static enum err
config_read_file(const char *path, char **buf, size_t *len, char *err,
    size_t errlen)
{
	off_t size;
	char *b = NULL;
	size_t n = 0;
	ssize_t got;
	int fd;
	enum err r = ERR_CONFIG;

	if ((fd = config_open(path, &size, err, errlen)) == -1)
		return ERR_CONFIG;
	if (size > CONFIG_MAX_SIZE)
		goto toobig;
	r = ERR_NOMEM;
	if ((b = malloc(CONFIG_MAX_SIZE + 1)) == NULL)
		goto out;
	r = ERR_CONFIG;
	while (n <= CONFIG_MAX_SIZE) {
		got = read(fd, b + n, CONFIG_MAX_SIZE + 1 - n);
		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (n > CONFIG_MAX_SIZE)
		goto toobig;
	*buf = b;
	*len = n;
	b = NULL;
	r = ERR_OK;
	goto out;
toobig:
	snprintf(err, errlen, "%s is larger than %d bytes, the most a "
	    "configuration may be", path, CONFIG_MAX_SIZE);
out:
	free(b);
	close(fd);
	return r;
}

/* Parse the file's text (a UTF-8 BOM skipped) into cp->cfg. */
static enum err
config_parse_text(const char *path, const char *buf, size_t len,
    struct config_parse *cp, char *err, size_t errlen)
{
	int line, toolong;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	if ((line = config_scan(buf, len, &toolong)) != 0) {
		if (toolong)
			snprintf(err, errlen, "%s line %d is longer than %d "
			    "bytes, the longest a line may be", path, line,
			    CONFIG_MAX_LINE);
		else
			snprintf(err, errlen, "%s line %d: holds a control "
			    "character (a NUL, a lone carriage return, an "
			    "escape...), which the file must not", path, line);
		return ERR_CONFIG;
	}
	cp->rd.next = buf;
	cp->rd.end = buf + len;
	line = ini_parse_stream(config_read_line, &cp->rd, config_handler,
	    cp);
	if (line < 0)
		return ERR_NOMEM;
	if (cp->rd.overlong) {
		snprintf(err, errlen, "%s line %d is longer than this "
		    "libinih reads", path, cp->rd.line + 1);
		return ERR_CONFIG;
	}
	if (line != 0) {
		/* libinih's own refusal may come before the handler's. */
		snprintf(err, errlen, "%s line %d: %s", path, line,
		    cp->failed == line ? cp->why : "not a key = value line");
		return ERR_CONFIG;
	}
	return ERR_OK;
}

enum err
config_load(const char *path, struct config **out, char *err, size_t errlen)
{
	struct config_parse cp;
	struct config *c = NULL;
	char *buf = NULL;
	size_t len;
	enum err r;

	if ((r = config_read_file(path, &buf, &len, err, errlen)) != ERR_OK)
		goto out;
	r = ERR_NOMEM;
	if ((c = config_defaults()) == NULL)
		goto out;
	memset(&cp, 0, sizeof(cp));
	cp.cfg = c;
	if ((r = config_parse_text(path, buf, len, &cp, err, errlen)) !=
	    ERR_OK)
		goto out;
	r = ERR_CONFIG;
	if (config_coherent(c, cp.why, sizeof(cp.why)) == -1) {
		snprintf(err, errlen, "%s: %s", path, cp.why);
		goto out;
	}
	*out = c;
	c = NULL;
	r = ERR_OK;
out:
	free(buf);
	config_free(c);
	return r;
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
