/* SPDX-License-Identifier: ISC */
/*
 * test_registry: the LMDB registry as the signer processes share it:
 * records, indexes, serials handed out once and recorded, failed-login
 * counters, a full map, concurrent and killed processes, a schema from
 * the past (migrated) and one from the future (refused).
 *
 * Each test gets a fresh folder under $TMPDIR (or /tmp). Forked
 * children open the registry themselves (an LMDB environment must not
 * cross a fork) and report through pipes and their exit status, never
 * through cmocka.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <lmdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "record.h"
#include "registry.h"

/* The fingerprint of blob_a, as ssh-keygen -l would print it. */
#define FP_A	"SHA256:r0jjAatH+rPa97KMRB4yEkCq0GlcmkYyacWqmoyiTwI"
#define NODE_BITS(s)	((s) >> REGISTRY_SERIAL_NODE_SHIFT)
#define COUNTER(s)	\
	((s) & ((UINT64_C(1) << REGISTRY_SERIAL_NODE_SHIFT) - 1))

#define NPROCS		8
#define PER_PROC	200

#define MAX_KIDS	4

/* kids: the children still to be killed if a test fails early. */
struct fixture {
	char	dir[256];
	pid_t	kids[MAX_KIDS];
};

static const uint8_t blob_a[] = "\0\0\0\x0bssh-ed25519\0\0\0\x20"
    "0123456789abcdef0123456789abcdef";

static void
path_in(const struct fixture *f, const char *file, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", f->dir, file);

	assert_true(n > 0 && (size_t)n < len);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/cassh-registry-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char p[300];
	int i;

	for (i = 0; i < MAX_KIDS; i++) {
		if (f->kids[i] > 0) {
			kill(f->kids[i], SIGKILL);
			waitpid(f->kids[i], NULL, 0);
		}
	}
	path_in(f, "data.mdb", p, sizeof(p));
	unlink(p);
	path_in(f, "lock.mdb", p, sizeof(p));
	unlink(p);
	rmdir(f->dir);
	free(f);
	return 0;
}

static struct registry *
open_as(const struct fixture *f, enum registry_mode mode)
{
	struct registry *reg = NULL;

	assert_int_equal(registry_open(f->dir, mode, 0, &reg), ERR_OK);
	assert_non_null(reg);
	return reg;
}

static char *
xstrdup(const char *s)
{
	char *d = strdup(s);

	assert_non_null(d);
	return d;
}

/* A user with one active key; principals are its name. */
static struct user *
make_user(const char *name, const char *login)
{
	struct user *u = calloc(1, sizeof(*u));

	assert_non_null(u);
	u->name = xstrdup(name);
	u->login = xstrdup(login);
	u->realname = xstrdup("Some One");
	u->state = USER_ACTIVE;
	u->keys = calloc(1, sizeof(*u->keys));
	assert_non_null(u->keys);
	u->keys[0].blob = malloc(sizeof(blob_a) - 1);
	assert_non_null(u->keys[0].blob);
	memcpy(u->keys[0].blob, blob_a, sizeof(blob_a) - 1);
	u->keys[0].blob_len = sizeof(blob_a) - 1;
	strcpy(u->keys[0].fp, FP_A);
	u->keys[0].state = USER_ACTIVE;
	u->keys[0].added = 1700000000;
	u->nkeys = 1;
	u->principals = calloc(1, sizeof(*u->principals));
	assert_non_null(u->principals);
	u->principals[0] = xstrdup(name);
	u->nprincipals = 1;
	u->expiry = 86400;
	u->created = 1700000000;
	u->updated = 1700000000;
	return u;
}

static void
add_user(struct registry *reg, const char *name, const char *login)
{
	struct user *u = make_user(name, login);

	assert_int_equal(registry_user_add(reg, u), ERR_OK);
	user_free(u);
}

/* What the issuing callback does, and what it saw. */
struct issue_ctx {
	enum err	 fail;		/* returned instead of filling */
	int		 bad_serial;	/* fill, but with another serial */
	int		 notify_fd;	/* write a byte here, then pause */
	uint64_t	 serial;	/* the serial it was given */
};

static enum err
fill_cert(void *arg, const struct user *u, uint64_t serial,
    struct issued *rec)
{
	struct issue_ctx *ctx = arg;
	char id[128];
	size_t i;

	ctx->serial = serial;
	if (ctx->fail != ERR_OK)
		return ctx->fail;
	snprintf(id, sizeof(id), "%s/%" PRIu64, u->name, serial);
	if ((rec->name = strdup(u->name)) == NULL ||
	    (rec->key_id = strdup(id)) == NULL ||
	    (rec->principals = calloc(u->nprincipals,
	    sizeof(*rec->principals))) == NULL)
		return ERR_NOMEM;
	for (i = 0; i < u->nprincipals; i++) {
		if ((rec->principals[i] = strdup(u->principals[i])) == NULL)
			return ERR_NOMEM;
		rec->nprincipals++;
	}
	strcpy(rec->fp, u->keys[0].fp);
	rec->issued_at = 1700000000;
	rec->valid_after = rec->issued_at - 300;
	rec->valid_before = rec->issued_at + u->expiry;
	if (ctx->bad_serial)
		rec->serial = serial + 1;
	if (ctx->notify_fd >= 0) {
		/* Hold the writer lock until killed. */
		if (write(ctx->notify_fd, "w", 1) != 1)
			_exit(3);
		for (;;)
			pause();
	}
	return ERR_OK;
}

static uint64_t
issue_ok(struct registry *reg, const char *name, unsigned node)
{
	struct issue_ctx ctx = { ERR_OK, 0, -1, 0 };

	assert_int_equal(registry_issue(reg, name, node, fill_cert, &ctx),
	    ERR_OK);
	return ctx.serial;
}

static void
assert_check_passes(struct registry *reg)
{
	char why[256];

	if (registry_check(reg, why, sizeof(why)) != ERR_OK)
		fail_msg("registry_check: %s", why);
}

