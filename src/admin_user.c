/* SPDX-License-Identifier: ISC */
/*
 * admin_user: cassh-admin user add, list and show. user add checks
 * everything its options and the key file say before it writes
 * anything, and then writes the user in one registry transaction;
 * list and show print text for people and, with --json, JSON for
 * scripts.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "admin_impl.h"
#include "config.h"
#include "duration.h"
#include "pubkey.h"
#include "record.h"
#include "registry.h"
#include "report.h"

/* user add: everything the options say, checked before any write. */
struct add_opts {
	const char	*name;
	const char	*login;
	const char	*key;
	const char	*principals;
	const char	*expiry;
	const char	*state;
	const char	*realname;
};

static enum err
add_parse(struct admin *a, int argc, char **argv, struct add_opts *o)
{
	static const struct option longopts[] = {
		{ "login", required_argument, NULL, 'l' },
		{ "key", required_argument, NULL, 'k' },
		{ "principals", required_argument, NULL, 'p' },
		{ "expiry", required_argument, NULL, 'e' },
		{ "state", required_argument, NULL, 's' },
		{ "realname", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char **slot;
	enum err e;
	int ch, i;

	memset(o, 0, sizeof(*o));
	admin_opt_reset();
	while ((ch = getopt_long(argc, argv, ":", longopts, &i)) != -1) {
		switch (ch) {
		case 'l':
			slot = &o->login;
			break;
		case 'k':
			slot = &o->key;
			break;
		case 'p':
			slot = &o->principals;
			break;
		case 'e':
			slot = &o->expiry;
			break;
		case 's':
			slot = &o->state;
			break;
		case 'r':
			slot = &o->realname;
			break;
		default:
			return admin_bad_option(a, "user add", argv, ch);
		}
		if ((e = admin_opt_once(a, slot, optarg, longopts[i].name)) !=
		    ERR_OK)
			return e;
	}
	if (optind != argc - 1)
		return admin_bad_usage(a, "user add needs one NAME");
	o->name = argv[optind];
	if (o->key == NULL)
		return admin_bad_usage(a, "user add needs --key FILE");
	if (o->login == NULL)
		o->login = o->name;
	return ERR_OK;
}

static enum err
key_refused(struct admin *a, const char *file, enum err e)
{
	char path[ADMIN_ESC_SIZE];

	admin_esc(path, file);
	switch (e) {
	case ERR_INPUT_EMPTY:
		return admin_fail(a, e, "user add: %s is empty; give a .pub "
		    "file", path);
	case ERR_INPUT_TOO_LONG:
	case ERR_KEY_FORMAT:
		return admin_fail(a, e, "user add: %s is not one OpenSSH "
		    "public key line; give the .pub file", path);
	case ERR_KEY_TYPE:
		return admin_fail(a, e, "user add: %s holds a certificate or "
		    "a key type cassh does not sign (DSA); give the user's "
		    "plain ed25519, ecdsa or rsa .pub file", path);
	case ERR_KEY_TOO_SMALL:
		return admin_fail(a, e, "user add: %s is an RSA key below %u "
		    "bits; use a longer or an ed25519 key", path,
		    a->cfg->min_rsa_bits);
	case ERR_KEY_PRIVATE:
		return admin_fail(a, e, "user add: %s is a private key; give "
		    "the .pub file, and treat this one as exposed", path);
	default:
		return admin_fail(a, e, "user add: %s: %s", path, err_str(e));
	}
}

/* The whole file, one byte over the bound so that pubkey sees it. */
static enum err
read_key(struct admin *a, const char *path, struct pubkey **out)
{
	char buf[PUBKEY_MAX_INPUT + 1];
	char esc[ADMIN_ESC_SIZE];
	size_t len = 0;
	ssize_t n;
	enum err e;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		goto unreadable;
	while (len < sizeof(buf)) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			/* A folder, or a read error: not an empty file. */
			saved = errno;
			close(fd);
			errno = saved;
			explicit_bzero(buf, sizeof(buf));
			goto unreadable;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	e = pubkey_parse(buf, len, a->cfg->min_rsa_bits, out);
	/* The file may have been a private key after all. */
	explicit_bzero(buf, sizeof(buf));
	if (e != ERR_OK)
		return key_refused(a, path, e);
	return ERR_OK;
 unreadable:
	return admin_fail(a, ERR_USAGE, "user add: cannot read %s: %s; give "
	    "the .pub file with --key", admin_esc(esc, path), strerror(errno));
}

static void
strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}

/* A principal named twice is a typo, and would be signed twice. */
static int
strv_has(char **v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(v[i], s) == 0)
			return 1;
	}
	return 0;
}

