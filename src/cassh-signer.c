/* SPDX-License-Identifier: ISC */
/*
 * cassh-signer: one SSH connection to the CA, started per connection
 * by systemd (Accept=yes, socket on fd 3) or inetd (socket on fd 0).
 *
 * This file only wires the modules together. It takes the socket and
 * reads the configuration, then splits the connection in three
 * processes, so that the code that parses what the network sends
 * never holds what an attacker wants:
 *
 *	child	loads the SSH host key, confines itself (sandbox.c) and
 *		speaks SSH to the client (session.c); every decision
 *		goes to the parent as a message (monitor_client.c);
 *	dir	the directory process (dirproc.c): loads the LDAP module
 *		(directory_load.c), confines itself, and proves
 *		passwords with LDAP for the monitor;
 *	parent	the monitor (monitor.c): opens the registry, asks the
 *		directory process about logins, runs the commands for
 *		the login it proved, signs with the CA key; then reaps
 *		the other two.
 *
 * The forks come before the registry is opened, so that no LMDB
 * mapping or descriptor ever reaches the others (an LMDB environment
 * must not cross a fork anyway).
 */
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <libssh/libssh.h>
#include <openssl/crypto.h>

#include "build-config.h"
#include "cakey.h"
#include "config.h"
#include "dirproc.h"
#include "log.h"
#include "monitor.h"
#include "registry.h"
#include "sandbox.h"
#include "session.h"

/* How long a child that has closed its end may take to exit. */
#define SIGNER_REAP_MS	2000

/* What both halves of the connection know before the fork. */
struct signer {
	struct config		*cfg;
	struct sandbox		 sandbox;
	char			 conn_id[17];
	char			 peer[INET6_ADDRSTRLEN + 8];
};

/*
 * The socket may be fds 0, 1 and 2 at once (inetd): move it to a
 * fresh descriptor and point 0, 1 and 2 at /dev/null before anything
 * can write to them, so no stray output corrupts the SSH stream.
 */
static int
signer_take_socket(void)
{
	const char *fds = getenv("LISTEN_FDS");
	const char *pid = getenv("LISTEN_PID");
	int from = 0, sock, null, i;

	if (fds != NULL && strcmp(fds, "1") == 0 && pid != NULL &&
	    strtol(pid, NULL, 10) == (long)getpid())
		from = 3;
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDNAMES");
	if ((sock = fcntl(from, F_DUPFD_CLOEXEC, 10)) == -1)
		return -1;
	if (from == 3)
		close(3);
	if ((null = open("/dev/null", O_RDWR)) == -1)
		return -1;
	for (i = 0; i <= 2; i++)
		if (null != i && dup2(null, i) == -1)
			return -1;
	if (null > 2)
		close(null);
	return sock;
}

static void
signer_ids(struct signer *sg, int sock)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	unsigned char rnd[8];
	char host[INET6_ADDRSTRLEN];
	int port = 0, i;

	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		memset(rnd, 0, sizeof(rnd));
	for (i = 0; i < 8; i++)
		snprintf(sg->conn_id + 2 * i, 3, "%02x", rnd[i]);
	snprintf(sg->peer, sizeof(sg->peer), "unknown");
	if (getpeername(sock, (struct sockaddr *)&ss, &len) == -1)
		return;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		port = ntohs(sin->sin_port);
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		port = ntohs(sin6->sin6_port);
	} else
		return;
	snprintf(sg->peer, sizeof(sg->peer), "%s:%d", host, port);
}

static void
signer_usage(void)
{
	fprintf(stderr, "usage: cassh-signer [-c config]\n"
	    "Started by systemd (Accept=yes) or inetd, "
	    "one process per connection.\n");
	exit(EX_USAGE);
}

static void
signer_session_params(const struct signer *sg, struct session_params *sp)
{
	memset(sp, 0, sizeof(*sp));
	sp->host_key = sg->cfg->host_key;
	sp->generic_login = sg->cfg->generic_login;
	sp->login_grace_time = sg->cfg->login_grace_time;
	sp->max_auth_tries = sg->cfg->max_auth_tries;
	sp->conn_id = sg->conn_id;
	sp->peer = sg->peer;
}

/*
 * The child: the host key and libssh's crypto are set up while files
 * can still be opened, then the sandbox closes for good. It ends with
 * _exit(): the parent's exit handlers (OpenSSL's clean-up among them)
 * are not the child's to run, and would meet the sandbox.
 */
static void __attribute__((noreturn))
signer_child(struct signer *sg, int sock, int fd)
{
	struct monitor_client mc;
	struct session_params sp;
	ssh_key key = NULL;
	enum err e;

	(void)prctl(PR_SET_NAME, "cassh-net", 0, 0, 0);
	ssh_init();
	tzset();	/* syslog's time stamps, read now or never */
	if (ssh_pki_import_privkey_file(sg->cfg->host_key, NULL, NULL, NULL,
	    &key) != SSH_OK) {
		log_warnx("cannot load host key %s", sg->cfg->host_key);
		_exit(EX_CONFIG);
	}
	if (sandbox_enter(&sg->sandbox) != ERR_OK)
		_exit(EX_OSERR);
	signer_session_params(sg, &sp);
	sp.host_key_loaded = key;
	mc.fd = fd;
	mc.public_login = sg->cfg->public_login;
	e = session_serve(&sp, sock, &monitor_client_ops, &mc);
	_exit(e == ERR_CONFIG ? EX_CONFIG : 0);
}

