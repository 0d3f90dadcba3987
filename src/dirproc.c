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

/*
 * WARM: what needs privileges, then the sandbox for good.
 *
 * Two libraries under libldap do work at load time that cassh never
 * needs: Cyrus SASL loads every plugin it finds (cassh binds simply),
 * and GnuTLS sets itself up whether TLS is used or not. An empty
 * plugin path makes the first a no-op; GNUTLS_NO_IMPLICIT_INIT leaves
 * the second to libldap, which sets GnuTLS up at its first TLS
 * connection (BENCHMARKS.md has the cost of both).
 */
static enum err
dirproc_open(const struct config *cfg, const struct sandbox *sb,
    struct directory **d)
{
	enum err opened;

	setenv("SASL_PATH", "/var/empty/cassh-no-sasl-plugins", 1);
	setenv("GNUTLS_NO_IMPLICIT_INIT", "1", 1);
	opened = directory_open(cfg, d);
	if (sandbox_enter_directory(sb) != ERR_OK)
		_exit(EX_OSERR);
	return opened;
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
 * One message; -1 ends the process. opened is what directory_open
 * said on WARM: every AUTH answers it when it failed.
 */
static int
dirproc_step(int fd, const struct config *cfg, const struct sandbox *sb,
    struct directory **d, enum err *opened, int *warm)
{
	char login[MONITOR_MAX_LOGIN + 1];
	char password[MONITOR_MAX_PASSWORD + 1];
	struct wreader r;
	uint8_t *msg, type;
	size_t len;
	int rc = -1;

	if (monitor_recv(fd, 0, &msg, &len, &r, &type) != 1)
		return -1;
	if (type == DIRPROC_WARM && !*warm && wread_end(&r) == 0) {
		*warm = 1;
		*opened = dirproc_open(cfg, sb, d);
		rc = 0;
	} else if (type == DIRPROC_FIND && *warm &&
	    monitor_get_str(&r, login, sizeof(login)) == 0 &&
	    wread_end(&r) == 0) {
		if (*d != NULL)
			directory_find(*d, login);
		rc = 0;
	} else if (type == DIRPROC_AUTH && *warm &&
	    monitor_get_str(&r, login, sizeof(login)) == 0 &&
	    monitor_get_str(&r, password, sizeof(password)) == 0 &&
	    wread_end(&r) == 0) {
		rc = dirproc_reply(fd, *d == NULL ? *opened :
		    directory_authenticate(*d, login, password, NULL));
	}
	explicit_bzero(password, sizeof(password));
	monitor_msg_free(msg, len);
	return rc;
}

/*
 * The process: answer until the monitor goes. It ends with _exit(),
 * as the SSH child does: the monitor's exit handlers are not its own.
 */
static void __attribute__((noreturn))
dirproc_serve(int fd, const struct config *cfg, const struct sandbox *sb)
{
	struct directory *d = NULL;
	enum err opened = ERR_INTERNAL;
	int warm = 0;

	(void)prctl(PR_SET_NAME, "cassh-dir", 0, 0, 0);
	while (dirproc_step(fd, cfg, sb, &d, &opened, &warm) == 0)
		;
	directory_close(d);
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

/* The reply to AUTH, or why there is none (ERR_OK: none in time). */
static enum err
dirproc_answer(struct dirproc *dp, uint32_t *e)
{
	int64_t deadline = monitor_now() + dp->deadline;
	struct wreader r;
	uint8_t *msg, type;
	size_t len;
	int rc;

	rc = monitor_recv(dp->fd, deadline, &msg, &len, &r, &type);
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

void
dirproc_stop(struct dirproc *dp, int kill_now)
{
	if (dp->fd != -1)
		close(dp->fd);
	dp->fd = -1;
	if (dp->pid == -1)
		return;
	sandbox_reap(dp->pid, kill_now ? 0 : DIRPROC_REAP_MS, dp->conn_id,
	    "directory");
	dp->pid = -1;
}
