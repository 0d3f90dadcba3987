/* SPDX-License-Identifier: ISC */
/*
 * dirproc: the directory process, and the monitor's way to it (see
 * dirproc.h).
 *
 * The process trusts the monitor, which forked it, but parses its
 * messages with the same bounds as the monitor parses the SSH child's;
 * the monitor trusts nothing the process says beyond one error code
 * from a short list, read within a deadline. A password crosses the
 * socket pair only inside AUTH, in buffers wiped after use.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "dirproc.h"
#include "log.h"
#include "monitor.h"

/* How long a process that has been told to go may take to exit. */
#define DIRPROC_REAP_MS		1000
/* Lines the process may log through the monitor, in one connection. */
#define DIRPROC_MAX_LINES	64

/* The process's state between messages. */
struct dirproc_self {
	int			 fd;
	const struct config	*cfg;
	const struct sandbox	*sb;
	struct directory	*d;
	enum err		 opened;	/* what WARM's open said */
	int			 warm;
	int64_t			 idle_until;	/* a find's connection */
};

/*
 * The process holds no descriptor of the log file, whose O_APPEND a
 * taken-over process could turn off: each line goes to the monitor,
 * which writes it.
 */
static void
dirproc_log(int prio, const char *line, void *arg)
{
	struct dirproc_self *self = arg;
	struct wbuf b;

	wbuf_init(&b);
	monitor_msg_begin(&b, DIRPROC_LOG);
	wbuf_put_u32(&b, (uint32_t)prio);
	wbuf_put_cstring(&b, line);
	(void)monitor_send(self->fd, &b);
	wbuf_free(&b);
}

/*
 * WARM, in the order that keeps privileges away from the network: the
 * module and the secrets while this process may read them (no
 * network), then the privsep user, then libldap's start and the
 * resolver's lookups (DNS), then the filter for good.
 *
 * Two libraries under libldap do work at load time that cassh never
 * needs: Cyrus SASL loads every plugin it finds (cassh binds simply),
 * and GnuTLS sets itself up whether TLS is used or not. An empty
 * plugin path makes the first a no-op; GNUTLS_NO_IMPLICIT_INIT leaves
 * the second to libldap, which sets GnuTLS up at its first TLS
 * connection (BENCHMARKS.md has the cost of both).
 */
static void
dirproc_open(struct dirproc_self *self)
{
	setenv("SASL_PATH", "/var/empty/cassh-no-sasl-plugins", 1);
	setenv("GNUTLS_NO_IMPLICIT_INIT", "1", 1);
	self->opened = directory_open(self->cfg, &self->d);
	if (sandbox_drop_directory(self->sb) != ERR_OK)
		_exit(EX_OSERR);
	if (self->d != NULL)
		directory_warm(self->d);
	if (sandbox_filter_directory(self->sb) != ERR_OK)
		_exit(EX_OSERR);
	self->warm = 1;
}

static int
dirproc_reply(int fd, enum err e)
{
	struct wbuf b;
	int rc;

	wbuf_init(&b);
	monitor_msg_begin(&b, DIRPROC_AUTH_REPLY);
	wbuf_put_u32(&b, (uint32_t)e);
	rc = monitor_send(fd, &b);
	wbuf_free(&b);
	return rc;
}

/*
 * A find's connection waits for the password at most one timeout: a
 * person who types slowly costs one more search, and a connection that
 * never logs in holds no connection to the directory for long.
 */
static void
dirproc_look_up(struct dirproc_self *self, const char *login)
{
	if (self->d == NULL)
		return;
	directory_find(self->d, login);
	self->idle_until = monitor_now() + self->cfg->ldap_timeout;
}

/* The next message, or -1 once the monitor is gone or broke off. */
static int
dirproc_next(struct dirproc_self *self, uint8_t **msg, size_t *len,
    struct wreader *r, uint8_t *type)
{
	int rc;

	while ((rc = monitor_recv(self->fd, self->idle_until, msg, len, r,
	    type)) == -1 && self->idle_until != 0 &&
	    monitor_now() >= self->idle_until) {
		directory_drop(self->d);
		self->idle_until = 0;
	}
	return rc == 1 ? 0 : -1;
}

