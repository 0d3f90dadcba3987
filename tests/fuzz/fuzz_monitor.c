/* SPDX-License-Identifier: ISC */
/*
 * fuzz_monitor: a libFuzzer target for the monitor's side of the
 * privilege boundary. Each input is the byte stream a taken-over
 * session process sends: it is written whole into a socket pair, the
 * write side is shut, and monitor_serve reads it to the end, as the
 * signer's parent would. Whatever the bytes, the monitor must answer
 * or refuse without a crash, a leak or a read out of bounds.
 *
 * No directory and no registry stand behind it, so that each input
 * runs in a millisecond: LDAP points at a closed local port (a login
 * other than the public one is refused at once as the directory being
 * down), and the registry is missing. The public login, help, version
 * and the refusals still walk every state of the conversation. See
 * README.md beside this file for the build line.
 */
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "directory.h"
#include "monitor.h"

/* The socket pair's buffer holds the whole input without a reader. */
#define FUZZ_MAX_INPUT	(64 * 1024)

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct config *
fuzz_config(void)
{
	static struct config *cfg;

	if (cfg != NULL)
		return cfg;
	if ((cfg = config_defaults()) == NULL)
		abort();
	free(cfg->ldap_uri);
	if ((cfg->ldap_uri = strdup("ldap://127.0.0.1:1/")) == NULL)
		abort();
	cfg->ldap_timeout = 1;
	return cfg;
}

/* One for the whole run, as the configuration is. */
static struct directory *fuzz_dir;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct monitor_params mp;
	int sv[2], bufsize = 4 * FUZZ_MAX_INPUT;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		abort();
	(void)setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &bufsize,
	    sizeof(bufsize));
	if (size > 0 && send(sv[0], data, size, MSG_NOSIGNAL) !=
	    (ssize_t)size)
		abort();
	shutdown(sv[0], SHUT_WR);
	mp.cfg = fuzz_config();
	mp.reg = NULL;
	if (fuzz_dir == NULL && directory_open(mp.cfg, &fuzz_dir) != ERR_OK)
		abort();
	mp.dir = &directory_local_ops;
	mp.dir_ctx = fuzz_dir;
	mp.conn_id = "fuzz";
	mp.peer = "fuzz";
	mp.warm = NULL;
	(void)monitor_serve(&mp, sv[1]);
	close(sv[0]);
	close(sv[1]);
	return 0;
}
