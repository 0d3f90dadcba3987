/* SPDX-License-Identifier: ISC */
/*
 * test_monitor: the monitor as a compromised session process sees it.
 *
 * Each case forks a real monitor (monitor_serve, with the real
 * directory process, registry and commands behind it) on one end of a
 * socketpair, and plays the child on the other end: it sends what a
 * taken-over child could send, in and out of turn, well and badly
 * formed, and checks what comes back. A refusal must be silence and a
 * closed channel, the monitor's exit with ERR_INTERNAL, and one
 * event=privsep line saying why; the caller (cassh-signer) then kills
 * the child.
 *
 * run-test-monitor.sh makes the world: a slapd (tests/lib/slapd.sh),
 * and with cassh-admin a CA, a registry with alice and bob (active),
 * and their keys. It names them in CASSH_TEST_* variables.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "dirproc.h"
#include "log.h"
#include "monitor.h"
#include "registry.h"
#include "wire.h"

/* Seconds to wait for any answer before the test gives up. */
#define WAIT	15

/* The monitor under test, seen from the fake child. */
struct peer {
	int		 fd;
	pid_t		 pid;
	const char	*conn;
};

static char *
env(const char *name)
{
	char *v = getenv(name);

	if (v == NULL || *v == '\0')
		fail_msg("%s is not set: run through run-test-monitor.sh",
		    name);
	return v;
}

static void
warm(void *arg)
{
	dirproc_warm(arg);
}

/*
 * The monitor's process: as cassh-signer's parent runs it, with its
 * directory process.
 */
static void __attribute__((noreturn))
monitor_process(int fd, const char *conn, int grace)
{
	struct monitor_params mp;
	struct registry *reg = NULL;
	struct config *cfg;
	struct sandbox sb;
	struct dirproc dp;
	char err[256];
	enum err e;

	if (config_load(env("CASSH_TEST_CONFIG"), &cfg, err,
	    sizeof(err)) != ERR_OK)
		_exit(3);
	if (grace > 0)
		cfg->login_grace_time = grace;
	log_open("test_monitor", 0, cfg->log_file);
	if (sandbox_prepare(cfg->privsep_user, &sb) != ERR_OK ||
	    dirproc_start(&dp, cfg, &sb, &fd, 1, conn) != ERR_OK)
		_exit(5);
	if (registry_open(cfg->registry_path, REGISTRY_WRITE, cfg->map_size,
	    &reg) != ERR_OK)
		_exit(4);
	mp.cfg = cfg;
	mp.reg = reg;
	mp.dir = &dirproc_ops;
	mp.dir_ctx = &dp;
	mp.conn_id = conn;
	mp.peer = "test";
	mp.warm = warm;
	mp.warm_arg = &dp;
	e = monitor_serve(&mp, fd);
	dirproc_stop(&dp, e != ERR_OK);
	registry_close(reg);
	config_free(cfg);
	_exit(e == ERR_OK ? 0 : 1);
}

/*
 * A monitor that has heard nothing yet. conn names the case in the
 * log; grace 0 keeps the configured one.
 */
static struct peer
start_unheard(const char *conn, int grace)
{
	struct peer p;
	int sv[2], fd;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	p.pid = fork();
	assert_true(p.pid != -1);
	if (p.pid == 0) {
		/* Other cases' channels must not stay open in this one. */
		for (fd = 3; fd < 1024; fd++)
			if (fd != sv[1])
				close(fd);
		monitor_process(sv[1], conn, grace);
	}
	close(sv[1]);
	p.fd = sv[0];
	p.conn = conn;
	return p;
}

static void
send_msg(struct peer *p, struct wbuf *b)
{
	assert_int_equal(monitor_send(p->fd, b), 0);
	wbuf_free(b);
}

static void
send_hello(struct peer *p)
{
	struct wbuf b;

	wbuf_init(&b);
	monitor_msg_begin(&b, MONITOR_HELLO);
	send_msg(p, &b);
}

/* A monitor told, as the session tells it, that SSH is under way. */
static struct peer
start(const char *conn, int grace)
{
	struct peer p = start_unheard(conn, grace);

	send_hello(&p);
	return p;
}

static void
send_auth(struct peer *p, const char *login, const char *password)
{
	struct wbuf b;

	wbuf_init(&b);
	monitor_msg_begin(&b, MONITOR_AUTH);
	wbuf_put_cstring(&b, login);
	wbuf_put_cstring(&b, password);
	send_msg(p, &b);
}

