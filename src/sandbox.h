/* SPDX-License-Identifier: ISC */
/*
 * sandbox: the confinement of the process that speaks SSH to the
 * network, so that a flaw in libssh or in our session code gives an
 * attacker neither the CA key, nor the registry, nor the file system;
 * and of the directory process, which speaks LDAP
 * (sandbox_drop_directory).
 *
 * The privileged process (the monitor) decides in sandbox_prepare what
 * the child may become, before it forks: the unprivileged account
 * named by [signer] privsep_user, when this process has the power to
 * change user (root, or the capabilities CAP_SETUID, CAP_SETGID and
 * CAP_SYS_CHROOT, as the systemd unit grants them). The child then
 * calls sandbox_enter once, after it has loaded the SSH host key and
 * before it reads a byte from the network:
 *
 *	- with that power: chroot into an empty directory that no longer
 *	  exists (made, entered and removed at once, so that nothing can
 *	  ever be created in it), no supplementary groups, the privsep
 *	  user's uid and gid for real, effective and saved ids;
 *	- always: no capabilities left, not dumpable (no core file with
 *	  the host key in it, no ptrace by the same user), killed when
 *	  the monitor dies, PR_SET_NO_NEW_PRIVS, and a seccomp filter
 *	  (libseccomp) that lists the few system calls a running SSH
 *	  session needs. Opening, creating, renaming or removing a file
 *	  and making a socket fail with EACCES, so that a library that
 *	  tries reads a plain error; any other call outside the list
 *	  kills the process.
 *
 * Without that power (the signer started as an ordinary user) the
 * child keeps the monitor's uid and the file system view: only the
 * second half applies, and sandbox_prepare says so in the log.
 */
#ifndef CASSH_SANDBOX_H
#define CASSH_SANDBOX_H

#include <sys/types.h>

#include "err.h"

#define SANDBOX_USER_MAX	64

struct sandbox {
	int	drop;		/* 1: chroot and change user */
	uid_t	uid;		/* the privsep user, when drop */
	gid_t	gid;
	char	user[SANDBOX_USER_MAX + 1];
};

/*
 * sandbox_prepare: fill sb for a child to become user, looked up now
 * (the child can no longer read the account database). If this
 * process may not change user, sb->drop is 0 and a line says once
 * that the child keeps this process's uid. Returns ERR_OK, or
 * ERR_CONFIG (logged) for an unknown user, a user with uid 0 or gid 0,
 * or a name longer than SANDBOX_USER_MAX.
 */
enum err sandbox_prepare(const char *user, struct sandbox *sb);

/*
 * sandbox_enter: confine the calling process for the rest of its life,
 * as the top of this file says. Descriptors already open stay usable
 * (the client's socket, the monitor's socket, the log). Returns ERR_OK,
 * or ERR_INTERNAL (logged) when any step failed: the caller must then
 * exit at once and serve nothing, since it may be half confined.
 */
enum err sandbox_enter(const struct sandbox *sb);

/*
 * sandbox_drop_directory, sandbox_filter_directory: the same for the
 * directory process (dirproc.c), in two steps, so that it can start
 * libldap and its resolver between them: what may ask DNS must not run
 * with the signer's privileges, and the resolver may need to load a
 * module, which the filter would refuse. The first becomes sb's
 * privsep user as above, but with no chroot (it must reach the LDAP
 * servers and read the files an LDAP client reads: CA certificates,
 * the resolver's configuration), and ends with no capability, not
 * dumpable, killed with the monitor, no new privileges. The second
 * loads a seccomp filter of its own: sockets of the families an LDAP
 * client uses, files opened to read only, and no change to any file
 * (EACCES). As the privsep user it can read neither the CA key nor the
 * registry, nor write anywhere. When it kept the signer's uid (sb->drop
 * 0), the second step first confines its reads with Landlock to what an
 * LDAP client reads (libraries, CA certificates, the resolver's files;
 * the list is in sandbox.c); on a kernel without Landlock it logs that
 * it reads what that uid reads, and goes on. Both return as
 * sandbox_enter.
 */
enum err sandbox_drop_directory(const struct sandbox *sb);
enum err sandbox_filter_directory(const struct sandbox *sb);

/*
 * sandbox_drop_caps: give up every capability, for a monitor started
 * as an ordinary user with the capabilities that only its child needed
 * (the systemd unit). A process running as root keeps them, since root
 * may rely on them to read files it does not own. Returns ERR_OK or
 * ERR_INTERNAL (logged).
 */
enum err sandbox_drop_caps(void);

/*
 * sandbox_reap: wait up to wait_ms for the confined process pid to
 * exit, then kill it (at once with wait_ms 0) and wait for it. How it
 * died, when a signal killed it other than ours, is logged for conn_id
 * as that of the "what" process (a seccomp violation by name). Returns
 * its wait status, or -1.
 */
int	sandbox_reap(pid_t pid, int wait_ms, const char *conn_id,
	    const char *what);

#endif
