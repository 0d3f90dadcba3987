/* SPDX-License-Identifier: ISC */
/*
 * session: one SSH connection served with libssh on an inherited
 * socket.
 *
 * The session runs as a small state machine driven by libssh's
 * callbacks, in non-blocking mode, so that this module owns every
 * wait: it re-arms TCP_QUICKACK before each poll (Linux clears it),
 * which keeps the client's Nagle and our delayed ACK from stalling
 * each round trip by 40 ms, and it enforces the login grace time and
 * the idle time itself.
 *
 * Everything that crosses the network is bounded here: the number of
 * authentication attempts, the login's length, the channels (one), the
 * requests (one exec), and the standard input a command may read.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libssh/server.h>

#include "log.h"
#include "record.h"
#include "session.h"

/* Seconds without a packet, once logged in, before we hang up. */
#define SESSION_IDLE_TIMEOUT	60
/* Seconds to wait for the client to close after our close. */
#define SESSION_CLOSE_WAIT	5
/* Bound on packets handled while logging in, whatever they are. */
#define SESSION_MAX_MESSAGES	64
#define SESSION_LOGIN_MAX	RECORD_MAX_NAME
/* Least time a refused login takes, in milliseconds. */
#define SESSION_FAIL_DELAY_MS	400
/* Seconds a blocked write of the answer may wait for the client. */
#define SESSION_WRITE_TIMEOUT	10
/* Seconds one connection may live, whatever happens: a backstop. */
#define SESSION_MAX_LIFETIME	300

enum session_state {
	SS_AUTH,	/* not logged in yet */
	SS_CHANNEL,	/* logged in, waiting for the session channel */
	SS_EXEC,	/* channel open, waiting for the exec request */
	SS_INPUT,	/* reading the command's standard input */
	SS_RUN,		/* ready to run and answer */
	SS_CLOSING,	/* answered, waiting for the client's close */
	SS_DONE,
};

struct session {
	ssh_session			 ssh;
	ssh_channel			 chan;
	int				 fd;
	const struct session_params	*p;
	const struct session_ops	*ops;
	void				*ctx;
	enum session_state		 state;
	int				 tries;
	char				 user[SESSION_LOGIN_MAX + 1];
	int				 named;		/* ops->login called */
	const char			*method;	/* for the audit */
	int				 prompts;	/* outstanding, 0 none */
	int				 messages;
	int				 failed_prepare;
	enum err			 prepare_err;
	int				 auth_down;
	size_t				 max_input;
	struct wbuf			 in;
	int				 toolong;
	time_t				 deadline;
	struct ssh_channel_callbacks_struct chan_cb;
	struct ssh_server_callbacks_struct server_cb;
	struct timespec			 auth_start;	/* of this attempt */
};

static void session_fail_delay(const struct session *);

