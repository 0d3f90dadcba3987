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
 * of it. The directory process's Landlock rules, when it kept the
 * signer's uid, come just before that filter, which would refuse the
 * calls that set them.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"
#include "sandbox-bpf.h"
#include "sandbox_rules.h"

/* Where the throwaway empty root is made, for an instant. */
#define SANDBOX_EMPTY_TEMPLATE	"/tmp/cassh-empty.XXXXXX"

/*
 * What the directory process may read when it keeps the signer's uid,
 * which reads the CA key and the registry: what an LDAP client reads
 * once it runs. Libraries, CA certificates, libldap's and GnuTLS's
 * settings (/etc/openldap on Red Hat's systems), the resolver's files,
 * the time zone, randomness. ca_cert needs no rule: it was copied into
 * a memory file before (directory_conn.c), and Landlock lets such a
 * file, which lives on no mounted file system, be opened again through
 * /proc/self/fd.
 */
static const char *const sandbox_dir_readable[] = {
	"/usr", "/lib", "/lib64",
	"/etc/ssl", "/etc/ldap", "/etc/openldap", "/etc/gnutls",
	"/etc/pki", "/etc/pkcs11", "/etc/ca-certificates",
	"/etc/hosts", "/etc/resolv.conf", "/etc/host.conf",
	"/etc/gai.conf", "/etc/nsswitch.conf", "/etc/services",
	"/etc/protocols", "/etc/localtime", "/run/systemd/resolve",
	"/dev/urandom", "/dev/null",
};

/*
 * The rights of Landlock's first version, the ones every kernel with
 * Landlock knows: reads are granted beneath the list, changes nowhere
 * (the seccomp filter refuses them already; this is a second wall).
 */
#define SANDBOX_LL_READ	(LANDLOCK_ACCESS_FS_READ_FILE | \
			    LANDLOCK_ACCESS_FS_READ_DIR | \
			    LANDLOCK_ACCESS_FS_EXECUTE)
#define SANDBOX_LL_HANDLED	(SANDBOX_LL_READ | \
			    LANDLOCK_ACCESS_FS_WRITE_FILE | \
			    LANDLOCK_ACCESS_FS_REMOVE_DIR | \
			    LANDLOCK_ACCESS_FS_REMOVE_FILE | \
			    LANDLOCK_ACCESS_FS_MAKE_CHAR | \
			    LANDLOCK_ACCESS_FS_MAKE_DIR | \
			    LANDLOCK_ACCESS_FS_MAKE_REG | \
			    LANDLOCK_ACCESS_FS_MAKE_SOCK | \
			    LANDLOCK_ACCESS_FS_MAKE_FIFO | \
			    LANDLOCK_ACCESS_FS_MAKE_BLOCK | \
			    LANDLOCK_ACCESS_FS_MAKE_SYM)

/* What changing user takes, whether we are root or not. */
#define SANDBOX_CAPS_NEEDED	((1U << CAP_SETUID) | (1U << CAP_SETGID) | \
				    (1U << CAP_SYS_CHROOT))

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

/*
 * Load a filter that sandbox-gen made at build time from the rules of
 * sandbox_rules.c, with this process's pid put in place of the mark.
 */
static int
sandbox_filter(int directory)
{
	struct sock_filter prog[SANDBOX_BPF_MAX];
	struct sock_fprog fprog;
	const struct sock_filter *src = directory ? sandbox_bpf_directory :
	    sandbox_bpf_session;
	size_t i, n = directory ?
	    sizeof(sandbox_bpf_directory) / sizeof(sandbox_bpf_directory[0]) :
	    sizeof(sandbox_bpf_session) / sizeof(sandbox_bpf_session[0]);
	if (n > SANDBOX_BPF_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		prog[i] = src[i];
		if (BPF_CLASS(prog[i].code) != BPF_JMP ||
		    BPF_SRC(prog[i].code) != BPF_K)
			continue;
		if (prog[i].k == SANDBOX_MARK_PID)
			prog[i].k = (uint32_t)getpid();
	}
	fprog.len = (unsigned short)n;
	fprog.filter = prog;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) == 0 ?
	    0 : -1;
}

/*
 * What both processes do once they are who they will stay: no
 * capability left, no way back to root, not dumpable, killed with the
 * monitor, no new privileges. The filter comes after.
 */
static enum err
sandbox_seal(const struct sandbox *sb)
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
	return ERR_OK;
}

