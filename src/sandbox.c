/* SPDX-License-Identifier: ISC */
/*
 * sandbox: confining the network-facing child and the directory
 * process (see sandbox.h), and reaping them.
 *
 * The order of the steps matters. The account is looked up before the
 * fork, while the account database is still reachable. The empty root
 * comes before the change of user, since only the privileged user may
 * chroot. Capabilities go after the change of user, because a process
 * that was not root keeps its capabilities across setresuid. The
 * seccomp filter comes last: from then on the process cannot undo any
 * of it.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/capability.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"

/*
 * Sanitizer builds: meson says so for -Db_sanitize (CASSH_SANITIZER),
 * the compilers for -fsanitize=address given by hand.
 */
#if defined(CASSH_SANITIZER) || defined(__SANITIZE_ADDRESS__)
#define SANDBOX_SANITIZER	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_SANITIZER	1
#endif
#endif
#ifndef SANDBOX_SANITIZER
#define SANDBOX_SANITIZER	0
#endif

/* Where the throwaway empty root is made, for an instant. */
#define SANDBOX_EMPTY_TEMPLATE	"/tmp/cassh-empty.XXXXXX"

/* What changing user takes, whether we are root or not. */
#define SANDBOX_CAPS_NEEDED	((1U << CAP_SETUID) | (1U << CAP_SETGID) | \
				    (1U << CAP_SYS_CHROOT))

/*
 * The calls a session needs once the host key is loaded: the socket
 * and the monitor's socket, memory, time, randomness, the log, and
 * what glibc's abort() needs to end the process. sendmsg is not one:
 * it could hand a descriptor to another process.
 */
static const int sandbox_allowed[] = {
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
	SCMP_SYS(recvfrom), SCMP_SYS(sendto), SCMP_SYS(shutdown),
	SCMP_SYS(close),
	SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(select),
	SCMP_SYS(pselect6), SCMP_SYS(getpeername), SCMP_SYS(getsockname),
	SCMP_SYS(fstat),
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
	SCMP_SYS(futex), SCMP_SYS(sched_yield),
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_nanosleep),
	SCMP_SYS(nanosleep), SCMP_SYS(gettimeofday), SCMP_SYS(time),
	SCMP_SYS(alarm), SCMP_SYS(setitimer), SCMP_SYS(getrandom),
	SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getuid),
	SCMP_SYS(geteuid), SCMP_SYS(getgid), SCMP_SYS(getegid),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigaction),
	SCMP_SYS(exit), SCMP_SYS(exit_group),
#if SANDBOX_SANITIZER
	/*
	 * In sanitizer builds only: the runtime sets up a signal stack
	 * of its own. (Its report goes to the descriptors already open;
	 * it cannot symbolize, which would run a program.)
	 */
	SCMP_SYS(sigaltstack),
#endif
};

/*
 * Calls that reach the file system by name, or the network anew: they
 * fail with EACCES rather than kill, so that a library that tries
 * (syslog reconnecting, OpenSSL looking for a file it was not given
 * before the sandbox) sees an ordinary refusal.
 */
static const int sandbox_refused[] = {
	SCMP_SYS(open), SCMP_SYS(openat), SCMP_SYS(openat2),
	SCMP_SYS(creat), SCMP_SYS(open_by_handle_at),
	SCMP_SYS(unlink), SCMP_SYS(unlinkat), SCMP_SYS(rename),
	SCMP_SYS(renameat), SCMP_SYS(renameat2), SCMP_SYS(mkdir),
	SCMP_SYS(mkdirat), SCMP_SYS(rmdir), SCMP_SYS(link), SCMP_SYS(linkat),
	SCMP_SYS(symlink), SCMP_SYS(symlinkat), SCMP_SYS(mknod),
	SCMP_SYS(mknodat), SCMP_SYS(truncate), SCMP_SYS(ftruncate),
	SCMP_SYS(chmod), SCMP_SYS(fchmod), SCMP_SYS(fchmodat),
	SCMP_SYS(chown), SCMP_SYS(fchown), SCMP_SYS(lchown),
	SCMP_SYS(fchownat), SCMP_SYS(utimensat), SCMP_SYS(stat),
	SCMP_SYS(lstat), SCMP_SYS(statx), SCMP_SYS(access),
	SCMP_SYS(faccessat), SCMP_SYS(faccessat2), SCMP_SYS(statfs),
	SCMP_SYS(readlink), SCMP_SYS(readlinkat),
	SCMP_SYS(socket), SCMP_SYS(socketpair), SCMP_SYS(connect),
	SCMP_SYS(bind), SCMP_SYS(listen),
	/* With the next rules, the log file can only grow at its end. */
	SCMP_SYS(lseek), SCMP_SYS(pwrite64), SCMP_SYS(pwritev),
	SCMP_SYS(pwritev2),
};