/*
 * Raw LMDB access, to damage or age a registry as no cassh binary
 * would. The registry must be closed meanwhile: one process must not
 * open one environment twice.
 */
static void
raw_put(const struct fixture *f, const char *db, const void *k,
    size_t kn, const void *v, size_t vn)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val key, val;

	key.mv_size = kn;
	key.mv_data = (void *)(uintptr_t)k;
	val.mv_size = vn;
	val.mv_data = (void *)(uintptr_t)v;
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 5), 0);
	assert_int_equal(mdb_env_open(env, f->dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, db, 0, &dbi), 0);
	assert_int_equal(mdb_put(txn, dbi, &key, &val, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

static int
raw_stale_readers(const struct fixture *f)
{
	MDB_env *env;
	int dead = -1;

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 5), 0);
	assert_int_equal(mdb_env_open(env, f->dir, MDB_RDONLY, 0600), 0);
	assert_int_equal(mdb_reader_check(env, &dead), 0);
	mdb_env_close(env);
	return dead;
}

static void
create_makes_data_and_lock_files_in_the_folder(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	struct stat st;
	char p[300];

	registry_close(reg);
	path_in(f, "data.mdb", p, sizeof(p));
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	path_in(f, "lock.mdb", p, sizeof(p));
	assert_int_equal(stat(p, &st), 0);

	/* Creating again opens what is there. */
	reg = open_as(f, REGISTRY_CREATE);
	assert_check_passes(reg);
	registry_close(reg);
	reg = open_as(f, REGISTRY_READ);
	assert_check_passes(reg);
	registry_close(reg);
}

static void
open_refuses_a_folder_without_a_registry(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = NULL;
	struct stat st;
	char p[300];

	assert_int_equal(registry_open(f->dir, REGISTRY_READ, 0, &reg),
	    ERR_REGISTRY_MISSING);
	assert_int_equal(registry_open(f->dir, REGISTRY_WRITE, 0, &reg),
	    ERR_REGISTRY_MISSING);
	assert_null(reg);
	/* A mistyped path must not turn into an empty registry. */
	path_in(f, "data.mdb", p, sizeof(p));
	assert_int_equal(stat(p, &st), -1);
}

static void
open_refuses_a_missing_folder(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = NULL;
	char p[300];

	path_in(f, "absent", p, sizeof(p));
	assert_int_equal(registry_open(p, REGISTRY_CREATE, 0, &reg),
	    ERR_REGISTRY_MISSING);
	assert_int_equal(registry_open(p, REGISTRY_READ, 0, &reg),
	    ERR_REGISTRY_MISSING);
	assert_null(reg);
}

static void
add_then_get_returns_the_same_record(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	struct user *u = make_user("alice", "alice.smith"), *got = NULL;

	assert_int_equal(registry_user_add(reg, u), ERR_OK);
	registry_close(reg);

	reg = open_as(f, REGISTRY_READ);
	assert_int_equal(registry_user_get(reg, "alice", &got), ERR_OK);
	assert_string_equal(got->name, "alice");
	assert_string_equal(got->login, "alice.smith");
	assert_string_equal(got->realname, u->realname);
	assert_int_equal(got->nkeys, 1);
	assert_string_equal(got->keys[0].fp, FP_A);
	assert_int_equal(got->keys[0].blob_len, u->keys[0].blob_len);
	assert_int_equal(got->nprincipals, 1);
	assert_string_equal(got->principals[0], "alice");
	assert_true(got->expiry == 86400);
	assert_true(got->last_serial == 0);
	user_free(got);
	user_free(u);
	assert_check_passes(reg);
	registry_close(reg);
}

static void
by_login_finds_the_user_whatever_the_case(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	struct user *got = NULL;

	add_user(reg, "alice", "Alice.Smith");
	add_user(reg, "bob", "bob");
	assert_int_equal(registry_user_by_login(reg, "alice.smith", &got),
	    ERR_OK);
	assert_string_equal(got->name, "alice");
	/* The login is kept as it was given. */
	assert_string_equal(got->login, "Alice.Smith");
	user_free(got);
	assert_int_equal(registry_user_by_login(reg, "ALICE.SMITH", &got),
	    ERR_OK);
	assert_string_equal(got->name, "alice");
	user_free(got);
	got = NULL;
	assert_int_equal(registry_user_by_login(reg, "alice", &got),
	    ERR_NOT_FOUND);
	assert_null(got);
	registry_close(reg);
}

static void
get_of_an_unknown_or_invalid_name_is_not_found(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	struct user *got = NULL;

	add_user(reg, "alice", "alice");
	assert_int_equal(registry_user_get(reg, "bob", &got),
	    ERR_NOT_FOUND);
	assert_int_equal(registry_user_get(reg, "Alice", &got),
	    ERR_NOT_FOUND);
	assert_int_equal(registry_user_get(reg, "", &got), ERR_NOT_FOUND);
	assert_int_equal(registry_user_get(reg, "../alice", &got),
	    ERR_NOT_FOUND);
	assert_int_equal(registry_user_by_login(reg, "a l", &got),
	    ERR_NOT_FOUND);
	assert_null(got);
	registry_close(reg);
}

static void
add_refuses_a_taken_name(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	struct user *u = make_user("alice", "other"), *got = NULL;

	add_user(reg, "alice", "alice");
	assert_int_equal(registry_user_add(reg, u), ERR_EXISTS);
	user_free(u);

	/* Neither the record nor the new login index changed. */
	assert_int_equal(registry_user_get(reg, "alice", &got), ERR_OK);
	assert_string_equal(got->login, "alice");
	user_free(got);
	assert_int_equal(registry_user_by_login(reg, "other", &got),
	    ERR_NOT_FOUND);
	assert_check_passes(reg);
	registry_close(reg);
}

