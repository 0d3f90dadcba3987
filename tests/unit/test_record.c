/* SPDX-License-Identifier: ISC */
/*
 * test_record: registry records (users, certificates, failed-login
 * counters) survive encoding unchanged, and a stored value that is
 * damaged in any way is refused whole.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "record.h"
#include "wire.h"

/* The SHA256 of nothing, as ssh-keygen would print it. */
#define FP_A	"SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"
#define FP_B	"SHA256:ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs"

static const uint8_t blob_a[] = "\0\0\0\x0bssh-ed25519\0\0\0\x20"
    "0123456789abcdef0123456789abcdef";
static const uint8_t blob_b[] = "\0\0\0\x0bssh-ed25519\0\0\0\x20"
    "fedcba9876543210fedcba9876543210";

static char *
xstrdup(const char *s)
{
	char *d = strdup(s);

	assert_non_null(d);
	return d;
}

static char **
strv(size_t n, const char *const *v)
{
	char **r = calloc(n, sizeof(*r));
	size_t i;

	assert_non_null(r);
	for (i = 0; i < n; i++)
		r[i] = xstrdup(v[i]);
	return r;
}

static void
set_key(struct user_key *k, const uint8_t *blob, size_t n, const char *fp,
    enum user_state state, int64_t added)
{
	k->blob = malloc(n);
	assert_non_null(k->blob);
	memcpy(k->blob, blob, n);
	k->blob_len = n;
	strcpy(k->fp, fp);
	k->state = state;
	k->added = added;
}

static struct user *
sample_user(void)
{
	static const char *const p[] = { "alice", "root", "deploy@web" };
	struct user *u = calloc(1, sizeof(*u));

	assert_non_null(u);
	u->name = xstrdup("alice");
	u->login = xstrdup("alice.smith");
	u->realname = xstrdup("Alice Smith \xc3\xa9");
	u->state = USER_ACTIVE;
	u->keys = calloc(2, sizeof(*u->keys));
	assert_non_null(u->keys);
	set_key(&u->keys[0], blob_a, sizeof(blob_a) - 1, FP_A,
	    USER_REVOKED, 1700000000);
	set_key(&u->keys[1], blob_b, sizeof(blob_b) - 1, FP_B,
	    USER_ACTIVE, 1700000100);
	u->nkeys = 2;
	u->principals = strv(3, p);
	u->nprincipals = 3;
	u->expiry = 86400;
	u->created = 1600000000;
	u->updated = -5;
	u->last_serial = ((uint64_t)7 << 48) | 42;
	u->last_valid_before = INT64_MAX;
	return u;
}

static struct issued *
sample_issued(void)
{
	static const char *const p[] = { "alice", "root" };
	struct issued *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->serial = UINT64_MAX;
	c->name = xstrdup("alice");
	c->key_id = xstrdup("alice/18446744073709551615");
	strcpy(c->fp, FP_B);
	c->principals = strv(2, p);
	c->nprincipals = 2;
	c->valid_after = INT64_MIN;
	c->valid_before = 1700086400;
	c->issued_at = 1700000000;
	return c;
}

static void
assert_users_equal(const struct user *a, const struct user *b)
{
	size_t i;

	assert_string_equal(a->name, b->name);
	assert_string_equal(a->login, b->login);
	assert_string_equal(a->realname, b->realname);
	assert_int_equal(a->state, b->state);
	assert_int_equal(a->nkeys, b->nkeys);
	for (i = 0; i < a->nkeys; i++) {
		assert_int_equal(a->keys[i].blob_len, b->keys[i].blob_len);
		assert_memory_equal(a->keys[i].blob, b->keys[i].blob,
		    a->keys[i].blob_len);
		assert_string_equal(a->keys[i].fp, b->keys[i].fp);
		assert_int_equal(a->keys[i].state, b->keys[i].state);
		assert_true(a->keys[i].added == b->keys[i].added);
	}
	assert_int_equal(a->nprincipals, b->nprincipals);
	for (i = 0; i < a->nprincipals; i++)
		assert_string_equal(a->principals[i], b->principals[i]);
	assert_true(a->expiry == b->expiry);
	assert_true(a->created == b->created);
	assert_true(a->updated == b->updated);
	assert_true(a->last_serial == b->last_serial);
	assert_true(a->last_valid_before == b->last_valid_before);
}