/*
 * The directory process (sandbox_enter_directory) is an LDAP client: it
 * makes sockets and connects them (the directory, and the resolver's
 * DNS or nscd), reads files (CA certificates, /etc/hosts and the
 * resolver's configuration) and asks the host's name. It may not
 * write any file, nor run a program.
 */
static const int sandbox_dir_allowed[] = {
	SCMP_SYS(socket), SCMP_SYS(connect), SCMP_SYS(sendmsg),
	SCMP_SYS(recvmsg), SCMP_SYS(sendmmsg), SCMP_SYS(getsockopt),
	SCMP_SYS(setsockopt), SCMP_SYS(fcntl), SCMP_SYS(ioctl),
	SCMP_SYS(newfstatat), SCMP_SYS(statx), SCMP_SYS(lseek),
	SCMP_SYS(pread64), SCMP_SYS(getdents64), SCMP_SYS(readlink),
	SCMP_SYS(access), SCMP_SYS(faccessat), SCMP_SYS(faccessat2),
	SCMP_SYS(uname), SCMP_SYS(getppid), SCMP_SYS(sysinfo),
};

/* Changes to the file system, and a second way to open files. */
static const int sandbox_dir_refused[] = {
	SCMP_SYS(open), SCMP_SYS(creat), SCMP_SYS(openat2),
	SCMP_SYS(open_by_handle_at),
	SCMP_SYS(unlink), SCMP_SYS(unlinkat), SCMP_SYS(rename),
	SCMP_SYS(renameat), SCMP_SYS(renameat2), SCMP_SYS(mkdir),
	SCMP_SYS(mkdirat), SCMP_SYS(rmdir), SCMP_SYS(link), SCMP_SYS(linkat),
	SCMP_SYS(symlink), SCMP_SYS(symlinkat), SCMP_SYS(mknod),
	SCMP_SYS(mknodat), SCMP_SYS(truncate), SCMP_SYS(ftruncate),
	SCMP_SYS(chmod), SCMP_SYS(fchmod), SCMP_SYS(fchmodat),
	SCMP_SYS(chown), SCMP_SYS(fchown), SCMP_SYS(lchown),
	SCMP_SYS(fchownat), SCMP_SYS(utimensat), SCMP_SYS(bind),
	SCMP_SYS(listen), SCMP_SYS(socketpair),
	SCMP_SYS(pwrite64), SCMP_SYS(pwritev), SCMP_SYS(pwritev2),
};

static int
sandbox_caps_get(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr;

	memset(&hdr, 0, sizeof(hdr));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	memset(data, 0, 2 * sizeof(data[0]));
	return (int)syscall(SYS_capget, &hdr, data);
}

/* Clear the effective, permitted, inheritable and ambient sets. */
static int
sandbox_caps_clear(void)
{
	struct __user_cap_header_struct hdr;
	struct __user_cap_data_struct data[2];

	memset(&hdr, 0, sizeof(hdr));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data) == -1)
		return -1;
	/* Clearing the permitted set empties the ambient one too. */
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return 0;
}

/* May this process chroot and give its child another user? */
static int
sandbox_may_drop(void)
{
	struct __user_cap_data_struct data[2];

	if (sandbox_caps_get(data) == -1)
		return geteuid() == 0;
	return (data[0].effective & SANDBOX_CAPS_NEEDED) ==
	    SANDBOX_CAPS_NEEDED;
}