static void
session_quickack(int fd)
{
	int one = 1;

	/* Not a socket (tests on pipes) or not TCP: nothing to gain. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
}

static void
session_nodelay(int fd)
{
	int one = 1;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static int
session_ms_left(const struct session *s)
{
	time_t now = time(NULL);

	if (now >= s->deadline)
		return 0;
	return (int)(s->deadline - now) * 1000;
}

/* End the connection with a message the OpenSSH client prints. */
static void
session_hangup(struct session *s, const char *why)
{
	if (why != NULL)
		ssh_session_set_disconnect_message(s->ssh, why);
	ssh_disconnect(s->ssh);
	s->state = SS_DONE;
}

static void
session_audit_auth(const struct session *s, const char *login,
    const char *result, const char *reason)
{
	struct audit a;

	audit_begin(&a, "auth");
	audit_str(&a, "conn", s->p->conn_id);
	audit_str(&a, "peer", s->p->peer);
	audit_str(&a, "login", login);
	audit_str(&a, "method", s->method);
	audit_str(&a, "result", result);
	audit_str(&a, "reason", reason);
	audit_end(&a);
}

/*
 * Prompts that say "login" and "password" in so many words, so that an
 * SSH_ASKPASS helper can tell them apart. libssh refuses a NULL
 * instruction: "" is none.
 */
static int
session_send_prompts(struct session *s, ssh_message msg, int generic,
    const char *instruction)
{
	static const char *prompts_generic[] = { "login: ", "password: " };
	static const char *prompts_named[] = { "password: " };
	char echo_generic[] = { 1, 0 };
	char echo_named[] = { 0 };

	/* The answers must match these prompts, whatever comes next. */
	s->prompts = generic ? 2 : 1;
	if (generic)
		return ssh_message_auth_interactive_request(msg, "",
		    instruction, 2, prompts_generic, echo_generic);
	return ssh_message_auth_interactive_request(msg, "",
	    instruction, 1, prompts_named, echo_named);
}

/* A copy of answer i, bounded; NULL if absent or too long. */
static const char *
session_answer(struct session *s, int i, size_t max)
{
	const char *a;

	a = ssh_userauth_kbdint_getanswer(s->ssh, (unsigned)i);
	if (a == NULL || strlen(a) > max)
		return NULL;
	return a;
}

static void
session_auth_failed(struct session *s, ssh_message msg, const char *login,
    enum err e)
{
	s->tries++;
	s->prompts = 0;
	session_audit_auth(s, login, "refused", err_name(e));
	session_fail_delay(s);
	if (e != ERR_AUTH) {
		/*
		 * The directory is down or misconfigured: never let that
		 * read as a wrong password. No command has run, so there
		 * is no exit status to say it: the disconnect message is
		 * what the user reads.
		 */
		session_hangup(s, err_str(e));
		return;
	}
	if (s->tries >= s->p->max_auth_tries) {
		session_hangup(s, "login or password incorrect; "
		    "too many attempts");
		return;
	}
	/* Ask again at once, saying why, as a new round of prompts. */
	session_send_prompts(s, msg, strcmp(s->user,
	    s->p->generic_login) == 0, "login or password incorrect");
}

/*
 * Every refusal takes at least the same time, whether the login
 * exists (search and bind) or not (search only), so that timing does
 * not tell which logins exist, and guessing is slowed down.
 */
static void
session_fail_delay(const struct session *s)
{
	struct timespec now, until;
	long ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (now.tv_sec - s->auth_start.tv_sec) * 1000000000L +
	    (now.tv_nsec - s->auth_start.tv_nsec);
	if (ns >= SESSION_FAIL_DELAY_MS * 1000000L)
		return;
	until = s->auth_start;
	until.tv_sec += SESSION_FAIL_DELAY_MS / 1000;
	until.tv_nsec += (SESSION_FAIL_DELAY_MS % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until,
	    NULL) == EINTR)
		;
}

static void
session_auth_answers(struct session *s, ssh_message msg)
{
	const char *user = s->user;
	const char *login, *password;
	int generic = s->prompts == 2;
	int n = ssh_userauth_kbdint_getnanswers(s->ssh);
	enum err e;

	clock_gettime(CLOCK_MONOTONIC, &s->auth_start);
	if (n != s->prompts) {
		session_auth_failed(s, msg, user, ERR_AUTH);
		return;
	}
	login = generic ? session_answer(s, 0, SESSION_LOGIN_MAX) : user;
	password = session_answer(s, generic ? 1 : 0, 1024);
	if (login == NULL || password == NULL || !record_valid_name(login) ||
	    strcmp(login, s->p->generic_login) == 0 ||
	    s->ops->is_public(s->ctx, login)) {
		session_auth_failed(s, msg, login, ERR_AUTH);
		return;
	}
	e = s->ops->auth(s->ctx, login, password);
	if (e != ERR_OK) {
		session_auth_failed(s, msg, login, e);
		return;
	}
	session_audit_auth(s, login, "ok", NULL);
	ssh_message_auth_reply_success(msg, 0);
	s->state = SS_CHANNEL;
}

/*
 * A login that will be asked its password is named to the caller as
 * soon as the client asks for keyboard-interactive: the directory can
 * look it up while the client answers the prompts (a person takes
 * seconds to type). Only that method, and once per connection, so
 * that a client that never answers costs the directory one search at
 * most. The generic login names nobody yet; its login comes with the
 * password.
 */
static void
session_name_login(struct session *s, const char *user)
{
	if (s->ops->login == NULL || s->named || !record_valid_name(user) ||
	    strcmp(user, s->p->generic_login) == 0 ||
	    s->ops->is_public(s->ctx, user))
		return;
	s->named = 1;
	s->ops->login(s->ctx, user);
}