static void
add_refuses_a_taken_login(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	struct user *u = make_user("alice2", "alice"), *got = NULL;

	add_user(reg, "alice", "alice");
	assert_int_equal(registry_user_add(reg, u), ERR_EXISTS);
	user_free(u);
	u = make_user("alice3", "ALICE");
	assert_int_equal(registry_user_add(reg, u), ERR_EXISTS);
	user_free(u);
	assert_int_equal(registry_user_get(reg, "alice2", &got),
	    ERR_NOT_FOUND);
	assert_int_equal(registry_user_get(reg, "alice3", &got),
	    ERR_NOT_FOUND);
	assert_check_passes(reg);
	registry_close(reg);
}

static void
add_refuses_an_invalid_record(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	struct user *u = make_user("alice", "alice");

	u->nprincipals = 0;
	assert_int_equal(registry_user_add(reg, u), ERR_INTERNAL);
	u->nprincipals = 1;
	user_free(u);
	assert_check_passes(reg);
	registry_close(reg);
}

struct list_ctx {
	char	names[8][16];
	int	n;
	int	stop_after;
};

static int
collect(void *arg, const struct user *u)
{
	struct list_ctx *ctx = arg;

	snprintf(ctx->names[ctx->n], sizeof(ctx->names[0]), "%s", u->name);
	return ++ctx->n == ctx->stop_after;
}

static void
list_walks_users_in_name_order(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	struct list_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	assert_int_equal(registry_user_list(reg, collect, &ctx), ERR_OK);
	assert_int_equal(ctx.n, 0);

	add_user(reg, "carol", "carol");
	add_user(reg, "alice", "alice");
	add_user(reg, "bob", "bob");
	assert_int_equal(registry_user_list(reg, collect, &ctx), ERR_OK);
	assert_int_equal(ctx.n, 3);
	assert_string_equal(ctx.names[0], "alice");
	assert_string_equal(ctx.names[1], "bob");
	assert_string_equal(ctx.names[2], "carol");
	registry_close(reg);
}

static void
list_stops_when_the_callback_asks(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	struct list_ctx ctx;

	add_user(reg, "alice", "alice");
	add_user(reg, "bob", "bob");
	add_user(reg, "carol", "carol");
	memset(&ctx, 0, sizeof(ctx));
	ctx.stop_after = 2;
	assert_int_equal(registry_user_list(reg, collect, &ctx), ERR_OK);
	assert_int_equal(ctx.n, 2);
	registry_close(reg);
}

static void
read_only_registry_refuses_writes(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	struct issue_ctx ctx = { ERR_OK, 0, -1, 0 };
	struct user *u = make_user("bob", "bob");

	add_user(reg, "alice", "alice");
	registry_close(reg);
	reg = open_as(f, REGISTRY_READ);
	assert_int_equal(registry_user_add(reg, u), ERR_INTERNAL);
	assert_int_equal(registry_issue(reg, "alice", 0, fill_cert, &ctx),
	    ERR_INTERNAL);
	user_free(u);
	registry_close(reg);
}

static void
issue_gives_distinct_increasing_serials_with_node_id_bits(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	uint64_t s, prev = 0;
	int i;

	add_user(reg, "alice", "alice");
	add_user(reg, "bob", "bob");
	for (i = 1; i <= 20; i++) {
		s = issue_ok(reg, i % 2 ? "alice" : "bob", 0xbeef);
		assert_true(s > prev);
		assert_true(NODE_BITS(s) == 0xbeef);
		/* The counter starts at 1 and is shared by all users. */
		assert_true(COUNTER(s) == (uint64_t)i);
		prev = s;
	}
	/* Node 0 continues the same counter: serials stay unique. */
	s = issue_ok(reg, "alice", 0);
	assert_true(s == 21);
	s = issue_ok(reg, "alice", 65535);
	assert_true(NODE_BITS(s) == 65535 && COUNTER(s) == 22);
	assert_check_passes(reg);
	registry_close(reg);
}

static void
issue_records_the_certificate_and_the_users_last_serial(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	struct issued *c = NULL;
	struct user *u = NULL;
	uint64_t s;

	add_user(reg, "alice", "alice");
	s = issue_ok(reg, "alice", 1);
	registry_close(reg);

	reg = open_as(f, REGISTRY_READ);
	assert_int_equal(registry_issued_get(reg, s, &c), ERR_OK);
	assert_true(c->serial == s);
	assert_string_equal(c->name, "alice");
	assert_string_equal(c->fp, FP_A);
	assert_int_equal(c->nprincipals, 1);
	assert_string_equal(c->principals[0], "alice");
	assert_true(c->valid_before == 1700000000 + 86400);
	assert_int_equal(registry_user_get(reg, "alice", &u), ERR_OK);
	assert_true(u->last_serial == s);
	assert_true(u->last_valid_before == c->valid_before);
	issued_free(c);
	user_free(u);
	c = NULL;
	assert_int_equal(registry_issued_get(reg, s + 1, &c),
	    ERR_NOT_FOUND);
	assert_int_equal(registry_issued_get(reg, 0, &c), ERR_NOT_FOUND);
	assert_null(c);
	registry_close(reg);
}

static void
issue_for_an_unknown_user_is_not_registered(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	struct issue_ctx ctx = { ERR_OK, 0, -1, 0 };

	add_user(reg, "alice", "alice");
	assert_int_equal(registry_issue(reg, "bob", 0, fill_cert, &ctx),
	    ERR_NOT_REGISTERED);
	assert_int_equal(registry_issue(reg, "-x", 0, fill_cert, &ctx),
	    ERR_NOT_REGISTERED);
	/* The callback never ran and no serial was used up. */
	assert_true(ctx.serial == 0);
	assert_true(issue_ok(reg, "alice", 0) == 1);
	registry_close(reg);
}