enum err
sandbox_prepare(const char *user, struct sandbox *sb)
{
	struct passwd *pw;

	memset(sb, 0, sizeof(*sb));
	if (strlen(user) > SANDBOX_USER_MAX) {
		log_warnx("[signer] privsep_user is too long");
		return ERR_CONFIG;
	}
	memcpy(sb->user, user, strlen(user) + 1);
	if (!sandbox_may_drop()) {
		log_info("privsep: running as uid %ld without the right to "
		    "change user: the session process keeps uid %ld and "
		    "the file system view, confined by seccomp only",
		    (long)geteuid(), (long)geteuid());
		return ERR_OK;
	}
	if ((pw = getpwnam(user)) == NULL) {
		log_warnx("[signer] privsep_user %s: no such user", user);
		return ERR_CONFIG;
	}
	if (pw->pw_uid == 0 || pw->pw_gid == 0) {
		log_warnx("[signer] privsep_user %s has uid or gid 0; "
		    "name an account without privileges", user);
		return ERR_CONFIG;
	}
	sb->drop = 1;
	sb->uid = pw->pw_uid;
	sb->gid = pw->pw_gid;
	endpwent();
	return ERR_OK;
}

/*
 * An empty root that cannot be filled: a fresh directory, entered and
 * removed at once. A removed directory accepts no new entry, even from
 * root, and has no name anyone could reach it by. A process killed
 * between mkdtemp and rmdir leaves an empty folder behind; under the
 * systemd unit it is in the instance's private /tmp, which goes with
 * the instance.
 */
