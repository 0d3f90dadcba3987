/* SPDX-License-Identifier: ISC */
/*
 * record: the registry's user, certificate and failed-login records,
 * and their encoding as LMDB values with the wire module. db/SCHEMA.md gives
 * the byte layout.
 *
 * The registry file is trusted no more than it must be: a record
 * that a bug, a bad disk or a hand edit has damaged must be refused
 * whole rather than half-used, since a half-read principals list or
 * key state could let the wrong key be signed. So decoding checks
 * every length, count and value, refuses trailing bytes, and then
 * applies the same rules that encoding applies before a record is
 * stored: what one binary writes, the same binary always reads.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "log.h"
#include "record.h"
#include "wire.h"

/* Bumped when a layout changes; db/SCHEMA.md says how to migrate. */
#define RECORD_USER_VERSION	1
#define RECORD_ISSUED_VERSION	1
#define RECORD_FAILURE_VERSION	1

/* No key blob that pubkey_parse accepts can be longer than its input. */
#define RECORD_MAX_BLOB		PUBKEY_MAX_INPUT

#define FP_PREFIX		"SHA256:"
#define FP_PREFIX_LEN		(sizeof(FP_PREFIX) - 1)

static void
strv_free(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
user_free(struct user *u)
{
	size_t i;

	if (u == NULL)
		return;
	for (i = 0; i < u->nkeys; i++)
		free(u->keys[i].blob);
	free(u->keys);
	strv_free(u->principals, u->nprincipals);
	free(u->name);
	free(u->login);
	free(u->realname);
	free(u);
}

void
issued_free(struct issued *c)
{
	if (c == NULL)
		return;
	strv_free(c->principals, c->nprincipals);
	free(c->name);
	free(c->key_id);
	free(c);
}

const char *
user_state_name(enum user_state s)
{
	switch (s) {
	case USER_ACTIVE:
		return "ACTIVE";
	case USER_REVOKED:
		return "REVOKED";
	case USER_PENDING:
		return "PENDING";
	}
	return "UNKNOWN";
}

int
user_key_find(const struct user *u, const char *fp)
{
	size_t i;

	if (u == NULL || fp == NULL)
		return -1;
	for (i = 0; i < u->nkeys; i++) {
		if (strcmp(u->keys[i].fp, fp) == 0)
			return (int)i;
	}
	return -1;
}

/* ASCII by hand: the locale must not change what a name may hold. */
static int
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '@' ||
	    c == '-';
}

/*
 * A leading '-' would read as an option to ssh-keygen and other
 * tools a name is handed to; a leading '.' could make a hidden or
 * relative file name.
 */
int
record_valid_name(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0' || s[0] == '-' || s[0] == '.')
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= RECORD_MAX_NAME || !name_char(s[i]))
			return 0;
	}
	return 1;
}

/*
 * sshd matches principals as comma-separated patterns in
 * AuthorizedPrincipals files and the like, so a comma or a space
 * inside one would split it into several.
 */
int
record_valid_principal(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= RECORD_MAX_TEXT || s[i] <= ' ' || s[i] > '~' ||
		    s[i] == ',')
			return 0;
	}
	return 1;
}

/*
 * Free text (realname, key id) may be UTF-8 from LDAP, but no control
 * byte: it is printed by `user list` and in JSON, where a newline or
 * an escape sequence could forge a line or hide one.
 */
static int
text_valid(const char *s, size_t max)
{
	const unsigned char *p;

	if (s == NULL || strlen(s) > max)
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < ' ' || *p == 0x7f)
			return 0;
	}
	return 1;
}

/*
 * "SHA256:" and the 32 digest bytes in 43 characters of unpadded
 * base64, exactly as ssh-keygen -l prints them. The last character
 * carries 4 bits of padding that must be zero, so that one digest has
 * one spelling and fingerprints can be compared as strings.
 */
