/* SPDX-License-Identifier: ISC */
/*
 * test_guard: the failed-login policy on a real registry with a clock
 * of the tests' own: who is counted, when a login locks, for how long,
 * what unlocks it, that invented logins leave no trace, and that
 * failures from many processes at once are each counted.
 *
 * Each test gets a fresh registry under $TMPDIR (or /tmp) holding the
 * users alice (login Alice) and bob. Forked children open the registry
 * themselves (an LMDB environment must not cross a fork) and report
 * through their exit status, never through cmocka.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <lmdb.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "directory.h"
#include "guard.h"
#include "log.h"
#include "record.h"
#include "registry.h"

#define T0		INT64_C(1700000000)
#define NPROCS		8
#define PER_PROC	50

/* Every log line of the run also goes here, for the audit test. */
static char logpath[256];

struct fixture {
	char			 dir[256];
	struct registry		*reg;
	struct config		*cfg;
};

static char *
xstrdup(const char *s)
{
	char *d = strdup(s);

	assert_non_null(d);
	return d;
}

static void
add_user(struct registry *reg, const char *name, const char *login)
{
	struct user *u = calloc(1, sizeof(*u));

	assert_non_null(u);
	u->name = xstrdup(name);
	u->login = xstrdup(login);
	u->realname = xstrdup("");
	u->state = USER_ACTIVE;
	u->principals = calloc(1, sizeof(*u->principals));
	assert_non_null(u->principals);
	u->principals[0] = xstrdup(name);
	u->nprincipals = 1;
	u->expiry = 86400;
	assert_int_equal(registry_user_add(reg, u), ERR_OK);
	user_free(u);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/cassh-guard-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(f->dir) == NULL ||
	    registry_open(f->dir, REGISTRY_CREATE, 0, &f->reg) != ERR_OK ||
	    (f->cfg = config_defaults()) == NULL)
		return -1;
	add_user(f->reg, "alice", "Alice");
	add_user(f->reg, "bob", "bob");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char p[300];

	registry_close(f->reg);
	config_free(f->cfg);
	snprintf(p, sizeof(p), "%s/data.mdb", f->dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/lock.mdb", f->dir);
	unlink(p);
	rmdir(f->dir);
	free(f);
	return 0;
}

static uint32_t
count_of(struct fixture *f, const char *login)
{
	struct failure fl;
	enum err e = registry_failure_get(f->reg, login, &fl);

	if (e == ERR_NOT_FOUND)
		return 0;
	assert_int_equal(e, ERR_OK);
	return fl.count;
}

/* n wrong passwords at now, none of which may lock. */
static void
fail_n(struct fixture *f, const char *login, int n, int64_t now)
{
	while (n-- > 0)
		assert_int_equal(guard_failed(f->reg, f->cfg, login, now),
		    ERR_OK);
}

static enum err
check_at(struct fixture *f, const char *login, int64_t now)
{
	int64_t wait = -1;
	enum err e = guard_check(f->reg, f->cfg, login, now, &wait);

	if (e == ERR_OK)
		assert_true(wait == -1);
	return e;
}

/* The number of failure records, read with LMDB alone. */
static size_t
raw_failure_records(struct fixture *f)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_stat st;

	registry_close(f->reg);
	f->reg = NULL;
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 5), 0);
	assert_int_equal(mdb_env_open(env, f->dir, MDB_RDONLY, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "failures", 0, &dbi), 0);
	assert_int_equal(mdb_stat(txn, dbi, &st), 0);
	mdb_txn_abort(txn);
	mdb_env_close(env);
	assert_int_equal(registry_open(f->dir, REGISTRY_WRITE, 0, &f->reg),
	    ERR_OK);
	return st.ms_entries;
}

static void
failures_are_counted_only_for_registered_logins(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(guard_failed(f->reg, f->cfg, "alice", T0), ERR_OK);
	assert_int_equal(guard_failed(f->reg, f->cfg, "mallory", T0),
	    ERR_NOT_REGISTERED);
	assert_int_equal(guard_failed(f->reg, f->cfg, "../x", T0),
	    ERR_NOT_REGISTERED);
	assert_int_equal(count_of(f, "ALICE"), 1);
	assert_int_equal(count_of(f, "bob"), 0);
	assert_int_equal(count_of(f, "mallory"), 0);
	assert_int_equal(check_at(f, "mallory", T0), ERR_OK);
}

