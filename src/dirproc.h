/* SPDX-License-Identifier: ISC */
/*
 * dirproc: the directory process, the third process of a connection.
 *
 * The monitor holds the CA key and writes the registry. The LDAP
 * client (libldap, liblber, Cyrus SASL, GnuTLS and the libraries under
 * them) parses what the directory servers send, and over ldap:// in
 * clear what anyone on the path sends; with ldaps:// it parses the
 * certificates of whoever answers. So it runs in a process of its own,
 * forked by the signer next to the SSH child while the signer may
 * still change user. That process loads the LDAP module
 * (directory_load.c), opens the directory (reading the service
 * account's password while it still can), becomes the privsep user
 * inside a seccomp filter of its own (sandbox_drop_directory), and
 * answers the monitor on a socket pair. A flaw in any of those
 * libraries gives an attacker a process that can read neither the CA
 * key nor the registry, and write no file: at worst it can accept a
 * wrong password, and a certificate is still issued only for a key the
 * registry holds for that login.
 *
 * Framing is the monitor's (monitor.h), with these messages, monitor
 * first:
 *
 *	WARM		(no fields, no reply)
 *	FIND		string login (no reply)
 *	AUTH		string login, string password
 *	AUTH_REPLY	uint32 err
 *	LOG		uint32 syslog priority, string line (process to monitor)
 *
 * WARM comes first, once: the monitor sends it when the SSH child's
 * version line is out, so that loading the libraries does not delay
 * that line. Until WARM the process has read nothing but the socket
 * pair. FIND has the directory look a login up while the client is
 * still answering the prompts (directory_find); AUTH proves a
 * password. Any other message ends the process, as does the end of
 * the monitor's side. The process holds no descriptor of the log
 * file: its lines come to the monitor as LOG, at most
 * DIRPROC_MAX_LINES of them, before the reply they belong with or
 * before its end, and the monitor writes them.
 */
#ifndef CASSH_DIRPROC_H
#define CASSH_DIRPROC_H

#include <sys/types.h>

#include <stddef.h>

#include "config.h"
#include "directory.h"
#include "err.h"
#include "sandbox.h"

enum dirproc_type {
	DIRPROC_WARM = 1,
	DIRPROC_FIND,
	DIRPROC_AUTH,
	DIRPROC_AUTH_REPLY,
	DIRPROC_LOG,
};

struct dirproc {
	pid_t		 pid;		/* -1: none */
	int		 fd;		/* -1: none */
	int		 lines;		/* LOG messages so far */
	const char	*conn_id;	/* for the log */
	int		 deadline;	/* seconds an AUTH may take */
};

/*
 * dirproc_start: fork the directory process for cfg; it becomes sb's
 * privsep user on WARM. Each of the n descriptors of close_fds (the
 * client's socket, the SSH child's socket pair) is closed in it at
 * once. On failure (logged) dp has no process and every AUTH answers
 * ERR_INTERNAL. Returns ERR_OK or ERR_INTERNAL.
 */
enum err dirproc_start(struct dirproc *dp, const struct config *cfg,
	    const struct sandbox *sb, const int *close_fds, size_t n,
	    const char *conn_id);

/* dirproc_warm: send WARM. */
void	dirproc_warm(struct dirproc *dp);

/*
 * The directory behind those messages, for the monitor (ctx: a
 * struct dirproc *). authenticate waits at most dp->deadline seconds;
 * a process that does not answer in time is killed (ERR_DIRECTORY_DOWN),
 * one that answers out of protocol or dies is ERR_INTERNAL, logged.
 */
extern const struct directory_ops dirproc_ops;

/*
 * dirproc_stop: end the monitor's side, which ends the process, log
 * the lines it still sends, and reap it; it is killed if it lingers
 * or breaks the protocol. With kill_now it is killed at once. A death
 * by a signal is logged.
 */
void	dirproc_stop(struct dirproc *dp, int kill_now);

#endif
