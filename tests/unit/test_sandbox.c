/* SPDX-License-Identifier: ISC */
/*
 * test_sandbox: what the network-facing process can no longer do once
 * it has called sandbox_enter, the very function cassh-signer's child
 * calls. No mocks: each case forks a child that confines itself for
 * real and then tries; the child reports through a pipe (the one kind
 * of descriptor it keeps using) and its exit status, never through
 * cmocka, since a confined process must not run the test framework.
 *
 * The privsep user is "nobody", the default. Run as root, the child
 * must also have changed user and root directory, and so must a child
 * of an ordinary user holding only the three capabilities the systemd
 * unit grants; run as anyone else, those cases are skipped and the
 * rest must hold all the same. The directory process of a signer that
 * may not change user runs as the current user, or as daemon without
 * capabilities when that is root; its cases are skipped on a kernel
 * without Landlock.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <linux/capability.h>
#include <linux/landlock.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "sandbox.h"

#define PRIVSEP_USER	"nobody"
#define MAX_TRIES	10

/* What the child saw: one result per attempt, in order. */
struct report {
	int	n;
	int	rc[MAX_TRIES];
	int	err[MAX_TRIES];
};

struct fixture {
	char	dir[256];
	char	secret[300];	/* readable by anyone: only the sandbox stops */
	char	victim[300];	/* an existing file to rename or remove */
};

static struct fixture *fx;

static int
setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	FILE *f;

	if ((fx = calloc(1, sizeof(*fx))) == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "%s/cassh-sandbox-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(fx->dir) == NULL || chmod(fx->dir, 0755) == -1)
		return -1;
	snprintf(fx->secret, sizeof(fx->secret), "%s/ca_key", fx->dir);
	snprintf(fx->victim, sizeof(fx->victim), "%s/victim", fx->dir);
	if ((f = fopen(fx->secret, "w")) == NULL)
		return -1;
	fputs("-----BEGIN PRIVATE KEY-----\n", f);
	fclose(f);
	if (chmod(fx->secret, 0644) == -1 ||
	    (f = fopen(fx->victim, "w")) == NULL)
		return -1;
	fclose(f);
	return 0;
}