static void
encode_user(const struct user *u, uint8_t **p, size_t *n)
{
	assert_int_equal(user_encode(u, p, n), ERR_OK);
}

static void
user_round_trips_every_field(void **state)
{
	struct user *u = sample_user(), *d = NULL;
	uint8_t *p;
	size_t n;

	encode_user(u, &p, &n);
	assert_int_equal(user_decode(p, n, &d), ERR_OK);
	assert_users_equal(u, d);
	free(p);
	user_free(d);
	user_free(u);
}

static void
issued_round_trips_every_field(void **state)
{
	struct issued *c = sample_issued(), *d = NULL;
	uint8_t *p;
	size_t n, i;

	assert_int_equal(issued_encode(c, &p, &n), ERR_OK);
	assert_int_equal(issued_decode(p, n, &d), ERR_OK);
	assert_true(d->serial == c->serial);
	assert_string_equal(d->name, c->name);
	assert_string_equal(d->key_id, c->key_id);
	assert_string_equal(d->fp, c->fp);
	assert_int_equal(d->nprincipals, c->nprincipals);
	for (i = 0; i < c->nprincipals; i++)
		assert_string_equal(d->principals[i], c->principals[i]);
	assert_true(d->valid_after == c->valid_after);
	assert_true(d->valid_before == c->valid_before);
	assert_true(d->issued_at == c->issued_at);
	free(p);
	issued_free(d);
	issued_free(c);
}

static void
user_with_no_keys_round_trips(void **state)
{
	struct user *u = sample_user(), *d = NULL;
	uint8_t *p;
	size_t n;

	free(u->keys[0].blob);
	free(u->keys[1].blob);
	free(u->keys);
	u->keys = NULL;
	u->nkeys = 0;
	encode_user(u, &p, &n);
	assert_int_equal(user_decode(p, n, &d), ERR_OK);
	assert_users_equal(u, d);
	free(p);
	user_free(d);
	user_free(u);
}

static void
record_starts_with_its_version(void **state)
{
	struct user *u = sample_user();
	struct issued *c = sample_issued();
	uint8_t *p;
	size_t n;

	encode_user(u, &p, &n);
	assert_true(n > 4);
	assert_memory_equal(p, "\0\0\0\1", 4);
	free(p);
	assert_int_equal(issued_encode(c, &p, &n), ERR_OK);
	assert_memory_equal(p, "\0\0\0\1", 4);
	free(p);
	user_free(u);
	issued_free(c);
}

static void
decode_refuses_a_newer_version(void **state)
{
	struct user *u = sample_user(), *d = NULL;
	struct issued *c = sample_issued(), *dc = NULL;
	uint8_t *p;
	size_t n;

	encode_user(u, &p, &n);
	p[3] = 2;
	assert_int_equal(user_decode(p, n, &d), ERR_INTERNAL);
	assert_null(d);
	free(p);
	assert_int_equal(issued_encode(c, &p, &n), ERR_OK);
	p[0] = 0x80;
	assert_int_equal(issued_decode(p, n, &dc), ERR_INTERNAL);
	assert_null(dc);
	free(p);
	user_free(u);
	issued_free(c);
}

static void
decode_refuses_trailing_bytes(void **state)
{
	struct user *u = sample_user(), *d = NULL;
	uint8_t *p, *q;
	size_t n;

	encode_user(u, &p, &n);
	q = malloc(n + 1);
	assert_non_null(q);
	memcpy(q, p, n);
	q[n] = 0;
	assert_int_equal(user_decode(q, n + 1, &d), ERR_INTERNAL);
	assert_null(d);
	free(q);
	free(p);
	user_free(u);
}