/*
 * What the monitor puts off until the child's version line is out
 * (HELLO), so as not to delay it: the directory process loads libldap
 * and enters its sandbox, and OpenSSL lists its algorithms here. The
 * client and the child are then busy with the key exchange. A module
 * that cannot be loaded fails each login as a configuration error.
 */
static void
signer_warm(void *arg)
{
	dirproc_warm(arg);
	cakey_warm();
}

/* Reap the child; it is killed at once with kill_now, or if it lingers. */
static int
signer_reap(const struct signer *sg, pid_t pid, int kill_now)
{
	return sandbox_reap(pid, kill_now ? 0 : SIGNER_REAP_MS, sg->conn_id,
	    "session");
}

/* The parent: serve the child's requests, then reap it. */
static int
signer_monitor(struct signer *sg, pid_t child, int fd, struct dirproc *dp)
{
	struct monitor_params mp;
	struct registry *reg = NULL;
	enum err e;
	int status;

	/* It holds the CA key while it signs: no core file, no ptrace. */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (sandbox_drop_caps() != ERR_OK) {
		dirproc_stop(dp, 1);
		signer_reap(sg, child, 1);
		return EX_OSERR;
	}
	/* A missing registry is reported to the user after login. */
	e = registry_open(sg->cfg->registry_path, REGISTRY_WRITE,
	    sg->cfg->map_size, &reg);
	if (e != ERR_OK)
		log_warnx("conn=%s registry %s: %s", sg->conn_id,
		    sg->cfg->registry_path, err_str(e));
	mp.cfg = sg->cfg;
	mp.reg = reg;
	mp.dir = &dirproc_ops;
	mp.dir_ctx = dp;
	mp.conn_id = sg->conn_id;
	mp.peer = sg->peer;
	mp.warm = signer_warm;
	mp.warm_arg = dp;
	e = monitor_serve(&mp, fd);
	close(fd);
	dirproc_stop(dp, e != ERR_OK);
	status = signer_reap(sg, child, e != ERR_OK);
	registry_close(reg);
	if (e != ERR_OK)
		return EX_PROTOCOL;
	/* The child's own failure (host key, sandbox) is the unit's. */
	if (status == -1 || WIFSIGNALED(status))
		return EX_SOFTWARE;
	return WEXITSTATUS(status);
}

/*
 * Fork the connection in three: the SSH child first, whose version
 * line is on every connection's path; then, while this process may
 * still change user, the directory process. Returns the monitor's
 * exit status.
 */
static int
signer_split(struct signer *sg, int sock)
{
	struct dirproc dp;
	int pair[2], theirs[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == -1) {
		log_warnx("conn=%s socketpair: %s", sg->conn_id,
		    strerror(errno));
		return EX_OSERR;
	}
	if ((pid = fork()) == -1) {
		log_warnx("conn=%s fork: %s", sg->conn_id, strerror(errno));
		return EX_OSERR;
	}
	if (pid == 0) {
		close(pair[0]);
		signer_child(sg, sock, pair[1]);
	}
	close(pair[1]);
	theirs[0] = sock;
	theirs[1] = pair[0];
	(void)dirproc_start(&dp, sg->cfg, &sg->sandbox, theirs, 2, sg->conn_id);
	/* The monitor never touches the network. */
	close(sock);
	return signer_monitor(sg, pid, pair[0], &dp);
}

int
main(int argc, char *argv[])
{
	const char *path = CONFIG_DEFAULT_PATH;
	struct signer sg;
	char err[512];
	int sock, ch, rc;

	while ((ch = getopt(argc, argv, "c:V")) != -1) {
		if (ch == 'c')
			path = optarg;
		else if (ch == 'V') {
			printf("cassh-signer %s\n", CASSH_VERSION);
			return 0;
		} else
			signer_usage();
	}
	if (optind != argc)
		signer_usage();

	if ((sock = signer_take_socket()) == -1)
		return EX_OSERR;
	/*
	 * A peer (client, LDAP server, the other half) that hangs up is
	 * an error to handle, not a reason to die without an audit line.
	 */
	signal(SIGPIPE, SIG_IGN);
	log_open("cassh-signer", 0, NULL);
	memset(&sg, 0, sizeof(sg));
	if (config_load(path, &sg.cfg, err, sizeof(err)) != ERR_OK) {
		log_warnx("%s", err);
		return EX_CONFIG;
	}
	log_open("cassh-signer", 0, sg.cfg->log_file);
	signer_ids(&sg, sock);
	/*
	 * OpenSSL reads its configuration file and sets up its providers
	 * on first use: once, here, for both halves, while the child can
	 * still open files.
	 */
	if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1) {
		log_warnx("OpenSSL cannot start (its configuration file?)");
		rc = EX_SOFTWARE;
	} else if (sandbox_prepare(sg.cfg->privsep_user, &sg.sandbox) !=
	    ERR_OK)
		rc = EX_CONFIG;
	else
		rc = signer_split(&sg, sock);
	config_free(sg.cfg);
	return rc;
}
