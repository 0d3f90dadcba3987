/* SPDX-License-Identifier: ISC */
/*
 * registry_check: the consistency check of cassh-admin check, one read
 * transaction over everything (db/SCHEMA.md, "Consistency").
 *
 * registry_check walks each sub-database with one of the functions
 * below. The first problem found ends the walk and is both logged and
 * handed to the caller.
 */
#include <inttypes.h>
#include <lmdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "pubkey.h"
#include "record.h"
#include "registry.h"
#include "registry_impl.h"

struct check {
	struct registry	*reg;
	MDB_txn		*txn;
	uint64_t	 next;		/* the counter not yet handed out */
	size_t		 nusers;
	size_t		 nlogins;
	char		*why;
	size_t		 whylen;
};

typedef enum err (*check_fn)(struct check *, const MDB_val *,
	    const MDB_val *);

static enum err
problem(struct check *ck, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static enum err
problem(struct check *ck, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_warnx("registry %s: check: %s", ck->reg->path, line);
	if (ck->why != NULL && ck->whylen > 0)
		snprintf(ck->why, ck->whylen, "%s", line);
	return ERR_INTERNAL;
}

static int
counter_below_next(const struct check *ck, uint64_t serial)
{
	uint64_t counter = serial & REGISTRY_COUNTER_MAX;

	return counter != 0 && counter < ck->next;
}

/*
 * Each registered key is one that a signing would accept, and its
 * stored fingerprint is the key's own: a key damaged on disk is found
 * here, not at the user's next signing.
 */
static enum err
check_user_keys(struct check *ck, const struct user *u)
{
	struct pubkey *pk;
	size_t i;
	int same;

	for (i = 0; i < u->nkeys; i++) {
		if (pubkey_from_blob(u->keys[i].blob, u->keys[i].blob_len, 0,
		    &pk) != ERR_OK)
			return problem(ck, "key %zu of user %s is not a public "
			    "key cassh signs", i + 1, u->name);
		same = strcmp(pk->fp, u->keys[i].fp) == 0;
		pubkey_free(pk);
		if (!same)
			return problem(ck, "key %zu of user %s does not match "
			    "its stored fingerprint", i + 1, u->name);
	}
	return ERR_OK;
}

static enum err
check_user(struct check *ck, const MDB_val *k, const MDB_val *v)
{
	char name[RECORD_MAX_NAME + 1], key[RECORD_MAX_NAME + 1];
	struct user *u = NULL;
	MDB_val idx;
	enum err e;

	if (!registry_val_name(k, name))
		return problem(ck, "a user key is not a valid name");
	if (user_decode(v->mv_data, v->mv_size, &u) != ERR_OK)
		return problem(ck, "user %s does not decode", name);
	registry_login_fold(u->login, key);
	if (strcmp(u->name, name) != 0)
		e = problem(ck, "user %s is stored as %s", u->name, name);
	else if (registry_get(ck->reg, ck->txn, ck->reg->logins, key,
	    strlen(key), &idx) != ERR_OK)
		e = problem(ck, "login %s of user %s is not indexed", key,
		    name);
	else if (idx.mv_size != strlen(name) ||
	    memcmp(idx.mv_data, name, idx.mv_size) != 0)
		e = problem(ck, "login %s does not lead to user %s", key,
		    name);
	else if (u->last_serial != 0 && !counter_below_next(ck,
	    u->last_serial))
		e = problem(ck, "user %s has serial %" PRIu64 " beyond the "
		    "counter %" PRIu64, name, u->last_serial, ck->next);
	else
		e = check_user_keys(ck, u);
	ck->nusers++;
	user_free(u);
	return e;
}

/* Each login leads to a user who has that login. */
static enum err
check_login(struct check *ck, const MDB_val *k, const MDB_val *v)
{
	char login[RECORD_MAX_NAME + 1], name[RECORD_MAX_NAME + 1];
	char key[RECORD_MAX_NAME + 1];
	struct user *u = NULL;
	enum err e;

	if (!registry_val_name(k, login) || !registry_val_name(v, name))
		return problem(ck, "a login entry is not a valid name");
	if (registry_user_load(ck->reg, ck->txn, name, &u) != ERR_OK)
		return problem(ck, "login %s leads to %s, who is not there",
		    login, name);
	registry_login_fold(u->login, key);
	e = ERR_OK;
	if (strcmp(key, login) != 0)
		e = problem(ck, "login %s leads to %s, whose login is %s",
		    login, name, u->login);
	ck->nlogins++;
	user_free(u);
	return e;
}

static enum err
check_cert(struct check *ck, const MDB_val *k, const MDB_val *v)
{
	struct issued *c = NULL;
	uint64_t serial;
	enum err e = ERR_OK;

	if (k->mv_size != 8)
		return problem(ck, "a certificate key is %zu bytes, not 8",
		    k->mv_size);
	serial = registry_be64_get(k->mv_data);
	if (issued_decode(v->mv_data, v->mv_size, &c) != ERR_OK)
		return problem(ck, "certificate %" PRIu64 " does not decode",
		    serial);
	if (c->serial != serial)
		e = problem(ck, "certificate %" PRIu64 " is stored under %"
		    PRIu64, c->serial, serial);
	else if (!counter_below_next(ck, serial))
		e = problem(ck, "certificate %" PRIu64 " is beyond the "
		    "counter %" PRIu64, serial, ck->next);
	issued_free(c);
	return e;
}

/* Each counter is stored under a folded, registered login. */
static enum err
check_failure(struct check *ck, const MDB_val *k, const MDB_val *v)
{
	char login[RECORD_MAX_NAME + 1], key[RECORD_MAX_NAME + 1];
	struct failure f;
	MDB_val idx;

	if (!registry_val_name(k, login))
		return problem(ck, "a failure key is not a valid login");
	registry_login_fold(login, key);
	if (strcmp(key, login) != 0)
		return problem(ck, "failure record %s is not under the "
		    "lower-case login", login);
	if (failure_decode(v->mv_data, v->mv_size, &f) != ERR_OK)
		return problem(ck, "failure record %s does not decode",
		    login);
	if (registry_get(ck->reg, ck->txn, ck->reg->logins, key,
	    strlen(key), &idx) != ERR_OK)
		return problem(ck, "failure record %s is for no registered "
		    "login", login);
	return ERR_OK;
}

static enum err
check_walk(struct check *ck, MDB_dbi dbi, check_fn fn)
{
	MDB_cursor *cur;
	MDB_val k, v;
	enum err e = ERR_OK;
	int rc;

	if ((rc = mdb_cursor_open(ck->txn, dbi, &cur)) != 0)
		return registry_err(ck->reg, rc, "open cursor");
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if ((e = fn(ck, &k, &v)) != ERR_OK)
			break;
	}
	if (e == ERR_OK && rc != MDB_NOTFOUND)
		e = registry_err(ck->reg, rc, "walk");
	mdb_cursor_close(cur);
	return e;
}

