/* SPDX-License-Identifier: ISC */
/*
 * registry_failure: the failed-login counters, keyed by the folded
 * login; guard.c decides what the counts mean.
 *
 * A counter is kept only for a login of the "logins" index:
 * cassh-signer cannot ask the directory whether a login exists without
 * a change to it, and the registry's own logins bound the table by the
 * number of users, so that a stranger who invents logins cannot grow
 * it.
 *
 * A counter only slows guessing down, so a damaged one is logged and
 * read as none (and replaced at the next failure) rather than refused:
 * refusing it would lock its login out until someone edited the
 * registry by hand. registry_check still reports it.
 */
#include <lmdb.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "record.h"
#include "registry.h"
#include "registry_impl.h"

static enum err
failure_load(struct registry *reg, MDB_txn *txn, const char *key,
    struct failure *f)
{
	MDB_val v;
	enum err e;

	if ((e = registry_get(reg, txn, reg->failures, key, strlen(key), &v)) !=
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
	registry_login_fold(login, key);
	if ((e = registry_txn_begin(reg, 0, &txn)) != ERR_OK)
		return e;
	e = failure_load(reg, txn, key, out);
	registry_txn_abort(&txn);
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
	registry_login_fold(login, key);
	if ((e = registry_txn_begin(reg, 1, &txn)) != ERR_OK)
		goto out;
	e = registry_get(reg, txn, reg->logins, key, strlen(key), &v);
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
	    (e = registry_put(reg, txn, reg->failures, key, strlen(key), val,
	    len, 0)) != ERR_OK)
		goto out;
	e = registry_txn_commit(reg, &txn);
 out:
	registry_txn_abort(&txn);
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
	registry_login_fold(login, key);
	if ((e = registry_txn_begin(reg, 0, &txn)) != ERR_OK)
		return e;
	e = registry_get(reg, txn, reg->failures, key, strlen(key), &v);
	registry_txn_abort(&txn);
	if (e != ERR_OK)
		return e == ERR_NOT_FOUND ? ERR_OK : e;
	if ((e = registry_txn_begin(reg, 1, &txn)) != ERR_OK ||
	    (e = registry_del(reg, txn, reg->failures, key, strlen(key))) !=
	    ERR_OK)
		goto out;
	e = registry_txn_commit(reg, &txn);
 out:
	registry_txn_abort(&txn);
	return e;
}
