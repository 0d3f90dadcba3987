/* SPDX-License-Identifier: ISC */
/*
 * record: the registry's records in memory (users, issued
 * certificates, failed-login counters), and their encoding as LMDB
 * values. db/SCHEMA.md documents the byte layout; every record
 * starts with its own version so that a newer binary can read (and
 * migrate) an older registry. Decoding is strict: a record that does
 * not parse is reported, never half-used.
 */
#ifndef CASSH_RECORD_H
#define CASSH_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "pubkey.h"

/* The registry states; the numbers are CASSH's, kept for imports. */
enum user_state {
	USER_ACTIVE = 0,
	USER_REVOKED = 1,
	USER_PENDING = 2,
};

#define RECORD_MAX_NAME		64	/* registry name and LDAP login */
#define RECORD_MAX_KEYS		16
#define RECORD_MAX_PRINCIPALS	64
#define RECORD_MAX_TEXT		255	/* realname, principals */

struct user_key {
	uint8_t		*blob;		/* public key wire blob */
	size_t		 blob_len;
	char		 fp[PUBKEY_FP_LEN];
	enum user_state	 state;
	int64_t		 added;		/* seconds since the epoch */
};

struct user {
	char		*name;		/* registry name, unique */
	char		*login;		/* LDAP login, unique */
	char		*realname;	/* may be "" */
	enum user_state	 state;
	struct user_key	*keys;
	size_t		 nkeys;
	char		**principals;
	size_t		 nprincipals;
	int64_t		 expiry;	/* certificate lifetime, seconds */
	int64_t		 created;
	int64_t		 updated;
	uint64_t	 last_serial;	/* 0: never signed */
	int64_t		 last_valid_before;
};

/* A certificate the registry has issued, keyed by its serial. */
struct issued {
	uint64_t	 serial;
	char		*name;		/* registry name */
	char		*key_id;
	char		 fp[PUBKEY_FP_LEN];
	char		**principals;
	size_t		 nprincipals;
	int64_t		 valid_after;
	int64_t		 valid_before;
	int64_t		 issued_at;
};

/*
 * A registered login's failed logins (guard.c keeps the policy): how
 * many in the window that began at window_start, and until when the
 * login is locked. Nothing in it is allocated.
 */
struct failure {
	uint32_t	 count;		/* 1 or more: none is no record */
	int64_t		 window_start;	/* seconds since the epoch, > 0 */
	int64_t		 locked_until;	/* 0, or after window_start */
};

/* user_free, issued_free: free all members and the struct; NULL ok. */
void	user_free(struct user *u);
void	issued_free(struct issued *c);

/*
 * user_encode / issued_encode: the value stored in LMDB, a new buffer
 * the caller frees. Returns ERR_OK, ERR_NOMEM, or ERR_INTERNAL (logged)
 * for a record that decoding would refuse: a bad name, login,
 * principal or fingerprint, a control byte in realname or key_id, no
 * principal, a count above its RECORD_MAX_*, two keys with one
 * fingerprint, a state out of range, expiry not positive, valid_after
 * not before valid_before, serial 0.
 * user_decode / issued_decode: parse a stored value into a new record.
 * Returns ERR_OK, ERR_INTERNAL (corrupt or unknown version; logged) or
 * ERR_NOMEM.
 */
enum err user_encode(const struct user *u, uint8_t **out, size_t *len);
enum err user_decode(const uint8_t *p, size_t n, struct user **out);
enum err issued_encode(const struct issued *c, uint8_t **out, size_t *len);
enum err issued_decode(const uint8_t *p, size_t n, struct issued **out);

/*
 * failure_encode: the stored value of f, a new buffer the caller
 * frees. Returns ERR_OK, ERR_NOMEM, or ERR_INTERNAL (logged) for a
 * record decoding would refuse: count 0, window_start not above 0,
 * locked_until neither 0 nor after window_start.
 * failure_decode: parse a stored value into *out, which is written
 * only on success. Returns ERR_OK or ERR_INTERNAL (corrupt or unknown
 * version; logged).
 */
enum err failure_encode(const struct failure *f, uint8_t **out,
	    size_t *len);
enum err failure_decode(const uint8_t *p, size_t n, struct failure *out);

/* user_state_name: "ACTIVE", "REVOKED", "PENDING". */
const char *user_state_name(enum user_state s);

/*
 * user_key_find: the index in u->keys of the key with fingerprint fp,
 * or -1.
 */
int	user_key_find(const struct user *u, const char *fp);

/*
 * record_valid_name: 1 if s may be a registry name or LDAP login:
 * 1 to RECORD_MAX_NAME bytes of [A-Za-z0-9._@-], not starting with
 * '-' or '.'.
 */
int	record_valid_name(const char *s);

/*
 * record_valid_principal: 1 if s may be a certificate principal:
 * 1 to RECORD_MAX_TEXT printable ASCII bytes, no space or comma.
 */
int	record_valid_principal(const char *s);

#endif