static void
login_locks_at_the_nth_failure_in_the_window(void **state)
{
	struct fixture *f = *state;
	int64_t wait = 0;

	fail_n(f, "alice", 4, T0);
	assert_int_equal(check_at(f, "alice", T0 + 10), ERR_OK);
	assert_int_equal(guard_failed(f->reg, f->cfg, "Alice", T0 + 10),
	    ERR_LOCKED);
	assert_int_equal(guard_check(f->reg, f->cfg, "ALICE", T0 + 11,
	    &wait), ERR_LOCKED);
	assert_true(wait == 59);

	/* One login locked, the others not at all. */
	assert_int_equal(check_at(f, "bob", T0 + 11), ERR_OK);
	assert_int_equal(count_of(f, "alice"), 5);
}

static void
failures_spread_beyond_the_window_never_lock(void **state)
{
	struct fixture *f = *state;
	int i;

	/* Four failures per window, for many windows. */
	for (i = 0; i < 10; i++) {
		fail_n(f, "alice", 4, T0 + i * 300);
		assert_int_equal(check_at(f, "alice", T0 + i * 300 + 299),
		    ERR_OK);
	}
	assert_int_equal(count_of(f, "alice"), 4);
}

static void
lock_expires_after_lockout_time(void **state)
{
	struct fixture *f = *state;

	fail_n(f, "alice", 4, T0);
	assert_int_equal(guard_failed(f->reg, f->cfg, "alice", T0),
	    ERR_LOCKED);
	assert_int_equal(check_at(f, "alice", T0 + 59), ERR_LOCKED);
	assert_int_equal(check_at(f, "alice", T0 + 60), ERR_OK);
}

/*
 * Slowed, not shut: inside the window each further wrong password
 * locks again, for lockout_time from that failure.
 */
static void
further_failure_in_the_window_locks_again(void **state)
{
	struct fixture *f = *state;

	fail_n(f, "alice", 4, T0);
	assert_int_equal(guard_failed(f->reg, f->cfg, "alice", T0),
	    ERR_LOCKED);
	assert_int_equal(guard_failed(f->reg, f->cfg, "alice", T0 + 60),
	    ERR_LOCKED);
	assert_int_equal(check_at(f, "alice", T0 + 119), ERR_LOCKED);
	assert_int_equal(check_at(f, "alice", T0 + 120), ERR_OK);

	/* A new window starts the count again. */
	assert_int_equal(guard_failed(f->reg, f->cfg, "alice", T0 + 300),
	    ERR_OK);
	assert_int_equal(count_of(f, "alice"), 1);
}

/* A failure that raced the check must not stretch the lock. */
static void
failure_during_a_lock_does_not_lengthen_it(void **state)
{
	struct fixture *f = *state;

	fail_n(f, "alice", 4, T0);
	assert_int_equal(guard_failed(f->reg, f->cfg, "alice", T0),
	    ERR_LOCKED);
	fail_n(f, "alice", 20, T0 + 30);
	assert_int_equal(check_at(f, "alice", T0 + 59), ERR_LOCKED);
	assert_int_equal(check_at(f, "alice", T0 + 60), ERR_OK);
}

static void
success_clears_the_count_and_the_lock(void **state)
{
	struct fixture *f = *state;

	fail_n(f, "alice", 4, T0);
	assert_int_equal(guard_succeeded(f->reg, "ALICE"), ERR_OK);
	assert_int_equal(count_of(f, "alice"), 0);
	fail_n(f, "alice", 4, T0 + 1);

	assert_int_equal(guard_failed(f->reg, f->cfg, "alice", T0 + 1),
	    ERR_LOCKED);
	assert_int_equal(guard_succeeded(f->reg, "alice"), ERR_OK);
	assert_int_equal(check_at(f, "alice", T0 + 2), ERR_OK);
	fail_n(f, "alice", 4, T0 + 2);

	/* Nothing to clear is no error, and writes nothing. */
	assert_int_equal(guard_succeeded(f->reg, "bob"), ERR_OK);
	assert_int_equal(guard_succeeded(f->reg, "mallory"), ERR_OK);
}

