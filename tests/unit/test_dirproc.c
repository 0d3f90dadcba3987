/* SPDX-License-Identifier: ISC */
/*
 * test_dirproc: the directory process (src/dirproc.c) from both ends.
 *
 * The monitor's side against a process that misbehaves: one that
 * answers out of protocol, says what no directory says, dies or keeps
 * silent must never read as a proved password, and must be gone
 * afterwards. The process's side as the signer starts it: what it does
 * with messages out of turn, and that it answers what the directory
 * decides. No LDAP server is needed: the configuration points at a
 * port where nothing listens.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "dirproc.h"
#include "log.h"
#include "monitor.h"
#include "wire.h"

static char log_path[256];

/* What the fake process does with the AUTH it reads. */
enum fake {
	FAKE_ANSWER,		/* AUTH_REPLY with the code given */
	FAKE_WRONG_TYPE,	/* a frame of another type */
	FAKE_TRAILING,		/* AUTH_REPLY with a byte too many */
	FAKE_DIE,		/* exit without a word */
	FAKE_SILENT,		/* read, and never answer */
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void __attribute__((noreturn))
fake_process(int fd, enum fake how, uint32_t code)
{
	struct wreader r;
	struct wbuf b;
	uint8_t *msg, type;
	size_t len;

	if (monitor_recv(fd, 0, &msg, &len, &r, &type) != 1 ||
	    type != DIRPROC_AUTH)
		_exit(2);
	monitor_msg_free(msg, len);
	if (how == FAKE_DIE)
		_exit(0);
	if (how == FAKE_SILENT)
		for (;;)
			pause();
	wbuf_init(&b);
	monitor_msg_begin(&b, how == FAKE_WRONG_TYPE ? DIRPROC_FIND :
	    DIRPROC_AUTH_REPLY);
	wbuf_put_u32(&b, code);
	if (how == FAKE_TRAILING)
		wbuf_put_u8(&b, 0);
	(void)monitor_send(fd, &b);
	wbuf_free(&b);
	for (;;)
		pause();
}

/* A struct dirproc whose process is the fake. */
static void
fake_start(struct dirproc *dp, enum fake how, uint32_t code)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	dp->pid = fork();
	assert_true(dp->pid != -1);
	if (dp->pid == 0) {
		close(sv[0]);
		fake_process(sv[1], how, code);
	}
	close(sv[1]);
	dp->fd = sv[0];
	dp->conn_id = "test";
	dp->deadline = 1;
}

static enum err
auth(struct dirproc *dp, const char *login, const char *password)
{
	return dirproc_ops.authenticate(dp, login, password);
}

/* After a broken answer the process is killed and reaped. */
static void
assert_gone(struct dirproc *dp, pid_t pid)
{
	assert_int_equal(dp->pid, -1);
	assert_int_equal(dp->fd, -1);
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
}

static void
authenticate_passes_on_what_the_process_answers(void **state)
{
	struct dirproc dp;

	(void)state;
	fake_start(&dp, FAKE_ANSWER, ERR_AUTH);
	assert_int_equal(auth(&dp, "alice", "pw"), ERR_AUTH);
	dirproc_stop(&dp, 1);
	fake_start(&dp, FAKE_ANSWER, ERR_OK);
	assert_int_equal(auth(&dp, "alice", "pw"), ERR_OK);
	dirproc_stop(&dp, 1);
}

static void
an_answer_no_directory_gives_is_an_internal_error(void **state)
{
	const uint32_t lies[] = { ERR_NOT_PERMITTED, ERR_LOCKED, ERR_MAX,
	    0xffffffff };
	struct dirproc dp;
	pid_t pid;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		fake_start(&dp, FAKE_ANSWER, lies[i]);
		pid = dp.pid;
		assert_int_equal(auth(&dp, "alice", "pw"), ERR_INTERNAL);
		assert_gone(&dp, pid);
	}
}

static void
an_answer_out_of_protocol_is_an_internal_error(void **state)
{
	const enum fake ways[] = { FAKE_WRONG_TYPE, FAKE_TRAILING, FAKE_DIE };
	struct dirproc dp;
	pid_t pid;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ways) / sizeof(ways[0]); i++) {
		fake_start(&dp, ways[i], ERR_OK);
		pid = dp.pid;
		assert_int_equal(auth(&dp, "alice", "pw"), ERR_INTERNAL);
		assert_gone(&dp, pid);
		/* And the next one does not ask a process that is gone. */
		assert_int_equal(auth(&dp, "alice", "pw"), ERR_INTERNAL);
	}
}

static void
a_silent_process_reads_as_the_directory_down_after_the_deadline(
    void **state)
{
	struct dirproc dp;
	double t;
	pid_t pid;

	(void)state;
	fake_start(&dp, FAKE_SILENT, 0);
	pid = dp.pid;
	t = now();
	assert_int_equal(auth(&dp, "alice", "pw"), ERR_DIRECTORY_DOWN);
	t = now() - t;
	assert_true(t >= 0.9 && t < 3);
	assert_gone(&dp, pid);
}

/* The process as the signer starts it, with a directory nobody runs. */
static struct config *
dead_config(void)
{
	struct config *cfg;

	assert_non_null(cfg = config_defaults());
	free(cfg->ldap_uri);
	assert_non_null(cfg->ldap_uri = strdup("ldap://127.0.0.1:1/"));
	cfg->ldap_timeout = 1;
	return cfg;
}

static void
real_start(struct dirproc *dp, struct config *cfg, struct sandbox *sb)
{
	assert_int_equal(sandbox_prepare(cfg->privsep_user, sb), ERR_OK);
	assert_int_equal(dirproc_start(dp, cfg, sb, NULL, 0, "test"),
	    ERR_OK);
	assert_true(dp->pid > 0);
}