static void
decode_refuses_every_truncation(void **state)
{
	struct user *u = sample_user(), *d = NULL;
	struct issued *c = sample_issued(), *dc = NULL;
	uint8_t *p;
	size_t n, i;

	encode_user(u, &p, &n);
	for (i = 0; i < n; i++)
		assert_int_equal(user_decode(p, i, &d), ERR_INTERNAL);
	assert_null(d);
	free(p);

	assert_int_equal(issued_encode(c, &p, &n), ERR_OK);
	for (i = 0; i < n; i++)
		assert_int_equal(issued_decode(p, i, &dc), ERR_INTERNAL);
	assert_null(dc);
	free(p);
	user_free(u);
	issued_free(c);
}

/*
 * Flip a bit in each byte of a valid record in turn (a different bit
 * each time, to keep the refusals logged to syslog few): the result
 * must either be refused or decode to a record that encodes back to
 * the same bytes, never crash or leak (valgrind or ASan shows that).
 */
static void
decode_survives_a_flipped_bit_anywhere(void **state)
{
	struct user *u = sample_user(), *d;
	uint8_t *p, *q, flip;
	size_t n, qn, i;

	encode_user(u, &p, &n);
	for (i = 0; i < n; i++) {
		flip = (uint8_t)(1 << (i % 8));
		p[i] ^= flip;
		d = NULL;
		if (user_decode(p, n, &d) == ERR_OK) {
			assert_int_equal(user_encode(d, &q, &qn), ERR_OK);
			assert_int_equal(qn, n);
			assert_memory_equal(p, q, n);
			free(q);
			user_free(d);
		} else
			assert_null(d);
		p[i] ^= flip;
	}
	free(p);
	user_free(u);
}

/* The example of db/SCHEMA.md, byte for byte. */
static void
decode_reads_the_example_of_the_schema(void **state)
{
	static const uint8_t ex[] = {
		0, 0, 0, 1,
		0, 0, 0, 3, 'b', 'o', 'b',
		0, 0, 0, 3, 'b', 'o', 'b',
		0, 0, 0, 0,
		0, 0, 0, 2,
		0, 0, 0, 0,
		0, 0, 0, 1,
		0, 0, 0, 3, 'b', 'o', 'b',
		0, 0, 0, 0, 0, 0, 0x0e, 0x10,
		0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0,
	};
	struct user *u = NULL;
	uint8_t *p;
	size_t n;

	assert_int_equal(sizeof(ex), 81);
	assert_int_equal(user_decode(ex, sizeof(ex), &u), ERR_OK);
	assert_string_equal(u->name, "bob");
	assert_string_equal(u->realname, "");
	assert_int_equal(u->state, USER_PENDING);
	assert_int_equal(u->nkeys, 0);
	assert_int_equal(u->nprincipals, 1);
	assert_true(u->expiry == 3600);
	encode_user(u, &p, &n);
	assert_int_equal(n, sizeof(ex));
	assert_memory_equal(p, ex, n);
	free(p);
	user_free(u);
}

/*
 * A hand-built user value whose fields the tests below can spoil one
 * at a time, including counts that encoding would never write.
 */
struct layout {
	uint32_t	 version;
	const char	*name;
	const char	*realname;
	size_t		 realname_len;
	uint32_t	 state;
	uint32_t	 nkeys;
	const char	*fp;		/* of the first key */
	size_t		 blob_len;
	uint32_t	 key_state;
	uint32_t	 nprincipals;
	const char	*principal;	/* the first one */
	int64_t		 expiry;
};

static const struct layout good = {
	1, "bob", "Bob", 3, USER_PENDING, 1, FP_A, 51, USER_PENDING, 1,
	"bob", 3600,
};

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
put_layout(struct wbuf *b, const struct layout *l)
{
	uint8_t blob[512];
	char fp[PUBKEY_FP_LEN], pr[16];
	uint32_t i;

	memset(blob, 'k', sizeof(blob));
	wbuf_put_u32(b, l->version);
	wbuf_put_cstring(b, l->name);
	wbuf_put_cstring(b, "bob");
	wbuf_put_string(b, l->realname, l->realname_len);
	wbuf_put_u32(b, l->state);
	wbuf_put_u32(b, l->nkeys);
	for (i = 0; i < l->nkeys; i++) {
		/* Distinct fingerprints, so that only the count is wrong. */
		strcpy(fp, FP_A);
		fp[7] = b64[i % 64];
		wbuf_put_string(b, blob, l->blob_len);
		wbuf_put_cstring(b, i == 0 ? l->fp : fp);
		wbuf_put_u32(b, l->key_state);
		wbuf_put_u64(b, 1700000000);
	}
	wbuf_put_u32(b, l->nprincipals);
	for (i = 0; i < l->nprincipals; i++) {
		snprintf(pr, sizeof(pr), "p%u", i);
		wbuf_put_cstring(b, i == 0 ? l->principal : pr);
	}
	wbuf_put_u64(b, (uint64_t)l->expiry);
	wbuf_put_u64(b, 1);
	wbuf_put_u64(b, 2);
	wbuf_put_u64(b, 0);
	wbuf_put_u64(b, 0);
}