/* One message; -1 ends the process. */
static int
dirproc_step(struct dirproc_self *self)
{
	char login[MONITOR_MAX_LOGIN + 1];
	char password[MONITOR_MAX_PASSWORD + 1];
	struct wreader r;
	uint8_t *msg, type;
	size_t len;
	int rc = -1;

	if (dirproc_next(self, &msg, &len, &r, &type) == -1)
		return -1;
	if (type == DIRPROC_WARM && !self->warm && wread_end(&r) == 0) {
		dirproc_open(self);
		rc = 0;
	} else if (type == DIRPROC_FIND && self->warm &&
	    monitor_get_str(&r, login, sizeof(login)) == 0 &&
	    wread_end(&r) == 0) {
		dirproc_look_up(self, login);
		rc = 0;
	} else if (type == DIRPROC_AUTH && self->warm &&
	    monitor_get_str(&r, login, sizeof(login)) == 0 &&
	    monitor_get_str(&r, password, sizeof(password)) == 0 &&
	    wread_end(&r) == 0) {
		self->idle_until = 0;
		rc = dirproc_reply(self->fd, self->d == NULL ? self->opened :
		    directory_authenticate(self->d, login, password, NULL));
	}
	explicit_bzero(password, sizeof(password));
	monitor_msg_free(msg, len);
	return rc;
}

/*
 * The process: answer until the monitor goes. It ends with _exit(),
 * as the SSH child does: the monitor's exit handlers are not its own.
 * Not dumpable from the start: it will hold the service account's
 * password.
 */
static void __attribute__((noreturn))
dirproc_serve(int fd, const struct config *cfg, const struct sandbox *sb)
{
	struct dirproc_self self;

	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	(void)prctl(PR_SET_NAME, "cassh-dir", 0, 0, 0);
	memset(&self, 0, sizeof(self));
	self.fd = fd;
	self.cfg = cfg;
	self.sb = sb;
	self.opened = ERR_INTERNAL;
	log_forward(dirproc_log, &self);
	while (dirproc_step(&self) == 0)
		;
	directory_close(self.d);
	_exit(0);
}

enum err
dirproc_start(struct dirproc *dp, const struct config *cfg,
    const struct sandbox *sb, const int *close_fds, size_t n,
    const char *conn_id)
{
	int pair[2];
	size_t i;
	pid_t pid;

	dp->pid = -1;
	dp->fd = -1;
	dp->lines = 0;
	dp->conn_id = conn_id;
	dp->deadline = cfg->login_grace_time;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == -1) {
		log_warnx("conn=%s socketpair: %s", conn_id, strerror(errno));
		return ERR_INTERNAL;
	}
	if ((pid = fork()) == -1) {
		log_warnx("conn=%s fork: %s", conn_id, strerror(errno));
		close(pair[0]);
		close(pair[1]);
		return ERR_INTERNAL;
	}
	if (pid == 0) {
		for (i = 0; i < n; i++)
			close(close_fds[i]);
		close(pair[0]);
		dirproc_serve(pair[1], cfg, sb);
	}
	close(pair[1]);
	dp->pid = pid;
	dp->fd = pair[0];
	return ERR_OK;
}

/* A message without a reply; a process that is gone shows at AUTH. */
static void
dirproc_post(struct dirproc *dp, struct wbuf *b)
{
	if (dp->fd != -1)
		(void)monitor_send(dp->fd, b);
	wbuf_free(b);
}

void
dirproc_warm(struct dirproc *dp)
{
	struct wbuf b;

	wbuf_init(&b);
	monitor_msg_begin(&b, DIRPROC_WARM);
	dirproc_post(dp, &b);
}

static void
dirproc_find(void *ctx, const char *login)
{
	struct wbuf b;

	wbuf_init(&b);
	monitor_msg_begin(&b, DIRPROC_FIND);
	wbuf_put_cstring(&b, login);
	dirproc_post(ctx, &b);
}

/* The answers a directory gives (directory.h); anything else is a lie. */
static int
dirproc_valid(uint32_t e)
{
	switch (e) {
	case ERR_OK:
	case ERR_AUTH:
	case ERR_DIRECTORY_DOWN:
	case ERR_CONFIG:
	case ERR_NOMEM:
	case ERR_INTERNAL:
		return 1;
	default:
		return 0;
	}
}

