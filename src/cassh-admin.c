/* SPDX-License-Identifier: ISC */
/*
 * cassh-admin: the CA host's local tool (init, user add/list/show,
 * check, ca, host-key). main() reads the global options and hands the
 * command to admin.c; it alone prints the one error line and picks
 * the exit status, so that every failure reads the same way.
 */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sysexits.h>
#include <unistd.h>

#include "admin.h"
#include "config.h"
#include "err.h"
#include "log.h"

static int
usage(void)
{
	fputs(admin_usage(), stderr);
	return EX_USAGE;
}

/*
 * The output is held until the command has succeeded, so that a
 * failure leaves nothing on stdout for a script to mistake for a
 * result.
 */
static enum err
run(const char *config_path, int argc, char **argv, char *msg,
    size_t msglen)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out;
	enum err e;

	if ((out = open_memstream(&buf, &len)) == NULL) {
		snprintf(msg, msglen, "%s", err_str(ERR_NOMEM));
		return ERR_NOMEM;
	}
	e = admin_run(config_path, argc, argv, out, msg, msglen);
	if (fclose(out) == EOF && e == ERR_OK) {
		e = ERR_NOMEM;
		snprintf(msg, msglen, "%s", err_str(e));
	}
	if (e == ERR_OK && (fwrite(buf, 1, len, stdout) != len ||
	    fflush(stdout) == EOF)) {
		e = ERR_INTERNAL;
		snprintf(msg, msglen, "cannot write to standard output");
	}
	free(buf);
	return e;
}

int
main(int argc, char **argv)
{
	const char *config_path = CONFIG_DEFAULT_PATH;
	char msg[ADMIN_MSG_MAX];
	int ch, verbose = 0;
	enum err e;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		fputs(admin_usage(), stdout);
		return 0;
	}
	/* '+': the command's own options are its business. */
	while ((ch = getopt(argc, argv, "+c:hv")) != -1) {
		switch (ch) {
		case 'c':
			config_path = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			fputs(admin_usage(), stdout);
			return 0;
		default:
			return usage();
		}
	}
	if (optind >= argc)
		return usage();

	/* Diagnostics go to syslog; -v copies them to stderr. */
	log_open("cassh-admin", verbose, NULL);
	msg[0] = '\0';
	e = run(config_path, argc - optind, argv + optind, msg, sizeof(msg));
	if (e != ERR_OK) {
		fprintf(stderr, "cassh-admin: %s\n",
		    msg[0] != '\0' ? msg : err_str(e));
		return err_exit_status(e);
	}
	return 0;
}