/* Whether the log file holds needle. */
static int
logged(const char *needle)
{
	char buf[16384];
	size_t n;
	FILE *f;

	if ((f = fopen(log_path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

/* Whether a descriptor of pid names path. */
static int
holds(pid_t pid, const char *path)
{
	char dir[64], link[512], target[512];
	struct dirent *e;
	DIR *dp;
	ssize_t n;
	int found = 0;

	snprintf(dir, sizeof(dir), "/proc/%ld/fd", (long)pid);
	if ((dp = opendir(dir)) == NULL)
		return 0;
	while ((e = readdir(dp)) != NULL) {
		snprintf(link, sizeof(link), "%s/%s", dir, e->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			found |= strcmp(target, path) == 0;
		}
	}
	closedir(dp);
	return found;
}

static void
the_process_answers_what_the_directory_decides(void **state)
{
	struct config *cfg = dead_config();
	struct dirproc dp;
	struct sandbox sb;

	(void)state;
	real_start(&dp, cfg, &sb);
	dirproc_warm(&dp);
	dirproc_ops.find(&dp, "alice");
	/* Refused before any traffic, then nobody answers. */
	assert_int_equal(auth(&dp, "alice", ""), ERR_AUTH);
	assert_int_equal(auth(&dp, "alice", "pw"), ERR_DIRECTORY_DOWN);
	assert_int_equal(auth(&dp, "alice", "pw"), ERR_DIRECTORY_DOWN);
	assert_true(dp.pid > 0);
	dirproc_stop(&dp, 0);
	assert_int_equal(dp.pid, -1);
	config_free(cfg);
}

/*
 * Its lines reach the log through the monitor: it holds no descriptor
 * of the log file, whose O_APPEND it could otherwise turn off.
 */
static void
the_process_logs_through_the_monitor_alone(void **state)
{
	struct config *cfg = dead_config();
	struct dirproc dp;
	struct sandbox sb;

	(void)state;
	real_start(&dp, cfg, &sb);
	dirproc_warm(&dp);
	assert_int_equal(auth(&dp, "alice", "pw"), ERR_DIRECTORY_DOWN);
	assert_true(logged("event=ldap_error"));
	assert_true(logged("step=\"connect\""));
	if (geteuid() == 0)
		assert_false(holds(dp.pid, log_path));
	dirproc_stop(&dp, 0);
	config_free(cfg);
}

/* A process that floods the log is cut off. */
static void __attribute__((noreturn))
fake_chatter(int fd)
{
	struct wbuf b;
	int i;

	for (i = 0; i < 1000; i++) {
		wbuf_init(&b);
		monitor_msg_begin(&b, DIRPROC_LOG);
		wbuf_put_u32(&b, 4);
		wbuf_put_cstring(&b, "event=chatter");
		(void)monitor_send(fd, &b);
		wbuf_free(&b);
	}
	for (;;)
		pause();
}

static void
a_process_that_floods_the_log_is_cut_off(void **state)
{
	struct dirproc dp;
	int sv[2];
	pid_t pid;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_true((dp.pid = fork()) != -1);
	if (dp.pid == 0) {
		close(sv[0]);
		fake_chatter(sv[1]);
	}
	close(sv[1]);
	dp.fd = sv[0];
	dp.lines = 0;
	dp.conn_id = "test";
	dp.deadline = 1;
	pid = dp.pid;
	assert_int_equal(auth(&dp, "alice", "pw"), ERR_INTERNAL);
	assert_gone(&dp, pid);
}

/*
 * Before WARM the process may do nothing: an AUTH then ends it, and
 * the monitor reads that as a broken process, never as an answer.
 */
static void
the_process_ends_on_a_message_before_warm(void **state)
{
	struct config *cfg = dead_config();
	struct dirproc dp;
	struct sandbox sb;
	pid_t pid;

	(void)state;
	real_start(&dp, cfg, &sb);
	pid = dp.pid;
	assert_int_equal(auth(&dp, "alice", "pw"), ERR_INTERNAL);
	assert_gone(&dp, pid);
	config_free(cfg);
}

/* A second WARM, when the sandbox is closed, also ends it. */
static void
the_process_ends_on_a_second_warm(void **state)
{
	struct config *cfg = dead_config();
	struct dirproc dp;
	struct sandbox sb;
	pid_t pid;

	(void)state;
	real_start(&dp, cfg, &sb);
	pid = dp.pid;
	dirproc_warm(&dp);
	dirproc_warm(&dp);
	assert_int_equal(auth(&dp, "alice", "pw"), ERR_INTERNAL);
	assert_gone(&dp, pid);
	config_free(cfg);
}

int
main(void)
{
	int rc;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    authenticate_passes_on_what_the_process_answers),
		cmocka_unit_test(
		    an_answer_no_directory_gives_is_an_internal_error),
		cmocka_unit_test(
		    an_answer_out_of_protocol_is_an_internal_error),
		cmocka_unit_test(
		    a_silent_process_reads_as_the_directory_down_after_the_deadline),
		cmocka_unit_test(
		    the_process_answers_what_the_directory_decides),
		cmocka_unit_test(the_process_logs_through_the_monitor_alone),
		cmocka_unit_test(a_process_that_floods_the_log_is_cut_off),
		cmocka_unit_test(the_process_ends_on_a_message_before_warm),
		cmocka_unit_test(the_process_ends_on_a_second_warm),
	};

	/* Sending to a process that is gone must not kill the test. */
	signal(SIGPIPE, SIG_IGN);
	snprintf(log_path, sizeof(log_path), "%s/test_dirproc.%ld.log",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp",
	    (long)getpid());
	unlink(log_path);
	if (log_open("test_dirproc", 0, log_path) == -1)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(log_path);
	return rc;
}
