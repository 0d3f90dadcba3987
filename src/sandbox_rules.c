/* SPDX-License-Identifier: ISC */
/*
 * sandbox_rules: the seccomp filters of the SSH child and of the
 * directory process, as libseccomp rules. Only sandbox-gen, a program
 * run while cassh is built, calls this: it turns the rules into the
 * BPF programs that sandbox.c loads (sandbox-bpf.h), so that no
 * connection pays for libseccomp building a filter (about 0.4 ms of
 * each process's start, on the machine of BENCHMARKS.md).
 *
 * One value is known only at run time: the process's own pid, the one
 * process it may signal. The rules name it SANDBOX_MARK_PID, which
 * sandbox.c replaces in the program before it loads it.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>

#include "sandbox_rules.h"

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
 * Changes to the file system, and the ways to open a file that no
 * library of either process uses: refused to both. They fail with
 * EACCES rather than kill, so that a library that tries sees an
 * ordinary refusal. With the SSH child's rules for descriptor flags,
 * the log file it holds can only grow at its end (the directory
 * process holds none: its lines go through the monitor).
 */
static const int sandbox_writes[] = {
	SCMP_SYS(open), SCMP_SYS(openat2), SCMP_SYS(creat),
	SCMP_SYS(open_by_handle_at),
	SCMP_SYS(unlink), SCMP_SYS(unlinkat), SCMP_SYS(rename),
	SCMP_SYS(renameat), SCMP_SYS(renameat2), SCMP_SYS(mkdir),
	SCMP_SYS(mkdirat), SCMP_SYS(rmdir), SCMP_SYS(link), SCMP_SYS(linkat),
	SCMP_SYS(symlink), SCMP_SYS(symlinkat), SCMP_SYS(mknod),
	SCMP_SYS(mknodat), SCMP_SYS(truncate), SCMP_SYS(ftruncate),
	SCMP_SYS(chmod), SCMP_SYS(fchmod), SCMP_SYS(fchmodat),
	SCMP_SYS(chown), SCMP_SYS(fchown), SCMP_SYS(lchown),
	SCMP_SYS(fchownat), SCMP_SYS(utimensat),
	SCMP_SYS(socketpair), SCMP_SYS(bind), SCMP_SYS(listen),
	SCMP_SYS(pwrite64), SCMP_SYS(pwritev), SCMP_SYS(pwritev2),
};

/*
 * And to the SSH child, everything that reaches the file system by
 * name or the network anew: syslog reconnecting, or OpenSSL looking
 * for a file it was not given before the sandbox, read a refusal.
 */
static const int sandbox_refused[] = {
	SCMP_SYS(openat), SCMP_SYS(stat), SCMP_SYS(lstat), SCMP_SYS(statx),
	SCMP_SYS(access), SCMP_SYS(faccessat), SCMP_SYS(faccessat2),
	SCMP_SYS(statfs), SCMP_SYS(readlink), SCMP_SYS(readlinkat),
	SCMP_SYS(socket), SCMP_SYS(connect), SCMP_SYS(lseek),
};

/*
 * The directory process (sandbox_drop_directory) is an LDAP client: it
 * makes sockets and connects them (the directory, and the resolver's
 * DNS or nscd), reads files (CA certificates, /etc/hosts and the
 * resolver's configuration) and asks the host's name. It may not
 * write any file, nor run a program.
 */
