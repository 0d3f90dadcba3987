/* SPDX-License-Identifier: ISC */
/*
 * registry: the LMDB database that outlives connections: users, the
 * serial counter, every issued certificate, failed-login counters and
 * the schema version.
 *
 * Many signer processes open it at once; LMDB's single writer lock
 * serialises their writes, and each operation here is one transaction,
 * so that a process killed at any moment leaves the registry as it was
 * before or after that operation, never in between.
 *
 * Sub-databases: "meta" (schema version, next serial), "users" (name ->
 * user record), "logins" (LDAP login -> name), "certs" (serial, 8 bytes
 * big-endian -> issued record), "failures" (folded login -> failure
 * record). db/SCHEMA.md has the layout.
 */
#ifndef CASSH_REGISTRY_H
#define CASSH_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "record.h"

#define REGISTRY_SCHEMA_VERSION	2
#define REGISTRY_DEFAULT_MAP_SIZE	((size_t)1 << 30)	/* 1 GiB */

/* Serials carry the node id in their top 16 bits. */
#define REGISTRY_SERIAL_NODE_SHIFT	48

struct registry;

enum registry_mode {
	REGISTRY_READ,		/* open an existing registry */
	REGISTRY_WRITE,		/* open an existing registry to write */
	REGISTRY_CREATE,	/* create the folder's files if absent */
};

/*
 * registry_open: open the registry in folder path (which must exist).
 * map_size 0 means REGISTRY_DEFAULT_MAP_SIZE. A registry of an older
 * schema is migrated when opened to write or create (the migration is
 * one write transaction, logged); opened to read, a version 1
 * registry is read as it is and simply has no failed-login counters.
 * Returns ERR_OK, ERR_REGISTRY_MISSING (no folder or no registry in
 * it, unless creating; or the files cannot be opened as asked:
 * permissions, a read-only file system; logged), ERR_INTERNAL (a
 * schema newer than this binary, corrupt; logged), ERR_REGISTRY_BUSY
 * or ERR_REGISTRY_FULL (a migration that could not write), or
 * ERR_NOMEM. A write that later meets such a permission or read-only
 * problem also returns ERR_REGISTRY_MISSING, logged.
 */
enum err registry_open(const char *path, enum registry_mode mode,
	    size_t map_size, struct registry **out);

/* registry_close: NULL is allowed. */
void	registry_close(struct registry *reg);

/*
 * registry_user_get / registry_user_by_login: a copy of the record
 * (freed with user_free). Logins match without regard to ASCII case,
 * as LDAP matches uid; names match exactly. Return ERR_OK,
 * ERR_NOT_FOUND, ERR_INTERNAL or ERR_REGISTRY_BUSY.
 */
enum err registry_user_get(struct registry *reg, const char *name,
	    struct user **out);
enum err registry_user_by_login(struct registry *reg, const char *login,
	    struct user **out);

/*
 * registry_user_add: store a new user (name and login both unused;
 * logins compared without regard to ASCII case). Returns ERR_OK,
 * ERR_EXISTS, ERR_REGISTRY_FULL, ERR_REGISTRY_BUSY, ERR_INTERNAL (also
 * for a record user_encode refuses).
 */
enum err registry_user_add(struct registry *reg, const struct user *u);

/*
 * registry_user_add_many: the n users in one write transaction (one
 * commit, one disk sync), all or none: for bulk loads. Returns the
 * errors of registry_user_add.
 */
enum err registry_user_add_many(struct registry *reg,
	    const struct user *const *u, size_t n);

/*
 * registry_user_list: call fn for each user in name order until fn
 * returns nonzero. The record passed is borrowed for the call; fn runs
 * inside the read transaction and must not call the registry. Returns
 * ERR_OK, ERR_INTERNAL (a record that does not decode; logged) or
 * ERR_REGISTRY_BUSY.
 */
