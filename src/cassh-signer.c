/* SPDX-License-Identifier: ISC */
/*
 * cassh-signer: one SSH connection to the CA, started per connection
 * by systemd (Accept=yes, socket on fd 3) or inetd (socket on fd 0).
 *
 * This file only wires the modules together: it takes the socket,
 * reads the configuration, opens the registry, and hands the
 * connection to the session module with the operations that cross
 * the privilege boundary: authenticate (directory), prepare and run
 * (command).
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <signal.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sysexits.h>
#include <unistd.h>

#include <libssh/libssh.h>

#include "build-config.h"
#include "command.h"
#include "config.h"
#include "directory.h"
#include "log.h"
#include "registry.h"
#include "session.h"

/* The privileged side's state for this one connection. */
struct signer {
	struct config		*cfg;
	struct registry		*reg;
	char			 login[RECORD_MAX_NAME + 1];
	int			 authenticated;
	struct command_env	 env;
	struct command_call	 call;
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

static int
signer_is_public(void *arg, const char *login)
{
	struct signer *sg = arg;

	return strcmp(login, sg->cfg->public_login) == 0;
}

/* The identity used by every later command is fixed here, once. */
static enum err
signer_auth(void *arg, const char *login, const char *password)
{
	struct signer *sg = arg;
	enum err e;

	if (sg->authenticated || strlen(login) >= sizeof(sg->login))
		return ERR_AUTH;
	if (signer_is_public(sg, login))
		e = ERR_OK;
	else
		e = directory_authenticate(sg->cfg, login, password, NULL);
	if (e != ERR_OK)
		return e;
	memcpy(sg->login, login, strlen(login) + 1);
	sg->authenticated = 1;
	sg->env.login = sg->login;
	sg->env.is_public = signer_is_public(sg, login);
	return ERR_OK;
}

static enum err
signer_prepare(void *arg, const char *line, size_t *max_input)
{
	struct signer *sg = arg;

	if (!sg->authenticated)
		return ERR_NOT_PERMITTED;
	return command_prepare(&sg->env, line, &sg->call, max_input);
}

static int
signer_run(void *arg, const uint8_t *in, size_t n, int toolong,
    struct wbuf *out, char *errline, size_t errlen)
{
	struct signer *sg = arg;

	if (!sg->authenticated || sg->call.cmd == NULL)
		return EX_NOPERM;
	return command_run(&sg->env, &sg->call, in, n, toolong, out,
	    errline, errlen);
}

static const struct session_ops signer_ops = {
	signer_auth, signer_is_public, signer_prepare, signer_run,
};

static void
signer_usage(void)
{
	fprintf(stderr, "usage: cassh-signer [-c config]\n"
	    "Started by systemd (Accept=yes) or inetd, "
	    "one process per connection.\n");
	exit(EX_USAGE);
}

int
main(int argc, char *argv[])
{
	const char *path = CONFIG_DEFAULT_PATH;
	struct session_params sp;
	struct signer sg;
	char err[512];
	enum err e;
	int sock, ch;

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
	 * A peer (client or LDAP server) that hangs up is an error to
	 * handle, not a reason to die without an audit line.
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

	/* A missing registry is reported to the user after login. */
	e = registry_open(sg.cfg->registry_path, REGISTRY_WRITE,
	    sg.cfg->map_size, &sg.reg);
	if (e != ERR_OK)
		log_warnx("conn=%s registry %s: %s", sg.conn_id,
		    sg.cfg->registry_path, err_str(e));
	sg.env.cfg = sg.cfg;
	sg.env.reg = sg.reg;
	sg.env.conn_id = sg.conn_id;
	sg.env.peer = sg.peer;

	sp.host_key = sg.cfg->host_key;
	sp.generic_login = sg.cfg->generic_login;
	sp.login_grace_time = sg.cfg->login_grace_time;
	sp.max_auth_tries = sg.cfg->max_auth_tries;
	sp.conn_id = sg.conn_id;
	sp.peer = sg.peer;
	ssh_init();
	e = session_serve(&sp, sock, &signer_ops, &sg);
	ssh_finalize();
	registry_close(sg.reg);
	config_free(sg.cfg);
	return e == ERR_CONFIG ? EX_CONFIG : 0;
}