static enum err
parse_principals(struct admin *a, const char *arg, char ***out, size_t *n)
{
	char **v = NULL, *copy = NULL, *p, *tok, esc[ADMIN_ESC_SIZE];
	size_t count = 0;
	enum err e = ERR_NOMEM;

	if ((copy = strdup(arg)) == NULL ||
	    (v = calloc(RECORD_MAX_PRINCIPALS, sizeof(*v))) == NULL)
		goto out;
	for (p = copy; (tok = strsep(&p, ",")) != NULL; count++) {
		if (count == RECORD_MAX_PRINCIPALS) {
			e = admin_fail(a, ERR_USAGE, "user add: more than %d "
			    "principals", RECORD_MAX_PRINCIPALS);
			goto out;
		}
		if (!record_valid_principal(tok)) {
			e = admin_fail(a, ERR_USAGE, "user add: principal "
			    "\"%s\" is not 1 to %d printable characters "
			    "without space; separate principals with single "
			    "commas", admin_esc(esc, tok), RECORD_MAX_TEXT);
			goto out;
		}
		if (strv_has(v, count, tok)) {
			e = admin_fail(a, ERR_USAGE, "user add: principal "
			    "\"%s\" is given twice in --principals; name "
			    "each once", tok);
			goto out;
		}
		if ((v[count] = strdup(tok)) == NULL)
			goto out;
	}
	*out = v;
	*n = count;
	v = NULL;
	e = ERR_OK;
 out:
	if (e == ERR_NOMEM)
		admin_fail(a, e, "%s", err_str(e));
	strv_free(v, RECORD_MAX_PRINCIPALS);
	free(copy);
	return e;
}

static enum err
add_check(struct admin *a, const struct add_opts *o, int64_t *expiry,
    enum user_state *state)
{
	char want[32], cap[32], esc[ADMIN_ESC_SIZE];

	if (!record_valid_name(o->name) || !record_valid_name(o->login))
		return admin_fail(a, ERR_USAGE, "user add: a name or login "
		    "must be 1 to %d of A-Z a-z 0-9 . _ @ -, not starting "
		    "with - or .", RECORD_MAX_NAME);
	*expiry = a->cfg->default_expiry;
	if (o->expiry != NULL && duration_parse(o->expiry, expiry) == -1)
		return admin_fail(a, ERR_USAGE, "user add: --expiry %s is not "
		    "a duration such as +1d, 12h or 90m",
		    admin_esc(esc, o->expiry));
	if (*expiry > a->cfg->max_expiry) {
		duration_format(*expiry, want, sizeof(want));
		duration_format(a->cfg->max_expiry, cap, sizeof(cap));
		return admin_fail(a, ERR_USAGE, "user add: expiry %s is "
		    "above [certificate] max_expiry %s; choose a shorter one",
		    want, cap);
	}
	*state = USER_PENDING;
	if (o->state != NULL && strcasecmp(o->state, "active") == 0)
		*state = USER_ACTIVE;
	else if (o->state != NULL && strcasecmp(o->state, "pending") != 0)
		return admin_fail(a, ERR_USAGE, "user add: --state must be "
		    "active or pending, not %s", admin_esc(esc, o->state));
	return ERR_OK;
}