static int
teardown(void **state)
{
	char path[320];

	unlink(fx->secret);
	unlink(fx->victim);
	snprintf(path, sizeof(path), "%s/new", fx->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/renamed", fx->dir);
	unlink(path);
	rmdir(path);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static void
note(struct report *r, int rc)
{
	if (r->n == MAX_TRIES)
		return;
	r->rc[r->n] = rc;
	r->err[r->n] = rc == -1 ? errno : 0;
	r->n++;
}

typedef void (*probe_fn)(struct report *);

/* Which process confines itself, and how. */
enum confine {
	CONFINE_SESSION,	/* the SSH child */
	CONFINE_DIRECTORY,	/* the directory process */
	CONFINE_DIRECTORY_KEPT,	/* the same, keeping the signer's uid */
};

/*
 * The directory process of a signer that may not change user. Root
 * becomes daemon, with no capability left (setresuid from root clears
 * them), so that sandbox_prepare finds no right to change user. The
 * stand-in for the CA key must be readable now: only the sandbox may
 * refuse it later. Returns 0, or -1.
 */
static int
confine_kept_uid(uid_t daemon_uid, gid_t daemon_gid)
{
	struct sandbox sb;
	int fd;

	if (geteuid() == 0 && (setgroups(0, NULL) == -1 ||
	    setresgid(daemon_gid, daemon_gid, daemon_gid) == -1 ||
	    setresuid(daemon_uid, daemon_uid, daemon_uid) == -1))
		return -1;
	if ((fd = open(fx->secret, O_RDONLY)) == -1)
		return -1;
	close(fd);
	if (sandbox_prepare(PRIVSEP_USER, &sb) != ERR_OK || sb.drop)
		return -1;
	if (sandbox_drop_directory(&sb) != ERR_OK ||
	    sandbox_filter_directory(&sb) != ERR_OK)
		return -1;
	return 0;
}

static int
confine(enum confine how, const struct sandbox *sb, const struct passwd *d)
{
	switch (how) {
	case CONFINE_SESSION:
		return sandbox_enter(sb) == ERR_OK ? 0 : -1;
	case CONFINE_DIRECTORY:
		return sandbox_drop_directory(sb) == ERR_OK &&
		    sandbox_filter_directory(sb) == ERR_OK ? 0 : -1;
	case CONFINE_DIRECTORY_KEPT:
		return confine_kept_uid(d->pw_uid, d->pw_gid);
	}
	return -1;
}

/*
 * Fork; in the child, prepare and enter the sandbox as the signer
 * does, run probe, send its report and wait for the parent to close
 * the pipe (so that the parent can look at /proc/PID meanwhile). In
 * the parent, look is called with the child's pid once the report is
 * in. Returns the child's wait status.
 */
static int
run_confined(enum confine how, probe_fn probe, struct report *r,
    void (*look)(pid_t, void *), void *arg)
{
	struct sandbox sb;
	struct passwd d, *pw;
	int up[2], down[2], status;
	char c;
	pid_t pid;

	assert_int_equal(sandbox_prepare(PRIVSEP_USER, &sb), ERR_OK);
	/* Looked up before the fork: the child may no longer read it. */
	memset(&d, 0, sizeof(d));
	if (how == CONFINE_DIRECTORY_KEPT) {
		assert_non_null(pw = getpwnam("daemon"));
		d = *pw;
	}
	assert_int_equal(pipe(up), 0);
	assert_int_equal(pipe(down), 0);
	memset(r, 0, sizeof(*r));
	if ((pid = fork()) == 0) {
		close(up[0]);
		close(down[1]);
		if (confine(how, &sb, &d) == -1)
			_exit(2);
		probe(r);
		if (write(up[1], r, sizeof(*r)) != sizeof(*r))
			_exit(3);
		/* EOF: the parent has looked. */
		_exit(read(down[0], &c, 1) == 0 ? 0 : 4);
	}
	assert_true(pid > 0);
	close(up[1]);
	close(down[0]);
	if (read(up[0], r, sizeof(*r)) == sizeof(*r) && look != NULL)
		look(pid, arg);
	close(down[1]);
	close(up[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

/* As the SSH child confines itself. */
static int
run_sandboxed(probe_fn probe, struct report *r,
    void (*look)(pid_t, void *), void *arg)
{
	return run_confined(CONFINE_SESSION, probe, r, look, arg);
}

static void
assert_exited_cleanly(int status)
{
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void
probe_open_secret(struct report *r)
{
	note(r, open(fx->secret, O_RDONLY));
	note(r, openat(AT_FDCWD, fx->secret, O_RDONLY));
	note(r, open("/etc/passwd", O_RDONLY));
}

static void
cannot_open_a_file_it_could_read_before(void **state)
{
	struct report r;
	int i, fd;

	/* The file is readable: only the sandbox can refuse it. */
	assert_true((fd = open(fx->secret, O_RDONLY)) >= 0);
	close(fd);
	assert_exited_cleanly(run_sandboxed(probe_open_secret, &r, NULL,
	    NULL));
	assert_int_equal(r.n, 3);
	for (i = 0; i < r.n; i++) {
		assert_int_equal(r.rc[i], -1);
		assert_int_equal(r.err[i], EACCES);
	}
}

static void
probe_write_files(struct report *r)
{
	char path[320], other[320];

	snprintf(path, sizeof(path), "%s/new", fx->dir);
	snprintf(other, sizeof(other), "%s/renamed", fx->dir);
	note(r, open(path, O_WRONLY | O_CREAT | O_EXCL, 0600));
	note(r, creat(path, 0600));
	note(r, open(fx->victim, O_WRONLY | O_TRUNC));
	note(r, rename(fx->victim, other));
	note(r, unlink(fx->victim));
	note(r, mkdir(other, 0700));
	note(r, truncate(fx->victim, 0));
	note(r, symlink(fx->victim, other));
}

static void
cannot_create_write_rename_or_remove_files(void **state)
{
	struct report r;
	struct stat st;
	char path[320];
	int i;

	assert_exited_cleanly(run_sandboxed(probe_write_files, &r, NULL,
	    NULL));
	assert_int_equal(r.n, 8);
	for (i = 0; i < r.n; i++) {
		assert_int_equal(r.rc[i], -1);
		assert_int_equal(r.err[i], EACCES);
	}
	/* And indeed nothing changed. */
	assert_int_equal(stat(fx->victim, &st), 0);
	snprintf(path, sizeof(path), "%s/new", fx->dir);
	assert_int_equal(stat(path, &st), -1);
}

/* A log file opened before the sandbox, as the signer's is. */
static int log_fd = -1;

static void
probe_log_file(struct report *r)
{
	static const char more[] = "appended\n";

	note(r, fcntl(log_fd, F_SETFL, 0));	/* O_APPEND off */
	note(r, (int)lseek(log_fd, 0, SEEK_SET));
	note(r, (int)pwrite(log_fd, "X", 1, 0));
	note(r, ftruncate(log_fd, 0));
	note(r, (int)write(log_fd, more, sizeof(more) - 1));
}

static void
inherited_log_file_can_only_grow_at_its_end(void **state)
{
	static const char want[] = "line one\nappended\n";
	char path[320], got[64];
	struct report r;
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "%s/log", fx->dir);
	assert_true((log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND |
	    O_TRUNC, 0600)) >= 0);
	assert_int_equal(write(log_fd, "line one\n", 9), 9);
	assert_exited_cleanly(run_sandboxed(probe_log_file, &r, NULL,
	    NULL));
	close(log_fd);
	assert_int_equal(r.n, 5);
	for (i = 0; i < 4; i++) {
		assert_int_equal(r.rc[i], -1);
		assert_int_equal(r.err[i], EACCES);
	}
	assert_int_equal(r.rc[4], 9);
	assert_true((fd = open(path, O_RDONLY)) >= 0);
	n = read(fd, got, sizeof(got) - 1);
	close(fd);
	unlink(path);
	assert_int_equal(n, (ssize_t)sizeof(want) - 1);
	got[n] = '\0';
	assert_string_equal(got, want);
}

static void
probe_sockets(struct report *r)
{
	note(r, socket(AF_INET, SOCK_STREAM, 0));
	note(r, socket(AF_INET6, SOCK_DGRAM, 0));
	note(r, socket(AF_UNIX, SOCK_STREAM, 0));
}

static void
cannot_open_a_network_connection(void **state)
{
	struct report r;
	int i;

	assert_exited_cleanly(run_sandboxed(probe_sockets, &r, NULL, NULL));
	assert_int_equal(r.n, 3);
	for (i = 0; i < r.n; i++) {
		assert_int_equal(r.rc[i], -1);
		assert_int_equal(r.err[i], EACCES);
	}
}

static void
probe_nothing(struct report *r)
{
	note(r, 0);
}

/* The value of field (e.g. "Seccomp:") in /proc/PID/status. */
static void
proc_status(pid_t pid, const char *field, char *out, size_t len)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	out[0] = '\0';
	if ((f = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, strlen(field)) == 0) {
			snprintf(out, len, "%s", line + strlen(field) +
			    strspn(line + strlen(field), " \t"));
			out[strcspn(out, "\n")] = '\0';
			break;
		}
	fclose(f);
}

struct seen {
	char	seccomp[32], nnp[32], capeff[64], capprm[64], uid[64];
	char	gid[64];
	char	groups[64], root[PATH_MAX];
};

static void
look_at_proc(pid_t pid, void *arg)
{
	struct seen *s = arg;
	char path[64];
	ssize_t n;

	proc_status(pid, "Seccomp:", s->seccomp, sizeof(s->seccomp));
	proc_status(pid, "NoNewPrivs:", s->nnp, sizeof(s->nnp));
	proc_status(pid, "CapEff:", s->capeff, sizeof(s->capeff));
	proc_status(pid, "CapPrm:", s->capprm, sizeof(s->capprm));
	proc_status(pid, "Uid:", s->uid, sizeof(s->uid));
	proc_status(pid, "Gid:", s->gid, sizeof(s->gid));
	proc_status(pid, "Groups:", s->groups, sizeof(s->groups));
	snprintf(path, sizeof(path), "/proc/%ld/root", (long)pid);
	n = readlink(path, s->root, sizeof(s->root) - 1);
	s->root[n > 0 ? n : 0] = '\0';
}

static void
is_filtered_with_no_new_privileges_and_no_capabilities(void **state)
{
	struct report r;
	struct seen s;

	memset(&s, 0, sizeof(s));
	assert_exited_cleanly(run_sandboxed(probe_nothing, &r, look_at_proc,
	    &s));
	assert_string_equal(s.seccomp, "2");	/* a filter, not strict */
	assert_string_equal(s.nnp, "1");
	assert_string_equal(s.capeff, "0000000000000000");
}

static void
runs_as_privsep_user_in_an_empty_root_when_root(void **state)
{
	struct passwd *pw;
	struct report r;
	struct seen s;
	char want[64];

	if (geteuid() != 0)
		skip();
	assert_non_null(pw = getpwnam(PRIVSEP_USER));
	memset(&s, 0, sizeof(s));
	assert_exited_cleanly(run_sandboxed(probe_nothing, &r, look_at_proc,
	    &s));
	/* Real, effective, saved and file system ids, all alike. */
	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", pw->pw_uid,
	    pw->pw_uid, pw->pw_uid, pw->pw_uid);
	assert_string_equal(s.uid, want);
	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", pw->pw_gid,
	    pw->pw_gid, pw->pw_gid, pw->pw_gid);
	assert_string_equal(s.gid, want);
	assert_string_equal(s.groups, "");
	/* Its root is a directory that no longer exists. */
	assert_non_null(strstr(s.root, "/cassh-empty."));
	assert_non_null(strstr(s.root, "(deleted)"));
}

/* Keep only CAP_SETUID, CAP_SETGID and CAP_SYS_CHROOT, as uid. */
static int
become_user_with_three_caps(uid_t uid, gid_t gid)
{
	struct __user_cap_header_struct hdr;
	struct __user_cap_data_struct data[2];
	uint32_t three = (1U << CAP_SETUID) | (1U << CAP_SETGID) |
	    (1U << CAP_SYS_CHROOT);

	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == -1 ||
	    setgroups(0, NULL) == -1 || setresgid(gid, gid, gid) == -1 ||
	    setresuid(uid, uid, uid) == -1)
		return -1;
	memset(&hdr, 0, sizeof(hdr));
	memset(data, 0, sizeof(data));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	data[0].effective = data[0].permitted = three;
	return (int)syscall(SYS_capset, &hdr, data);
}