static void
invented_logins_leave_the_table_empty(void **state)
{
	struct fixture *f = *state;
	char login[32];
	int i;

	for (i = 0; i < 1000; i++) {
		snprintf(login, sizeof(login), "invented%04d", i);
		assert_int_equal(guard_failed(f->reg, f->cfg, login, T0),
		    ERR_NOT_REGISTERED);
		assert_int_equal(check_at(f, login, T0), ERR_OK);
	}
	assert_int_equal(raw_failure_records(f), 0);

	/* A registered login takes its one record, however often. */
	fail_n(f, "bob", 3, T0);
	fail_n(f, "BOB", 1, T0);
	assert_int_equal(raw_failure_records(f), 1);
}

/* A clock stepped back must not turn a short lock into a long one. */
static void
lock_longer_than_lockout_time_is_not_honoured(void **state)
{
	struct fixture *f = *state;

	fail_n(f, "alice", 4, T0);
	assert_int_equal(guard_failed(f->reg, f->cfg, "alice", T0),
	    ERR_LOCKED);
	assert_int_equal(check_at(f, "alice", T0 - 1), ERR_OK);
	assert_int_equal(check_at(f, "alice", T0 - 86400), ERR_OK);

	/* A lowered lockout_time holds for locks already set. */
	f->cfg->lockout_time = 10;
	assert_int_equal(check_at(f, "alice", T0 + 1), ERR_OK);
	assert_int_equal(check_at(f, "alice", T0 + 50), ERR_LOCKED);
	assert_int_equal(check_at(f, "alice", T0 + 60), ERR_OK);

	/* Counting after the step back starts a new window. */
	assert_int_equal(guard_failed(f->reg, f->cfg, "alice", T0 - 3600),
	    ERR_OK);
	assert_int_equal(count_of(f, "alice"), 1);
}

static void
lockout_failures_0_turns_the_guard_off(void **state)
{
	struct fixture *f = *state;

	fail_n(f, "alice", 4, T0);
	assert_int_equal(guard_failed(f->reg, f->cfg, "alice", T0),
	    ERR_LOCKED);
	f->cfg->lockout_failures = 0;
	assert_int_equal(check_at(f, "alice", T0), ERR_OK);
	fail_n(f, "alice", 100, T0);
	fail_n(f, "mallory", 1, T0);
	assert_int_equal(count_of(f, "alice"), 5);
}

static void
lockout_failures_1_locks_at_the_first_failure(void **state)
{
	struct fixture *f = *state;

	f->cfg->lockout_failures = 1;
	assert_int_equal(guard_failed(f->reg, f->cfg, "bob", T0),
	    ERR_LOCKED);
	assert_int_equal(check_at(f, "bob", T0), ERR_LOCKED);
}

/*
 * A child: PER_PROC failures of alice; its exit status is how many of
 * them set the lock, or 100 and above for an error.
 */
static void
failing_child(const struct fixture *f)
{
	struct registry *reg = NULL;
	enum err e;
	int i, locks = 0;

	if (registry_open(f->dir, REGISTRY_WRITE, 0, &reg) != ERR_OK)
		_exit(100);
	for (i = 0; i < PER_PROC; i++) {
		e = guard_failed(reg, f->cfg, "alice", T0);
		if (e == ERR_LOCKED)
			locks++;
		else if (e != ERR_OK)
			_exit(101);
	}
	registry_close(reg);
	_exit(locks);
}

static void
concurrent_failures_from_many_processes_are_counted_exactly(void **state)
{
	struct fixture *f = *state;
	pid_t pids[NPROCS];
	int i, status, locks = 0;

	/* Exactly one failure, the last one, reaches the limit. */
	f->cfg->lockout_failures = NPROCS * PER_PROC;
	/* The registry is not shared across the fork: close it first. */
	registry_close(f->reg);
	f->reg = NULL;
	for (i = 0; i < NPROCS; i++) {
		pids[i] = fork();
		assert_true(pids[i] != -1);
		if (pids[i] == 0)
			failing_child(f);
	}
	for (i = 0; i < NPROCS; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_true(WEXITSTATUS(status) < 100);
		locks += WEXITSTATUS(status);
	}
	assert_int_equal(registry_open(f->dir, REGISTRY_WRITE, 0, &f->reg),
	    ERR_OK);
	assert_int_equal(count_of(f, "alice"), NPROCS * PER_PROC);
	assert_int_equal(locks, 1);
}

