/* SPDX-License-Identifier: ISC */
/*
 * log: audit and diagnostics for operators, to syslog (and so to the
 * journal), never to a descriptor that may be the client's socket.
 *
 * An audit line is a list of key=value pairs, one per decision. Values
 * that came from a client or from LDAP are quoted and escaped, so that
 * no input can forge a field or a line.
 */
#ifndef CASSH_LOG_H
#define CASSH_LOG_H

#include <stddef.h>
#include <stdint.h>

/*
 * log_open: start logging as ident to syslog. With to_stderr set
 * (cassh-admin), diagnostics also go to stderr. With file not NULL,
 * every line is also appended to that file (hosts without a syslog
 * daemon, tests); it is opened here, after the signer has moved its
 * socket away from descriptors 0 to 2. Returns 0, or -1 if the file
 * cannot be opened (logging goes on to syslog).
 */
int	log_open(const char *ident, int to_stderr, const char *file);

/*
 * log_forward: close syslog and the log file, and from now on hand
 * every line, with its syslog priority, to sink instead: a confined
 * process that must not hold a descriptor of the log file (dirproc.c)
 * sends its lines to the monitor this way.
 */
void	log_forward(void (*sink)(int prio, const char *line, void *arg),
	    void *arg);

/*
 * log_line: log a line that another process sent (log_forward's
 * sink, at the other end), escaped again as any diagnostic, after
 * "conn=CONN_ID from=FROM", at LOG_WARNING or else LOG_INFO: never at
 * the audit lines' priority, so that a confined process cannot pass
 * its lines off as the monitor's decisions.
 */
void	log_line(int prio, const char *conn_id, const char *from,
	    const char *line);

/* log_warnx, log_debug: a diagnostic line (never a secret). */
void	log_warnx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

/*
 * log_last_warning: the last diagnostic of priority warning that this
 * process logged (escaped, cut to 255 bytes), so that a command-line
 * program can name the cause in its one error line even where there
 * is no syslog to read it from.
 */
const char *log_last_warning(void);
void	log_clear_last_warning(void);

/* The audit line under construction: fixed size, truncated safely. */
#define LOG_AUDIT_MAX	2048

struct audit {
	char	buf[LOG_AUDIT_MAX];
	size_t	len;
};

/* audit_begin: start a line with the event name ("event=sign"). */
void	audit_begin(struct audit *a, const char *event);

/*
 * audit_str: add key="value" with the value escaped (quotes,
 * backslashes, control and non-ASCII bytes as \xNN). A NULL value is
 * written as key=-.
 */
void	audit_str(struct audit *a, const char *key, const char *value);

/* audit_u64, audit_i64: add key=number. */
void	audit_u64(struct audit *a, const char *key, uint64_t v);
void	audit_i64(struct audit *a, const char *key, int64_t v);

/* audit_end: send the line to syslog at LOG_INFO (or LOG_NOTICE). */
void	audit_end(struct audit *a);

#endif