/*
 * The systemd unit's way: an ordinary user (here daemon) holding only
 * the three capabilities. The child must still end as the privsep
 * user in an empty root, with none of them left.
 */
static void
drops_to_privsep_user_from_a_user_with_three_capabilities(void **state)
{
	struct passwd *d, *nobody;
	uid_t duid;
	gid_t dgid;
	struct sandbox sb;
	struct seen s;
	int up[2], down[2], status;
	char c = 0;
	pid_t pid;

	if (geteuid() != 0)
		skip();
	assert_non_null(d = getpwnam("daemon"));
	duid = d->pw_uid;
	dgid = d->pw_gid;
	assert_non_null(nobody = getpwnam(PRIVSEP_USER));
	assert_int_equal(pipe(up), 0);
	assert_int_equal(pipe(down), 0);
	if ((pid = fork()) == 0) {
		close(up[0]);
		close(down[1]);
		if (become_user_with_three_caps(duid, dgid) == -1)
			_exit(5);
		if (sandbox_prepare(PRIVSEP_USER, &sb) != ERR_OK || !sb.drop)
			_exit(6);
		if (sandbox_enter(&sb) != ERR_OK)
			_exit(7);
		if (write(up[1], "r", 1) != 1)
			_exit(3);
		_exit(read(down[0], &c, 1) == 0 ? 0 : 4);
	}
	close(up[1]);
	close(down[0]);
	memset(&s, 0, sizeof(s));
	if (read(up[0], &c, 1) == 1)
		look_at_proc(pid, &s);
	close(down[1]);
	close(up[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_exited_cleanly(status);
	assert_int_equal(strtoul(s.uid, NULL, 10), nobody->pw_uid);
	assert_string_equal(s.capeff, "0000000000000000");
	assert_string_equal(s.capprm, "0000000000000000");
	assert_non_null(strstr(s.root, "(deleted)"));
}

static void
probe_become_root(struct report *r)
{
	note(r, setresuid(0, 0, 0));
}

static void
probe_exec(struct report *r)
{
	char *argv[] = { "/bin/true", NULL };

	note(r, execv(argv[0], argv));
}

static void
probe_fork(struct report *r)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	note(r, pid);
}

/* O_ASYNC, or naming an owner, would make I/O signal another process. */
static void
probe_async(struct report *r)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);

	note(r, fcntl(s, F_SETFL, O_ASYNC | O_NONBLOCK));
}