static void
failing_callback_writes_nothing(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	struct issue_ctx ctx = { ERR_PENDING, 0, -1, 0 };
	struct issued *c = NULL;
	struct user *u = NULL;
	uint64_t first, failed;

	add_user(reg, "alice", "alice");
	first = issue_ok(reg, "alice", 0);
	assert_int_equal(registry_issue(reg, "alice", 0, fill_cert, &ctx),
	    ERR_PENDING);
	failed = ctx.serial;
	assert_true(failed == first + 1);
	assert_int_equal(registry_issued_get(reg, failed, &c),
	    ERR_NOT_FOUND);
	assert_int_equal(registry_user_get(reg, "alice", &u), ERR_OK);
	assert_true(u->last_serial == first);
	user_free(u);

	/* A callback that re-targets its record fails the same way. */
	ctx.fail = ERR_OK;
	ctx.bad_serial = 1;
	assert_int_equal(registry_issue(reg, "alice", 0, fill_cert, &ctx),
	    ERR_INTERNAL);
	assert_int_equal(registry_issued_get(reg, failed + 1, &c),
	    ERR_NOT_FOUND);
	assert_null(c);

	/* The counter did not move: the next serial is the failed one. */
	assert_true(issue_ok(reg, "alice", 0) == failed);
	assert_check_passes(reg);
	registry_close(reg);
}

static void
issue_refuses_a_node_id_above_65535(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	struct issue_ctx ctx = { ERR_OK, 0, -1, 0 };

	add_user(reg, "alice", "alice");
	assert_int_equal(registry_issue(reg, "alice", 65536, fill_cert,
	    &ctx), ERR_INTERNAL);
	assert_true(ctx.serial == 0);
	assert_true(issue_ok(reg, "alice", 0) == 1);
	registry_close(reg);
}