static const int sandbox_dir_allowed[] = {
	SCMP_SYS(connect), SCMP_SYS(sendmsg),
	SCMP_SYS(recvmsg), SCMP_SYS(sendmmsg), SCMP_SYS(getsockopt),
	SCMP_SYS(setsockopt),
	SCMP_SYS(newfstatat), SCMP_SYS(statx), SCMP_SYS(lseek),
	SCMP_SYS(pread64), SCMP_SYS(getdents64), SCMP_SYS(readlink),
	SCMP_SYS(access), SCMP_SYS(faccessat), SCMP_SYS(faccessat2),
	SCMP_SYS(uname), SCMP_SYS(getppid), SCMP_SYS(sysinfo),
};

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
	scmp_datum_t pid = SANDBOX_MARK_PID;
	int rc = 0;

	rc |= seccomp_rule_add(ctx, ok, SCMP_SYS(mmap), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	rc |= seccomp_rule_add(ctx, ok, SCMP_SYS(mprotect), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	rc |= seccomp_rule_add(ctx, ok, SCMP_SYS(tgkill), 1,
	    SCMP_A0(SCMP_CMP_EQ, pid));
	rc |= seccomp_rule_add(ctx, ok, SCMP_SYS(kill), 1,
	    SCMP_A0(SCMP_CMP_EQ, pid));
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
 * The directory process's: files opened to read only; sockets of the
 * families an LDAP client and the resolver use (glibc's probe of the
 * host's addresses over netlink reads a refusal); descriptor flags
 * changed (libldap connects without blocking) but never to O_ASYNC,
 * and ioctl only to ask what is waiting or to stop blocking: with
 * O_ASYNC, or an ioctl that names the owner of a descriptor, its I/O
 * would signal any process of its user, and a signal is for itself
 * alone.
 */
static int
sandbox_rules_directory(scmp_filter_ctx ctx)
{
	static const scmp_datum_t writes[] = {
		O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND,
	};
	static const scmp_datum_t families[] = {
		AF_UNIX, AF_INET, AF_INET6,
	};
	static const scmp_datum_t fdcmds[] = {
		F_GETFD, F_SETFD, F_GETFL,
	};
	uint32_t ok = SCMP_ACT_ALLOW, no = SCMP_ACT_ERRNO(EACCES);
	scmp_datum_t wr = 0;
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
		wr |= writes[i];
		rc |= seccomp_rule_add(ctx, no, SCMP_SYS(openat), 1,
		    SCMP_A2(SCMP_CMP_MASKED_EQ, writes[i], writes[i]));
	}
	rc |= seccomp_rule_add(ctx, ok, SCMP_SYS(openat), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, wr, 0));
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		rc |= seccomp_rule_add(ctx, ok, SCMP_SYS(socket), 1,
		    SCMP_A0(SCMP_CMP_EQ, families[i]));
	rc |= seccomp_rule_add(ctx, no, SCMP_SYS(socket), 1,
	    SCMP_A0(SCMP_CMP_EQ, AF_NETLINK));
	for (i = 0; i < sizeof(fdcmds) / sizeof(fdcmds[0]); i++)
		rc |= seccomp_rule_add(ctx, ok, SCMP_SYS(fcntl), 1,
		    SCMP_A1(SCMP_CMP_EQ, fdcmds[i]));
	rc |= seccomp_rule_add(ctx, ok, SCMP_SYS(fcntl), 2,
	    SCMP_A1(SCMP_CMP_EQ, F_SETFL),
	    SCMP_A2(SCMP_CMP_MASKED_EQ, O_ASYNC, 0));
	rc |= seccomp_rule_add(ctx, ok, SCMP_SYS(ioctl), 1,
	    SCMP_A1(SCMP_CMP_EQ, FIONREAD));
	rc |= seccomp_rule_add(ctx, ok, SCMP_SYS(ioctl), 1,
	    SCMP_A1(SCMP_CMP_EQ, FIONBIO));
#if SANDBOX_SANITIZER
	/* As in the session's: a sanitizer's report asks for a terminal. */
	rc |= seccomp_rule_add(ctx, ok, SCMP_SYS(ioctl), 1,
	    SCMP_A1(SCMP_CMP_EQ, TCGETS));
#endif
	return rc == 0 ? 0 : -1;
}

#define SANDBOX_LIST(a)	(a), sizeof(a) / sizeof((a)[0])

int
sandbox_rules_build(void *ctx, int directory)
{
	uint32_t no = SCMP_ACT_ERRNO(EACCES);

	if (sandbox_rules(ctx, SCMP_ACT_ALLOW,
	    SANDBOX_LIST(sandbox_allowed)) == -1 ||
	    sandbox_rules(ctx, no, SANDBOX_LIST(sandbox_writes)) == -1 ||
	    sandbox_rules_common(ctx) == -1)
		return -1;
	if (!directory && (sandbox_rules(ctx, no,
	    SANDBOX_LIST(sandbox_refused)) == -1 ||
	    sandbox_rules_session(ctx) == -1))
		return -1;
	if (directory && (sandbox_rules(ctx, SCMP_ACT_ALLOW,
	    SANDBOX_LIST(sandbox_dir_allowed)) == -1 ||
	    sandbox_rules_directory(ctx) == -1))
		return -1;
	return 0;
}