/*
 * The SSH user name comes with the request that starts an exchange;
 * the answers (an INFO_RESPONSE) carry none, so it is kept here.
 */
static int
session_on_auth(struct session *s, ssh_message msg)
{
	const char *user = ssh_message_auth_user(msg);
	int method = ssh_message_subtype(msg);

	if (method == SSH_AUTH_METHOD_INTERACTIVE &&
	    ssh_message_auth_kbdint_is_response(msg)) {
		/* Answers to prompts we did not send are refused. */
		if (s->prompts == 0)
			return 1;
		s->method = "keyboard-interactive";
		session_auth_answers(s, msg);
		return 0;
	}
	/* A new request starts a new exchange: old prompts are void. */
	s->prompts = 0;
	if (user == NULL || strlen(user) > SESSION_LOGIN_MAX) {
		/* No login is that long: said once, at the password's turn. */
		if (user != NULL && method == SSH_AUTH_METHOD_INTERACTIVE)
			session_audit_auth(s, user, "refused",
			    "login_too_long");
		return 1;
	}
	memcpy(s->user, user, strlen(user) + 1);
	s->method = method == SSH_AUTH_METHOD_NONE ? "none" :
	    "keyboard-interactive";
	if (s->ops->is_public(s->ctx, user) &&
	    (method == SSH_AUTH_METHOD_NONE ||
	    method == SSH_AUTH_METHOD_INTERACTIVE)) {
		if (s->ops->auth(s->ctx, user, "") != ERR_OK)
			return 1;
		session_audit_auth(s, user, "ok", "public");
		ssh_message_auth_reply_success(msg, 0);
		s->state = SS_CHANNEL;
		return 0;
	}
	if (method != SSH_AUTH_METHOD_INTERACTIVE)
		return 1;
	session_name_login(s, user);
	session_send_prompts(s, msg, strcmp(user, s->p->generic_login) == 0,
	    "");
	return 0;
}

static int
session_on_data(ssh_session ssh, ssh_channel chan, void *data, uint32_t len,
    int is_stderr, void *arg)
{
	struct session *s = arg;
	size_t room;

	if (s->state != SS_INPUT || is_stderr)
		return (int)len;	/* read and dropped */
	room = s->max_input - s->in.len;
	if (len > room) {
		/* Enough to know it is too long: answer now. */
		wbuf_put_raw(&s->in, data, room);
		s->toolong = 1;
		s->state = SS_RUN;
		return (int)len;
	}
	wbuf_put_raw(&s->in, data, len);
	if (wbuf_failed(&s->in)) {
		s->toolong = 1;
		s->state = SS_RUN;
	}
	return (int)len;
}

static void
session_on_eof(ssh_session ssh, ssh_channel chan, void *arg)
{
	struct session *s = arg;

	if (s->state == SS_INPUT)
		s->state = SS_RUN;
}

static void
session_on_close(ssh_session ssh, ssh_channel chan, void *arg)
{
	struct session *s = arg;

	s->state = SS_DONE;
}

static int
session_on_exec(ssh_session ssh, ssh_channel chan, const char *command,
    void *arg)
{
	struct session *s = arg;
	enum err e;

	if (s->state != SS_EXEC)
		return -1;
	s->max_input = 0;
	e = s->ops->prepare(s->ctx, command, &s->max_input);
	if (e != ERR_OK) {
		s->failed_prepare = 1;
		s->prepare_err = e;
		s->state = SS_RUN;
		return 0;	/* accepted; the answer is the error */
	}
	s->state = s->max_input > 0 ? SS_INPUT : SS_RUN;
	return 0;
}

/* One audit line for each request refused on the channel. */
static void
session_audit_refused(const struct session *s, const char *what)
{
	struct audit a;

	audit_begin(&a, "request");
	audit_str(&a, "conn", s->p->conn_id);
	audit_str(&a, "peer", s->p->peer);
	audit_str(&a, "login", s->user);
	audit_str(&a, "request", what);
	audit_str(&a, "result", "refused");
	audit_end(&a);
}

/*
 * A plain "ssh cassh@ca" asks for a shell: answer it as an exec of no
 * command, so that the user reads the usage line and exit status 64
 * rather than OpenSSH's "shell request failed".
 */