static void
map_full_is_reported_and_leaves_the_registry_consistent(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = NULL;
	struct issue_ctx ctx = { ERR_OK, 0, -1, 0 };
	struct user *u, *got = NULL;
	char name[32];
	enum err e = ERR_OK;
	int i, added, issued = 0;

	assert_int_equal(registry_open(f->dir, REGISTRY_CREATE,
	    32 * 4096, &reg), ERR_OK);
	for (added = 0; added < 100000; added++) {
		snprintf(name, sizeof(name), "user%06d", added);
		u = make_user(name, name);
		free(u->realname);
		u->realname = calloc(1, RECORD_MAX_TEXT + 1);
		assert_non_null(u->realname);
		memset(u->realname, 'r', RECORD_MAX_TEXT);
		e = registry_user_add(reg, u);
		user_free(u);
		if (e != ERR_OK)
			break;
	}
	assert_int_equal(e, ERR_REGISTRY_FULL);
	assert_true(added > 0);

	/* Issuing into the full map fails the same way, sooner or later. */
	while ((e = registry_issue(reg, "user000000", 0, fill_cert,
	    &ctx)) == ERR_OK)
		issued++;
	assert_int_equal(e, ERR_REGISTRY_FULL);

	assert_check_passes(reg);
	for (i = 0; i < added; i++) {
		snprintf(name, sizeof(name), "user%06d", i);
		assert_int_equal(registry_user_by_login(reg, name, &got),
		    ERR_OK);
		user_free(got);
	}
	snprintf(name, sizeof(name), "user%06d", added);
	assert_int_equal(registry_user_get(reg, name, &got), ERR_NOT_FOUND);
	registry_close(reg);

	/* A larger map takes up where the full one stopped. */
	reg = open_as(f, REGISTRY_WRITE);
	assert_true(issue_ok(reg, "user000000", 0) == (uint64_t)issued + 1);
	add_user(reg, "late", "late");
	assert_check_passes(reg);
	registry_close(reg);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* A child: issue PER_PROC certificates, each serial to fd. */
static void
issuer_child(const struct fixture *f, int fd)
{
	struct registry *reg = NULL;
	struct issue_ctx ctx = { ERR_OK, 0, -1, 0 };
	int i;

	if (registry_open(f->dir, REGISTRY_WRITE, 0, &reg) != ERR_OK)
		_exit(1);
	for (i = 0; i < PER_PROC; i++) {
		if (registry_issue(reg, i % 2 ? "alice" : "bob", 3,
		    fill_cert, &ctx) != ERR_OK)
			_exit(2);
		if (write(fd, &ctx.serial, sizeof(ctx.serial)) !=
		    sizeof(ctx.serial))
			_exit(3);
	}
	registry_close(reg);
	_exit(0);
}

static size_t
read_all(int fd, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, (char *)buf + got, len - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

static void
concurrent_issuers_get_unique_recorded_serials(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	uint64_t *serials;
	struct issued *c;
	pid_t pids[NPROCS];
	size_t total = NPROCS * PER_PROC, i;
	int fds[2], status;

	add_user(reg, "alice", "alice");
	add_user(reg, "bob", "bob");
	registry_close(reg);

	assert_int_equal(pipe(fds), 0);
	for (i = 0; i < NPROCS; i++) {
		pids[i] = fork();
		assert_true(pids[i] != -1);
		if (pids[i] == 0) {
			close(fds[0]);
			issuer_child(f, fds[1]);
		}
	}
	close(fds[1]);
	serials = calloc(total, sizeof(*serials));
	assert_non_null(serials);
	assert_int_equal(read_all(fds[0], serials, total * 8), total * 8);
	close(fds[0]);
	for (i = 0; i < NPROCS; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}

	/* Exactly the counters 1..total, each once, all on node 3. */
	qsort(serials, total, sizeof(*serials), cmp_u64);
	reg = open_as(f, REGISTRY_READ);
	for (i = 0; i < total; i++) {
		assert_true(NODE_BITS(serials[i]) == 3);
		assert_true(COUNTER(serials[i]) == i + 1);
		c = NULL;
		assert_int_equal(registry_issued_get(reg, serials[i], &c),
		    ERR_OK);
		issued_free(c);
	}
	assert_check_passes(reg);
	registry_close(reg);
	free(serials);
}

/* Children that stop forever inside a transaction, to be killed. */
static int
pause_in_list(void *arg, const struct user *u)
{
	int fd = *(int *)arg;

	if (write(fd, "r", 1) != 1)
		_exit(3);
	for (;;)
		pause();
	return 0;
}

static pid_t
spawn(struct fixture *f, int fd, int role)
{
	struct registry *reg = NULL;
	struct issue_ctx ctx = { ERR_OK, 0, -1, 0 };
	pid_t pid;
	int i;

	if ((pid = fork()) != 0) {
		assert_true(pid != -1);
		for (i = 0; i < MAX_KIDS && f->kids[i] > 0; i++)
			;
		assert_true(i < MAX_KIDS);
		f->kids[i] = pid;
		return pid;
	}
	if (registry_open(f->dir, REGISTRY_WRITE, 0, &reg) != ERR_OK)
		_exit(1);
	switch (role) {
	case 'z':	/* keep the environment open, idle */
		if (write(fd, "z", 1) != 1)
			_exit(3);
		for (;;)
			pause();
	case 'r':	/* hold a reader slot */
		registry_user_list(reg, pause_in_list, &fd);
		break;
	case 'w':	/* hold the writer lock, mid-transaction */
		ctx.notify_fd = fd;
		registry_issue(reg, "alice", 0, fill_cert, &ctx);
		break;
	default:	/* issue as fast as possible */
		for (;;) {
			if (registry_issue(reg, "alice", 0, fill_cert,
			    &ctx) != ERR_OK || write(fd, "i", 1) != 1)
				_exit(2);
		}
	}
	_exit(4);
}

static void
kill_and_reap(struct fixture *f, pid_t pid)
{
	int i, status;

	for (i = 0; i < MAX_KIDS; i++) {
		if (f->kids[i] == pid)
			f->kids[i] = 0;
	}
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/*
 * Killed while issuing, and killed holding the writer lock in the
 * middle of a transaction: the registry is as the last commit left it,
 * and the next writer takes the lock over (LMDB's robust mutex).
 */
static void
registry_survives_writers_killed_mid_run(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	char buf[64];
	uint64_t before, after;
	pid_t busy, writer;
	int fds[2];

	add_user(reg, "alice", "alice");
	registry_close(reg);
	assert_int_equal(pipe(fds), 0);

	busy = spawn(f, fds[1], 'i');
	assert_int_equal(read_all(fds[0], buf, sizeof(buf)), sizeof(buf));
	kill_and_reap(f, busy);

	writer = spawn(f, fds[1], 'w');
	/* The busy child may have written a last byte before it died. */
	do {
		assert_int_equal(read_all(fds[0], buf, 1), 1);
	} while (buf[0] == 'i');
	assert_int_equal(buf[0], 'w');
	kill_and_reap(f, writer);
	close(fds[0]);
	close(fds[1]);

	/* A dead writer's lock must not hang us: give up loudly. */
	alarm(60);
	reg = open_as(f, REGISTRY_WRITE);
	assert_check_passes(reg);
	before = issue_ok(reg, "alice", 0);
	after = issue_ok(reg, "alice", 0);
	assert_true(after == before + 1);
	assert_true(COUNTER(before) > sizeof(buf));
	registry_close(reg);
	alarm(0);
}

/*
 * A reader killed inside its transaction keeps its slot, and with it
 * the pages it saw, until someone clears it: opening does.
 */
static void
open_clears_readers_left_by_killed_processes(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	pid_t idle, reader;
	char c;
	int fds[2];

	add_user(reg, "alice", "alice");
	registry_close(reg);
	assert_int_equal(pipe(fds), 0);

	/*
	 * A live process keeps the environment open throughout: else
	 * the next open would be the only one and LMDB would reset the
	 * reader table by itself, proving nothing.
	 */
	idle = spawn(f, fds[1], 'z');
	assert_int_equal(read_all(fds[0], &c, 1), 1);
	assert_int_equal(c, 'z');
	reader = spawn(f, fds[1], 'r');
	assert_int_equal(read_all(fds[0], &c, 1), 1);
	assert_int_equal(c, 'r');
	kill_and_reap(f, reader);
	close(fds[0]);
	close(fds[1]);

	reg = open_as(f, REGISTRY_READ);
	assert_check_passes(reg);
	registry_close(reg);
	/* Nothing left for a second check to clear. */
	assert_int_equal(raw_stale_readers(f), 0);
	kill_and_reap(f, idle);
}

static void
newer_schema_version_is_refused(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	static const uint8_t v3[4] = { 0, 0, 0, 3 };

	registry_close(reg);
	raw_put(f, "meta", "schema_version", 14, v3, sizeof(v3));
	reg = NULL;
	assert_int_equal(registry_open(f->dir, REGISTRY_READ, 0, &reg),
	    ERR_INTERNAL);
	assert_int_equal(registry_open(f->dir, REGISTRY_WRITE, 0, &reg),
	    ERR_INTERNAL);
	assert_int_equal(registry_open(f->dir, REGISTRY_CREATE, 0, &reg),
	    ERR_INTERNAL);
	assert_null(reg);
}

/* An emptied data file is not taken for a new registry. */
static void
an_empty_data_file_is_refused_and_left_alone(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	char data[512];
	struct stat st;
	int fd;

	registry_close(reg);
	reg = NULL;
	path_in(f, "data.mdb", data, sizeof(data));
	assert_true((fd = open(data, O_WRONLY | O_TRUNC)) != -1);
	close(fd);
	assert_int_equal(registry_open(f->dir, REGISTRY_WRITE, 0, &reg),
	    ERR_INTERNAL);
	assert_int_equal(registry_open(f->dir, REGISTRY_READ, 0, &reg),
	    ERR_INTERNAL);
	assert_null(reg);
	assert_int_equal(stat(data, &st), 0);
	assert_int_equal(st.st_size, 0);
}

static void
check_finds_a_login_that_leads_nowhere(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	struct user *got = NULL;
	char why[256];

	add_user(reg, "alice", "alice");
	registry_close(reg);
	raw_put(f, "logins", "ghost", 5, "nobody", 6);
	reg = open_as(f, REGISTRY_READ);
	assert_int_equal(registry_check(reg, why, sizeof(why)),
	    ERR_INTERNAL);
	assert_non_null(strstr(why, "ghost"));
	assert_int_equal(registry_user_by_login(reg, "ghost", &got),
	    ERR_INTERNAL);
	assert_null(got);
	registry_close(reg);
}

/*
 * u, stored as it is under its name and login behind the registry's
 * back, makes registry_check fail with want in its reason. Frees u.
 */
static void
assert_check_refuses_user(const struct fixture *f, struct user *u,
    const char *want)
{
	struct registry *reg;
	uint8_t *rec;
	size_t len;
	char why[256];

	assert_int_equal(user_encode(u, &rec, &len), ERR_OK);
	raw_put(f, "users", u->name, strlen(u->name), rec, len);
	raw_put(f, "logins", u->login, strlen(u->login), u->name,
	    strlen(u->name));
	free(rec);
	user_free(u);
	reg = open_as(f, REGISTRY_READ);
	assert_int_equal(registry_check(reg, why, sizeof(why)),
	    ERR_INTERNAL);
	assert_non_null(strstr(why, want));
	registry_close(reg);
}

/* A registered key damaged on disk is found by the check. */
static void
check_finds_a_damaged_key(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	struct user *u;

	add_user(reg, "bob", "bob");
	registry_close(reg);
	/* A key blob that is no key, with the fingerprint of a good one. */
	u = make_user("alice", "alice");
	memcpy(u->keys[0].blob, "\0\0\0\x0bssh-ed25518", 15);
	assert_check_refuses_user(f, u, "key 1 of user alice");

	/* A good key under another key's fingerprint. */
	u = make_user("alice", "alice");
	strcpy(u->keys[0].fp,
	    "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU");
	assert_check_refuses_user(f, u, "stored fingerprint");
}

static void
check_finds_a_certificate_beyond_the_counter(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	static const uint8_t one[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };
	char why[256];

	add_user(reg, "alice", "alice");
	issue_ok(reg, "alice", 0);
	issue_ok(reg, "alice", 0);
	registry_close(reg);
	/* Wind the counter back: serial 2 would be handed out again. */
	raw_put(f, "meta", "next_serial", 11, one, sizeof(one));
	reg = open_as(f, REGISTRY_READ);
	assert_int_equal(registry_check(reg, why, sizeof(why)),
	    ERR_INTERNAL);
	assert_non_null(strstr(why, "counter"));
	registry_close(reg);
}

static void
check_finds_a_record_that_does_not_decode(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	char why[256];

	add_user(reg, "alice", "alice");
	registry_close(reg);
	raw_put(f, "users", "alice", 5, "\0\0\0\1junk", 8);
	reg = open_as(f, REGISTRY_READ);
	assert_int_equal(registry_check(reg, why, sizeof(why)),
	    ERR_INTERNAL);
	assert_non_null(strstr(why, "alice"));
	registry_close(reg);
}

/*
 * A version 1 registry exactly as db/SCHEMA.md describes it, written
 * with LMDB alone: its four sub-databases, the meta values, and the
 * example user bob (login bob) of the user record table.
 */
static const uint8_t bob_v1[] = {
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

static void
raw_txn_put(MDB_txn *txn, MDB_dbi dbi, const void *k, size_t kn,
    const void *v, size_t vn)
{
	MDB_val key, val;

	key.mv_size = kn;
	key.mv_data = (void *)(uintptr_t)k;
	val.mv_size = vn;
	val.mv_data = (void *)(uintptr_t)v;
	assert_int_equal(mdb_put(txn, dbi, &key, &val, 0), 0);
}

static void
raw_make_version_1(const struct fixture *f)
{
	static const uint8_t v1[4] = { 0, 0, 0, 1 };
	static const uint8_t next[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };
	static const char *const dbs[] = { "meta", "users", "logins",
	    "certs" };
	MDB_dbi dbi[4];
	MDB_env *env;
	MDB_txn *txn;
	size_t i;

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 4), 0);
	assert_int_equal(mdb_env_open(env, f->dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(mdb_dbi_open(txn, dbs[i], MDB_CREATE,
		    &dbi[i]), 0);
	raw_txn_put(txn, dbi[0], "schema_version", 14, v1, sizeof(v1));
	raw_txn_put(txn, dbi[0], "next_serial", 11, next, sizeof(next));
	raw_txn_put(txn, dbi[1], "bob", 3, bob_v1, sizeof(bob_v1));
	raw_txn_put(txn, dbi[2], "bob", 3, "bob", 3);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

/* The stored schema version, and whether "failures" exists. */
static uint32_t
raw_version(const struct fixture *f, int *has_failures)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val key, val;
	const uint8_t *b;
	uint32_t v;

	key.mv_size = 14;
	key.mv_data = "schema_version";
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 5), 0);
	assert_int_equal(mdb_env_open(env, f->dir, MDB_RDONLY, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
	assert_int_equal(mdb_get(txn, dbi, &key, &val), 0);
	assert_int_equal(val.mv_size, 4);
	b = val.mv_data;
	v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
	*has_failures = mdb_dbi_open(txn, "failures", 0, &dbi) == 0;
	mdb_txn_abort(txn);
	mdb_env_close(env);
	return v;
}

/* A registry-level counter step: one more failure, a fixed window. */
struct bump_ctx {
	enum err	fail;
	int		calls;
	int		invalid;	/* leave a record no one may store */
};

static enum err
bump(void *arg, struct failure *fl)
{
	struct bump_ctx *ctx = arg;

	ctx->calls++;
	if (ctx->fail != ERR_OK)
		return ctx->fail;
	fl->count++;
	fl->window_start = 1700000000;
	if (ctx->invalid)
		fl->locked_until = 1;
	return ERR_OK;
}

static uint32_t
count_of(struct registry *reg, const char *login)
{
	struct failure fl;
	enum err e = registry_failure_get(reg, login, &fl);

	if (e == ERR_NOT_FOUND)
		return 0;
	assert_int_equal(e, ERR_OK);
	return fl.count;
}

static void
version_1_registry_is_read_as_it_is_when_opened_to_read(void **state)
{
	struct fixture *f = *state;
	struct registry *reg;
	struct user *u = NULL;
	struct failure fl;
	int has;

	raw_make_version_1(f);
	reg = open_as(f, REGISTRY_READ);
	assert_int_equal(registry_user_by_login(reg, "BOB", &u), ERR_OK);
	assert_string_equal(u->name, "bob");
	assert_int_equal(u->state, USER_PENDING);
	user_free(u);
	assert_int_equal(registry_failure_get(reg, "bob", &fl),
	    ERR_NOT_FOUND);
	assert_int_equal(registry_failure_clear(reg, "bob"), ERR_OK);
	assert_check_passes(reg);
	registry_close(reg);

	/* Reading changed nothing. */
	assert_int_equal(raw_version(f, &has), 1);
	assert_false(has);
}

static void
version_1_registry_is_migrated_when_opened_to_write(void **state)
{
	struct fixture *f = *state;
	struct bump_ctx ctx = { ERR_OK, 0, 0 };
	struct registry *reg;
	struct user *u = NULL;
	int has;

	raw_make_version_1(f);
	reg = open_as(f, REGISTRY_WRITE);
	registry_close(reg);
	assert_int_equal(raw_version(f, &has), 2);
	assert_true(has);

	/* Everything of version 1 is still there, and counting works. */
	reg = open_as(f, REGISTRY_WRITE);
	assert_int_equal(registry_user_get(reg, "bob", &u), ERR_OK);
	user_free(u);
	assert_int_equal(registry_failure_update(reg, "bob", bump, &ctx),
	    ERR_OK);
	assert_int_equal(count_of(reg, "bob"), 1);
	assert_check_passes(reg);
	registry_close(reg);
	reg = open_as(f, REGISTRY_READ);
	assert_int_equal(count_of(reg, "bob"), 1);
	assert_check_passes(reg);
	registry_close(reg);
}

static void
version_1_registry_is_migrated_by_create_as_well(void **state)
{
	struct fixture *f = *state;
	struct registry *reg;
	int has;

	raw_make_version_1(f);
	reg = open_as(f, REGISTRY_CREATE);
	assert_check_passes(reg);
	registry_close(reg);
	assert_int_equal(raw_version(f, &has), 2);
	assert_true(has);
}

/* Signers started at once on an old registry: each one gets in. */
static void
writers_racing_to_migrate_all_open_the_registry(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = NULL;
	pid_t pids[NPROCS];
	int i, status, has;

	raw_make_version_1(f);
	for (i = 0; i < NPROCS; i++) {
		pids[i] = fork();
		assert_true(pids[i] != -1);
		if (pids[i] == 0)
			_exit(registry_open(f->dir, REGISTRY_WRITE, 0, &reg) ==
			    ERR_OK ? 0 : 1);
	}
	for (i = 0; i < NPROCS; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_int_equal(raw_version(f, &has), 2);
	assert_true(has);
	reg = open_as(f, REGISTRY_READ);
	assert_check_passes(reg);
	registry_close(reg);
}

static void
failure_counters_exist_only_for_registered_logins(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	struct bump_ctx ctx = { ERR_OK, 0, 0 };

	add_user(reg, "alice", "Alice.Smith");
	assert_int_equal(registry_failure_update(reg, "mallory", bump,
	    &ctx), ERR_NOT_REGISTERED);
	assert_int_equal(registry_failure_update(reg, "a b", bump, &ctx),
	    ERR_NOT_REGISTERED);
	/* A user's name is not a login: only logins are counted. */
	assert_int_equal(registry_failure_update(reg, "alice", bump, &ctx),
	    ERR_NOT_REGISTERED);
	assert_int_equal(ctx.calls, 0);

	/* Any case of the login is one counter. */
	assert_int_equal(registry_failure_update(reg, "ALICE.smith", bump,
	    &ctx), ERR_OK);
	assert_int_equal(registry_failure_update(reg, "alice.smith", bump,
	    &ctx), ERR_OK);
	assert_int_equal(count_of(reg, "Alice.Smith"), 2);
	assert_int_equal(count_of(reg, "mallory"), 0);
	assert_check_passes(reg);

	assert_int_equal(registry_failure_clear(reg, "ALICE.SMITH"), ERR_OK);
	assert_int_equal(count_of(reg, "alice.smith"), 0);
	assert_int_equal(registry_failure_clear(reg, "alice.smith"), ERR_OK);
	assert_int_equal(registry_failure_clear(reg, "mallory"), ERR_OK);
	registry_close(reg);
}

static void
failure_update_writes_nothing_when_refused(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	struct bump_ctx ctx = { ERR_OK, 0, 0 };

	add_user(reg, "alice", "alice");
	assert_int_equal(registry_failure_update(reg, "alice", bump, &ctx),
	    ERR_OK);
	ctx.fail = ERR_REGISTRY_BUSY;
	assert_int_equal(registry_failure_update(reg, "alice", bump, &ctx),
	    ERR_REGISTRY_BUSY);
	ctx.fail = ERR_OK;
	ctx.invalid = 1;
	assert_int_equal(registry_failure_update(reg, "alice", bump, &ctx),
	    ERR_INTERNAL);
	assert_int_equal(count_of(reg, "alice"), 1);
	registry_close(reg);

	/* Read-only: counting is refused, and so is a clear that writes. */
	ctx.invalid = 0;
	reg = open_as(f, REGISTRY_READ);
	assert_int_equal(registry_failure_update(reg, "alice", bump, &ctx),
	    ERR_INTERNAL);
	assert_int_equal(registry_failure_clear(reg, "alice"), ERR_INTERNAL);
	assert_int_equal(count_of(reg, "alice"), 1);
	registry_close(reg);
}

/*
 * A damaged counter is reported by the check but read as none, so
 * that it cannot lock its login out for good; the next failure
 * replaces it.
 */
static void
check_finds_a_damaged_failure_record(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	struct bump_ctx ctx = { ERR_OK, 0, 0 };
	char why[256];

	add_user(reg, "alice", "alice");
	registry_close(reg);
	raw_put(f, "failures", "alice", 5, "\0\0\0\1\0\0\0\0", 8);
	reg = open_as(f, REGISTRY_READ);
	assert_int_equal(registry_check(reg, why, sizeof(why)),
	    ERR_INTERNAL);
	assert_non_null(strstr(why, "alice"));
	assert_non_null(strstr(why, "decode"));
	assert_int_equal(count_of(reg, "alice"), 0);
	registry_close(reg);

	reg = open_as(f, REGISTRY_WRITE);
	assert_int_equal(registry_failure_update(reg, "alice", bump, &ctx),
	    ERR_OK);
	assert_int_equal(count_of(reg, "alice"), 1);
	assert_check_passes(reg);
	registry_close(reg);
}

static void
check_finds_failure_records_of_no_registered_login(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	static const uint8_t rec[] = {
		0, 0, 0, 1, 0, 0, 0, 1,
		0, 0, 0, 0, 0x65, 0x53, 0xf1, 0x00,
		0, 0, 0, 0, 0, 0, 0, 0,
	};
	char why[256];

	add_user(reg, "alice", "alice");
	registry_close(reg);
	raw_put(f, "failures", "alice", 5, rec, sizeof(rec));
	reg = open_as(f, REGISTRY_READ);
	assert_check_passes(reg);
	registry_close(reg);

	raw_put(f, "failures", "ghost", 5, rec, sizeof(rec));
	reg = open_as(f, REGISTRY_READ);
	assert_int_equal(registry_check(reg, why, sizeof(why)),
	    ERR_INTERNAL);
	assert_non_null(strstr(why, "ghost"));
	registry_close(reg);
}

static void
check_finds_a_failure_record_under_an_unfolded_login(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	static const uint8_t rec[] = {
		0, 0, 0, 1, 0, 0, 0, 1,
		0, 0, 0, 0, 0x65, 0x53, 0xf1, 0x00,
		0, 0, 0, 0, 0, 0, 0, 0,
	};
	char why[256];

	add_user(reg, "alice", "alice");
	registry_close(reg);
	raw_put(f, "failures", "Alice", 5, rec, sizeof(rec));
	reg = open_as(f, REGISTRY_READ);
	assert_int_equal(registry_check(reg, why, sizeof(why)),
	    ERR_INTERNAL);
	assert_non_null(strstr(why, "Alice"));
	registry_close(reg);
}

/*
 * Files another user owns: as root, become nobody in a child so that
 * the permission check is real.
 */
static void
open_for_writing_refuses_files_it_cannot_write(void **state)
{
	struct fixture *f = *state;
	struct registry *reg = open_as(f, REGISTRY_CREATE);
	char p[300];
	pid_t pid;
	int status;

	registry_close(reg);
	assert_int_equal(chmod(f->dir, 0755), 0);
	path_in(f, "data.mdb", p, sizeof(p));
	assert_int_equal(chmod(p, 0444), 0);
	path_in(f, "lock.mdb", p, sizeof(p));
	assert_int_equal(chmod(p, 0444), 0);

	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		if (geteuid() == 0 && (setgid(65534) == -1 ||
		    setuid(65534) == -1))
			_exit(1);
		_exit(registry_open(f->dir, REGISTRY_WRITE, 0, &reg) ==
		    ERR_REGISTRY_MISSING ? 0 : 2);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int
main(void)
{
#define T(name)	cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(create_makes_data_and_lock_files_in_the_folder),
		T(open_refuses_a_folder_without_a_registry),
		T(open_refuses_a_missing_folder),
		T(add_then_get_returns_the_same_record),
		T(by_login_finds_the_user_whatever_the_case),
		T(get_of_an_unknown_or_invalid_name_is_not_found),
		T(add_refuses_a_taken_name),
		T(add_refuses_a_taken_login),
		T(add_refuses_an_invalid_record),
		T(list_walks_users_in_name_order),
		T(list_stops_when_the_callback_asks),
		T(read_only_registry_refuses_writes),
		T(issue_gives_distinct_increasing_serials_with_node_id_bits),
		T(issue_records_the_certificate_and_the_users_last_serial),
		T(issue_for_an_unknown_user_is_not_registered),
		T(failing_callback_writes_nothing),
		T(issue_refuses_a_node_id_above_65535),
		T(map_full_is_reported_and_leaves_the_registry_consistent),
		T(concurrent_issuers_get_unique_recorded_serials),
		T(registry_survives_writers_killed_mid_run),
		T(open_clears_readers_left_by_killed_processes),
		T(newer_schema_version_is_refused),
		T(an_empty_data_file_is_refused_and_left_alone),
		T(check_finds_a_login_that_leads_nowhere),
		T(check_finds_a_damaged_key),
		T(check_finds_a_certificate_beyond_the_counter),
		T(check_finds_a_record_that_does_not_decode),
		T(open_for_writing_refuses_files_it_cannot_write),
		T(version_1_registry_is_read_as_it_is_when_opened_to_read),
		T(version_1_registry_is_migrated_when_opened_to_write),
		T(version_1_registry_is_migrated_by_create_as_well),
		T(writers_racing_to_migrate_all_open_the_registry),
		T(failure_counters_exist_only_for_registered_logins),
		T(failure_update_writes_nothing_when_refused),
		T(check_finds_a_damaged_failure_record),
		T(check_finds_failure_records_of_no_registered_login),
		T(check_finds_a_failure_record_under_an_unfolded_login),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
