/* SPDX-License-Identifier: ISC */
/*
 * registry: the LMDB database that outlives each connection, shared
 * by every signer process and by cassh-admin on one host.
 *
 * The folder holds LMDB's data.mdb and lock.mdb (not MDB_NOSUBDIR),
 * so that the whole registry is one folder to back up, own and
 * permission. Each call of registry.h is one transaction: LMDB's
 * single writer lock orders concurrent writers, and a process killed
 * at any moment leaves either the state before its transaction or the
 * state after. The signing path reads the user and hands out the
 * serial inside the same write transaction that records the
 * certificate, so that a revocation can never slip in between the
 * check and the signature, and a serial is never handed out without
 * being recorded.
 *
 * Failed logins are counted here too ("failures", schema version 2),
 * since the signer processes share nothing else; guard.c decides what
 * the counts mean.
 *
 * LMDB's own error text is logged here with the folder it concerns;
 * callers only ever see enum err.
 *
 * This file holds the environment: opening, closing, the schema and
 * its migrations, and the transaction and key helpers that the other
 * files of the registry share through registry_impl.h. The users,
 * serials and issued certificates are in registry_user.c, the
 * failed-login counts in registry_failure.c and the consistency check
 * in registry_check.c.
 */
#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "record.h"
#include "registry.h"
#include "registry_impl.h"

#define REGISTRY_MAX_DBS	5
#define REGISTRY_FILE_MODE	0600

/*
 * More reader slots than the socket unit allows connections (256),
 * so that a burst of clients never runs the table out: 64 bytes each
 * in the lock file.
 */
#define REGISTRY_MAX_READERS	1024

/*
 * Translate an LMDB or system error at the boundary: the detail goes
 * to the log with the folder and the step, the caller gets a code.
 */
enum err
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
void
registry_be64_put(uint8_t b[8], uint64_t v)
{
	be32_put(b, (uint32_t)(v >> 32));
	be32_put(b + 4, (uint32_t)v);
}

uint64_t
registry_be64_get(const uint8_t b[8])
{
	return (uint64_t)be32_get(b) << 32 | be32_get(b + 4);
}

/*
 * Logins are matched without regard to ASCII case, as LDAP matches
 * uid, so that "Alice" and "alice" are one person everywhere; the
 * index key is the login folded to lower case.
 */
void
registry_login_fold(const char *login, char key[RECORD_MAX_NAME + 1])
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
int
registry_val_name(const MDB_val *v, char name[RECORD_MAX_NAME + 1])
{
	if (v->mv_size == 0 || v->mv_size > RECORD_MAX_NAME)
		return 0;
	memcpy(name, v->mv_data, v->mv_size);
	name[v->mv_size] = '\0';
	return record_valid_name(name);
}

enum err
registry_txn_begin(struct registry *reg, int write, MDB_txn **txn)
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
enum err
registry_txn_commit(struct registry *reg, MDB_txn **txn)
{
	int rc;

	rc = mdb_txn_commit(*txn);
	*txn = NULL;
	if (rc != 0)
		return registry_err(reg, rc, "commit");
	return ERR_OK;
}

void
registry_txn_abort(MDB_txn **txn)
{
	if (*txn != NULL)
		mdb_txn_abort(*txn);
	*txn = NULL;
}

/* registry_get: ERR_OK with *v pointing into the map, or ERR_NOT_FOUND. */
enum err
registry_get(struct registry *reg, MDB_txn *txn, MDB_dbi dbi, const void *k,
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

/* registry_put: with MDB_NOOVERWRITE, a key present already is ERR_EXISTS. */
enum err
registry_put(struct registry *reg, MDB_txn *txn, MDB_dbi dbi, const void *k,
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

/* registry_del: a key that is not there is no error. */
enum err
registry_del(struct registry *reg, MDB_txn *txn, MDB_dbi dbi, const void *k,
    size_t kn)
{
	MDB_val key = mval(k, kn);
	int rc;

	if ((rc = mdb_del(txn, dbi, &key, NULL)) != 0 && rc != MDB_NOTFOUND)
		return registry_err(reg, rc, "delete");
	return ERR_OK;
}

enum err
registry_meta_get(struct registry *reg, MDB_txn *txn, const char *key, size_t n,
    uint64_t *out)
{
	MDB_val v;
	enum err e;

	if ((e = registry_get(reg, txn, reg->meta, key, strlen(key), &v)) !=
	    ERR_OK)
		return e;
	if (v.mv_size != n) {
		log_warnx("registry %s: meta %s has %zu bytes, not %zu",
		    reg->path, key, v.mv_size, n);
		return ERR_INTERNAL;
	}
	*out = n == 4 ? be32_get(v.mv_data) : registry_be64_get(v.mv_data);
	return ERR_OK;
}

static enum err
meta_put_version(struct registry *reg, MDB_txn *txn, uint32_t version)
{
	uint8_t b[4];

	be32_put(b, version);
	return registry_put(reg, txn, reg->meta, META_VERSION,
	    strlen(META_VERSION), b, sizeof(b), 0);
}

enum err
registry_meta_put_next(struct registry *reg, MDB_txn *txn, uint64_t next)
{
	uint8_t b[8];

	registry_be64_put(b, next);
	return registry_put(reg, txn, reg->meta, META_NEXT_SERIAL,
	    strlen(META_NEXT_SERIAL), b, sizeof(b), 0);
}

/* A new registry: version and counter, in the creating transaction. */
static enum err
schema_init(struct registry *reg, MDB_txn *txn)
{
	enum err e;

	if ((e = meta_put_version(reg, txn, REGISTRY_SCHEMA_VERSION)) !=
	    ERR_OK)
		return e;
	return registry_meta_put_next(reg, txn, 1);
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

	e = registry_meta_get(reg, txn, META_VERSION, 4, &v);
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

	if ((e = registry_txn_begin(reg, write, &txn)) != ERR_OK)
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
	if ((e = registry_txn_commit(reg, &txn)) != ERR_OK)
		goto out;
	reg->version = v;
	if (v != found)
		log_info("registry %s: schema version %u migrated to %u",
		    reg->path, found, v);
 out:
	registry_txn_abort(&txn);
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
	/*
	 * LMDB would make an empty file a new registry on the spot; only
	 * init may (a registry emptied by accident would hand out serial
	 * 1 again). Two pages, the meta pages, are the least it holds.
	 */
	if (!S_ISREG(st.st_mode) || st.st_size < 8192) {
		log_warnx("registry %s: data.mdb is %s, not a registry; "
		    "restore it from a backup", reg->path,
		    S_ISREG(st.st_mode) ? "empty or cut short" :
		    "not a file");
		return ERR_INTERNAL;
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