static int
fp_valid(const char fp[PUBKEY_FP_LEN])
{
	char padded[PUBKEY_FP_LEN + 1];
	uint8_t *digest;
	size_t n;

	if (memchr(fp, '\0', PUBKEY_FP_LEN) == NULL ||
	    strlen(fp) != PUBKEY_FP_LEN - 1 ||
	    strncmp(fp, FP_PREFIX, FP_PREFIX_LEN) != 0)
		return 0;
	/* The strict decoder refuses non-zero pad bits once padded. */
	snprintf(padded, sizeof(padded), "%s=", fp + FP_PREFIX_LEN);
	if (base64_decode(padded, strlen(padded), &digest, &n) == -1)
		return 0;
	free(digest);
	return n == 32;
}

static int
state_valid(uint32_t s)
{
	return s == USER_ACTIVE || s == USER_REVOKED || s == USER_PENDING;
}

/* Each list holds at least one principal: none would mean anyone. */
static const char *
principals_check(char *const *v, size_t n)
{
	size_t i;

	if (n == 0 || n > RECORD_MAX_PRINCIPALS || v == NULL)
		return "principal count";
	for (i = 0; i < n; i++) {
		if (!record_valid_principal(v[i]))
			return "principal";
	}
	return NULL;
}

static const char *
keys_check(const struct user_key *k, size_t n)
{
	size_t i, j;

	if (n > RECORD_MAX_KEYS || (n > 0 && k == NULL))
		return "key count";
	for (i = 0; i < n; i++) {
		if (k[i].blob == NULL || k[i].blob_len == 0 ||
		    k[i].blob_len > RECORD_MAX_BLOB)
			return "key blob";
		if (!fp_valid(k[i].fp))
			return "key fingerprint";
		if (!state_valid(k[i].state))
			return "key state";
		/* user_key_find must find one key per fingerprint. */
		for (j = 0; j < i; j++) {
			if (strcmp(k[i].fp, k[j].fp) == 0)
				return "key registered twice";
		}
	}
	return NULL;
}

/* user_check: NULL if u may be stored, else what is wrong with it. */
static const char *
user_check(const struct user *u)
{
	const char *why;

	if (!record_valid_name(u->name))
		return "name";
	if (!record_valid_name(u->login))
		return "login";
	if (!text_valid(u->realname, RECORD_MAX_TEXT))
		return "realname";
	if (!state_valid(u->state))
		return "state";
	if ((why = keys_check(u->keys, u->nkeys)) != NULL)
		return why;
	if ((why = principals_check(u->principals, u->nprincipals)) != NULL)
		return why;
	if (u->expiry <= 0)
		return "expiry";
	return NULL;
}

static const char *
issued_check(const struct issued *c)
{
	const char *why;

	if (c->serial == 0)
		return "serial";
	if (!record_valid_name(c->name))
		return "name";
	if (!text_valid(c->key_id, RECORD_MAX_TEXT) || c->key_id[0] == '\0')
		return "key id";
	if (!fp_valid(c->fp))
		return "fingerprint";
	if ((why = principals_check(c->principals, c->nprincipals)) != NULL)
		return why;
	if (c->valid_after >= c->valid_before)
		return "validity";
	return NULL;
}

/*
 * A counter with no failure is deleted, not stored. A lock is set at
 * a failure inside the window, so it always ends after the window
 * began; one that does not was never written by cassh.
 */
static const char *
failure_check(const struct failure *f)
{
	if (f->count == 0)
		return "count";
	if (f->window_start <= 0)
		return "window start";
	if (f->locked_until != 0 && f->locked_until <= f->window_start)
		return "lock end";
	return NULL;
}

/* Signed times travel as their two's complement in a uint64. */
static void
put_i64(struct wbuf *b, int64_t v)
{
	wbuf_put_u64(b, (uint64_t)v);
}

static void
put_strv(struct wbuf *b, char *const *v, size_t n)
{
	size_t i;

	wbuf_put_u32(b, (uint32_t)n);
	for (i = 0; i < n; i++)
		wbuf_put_cstring(b, v[i]);
}