static void
probe_setown(struct report *r)
{
	int s = socket(AF_INET, SOCK_STREAM, 0), pid = 1;

	note(r, ioctl(s, FIOSETOWN, &pid));
}

/* A family no LDAP client needs. */
static void
probe_packet_socket(struct report *r)
{
	note(r, socket(AF_PACKET, SOCK_DGRAM, 0));
}

/* Calls outside the list end the process: the report never comes. */
static void
assert_killed_by_calls_outside_the_list(enum confine how)
{
	static const probe_fn probes[] = {
		probe_become_root, probe_exec, probe_fork, probe_async,
		probe_setown, probe_packet_socket,
	};
	struct report r;
	size_t i, n = sizeof(probes) / sizeof(probes[0]);
	int status;

	/* The SSH child may make no socket at all: only the first three. */
	for (i = 0; i < (how != CONFINE_SESSION ? n : 3); i++) {
		status = run_confined(how, probes[i], &r, NULL, NULL);
		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status), SIGSYS);
		assert_int_equal(r.n, 0);
	}
}

static void
is_killed_by_a_call_outside_the_list(void **state)
{
	assert_killed_by_calls_outside_the_list(CONFINE_SESSION);
}

/*
 * The directory process: it reads files and makes connections (an
 * LDAP client must), but changes no file, keeps the log file
 * append-only, and runs no program.
 */
