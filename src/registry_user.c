/* SPDX-License-Identifier: ISC */
/*
 * registry_user: the users, their logins, the serial counter and the
 * certificates issued (see registry.h).
 *
 * A user is stored under its name in "users" and found by login
 * through "logins"; both are written in one transaction, so that
 * neither is ever without the other. registry_issue is the signing
 * path's part: the user read afresh, the serial handed out and the
 * certificate recorded, all in one write transaction (see the top of
 * registry.c for why).
 */
#include <inttypes.h>
#include <lmdb.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "record.h"
#include "registry.h"
#include "registry_impl.h"

#define REGISTRY_NODE_MAX	0xffffU

/*
 * The counter part of the next serial: at least 1 (a serial is never
 * 0) and below 2^48 (the bits above belong to the node id).
 */
static enum err
counter_get(struct registry *reg, MDB_txn *txn, uint64_t *next)
{
	enum err e;
	uint64_t v;

	if ((e = registry_meta_get(reg, txn, META_NEXT_SERIAL, 8, &v)) !=
	    ERR_OK) {
		if (e == ERR_NOT_FOUND) {
			log_warnx("registry %s: no serial counter",
			    reg->path);
			e = ERR_INTERNAL;
		}
		return e;
	}
	if (v == 0 || v > REGISTRY_COUNTER_MAX + 1) {
		log_warnx("registry %s: serial counter %" PRIu64
		    " out of range", reg->path, v);
		return ERR_INTERNAL;
	}
	if (v == REGISTRY_COUNTER_MAX + 1) {
		log_warnx("registry %s: every serial of this node has been "
		    "used; give the node a new node_id", reg->path);
		return ERR_REGISTRY_FULL;
	}
	*next = v;
	return ERR_OK;
}

/* The user stored under name, checked to be the one it claims. */
enum err
registry_user_load(struct registry *reg, MDB_txn *txn, const char *name,
    struct user **out)
{
	struct user *u = NULL;
	MDB_val v;
	enum err e;

	if ((e = registry_get(reg, txn, reg->users, name, strlen(name), &v)) !=
	    ERR_OK)
		return e;
	if ((e = user_decode(v.mv_data, v.mv_size, &u)) != ERR_OK)
		return e;
	if (strcmp(u->name, name) != 0) {
		log_warnx("registry %s: user record under %s is named %s",
		    reg->path, name, u->name);
		user_free(u);
		return ERR_INTERNAL;
	}
	*out = u;
	return ERR_OK;
}

enum err
registry_user_get(struct registry *reg, const char *name,
    struct user **out)
{
	MDB_txn *txn = NULL;
	enum err e;

	/* What cannot be stored cannot be found. */
	if (!record_valid_name(name))
		return ERR_NOT_FOUND;
	if ((e = registry_txn_begin(reg, 0, &txn)) != ERR_OK)
		return e;
	e = registry_user_load(reg, txn, name, out);
	registry_txn_abort(&txn);
	return e;
}

static enum err
login_load(struct registry *reg, MDB_txn *txn, const char *login,
    struct user **out)
{
	char key[RECORD_MAX_NAME + 1], name[RECORD_MAX_NAME + 1];
	struct user *u = NULL;
	MDB_val v;
	enum err e;

	registry_login_fold(login, key);
	if ((e = registry_get(reg, txn, reg->logins, key, strlen(key), &v)) !=
	    ERR_OK)
		return e;
	if (!registry_val_name(&v, name)) {
		log_warnx("registry %s: login %s maps to no valid name",
		    reg->path, key);
		return ERR_INTERNAL;
	}
	if ((e = registry_user_load(reg, txn, name, &u)) != ERR_OK) {
		if (e == ERR_NOT_FOUND) {
			log_warnx("registry %s: login %s maps to %s, who "
			    "is not there", reg->path, key, name);
			e = ERR_INTERNAL;
		}
		return e;
	}
	*out = u;
	return ERR_OK;
}

enum err
registry_user_by_login(struct registry *reg, const char *login,
    struct user **out)
{
	MDB_txn *txn = NULL;
	enum err e;

	if (!record_valid_name(login))
		return ERR_NOT_FOUND;
	if ((e = registry_txn_begin(reg, 0, &txn)) != ERR_OK)
		return e;
	e = login_load(reg, txn, login, out);
	registry_txn_abort(&txn);
	return e;
}

/* Store u in txn; the caller commits. */
static enum err
user_put(struct registry *reg, MDB_txn *txn, const struct user *u)
{
	char key[RECORD_MAX_NAME + 1];
	uint8_t *val = NULL;
	size_t len;
	enum err e;

	/* Encoding validates the name and login used as keys below. */
	if ((e = user_encode(u, &val, &len)) != ERR_OK)
		return e;
	registry_login_fold(u->login, key);
	if ((e = registry_put(reg, txn, reg->users, u->name, strlen(u->name),
	    val, len, MDB_NOOVERWRITE)) == ERR_OK)
		e = registry_put(reg, txn, reg->logins, key, strlen(key),
		    u->name, strlen(u->name), MDB_NOOVERWRITE);
	free(val);
	return e;
}

enum err
registry_user_add(struct registry *reg, const struct user *u)
{
	return registry_user_add_many(reg, &u, 1);
}