static enum err
finish(struct wbuf *b, uint8_t **out, size_t *len)
{
	uint8_t *p;
	size_t n;

	if (wbuf_failed(b) || (p = wbuf_steal(b, &n)) == NULL) {
		wbuf_free(b);
		return ERR_NOMEM;
	}
	*out = p;
	*len = n;
	return ERR_OK;
}

enum err
user_encode(const struct user *u, uint8_t **out, size_t *len)
{
	struct wbuf b;
	const char *why;
	size_t i;

	if ((why = user_check(u)) != NULL) {
		log_warnx("record: refusing to store user record: bad %s",
		    why);
		return ERR_INTERNAL;
	}

	wbuf_init(&b);
	wbuf_put_u32(&b, RECORD_USER_VERSION);
	wbuf_put_cstring(&b, u->name);
	wbuf_put_cstring(&b, u->login);
	wbuf_put_cstring(&b, u->realname);
	wbuf_put_u32(&b, (uint32_t)u->state);
	wbuf_put_u32(&b, (uint32_t)u->nkeys);
	for (i = 0; i < u->nkeys; i++) {
		wbuf_put_string(&b, u->keys[i].blob, u->keys[i].blob_len);
		wbuf_put_cstring(&b, u->keys[i].fp);
		wbuf_put_u32(&b, (uint32_t)u->keys[i].state);
		put_i64(&b, u->keys[i].added);
	}
	put_strv(&b, u->principals, u->nprincipals);
	put_i64(&b, u->expiry);
	put_i64(&b, u->created);
	put_i64(&b, u->updated);
	wbuf_put_u64(&b, u->last_serial);
	put_i64(&b, u->last_valid_before);
	return finish(&b, out, len);
}

enum err
issued_encode(const struct issued *c, uint8_t **out, size_t *len)
{
	struct wbuf b;
	const char *why;

	if ((why = issued_check(c)) != NULL) {
		log_warnx("record: refusing to store certificate record: "
		    "bad %s", why);
		return ERR_INTERNAL;
	}

	wbuf_init(&b);
	wbuf_put_u32(&b, RECORD_ISSUED_VERSION);
	wbuf_put_u64(&b, c->serial);
	wbuf_put_cstring(&b, c->name);
	wbuf_put_cstring(&b, c->key_id);
	wbuf_put_cstring(&b, c->fp);
	put_strv(&b, c->principals, c->nprincipals);
	put_i64(&b, c->valid_after);
	put_i64(&b, c->valid_before);
	put_i64(&b, c->issued_at);
	return finish(&b, out, len);
}

enum err
failure_encode(const struct failure *f, uint8_t **out, size_t *len)
{
	struct wbuf b;
	const char *why;

	if ((why = failure_check(f)) != NULL) {
		log_warnx("record: refusing to store failure record: bad %s",
		    why);
		return ERR_INTERNAL;
	}

	wbuf_init(&b);
	wbuf_put_u32(&b, RECORD_FAILURE_VERSION);
	wbuf_put_u32(&b, f->count);
	put_i64(&b, f->window_start);
	put_i64(&b, f->locked_until);
	return finish(&b, out, len);
}

/*
 * The readers below return ERR_INTERNAL for a malformed record and
 * ERR_NOMEM for an allocation that failed; every length and count is
 * checked before anything is allocated for it.
 */

static enum err
read_i64(struct wreader *r, int64_t *v)
{
	uint64_t u;

	if (wread_u64(r, &u) != 0)
		return ERR_INTERNAL;
	/* Undo put_i64 without an implementation-defined conversion. */
	if (u <= INT64_MAX)
		*v = (int64_t)u;
	else
		*v = -(int64_t)(~u) - 1;
	return ERR_OK;
}