enum err registry_user_list(struct registry *reg,
	    int (*fn)(void *ctx, const struct user *u), void *ctx);

/*
 * The signing transaction. Inside one write transaction the registry
 * reads the user called name afresh, hands out the next serial
 * (never 0, never twice, node id in the top bits) and calls fn with
 * both. If fn returns ERR_OK it must have filled rec (its serial is
 * set already); the registry then stores rec under its serial, records
 * the serial and rec->valid_before on the user, advances the counter
 * and commits. If fn fails, or the commit fails, nothing is written
 * and the error is returned: the caller must then discard whatever fn
 * produced (never hand out a certificate that is not recorded).
 * rec->name must be the user's name. rec and what fn allocated in it
 * belong to the registry, which frees them with issued_free. fn runs
 * while the registry's writer lock is held: it must be quick and must
 * not call the registry.
 *
 * Returns fn's error, ERR_NOT_REGISTERED (no such user),
 * ERR_REGISTRY_FULL (also when the node's 2^48 serials are used up),
 * ERR_REGISTRY_BUSY, ERR_INTERNAL (also for node_id above 65535).
 */
typedef enum err (*registry_issue_fn)(void *ctx, const struct user *u,
	    uint64_t serial, struct issued *rec);
enum err registry_issue(struct registry *reg, const char *name,
	    unsigned node_id, registry_issue_fn fn, void *ctx);

/*
 * registry_issued_get: the issued record of serial (issued_free).
 * Returns ERR_OK, ERR_NOT_FOUND, ERR_INTERNAL.
 */
enum err registry_issued_get(struct registry *reg, uint64_t serial,
	    struct issued **out);

/*
 * Failed-login counters, one per registered login at most (guard.c
 * holds the policy). A login is counted only while the "logins" index
 * holds it, so that invented logins never grow the table; code that
 * one day removes a user must remove its counter in the same
 * transaction (registry_check reports a counter without its login).
 * Logins match without regard to ASCII case.
 *
 * registry_failure_get: the counter of login into *out. Returns ERR_OK,
 * ERR_NOT_FOUND (none; also a counter that does not decode, logged,
 * so that damage cannot lock a login out for good; and any login of a
 * version 1 registry opened to read), ERR_INTERNAL, ERR_REGISTRY_BUSY.
 *
 * registry_failure_update: in one write transaction, read login's
 * counter (all zero if none), let fn change it, and store it if fn
 * returns ERR_OK; the result must be a valid record (record.h). fn
 * runs with the writer lock held: it must be quick and must not call
 * the registry. Concurrent updates are applied one after the other,
 * so that none is lost. Returns fn's error, ERR_NOT_REGISTERED
 * (login is no registered login; fn is not called and nothing is
 * written), ERR_REGISTRY_FULL, ERR_REGISTRY_BUSY, ERR_REGISTRY_MISSING
 * (cannot write; logged), ERR_INTERNAL (also for a read-only registry
 * or a record failure_encode refuses).
 *
 * registry_failure_clear: remove login's counter; without one,
 * nothing is written and no writer lock is taken. Returns ERR_OK or
 * the errors of registry_failure_update but ERR_NOT_REGISTERED.
 */
enum err registry_failure_get(struct registry *reg, const char *login,
	    struct failure *out);
typedef enum err (*registry_failure_fn)(void *ctx, struct failure *f);
enum err registry_failure_update(struct registry *reg, const char *login,
	    registry_failure_fn fn, void *ctx);
enum err registry_failure_clear(struct registry *reg, const char *login);

/*
 * registry_check: walk every record and index and verify they decode
 * and agree (each login maps to its user, each serial below the
 * counter, each failure counter under a folded registered login).
 * Returns ERR_OK or ERR_INTERNAL with the first problem logged and
 * copied into why (may be NULL); ERR_REGISTRY_BUSY if it cannot start
 * reading.
 */
enum err registry_check(struct registry *reg, char *why, size_t whylen);

#endif