/*
 * The length of the UTF-8 character at p, or 0 if it is not one a
 * realname may hold: a malformed, truncated or overlong sequence, a
 * surrogate, a code point above U+10FFFF, or a control character (C0,
 * DEL or C1), which a terminal showing `user show` would obey and
 * which JSON cannot carry as it is.
 */
static size_t
utf8_char(const unsigned char *p)
{
	uint32_t c;
	size_t n, i;

	if (p[0] < 0x80)
		return p[0] >= 0x20 && p[0] != 0x7f ? 1 : 0;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	c = p[0] & (0x7f >> n);
	/* A NUL is no continuation byte: the string's end stops here. */
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) || c <= 0x9f)
		return 0;
	return n;
}

/* The realname must be what a record may hold, and valid UTF-8. */
static enum err
add_realname(struct admin *a, const char *s, char **out)
{
	const unsigned char *p;
	size_t n;

	if (s == NULL)
		s = "";
	if (strlen(s) > RECORD_MAX_TEXT)
		return admin_fail(a, ERR_USAGE, "user add: --realname is "
		    "longer than %d bytes", RECORD_MAX_TEXT);
	for (p = (const unsigned char *)s; *p != '\0'; p += n) {
		if ((n = utf8_char(p)) == 0)
			return admin_fail(a, ERR_USAGE, "user add: --realname "
			    "is not valid UTF-8 or holds a control character "
			    "(at byte %zu)", (size_t)(p -
			    (const unsigned char *)s) + 1);
	}
	if ((*out = strdup(s)) == NULL)
		return admin_fail(a, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
	return ERR_OK;
}

static enum err
add_key(struct admin *a, struct user *u, const struct pubkey *k,
    int64_t now)
{
	if ((u->keys = calloc(1, sizeof(*u->keys))) == NULL ||
	    (u->keys[0].blob = malloc(k->blob_len)) == NULL)
		return admin_fail(a, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
	u->nkeys = 1;
	memcpy(u->keys[0].blob, k->blob, k->blob_len);
	u->keys[0].blob_len = k->blob_len;
	memcpy(u->keys[0].fp, k->fp, sizeof(u->keys[0].fp));
	/* The key starts in the user's state: both wait for approval. */
	u->keys[0].state = u->state;
	u->keys[0].added = now;
	return ERR_OK;
}

static enum err
add_build(struct admin *a, const struct add_opts *o, struct user **out)
{
	struct pubkey *k = NULL;
	struct user *u;
	int64_t now = (int64_t)time(NULL);
	enum err e = ERR_NOMEM;

	if ((u = calloc(1, sizeof(*u))) == NULL) {
		e = admin_fail(a, e, "%s", err_str(e));
		goto out;
	}
	if ((e = add_check(a, o, &u->expiry, &u->state)) != ERR_OK ||
	    (e = read_key(a, o->key, &k)) != ERR_OK ||
	    (e = add_realname(a, o->realname, &u->realname)) != ERR_OK ||
	    (e = parse_principals(a, o->principals != NULL ? o->principals :
	    o->name, &u->principals, &u->nprincipals)) != ERR_OK ||
	    (e = add_key(a, u, k, now)) != ERR_OK)
		goto out;
	if ((u->name = strdup(o->name)) == NULL ||
	    (u->login = strdup(o->login)) == NULL) {
		e = admin_fail(a, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
		goto out;
	}
	u->created = u->updated = now;
	*out = u;
	u = NULL;
 out:
	pubkey_free(k);
	user_free(u);
	return e;
}

static enum err
add_store(struct admin *a, struct registry *reg, const struct user *u)
{
	struct user *old = NULL;
	enum err e;

	e = registry_user_add(reg, u);
	if (e == ERR_EXISTS) {
		/* Say which of the two is taken. */
		if (registry_user_get(reg, u->name, &old) == ERR_OK) {
			user_free(old);
			return admin_fail(a, e, "user add: %s is registered "
			    "already; choose another name", u->name);
		}
		return admin_fail(a, e, "user add: login %s belongs to another "
		    "user already; see cassh-admin user list", u->login);
	}
	if (e != ERR_OK)
		return admin_registry_failed(a, e, "user add");
	return ERR_OK;
}

/*
 * The audit line of a user add: who ran it and what the registry now
 * holds, or, when the registry refused it, why (result is "refused"
 * with reason the error's token). Options that were refused before the
 * registry was opened write no line: nothing was about to change.
 */
static void
add_audit(const struct user *u, enum err e)
{
	char principals[RECORD_MAX_PRINCIPALS * (RECORD_MAX_TEXT + 1)];
	struct audit au;
	size_t i, len = 0;

	principals[0] = '\0';
	for (i = 0; i < u->nprincipals && len < sizeof(principals); i++)
		len += (size_t)snprintf(principals + len,
		    sizeof(principals) - len, "%s%s", i > 0 ? "," : "",
		    u->principals[i]);
	/* The long free-text fields last: only they may be cut. */
	admin_audit_begin(&au, "admin_user_add");
	audit_str(&au, "name", u->name);
	audit_str(&au, "login", u->login);
	audit_str(&au, "state", user_state_name(u->state));
	audit_str(&au, "fp", u->keys[0].fp);
	audit_i64(&au, "expiry", u->expiry);
	audit_str(&au, "result", e == ERR_OK ? "ok" : "refused");
	if (e != ERR_OK)
		audit_str(&au, "reason", err_name(e));
	audit_str(&au, "realname", u->realname);
	audit_str(&au, "principals", principals);
	audit_end(&au);
}

static enum err
cmd_user_add(struct admin *a, int argc, char **argv)
{
	struct registry *reg = NULL;
	struct user *u = NULL;
	struct add_opts o;
	enum err e;

	if ((e = add_parse(a, argc, argv, &o)) != ERR_OK ||
	    (e = add_build(a, &o, &u)) != ERR_OK)
		goto out;
	if ((e = admin_registry_opened(a, REGISTRY_WRITE, "user add", &reg)) ==
	    ERR_OK)
		e = add_store(a, reg, u);
	add_audit(u, e);
	if (e == ERR_OK)
		fprintf(a->out, "%s: added, %s, key %s\n", u->name,
		    user_state_name(u->state), u->keys[0].fp);
 out:
	registry_close(reg);
	user_free(u);
	return e;
}

/* user list and user show: text for people, JSON for scripts. */
static enum err
print_json(struct admin *a, json_object *o)
{
	const char *s;

	if (o == NULL || (s = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE)) ==
	    NULL)
		return admin_fail(a, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
	fprintf(a->out, "%s\n", s);
	return ERR_OK;
}

static void
print_principals(FILE *out, const struct user *u)
{
	size_t i;

	for (i = 0; i < u->nprincipals; i++)
		fprintf(out, "%s%s", i > 0 ? "," : "", u->principals[i]);
}

static void
print_user_text(FILE *out, const struct user *u)
{
	struct pubkey *k;
	char exp[32], vb[32];
	size_t i;

	duration_format(u->expiry, exp, sizeof(exp));
	fprintf(out, "name: %s\nlogin: %s\nrealname: %s\nstate: %s\n"
	    "principals: ", u->name, u->login, u->realname,
	    user_state_name(u->state));
	print_principals(out, u);
	fprintf(out, "\nexpiry: %s\n", exp);
	for (i = 0; i < u->nkeys; i++) {
		k = NULL;
		pubkey_from_blob(u->keys[i].blob, u->keys[i].blob_len,
		    PUBKEY_RSA_FLOOR_BITS, &k);
		fprintf(out, "key: %s %u %s %s\n",
		    k != NULL ? pubkey_type_name(k->type) : "unknown",
		    k != NULL ? k->bits : 0, u->keys[i].fp,
		    user_state_name(u->keys[i].state));
		pubkey_free(k);
	}
	report_iso8601(u->last_valid_before, vb, sizeof(vb));
	fprintf(out, "last_serial: %" PRIu64 "\nlast_valid_before: %s\n",
	    u->last_serial, u->last_serial != 0 ? vb : "-");
}

/* --json is the only option of list and show. */
static enum err
json_flag(struct admin *a, int argc, char **argv, int npos, int *json)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	*json = 0;
	admin_opt_reset();
	while ((ch = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		if (ch != 'j')
			return admin_bad_option(a, npos == 0 ? "user list" :
			    "user show", argv, ch);
		if (*json)
			return admin_bad_usage(a, "--json given twice");
		*json = 1;
	}
	if (argc - optind != npos)
		return admin_bad_usage(a, npos == 0 ?
		    "user list takes only --json" : "user show needs one NAME");
	return ERR_OK;
}

struct list_ctx {
	FILE		*out;
	json_object	*arr;
	int		 failed;
};

static int
list_one(void *arg, const struct user *u)
{
	struct list_ctx *ctx = arg;
	FILE *out = ctx->out;
	char exp[32];

	if (ctx->arr != NULL) {
		json_object *o = report_user_json(u, time(NULL));

		if (o == NULL || json_object_array_add(ctx->arr, o) != 0) {
			json_object_put(o);
			ctx->failed = 1;
		}
		return ctx->failed;
	}
	duration_format(u->expiry, exp, sizeof(exp));
	fprintf(out, "%-16s %-16s %-8s %-6s ", u->name, u->login,
	    user_state_name(u->state), exp);
	print_principals(out, u);
	fprintf(out, "\n");
	return 0;
}

static enum err
cmd_user_list(struct admin *a, int argc, char **argv)
{
	struct registry *reg = NULL;
	struct list_ctx ctx = { a->out, NULL, 0 };
	int json;
	enum err e;

	if ((e = json_flag(a, argc, argv, 0, &json)) != ERR_OK)
		return e;
	if (json && (ctx.arr = json_object_new_array()) == NULL)
		return admin_fail(a, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
	if ((e = admin_registry_opened(a, REGISTRY_READ, "user list", &reg)) !=
	    ERR_OK)
		goto out;
	if ((e = registry_user_list(reg, list_one, &ctx)) != ERR_OK) {
		e = admin_registry_failed(a, e, "user list");
		goto out;
	}
	if (ctx.failed)
		e = admin_fail(a, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
	else if (json)
		e = print_json(a, ctx.arr);
 out:
	json_object_put(ctx.arr);
	registry_close(reg);
	return e;
}

static enum err
cmd_user_show(struct admin *a, int argc, char **argv)
{
	struct registry *reg = NULL;
	struct user *u = NULL;
	char esc[ADMIN_ESC_SIZE];
	json_object *o;
	const char *name;
	int json;
	enum err e;

	if ((e = json_flag(a, argc, argv, 1, &json)) != ERR_OK)
		return e;
	name = argv[optind];
	if ((e = admin_registry_opened(a, REGISTRY_READ, "user show", &reg)) !=
	    ERR_OK)
		goto out;
	if ((e = registry_user_get(reg, name, &u)) == ERR_NOT_FOUND) {
		e = admin_fail(a, ERR_NOT_REGISTERED, "user show: no user %s; "
		    "see cassh-admin user list", admin_esc(esc, name));
		goto out;
	}
	if (e != ERR_OK) {
		e = admin_registry_failed(a, e, "user show");
		goto out;
	}
	if (json) {
		o = report_user_json(u, time(NULL));
		e = print_json(a, o);
		json_object_put(o);
	} else
		print_user_text(a->out, u);
 out:
	user_free(u);
	registry_close(reg);
	return e;
}

enum err
admin_cmd_user(struct admin *a, int argc, char **argv)
{
	if (argc < 2)
		return admin_bad_usage(a, "user needs add, list or show");
	if (strcmp(argv[1], "add") == 0)
		return cmd_user_add(a, argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return cmd_user_list(a, argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return cmd_user_show(a, argc - 1, argv + 1);
	return admin_bad_usage(a, "user needs add, list or show");
}