static enum err
decode_layout(const struct layout *l)
{
	struct wbuf b;
	struct user *u = NULL;
	uint8_t *p;
	size_t n;
	enum err e;

	wbuf_init(&b);
	put_layout(&b, l);
	p = wbuf_steal(&b, &n);
	assert_non_null(p);
	e = user_decode(p, n, &u);
	if (e == ERR_OK)
		assert_non_null(u);
	else
		assert_null(u);
	user_free(u);
	free(p);
	return e;
}

static void
decode_accepts_the_hand_built_layout(void **state)
{
	struct layout l = good;

	assert_int_equal(decode_layout(&l), ERR_OK);
	l.nkeys = RECORD_MAX_KEYS;
	l.nprincipals = RECORD_MAX_PRINCIPALS;
	assert_int_equal(decode_layout(&l), ERR_OK);
	l.nkeys = 0;
	assert_int_equal(decode_layout(&l), ERR_OK);
}

static void
decode_refuses_counts_above_their_bounds(void **state)
{
	struct layout l = good;

	l.nkeys = RECORD_MAX_KEYS + 1;
	assert_int_equal(decode_layout(&l), ERR_INTERNAL);
	l = good;
	l.nprincipals = RECORD_MAX_PRINCIPALS + 1;
	assert_int_equal(decode_layout(&l), ERR_INTERNAL);
}

static void
decode_refuses_an_empty_principal_list(void **state)
{
	struct layout l = good;

	l.nprincipals = 0;
	assert_int_equal(decode_layout(&l), ERR_INTERNAL);
}

static void
decode_refuses_a_nul_inside_a_string(void **state)
{
	struct layout l = good;

	l.realname = "Bo\0b";
	l.realname_len = 4;
	assert_int_equal(decode_layout(&l), ERR_INTERNAL);
}

static void
decode_refuses_control_bytes_in_realname(void **state)
{
	struct layout l = good;

	l.realname = "Bob\nevent=forged";
	l.realname_len = strlen(l.realname);
	assert_int_equal(decode_layout(&l), ERR_INTERNAL);
	l.realname = "Bob\x1b[2J";
	l.realname_len = strlen(l.realname);
	assert_int_equal(decode_layout(&l), ERR_INTERNAL);
}

static void
decode_refuses_strings_above_their_bounds(void **state)
{
	char big[RECORD_MAX_TEXT + 2];
	struct layout l = good;

	memset(big, 'x', sizeof(big));
	l.realname = big;
	l.realname_len = RECORD_MAX_TEXT;
	assert_int_equal(decode_layout(&l), ERR_OK);
	l.realname_len = RECORD_MAX_TEXT + 1;
	assert_int_equal(decode_layout(&l), ERR_INTERNAL);

	l = good;
	/* 64 bytes is the longest name, 65 too many. */
	l.name = "a0123456789012345678901234567890123456789012345678901234"
	    "56789012";
	assert_int_equal(decode_layout(&l), ERR_OK);
	l.name = "a0123456789012345678901234567890123456789012345678901234"
	    "567890123";
	assert_int_equal(decode_layout(&l), ERR_INTERNAL);
}

static void
decode_refuses_bad_fingerprints(void **state)
{
	struct layout l = good;

	/* Wrong hash name, short, non-canonical last character. */
	l.fp = "MD5:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";
	assert_int_equal(decode_layout(&l), ERR_INTERNAL);
	l.fp = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuF";
	assert_int_equal(decode_layout(&l), ERR_INTERNAL);
	l.fp = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV";
	assert_int_equal(decode_layout(&l), ERR_INTERNAL);
	l.fp = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSu=U";
	assert_int_equal(decode_layout(&l), ERR_INTERNAL);
}

