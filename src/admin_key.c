/* SPDX-License-Identifier: ISC */
/*
 * admin_key: the public halves of the two keys as the lines others
 * need: the CA key line that servers trust (cassh-admin ca) and the
 * signer's known_hosts line for users (cassh-admin host-key). init
 * prints both once it has made the keys.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libssh/libssh.h>

#include "admin_impl.h"
#include "cakey.h"
#include "config.h"

#define CA_COMMENT		"cassh-ca"

/*
 * The known_hosts line of the signer's host key: a bare host name on
 * port 22, "[host]:port" on any other, as ssh writes them itself.
 */
enum err
admin_print_host_line(struct admin *a, ssh_key key, const char *host,
    unsigned port)
{
	const char *type = ssh_key_type_to_char(ssh_key_type(key));
	char *b64 = NULL;

	if (type == NULL || ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK)
		return admin_fail(a, ERR_CONFIG, "libssh cannot write the "
		    "public half of the host key %s; keep the host key in "
		    "OpenSSH's own format (ssh-keygen -t ed25519 -f FILE)",
		    a->cfg->host_key);
	if (port == SSH_DEFAULT_PORT)
		fprintf(a->out, "%s %s %s\n", host, type, b64);
	else
		fprintf(a->out, "[%s]:%u %s %s\n", host, port, type, b64);
	ssh_string_free_char(b64);
	return ERR_OK;
}

void
admin_local_host(char *buf, size_t len)
{
	if (gethostname(buf, len) == -1 || buf[0] == '\0')
		snprintf(buf, len, "localhost");
	buf[len - 1] = '\0';
}

enum err
admin_print_ca_line(struct admin *a)
{
	struct cakey *ca = NULL;
	char *line;

	if (strncmp(a->cfg->ca_key, "agent:", 6) == 0)
		return admin_fail(a, ERR_CA_KEY, "[ca] key %s is held by "
		    "ssh-agent; list it with ssh-add -L", a->cfg->ca_key);
	if (cakey_load(a->cfg->ca_key, &ca) != ERR_OK)
		return admin_fail(a, ERR_CA_KEY, "the CA key %s cannot be used "
		    "(%s); check [ca] key", a->cfg->ca_key,
		    log_last_warning());
	line = cakey_publine(ca, CA_COMMENT);
	cakey_free(ca);
	if (line == NULL)
		return admin_fail(a, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
	fprintf(a->out, "%s\n", line);
	free(line);
	return ERR_OK;
}

enum err
admin_cmd_ca(struct admin *a, int argc, char **argv)
{
	if (argc != 1)
		return admin_bad_usage(a, "ca takes no arguments");
	return admin_print_ca_line(a);
}

/* A host name as it may stand in known_hosts: no space, no bracket. */
static int
valid_host(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i >= 255 || !(s[i] == '.' || s[i] == '-' ||
		    s[i] == ':' || s[i] == '_' ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9')))
			return 0;
	}
	return i > 0;
}

/*
 * A port as people write it: 1 to 65535 in plain decimal digits, with
 * no sign, space or leading zero that strtol would let pass.
 */
static int
parse_port(const char *s, unsigned *port)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; s[i] >= '0' && s[i] <= '9' && i < 5; i++)
		v = v * 10 + (unsigned long)(s[i] - '0');
	if (i == 0 || s[i] != '\0' || s[0] == '0' || v > 65535)
		return -1;
	*port = (unsigned)v;
	return 0;
}

static enum err
host_key_parse(struct admin *a, int argc, char **argv, char *host,
    size_t hostlen, unsigned *port)
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, 'h' },
		{ "port", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *host_arg = NULL, *port_arg = NULL;
	char esc[ADMIN_ESC_SIZE];
	enum err e;
	int ch;

	*port = SSH_DEFAULT_PORT;
	admin_opt_reset();
	while ((ch = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		if (ch == 'h')
			e = admin_opt_once(a, &host_arg, optarg, "host");
		else if (ch == 'p')
			e = admin_opt_once(a, &port_arg, optarg, "port");
		else
			e = admin_bad_option(a, "host-key", argv, ch);
		if (e != ERR_OK)
			return e;
	}
	if (optind != argc)
		return admin_bad_usage(a, "host-key takes only --host and "
		    "--port");
	if (host_arg != NULL && !valid_host(host_arg))
		return admin_fail(a, ERR_USAGE, "host-key: --host \"%s\" is not a "
		    "host name (letters, digits . - _ :); run cassh-admin -h",
		    admin_esc(esc, host_arg));
	if (port_arg != NULL && parse_port(port_arg, port) == -1)
		return admin_fail(a, ERR_USAGE, "host-key: --port \"%s\" is not a "
		    "number from 1 to 65535; run cassh-admin -h",
		    admin_esc(esc, port_arg));
	if (host_arg != NULL)
		snprintf(host, hostlen, "%s", host_arg);
	else
		admin_local_host(host, hostlen);
	return ERR_OK;
}

enum err
admin_cmd_host_key(struct admin *a, int argc, char **argv)
{
	ssh_key key = NULL;
	char host[256];
	unsigned port;
	enum err e;

	if ((e = host_key_parse(a, argc, argv, host, sizeof(host), &port)) !=
	    ERR_OK)
		return e;
	if (ssh_pki_import_privkey_file(a->cfg->host_key, NULL, NULL, NULL,
	    &key) != SSH_OK)
		return admin_fail(a, ERR_CONFIG, "host-key: %s cannot be read; "
		    "check [signer] host_key, or run cassh-admin init",
		    a->cfg->host_key);
	e = admin_print_host_line(a, key, host, port);
	ssh_key_free(key);
	return e;
}
