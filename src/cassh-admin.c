/* SPDX-License-Identifier: ISC */
/*
 * cassh-admin: the CA host's local tool (init, user add/list/show,
 * check, ca, host-key). main() reads the global options and hands the
 * command to admin.c; it alone prints the one error line and picks
 * the exit status, so that every failure reads the same way.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sysexits.h>
#include <unistd.h>

#include "admin.h"
#include "admin_impl.h"
#include "config.h"
#include "err.h"

/*
 * A usage error is one line, as every other failure, so that a script
 * that logs stderr logs one line; the full text is for -h.
 */
static int
usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "cassh-admin: %s%s; run cassh-admin -h\n", what, arg);
	return EX_USAGE;
}

/* What getopt_long refused (ch '?' or ':'), in one line. */
static int
bad_option(char **argv, int ch)
{
	char opt[ADMIN_ESC_SIZE];

	if (ch == ':')
		return usage_error("-c needs a FILE", "");
	if (optopt == 'h')
		return usage_error("--help takes no value", "");
	return usage_error("unknown option ", admin_opt_name(opt, argv));
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
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = CONFIG_DEFAULT_PATH;
	char msg[ADMIN_MSG_MAX];
	int ch, verbose = 0;
	enum err e;

	/* '+': the command's own options are its business. */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:c:hv", longopts, NULL)) !=
	    -1) {
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
			return bad_option(argv, ch);
		}
	}
	if (optind >= argc)
		return usage_error("no command given", "");

	/*
	 * Diagnostics go to syslog; -v copies them to stderr. Once the
	 * command has read the configuration, its log_file too.
	 */
	admin_log_verbose(verbose);
	msg[0] = '\0';
	e = run(config_path, argc - optind, argv + optind, msg, sizeof(msg));
	if (e != ERR_OK) {
		fprintf(stderr, "cassh-admin: %s\n",
		    msg[0] != '\0' ? msg : err_str(e));
		return err_exit_status(e);
	}
	return 0;
}