static enum err
read_state(struct wreader *r, enum user_state *s)
{
	uint32_t v;

	if (wread_u32(r, &v) != 0 || !state_valid(v))
		return ERR_INTERNAL;
	*s = (enum user_state)v;
	return ERR_OK;
}

static enum err
read_text(struct wreader *r, size_t max, char **out)
{
	const uint8_t *p;
	size_t n;
	char *s;

	if (wread_string(r, &p, &n) != 0 || n > max ||
	    memchr(p, '\0', n) != NULL)
		return ERR_INTERNAL;
	if ((s = malloc(n + 1)) == NULL)
		return ERR_NOMEM;
	memcpy(s, p, n);
	s[n] = '\0';
	*out = s;
	return ERR_OK;
}

static enum err
read_fp(struct wreader *r, char fp[PUBKEY_FP_LEN])
{
	const uint8_t *p;
	size_t n;

	if (wread_string(r, &p, &n) != 0 || n != PUBKEY_FP_LEN - 1)
		return ERR_INTERNAL;
	memcpy(fp, p, n);
	fp[n] = '\0';
	return ERR_OK;
}

/* The count stays in step with what is allocated, for the free. */
static enum err
read_strv(struct wreader *r, char ***v, size_t *n)
{
	uint32_t count;
	enum err e;

	if (wread_u32(r, &count) != 0 || count == 0 ||
	    count > RECORD_MAX_PRINCIPALS)
		return ERR_INTERNAL;
	if ((*v = calloc(count, sizeof(**v))) == NULL)
		return ERR_NOMEM;
	for (*n = 0; *n < count; (*n)++) {
		if ((e = read_text(r, RECORD_MAX_TEXT, &(*v)[*n])) != ERR_OK)
			return e;
	}
	return ERR_OK;
}

static enum err
read_key(struct wreader *r, struct user_key *k)
{
	const uint8_t *p;
	size_t n;
	enum err e;

	if (wread_string(r, &p, &n) != 0 || n == 0 || n > RECORD_MAX_BLOB)
		return ERR_INTERNAL;
	if ((k->blob = malloc(n)) == NULL)
		return ERR_NOMEM;
	memcpy(k->blob, p, n);
	k->blob_len = n;
	if ((e = read_fp(r, k->fp)) != ERR_OK ||
	    (e = read_state(r, &k->state)) != ERR_OK)
		return e;
	return read_i64(r, &k->added);
}

static enum err
read_keys(struct wreader *r, struct user *u)
{
	uint32_t count;
	enum err e;

	if (wread_u32(r, &count) != 0 || count > RECORD_MAX_KEYS)
		return ERR_INTERNAL;
	if (count == 0)
		return ERR_OK;
	if ((u->keys = calloc(count, sizeof(*u->keys))) == NULL)
		return ERR_NOMEM;
	while (u->nkeys < count) {
		/* Counted before it is read, so that its blob is freed. */
		if ((e = read_key(r, &u->keys[u->nkeys++])) != ERR_OK)
			return e;
	}
	return ERR_OK;
}

static enum err
read_version(struct wreader *r, uint32_t want, const char *what)
{
	uint32_t v;

	if (wread_u32(r, &v) != 0)
		return ERR_INTERNAL;
	if (v != want) {
		log_warnx("record: %s record version %u, this binary reads "
		    "version %u", what, v, want);
		return ERR_INTERNAL;
	}
	return ERR_OK;
}