static void
decode_refuses_unknown_states(void **state)
{
	struct layout l = good;

	l.state = 3;
	assert_int_equal(decode_layout(&l), ERR_INTERNAL);
	l = good;
	l.key_state = 0xffffffff;
	assert_int_equal(decode_layout(&l), ERR_INTERNAL);
}

static void
decode_refuses_bad_names_and_principals(void **state)
{
	struct layout l = good;

	l.name = "-bob";
	assert_int_equal(decode_layout(&l), ERR_INTERNAL);
	l = good;
	l.principal = "root,admin";
	assert_int_equal(decode_layout(&l), ERR_INTERNAL);
}

static void
decode_refuses_empty_key_blobs_and_bad_expiry(void **state)
{
	struct layout l = good;

	l.blob_len = 0;
	assert_int_equal(decode_layout(&l), ERR_INTERNAL);
	l = good;
	l.expiry = 0;
	assert_int_equal(decode_layout(&l), ERR_INTERNAL);
	l.expiry = -86400;
	assert_int_equal(decode_layout(&l), ERR_INTERNAL);
}

static void
encode_refuses_what_decode_would_refuse(void **state)
{
	struct user *u = sample_user();
	struct issued *c = sample_issued();
	uint8_t *p = NULL;
	size_t n;
	char *saved;

	saved = u->login;
	u->login = "bad login";
	assert_int_equal(user_encode(u, &p, &n), ERR_INTERNAL);
	u->login = saved;

	u->nprincipals = 0;
	assert_int_equal(user_encode(u, &p, &n), ERR_INTERNAL);
	u->nprincipals = 3;

	strcpy(u->keys[1].fp, FP_A);
	assert_int_equal(user_encode(u, &p, &n), ERR_INTERNAL);
	strcpy(u->keys[1].fp, FP_B);

	u->state = 7;
	assert_int_equal(user_encode(u, &p, &n), ERR_INTERNAL);
	u->state = USER_ACTIVE;
	assert_null(p);

	c->serial = 0;
	assert_int_equal(issued_encode(c, &p, &n), ERR_INTERNAL);
	c->serial = 1;
	c->valid_after = c->valid_before;
	assert_int_equal(issued_encode(c, &p, &n), ERR_INTERNAL);
	assert_null(p);

	user_free(u);
	issued_free(c);
}

static void
valid_name_follows_the_documented_alphabet(void **state)
{
	char longest[RECORD_MAX_NAME + 2];

	assert_true(record_valid_name("alice"));
	assert_true(record_valid_name("a.b_c-d@example.org"));
	assert_true(record_valid_name("0"));
	assert_true(record_valid_name("_svc"));
	assert_false(record_valid_name(NULL));
	assert_false(record_valid_name(""));
	assert_false(record_valid_name("-alice"));
	assert_false(record_valid_name(".alice"));
	assert_false(record_valid_name("al ice"));
	assert_false(record_valid_name("al/ice"));
	assert_false(record_valid_name("al,ice"));
	assert_false(record_valid_name("alice\n"));
	assert_false(record_valid_name("al\xc3\xaf" "ce"));

	memset(longest, 'a', sizeof(longest));
	longest[RECORD_MAX_NAME] = '\0';
	assert_true(record_valid_name(longest));
	longest[RECORD_MAX_NAME] = 'a';
	longest[RECORD_MAX_NAME + 1] = '\0';
	assert_false(record_valid_name(longest));
}

static void
valid_principal_refuses_spaces_commas_and_controls(void **state)
{
	char longest[RECORD_MAX_TEXT + 2];

	assert_true(record_valid_principal("root"));
	assert_true(record_valid_principal("deploy@web-01.example.org"));
	assert_true(record_valid_principal("*!~"));
	assert_false(record_valid_principal(NULL));
	assert_false(record_valid_principal(""));
	assert_false(record_valid_principal("a b"));
	assert_false(record_valid_principal("a,b"));
	assert_false(record_valid_principal("a\tb"));
	assert_false(record_valid_principal("a\x7f"));
	assert_false(record_valid_principal("\xc3\xa9"));

	memset(longest, 'p', sizeof(longest));
	longest[RECORD_MAX_TEXT] = '\0';
	assert_true(record_valid_principal(longest));
	longest[RECORD_MAX_TEXT] = 'p';
	longest[RECORD_MAX_TEXT + 1] = '\0';
	assert_false(record_valid_principal(longest));
}

