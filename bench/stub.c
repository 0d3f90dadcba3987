/* SPDX-License-Identifier: ISC */
/*
 * stub: the least an SSH server must do to answer `ssh host sign`, as
 * a reference for what a signer's round trip could cost at best. It
 * shares no code with cassh: libssh alone, on the socket inherited
 * from systemd-socket-activate (fd 3 with LISTEN_FDS, else fd 0). It
 * takes any keyboard-interactive answer, reads the exec's standard
 * input to its end, and answers with nothing and exit status 0.
 *
 * It keeps the two things that decide the latency of a small SSH
 * exchange on Linux: TCP_NODELAY, and TCP_QUICKACK set again before
 * every wait (the kernel clears it), so that the client's Nagle and
 * our delayed ACK never meet; without them each connection loses
 * about 40 ms.
 *
 * usage: stub HOST_KEY
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libssh/libssh.h>
#include <libssh/server.h>

/* Seconds the whole connection may take. */
#define STUB_LIFETIME	30

struct stub {
	ssh_session	 ssh;
	ssh_channel	 chan;
	int		 fd;
	int		 authed;
	int		 exec;
	time_t		 deadline;
};

static void
stub_quickack(int fd)
{
	int one = 1;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
}

static int
stub_on_auth(struct stub *st, ssh_message msg)
{
	static const char *prompt[] = { "password: " };
	static char echo[] = { 0 };

	if (ssh_message_subtype(msg) != SSH_AUTH_METHOD_INTERACTIVE) {
		ssh_message_auth_set_methods(msg,
		    SSH_AUTH_METHOD_INTERACTIVE);
		ssh_message_reply_default(msg);
		return 0;
	}
	if (!ssh_message_auth_kbdint_is_response(msg)) {
		ssh_message_auth_interactive_request(msg, "", "", 1, prompt,
		    echo);
		return 0;
	}
	/* Any answer will do: the floor asks nobody. */
	st->authed = 1;
	ssh_message_auth_reply_success(msg, 0);
	return 0;
}

/* Returning 1 lets libssh send its default refusal. */
static int
stub_on_message(ssh_session ssh, ssh_message msg, void *arg)
{
	struct stub *st = arg;

	switch (ssh_message_type(msg)) {
	case SSH_REQUEST_AUTH:
		return stub_on_auth(st, msg);
	case SSH_REQUEST_CHANNEL_OPEN:
		if (!st->authed || st->chan != NULL ||
		    ssh_message_subtype(msg) != SSH_CHANNEL_SESSION)
			return 1;
		st->chan = ssh_message_channel_request_open_reply_accept(msg);
		return st->chan == NULL;
	case SSH_REQUEST_CHANNEL:
		if (st->chan == NULL || st->exec ||
		    ssh_message_subtype(msg) != SSH_CHANNEL_REQUEST_EXEC)
			return 1;
		st->exec = 1;
		ssh_message_channel_request_reply_success(msg);
		return 0;
	default:
		return 1;
	}
}

/* One wait for the next packet; -1 when the connection is over. */
static int
stub_pump(struct stub *st, ssh_event ev)
{
	int ms = (int)(st->deadline - time(NULL)) * 1000;

	if (ms <= 0)
		return -1;
	stub_quickack(st->fd);
	if (ssh_event_dopoll(ev, ms) == SSH_ERROR)
		return -1;
	if (ssh_get_status(st->ssh) & (SSH_CLOSED | SSH_CLOSED_ERROR))
		return -1;
	return 0;
}

static int
stub_kex(struct stub *st)
{
	struct pollfd pfd;
	int rc;

	while ((rc = ssh_handle_key_exchange(st->ssh)) == SSH_AGAIN) {
		if (time(NULL) >= st->deadline)
			return -1;
		stub_quickack(st->fd);
		pfd.fd = st->fd;
		pfd.events = POLLIN;
		(void)poll(&pfd, 1, 1000);
	}
	return rc == SSH_OK ? 0 : -1;
}

static void
stub_serve(struct stub *st)
{
	char buf[4096];
	ssh_event ev;

	if (stub_kex(st) == -1 || (ev = ssh_event_new()) == NULL)
		return;
	ssh_event_add_session(ev, st->ssh);
	/* Log in, open the channel, take the exec, read to EOF. */
	while (!st->exec || !ssh_channel_is_eof(st->chan)) {
		if (stub_pump(st, ev) == -1)
			goto out;
		while (st->chan != NULL &&
		    ssh_channel_read_nonblocking(st->chan, buf, sizeof(buf),
		    0) > 0)
			;
	}
	ssh_set_blocking(st->ssh, 1);
	ssh_channel_request_send_exit_status(st->chan, 0);
	ssh_channel_send_eof(st->chan);
	ssh_channel_close(st->chan);
	ssh_set_blocking(st->ssh, 0);
	/*
	 * Wait for the client to go: hanging up first would make it
	 * report the connection closed by the remote host.
	 */
	while (ssh_is_connected(st->ssh) && stub_pump(st, ev) == 0)
		;
 out:
	ssh_event_remove_session(ev, st->ssh);
	ssh_event_free(ev);
}

int
main(int argc, char *argv[])
{
	struct stub st;
	ssh_bind bind;
	ssh_key key = NULL;
	const char *pid;
	int one = 1, no = 0, null, from;

	if (argc != 2)
		return 64;
	memset(&st, 0, sizeof(st));
	/*
	 * fd 3 if systemd-socket-activate passed it to this very
	 * process, else fd 0 (inetd, or a tracer that forked us). Then
	 * nothing may write into the SSH stream through fd 0 or 1.
	 */
	pid = getenv("LISTEN_PID");
	from = getenv("LISTEN_FDS") != NULL && pid != NULL &&
	    strtol(pid, NULL, 10) == (long)getpid() ? 3 : 0;
	st.fd = fcntl(from, F_DUPFD_CLOEXEC, 10);
	if (st.fd == -1 || (null = open("/dev/null", O_RDWR)) == -1)
		return 71;
	dup2(null, 0);
	dup2(null, 1);
	st.deadline = time(NULL) + STUB_LIFETIME;
	(void)setsockopt(st.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	ssh_init();
	if ((bind = ssh_bind_new()) == NULL || (st.ssh = ssh_new()) == NULL)
		return 70;
	ssh_bind_options_set(bind, SSH_BIND_OPTIONS_PROCESS_CONFIG, &no);
	/* The benchmark forces this on every server it compares. */
	ssh_bind_options_set(bind, SSH_BIND_OPTIONS_KEY_EXCHANGE,
	    "curve25519-sha256");
	if (ssh_pki_import_privkey_file(argv[1], NULL, NULL, NULL,
	    &key) != SSH_OK ||
	    ssh_bind_options_set(bind, SSH_BIND_OPTIONS_IMPORT_KEY,
	    key) != SSH_OK)
		return 78;
	if (ssh_bind_accept_fd(bind, st.ssh, st.fd) != SSH_OK)
		return 70;
	ssh_set_auth_methods(st.ssh, SSH_AUTH_METHOD_INTERACTIVE);
	ssh_set_message_callback(st.ssh, stub_on_message, &st);
	ssh_set_blocking(st.ssh, 0);
	stub_serve(&st);
	ssh_disconnect(st.ssh);
	ssh_free(st.ssh);
	ssh_bind_free(bind);
	ssh_finalize();
	return 0;
}