static enum err
check_meta(struct check *ck)
{
	struct registry *reg = ck->reg;
	uint64_t version;

	/* A version 1 registry opened to read is checked as version 1. */
	if (registry_meta_get(reg, ck->txn, META_VERSION, 4, &version) !=
	    ERR_OK || version != reg->version)
		return problem(ck, "no schema version %u", reg->version);
	/* An exhausted counter is full, not broken. */
	if (registry_meta_get(reg, ck->txn, META_NEXT_SERIAL, 8, &ck->next) !=
	    ERR_OK || ck->next == 0 || ck->next > REGISTRY_COUNTER_MAX + 1)
		return problem(ck, "no valid serial counter");
	return ERR_OK;
}

enum err
registry_check(struct registry *reg, char *why, size_t whylen)
{
	struct check ck;
	enum err e;

	memset(&ck, 0, sizeof(ck));
	ck.reg = reg;
	ck.why = why;
	ck.whylen = whylen;
	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if ((e = registry_txn_begin(reg, 0, &ck.txn)) != ERR_OK) {
		if (why != NULL && whylen > 0)
			snprintf(why, whylen, "cannot read: %s", err_name(e));
		return e;
	}
	if ((e = check_meta(&ck)) != ERR_OK ||
	    (e = check_walk(&ck, reg->users, check_user)) != ERR_OK ||
	    (e = check_walk(&ck, reg->logins, check_login)) != ERR_OK ||
	    (e = check_walk(&ck, reg->certs, check_cert)) != ERR_OK)
		goto out;
	if (reg->version >= 2 &&
	    (e = check_walk(&ck, reg->failures, check_failure)) != ERR_OK)
		goto out;
	/* Every user has its login, so equal counts mean no stray one. */
	if (ck.nlogins != ck.nusers)
		e = problem(&ck, "%zu logins for %zu users", ck.nlogins,
		    ck.nusers);
 out:
	registry_txn_abort(&ck.txn);
	return e;
}
