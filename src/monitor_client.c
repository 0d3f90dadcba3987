/* SPDX-License-Identifier: ISC */
/*
 * monitor_client: the sandboxed child's side of the monitor channel,
 * as the struct session_ops that session.c calls (see monitor.h).
 *
 * Each operation is one request and one reply, in order, so the
 * channel never holds more than one message in each direction; HELLO
 * and LOGIN have no reply. The
 * replies come from the privileged side, but they are parsed with the
 * same bounds all the same: the child must never trust a length it has
 * not checked. A password leaves this process only inside the AUTH
 * message, whose buffer is wiped as soon as it has been sent.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "monitor.h"

/* Send b (wiped and freed here), then read the reply of type want. */
static int
monitor_call(struct monitor_client *c, struct wbuf *b, uint8_t want,
    uint8_t **msg, size_t *len, struct wreader *r)
{
	uint8_t type;
	int rc;

	rc = monitor_send(c->fd, b);
	wbuf_free(b);
	if (rc == -1 || monitor_recv(c->fd, 0, msg, len, r, &type) != 1) {
		log_warnx("the monitor process is gone");
		return -1;
	}
	if (type != want) {
		log_warnx("the monitor answered with message type %u, "
		    "not %u", (unsigned)type, (unsigned)want);
		monitor_msg_free(*msg, *len);
		return -1;
	}
	return 0;
}

/*
 * No reply to wait for. A monitor that is gone shows at the first
 * request; until then the key exchange may as well go on.
 */
static void
monitor_client_started(void *arg)
{
	struct monitor_client *c = arg;
	struct wbuf b;

	wbuf_init(&b);
	monitor_msg_begin(&b, MONITOR_HELLO);
	(void)monitor_send(c->fd, &b);
	wbuf_free(&b);
}

/* No reply either: the monitor only starts a lookup. */
static void
monitor_client_login(void *arg, const char *login)
{
	struct monitor_client *c = arg;
	struct wbuf b;

	wbuf_init(&b);
	monitor_msg_begin(&b, MONITOR_LOGIN);
	wbuf_put_cstring(&b, login);
	(void)monitor_send(c->fd, &b);
	wbuf_free(&b);
}

static enum err
monitor_client_auth(void *arg, const char *login, const char *password)
{
	struct monitor_client *c = arg;
	struct wreader r;
	struct wbuf b;
	uint8_t *msg;
	size_t len;
	uint32_t e;

	wbuf_init(&b);
	monitor_msg_begin(&b, MONITOR_AUTH);
	wbuf_put_cstring(&b, login);
	wbuf_put_cstring(&b, password);
	if (monitor_call(c, &b, MONITOR_AUTH_REPLY, &msg, &len, &r) == -1)
		return ERR_INTERNAL;
	if (wread_u32(&r, &e) == -1 || wread_end(&r) == -1 || e >= ERR_MAX)
		e = ERR_INTERNAL;
	monitor_msg_free(msg, len);
	return (enum err)e;
}

static int
monitor_client_is_public(void *arg, const char *login)
{
	struct monitor_client *c = arg;

	return strcmp(login, c->public_login) == 0;
}

static enum err
monitor_client_prepare(void *arg, const char *line, size_t *max_input)
{
	struct monitor_client *c = arg;
	struct wreader r;
	struct wbuf b;
	uint8_t *msg;
	size_t len;
	uint32_t e, max;

	/* Too long for any command: cut, and the monitor says so. */
	wbuf_init(&b);
	monitor_msg_begin(&b, MONITOR_PREPARE);
	wbuf_put_string(&b, line, strnlen(line, MONITOR_MAX_LINE));
	if (monitor_call(c, &b, MONITOR_PREPARE_REPLY, &msg, &len, &r) == -1)
		return ERR_INTERNAL;
	if (wread_u32(&r, &e) == -1 || wread_u32(&r, &max) == -1 ||
	    wread_end(&r) == -1 || e >= ERR_MAX || max > MONITOR_MAX_INPUT)
		e = ERR_INTERNAL;
	monitor_msg_free(msg, len);
	if (e == ERR_OK)
		*max_input = max;
	return (enum err)e;
}

/* The reply's fields into out and errline; -1 if any is out of bounds. */
static int
monitor_client_answer(struct wreader *r, uint32_t *status, struct wbuf *out,
    char *errline, size_t errlen)
{
	const uint8_t *p, *line;
	size_t n, linelen;

	if (wread_u32(r, status) == -1 || *status > 255 ||
	    wread_string(r, &p, &n) == -1 || n > MONITOR_MAX_OUTPUT ||
	    wread_string(r, &line, &linelen) == -1 || linelen >= errlen ||
	    memchr(line, '\0', linelen) != NULL || wread_end(r) == -1)
		return -1;
	wbuf_put_raw(out, p, n);
	memcpy(errline, line, linelen);
	errline[linelen] = '\0';
	return 0;
}

static int
monitor_client_run(void *arg, const uint8_t *in, size_t n, int toolong,
    struct wbuf *out, char *errline, size_t errlen)
{
	struct monitor_client *c = arg;
	struct wreader r;
	struct wbuf b;
	uint8_t *msg;
	size_t len;
	uint32_t status;
	int rc;

	wbuf_init(&b);
	monitor_msg_begin(&b, MONITOR_RUN);
	wbuf_put_u8(&b, toolong ? 1 : 0);
	wbuf_put_string(&b, in, n);
	rc = monitor_call(c, &b, MONITOR_RUN_REPLY, &msg, &len, &r);
	if (rc == 0) {
		rc = monitor_client_answer(&r, &status, out, errline, errlen);
		monitor_msg_free(msg, len);
	}
	if (rc == -1) {
		wbuf_free(out);
		snprintf(errline, errlen, "cassh: %s", err_str(ERR_INTERNAL));
		return err_exit_status(ERR_INTERNAL);
	}
	return (int)status;
}

const struct session_ops monitor_client_ops = {
	.started = monitor_client_started,
	.login = monitor_client_login,
	.auth = monitor_client_auth,
	.is_public = monitor_client_is_public,
	.prepare = monitor_client_prepare,
	.run = monitor_client_run,
};