static void
probe_dir_files(struct report *r)
{
	/* A file every Debian has (/etc/hosts is not in a bare root). */
	int fd = open("/usr/lib/os-release", O_RDONLY);

	note(r, fd >= 0 ? 0 : -1);
	if (fd >= 0)
		close(fd);
	probe_write_files(r);
}

static void
directory_process_reads_files_but_changes_none(void **state)
{
	struct report r;
	struct stat st;
	int i;

	assert_exited_cleanly(run_confined(CONFINE_DIRECTORY, probe_dir_files,
	    &r, NULL, NULL));
	assert_int_equal(r.n, 9);
	assert_int_equal(r.rc[0], 0);
	for (i = 1; i < r.n; i++) {
		assert_int_equal(r.rc[i], -1);
		assert_int_equal(r.err[i], EACCES);
	}
	assert_int_equal(stat(fx->victim, &st), 0);
}

/*
 * Descriptor flags change (libldap connects without blocking), but
 * never so that I/O would signal someone; netlink is refused (glibc
 * asks it for the host's addresses, and copes).
 */
static void
probe_dir_flags(struct report *r)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	int n = 0;

	note(r, s >= 0 ? fcntl(s, F_SETFL, O_NONBLOCK) : -1);
	note(r, s >= 0 ? ioctl(s, FIONREAD, &n) : -1);
	note(r, socket(AF_NETLINK, SOCK_RAW, 0));
}