static int
session_on_shell(ssh_session ssh, ssh_channel chan, void *arg)
{
	return session_on_exec(ssh, chan, "", arg);
}

/* Everything else is refused: no pty, subsystem or environment. */
static int
session_refuse_pty(ssh_session ssh, ssh_channel chan, const char *term,
    int w, int h, int pw, int ph, void *arg)
{
	session_audit_refused(arg, "pty");
	return -1;
}

static int
session_refuse_named(ssh_session ssh, ssh_channel chan, const char *name,
    void *arg)
{
	session_audit_refused(arg, "subsystem");
	return -1;
}

/* OpenSSH sends LANG with every session: refused without a word. */
static int
session_refuse_env(ssh_session ssh, ssh_channel chan, const char *name,
    const char *value, void *arg)
{
	return -1;
}

static int
session_on_channel_open(struct session *s, ssh_message msg)
{
	if (s->state != SS_CHANNEL ||
	    ssh_message_subtype(msg) != SSH_CHANNEL_SESSION) {
		if (s->state != SS_AUTH)
			session_audit_refused(s, "channel");
		return 1;
	}
	s->chan = ssh_message_channel_request_open_reply_accept(msg);
	if (s->chan == NULL)
		return 1;
	memset(&s->chan_cb, 0, sizeof(s->chan_cb));
	ssh_callbacks_init(&s->chan_cb);
	s->chan_cb.userdata = s;
	s->chan_cb.channel_data_function = session_on_data;
	s->chan_cb.channel_eof_function = session_on_eof;
	s->chan_cb.channel_close_function = session_on_close;
	s->chan_cb.channel_exec_request_function = session_on_exec;
	s->chan_cb.channel_pty_request_function = session_refuse_pty;
	s->chan_cb.channel_shell_request_function = session_on_shell;
	s->chan_cb.channel_subsystem_request_function = session_refuse_named;
	s->chan_cb.channel_env_request_function = session_refuse_env;
	ssh_set_channel_callbacks(s->chan, &s->chan_cb);
	s->state = SS_EXEC;
	return 0;
}

/*
 * libssh hands us every message the callbacks above do not take.
 * Returning 1 makes libssh send its default refusal.
 */
static int
session_on_message(ssh_session ssh, ssh_message msg, void *arg)
{
	struct session *s = arg;

	if (++s->messages > SESSION_MAX_MESSAGES) {
		session_hangup(s, "too many requests");
		return 1;
	}
	switch (ssh_message_type(msg)) {
	case SSH_REQUEST_AUTH:
		if (s->state != SS_AUTH)
			return 1;
		return session_on_auth(s, msg);
	case SSH_REQUEST_CHANNEL_OPEN:
		return session_on_channel_open(s, msg);
	case SSH_REQUEST_GLOBAL:
		/* ssh -R; the client's own notices are not worth a line. */
		if (ssh_message_subtype(msg) ==
		    SSH_GLOBAL_REQUEST_TCPIP_FORWARD)
			session_audit_refused(s, "forward");
		return 1;
	default:
		return 1;
	}
}

/* Run libssh until the state changes away from what it is, or time out. */
static int
session_pump(struct session *s, ssh_event ev)
{
	int ms;

	while (s->state != SS_DONE) {
		enum session_state before = s->state;

		if ((ms = session_ms_left(s)) == 0)
			return -1;
		session_quickack(s->fd);
		if (ssh_event_dopoll(ev, ms < 1000 ? ms : 1000) == SSH_ERROR)
			return -1;
		if (ssh_get_status(s->ssh) & (SSH_CLOSED | SSH_CLOSED_ERROR))
			return -1;
		if (s->state != before)
			return 0;
	}
	return 0;
}

