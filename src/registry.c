/* SPDX-License-Identifier: ISC */
/*
 * registry: the LMDB database that outlives each connection, shared
 * by every signer process and by cassh-admin on one host.
 *
 * The folder holds LMDB's data.mdb and lock.mdb (not MDB_NOSUBDIR),
 * so that the whole registry is one folder to back up, own and
 * permission. Each call below is one transaction: LMDB's single writer
 * lock orders concurrent writers, and a process killed at any moment
 * leaves either the state before its transaction or the state after.
 * The signing path reads the user and hands out the serial inside the
 * same write transaction that records the certificate, so that a
 * revocation can never slip in between the check and the signature,
 * and a serial is never handed out without being recorded.
 *
 * Failed logins are counted here too ("failures", schema version 2),
 * since the signer processes share nothing else; guard.c decides what
 * the counts mean.
 *
 * LMDB's own error text is logged here with the folder it concerns;
 * callers only ever see enum err.
 */
#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <lmdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "record.h"
#include "registry.h"

#define REGISTRY_MAX_DBS	5
#define REGISTRY_FILE_MODE	0600
#define REGISTRY_NODE_MAX	0xffffU
#define REGISTRY_COUNTER_MAX	\
	(((uint64_t)1 << REGISTRY_SERIAL_NODE_SHIFT) - 1)

/* Keys of the "meta" sub-database; db/SCHEMA.md has their values. */
#define META_VERSION		"schema_version"
#define META_NEXT_SERIAL	"next_serial"

struct registry {
	MDB_env		*env;
	MDB_dbi		 meta;
	MDB_dbi		 users;
	MDB_dbi		 logins;
	MDB_dbi		 certs;
	MDB_dbi		 failures;	/* schema version 2 on */
	uint32_t	 version;	/* schema version, after migration */
	int		 rdonly;
	char		*path;		/* for log lines */
};

/*
 * Translate an LMDB or system error at the boundary: the detail goes
 * to the log with the folder and the step, the caller gets a code.
 */
/*
 * More reader slots than the socket unit allows connections (256),
 * so that a burst of clients never runs the table out: 64 bytes each
 * in the lock file.
 */
#define REGISTRY_MAX_READERS	1024

static enum err
registry_err(const struct registry *reg, int rc, const char *what)
{
	switch (rc) {
	case MDB_MAP_FULL:
		log_warnx("registry %s: %s: the map is full; raise "
		    "[registry] map_size", reg->path, what);
		return ERR_REGISTRY_FULL;
	case ENOSPC:
		log_warnx("registry %s: %s: the file system is full",
		    reg->path, what);
		return ERR_REGISTRY_FULL;
	case MDB_READERS_FULL:
	case EAGAIN:
	case EBUSY:
		log_warnx("registry %s: %s: busy (%s)", reg->path, what,
		    mdb_strerror(rc));
		return ERR_REGISTRY_BUSY;
	case EACCES:
	case EPERM:
	case EROFS:
		log_warnx("registry %s: %s: %s; the folder and its files "
		    "must be writable by this user, on a file system "
		    "mounted read-write", reg->path, what, mdb_strerror(rc));
		return ERR_REGISTRY_MISSING;
	case ENOMEM:
		return ERR_NOMEM;
	default:
		log_warnx("registry %s: %s: %s", reg->path, what,
		    mdb_strerror(rc));
		return ERR_INTERNAL;
	}
}

/* LMDB never writes through the mv_data of a key or value passed in. */
static MDB_val
mval(const void *p, size_t n)
{
	MDB_val v;

	v.mv_size = n;
	v.mv_data = (void *)(uintptr_t)p;
	return v;
}

