/* SPDX-License-Identifier: ISC */
/*
 * monitor: the privileged half of one connection, and the narrow
 * channel through which the sandboxed SSH half asks it for anything.
 *
 * The signer forks per connection. The child speaks SSH to the client
 * (session.c) inside the sandbox (sandbox.c) and implements struct
 * session_ops by sending the messages below; the parent, the monitor,
 * holds the configuration, the registry and, while it signs, the CA
 * key, and answers them. The monitor trusts nothing the child says: it
 * authenticates the login itself, runs commands only for the login it
 * authenticated, and ends the connection on the first message that is
 * malformed, oversized or out of turn.
 *
 * Framing, on a stream socketpair: uint32 length of what follows, then
 * uint8 MONITOR_VERSION, uint8 type, and the fields in the SSH wire
 * encoding (wire.h). Strings hold no NUL byte unless they are bytes of
 * input or output. Nothing may follow the last field.
 *
 *	HELLO		(no fields, no reply)
 *	LOGIN		string login (no reply)
 *	AUTH		string login, string password
 *	AUTH_REPLY	uint32 err
 *	PREPARE		string command line
 *	PREPARE_REPLY	uint32 err, uint32 max_input
 *	RUN		uint8 toolong (0 or 1), string input
 *	RUN_REPLY	uint32 exit status, string stdout, string error line
 *
 * The order is fixed: one HELLO, sent once the child's SSH version
 * line is out (the monitor then does the work it put off so as not to
 * delay that line: see monitor_params.warm); AUTH until one succeeds
 * (at most max_auth_tries failures, none after a directory error),
 * then one PREPARE, then one RUN if PREPARE succeeded. Before an AUTH
 * succeeds, one LOGIN (MONITOR_MAX_LOGINS) may name the login the
 * client asked for, so that the monitor can have the directory look
 * it up while the client answers the prompts. Anything before
 * HELLO or a second HELLO, a second AUTH after success, a PREPARE or
 * RUN before it, a LOGIN too many, a login the session never sends
 * (not a valid name, the generic login, the public login with a
 * password, or named by LOGIN) are all violations.
 */
#ifndef CASSH_MONITOR_H
#define CASSH_MONITOR_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "directory.h"
#include "err.h"
#include "session.h"
#include "wire.h"

struct registry;

#define MONITOR_VERSION		3

/* Bounds on every field; larger is a violation. */
#define MONITOR_MAX_LOGIN	64		/* RECORD_MAX_NAME */
#define MONITOR_MAX_PASSWORD	1024		/* as session.c reads it */
/*
 * A command line is at most COMMAND_MAX_LINE - 1 bytes; the child cuts
 * a longer one to COMMAND_MAX_LINE bytes, which the monitor's command
 * module refuses as a usage error, with its audit line, as any other.
 */
#define MONITOR_MAX_LINE	1024		/* COMMAND_MAX_LINE */
#define MONITOR_MAX_INPUT	(64 * 1024)
#define MONITOR_MAX_OUTPUT	(512 * 1024)
#define MONITOR_MAX_ERRLINE	511
/* LOGIN messages in one connection, as session.c sends them. */
#define MONITOR_MAX_LOGINS	1
/* Seconds the child has, once logged in, for everything else. */
#define MONITOR_AFTER_AUTH	300

/* The largest frame: a RUN_REPLY with the largest fields. */
#define MONITOR_MAX_FRAME	(MONITOR_MAX_OUTPUT + MONITOR_MAX_ERRLINE + 64)

enum monitor_type {
	MONITOR_AUTH = 1,
	MONITOR_AUTH_REPLY,
	MONITOR_PREPARE,
	MONITOR_PREPARE_REPLY,
	MONITOR_RUN,
	MONITOR_RUN_REPLY,
	MONITOR_HELLO,
	MONITOR_LOGIN,
};

/*
 * monitor_msg_begin: start the empty writer b as a message of type (one
 * of the channel's: enum monitor_type here, enum dirproc_type on the
 * directory process's), with room for the frame's length, which
 * monitor_send fills in.
 */
void	monitor_msg_begin(struct wbuf *b, uint8_t type);

/* monitor_msg_free: wipe and free a message from monitor_recv. */
void	monitor_msg_free(uint8_t *msg, size_t len);

/*
 * monitor_send: frame the message begun in b by monitor_msg_begin (its
 * length is written into b) and write it whole to fd, in one write
 * when the socket takes it. Returns 0, or -1 if b failed, is larger
 * than MONITOR_MAX_FRAME, or the write failed.
 */
int	monitor_send(int fd, struct wbuf *b);

/*
 * monitor_recv: read one frame from fd, waiting until deadline (a
 * CLOCK_MONOTONIC second; 0: no limit). On success *msg holds the
 * *len bytes after the length (a new buffer the caller wipes and
 * frees) and the reader r is set on the fields, after the version and
 * type (stored in *type). Returns 1 for a message, 0 when fd was closed
 * before the first byte of a frame, -1 for anything else: a short or
 * empty frame, one over MONITOR_MAX_FRAME, another version, a timeout,
 * an error.
 */
int	monitor_recv(int fd, int64_t deadline, uint8_t **msg, size_t *len,
	    struct wreader *r, uint8_t *type);

/*
 * monitor_get_str: read a string field of fewer than size bytes and no
 * NUL byte from r into buf, NUL-terminated. Returns 0, or -1.
 */
int	monitor_get_str(struct wreader *r, char *buf, size_t size);

/* monitor_now: the CLOCK_MONOTONIC second, for deadlines. */
int64_t	monitor_now(void);

struct monitor_params {
	const struct config	*cfg;
	struct registry		*reg;		/* NULL if it cannot open */
	const struct directory_ops *dir;	/* proves passwords */
	void			*dir_ctx;
	const char		*conn_id;	/* for the log */
	const char		*peer;
	/*
	 * Called on HELLO with warm_arg, if not NULL: loading and warming
	 * up what the login and the signature will need, while the client
	 * and the child run the key exchange.
	 */
	void			(*warm)(void *);
	void			*warm_arg;
};

/*
 * monitor_serve: answer the child's requests on fd until the child
 * closes its end. Authentication goes to guard_authenticate (mp's
 * directory behind the failed-login lockout), LOGIN to the directory's
 * find, commands to
 * command_prepare and command_run, with the registry of mp. Before a
 * login succeeds the child has login_grace_time and a few seconds of
 * slack; after it, MONITOR_AFTER_AUTH seconds in all.
 *
 * Returns ERR_OK when the child closed the channel between two
 * messages, or ERR_INTERNAL after a violation or a timeout (logged as
 * an event=privsep line): the caller must then kill the child. fd is
 * not closed.
 */
enum err monitor_serve(const struct monitor_params *mp, int fd);

/*
 * The child's side: session operations that become messages to the
 * monitor on fd. is_public is answered from public_login, since it
 * only steers the prompts: the monitor decides again on AUTH. If the
 * monitor goes away, auth and prepare return ERR_INTERNAL and run
 * returns the exit status of ERR_INTERNAL.
 */
struct monitor_client {
	int		 fd;
	const char	*public_login;
};

extern const struct session_ops monitor_client_ops;

#endif