/*
 * Let the ruleset read path and what is beneath it. A path that does
 * not exist here, or that this uid cannot reach, gives nothing to add.
 */
static int
sandbox_landlock_allow(int ruleset, const char *path)
{
	struct landlock_path_beneath_attr rule;
	struct stat st;
	int fd, rc = -1;

	if ((fd = open(path, O_PATH | O_CLOEXEC)) == -1)
		return errno == ENOENT || errno == ENOTDIR ||
		    errno == EACCES ? 0 : -1;
	memset(&rule, 0, sizeof(rule));
	rule.parent_fd = fd;
	rule.allowed_access = SANDBOX_LL_READ;
	/* Listing is a directory's right: a file's rule may not name it. */
	if (fstat(fd, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			rule.allowed_access &= ~LANDLOCK_ACCESS_FS_READ_DIR;
		rc = (int)syscall(SYS_landlock_add_rule, ruleset,
		    LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
	}
	if (rc == -1)
		log_warnx("sandbox: landlock: %s: %s", path,
		    strerror(errno));
	close(fd);
	return rc;
}

/*
 * Confine the file reads of a directory process that kept the signer's
 * uid to sandbox_dir_readable: its seccomp filter lets it open any
 * file to read, and a flaw in libldap or GnuTLS could otherwise read
 * the CA key or the registry. A kernel without Landlock (before 5.13,
 * or not enabled at boot) leaves it what the uid reads, which the log
 * says; any other failure is an error, and the process must end. Needs
 * no_new_privs, which sandbox_seal set.
 */
static enum err
sandbox_landlock_directory(void)
{
	struct landlock_ruleset_attr attr;
	size_t i, n = sizeof(sandbox_dir_readable) /
	    sizeof(sandbox_dir_readable[0]);
	int fd;
	enum err e = ERR_INTERNAL;

	if (syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION) == -1) {
		if (errno != ENOSYS && errno != EOPNOTSUPP) {
			log_warnx("sandbox: landlock: %s", strerror(errno));
			return ERR_INTERNAL;
		}
		log_info("privsep: the directory process can read what uid "
		    "%ld can read (no Landlock on this kernel)",
		    (long)geteuid());
		return ERR_OK;
	}
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = SANDBOX_LL_HANDLED;
	if ((fd = (int)syscall(SYS_landlock_create_ruleset, &attr,
	    sizeof(attr), 0)) == -1) {
		log_warnx("sandbox: landlock: %s", strerror(errno));
		return ERR_INTERNAL;
	}
	for (i = 0; i < n; i++)
		if (sandbox_landlock_allow(fd, sandbox_dir_readable[i]) == -1)
			goto out;
	if (syscall(SYS_landlock_restrict_self, fd, 0) == -1) {
		log_warnx("sandbox: landlock: %s", strerror(errno));
		goto out;
	}
	e = ERR_OK;
 out:
	close(fd);
	return e;
}

static enum err
sandbox_load(int directory)
{
	if (sandbox_filter(directory) == -1) {
		log_warnx("sandbox: cannot load the seccomp filter");
		return ERR_INTERNAL;
	}
	return ERR_OK;
}

enum err
sandbox_enter(const struct sandbox *sb)
{
	enum err e;

	if (sb->drop && (sandbox_chroot_empty() == -1 ||
	    sandbox_change_user(sb) == -1))
		return ERR_INTERNAL;
	if ((e = sandbox_seal(sb)) != ERR_OK)
		return e;
	return sandbox_load(0);
}

enum err
sandbox_drop_directory(const struct sandbox *sb)
{
	if (sb->drop && sandbox_change_user(sb) == -1)
		return ERR_INTERNAL;
	return sandbox_seal(sb);
}

enum err
sandbox_filter_directory(const struct sandbox *sb)
{
	enum err e;

	/* Kept the signer's uid: its reads need holding too. */
	if (!sb->drop &&
	    (e = sandbox_landlock_directory()) != ERR_OK)
		return e;
	return sandbox_load(1);
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
	for (;; ms -= 10) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG |
		    WNOWAIT) == 0 && si.si_pid == pid)
			return 1;
		if (ms <= 0)
			return 0;
		nanosleep(&tick, NULL);
	}
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
	/* One already gone died on its own: that is worth saying. */
	if (sandbox_wait_exit(pid, 0)) {
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