static enum err
user_read(struct wreader *r, struct user *u)
{
	uint64_t serial;
	enum err e;

	if ((e = read_version(r, RECORD_USER_VERSION, "user")) != ERR_OK ||
	    (e = read_text(r, RECORD_MAX_NAME, &u->name)) != ERR_OK ||
	    (e = read_text(r, RECORD_MAX_NAME, &u->login)) != ERR_OK ||
	    (e = read_text(r, RECORD_MAX_TEXT, &u->realname)) != ERR_OK ||
	    (e = read_state(r, &u->state)) != ERR_OK ||
	    (e = read_keys(r, u)) != ERR_OK ||
	    (e = read_strv(r, &u->principals, &u->nprincipals)) != ERR_OK ||
	    (e = read_i64(r, &u->expiry)) != ERR_OK ||
	    (e = read_i64(r, &u->created)) != ERR_OK ||
	    (e = read_i64(r, &u->updated)) != ERR_OK)
		return e;
	if (wread_u64(r, &serial) != 0)
		return ERR_INTERNAL;
	u->last_serial = serial;
	if ((e = read_i64(r, &u->last_valid_before)) != ERR_OK)
		return e;
	return wread_end(r) == 0 ? ERR_OK : ERR_INTERNAL;
}

static enum err
issued_read(struct wreader *r, struct issued *c)
{
	enum err e;

	if ((e = read_version(r, RECORD_ISSUED_VERSION,
	    "certificate")) != ERR_OK)
		return e;
	if (wread_u64(r, &c->serial) != 0)
		return ERR_INTERNAL;
	if ((e = read_text(r, RECORD_MAX_NAME, &c->name)) != ERR_OK ||
	    (e = read_text(r, RECORD_MAX_TEXT, &c->key_id)) != ERR_OK ||
	    (e = read_fp(r, c->fp)) != ERR_OK ||
	    (e = read_strv(r, &c->principals, &c->nprincipals)) != ERR_OK ||
	    (e = read_i64(r, &c->valid_after)) != ERR_OK ||
	    (e = read_i64(r, &c->valid_before)) != ERR_OK ||
	    (e = read_i64(r, &c->issued_at)) != ERR_OK)
		return e;
	return wread_end(r) == 0 ? ERR_OK : ERR_INTERNAL;
}

enum err
user_decode(const uint8_t *p, size_t n, struct user **out)
{
	struct wreader r;
	struct user *u;
	const char *why = "layout";
	enum err e = ERR_NOMEM;

	if ((u = calloc(1, sizeof(*u))) == NULL)
		goto out;
	wread_init(&r, p, n);
	if ((e = user_read(&r, u)) != ERR_OK)
		goto out;
	if ((why = user_check(u)) != NULL) {
		e = ERR_INTERNAL;
		goto out;
	}
	*out = u;
	u = NULL;
 out:
	if (e == ERR_INTERNAL)
		log_warnx("record: refused a stored user record: bad %s", why);
	user_free(u);
	return e;
}

enum err
issued_decode(const uint8_t *p, size_t n, struct issued **out)
{
	struct wreader r;
	struct issued *c;
	const char *why = "layout";
	enum err e = ERR_NOMEM;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto out;
	wread_init(&r, p, n);
	if ((e = issued_read(&r, c)) != ERR_OK)
		goto out;
	if ((why = issued_check(c)) != NULL) {
		e = ERR_INTERNAL;
		goto out;
	}
	*out = c;
	c = NULL;
 out:
	if (e == ERR_INTERNAL)
		log_warnx("record: refused a stored certificate record: "
		    "bad %s", why);
	issued_free(c);
	return e;
}

enum err
failure_decode(const uint8_t *p, size_t n, struct failure *out)
{
	struct wreader r;
	struct failure f;
	const char *why = "layout";
	enum err e;

	memset(&f, 0, sizeof(f));
	wread_init(&r, p, n);
	if ((e = read_version(&r, RECORD_FAILURE_VERSION, "failure")) !=
	    ERR_OK || wread_u32(&r, &f.count) != 0 ||
	    read_i64(&r, &f.window_start) != ERR_OK ||
	    read_i64(&r, &f.locked_until) != ERR_OK || wread_end(&r) != 0)
		e = ERR_INTERNAL;
	else if ((why = failure_check(&f)) != NULL)
		e = ERR_INTERNAL;
	if (e != ERR_OK) {
		log_warnx("record: refused a stored failure record: bad %s",
		    why);
		return e;
	}
	*out = f;
	return ERR_OK;
}