static int
sandbox_chroot_empty(void)
{
	char dir[] = SANDBOX_EMPTY_TEMPLATE;

	if (mkdtemp(dir) == NULL) {
		log_warnx("sandbox: mkdtemp %s: %s", dir, strerror(errno));
		return -1;
	}
	if (chdir(dir) == -1 || rmdir(dir) == -1) {
		log_warnx("sandbox: %s: %s", dir, strerror(errno));
		(void)rmdir(dir);
		return -1;
	}
	if (chroot(".") == -1 || chdir("/") == -1) {
		log_warnx("sandbox: chroot: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int
sandbox_change_user(const struct sandbox *sb)
{
	uid_t r, e, s;

	if (setgroups(0, NULL) == -1 ||
	    setresgid(sb->gid, sb->gid, sb->gid) == -1 ||
	    setresuid(sb->uid, sb->uid, sb->uid) == -1) {
		log_warnx("sandbox: cannot become %s: %s", sb->user,
		    strerror(errno));
		return -1;
	}
	if (getresuid(&r, &e, &s) == -1 || r != sb->uid || e != sb->uid ||
	    s != sb->uid) {
		log_warnx("sandbox: uid did not change to %s", sb->user);
		return -1;
	}
	return 0;
}

/* A rule for each call of a list, all with one action. */
static int
sandbox_rules(scmp_filter_ctx ctx, uint32_t action, const int *calls,
    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (seccomp_rule_add(ctx, action, calls[i], 0) != 0)
			return -1;
	return 0;
}

/*
 * Calls both processes may make with some arguments only: memory never
 * made executable; signals only to this very process (abort()).
 */
static int
sandbox_rules_common(scmp_filter_ctx ctx)
{
	uint32_t ok = SCMP_ACT_ALLOW, no = SCMP_ACT_ERRNO(EACCES);
	int rc = 0, pid = (int)getpid();

	rc |= seccomp_rule_add(ctx, ok, SCMP_SYS(mmap), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	rc |= seccomp_rule_add(ctx, ok, SCMP_SYS(mprotect), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	rc |= seccomp_rule_add(ctx, ok, SCMP_SYS(tgkill), 1,
	    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)pid));
	rc |= seccomp_rule_add(ctx, ok, SCMP_SYS(kill), 1,
	    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)pid));
#if SANDBOX_SANITIZER
	/*
	 * A sanitizer's report asks if stderr is a terminal, reads the
	 * dumpable flag and tries to set it: that, and all else, fails.
	 */
	rc |= seccomp_rule_add(ctx, ok, SCMP_SYS(prctl), 1,
	    SCMP_A0(SCMP_CMP_EQ, PR_GET_DUMPABLE));
	rc |= seccomp_rule_add(ctx, no, SCMP_SYS(prctl), 1,
	    SCMP_A0(SCMP_CMP_NE, PR_GET_DUMPABLE));
#endif
	(void)no;
	return rc == 0 ? 0 : -1;
}

/*
 * The session's: descriptor flags read, never changed (O_APPEND stays
 * on the log file); socket options only at the TCP level (TCP_QUICKACK
 * before each poll); fstatat only on a descriptor.
 */
static int
sandbox_rules_session(scmp_filter_ctx ctx)
{
	uint32_t ok = SCMP_ACT_ALLOW, no = SCMP_ACT_ERRNO(EACCES);
	int rc = 0;

	rc |= seccomp_rule_add(ctx, ok, SCMP_SYS(fcntl), 1,
	    SCMP_A1(SCMP_CMP_EQ, F_GETFL));
	rc |= seccomp_rule_add(ctx, no, SCMP_SYS(fcntl), 1,
	    SCMP_A1(SCMP_CMP_EQ, F_SETFL));
	rc |= seccomp_rule_add(ctx, ok, SCMP_SYS(fcntl), 1,
	    SCMP_A1(SCMP_CMP_EQ, F_GETFD));
	rc |= seccomp_rule_add(ctx, ok, SCMP_SYS(setsockopt), 1,
	    SCMP_A1(SCMP_CMP_EQ, IPPROTO_TCP));
	rc |= seccomp_rule_add(ctx, ok, SCMP_SYS(newfstatat), 1,
	    SCMP_A3(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, AT_EMPTY_PATH));
	rc |= seccomp_rule_add(ctx, no, SCMP_SYS(newfstatat), 1,
	    SCMP_A3(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, 0));
#if SANDBOX_SANITIZER
	rc |= seccomp_rule_add(ctx, ok, SCMP_SYS(ioctl), 1,
	    SCMP_A1(SCMP_CMP_EQ, TCGETS));
	rc |= seccomp_rule_add(ctx, no, SCMP_SYS(ioctl), 1,
	    SCMP_A1(SCMP_CMP_NE, TCGETS));
#endif
	return rc == 0 ? 0 : -1;
}

/*
 * The directory process's: files opened to read only; descriptor
 * flags changed (libldap's connect without blocking) on any descriptor
 * but the log file's, which no call can copy either, so that its
 * O_APPEND stays.
 */
static int
sandbox_rules_directory(scmp_filter_ctx ctx)
{
	static const scmp_datum_t writes[] = {
		O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND,
	};
	uint32_t ok = SCMP_ACT_ALLOW, no = SCMP_ACT_ERRNO(EACCES);
	scmp_datum_t wr = 0, logfd = (scmp_datum_t)log_file_fd();
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
		wr |= writes[i];
		rc |= seccomp_rule_add(ctx, no, SCMP_SYS(openat), 1,
		    SCMP_A2(SCMP_CMP_MASKED_EQ, writes[i], writes[i]));
	}
	rc |= seccomp_rule_add(ctx, ok, SCMP_SYS(openat), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, wr, 0));
	rc |= seccomp_rule_add(ctx, ok, SCMP_SYS(fcntl), 1,
	    SCMP_A1(SCMP_CMP_EQ, F_GETFL));
	rc |= seccomp_rule_add(ctx, ok, SCMP_SYS(fcntl), 1,
	    SCMP_A1(SCMP_CMP_EQ, F_GETFD));
	rc |= seccomp_rule_add(ctx, ok, SCMP_SYS(fcntl), 1,
	    SCMP_A1(SCMP_CMP_EQ, F_SETFD));
	rc |= seccomp_rule_add(ctx, ok, SCMP_SYS(fcntl), 2,
	    SCMP_A0(SCMP_CMP_NE, logfd), SCMP_A1(SCMP_CMP_EQ, F_SETFL));
	rc |= seccomp_rule_add(ctx, no, SCMP_SYS(fcntl), 2,
	    SCMP_A0(SCMP_CMP_EQ, logfd), SCMP_A1(SCMP_CMP_EQ, F_SETFL));
	rc |= seccomp_rule_add(ctx, no, SCMP_SYS(dup), 0);
	rc |= seccomp_rule_add(ctx, no, SCMP_SYS(dup2), 0);
	rc |= seccomp_rule_add(ctx, no, SCMP_SYS(dup3), 0);
	return rc == 0 ? 0 : -1;
}

#define SANDBOX_LIST(a)	(a), sizeof(a) / sizeof((a)[0])

static int
sandbox_filter(int directory)
{
	uint32_t no = SCMP_ACT_ERRNO(EACCES);
	scmp_filter_ctx ctx;
	int rc = -1;

	/* Anything not listed kills the whole process, not one thread. */
	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL)
		return -1;
	if (sandbox_rules(ctx, SCMP_ACT_ALLOW,
	    SANDBOX_LIST(sandbox_allowed)) == -1 ||
	    sandbox_rules_common(ctx) == -1)
		goto out;
	if (!directory && (sandbox_rules(ctx, no,
	    SANDBOX_LIST(sandbox_refused)) == -1 ||
	    sandbox_rules_session(ctx) == -1))
		goto out;
	if (directory && (sandbox_rules(ctx, SCMP_ACT_ALLOW,
	    SANDBOX_LIST(sandbox_dir_allowed)) == -1 ||
	    sandbox_rules(ctx, no, SANDBOX_LIST(sandbox_dir_refused)) == -1 ||
	    sandbox_rules_directory(ctx) == -1))
		goto out;
	if (seccomp_load(ctx) != 0)
		goto out;
	rc = 0;