static enum err
session_kex(struct session *s)
{
	struct pollfd pfd;
	int rc, ms, started = 0;

	for (;;) {
		rc = ssh_handle_key_exchange(s->ssh);
		if (rc != SSH_OK && rc != SSH_AGAIN) {
			log_warnx("conn=%s key exchange failed: %s",
			    s->p->conn_id, ssh_get_error(s->ssh));
			session_audit_auth(s, NULL, "refused", "key_exchange");
			return ERR_INTERNAL;
		}
		/* The first call has sent the version line. */
		if (!started && s->ops->started != NULL)
			s->ops->started(s->ctx);
		started = 1;
		if (rc == SSH_OK)
			return ERR_OK;
		if ((ms = session_ms_left(s)) == 0) {
			session_audit_auth(s, NULL, "refused",
			    "login_grace_time");
			return ERR_AUTH;
		}
		session_quickack(s->fd);
		pfd.fd = s->fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, ms) == -1 && errno != EINTR)
			return ERR_INTERNAL;
	}
}

/*
 * After the channel is closed the client sends its own disconnect and
 * closes. Closing first, with its packets unread, would make the
 * kernel answer with a reset and the client fail on "Broken pipe":
 * read until it is gone, briefly.
 */
static void
session_drain(struct session *s, ssh_event ev)
{
	s->deadline = time(NULL) + SESSION_CLOSE_WAIT;
	while (ssh_is_connected(s->ssh) && session_ms_left(s) > 0) {
		session_quickack(s->fd);
		if (ssh_event_dopoll(ev, 100) == SSH_ERROR)
			break;
		if (ssh_get_status(s->ssh) & (SSH_CLOSED | SSH_CLOSED_ERROR))
			break;
	}
}

/*
 * Write the command's answer, then wait for the client's close. The
 * writes block until the client's window takes them; a client that
 * never opens its window is cut off after SESSION_WRITE_TIMEOUT
 * rather than holding the process.
 */
static void
session_answer_and_close(struct session *s, ssh_event ev, int status,
    const struct wbuf *out, const char *errline)
{
	long timeout = SESSION_WRITE_TIMEOUT;
	int ok = 1;

	ssh_options_set(s->ssh, SSH_OPTIONS_TIMEOUT, &timeout);
	ssh_set_blocking(s->ssh, 1);
	if (out->len > 0)
		ok = ssh_channel_write(s->chan, out->data,
		    (uint32_t)out->len) == (int)out->len;
	if (ok && errline[0] != '\0')
		ok = ssh_channel_write_stderr(s->chan, errline,
		    (uint32_t)strlen(errline)) == (int)strlen(errline) &&
		    ssh_channel_write_stderr(s->chan, "\n", 1) == 1;
	if (ok)
		ok = ssh_channel_request_send_exit_status(s->chan,
		    status) == SSH_OK;
	ssh_set_blocking(s->ssh, 0);
	if (!ok) {
		/* No exit status: the client reports a failure, not 0. */
		log_warnx("conn=%s the answer could not be written",
		    s->p->conn_id);
		session_hangup(s, "answer not taken in time");
		return;
	}
	ssh_channel_send_eof(s->chan);
	ssh_channel_close(s->chan);

	/*
	 * Disconnecting before the client's own close makes it print
	 * "closed by remote host"; wait for that close, briefly.
	 */
	s->state = SS_CLOSING;
	s->deadline = time(NULL) + SESSION_CLOSE_WAIT;
	while (s->state == SS_CLOSING && !ssh_channel_is_closed(s->chan))
		if (session_pump(s, ev) == -1)
			return;
	session_drain(s, ev);
}

static void
session_run_command(struct session *s, ssh_event ev)
{
	char errline[512];
	struct wbuf out;
	int status;

	wbuf_init(&out);
	errline[0] = '\0';
	if (s->failed_prepare) {
		snprintf(errline, sizeof(errline), "cassh: %s",
		    err_str(s->prepare_err));
		status = err_exit_status(s->prepare_err);
	} else
		status = s->ops->run(s->ctx, s->in.data, s->in.len,
		    s->toolong, &out, errline, sizeof(errline));
	if (status != 0)
		wbuf_free(&out);	/* never a partial answer */
	session_answer_and_close(s, ev, status, &out, errline);
	wbuf_free(&out);
}

/* The client went away, or stayed too long without a word: say which. */
static void
session_timed_out(struct session *s)
{
	int late = session_ms_left(s) == 0;

	if (s->state == SS_AUTH)
		session_audit_auth(s, s->user[0] != '\0' ? s->user : NULL,
		    "refused", late ? "login_grace_time" : "gone");
	else if (late)
		session_audit_refused(s, s->state == SS_INPUT ? "input" :
		    "exec");
	if (!late || !ssh_is_connected(s->ssh))
		return;
	session_hangup(s, s->state == SS_AUTH ? "login grace time over; "
	    "connect again and answer the prompts" : "idle for too long; "
	    "connect again and send the command's input at once");
}