static void
be32_put(uint8_t b[4], uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static uint32_t
be32_get(const uint8_t b[4])
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

/* Big-endian, so that LMDB's byte order is the serials' order. */
static void
be64_put(uint8_t b[8], uint64_t v)
{
	be32_put(b, (uint32_t)(v >> 32));
	be32_put(b + 4, (uint32_t)v);
}

static uint64_t
be64_get(const uint8_t b[8])
{
	return (uint64_t)be32_get(b) << 32 | be32_get(b + 4);
}

/*
 * Logins are matched without regard to ASCII case, as LDAP matches
 * uid, so that "Alice" and "alice" are one person everywhere; the
 * index key is the login folded to lower case.
 */
static void
login_fold(const char *login, char key[RECORD_MAX_NAME + 1])
{
	size_t i;

	for (i = 0; i < RECORD_MAX_NAME && login[i] != '\0'; i++) {
		key[i] = login[i];
		if (key[i] >= 'A' && key[i] <= 'Z')
			key[i] = (char)(key[i] - 'A' + 'a');
	}
	key[i] = '\0';
}

/* A stored key or value as a name, if it is one. */
static int
val_name(const MDB_val *v, char name[RECORD_MAX_NAME + 1])
{
	if (v->mv_size == 0 || v->mv_size > RECORD_MAX_NAME)
		return 0;
	memcpy(name, v->mv_data, v->mv_size);
	name[v->mv_size] = '\0';
	return record_valid_name(name);
}

static enum err
txn_begin(struct registry *reg, int write, MDB_txn **txn)
{
	int rc;

	if (write && reg->rdonly) {
		log_warnx("registry %s: opened read-only, cannot write",
		    reg->path);
		return ERR_INTERNAL;
	}
	rc = mdb_txn_begin(reg->env, NULL, write ? 0 : MDB_RDONLY, txn);
	if (rc == MDB_MAP_RESIZED) {
		/* Another process grew the map: adopt its size, retry. */
		if ((rc = mdb_env_set_mapsize(reg->env, 0)) == 0)
			rc = mdb_txn_begin(reg->env, NULL,
			    write ? 0 : MDB_RDONLY, txn);
	}
	if (rc != 0)
		return registry_err(reg, rc, "begin transaction");
	return ERR_OK;
}

/* The transaction is gone after this, committed or not. */
static enum err
txn_commit(struct registry *reg, MDB_txn **txn)
{
	int rc;

	rc = mdb_txn_commit(*txn);
	*txn = NULL;
	if (rc != 0)
		return registry_err(reg, rc, "commit");
	return ERR_OK;
}

static void
txn_abort(MDB_txn **txn)
{
	if (*txn != NULL)
		mdb_txn_abort(*txn);
	*txn = NULL;
}

/* get: ERR_OK with *v pointing into the map, or ERR_NOT_FOUND. */
static enum err
get(struct registry *reg, MDB_txn *txn, MDB_dbi dbi, const void *k,
    size_t kn, MDB_val *v)
{
	MDB_val key = mval(k, kn);
	int rc;

	if ((rc = mdb_get(txn, dbi, &key, v)) == MDB_NOTFOUND)
		return ERR_NOT_FOUND;
	if (rc != 0)
		return registry_err(reg, rc, "read");
	return ERR_OK;
}

/* put: with MDB_NOOVERWRITE, a key present already is ERR_EXISTS. */
static enum err
put(struct registry *reg, MDB_txn *txn, MDB_dbi dbi, const void *k,
    size_t kn, const void *v, size_t vn, unsigned flags)
{
	MDB_val key = mval(k, kn), val = mval(v, vn);
	int rc;

	if ((rc = mdb_put(txn, dbi, &key, &val, flags)) == MDB_KEYEXIST)
		return ERR_EXISTS;
	if (rc != 0)
		return registry_err(reg, rc, "write");
	return ERR_OK;
}

/* del: a key that is not there is no error. */
static enum err
del(struct registry *reg, MDB_txn *txn, MDB_dbi dbi, const void *k,
    size_t kn)
{
	MDB_val key = mval(k, kn);
	int rc;

	if ((rc = mdb_del(txn, dbi, &key, NULL)) != 0 && rc != MDB_NOTFOUND)
		return registry_err(reg, rc, "delete");
	return ERR_OK;
}

static enum err
meta_get(struct registry *reg, MDB_txn *txn, const char *key, size_t n,
    uint64_t *out)
{
	MDB_val v;
	enum err e;

	if ((e = get(reg, txn, reg->meta, key, strlen(key), &v)) != ERR_OK)
		return e;
	if (v.mv_size != n) {
		log_warnx("registry %s: meta %s has %zu bytes, not %zu",
		    reg->path, key, v.mv_size, n);
		return ERR_INTERNAL;
	}
	*out = n == 4 ? be32_get(v.mv_data) : be64_get(v.mv_data);
	return ERR_OK;
}

static enum err
meta_put_version(struct registry *reg, MDB_txn *txn, uint32_t version)
{
	uint8_t b[4];

	be32_put(b, version);
	return put(reg, txn, reg->meta, META_VERSION, strlen(META_VERSION),
	    b, sizeof(b), 0);
}

static enum err
meta_put_next(struct registry *reg, MDB_txn *txn, uint64_t next)
{
	uint8_t b[8];

	be64_put(b, next);
	return put(reg, txn, reg->meta, META_NEXT_SERIAL,
	    strlen(META_NEXT_SERIAL), b, sizeof(b), 0);
}

/*
 * The counter part of the next serial: at least 1 (a serial is never
 * 0) and below 2^48 (the bits above belong to the node id).
 */
static enum err
counter_get(struct registry *reg, MDB_txn *txn, uint64_t *next)
{
	enum err e;
	uint64_t v;

	if ((e = meta_get(reg, txn, META_NEXT_SERIAL, 8, &v)) != ERR_OK) {
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

/* A new registry: version and counter, in the creating transaction. */
static enum err
schema_init(struct registry *reg, MDB_txn *txn)
{
	enum err e;

	if ((e = meta_put_version(reg, txn, REGISTRY_SCHEMA_VERSION)) !=
	    ERR_OK)
		return e;
	return meta_put_next(reg, txn, 1);
}

static enum err
dbi_open(struct registry *reg, MDB_txn *txn, const char *name,
    unsigned flags, MDB_dbi *dbi)
{
	int rc;

	if ((rc = mdb_dbi_open(txn, name, flags, dbi)) == MDB_NOTFOUND) {
		log_warnx("registry %s: no \"%s\" database; run "
		    "cassh-admin init", reg->path, name);
		return ERR_REGISTRY_MISSING;
	}
	if (rc != 0)
		return registry_err(reg, rc, "open database");
	return ERR_OK;
}

/*
 * The schema version stored, written first into a new registry. A
 * newer one is refused rather than misread.
 */
static enum err
schema_version(struct registry *reg, MDB_txn *txn, int create,
    uint32_t *out)
{
	uint64_t v;
	enum err e;

	e = meta_get(reg, txn, META_VERSION, 4, &v);
	if (e == ERR_NOT_FOUND && create) {
		v = REGISTRY_SCHEMA_VERSION;
		e = schema_init(reg, txn);
	} else if (e == ERR_NOT_FOUND) {
		log_warnx("registry %s: no schema version", reg->path);
		e = ERR_INTERNAL;
	}
	if (e != ERR_OK)
		return e;
	if (v == 0 || v > REGISTRY_SCHEMA_VERSION) {
		log_warnx("registry %s: schema version %" PRIu64 " is not "
		    "one this binary knows (it has %d); run a newer cassh",
		    reg->path, v, REGISTRY_SCHEMA_VERSION);
		return ERR_INTERNAL;
	}
	*out = (uint32_t)v;
	return ERR_OK;
}

/*
 * Version 2 adds the "failures" sub-database and leaves every value
 * as it was, so creating it is the whole migration. The version is
 * raised last, in the same transaction: a migration cut short leaves
 * version 1 behind, untouched.
 */
static enum err
schema_migrate_1_to_2(struct registry *reg, MDB_txn *txn)
{
	enum err e;

	if ((e = dbi_open(reg, txn, "failures", MDB_CREATE,
	    &reg->failures)) != ERR_OK)
		return e;
	return meta_put_version(reg, txn, 2);
}

/* One step at a time, so that any older registry reaches the newest. */
static enum err
schema_migrate(struct registry *reg, MDB_txn *txn, uint32_t *v)
{
	enum err e;

	if (*v == 1) {
		if ((e = schema_migrate_1_to_2(reg, txn)) != ERR_OK)
			return e;
		*v = 2;
	}
	return ERR_OK;
}

/*
 * One pass over the schema in one transaction: open the
 * sub-databases, read the version and, in a write transaction,
 * migrate an older one. A reader uses version 1 as it is, since
 * version 2 changed no value: it only lacks the counters. The handles
 * are kept by the environment only once the transaction commits,
 * which is why even a reader commits it.
 */
static enum err
schema_pass(struct registry *reg, int write, int create)
{
	MDB_txn *txn = NULL;
	unsigned flags = create ? MDB_CREATE : 0;
	uint32_t found = 0, v;
	enum err e;

	if ((e = txn_begin(reg, write, &txn)) != ERR_OK)
		goto out;
	if ((e = dbi_open(reg, txn, "meta", flags, &reg->meta)) != ERR_OK ||
	    (e = dbi_open(reg, txn, "users", flags, &reg->users)) != ERR_OK ||
	    (e = dbi_open(reg, txn, "logins", flags, &reg->logins)) !=
	    ERR_OK ||
	    (e = dbi_open(reg, txn, "certs", flags, &reg->certs)) != ERR_OK ||
	    (e = schema_version(reg, txn, create, &found)) != ERR_OK)
		goto out;
	v = found;
	if (write && (e = schema_migrate(reg, txn, &v)) != ERR_OK)
		goto out;
	if (v >= 2 && (e = dbi_open(reg, txn, "failures", flags,
	    &reg->failures)) != ERR_OK)
		goto out;
	if ((e = txn_commit(reg, &txn)) != ERR_OK)
		goto out;
	reg->version = v;
	if (v != found)
		log_info("registry %s: schema version %u migrated to %u",
		    reg->path, found, v);
 out:
	txn_abort(&txn);
	return e;
}

/*
 * Most opens find the current version in a read transaction and never
 * take the writer lock; an older registry opened to write is opened
 * again in a write transaction, which migrates it. Several processes
 * may race to do so: the writer lock orders them, and each reads the
 * version again inside its own transaction, so only the first one
 * migrates.
 */
static enum err
schema_open(struct registry *reg, enum registry_mode mode)
{
	int create = mode == REGISTRY_CREATE;
	enum err e;

	if ((e = schema_pass(reg, create, create)) != ERR_OK)
		return e;
	if (reg->version < REGISTRY_SCHEMA_VERSION && mode == REGISTRY_WRITE)
		e = schema_pass(reg, 1, 0);
	return e;
}

/*
 * Anything but creation needs the data file there already: LMDB
 * would otherwise make an empty one, and a mistyped path would look
 * like a registry with nobody in it.
 */
static enum err
folder_check(struct registry *reg, enum registry_mode mode)
{
	struct stat st;
	char data[4096];
	int n;

	if (stat(reg->path, &st) == -1) {
		log_warnx("registry %s: %s", reg->path, strerror(errno));
		return ERR_REGISTRY_MISSING;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_warnx("registry %s: not a folder", reg->path);
		return ERR_REGISTRY_MISSING;
	}
	if (mode == REGISTRY_CREATE)
		return ERR_OK;
	n = snprintf(data, sizeof(data), "%s/data.mdb", reg->path);
	if (n < 0 || (size_t)n >= sizeof(data)) {
		log_warnx("registry %s: path too long", reg->path);
		return ERR_REGISTRY_MISSING;
	}
	if (stat(data, &st) == -1) {
		log_warnx("registry %s: no registry (%s); run cassh-admin "
		    "init", reg->path, strerror(errno));
		return ERR_REGISTRY_MISSING;
	}
	return ERR_OK;
}

static enum err
env_open(struct registry *reg, enum registry_mode mode, size_t map_size)
{
	/*
	 * MDB_NOTLS: a process holds a reader slot only while a read
	 * transaction is open, not from its first read until it exits,
	 * so that connections waiting to log in hold no slot at all.
	 */
	unsigned flags = MDB_NOTLS | (mode == REGISTRY_READ ? MDB_RDONLY : 0);
	int rc, dead = 0;

	if ((rc = mdb_env_create(&reg->env)) != 0) {
		reg->env = NULL;
		return registry_err(reg, rc, "create environment");
	}
	if ((rc = mdb_env_set_maxdbs(reg->env, REGISTRY_MAX_DBS)) != 0 ||
	    (rc = mdb_env_set_maxreaders(reg->env,
	    REGISTRY_MAX_READERS)) != 0 ||
	    (rc = mdb_env_set_mapsize(reg->env, map_size != 0 ? map_size :
	    REGISTRY_DEFAULT_MAP_SIZE)) != 0)
		return registry_err(reg, rc, "set up environment");
	rc = mdb_env_open(reg->env, reg->path, flags, REGISTRY_FILE_MODE);
	if (rc == ENOENT) {
		log_warnx("registry %s: no registry; run cassh-admin init",
		    reg->path);
		return ERR_REGISTRY_MISSING;
	}
	if (rc != 0)
		return registry_err(reg, rc, "open");

	/*
	 * A signer killed while reading keeps its reader slot, which
	 * pins old pages and, once enough pile up, fills the table.
	 */
	if ((rc = mdb_reader_check(reg->env, &dead)) != 0)
		return registry_err(reg, rc, "clear stale readers");
	if (dead > 0)
		log_info("registry %s: cleared %d stale reader(s)",
		    reg->path, dead);
	return ERR_OK;
}

enum err
registry_open(const char *path, enum registry_mode mode, size_t map_size,
    struct registry **out)
{
	struct registry *reg;
	enum err e = ERR_NOMEM;

	if ((reg = calloc(1, sizeof(*reg))) == NULL ||
	    (reg->path = strdup(path)) == NULL)
		goto out;
	reg->rdonly = mode == REGISTRY_READ;
	if ((e = folder_check(reg, mode)) != ERR_OK ||
	    (e = env_open(reg, mode, map_size)) != ERR_OK ||
	    (e = schema_open(reg, mode)) != ERR_OK)
		goto out;
	*out = reg;
	reg = NULL;
 out:
	registry_close(reg);
	return e;
}

void
registry_close(struct registry *reg)
{
	if (reg == NULL)
		return;
	if (reg->env != NULL)
		mdb_env_close(reg->env);
	free(reg->path);
	free(reg);
}

/* The user stored under name, checked to be the one it claims. */
static enum err
user_load(struct registry *reg, MDB_txn *txn, const char *name,
    struct user **out)
{
	struct user *u = NULL;
	MDB_val v;
	enum err e;

	if ((e = get(reg, txn, reg->users, name, strlen(name), &v)) !=
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
	if ((e = txn_begin(reg, 0, &txn)) != ERR_OK)
		return e;
	e = user_load(reg, txn, name, out);
	txn_abort(&txn);
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

	login_fold(login, key);
	if ((e = get(reg, txn, reg->logins, key, strlen(key), &v)) != ERR_OK)
		return e;
	if (!val_name(&v, name)) {
		log_warnx("registry %s: login %s maps to no valid name",
		    reg->path, key);
		return ERR_INTERNAL;
	}
	if ((e = user_load(reg, txn, name, &u)) != ERR_OK) {
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
	if ((e = txn_begin(reg, 0, &txn)) != ERR_OK)
		return e;
	e = login_load(reg, txn, login, out);
	txn_abort(&txn);
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
	login_fold(u->login, key);
	if ((e = put(reg, txn, reg->users, u->name, strlen(u->name), val,
	    len, MDB_NOOVERWRITE)) == ERR_OK)
		e = put(reg, txn, reg->logins, key, strlen(key), u->name,
		    strlen(u->name), MDB_NOOVERWRITE);
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

	if ((e = txn_begin(reg, 1, &txn)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++)
		if ((e = user_put(reg, txn, u[i])) != ERR_OK)
			goto out;
	e = txn_commit(reg, &txn);
 out:
	txn_abort(&txn);
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

	if ((e = txn_begin(reg, 0, &txn)) != ERR_OK)
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
	txn_abort(&txn);
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
	be64_put(key, rec->serial);
	e = put(reg, txn, reg->certs, key, sizeof(key), val, len,
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
	    (e = put(reg, txn, reg->users, u->name, strlen(u->name), val,
	    len, 0)) != ERR_OK)
		goto out;
	e = meta_put_next(reg, txn, counter + 1);
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
	if ((e = txn_begin(reg, 1, &txn)) != ERR_OK)
		goto out;
	if ((e = user_load(reg, txn, name, &u)) != ERR_OK) {
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
	e = txn_commit(reg, &txn);
 out:
	txn_abort(&txn);
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
	be64_put(key, serial);
	if ((e = txn_begin(reg, 0, &txn)) != ERR_OK)
		goto out;
	if ((e = get(reg, txn, reg->certs, key, sizeof(key), &v)) !=
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
	txn_abort(&txn);
	issued_free(c);
	return e;
}

/*
 * The failed-login counters, keyed by the folded login. A counter is
 * kept only for a login of the "logins" index: cassh-signer cannot ask
 * the directory whether a login exists without a change to it, and
 * the registry's own logins bound the table by the number of users,
 * so that a stranger who invents logins cannot grow it.
 *
 * A counter only slows guessing down, so a damaged one is logged and
 * read as none (and replaced at the next failure) rather than refused:
 * refusing it would lock its login out until someone edited the
 * registry by hand. registry_check still reports it.
 */
static enum err
failure_load(struct registry *reg, MDB_txn *txn, const char *key,
    struct failure *f)
{
	MDB_val v;
	enum err e;

	if ((e = get(reg, txn, reg->failures, key, strlen(key), &v)) !=
	    ERR_OK)
		return e;
	if (failure_decode(v.mv_data, v.mv_size, f) != ERR_OK) {
		log_warnx("registry %s: the failure record of %s does not "
		    "decode; counting afresh", reg->path, key);
		return ERR_NOT_FOUND;
	}
	return ERR_OK;
}

enum err
registry_failure_get(struct registry *reg, const char *login,
    struct failure *out)
{
	char key[RECORD_MAX_NAME + 1];
	MDB_txn *txn = NULL;
	enum err e;

	/* A version 1 registry opened to read has no counters. */
	if (!record_valid_name(login) || reg->version < 2)
		return ERR_NOT_FOUND;
	login_fold(login, key);
	if ((e = txn_begin(reg, 0, &txn)) != ERR_OK)
		return e;
	e = failure_load(reg, txn, key, out);
	txn_abort(&txn);
	return e;
}

enum err
registry_failure_update(struct registry *reg, const char *login,
    registry_failure_fn fn, void *ctx)
{
	char key[RECORD_MAX_NAME + 1];
	struct failure f;
	MDB_txn *txn = NULL;
	MDB_val v;
	uint8_t *val = NULL;
	size_t len;
	enum err e = ERR_NOT_REGISTERED;

	if (!record_valid_name(login))
		goto out;
	login_fold(login, key);
	if ((e = txn_begin(reg, 1, &txn)) != ERR_OK)
		goto out;
	e = get(reg, txn, reg->logins, key, strlen(key), &v);
	if (e == ERR_NOT_FOUND)
		e = ERR_NOT_REGISTERED;
	if (e != ERR_OK)
		goto out;
	memset(&f, 0, sizeof(f));
	e = failure_load(reg, txn, key, &f);
	if (e != ERR_OK && e != ERR_NOT_FOUND)
		goto out;
	if ((e = fn(ctx, &f)) != ERR_OK ||
	    (e = failure_encode(&f, &val, &len)) != ERR_OK ||
	    (e = put(reg, txn, reg->failures, key, strlen(key), val, len,
	    0)) != ERR_OK)
		goto out;
	e = txn_commit(reg, &txn);
 out:
	txn_abort(&txn);
	free(val);
	return e;
}

/*
 * Every successful login comes here: look first, so that only a login
 * with a counter takes the writer lock and waits for a commit.
 */
enum err
registry_failure_clear(struct registry *reg, const char *login)
{
	char key[RECORD_MAX_NAME + 1];
	MDB_txn *txn = NULL;
	MDB_val v;
	enum err e;

	if (!record_valid_name(login) || reg->version < 2)
		return ERR_OK;
	login_fold(login, key);
	if ((e = txn_begin(reg, 0, &txn)) != ERR_OK)
		return e;
	e = get(reg, txn, reg->failures, key, strlen(key), &v);
	txn_abort(&txn);
	if (e != ERR_OK)
		return e == ERR_NOT_FOUND ? ERR_OK : e;
	if ((e = txn_begin(reg, 1, &txn)) != ERR_OK ||
	    (e = del(reg, txn, reg->failures, key, strlen(key))) != ERR_OK)
		goto out;
	e = txn_commit(reg, &txn);
 out:
	txn_abort(&txn);
	return e;
}

/*
 * registry_check walks each sub-database with one of the functions
 * below. The first problem found ends the walk and is both logged and
 * handed to the caller.
 */
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

static enum err
check_user(struct check *ck, const MDB_val *k, const MDB_val *v)
{
	char name[RECORD_MAX_NAME + 1], key[RECORD_MAX_NAME + 1];
	struct user *u = NULL;
	MDB_val idx;
	enum err e;

	if (!val_name(k, name))
		return problem(ck, "a user key is not a valid name");
	if (user_decode(v->mv_data, v->mv_size, &u) != ERR_OK)
		return problem(ck, "user %s does not decode", name);
	login_fold(u->login, key);
	if (strcmp(u->name, name) != 0)
		e = problem(ck, "user %s is stored as %s", u->name, name);
	else if (get(ck->reg, ck->txn, ck->reg->logins, key, strlen(key),
	    &idx) != ERR_OK)
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
		e = ERR_OK;
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

	if (!val_name(k, login) || !val_name(v, name))
		return problem(ck, "a login entry is not a valid name");
	if (user_load(ck->reg, ck->txn, name, &u) != ERR_OK)
		return problem(ck, "login %s leads to %s, who is not there",
		    login, name);
	login_fold(u->login, key);
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
	serial = be64_get(k->mv_data);
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

	if (!val_name(k, login))
		return problem(ck, "a failure key is not a valid login");
	login_fold(login, key);
	if (strcmp(key, login) != 0)
		return problem(ck, "failure record %s is not under the "
		    "lower-case login", login);
	if (failure_decode(v->mv_data, v->mv_size, &f) != ERR_OK)
		return problem(ck, "failure record %s does not decode",
		    login);
	if (get(ck->reg, ck->txn, ck->reg->logins, key, strlen(key),
	    &idx) != ERR_OK)
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
	if (meta_get(reg, ck->txn, META_VERSION, 4, &version) != ERR_OK ||
	    version != reg->version)
		return problem(ck, "no schema version %u", reg->version);
	/* An exhausted counter is full, not broken. */
	if (meta_get(reg, ck->txn, META_NEXT_SERIAL, 8, &ck->next) !=
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
	if ((e = txn_begin(reg, 0, &ck.txn)) != ERR_OK) {
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
	txn_abort(&ck.txn);
	return e;
}
