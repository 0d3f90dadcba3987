/* SPDX-License-Identifier: ISC */
/*
 * registry_impl: what the files of the registry share and no other
 * code may see: the handle's layout, the keys of "meta", and the
 * transaction and key helpers of registry.c (and one of
 * registry_user.c). Only src/registry*.c include it; everything else
 * goes through registry.h.
 *
 * The helpers translate every LMDB error with registry_err, so that
 * LMDB's codes never leave these files. Each takes the caller's
 * transaction and neither commits nor aborts it, except the txn_ ones.
 */
#ifndef CASSH_REGISTRY_IMPL_H
#define CASSH_REGISTRY_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include <lmdb.h>

#include "err.h"
#include "record.h"
#include "registry.h"

/* The counter part of a serial: the bits below the node id. */
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
 * registry_err: the code for LMDB or system error rc, met while doing
 * what; the detail is logged with the folder.
 */
enum err registry_err(const struct registry *reg, int rc,
	    const char *what);

/* registry_be64_put / _get: big-endian, as serials are stored. */
void	 registry_be64_put(uint8_t b[8], uint64_t v);
uint64_t registry_be64_get(const uint8_t b[8]);

/*
 * registry_login_fold: login folded to ASCII lower case into key, the
 * key of "logins" and "failures"; login is cut at RECORD_MAX_NAME.
 */
void	registry_login_fold(const char *login,
	    char key[RECORD_MAX_NAME + 1]);

/*
 * registry_val_name: a stored key or value copied into name as a
 * string; 1 if it is a valid name (record.h), else 0.
 */
int	registry_val_name(const MDB_val *v, char name[RECORD_MAX_NAME + 1]);

/*
 * registry_txn_begin: a read transaction, or a write one if write is
 * nonzero, into *txn. Returns ERR_OK, ERR_INTERNAL for a write to a
 * registry opened read-only, or the code of registry_err.
 *
 * registry_txn_commit: commit *txn, which is NULL afterwards, committed
 * or not. Returns ERR_OK or the code of registry_err.
 *
 * registry_txn_abort: abort *txn unless it is NULL, and set it to NULL;
 * for cleanup labels, after a commit too.
 */
enum err registry_txn_begin(struct registry *reg, int write,
	    MDB_txn **txn);
enum err registry_txn_commit(struct registry *reg, MDB_txn **txn);
void	registry_txn_abort(MDB_txn **txn);

/*
 * registry_get: the value of key k (kn bytes) in dbi; ERR_OK with *v
 * pointing into the map, valid until txn ends, or ERR_NOT_FOUND.
 *
 * registry_put: store v (vn bytes) under k; flags as mdb_put's, and
 * with MDB_NOOVERWRITE a key present already is ERR_EXISTS.
 *
 * registry_del: remove k; a key that is not there is no error.
 *
 * Other failures return the code of registry_err.
 */
enum err registry_get(struct registry *reg, MDB_txn *txn, MDB_dbi dbi,
	    const void *k, size_t kn, MDB_val *v);
enum err registry_put(struct registry *reg, MDB_txn *txn, MDB_dbi dbi,
	    const void *k, size_t kn, const void *v, size_t vn,
	    unsigned flags);
enum err registry_del(struct registry *reg, MDB_txn *txn, MDB_dbi dbi,
	    const void *k, size_t kn);

/*
 * registry_meta_get: the big-endian number of n bytes (4 or 8) stored
 * under key in "meta". Returns ERR_OK, ERR_NOT_FOUND, ERR_INTERNAL
 * (another size; logged) or the errors of registry_get.
 *
 * registry_meta_put_next: store next as the serial counter. Returns
 * the errors of registry_put.
 */
enum err registry_meta_get(struct registry *reg, MDB_txn *txn,
	    const char *key, size_t n, uint64_t *out);
enum err registry_meta_put_next(struct registry *reg, MDB_txn *txn,
	    uint64_t next);

/*
 * registry_user_load (registry_user.c): the user stored under name,
 * checked to be the one it claims (freed with user_free). Returns
 * ERR_OK, ERR_NOT_FOUND, ERR_INTERNAL (a record under another name,
 * logged), or the errors of registry_get and user_decode.
 */
enum err registry_user_load(struct registry *reg, MDB_txn *txn,
	    const char *name, struct user **out);

#endif