static enum err
session_loop(struct session *s)
{
	ssh_event ev;
	enum err result = ERR_AUTH;

	if ((ev = ssh_event_new()) == NULL)
		return ERR_NOMEM;
	ssh_event_add_session(ev, s->ssh);
	while (s->state != SS_DONE) {
		if (s->state == SS_RUN) {
			session_run_command(s, ev);
			result = ERR_OK;
			break;
		}
		if (session_pump(s, ev) == -1) {
			session_timed_out(s);
			break;
		}
		if (s->state > SS_AUTH && s->state < SS_RUN)
			s->deadline = time(NULL) + SESSION_IDLE_TIMEOUT;
	}
	ssh_event_remove_session(ev, s->ssh);
	ssh_event_free(ev);
	return result;
}

static ssh_bind
session_bind(const struct session_params *p)
{
	ssh_bind bind;
	ssh_key key = NULL;
	int no = 0;

	if ((bind = ssh_bind_new()) == NULL) {
		ssh_key_free(p->host_key_loaded);
		return NULL;
	}
	/* Only our own configuration: no /etc/ssh/libssh_server_config. */
	ssh_bind_options_set(bind, SSH_BIND_OPTIONS_PROCESS_CONFIG, &no);
	key = p->host_key_loaded;
	if ((key == NULL && ssh_pki_import_privkey_file(p->host_key, NULL,
	    NULL, NULL, &key) != SSH_OK) ||
	    ssh_bind_options_set(bind, SSH_BIND_OPTIONS_IMPORT_KEY,
	    key) != SSH_OK) {
		log_warnx("cannot load host key %s", p->host_key);
		ssh_key_free(key);
		ssh_bind_free(bind);
		return NULL;
	}
	return bind;	/* the bind owns the key now */
}

enum err
session_serve(const struct session_params *p, int fd,
    const struct session_ops *ops, void *ctx)
{
	struct session s;
	ssh_bind bind;
	enum err result = ERR_INTERNAL;

	/* Whatever else fails, the process ends: SIGALRM kills it. */
	alarm(SESSION_MAX_LIFETIME);
	memset(&s, 0, sizeof(s));
	s.fd = fd;
	s.p = p;
	s.ops = ops;
	s.ctx = ctx;
	s.state = SS_AUTH;
	s.method = "keyboard-interactive";
	s.deadline = time(NULL) + p->login_grace_time;
	wbuf_init(&s.in);

	if ((bind = session_bind(p)) == NULL) {
		close(fd);
		return ERR_CONFIG;
	}
	if ((s.ssh = ssh_new()) == NULL)
		goto out;
	session_nodelay(fd);
	if (ssh_bind_accept_fd(bind, s.ssh, fd) != SSH_OK) {
		log_warnx("conn=%s accept: %s", p->conn_id,
		    ssh_get_error(bind));
		goto out;
	}
	fd = -1;	/* the session owns it */
	ssh_set_auth_methods(s.ssh, SSH_AUTH_METHOD_INTERACTIVE);
	/*
	 * libssh only hands channel requests to the channel callbacks
	 * when server callbacks are set; none is needed, so they are
	 * empty, and everything else reaches session_on_message.
	 */
	ssh_callbacks_init(&s.server_cb);
	s.server_cb.userdata = &s;
	ssh_set_server_callbacks(s.ssh, &s.server_cb);
	ssh_set_message_callback(s.ssh, session_on_message, &s);
	ssh_set_blocking(s.ssh, 0);
	if ((result = session_kex(&s)) != ERR_OK)
		goto out;
	result = session_loop(&s);
	if (s.state != SS_DONE || ssh_is_connected(s.ssh))
		ssh_disconnect(s.ssh);
out:
	wbuf_free(&s.in);
	if (s.ssh != NULL)
		ssh_free(s.ssh);
	if (fd != -1)
		close(fd);
	ssh_bind_free(bind);
	return result;
}