static void
directory_process_may_change_its_socket_flags(void **state)
{
	struct report r;

	assert_exited_cleanly(run_confined(CONFINE_DIRECTORY, probe_dir_flags,
	    &r, NULL, NULL));
	assert_int_equal(r.n, 3);
	assert_int_equal(r.rc[0], 0);
	assert_int_equal(r.rc[1], 0);
	assert_int_equal(r.rc[2], -1);
	assert_int_equal(r.err[2], EACCES);
}

static void
probe_dir_connect(struct report *r)
{
	struct sockaddr_in sin;
	int s = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(1);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	note(r, s >= 0 ? 0 : -1);
	note(r, connect(s, (struct sockaddr *)&sin, sizeof(sin)));
}

static void
directory_process_may_connect(void **state)
{
	struct report r;

	assert_exited_cleanly(run_confined(CONFINE_DIRECTORY, probe_dir_connect,
	    &r, NULL, NULL));
	assert_int_equal(r.n, 2);
	assert_int_equal(r.rc[0], 0);
	/* Refused by the kernel, for nothing listens: not by the filter. */
	assert_int_equal(r.rc[1], -1);
	assert_int_equal(r.err[1], ECONNREFUSED);
}

static void
directory_process_is_killed_by_a_call_outside_the_list(void **state)
{
	assert_killed_by_calls_outside_the_list(CONFINE_DIRECTORY);
}

static void
directory_process_runs_as_the_privsep_user_when_root(void **state)
{
	struct seen s;
	struct passwd *pw;
	struct report r;
	char want[64];

	if (geteuid() != 0)
		skip();
	memset(&s, 0, sizeof(s));
	assert_exited_cleanly(run_confined(CONFINE_DIRECTORY, probe_nothing, &r,
	    look_at_proc, &s));
	assert_string_equal(s.seccomp, "2");
	assert_string_equal(s.nnp, "1");
	assert_string_equal(s.capeff, "0000000000000000");
	assert_non_null(pw = getpwnam(PRIVSEP_USER));
	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", pw->pw_uid,
	    pw->pw_uid, pw->pw_uid, pw->pw_uid);
	assert_string_equal(s.uid, want);
	/* The whole file system: it reads the resolver's files. */
	assert_string_equal(s.root, "/");
}

/*
 * A signer that may not change user (inetd's ordinary user): the
 * directory process keeps that uid, which reads the CA key, and
 * Landlock must keep it to what an LDAP client reads.
 */
static int
kernel_has_landlock(void)
{
	return syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION) >= 1;
}

static void
probe_kept_uid_reads(struct report *r)
{
	int fd;

	note(r, open(fx->secret, O_RDONLY));
	note(r, open(fx->dir, O_RDONLY | O_DIRECTORY));
	note(r, open("/etc/passwd", O_RDONLY));
	/*
	 * What it needs: the resolver's files, libraries, CA bundles; a
	 * file of /usr stands for them (/etc/hosts is not in a bare root).
	 */
	fd = open("/usr/lib/os-release", O_RDONLY);
	note(r, fd >= 0 ? 0 : -1);
	if (fd >= 0)
		close(fd);
	fd = open("/usr", O_RDONLY | O_DIRECTORY);
	note(r, fd >= 0 ? 0 : -1);
	if (fd >= 0)
		close(fd);
}

static void
directory_process_as_signer_reads_only_ldap_files(void **state)
{
	struct report r;
	int i;

	if (!kernel_has_landlock())
		skip();
	assert_exited_cleanly(run_confined(CONFINE_DIRECTORY_KEPT,
	    probe_kept_uid_reads, &r, NULL, NULL));
	assert_int_equal(r.n, 5);
	for (i = 0; i < 3; i++) {
		assert_int_equal(r.rc[i], -1);
		assert_int_equal(r.err[i], EACCES);
	}
	assert_int_equal(r.rc[3], 0);
	assert_int_equal(r.rc[4], 0);
}

/*
 * ca_cert's copy, a sealed memory file made before the sandbox, which
 * GnuTLS opens by its name /proc/self/fd/N: Landlock must let it.
 */
