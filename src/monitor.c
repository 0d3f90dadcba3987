/* SPDX-License-Identifier: ISC */
/*
 * monitor: the privileged side of one connection (see monitor.h), and
 * the framing both sides share.
 *
 * Each message from the child is read into a buffer of exactly its
 * announced length, parsed once with the bounded wire reader, checked
 * against the one state the conversation may be in, answered, and then
 * wiped, since an AUTH message holds a password. The first message
 * that does not fit ends the conversation: a child that breaks the
 * protocol is presumed to be in an attacker's hands, and the caller
 * kills it.
 */
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "command.h"
#include "guard.h"
#include "log.h"
#include "monitor.h"
#include "record.h"

/* The bounds of monitor.h are those of the modules behind it. */
_Static_assert(MONITOR_MAX_LOGIN == RECORD_MAX_NAME, "login bound");
_Static_assert(MONITOR_MAX_LINE == COMMAND_MAX_LINE, "line bound");

/* Seconds granted beyond the session's own login grace time. */
#define MONITOR_SLACK	5

enum monitor_state {
	MS_HELLO,	/* until the child's version line is out */
	MS_AUTH,	/* until an AUTH succeeds */
	MS_PREPARE,	/* logged in: one PREPARE */
	MS_RUN,		/* prepared: one RUN */
	MS_DONE,	/* nothing more may be asked */
};

/* What a handler tells the loop. */
enum monitor_next {
	MN_GO_ON,
	MN_GONE,	/* the child cannot be answered: end quietly */
	MN_VIOLATION,	/* m->why says what */
};

struct monitor {
	const struct monitor_params	*p;
	int				 fd;
	enum monitor_state		 state;
	int				 failures;
	int				 logins;	/* LOGIN messages */
	int64_t				 deadline;
	char				 login[MONITOR_MAX_LOGIN + 1];
	struct command_env		 env;
	struct command_call		 call;
	size_t				 max_input;
	const char			*msgname;	/* for the log */
	const char			*why;
};

static enum monitor_next monitor_hello(struct monitor *, struct wreader *);
static enum monitor_next monitor_login(struct monitor *, struct wreader *);
static enum monitor_next monitor_auth(struct monitor *, struct wreader *);
static enum monitor_next monitor_prepare(struct monitor *,
	    struct wreader *);
static enum monitor_next monitor_run(struct monitor *, struct wreader *);

static const struct monitor_handler {
	uint8_t			 type;
	enum monitor_state	 state;		/* the only one it fits */
	const char		*name;
	enum monitor_next	(*fn)(struct monitor *, struct wreader *);
} monitor_handlers[] = {
	{ MONITOR_HELLO, MS_HELLO, "HELLO", monitor_hello },
	{ MONITOR_LOGIN, MS_AUTH, "LOGIN", monitor_login },
	{ MONITOR_AUTH, MS_AUTH, "AUTH", monitor_auth },
	{ MONITOR_PREPARE, MS_PREPARE, "PREPARE", monitor_prepare },
	{ MONITOR_RUN, MS_RUN, "RUN", monitor_run },
};

int64_t
monitor_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

/*
 * The frame's length comes first, so that a message leaves in one
 * write and the peer wakes once for it: monitor_send fills it in.
 */
void
monitor_msg_begin(struct wbuf *b, uint8_t type)
{
	wbuf_put_u32(b, 0);
	wbuf_put_u8(b, MONITOR_VERSION);
	wbuf_put_u8(b, type);
}

void
monitor_msg_free(uint8_t *msg, size_t len)
{
	if (msg == NULL)
		return;
	explicit_bzero(msg, len);
	free(msg);
}