static void
state_names_are_cassh_names(void **state)
{
	assert_string_equal(user_state_name(USER_ACTIVE), "ACTIVE");
	assert_string_equal(user_state_name(USER_REVOKED), "REVOKED");
	assert_string_equal(user_state_name(USER_PENDING), "PENDING");
	assert_int_equal(USER_ACTIVE, 0);
	assert_int_equal(USER_REVOKED, 1);
	assert_int_equal(USER_PENDING, 2);
}

static void
key_find_matches_by_fingerprint(void **state)
{
	struct user *u = sample_user();

	assert_int_equal(user_key_find(u, FP_A), 0);
	assert_int_equal(user_key_find(u, FP_B), 1);
	assert_int_equal(user_key_find(u,
	    "SHA256:AAAAQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"), -1);
	assert_int_equal(user_key_find(u, NULL), -1);
	assert_int_equal(user_key_find(NULL, FP_A), -1);
	user_free(u);
}

/* The failure record example of db/SCHEMA.md, byte for byte. */
static const uint8_t failure_ex[] = {
	0, 0, 0, 1,
	0, 0, 0, 3,
	0, 0, 0, 0, 0x65, 0x53, 0xf1, 0x00,
	0, 0, 0, 0, 0x65, 0x53, 0xf1, 0x3c,
};

static void
failure_reads_and_writes_the_example_of_the_schema(void **state)
{
	struct failure f;
	uint8_t *p;
	size_t n;

	assert_int_equal(failure_decode(failure_ex, sizeof(failure_ex), &f),
	    ERR_OK);
	assert_int_equal(f.count, 3);
	assert_true(f.window_start == 1700000000);
	assert_true(f.locked_until == 1700000060);
	assert_int_equal(failure_encode(&f, &p, &n), ERR_OK);
	assert_int_equal(n, sizeof(failure_ex));
	assert_memory_equal(p, failure_ex, n);
	free(p);
}

static void
failure_without_a_lock_round_trips(void **state)
{
	struct failure f = { UINT32_MAX, INT64_MAX - 1, 0 }, d;
	uint8_t *p;
	size_t n;

	assert_int_equal(failure_encode(&f, &p, &n), ERR_OK);
	assert_int_equal(failure_decode(p, n, &d), ERR_OK);
	assert_true(d.count == f.count);
	assert_true(d.window_start == f.window_start);
	assert_true(d.locked_until == 0);
	free(p);
}

static enum err
decode_failure_bytes(const uint8_t *p, size_t n)
{
	struct failure f = { 77, 77, 0 };
	enum err e = failure_decode(p, n, &f);

	/* A refused value leaves the caller's record as it was. */
	if (e != ERR_OK)
		assert_int_equal(f.count, 77);
	return e;
}

static enum err
decode_failure(uint32_t version, uint32_t count, int64_t start,
    int64_t until)
{
	struct wbuf b;
	uint8_t *p;
	size_t n;
	enum err e;

	wbuf_init(&b);
	wbuf_put_u32(&b, version);
	wbuf_put_u32(&b, count);
	wbuf_put_u64(&b, (uint64_t)start);
	wbuf_put_u64(&b, (uint64_t)until);
	p = wbuf_steal(&b, &n);
	assert_non_null(p);
	e = decode_failure_bytes(p, n);
	free(p);
	return e;
}

static void
failure_decode_refuses_truncation_and_trailing_bytes(void **state)
{
	uint8_t longer[sizeof(failure_ex) + 1];
	size_t i;

	for (i = 0; i < sizeof(failure_ex); i++)
		assert_int_equal(decode_failure_bytes(failure_ex, i),
		    ERR_INTERNAL);
	memcpy(longer, failure_ex, sizeof(failure_ex));
	longer[sizeof(failure_ex)] = 0;
	assert_int_equal(decode_failure_bytes(longer, sizeof(longer)),
	    ERR_INTERNAL);
}

