/* SPDX-License-Identifier: ISC */
/*
 * log: syslog output for operators. The signer's descriptors 0, 1 and
 * 2 may be the client's socket, so nothing here writes to them unless
 * the program asked for it (cassh-admin, tests).
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static int log_stderr;
static FILE *log_file;
static const char *log_ident = "cassh";
/* Set by log_forward: where every line goes instead. */
static void (*log_sink)(int, const char *, void *);
static void *log_sink_arg;

int
log_open(const char *ident, int to_stderr, const char *file)
{
	int fd;

	log_ident = ident;
	log_stderr = to_stderr;
	openlog(ident, LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
	if (file == NULL || *file == '\0')
		return 0;
	fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1 || (log_file = fdopen(fd, "a")) == NULL) {
		if (fd != -1)
			close(fd);
		syslog(LOG_WARNING, "cannot open log file %s", file);
		return -1;
	}
	setvbuf(log_file, NULL, _IOLBF, 0);
	return 0;
}

void
log_forward(void (*sink)(int, const char *, void *), void *arg)
{
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
	closelog();
	log_stderr = 0;
	log_sink = sink;
	log_sink_arg = arg;
}

/* One line to the log file, whole, with the time and the process. */
static void
log_to_file(const char *line)
{
	char stamp[32];
	struct tm tm;
	time_t now;

	if (log_file == NULL)
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(log_file, "%s %s[%ld]: %s\n", stamp, log_ident,
	    (long)getpid(), line);
}

/*
 * Diagnostics may quote libraries whose text holds what a client sent
 * (libssh's key exchange errors list the client's algorithms): control
 * and non-ASCII bytes become \xNN, so no input forges a line or talks
 * to a terminal. The line is cut rather than overflowed.
 */
static void
log_sanitize(char *line, size_t size)
{
	char out[LOG_AUDIT_MAX];
	const unsigned char *p;
	size_t n = 0;

	for (p = (const unsigned char *)line; *p != '\0'; p++) {
		if (n + 5 >= sizeof(out))
			break;
		if (*p < 0x20 || *p >= 0x7f)
			n += (size_t)snprintf(out + n, sizeof(out) - n,
			    "\\x%02x", *p);
		else
			out[n++] = (char)*p;
	}
	out[n] = '\0';
	snprintf(line, size, "%s", out);
}

static void log_vemit(int, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

/*
 * A line that is safe to write, to wherever this process logs; with
 * echo, also to stderr if log_open asked (diagnostics, not audit).
 */
static void
log_emit(int prio, const char *line, int echo)
{
	if (log_sink != NULL) {
		log_sink(prio, line, log_sink_arg);
		return;
	}
	syslog(prio, "%s", line);
	log_to_file(line);
	if (echo && log_stderr)
		fprintf(stderr, "%s: %s\n", log_ident, line);
}

/* The last warning of this process, for log_last_warning. */
static char	log_last[256];

static void
log_vemit(int prio, const char *fmt, va_list ap)
{
	char line[LOG_AUDIT_MAX];

	vsnprintf(line, sizeof(line), fmt, ap);
	log_sanitize(line, sizeof(line));
	if (prio == LOG_WARNING) {
		/* Cut, on purpose, to what fits one error line. */
		size_t n = strnlen(line, sizeof(log_last) - 1);

		memcpy(log_last, line, n);
		log_last[n] = '\0';
	}
	log_emit(prio, line, 1);
}

void
log_clear_last_warning(void)
{
	log_last[0] = '\0';
}

const char *
log_last_warning(void)
{
	return log_last[0] != '\0' ? log_last : "no detail was logged";
}

void
log_line(int prio, const char *conn_id, const char *from, const char *line)
{
	char copy[LOG_AUDIT_MAX];

	snprintf(copy, sizeof(copy), "conn=%s from=%s %s", conn_id, from,
	    line);
	log_sanitize(copy, sizeof(copy));
	log_emit(prio == LOG_WARNING ? LOG_WARNING : LOG_INFO, copy, 0);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_INFO, fmt, ap);
	va_end(ap);
}

/* Append raw text, keeping room for the NUL; excess is dropped. */
static void
audit_raw(struct audit *a, const char *s, size_t n)
{
	size_t room = sizeof(a->buf) - 1 - a->len;

	if (n > room)
		n = room;
	memcpy(a->buf + a->len, s, n);
	a->len += n;
	a->buf[a->len] = '\0';
}

static void
audit_key(struct audit *a, const char *key)
{
	if (a->len > 0)
		audit_raw(a, " ", 1);
	audit_raw(a, key, strlen(key));
	audit_raw(a, "=", 1);
}

void
audit_begin(struct audit *a, const char *event)
{
	a->len = 0;
	a->buf[0] = '\0';
	audit_key(a, "event");
	audit_raw(a, event, strlen(event));
}

/*
 * Values from clients and from LDAP are quoted, and every byte that
 * could end the line, close the quotes or confuse a terminal is
 * written as \xNN, so one input can never look like two fields.
 */
void
audit_str(struct audit *a, const char *key, const char *value)
{
	const unsigned char *p;
	char esc[5];

	audit_key(a, key);
	if (value == NULL) {
		audit_raw(a, "-", 1);
		return;
	}
	audit_raw(a, "\"", 1);
	for (p = (const unsigned char *)value; *p != '\0'; p++) {
		if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\') {
			snprintf(esc, sizeof(esc), "\\x%02x", *p);
			audit_raw(a, esc, 4);
		} else
			audit_raw(a, (const char *)p, 1);
	}
	audit_raw(a, "\"", 1);
}

void
audit_u64(struct audit *a, const char *key, uint64_t v)
{
	char num[24];

	audit_key(a, key);
	snprintf(num, sizeof(num), "%" PRIu64, v);
	audit_raw(a, num, strlen(num));
}

void
audit_i64(struct audit *a, const char *key, int64_t v)
{
	char num[24];

	audit_key(a, key);
	snprintf(num, sizeof(num), "%" PRId64, v);
	audit_raw(a, num, strlen(num));
}

void
audit_end(struct audit *a)
{
	log_emit(LOG_NOTICE, a->buf, 0);
}