/* MSG_NOSIGNAL: a peer that is gone is an error, not a SIGPIPE. */
static int
monitor_write_full(int fd, const uint8_t *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = send(fd, p, n, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
monitor_send(int fd, struct wbuf *b)
{
	size_t n;

	if (wbuf_failed(b) || b->len < 6 ||
	    (n = b->len - 4) > MONITOR_MAX_FRAME)
		return -1;
	b->data[0] = (uint8_t)(n >> 24);
	b->data[1] = (uint8_t)(n >> 16);
	b->data[2] = (uint8_t)(n >> 8);
	b->data[3] = (uint8_t)n;
	return monitor_write_full(fd, b->data, b->len);
}

/* Wait until fd is readable or the deadline (0: none) has passed. */
static int
monitor_wait(int fd, int64_t deadline)
{
	struct pollfd pfd;
	int64_t left;
	int rc;

	if (deadline == 0)
		return 0;
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		/*
		 * Past the deadline, a message already waiting still counts:
		 * it may have come while this process was busy (warming up
		 * on HELLO can wait for the resolver).
		 */
		left = deadline - monitor_now();
		rc = poll(&pfd, 1, left <= 0 ? 0 :
		    left > 1 ? 1000 : (int)left * 1000);
		if (rc > 0)
			return 0;
		if ((rc == -1 && errno != EINTR) || left <= 0)
			return -1;
	}
}

/* n bytes whole: n, 0 if the peer closed before the first, or -1. */
static ssize_t
monitor_read_full(int fd, uint8_t *p, size_t n, int64_t deadline)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		if (monitor_wait(fd, deadline) == -1)
			return -1;
		if ((r = read(fd, p + got, n - got)) == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		if (r == 0)
			return got == 0 ? 0 : -1;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int
monitor_recv(int fd, int64_t deadline, uint8_t **msg, size_t *len,
    struct wreader *r, uint8_t *type)
{
	uint8_t hdr[4], version, *buf;
	uint32_t n;
	ssize_t got;

	*msg = NULL;
	*len = 0;
	if ((got = monitor_read_full(fd, hdr, sizeof(hdr), deadline)) <= 0)
		return (int)got;
	n = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
	    (uint32_t)hdr[2] << 8 | hdr[3];
	if (n < 2 || n > MONITOR_MAX_FRAME || (buf = malloc(n)) == NULL)
		return -1;
	if (monitor_read_full(fd, buf, n, deadline) != (ssize_t)n) {
		monitor_msg_free(buf, n);
		return -1;
	}
	wread_init(r, buf, n);
	if (wread_u8(r, &version) == -1 || wread_u8(r, type) == -1 ||
	    version != MONITOR_VERSION) {
		monitor_msg_free(buf, n);
		return -1;
	}
	*msg = buf;
	*len = n;
	return 1;
}

int
monitor_get_str(struct wreader *r, char *buf, size_t size)
{
	const uint8_t *p;
	size_t n;

	if (wread_string(r, &p, &n) == -1 || n >= size ||
	    memchr(p, '\0', n) != NULL)
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return 0;
}

static enum monitor_next
monitor_violation(struct monitor *m, const char *why)
{
	m->why = why;
	return MN_VIOLATION;
}

/* Send b (and free it): the child's end may be gone. */
static enum monitor_next
monitor_reply(struct monitor *m, struct wbuf *b)
{
	int rc = monitor_send(m->fd, b);

	wbuf_free(b);
	return rc == 0 ? MN_GO_ON : MN_GONE;
}

/* The login as the session would send it, or a violation. */
static int
monitor_auth_fits(struct monitor *m, const char *login,
    const char *password)
{
	const struct config *cfg = m->p->cfg;

	if (!record_valid_name(login) ||
	    strcmp(login, cfg->generic_login) == 0) {
		m->why = "a login the session never sends";
		return -1;
	}
	if (password == NULL && strcmp(login, cfg->public_login) == 0) {
		m->why = "a LOGIN for the public login";
		return -1;
	}
	if (password != NULL && strcmp(login, cfg->public_login) == 0 &&
	    password[0] != '\0') {
		m->why = "a password for the public login";
		return -1;
	}
	return 0;
}

/* The identity every later command runs for is fixed here, once. */
static void
monitor_logged_in(struct monitor *m, const char *login, int is_public)
{
	memcpy(m->login, login, strlen(login) + 1);
	m->env.login = m->login;
	m->env.is_public = is_public;
	m->state = MS_PREPARE;
	m->deadline = monitor_now() + MONITOR_AFTER_AUTH;
}

/* No answer: the child goes on with the key exchange meanwhile. */
static enum monitor_next
monitor_hello(struct monitor *m, struct wreader *r)
{
	if (wread_end(r) == -1)
		return monitor_violation(m, "malformed or oversized field");
	m->state = MS_AUTH;
	if (m->p->warm != NULL)
		m->p->warm(m->p->warm_arg);
	return MN_GO_ON;
}

/*
 * No answer: the directory looks the login up while the client
 * answers the prompts, and the AUTH that follows has only the bind
 * left. Nothing is decided here.
 */
static enum monitor_next
monitor_login(struct monitor *m, struct wreader *r)
{
	char login[MONITOR_MAX_LOGIN + 1];

	if (monitor_get_str(r, login, sizeof(login)) == -1 ||
	    wread_end(r) == -1)
		return monitor_violation(m, "malformed or oversized field");
	if (monitor_auth_fits(m, login, NULL) == -1)
		return MN_VIOLATION;
	if (++m->logins > MONITOR_MAX_LOGINS)
		return monitor_violation(m, "too many LOGIN messages");
	if (m->p->dir->find != NULL)
		m->p->dir->find(m->p->dir_ctx, login);
	return MN_GO_ON;
}

static enum monitor_next
monitor_auth(struct monitor *m, struct wreader *r)
{
	char login[MONITOR_MAX_LOGIN + 1];
	char password[MONITOR_MAX_PASSWORD + 1];
	enum monitor_next next = MN_VIOLATION;
	struct wbuf b;
	enum err e;
	int is_public;

	if (monitor_get_str(r, login, sizeof(login)) == -1 ||
	    monitor_get_str(r, password, sizeof(password)) == -1 ||
	    wread_end(r) == -1) {
		m->why = "malformed or oversized field";
		goto out;
	}
	if (monitor_auth_fits(m, login, password) == -1)
		goto out;
	/* The directory, behind the failed-login lockout (guard.c). */
	is_public = strcmp(login, m->p->cfg->public_login) == 0;
	e = is_public ? ERR_OK :
	    guard_authenticate(m->p->cfg, m->p->reg, m->p->dir,
	    m->p->dir_ctx, login, password);
	explicit_bzero(password, sizeof(password));
	if (e == ERR_OK)
		monitor_logged_in(m, login, is_public);
	else if (e != ERR_AUTH || ++m->failures >= m->p->cfg->max_auth_tries)
		m->state = MS_DONE;	/* the session hangs up too */
	wbuf_init(&b);
	monitor_msg_begin(&b, MONITOR_AUTH_REPLY);
	wbuf_put_u32(&b, (uint32_t)e);
	next = monitor_reply(m, &b);
out:
	explicit_bzero(password, sizeof(password));
	return next;
}

static enum monitor_next
monitor_prepare(struct monitor *m, struct wreader *r)
{
	char line[MONITOR_MAX_LINE + 1];
	size_t max_input = 0;
	struct wbuf b;
	enum err e;

	if (monitor_get_str(r, line, sizeof(line)) == -1 ||
	    wread_end(r) == -1)
		return monitor_violation(m, "malformed or oversized field");
	e = command_prepare(&m->env, line, &m->call, &max_input);
	if (e == ERR_OK && max_input > MONITOR_MAX_INPUT) {
		log_warnx("conn=%s command input bound %zu above %d",
		    m->p->conn_id, max_input, MONITOR_MAX_INPUT);
		e = ERR_INTERNAL;
	}
	m->max_input = e == ERR_OK ? max_input : 0;
	m->state = e == ERR_OK ? MS_RUN : MS_DONE;
	wbuf_init(&b);
	monitor_msg_begin(&b, MONITOR_PREPARE_REPLY);
	wbuf_put_u32(&b, (uint32_t)e);
	wbuf_put_u32(&b, (uint32_t)m->max_input);
	return monitor_reply(m, &b);
}

/* An answer that does not fit a frame is a bug to log, not to send. */
static int
monitor_output_fits(struct monitor *m, struct wbuf *out, char *errline,
    size_t errlen)
{
	if (!wbuf_failed(out) && out->len <= MONITOR_MAX_OUTPUT)
		return 1;
	log_warnx("conn=%s command output over %d bytes", m->p->conn_id,
	    MONITOR_MAX_OUTPUT);
	wbuf_free(out);
	snprintf(errline, errlen, "cassh: %s", err_str(ERR_INTERNAL));
	return 0;
}

static enum monitor_next
monitor_run(struct monitor *m, struct wreader *r)
{
	char errline[MONITOR_MAX_ERRLINE + 1];
	const uint8_t *in;
	struct wbuf out, b;
	uint8_t toolong;
	size_t n;
	int status;

	if (wread_u8(r, &toolong) == -1 || toolong > 1 ||
	    wread_string(r, &in, &n) == -1 || n > m->max_input ||
	    wread_end(r) == -1)
		return monitor_violation(m, "malformed or oversized field");
	wbuf_init(&out);
	errline[0] = '\0';
	status = command_run(&m->env, &m->call, in, n, toolong, &out,
	    errline, sizeof(errline));
	if (!monitor_output_fits(m, &out, errline, sizeof(errline)))
		status = err_exit_status(ERR_INTERNAL);
	m->state = MS_DONE;
	wbuf_init(&b);
	monitor_msg_begin(&b, MONITOR_RUN_REPLY);
	wbuf_put_u32(&b, (uint32_t)status);
	wbuf_put_string(&b, out.data, out.len);
	wbuf_put_cstring(&b, errline);
	wbuf_free(&out);
	return monitor_reply(m, &b);
}

static const struct monitor_handler *
monitor_handler_for(uint8_t type)
{
	size_t i;

	for (i = 0; i < sizeof(monitor_handlers) /
	    sizeof(monitor_handlers[0]); i++)
		if (monitor_handlers[i].type == type)
			return &monitor_handlers[i];
	return NULL;
}

/*
 * One message in, one answer out (none for HELLO and LOGIN); MN_GONE
 * also when the child closed.
 */
static enum monitor_next
monitor_step(struct monitor *m)
{
	const struct monitor_handler *h;
	enum monitor_next next;
	struct wreader r;
	uint8_t *msg, type;
	size_t len;
	int rc;

	rc = monitor_recv(m->fd, m->deadline, &msg, &len, &r, &type);
	if (rc == 0)
		return MN_GONE;
	if (rc == -1)
		return monitor_violation(m, monitor_now() >= m->deadline ?
		    "no message in time" : "malformed frame");
	if ((h = monitor_handler_for(type)) == NULL)
		next = monitor_violation(m, "unknown message type");
	else {
		m->msgname = h->name;
		if (h->state != m->state)
			next = monitor_violation(m, "message out of turn");
		else
			next = h->fn(m, &r);
	}
	monitor_msg_free(msg, len);
	return next;
}

static void
monitor_audit_violation(const struct monitor *m)
{
	struct audit a;

	audit_begin(&a, "privsep");
	audit_str(&a, "conn", m->p->conn_id);
	audit_str(&a, "peer", m->p->peer);
	audit_str(&a, "login", m->login[0] != '\0' ? m->login : NULL);
	audit_str(&a, "message", m->msgname);
	audit_str(&a, "result", "refused");
	audit_str(&a, "reason", m->why);
	audit_end(&a);
}

enum err
monitor_serve(const struct monitor_params *mp, int fd)
{
	struct monitor m;
	enum monitor_next next;

	memset(&m, 0, sizeof(m));
	m.p = mp;
	m.fd = fd;
	m.state = MS_HELLO;
	m.deadline = monitor_now() + mp->cfg->login_grace_time +
	    MONITOR_SLACK;
	m.env.cfg = mp->cfg;
	m.env.reg = mp->reg;
	m.env.conn_id = mp->conn_id;
	m.env.peer = mp->peer;

	while ((next = monitor_step(&m)) == MN_GO_ON)
		;
	if (next == MN_GONE)
		return ERR_OK;
	monitor_audit_violation(&m);
	return ERR_INTERNAL;
}