out:
	seccomp_release(ctx);
	return rc;
}

/*
 * What both processes do once they are who they will stay: no
 * capability left, no way back to root, not dumpable, killed with the
 * monitor, no new privileges, and the filter.
 */
static enum err
sandbox_close(const struct sandbox *sb, int directory)
{
	if (sandbox_caps_clear() == -1) {
		log_warnx("sandbox: capset: %s", strerror(errno));
		return ERR_INTERNAL;
	}
	/* The proof that the change of user cannot be undone. */
	if (sb->drop && setresuid(0, 0, 0) != -1) {
		log_warnx("sandbox: could become root again");
		return ERR_INTERNAL;
	}
	/* Set after the change of user, which would reset it. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1 ||
	    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_warnx("sandbox: prctl: %s", strerror(errno));
		return ERR_INTERNAL;
	}
	if (sandbox_filter(directory) == -1) {
		log_warnx("sandbox: cannot load the seccomp filter");
		return ERR_INTERNAL;
	}
	return ERR_OK;
}

enum err
sandbox_enter(const struct sandbox *sb)
{
	if (sb->drop && (sandbox_chroot_empty() == -1 ||
	    sandbox_change_user(sb) == -1))
		return ERR_INTERNAL;
	return sandbox_close(sb, 0);
}

enum err
sandbox_enter_directory(const struct sandbox *sb)
{
	if (sb->drop && sandbox_change_user(sb) == -1)
		return ERR_INTERNAL;
	return sandbox_close(sb, 1);
}

enum err
sandbox_drop_caps(void)
{
	if (geteuid() == 0)
		return ERR_OK;
	if (sandbox_caps_clear() == -1) {
		log_warnx("sandbox: capset: %s", strerror(errno));
		return ERR_INTERNAL;
	}
	return ERR_OK;
}

static void
sandbox_log_death(int status, const char *conn_id, const char *what)
{
	if (!WIFSIGNALED(status))
		return;
	if (WTERMSIG(status) == SIGSYS)
		log_warnx("conn=%s the %s process was killed for a system "
		    "call outside its sandbox", conn_id, what);
	else if (WTERMSIG(status) == SIGALRM)
		log_warnx("conn=%s the %s process reached its lifetime "
		    "limit", conn_id, what);
	else
		log_warnx("conn=%s the %s process was killed by signal %d",
		    conn_id, what, WTERMSIG(status));
}

/*
 * Wait up to ms for pid to exit, woken by its exit itself where the
 * kernel has process descriptors (Linux 5.3), else checking every 10
 * ms. Returns 1 once it has exited (not reaped yet), 0 if not.
 */
static int
sandbox_wait_exit(pid_t pid, int ms)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	siginfo_t si;
	struct pollfd pfd;
	int fd, n;

	if ((fd = (int)syscall(SYS_pidfd_open, pid, 0)) != -1) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		while ((n = poll(&pfd, 1, ms)) == -1 && errno == EINTR)
			;
		close(fd);
		return n == 1;
	}
	for (; ms > 0; ms -= 10) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG |
		    WNOWAIT) == 0 && si.si_pid == pid)
			return 1;
		nanosleep(&tick, NULL);
	}
	return 0;
}

int
sandbox_reap(pid_t pid, int wait_ms, const char *conn_id, const char *what)
{
	int status;
	pid_t r;

	if (wait_ms > 0 && sandbox_wait_exit(pid, wait_ms)) {
		while ((r = waitpid(pid, &status, 0)) == -1 && errno == EINTR)
			;
		if (r != pid)
			return -1;
		goto reaped;
	}
	kill(pid, SIGKILL);
	while ((r = waitpid(pid, &status, 0)) == -1 && errno == EINTR)
		;
	if (r != pid)
		return -1;
	/* Killed here: no news in how it died. */
	if (wait_ms == 0)
		return status;
reaped:
	sandbox_log_death(status, conn_id, what);
	return status;
}
