/* SPDX-License-Identifier: ISC */
/*
 * banner: how long a socket-activated SSH server takes from the
 * connection to the moment it can read the client's first packet.
 *
 * An SSH server sends its version line as the first thing it does on
 * the connection, and then waits for the client's: the line arrives
 * once the process has been started, loaded its libraries, read its
 * configuration and keys and, for cassh, forked and entered its
 * sandbox. Timing connect() to the end of that line from outside
 * needs no change to the server; the part that is not the server's
 * (accept and fork in systemd-socket-activate) is the same for every
 * server measured, and the stub shows it.
 *
 * usage: banner PORT COUNT
 * Prints one time per line, in microseconds.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
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

/* One connection; the time in microseconds, or -1. */
static double
probe(int port)
{
	struct sockaddr_in sin;
	char buf[256];
	size_t have = 0;
	ssize_t n;
	double t0, t = -1;
	int fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	t0 = now_us();
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		goto out;
	while (have < sizeof(buf) &&
	    (n = read(fd, buf + have, sizeof(buf) - have)) > 0) {
		have += (size_t)n;
		if (memchr(buf, '\n', have) != NULL) {
			t = now_us() - t0;
			break;
		}
	}
 out:
	close(fd);
	return t;
}

int
main(int argc, char *argv[])
{
	struct timespec gap = { 0, 20 * 1000 * 1000 };
	int port, count, i;
	double t;

	if (argc != 3 || (port = atoi(argv[1])) <= 0 ||
	    (count = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: banner PORT COUNT\n");
		return 64;
	}
	for (i = 0; i < count; i++) {
		if ((t = probe(port)) < 0) {
			fprintf(stderr, "banner: no version line\n");
			return 1;
		}
		printf("%.0f\n", t);
		/* Let the last server exit before the next starts. */
		nanosleep(&gap, NULL);
	}
	return 0;
}