enum err
registry_user_add_many(struct registry *reg, const struct user *const *u,
    size_t n)
{
	MDB_txn *txn = NULL;
	enum err e;
	size_t i;

	if ((e = registry_txn_begin(reg, 1, &txn)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++)
		if ((e = user_put(reg, txn, u[i])) != ERR_OK)
			goto out;
	e = registry_txn_commit(reg, &txn);
 out:
	registry_txn_abort(&txn);
	return e;
}

enum err
registry_user_list(struct registry *reg,
    int (*fn)(void *ctx, const struct user *u), void *ctx)
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	struct user *u;
	enum err e;
	int rc, stop = 0;

	if ((e = registry_txn_begin(reg, 0, &txn)) != ERR_OK)
		return e;
	if ((rc = mdb_cursor_open(txn, reg->users, &cur)) != 0) {
		e = registry_err(reg, rc, "open cursor");
		goto out;
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && !stop;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if ((e = user_decode(v.mv_data, v.mv_size, &u)) != ERR_OK)
			goto out;
		stop = fn(ctx, u);
		user_free(u);
	}
	e = ERR_OK;
	if (rc != 0 && rc != MDB_NOTFOUND)
		e = registry_err(reg, rc, "list users");
 out:
	if (cur != NULL)
		mdb_cursor_close(cur);
	registry_txn_abort(&txn);
	return e;
}

/*
 * Store what the callback produced: the certificate under its serial,
 * the serial and its end on the user, the counter one further. All in
 * the caller's transaction, which commits all of it or none.
 */
static enum err
issue_store(struct registry *reg, MDB_txn *txn, struct user *u,
    uint64_t counter, const struct issued *rec)
{
	uint8_t key[8], *val = NULL;
	size_t len;
	enum err e;

	if ((e = issued_encode(rec, &val, &len)) != ERR_OK)
		goto out;
	registry_be64_put(key, rec->serial);
	e = registry_put(reg, txn, reg->certs, key, sizeof(key), val, len,
	    MDB_NOOVERWRITE);
	if (e == ERR_EXISTS) {
		log_warnx("registry %s: serial %" PRIu64 " is recorded "
		    "already; the counter is behind", reg->path, rec->serial);
		e = ERR_INTERNAL;
	}
	if (e != ERR_OK)
		goto out;
	free(val);
	val = NULL;

	u->last_serial = rec->serial;
	u->last_valid_before = rec->valid_before;
	if ((e = user_encode(u, &val, &len)) != ERR_OK ||
	    (e = registry_put(reg, txn, reg->users, u->name, strlen(u->name),
	    val, len, 0)) != ERR_OK)
		goto out;
	e = registry_meta_put_next(reg, txn, counter + 1);
 out:
	free(val);
	return e;
}

/* The callback may fill rec but not re-target it. */
static enum err
issue_verify(struct registry *reg, const struct user *u, uint64_t serial,
    const struct issued *rec)
{
	if (rec->serial != serial || rec->name == NULL ||
	    strcmp(rec->name, u->name) != 0) {
		log_warnx("registry %s: the record to issue for %s does not "
		    "carry its serial %" PRIu64 " and name", reg->path,
		    u->name, serial);
		return ERR_INTERNAL;
	}
	return ERR_OK;
}

enum err
registry_issue(struct registry *reg, const char *name, unsigned node_id,
    registry_issue_fn fn, void *ctx)
{
	MDB_txn *txn = NULL;
	struct user *u = NULL;
	struct issued *rec = NULL;
	uint64_t counter, serial;
	enum err e = ERR_INTERNAL;

	if (node_id > REGISTRY_NODE_MAX) {
		log_warnx("registry %s: node_id %u is above %u; fix "
		    "[registry] node_id", reg->path, node_id,
		    REGISTRY_NODE_MAX);
		goto out;
	}
	if (!record_valid_name(name)) {
		e = ERR_NOT_REGISTERED;
		goto out;
	}
	if ((e = registry_txn_begin(reg, 1, &txn)) != ERR_OK)
		goto out;
	if ((e = registry_user_load(reg, txn, name, &u)) != ERR_OK) {
		if (e == ERR_NOT_FOUND)
			e = ERR_NOT_REGISTERED;
		goto out;
	}
	if ((e = counter_get(reg, txn, &counter)) != ERR_OK)
		goto out;
	serial = (uint64_t)node_id << REGISTRY_SERIAL_NODE_SHIFT | counter;
	if ((rec = calloc(1, sizeof(*rec))) == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	rec->serial = serial;

	if ((e = fn(ctx, u, serial, rec)) != ERR_OK ||
	    (e = issue_verify(reg, u, serial, rec)) != ERR_OK ||
	    (e = issue_store(reg, txn, u, counter, rec)) != ERR_OK)
		goto out;
	e = registry_txn_commit(reg, &txn);
 out:
	registry_txn_abort(&txn);
	issued_free(rec);
	user_free(u);
	return e;
}

enum err
registry_issued_get(struct registry *reg, uint64_t serial,
    struct issued **out)
{
	MDB_txn *txn = NULL;
	struct issued *c = NULL;
	uint8_t key[8];
	MDB_val v;
	enum err e;

	if (serial == 0)
		return ERR_NOT_FOUND;
	registry_be64_put(key, serial);
	if ((e = registry_txn_begin(reg, 0, &txn)) != ERR_OK)
		goto out;
	if ((e = registry_get(reg, txn, reg->certs, key, sizeof(key), &v)) !=
	    ERR_OK ||
	    (e = issued_decode(v.mv_data, v.mv_size, &c)) != ERR_OK)
		goto out;
	if (c->serial != serial) {
		log_warnx("registry %s: record under serial %" PRIu64
		    " carries serial %" PRIu64, reg->path, serial, c->serial);
		e = ERR_INTERNAL;
		goto out;
	}
	*out = c;
	c = NULL;
 out:
	registry_txn_abort(&txn);
	issued_free(c);
	return e;
}