/*
 * guard_authenticate without a directory: an empty password is wrong
 * before any LDAP traffic, and the URI points where nothing listens,
 * so that a test that reached the directory would see it down.
 */
static void
authenticate_counts_bad_passwords_and_refuses_a_locked_login(void **state)
{
	const struct directory_ops *dir = &directory_local_ops;
	struct fixture *f = *state;
	struct directory *d;
	int i;

	free(f->cfg->ldap_uri);
	f->cfg->ldap_uri = xstrdup("ldap://127.0.0.1:1");
	f->cfg->ldap_timeout = 1;
	assert_int_equal(directory_open(f->cfg, &d), ERR_OK);
	for (i = 0; i < 4; i++)
		assert_int_equal(guard_authenticate(f->cfg, f->reg, dir, d,
		    "alice", ""), ERR_AUTH);
	assert_int_equal(guard_authenticate(f->cfg, f->reg, dir, d, "alice",
	    ""), ERR_LOCKED);
	/* Locked: refused before the directory, which would be down. */
	assert_int_equal(guard_authenticate(f->cfg, f->reg, dir, d, "alice",
	    "secret"), ERR_LOCKED);
	assert_int_equal(count_of(f, "alice"), 5);

	/* A directory that is down is no wrong password: not counted. */
	assert_int_equal(guard_authenticate(f->cfg, f->reg, dir, d, "bob",
	    "secret"), ERR_DIRECTORY_DOWN);
	assert_int_equal(count_of(f, "bob"), 0);

	/* Without a registry the directory alone decides. */
	assert_int_equal(guard_authenticate(f->cfg, NULL, dir, d, "alice",
	    ""), ERR_AUTH);
	directory_close(d);
}

static void
lock_is_audited_with_its_login_count_and_end(void **state)
{
	struct fixture *f = *state;
	char buf[65536];
	FILE *fp;
	size_t n;

	fail_n(f, "alice", 4, T0);
	assert_int_equal(guard_failed(f->reg, f->cfg, "Alice", T0 + 5),
	    ERR_LOCKED);
	assert_non_null(fp = fopen(logpath, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "event=lockout login=\"Alice\" "
	    "failures=5 until=1700000065 seconds=60"));
}

static void
locked_error_reads_as_a_lock_and_is_not_permitted(void **state)
{
	assert_non_null(strstr(err_str(ERR_LOCKED), "too many failed"));
	assert_int_equal(err_exit_status(ERR_LOCKED), 77);
	assert_string_equal(err_name(ERR_LOCKED), "locked");
}

int
main(void)
{
#define T(name)	cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(failures_are_counted_only_for_registered_logins),
		T(login_locks_at_the_nth_failure_in_the_window),
		T(failures_spread_beyond_the_window_never_lock),
		T(lock_expires_after_lockout_time),
		T(further_failure_in_the_window_locks_again),
		T(failure_during_a_lock_does_not_lengthen_it),
		T(success_clears_the_count_and_the_lock),
		T(invented_logins_leave_the_table_empty),
		T(lock_longer_than_lockout_time_is_not_honoured),
		T(lockout_failures_0_turns_the_guard_off),
		T(lockout_failures_1_locks_at_the_first_failure),
		T(concurrent_failures_from_many_processes_are_counted_exactly),
		T(authenticate_counts_bad_passwords_and_refuses_a_locked_login),
		T(lock_is_audited_with_its_login_count_and_end),
		T(locked_error_reads_as_a_lock_and_is_not_permitted),
	};
#undef T
	const char *tmp = getenv("TMPDIR");
	int fd, rc;

	snprintf(logpath, sizeof(logpath), "%s/cassh-guard-log-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if ((fd = mkstemp(logpath)) == -1)
		return 1;
	close(fd);
	log_open("test_guard", 0, logpath);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(logpath);
	return rc;
}