static void
failure_decode_refuses_fields_out_of_range(void **state)
{
	assert_int_equal(decode_failure(1, 1, 100, 0), ERR_OK);
	assert_int_equal(decode_failure(1, 1, 100, 101), ERR_OK);
	assert_int_equal(decode_failure(2, 1, 100, 0), ERR_INTERNAL);
	assert_int_equal(decode_failure(0, 1, 100, 0), ERR_INTERNAL);
	/* No failure is no record; a window starts at a real time. */
	assert_int_equal(decode_failure(1, 0, 100, 0), ERR_INTERNAL);
	assert_int_equal(decode_failure(1, 1, 0, 0), ERR_INTERNAL);
	assert_int_equal(decode_failure(1, 1, -100, 0), ERR_INTERNAL);
	/* A lock is set after its window opened. */
	assert_int_equal(decode_failure(1, 1, 100, 100), ERR_INTERNAL);
	assert_int_equal(decode_failure(1, 1, 100, 99), ERR_INTERNAL);
	assert_int_equal(decode_failure(1, 1, 100, -1), ERR_INTERNAL);
}

static void
failure_encode_refuses_what_decode_would_refuse(void **state)
{
	struct failure f = { 0, 100, 0 };
	uint8_t *p = NULL;
	size_t n;

	assert_int_equal(failure_encode(&f, &p, &n), ERR_INTERNAL);
	f.count = 1;
	f.window_start = 0;
	assert_int_equal(failure_encode(&f, &p, &n), ERR_INTERNAL);
	f.window_start = 100;
	f.locked_until = 50;
	assert_int_equal(failure_encode(&f, &p, &n), ERR_INTERNAL);
	assert_null(p);
}

static void
free_accepts_null(void **state)
{
	user_free(NULL);
	issued_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(user_round_trips_every_field),
		cmocka_unit_test(issued_round_trips_every_field),
		cmocka_unit_test(user_with_no_keys_round_trips),
		cmocka_unit_test(record_starts_with_its_version),
		cmocka_unit_test(decode_refuses_a_newer_version),
		cmocka_unit_test(decode_refuses_trailing_bytes),
		cmocka_unit_test(decode_refuses_every_truncation),
		cmocka_unit_test(decode_survives_a_flipped_bit_anywhere),
		cmocka_unit_test(decode_reads_the_example_of_the_schema),
		cmocka_unit_test(decode_accepts_the_hand_built_layout),
		cmocka_unit_test(decode_refuses_counts_above_their_bounds),
		cmocka_unit_test(decode_refuses_an_empty_principal_list),
		cmocka_unit_test(decode_refuses_a_nul_inside_a_string),
		cmocka_unit_test(decode_refuses_control_bytes_in_realname),
		cmocka_unit_test(decode_refuses_strings_above_their_bounds),
		cmocka_unit_test(decode_refuses_bad_fingerprints),
		cmocka_unit_test(decode_refuses_unknown_states),
		cmocka_unit_test(decode_refuses_bad_names_and_principals),
		cmocka_unit_test(decode_refuses_empty_key_blobs_and_bad_expiry),
		cmocka_unit_test(encode_refuses_what_decode_would_refuse),
		cmocka_unit_test(valid_name_follows_the_documented_alphabet),
		cmocka_unit_test(
		    valid_principal_refuses_spaces_commas_and_controls),
		cmocka_unit_test(state_names_are_cassh_names),
		cmocka_unit_test(key_find_matches_by_fingerprint),
		cmocka_unit_test(
		    failure_reads_and_writes_the_example_of_the_schema),
		cmocka_unit_test(failure_without_a_lock_round_trips),
		cmocka_unit_test(
		    failure_decode_refuses_truncation_and_trailing_bytes),
		cmocka_unit_test(failure_decode_refuses_fields_out_of_range),
		cmocka_unit_test(
		    failure_encode_refuses_what_decode_would_refuse),
		cmocka_unit_test(free_accepts_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