static void
send_login(struct peer *p, const char *login)
{
	struct wbuf b;

	wbuf_init(&b);
	monitor_msg_begin(&b, MONITOR_LOGIN);
	wbuf_put_cstring(&b, login);
	send_msg(p, &b);
}

static void
send_prepare(struct peer *p, const char *line)
{
	struct wbuf b;

	wbuf_init(&b);
	monitor_msg_begin(&b, MONITOR_PREPARE);
	wbuf_put_cstring(&b, line);
	send_msg(p, &b);
}

static void
send_run(struct peer *p, uint8_t toolong, const void *in, size_t n)
{
	struct wbuf b;

	wbuf_init(&b);
	monitor_msg_begin(&b, MONITOR_RUN);
	wbuf_put_u8(&b, toolong);
	wbuf_put_string(&b, in, n);
	send_msg(p, &b);
}

/* Bytes as they are, length and all: what no honest child sends. */
static void
send_raw(struct peer *p, const void *data, size_t n)
{
	assert_int_equal(send(p->fd, data, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* The next reply, which must be of type want; *msg to free. */
static struct wreader
reply(struct peer *p, uint8_t want, uint8_t **msg, size_t *len)
{
	struct wreader r;
	uint8_t type;

	assert_int_equal(monitor_recv(p->fd, monitor_now() + WAIT, msg, len,
	    &r, &type), 1);
	assert_int_equal(type, want);
	return r;
}

static uint32_t
auth_reply(struct peer *p)
{
	struct wreader r;
	uint8_t *msg;
	size_t len;
	uint32_t e;

	r = reply(p, MONITOR_AUTH_REPLY, &msg, &len);
	assert_int_equal(wread_u32(&r, &e), 0);
	assert_int_equal(wread_end(&r), 0);
	monitor_msg_free(msg, len);
	return e;
}

static uint32_t
prepare_reply(struct peer *p, uint32_t *max_input)
{
	struct wreader r;
	uint8_t *msg;
	size_t len;
	uint32_t e;

	r = reply(p, MONITOR_PREPARE_REPLY, &msg, &len);
	assert_int_equal(wread_u32(&r, &e), 0);
	assert_int_equal(wread_u32(&r, max_input), 0);
	assert_int_equal(wread_end(&r), 0);
	monitor_msg_free(msg, len);
	return e;
}

/* The exit status; out and errline are copied, NUL-terminated. */
static uint32_t
run_reply(struct peer *p, char *out, size_t outlen, char *errline,
    size_t errlen)
{
	const uint8_t *o, *e;
	struct wreader r;
	uint8_t *msg;
	size_t len, on, en;
	uint32_t status;

	r = reply(p, MONITOR_RUN_REPLY, &msg, &len);
	assert_int_equal(wread_u32(&r, &status), 0);
	assert_int_equal(wread_string(&r, &o, &on), 0);
	assert_int_equal(wread_string(&r, &e, &en), 0);
	assert_int_equal(wread_end(&r), 0);
	assert_true(on < outlen && en < errlen);
	memcpy(out, o, on);
	out[on] = '\0';
	memcpy(errline, e, en);
	errline[en] = '\0';
	monitor_msg_free(msg, len);
	return status;
}

static void
login_as(struct peer *p, const char *login, const char *password)
{
	send_auth(p, login, password);
	assert_int_equal(auth_reply(p), ERR_OK);
}

/* The monitor's audit line of kind event for this case, or "". */
static void
logged(const struct peer *p, const char *event, char *line, size_t len)
{
	char want[128], buf[4096];
	FILE *f;

	snprintf(want, sizeof(want), "event=%s conn=\"%s\" ", event,
	    p->conn);
	line[0] = '\0';
	if ((f = fopen(env("CASSH_TEST_LOG"), "r")) == NULL)
		return;
	while (fgets(buf, sizeof(buf), f) != NULL)
		if (strstr(buf, want) != NULL)
			snprintf(line, len, "%s", buf);
	fclose(f);
}

static int
wait_exit(struct peer *p)
{
	int status;

	assert_int_equal(waitpid(p->pid, &status, 0), p->pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/*
 * A refusal: no answer, the channel closed, the monitor ended with
 * ERR_INTERNAL, and an event=privsep line with the reason.
 */
static void
assert_refused(struct peer *p, const char *reason)
{
	struct wreader r;
	uint8_t *msg, type;
	size_t len;
	char line[4096], want[160];

	assert_int_equal(monitor_recv(p->fd, monitor_now() + WAIT, &msg,
	    &len, &r, &type), 0);
	assert_int_equal(wait_exit(p), 1);
	close(p->fd);
	logged(p, "privsep", line, sizeof(line));
	snprintf(want, sizeof(want), "reason=\"%s\"", reason);
	if (strstr(line, want) == NULL)
		fail_msg("no event=privsep line with %s for %s: '%s'", want,
		    p->conn, line);
}

/* A child that simply closes between messages is an ordinary end. */
static void
assert_clean_end(struct peer *p)
{
	char line[4096];

	close(p->fd);
	assert_int_equal(wait_exit(p), 0);
	logged(p, "privsep", line, sizeof(line));
	assert_string_equal(line, "");
}

/* A whole file, NUL-terminated; the caller frees it. */
static char *
slurp(const char *path, size_t *n)
{
	char *buf = malloc(8192);
	FILE *f = fopen(path, "r");

	assert_non_null(buf);
	assert_non_null(f);
	*n = fread(buf, 1, 8191, f);
	buf[*n] = '\0';
	fclose(f);
	return buf;
}

static void
auth_before_hello_ends_the_connection(void **state)
{
	struct peer p = start_unheard(__func__, 0);

	send_auth(&p, "alice", env("SLAPD_ALICE_PW"));
	assert_refused(&p, "message out of turn");
}

/*
 * LOGIN names a login to look up ahead; it decides nothing. The AUTH
 * after it is what counts, for that login or another one.
 */
static void
login_then_auth_proves_the_password(void **state)
{
	struct peer p = start(__func__, 0);

	send_login(&p, "bob");
	send_auth(&p, "alice", env("SLAPD_BOB_PW"));
	assert_int_equal(auth_reply(&p), ERR_AUTH);
	login_as(&p, "alice", env("SLAPD_ALICE_PW"));
	assert_clean_end(&p);
}

static void
login_before_hello_ends_the_connection(void **state)
{
	struct peer p = start_unheard(__func__, 0);

	send_login(&p, "alice");
	assert_refused(&p, "message out of turn");
}

static void
login_after_success_ends_the_connection(void **state)
{
	struct peer p = start(__func__, 0);

	login_as(&p, "alice", env("SLAPD_ALICE_PW"));
	send_login(&p, "bob");
	assert_refused(&p, "message out of turn");
}

/* The session names neither the generic nor the public login. */
static void
logins_the_session_never_names_end_the_connection(void **state)
{
	const char *bad[] = { "cassh", "public", "al ice", "" };
	const char *why[] = { "a login the session never sends",
	    "a LOGIN for the public login", "a login the session never sends",
	    "a login the session never sends" };
	char conn[64];
	struct peer p;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(conn, sizeof(conn), "%s_%zu", __func__, i);
		p = start(conn, 0);
		send_login(&p, bad[i]);
		assert_refused(&p, why[i]);
	}
}

static void
login_messages_past_the_bound_end_the_connection(void **state)
{
	struct peer p = start(__func__, 0);
	int i;

	for (i = 0; i < MONITOR_MAX_LOGINS; i++)
		send_login(&p, "bob");
	login_as(&p, "bob", env("SLAPD_BOB_PW"));
	assert_clean_end(&p);
	p = start("login_messages_past_the_bound_2", 0);
	for (i = 0; i <= MONITOR_MAX_LOGINS; i++)
		send_login(&p, "alice");
	assert_refused(&p, "too many LOGIN messages");
}

static void
second_hello_ends_the_connection(void **state)
{
	struct peer p = start(__func__, 0);
	struct peer q = start_unheard("hello_with_a_field", 0);
	struct wbuf b;

	send_hello(&p);
	assert_refused(&p, "message out of turn");

	wbuf_init(&b);
	monitor_msg_begin(&b, MONITOR_HELLO);
	wbuf_put_u8(&b, 0);
	send_msg(&q, &b);
	assert_refused(&q, "malformed or oversized field");
}

static void
run_before_auth_ends_the_connection(void **state)
{
	struct peer p = start(__func__, 0);

	send_run(&p, 0, "x", 1);
	assert_refused(&p, "message out of turn");
}

static void
prepare_before_auth_ends_the_connection(void **state)
{
	struct peer p = start(__func__, 0);

	send_prepare(&p, "sign");
	assert_refused(&p, "message out of turn");
}

static void
second_auth_after_success_ends_the_connection(void **state)
{
	struct peer p = start(__func__, 0);

	login_as(&p, "alice", env("SLAPD_ALICE_PW"));
	/* Even with bob's right password: the login is fixed already. */
	send_auth(&p, "bob", env("SLAPD_BOB_PW"));
	assert_refused(&p, "message out of turn");
}

static void
sign_gives_the_authenticated_login_its_certificate(void **state)
{
	struct peer p = start(__func__, 0);
	char out[8192], errline[600], *key;
	uint32_t max_input;
	size_t n;

	login_as(&p, "alice", env("SLAPD_ALICE_PW"));
	send_prepare(&p, "sign");
	assert_int_equal(prepare_reply(&p, &max_input), ERR_OK);
	key = slurp(env("CASSH_TEST_ALICE_KEY"), &n);
	assert_true(n <= max_input);
	send_run(&p, 0, key, n);
	free(key);
	assert_int_equal(run_reply(&p, out, sizeof(out), errline,
	    sizeof(errline)), 0);
	assert_string_equal(errline, "");
	assert_memory_equal(out, "ssh-ed25519-cert-v01@openssh.com ", 33);
	assert_clean_end(&p);
}

/* The forged request: logged in as alice, asking for bob's key. */
static void
sign_for_someone_else_is_refused(void **state)
{
	struct peer p = start(__func__, 0);
	char out[8192], errline[600], line[4096], *key;
	uint32_t max_input;
	size_t n;

	login_as(&p, "alice", env("SLAPD_ALICE_PW"));
	send_prepare(&p, "sign");
	assert_int_equal(prepare_reply(&p, &max_input), ERR_OK);
	key = slurp(env("CASSH_TEST_BOB_KEY"), &n);
	send_run(&p, 0, key, n);
	free(key);
	assert_int_equal(run_reply(&p, out, sizeof(out), errline,
	    sizeof(errline)), 77);
	assert_string_equal(out, "");
	assert_non_null(strstr(errline, "not your registered key"));
	assert_clean_end(&p);
	logged(&p, "sign", line, sizeof(line));
	assert_non_null(strstr(line, "login=\"alice\""));
	assert_non_null(strstr(line, "reason=\"not_your_key\""));
}

static void
wrong_passwords_may_be_retried_up_to_max_auth_tries(void **state)
{
	struct peer p = start(__func__, 0);
	struct peer q = start("wrong_then_right", 0);

	send_auth(&q, "carol", "not-her-password");
	assert_int_equal(auth_reply(&q), ERR_AUTH);
	login_as(&q, "carol", env("SLAPD_CAROL_PW"));
	assert_clean_end(&q);

	/* max_auth_tries is 3: a fourth attempt is not the session's. */
	send_auth(&p, "carol", "wrong-1");
	assert_int_equal(auth_reply(&p), ERR_AUTH);
	send_auth(&p, "carol", "wrong-2");
	assert_int_equal(auth_reply(&p), ERR_AUTH);
	send_auth(&p, "carol", "wrong-3");
	assert_int_equal(auth_reply(&p), ERR_AUTH);
	send_auth(&p, "carol", env("SLAPD_CAROL_PW"));
	assert_refused(&p, "message out of turn");
}

static void
frame_longer_than_the_bound_ends_the_connection(void **state)
{
	struct peer p = start(__func__, 0);
	uint32_t n = MONITOR_MAX_FRAME + 1;
	uint8_t hdr[4] = { (uint8_t)(n >> 24), (uint8_t)(n >> 16),
	    (uint8_t)(n >> 8), (uint8_t)n };

	send_raw(&p, hdr, sizeof(hdr));
	assert_refused(&p, "malformed frame");
}

static void
frame_cut_short_ends_the_connection(void **state)
{
	static const uint8_t part[] = { 0, 0, 0, 50, MONITOR_VERSION,
	    MONITOR_AUTH, 0, 0, 0, 5, 'a' };
	struct peer p = start(__func__, 0);

	send_raw(&p, part, sizeof(part));
	shutdown(p.fd, SHUT_WR);
	assert_refused(&p, "malformed frame");
}

static void
string_longer_than_its_frame_ends_the_connection(void **state)
{
	static const uint8_t msg[] = { 0, 0, 0, 11, MONITOR_VERSION,
	    MONITOR_AUTH, 0, 0, 0x10, 0, 'a', 'l', 'i', 'c', 'e' };
	struct peer p = start(__func__, 0);

	send_raw(&p, msg, sizeof(msg));
	assert_refused(&p, "malformed or oversized field");
}

static void
trailing_bytes_end_the_connection(void **state)
{
	struct peer p = start(__func__, 0);
	struct wbuf b;

	wbuf_init(&b);
	monitor_msg_begin(&b, MONITOR_AUTH);
	wbuf_put_cstring(&b, "alice");
	wbuf_put_cstring(&b, env("SLAPD_ALICE_PW"));
	wbuf_put_u8(&b, 0);
	send_msg(&p, &b);
	assert_refused(&p, "malformed or oversized field");
}

static void
other_versions_and_types_end_the_connection(void **state)
{
	static const uint8_t version[] = { 0, 0, 0, 2, MONITOR_VERSION + 1,
	    MONITOR_AUTH };
	static const uint8_t type[] = { 0, 0, 0, 2, MONITOR_VERSION, 0x7f };
	static const uint8_t reply_type[] = { 0, 0, 0, 6, MONITOR_VERSION,
	    MONITOR_AUTH_REPLY, 0, 0, 0, 0 };
	struct peer p = start(__func__, 0);
	struct peer q = start("unknown_type", 0);
	struct peer r = start("a_reply_as_a_request", 0);

	send_raw(&p, version, sizeof(version));
	assert_refused(&p, "malformed frame");
	send_raw(&q, type, sizeof(type));
	assert_refused(&q, "unknown message type");
	/* "You are logged in", from the child: not a request at all. */
	send_raw(&r, reply_type, sizeof(reply_type));
	assert_refused(&r, "unknown message type");
}

static void
oversized_login_or_password_ends_the_connection(void **state)
{
	char login[MONITOR_MAX_LOGIN + 2], pw[MONITOR_MAX_PASSWORD + 2];
	struct peer p = start(__func__, 0);
	struct peer q = start("oversized_password", 0);

	memset(login, 'a', sizeof(login) - 1);
	login[sizeof(login) - 1] = '\0';
	memset(pw, 'p', sizeof(pw) - 1);
	pw[sizeof(pw) - 1] = '\0';
	send_auth(&p, login, "x");
	assert_refused(&p, "malformed or oversized field");
	send_auth(&q, "alice", pw);
	assert_refused(&q, "malformed or oversized field");
}

static void
nul_inside_a_login_ends_the_connection(void **state)
{
	struct peer p = start(__func__, 0);
	struct wbuf b;

	wbuf_init(&b);
	monitor_msg_begin(&b, MONITOR_AUTH);
	wbuf_put_string(&b, "bob\0alice", 9);
	wbuf_put_cstring(&b, env("SLAPD_BOB_PW"));
	send_msg(&p, &b);
	assert_refused(&p, "malformed or oversized field");
}

static void
oversized_command_line_ends_the_connection(void **state)
{
	char line[MONITOR_MAX_LINE + 2];
	struct peer p = start(__func__, 0);

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	login_as(&p, "alice", env("SLAPD_ALICE_PW"));
	send_prepare(&p, line);
	assert_refused(&p, "malformed or oversized field");
}

/* The child's cut of a longer line: refused as usage, not a fault. */
static void
command_line_one_past_any_command_is_a_usage_error(void **state)
{
	char line[MONITOR_MAX_LINE + 1];
	struct peer p = start(__func__, 0);
	uint32_t max_input;

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	login_as(&p, "alice", env("SLAPD_ALICE_PW"));
	send_prepare(&p, line);
	assert_int_equal(prepare_reply(&p, &max_input), ERR_USAGE);
	assert_int_equal(max_input, 0);
}

static void
input_over_the_granted_bound_ends_the_connection(void **state)
{
	struct peer p = start(__func__, 0);
	struct peer q = start("toolong_flag_not_boolean", 0);
	uint32_t max_input;
	char *in;

	login_as(&p, "alice", env("SLAPD_ALICE_PW"));
	send_prepare(&p, "sign");
	assert_int_equal(prepare_reply(&p, &max_input), ERR_OK);
	assert_non_null(in = calloc(1, (size_t)max_input + 1));
	memset(in, 'k', max_input + 1);
	send_run(&p, 1, in, (size_t)max_input + 1);
	free(in);
	assert_refused(&p, "malformed or oversized field");

	login_as(&q, "alice", env("SLAPD_ALICE_PW"));
	send_prepare(&q, "sign");
	assert_int_equal(prepare_reply(&q, &max_input), ERR_OK);
	send_run(&q, 2, "k", 1);
	assert_refused(&q, "malformed or oversized field");
}

static void
logins_the_session_never_sends_end_the_connection(void **state)
{
	struct peer p = start(__func__, 0);
	struct peer q = start("not_a_valid_name", 0);
	struct peer r = start("public_with_a_password", 0);

	/* The generic login only asks for the real one. */
	send_auth(&p, "cassh", "anything");
	assert_refused(&p, "a login the session never sends");
	send_auth(&q, "alice)(uid=*", "x");
	assert_refused(&q, "a login the session never sends");
	send_auth(&r, "public", "guess");
	assert_refused(&r, "a password for the public login");
}

static void
public_login_may_fetch_the_ca_key_but_not_sign(void **state)
{
	struct peer p = start(__func__, 0);
	struct peer q = start("public_sign", 0);
	char out[8192], errline[600];
	uint32_t max_input;

	login_as(&p, "public", "");
	send_prepare(&p, "ca");
	assert_int_equal(prepare_reply(&p, &max_input), ERR_OK);
	assert_int_equal(max_input, 0);
	send_run(&p, 0, "", 0);
	assert_int_equal(run_reply(&p, out, sizeof(out), errline,
	    sizeof(errline)), 0);
	assert_memory_equal(out, "ssh-ed25519 ", 12);
	assert_clean_end(&p);

	login_as(&q, "public", "");
	send_prepare(&q, "sign");
	assert_int_equal(prepare_reply(&q, &max_input), ERR_NOT_PERMITTED);
	/* Refused is final: no RUN may follow. */
	send_run(&q, 0, "", 0);
	assert_refused(&q, "message out of turn");
}

static void
one_command_per_connection(void **state)
{
	struct peer p = start(__func__, 0);
	char out[256], errline[600];
	uint32_t max_input;

	login_as(&p, "alice", env("SLAPD_ALICE_PW"));
	send_prepare(&p, "version");
	assert_int_equal(prepare_reply(&p, &max_input), ERR_OK);
	send_run(&p, 0, "", 0);
	assert_int_equal(run_reply(&p, out, sizeof(out), errline,
	    sizeof(errline)), 0);
	assert_memory_equal(out, "cassh ", 6);
	send_prepare(&p, "status");
	assert_refused(&p, "message out of turn");
}

static void
silent_session_process_is_cut_off(void **state)
{
	struct peer p = start(__func__, 1);

	/* login_grace_time 1, plus the monitor's few seconds of slack. */
	assert_refused(&p, "no message in time");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(auth_before_hello_ends_the_connection),
		cmocka_unit_test(second_hello_ends_the_connection),
		cmocka_unit_test(login_then_auth_proves_the_password),
		cmocka_unit_test(login_before_hello_ends_the_connection),
		cmocka_unit_test(login_after_success_ends_the_connection),
		cmocka_unit_test(
		    logins_the_session_never_names_end_the_connection),
		cmocka_unit_test(
		    login_messages_past_the_bound_end_the_connection),
		cmocka_unit_test(run_before_auth_ends_the_connection),
		cmocka_unit_test(prepare_before_auth_ends_the_connection),
		cmocka_unit_test(
		    second_auth_after_success_ends_the_connection),
		cmocka_unit_test(
		    sign_gives_the_authenticated_login_its_certificate),
		cmocka_unit_test(sign_for_someone_else_is_refused),
		cmocka_unit_test(
		    wrong_passwords_may_be_retried_up_to_max_auth_tries),
		cmocka_unit_test(
		    frame_longer_than_the_bound_ends_the_connection),
		cmocka_unit_test(frame_cut_short_ends_the_connection),
		cmocka_unit_test(
		    string_longer_than_its_frame_ends_the_connection),
		cmocka_unit_test(trailing_bytes_end_the_connection),
		cmocka_unit_test(other_versions_and_types_end_the_connection),
		cmocka_unit_test(
		    oversized_login_or_password_ends_the_connection),
		cmocka_unit_test(nul_inside_a_login_ends_the_connection),
		cmocka_unit_test(oversized_command_line_ends_the_connection),
		cmocka_unit_test(
		    command_line_one_past_any_command_is_a_usage_error),
		cmocka_unit_test(
		    input_over_the_granted_bound_ends_the_connection),
		cmocka_unit_test(
		    logins_the_session_never_sends_end_the_connection),
		cmocka_unit_test(
		    public_login_may_fetch_the_ca_key_but_not_sign),
		cmocka_unit_test(one_command_per_connection),
		cmocka_unit_test(silent_session_process_is_cut_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