static int ca_copy_fd = -1;

static void
probe_ca_copy(struct report *r)
{
	char path[64], buf[16];
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", ca_copy_fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	note(r, fd >= 0 ? 0 : -1);
	note(r, fd >= 0 ? (int)read(fd, buf, sizeof(buf)) : -1);
	if (fd >= 0)
		close(fd);
}

static void
directory_process_as_signer_still_reads_its_ca_copy(void **state)
{
	static const char pem[] = "-----BEGIN CERTIFICATE-----\n";
	struct report r;

	if (!kernel_has_landlock())
		skip();
	assert_true((ca_copy_fd = memfd_create("cassh-ldap-ca",
	    MFD_CLOEXEC | MFD_ALLOW_SEALING)) >= 0);
	assert_int_equal(write(ca_copy_fd, pem, sizeof(pem) - 1),
	    sizeof(pem) - 1);
	assert_int_equal(fcntl(ca_copy_fd, F_ADD_SEALS, F_SEAL_SEAL |
	    F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE), 0);
	assert_exited_cleanly(run_confined(CONFINE_DIRECTORY_KEPT,
	    probe_ca_copy, &r, NULL, NULL));
	close(ca_copy_fd);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.rc[0], 0);
	assert_int_equal(r.rc[1], 16);
}

static void
directory_process_as_signer_is_still_filtered(void **state)
{
	struct passwd *pw;
	struct report r;
	struct seen s;
	char want[64];
	uid_t uid = geteuid();

	if (!kernel_has_landlock())
		skip();
	if (uid == 0) {
		assert_non_null(pw = getpwnam("daemon"));
		uid = pw->pw_uid;
	}
	memset(&s, 0, sizeof(s));
	assert_exited_cleanly(run_confined(CONFINE_DIRECTORY_KEPT,
	    probe_nothing, &r, look_at_proc, &s));
	assert_string_equal(s.seccomp, "2");
	assert_string_equal(s.nnp, "1");
	assert_string_equal(s.capeff, "0000000000000000");
	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", uid, uid, uid, uid);
	assert_string_equal(s.uid, want);
}

static void
prepare_refuses_an_unknown_user_or_root_when_it_may_drop(void **state)
{
	struct sandbox sb;

	if (geteuid() != 0)
		skip();
	assert_int_equal(sandbox_prepare("cassh-no-such-user", &sb),
	    ERR_CONFIG);
	assert_int_equal(sandbox_prepare("root", &sb), ERR_CONFIG);
	assert_int_equal(sandbox_prepare(PRIVSEP_USER, &sb), ERR_OK);
	assert_int_equal(sb.drop, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cannot_open_a_file_it_could_read_before),
		cmocka_unit_test(cannot_create_write_rename_or_remove_files),
		cmocka_unit_test(cannot_open_a_network_connection),
		cmocka_unit_test(inherited_log_file_can_only_grow_at_its_end),
		cmocka_unit_test(
		    is_filtered_with_no_new_privileges_and_no_capabilities),
		cmocka_unit_test(
		    runs_as_privsep_user_in_an_empty_root_when_root),
		cmocka_unit_test(
		    drops_to_privsep_user_from_a_user_with_three_capabilities),
		cmocka_unit_test(is_killed_by_a_call_outside_the_list),
		cmocka_unit_test(
		    prepare_refuses_an_unknown_user_or_root_when_it_may_drop),
		cmocka_unit_test(
		    directory_process_reads_files_but_changes_none),
		cmocka_unit_test(
		    directory_process_may_change_its_socket_flags),
		cmocka_unit_test(directory_process_may_connect),
		cmocka_unit_test(
		    directory_process_is_killed_by_a_call_outside_the_list),
		cmocka_unit_test(
		    directory_process_runs_as_the_privsep_user_when_root),
		cmocka_unit_test(
		    directory_process_as_signer_reads_only_ldap_files),
		cmocka_unit_test(
		    directory_process_as_signer_still_reads_its_ca_copy),
		cmocka_unit_test(
		    directory_process_as_signer_is_still_filtered),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
