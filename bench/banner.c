/* SPDX-License-Identifier: ISC */
/*
 * banner: how long an SSH server takes from its start to the moment it
 * can read the client's first packet.
 *
 * An SSH server sends its version line as the first thing it does on
 * the connection, and then waits for the client's: the line arrives
 * once the process has been started, loaded its libraries, read its
 * configuration and keys and, for cassh, forked and entered its
 * sandbox. Two ways to start the clock, neither needing a change to
 * the server:
 *
 *	banner PORT COUNT
 *		connect() to a socket-activated server: the time includes
 *		the accept and fork in systemd-socket-activate;
 *	banner -e COUNT PROGRAM [ARG...]
 *		exec to ready, as inetd starts a server: the connection is
 *		made first, then PROGRAM is forked and executed with it on
 *		fds 0 and 1, and the clock starts just before the fork.
 *
 * Prints one time per line, in microseconds.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Read up to the end of the version line; 0, or -1. */
static int
read_line(int fd)
{
	char buf[256];
	size_t have = 0;
	ssize_t n;

	while (have < sizeof(buf) &&
	    (n = read(fd, buf + have, sizeof(buf) - have)) > 0) {
		have += (size_t)n;
		if (memchr(buf, '\n', have) != NULL)
			return 0;
	}
	return -1;
}

static void
loopback(struct sockaddr_in *sin, int port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((unsigned short)port);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

/* One connection to a listening server; microseconds, or -1. */
static double
probe(int port)
{
	struct sockaddr_in sin;
	double t0, t = -1;
	int fd;

	loopback(&sin, port);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	t0 = now_us();
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    read_line(fd) == 0)
		t = now_us() - t0;
	close(fd);
	return t;
}

/* A connected pair over loopback TCP: *cli ours, *srv the server's. */
static int
tcp_pair(int *cli, int *srv)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int lfd, ok = -1;

	*cli = *srv = -1;
	loopback(&sin, 0);
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(lfd, 1) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &len) == -1 ||
	    (*cli = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    connect(*cli, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    (*srv = accept(lfd, NULL, NULL)) == -1)
		goto out;
	ok = 0;
 out:
	close(lfd);
	return ok;
}

/* PROGRAM started on a connection made beforehand; us, or -1. */
static double
probe_exec(char *argv[])
{
	double t0, t = -1;
	int cli, srv, status;
	pid_t pid;

	if (tcp_pair(&cli, &srv) == -1)
		return -1;
	t0 = now_us();
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		/* As inetd: sshd -i reads fd 0 and writes fd 1. */
		if (dup2(srv, 0) == -1 || dup2(srv, 1) == -1)
			_exit(127);
		close(srv);
		close(cli);
		execv(argv[0], argv);
		_exit(127);
	}
	close(srv);
	if (read_line(cli) == 0)
		t = now_us() - t0;
	/* The server sees the client leave, and ends. */
	close(cli);
	if (waitpid(pid, &status, 0) != pid)
		t = -1;
	return t;
}

int
main(int argc, char *argv[])
{
	struct timespec gap = { 0, 20 * 1000 * 1000 };
	int port = 0, count, i, exec_mode;
	double t;

	exec_mode = argc >= 4 && strcmp(argv[1], "-e") == 0;
	if (exec_mode)
		count = atoi(argv[2]);
	else if (argc == 3 && (port = atoi(argv[1])) > 0)
		count = atoi(argv[2]);
	else
		count = 0;
	if (count <= 0) {
		fprintf(stderr, "usage: banner PORT COUNT\n"
		    "       banner -e COUNT PROGRAM [ARG...]\n");
		return 64;
	}
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < count; i++) {
		t = exec_mode ? probe_exec(argv + 3) : probe(port);
		if (t < 0) {
			fprintf(stderr, "banner: no version line\n");
			return 1;
		}
		printf("%.0f\n", t);
		/* Let the last server exit before the next starts. */
		nanosleep(&gap, NULL);
	}
	return 0;
}
