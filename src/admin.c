/* SPDX-License-Identifier: ISC */
/*
 * admin: the commands of cassh-admin. Each command is one function
 * that parses its own options, does its work through the shared
 * modules (config, registry, record, pubkey, cakey) and writes its
 * output to stdout. Failures are returned with one line for main() to
 * print, written for the root user reading it: what is wrong and what
 * to do, naming the file or option at fault.
 *
 * This file holds the dispatch (admin_run and its table), the helpers
 * that every command shares through admin_impl.h, and the commands
 * too small for a file of their own, check and help. init is in
 * admin_init.c, user add, list and show in admin_user.c, ca and
 * host-key in admin_key.c.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "admin_impl.h"
#include "config.h"
#include "registry.h"

struct command {
	const char	*name;
	enum err	(*run)(struct admin *, int, char **);
	int		 needs_config;
};

static const char usage_text[] =
    "usage: cassh-admin [-v] [-c FILE] COMMAND\n"
    "  init                          CA key, host key, registry, config\n"
    "  user add NAME [--login L] --key FILE [--principals a,b]\n"
    "                [--expiry +1d] [--state active|pending]\n"
    "                [--realname TEXT]\n"
    "  user list [--json]\n"
    "  user show NAME [--json]\n"
    "  check                         verify the registry\n"
    "  ca                            print the CA public key line\n"
    "  host-key [--host NAME] [--port N]\n"
    "                                print the signer's known_hosts line\n"
    "  help                          this text\n";

const char *
admin_usage(void)
{
	return usage_text;
}

/* Fill the one line main() prints, and pass the code through. */
enum err
admin_fail(struct admin *a, enum err e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->msg, a->msglen, fmt, ap);
	va_end(ap);
	return e;
}

enum err
admin_bad_usage(struct admin *a, const char *what)
{
	return admin_fail(a, ERR_USAGE, "%s; run cassh-admin help", what);
}

/* glibc restarts getopt from scratch when optind is 0. */
void
admin_opt_reset(void)
{
	optind = 0;
	opterr = 0;
}

enum err
admin_registry_failed(struct admin *a, enum err e, const char *what)
{
	const char *path = a->cfg->registry_path;

	switch (e) {
	case ERR_REGISTRY_MISSING:
		return admin_fail(a, e, "%s: registry %s cannot be opened; run "
		    "cassh-admin init, or check its owner and mode (details "
		    "in the system log)", what, path);
	case ERR_REGISTRY_BUSY:
	case ERR_REGISTRY_FULL:
		return admin_fail(a, e, "%s: %s (details in the system log)",
		    what, err_str(e));
	default:
		return admin_fail(a, e, "%s: registry %s cannot be used "
		    "(details in the system log); run cassh-admin check", what,
		    path);
	}
}

enum err
admin_registry_opened(struct admin *a, enum registry_mode mode,
    const char *what, struct registry **reg)
{
	enum err e;

	e = registry_open(a->cfg->registry_path, mode, a->cfg->map_size, reg);
	if (e != ERR_OK)
		return admin_registry_failed(a, e, what);
	return ERR_OK;
}

enum err
admin_load_config(struct admin *a)
{
	char why[256];
	enum err e;

	if ((e = config_load(a->config_path, &a->cfg, why, sizeof(why))) !=
	    ERR_OK) {
		if (e == ERR_CONFIG)
			return admin_fail(a, e, "%s; fix the file, or run "
			    "cassh-admin init to write one", why);
		return admin_fail(a, e, "%s", err_str(e));
	}
	return ERR_OK;
}

static enum err
cmd_check(struct admin *a, int argc, char **argv)
{
	struct registry *reg = NULL;
	char why[256];
	enum err e;

	if (argc != 1)
		return admin_bad_usage(a, "check takes no arguments");
	if ((e = admin_registry_opened(a, REGISTRY_READ, "check", &reg)) !=
	    ERR_OK)
		return e;
	if ((e = registry_check(reg, why, sizeof(why))) == ERR_OK)
		fprintf(a->out, "registry %s: consistent\n",
		    a->cfg->registry_path);
	else if (e == ERR_INTERNAL)
		e = admin_fail(a, e, "check: registry %s is inconsistent: %s; "
		    "restore it from a backup and report it",
		    a->cfg->registry_path, why);
	else
		e = admin_registry_failed(a, e, "check");
	registry_close(reg);
	return e;
}

static enum err
cmd_help(struct admin *a, int argc, char **argv)
{
	fputs(usage_text, a->out);
	return ERR_OK;
}

static const struct command commands[] = {
	{ "init", admin_cmd_init, 0 },
	{ "user", admin_cmd_user, 1 },
	{ "check", cmd_check, 1 },
	{ "ca", admin_cmd_ca, 1 },
	{ "host-key", admin_cmd_host_key, 1 },
	{ "help", cmd_help, 0 },
};

enum err
admin_run(const char *config_path, int argc, char **argv, FILE *out,
    char *msg, size_t msglen)
{
	struct admin a;
	enum err e;
	size_t i;

	memset(&a, 0, sizeof(a));
	a.config_path = config_path;
	a.out = out;
	a.msg = msg;
	a.msglen = msglen;
	msg[0] = '\0';
	if (argc < 1)
		return admin_bad_usage(&a, "no command given");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[0], commands[i].name) != 0)
			continue;
		e = ERR_OK;
		if (commands[i].needs_config)
			e = admin_load_config(&a);
		if (e == ERR_OK)
			e = commands[i].run(&a, argc, argv);
		config_free(a.cfg);
		return e;
	}
	return admin_fail(&a, ERR_USAGE, "unknown command \"%.64s\"; run "
	    "cassh-admin help", argv[0]);
}