/*
 * The next frame from the process that is not a log line: the lines
 * before it are logged on the way, at most DIRPROC_MAX_LINES in all.
 * Returns as monitor_recv; a line out of bounds is -1.
 */
static int
dirproc_recv(struct dirproc *dp, int64_t deadline, uint8_t **msg,
    size_t *len, struct wreader *r, uint8_t *type)
{
	char line[LOG_AUDIT_MAX];
	uint32_t prio;
	int rc;

	for (;;) {
		rc = monitor_recv(dp->fd, deadline, msg, len, r, type);
		if (rc != 1 || *type != DIRPROC_LOG)
			return rc;
		rc = ++dp->lines <= DIRPROC_MAX_LINES &&
		    wread_u32(r, &prio) == 0 &&
		    monitor_get_str(r, line, sizeof(line)) == 0 &&
		    wread_end(r) == 0;
		monitor_msg_free(*msg, *len);
		if (!rc)
			return -1;
		log_line((int)prio, dp->conn_id, "directory", line);
	}
}

/* The reply to AUTH, or why there is none (ERR_OK: none in time). */
static enum err
dirproc_answer(struct dirproc *dp, uint32_t *e)
{
	int64_t deadline = monitor_now() + dp->deadline;
	struct wreader r;
	uint8_t *msg, type;
	size_t len;
	int rc;

	rc = dirproc_recv(dp, deadline, &msg, &len, &r, &type);
	if (rc == -1 && monitor_now() >= deadline)
		return ERR_DIRECTORY_DOWN;
	if (rc != 1)
		return ERR_INTERNAL;
	rc = type == DIRPROC_AUTH_REPLY && wread_u32(&r, e) == 0 &&
	    wread_end(&r) == 0 && dirproc_valid(*e);
	monitor_msg_free(msg, len);
	return rc ? ERR_OK : ERR_INTERNAL;
}

static enum err
dirproc_authenticate(void *ctx, const char *login, const char *password)
{
	struct dirproc *dp = ctx;
	struct wbuf b;
	uint32_t e = ERR_INTERNAL;
	enum err failed;
	int rc;

	if (dp->fd == -1)
		return ERR_INTERNAL;
	wbuf_init(&b);
	monitor_msg_begin(&b, DIRPROC_AUTH);
	wbuf_put_cstring(&b, login);
	wbuf_put_cstring(&b, password);
	rc = monitor_send(dp->fd, &b);
	wbuf_free(&b);
	failed = rc == -1 ? ERR_INTERNAL : dirproc_answer(dp, &e);
	if (failed == ERR_OK)
		return (enum err)e;
	if (failed == ERR_DIRECTORY_DOWN)
		log_warnx("conn=%s the directory process did not answer "
		    "within %d s", dp->conn_id, dp->deadline);
	else
		log_warnx("conn=%s the directory process broke off",
		    dp->conn_id);
	dirproc_stop(dp, 1);
	return failed;
}

const struct directory_ops dirproc_ops = {
	.find = dirproc_find,
	.authenticate = dirproc_authenticate,
};

/*
 * Tell the process to go (the end of its input) and log what it still
 * has to say, until it closes its end. Returns -1 if it broke the
 * protocol or did not close in time.
 */
static int
dirproc_drain(struct dirproc *dp)
{
	struct wreader r;
	uint8_t *msg, type;
	size_t len;
	int rc;

	if (shutdown(dp->fd, SHUT_WR) == -1)
		return -1;
	rc = dirproc_recv(dp, monitor_now() + DIRPROC_REAP_MS / 1000, &msg,
	    &len, &r, &type);
	if (rc == 1)
		monitor_msg_free(msg, len);
	return rc == 0 ? 0 : -1;
}

void
dirproc_stop(struct dirproc *dp, int kill_now)
{
	if (dp->fd != -1 && !kill_now && dirproc_drain(dp) == -1)
		kill_now = 1;
	if (dp->fd != -1)
		close(dp->fd);
	dp->fd = -1;
	if (dp->pid == -1)
		return;
	sandbox_reap(dp->pid, kill_now ? 0 : DIRPROC_REAP_MS, dp->conn_id,
	    "directory");
	dp->pid = -1;
}
