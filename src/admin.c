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
#include <sys/stat.h>

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "admin_impl.h"
#include "config.h"
#include "log.h"
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
	return admin_fail(a, ERR_USAGE, "%s; run cassh-admin -h", what);
}

/* Up to max bytes of s into buf, each unprintable one as \xNN. */
static const char *
escape(char *buf, size_t size, const char *s, size_t max)
{
	const unsigned char *p;
	size_t len = 0, i;

	if (s == NULL)
		s = "-";
	p = (const unsigned char *)s;
	for (i = 0; p[i] != '\0' && i < max && len + 8 <= size; i++) {
		if (p[i] < 0x20 || p[i] >= 0x7f || p[i] == '\\')
			len += (size_t)snprintf(buf + len, size - len,
			    "\\x%02x", p[i]);
		else
			buf[len++] = (char)p[i];
	}
	if (p[i] != '\0')
		len += (size_t)snprintf(buf + len, size - len, "...");
	buf[len] = '\0';
	return buf;
}

const char *
admin_esc(char buf[ADMIN_ESC_SIZE], const char *s)
{
	return escape(buf, ADMIN_ESC_SIZE, s, ADMIN_ESC_MAX);
}

/* glibc restarts getopt from scratch when optind is 0. */
void
admin_opt_reset(void)
{
	optind = 0;
	opterr = 0;
}

/*
 * A long option that was refused is the whole argument getopt_long
 * has just passed ("--bogus", "--json=x"); a short one is only a
 * letter of its argument, which may hold others.
 */
const char *
admin_opt_name(char buf[ADMIN_ESC_SIZE], char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : NULL;
	char letter[3] = { '-', (char)optopt, '\0' };

	if (arg != NULL && strncmp(arg, "--", 2) == 0)
		return admin_esc(buf, arg);
	return admin_esc(buf, letter);
}

enum err
admin_bad_option(struct admin *a, const char *cmd, char **argv, int ch)
{
	char opt[ADMIN_ESC_SIZE];

	admin_opt_name(opt, argv);
	if (ch == ':')
		return admin_fail(a, ERR_USAGE, "%s: %s needs a value; run "
		    "cassh-admin -h", cmd, opt);
	return admin_fail(a, ERR_USAGE, "%s: unknown option %s; run "
	    "cassh-admin -h", cmd, opt);
}

enum err
admin_opt_once(struct admin *a, const char **slot, const char *value,
    const char *name)
{
	if (*slot != NULL)
		return admin_fail(a, ERR_USAGE, "--%s given twice; run "
		    "cassh-admin -h", name);
	*slot = value;
	return ERR_OK;
}

static int log_verbose;

void
admin_log_verbose(int on)
{
	log_verbose = on;
	log_open("cassh-admin", on, NULL);
}

/*
 * log_file is appended to only if it exists: made by root here, it
 * would be one the signer (User=cassh) can no longer write to, after a
 * log rotation for instance. Syslog has every line anyway.
 */
void
admin_log_open(struct admin *a)
{
	const char *file = a->cfg->log_file;
	struct stat st;

	if (*file == '\0' || stat(file, &st) == -1 || !S_ISREG(st.st_mode))
		file = NULL;
	log_open("cassh-admin", log_verbose, file);
}

void
admin_audit_begin(struct audit *au, const char *event)
{
	audit_begin(au, event);
	audit_u64(au, "uid", (uint64_t)getuid());
}

enum err
admin_registry_failed(struct admin *a, enum err e, const char *what)
{
	const char *path = a->cfg->registry_path;

	switch (e) {
	case ERR_REGISTRY_MISSING:
		return admin_fail(a, e, "%s: registry %s cannot be opened (%s); "
		    "if it was never made, run cassh-admin init, else check "
		    "its owner and mode", what, path, log_last_warning());
	case ERR_REGISTRY_BUSY:
		return admin_fail(a, e, "%s: %s (%s)", what, err_str(e),
		    log_last_warning());
	case ERR_REGISTRY_FULL:
		return admin_fail(a, e, "%s: the registry is full (%s); raise "
		    "[registry] map_size", what, log_last_warning());
	default:
		return admin_fail(a, e, "%s: registry %s cannot be used (%s)",
		    what, path, log_last_warning());
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
	char why[256], shown[sizeof(why) * 4];
	enum err e;

	if ((e = config_load(a->config_path, &a->cfg, why, sizeof(why))) !=
	    ERR_OK) {
		/* The reason may quote the file's name or its lines. */
		escape(shown, sizeof(shown), why, sizeof(why));
		if (e == ERR_CONFIG)
			return admin_fail(a, e, "%s; fix the file, or run "
			    "cassh-admin init to write one", shown);
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
	if (argc != 1)
		return admin_bad_usage(a, "help takes no arguments");
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
	char esc[ADMIN_ESC_SIZE];
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
		if (commands[i].needs_config &&
		    (e = admin_load_config(&a)) == ERR_OK)
			admin_log_open(&a);
		if (e == ERR_OK) {
			/* An error line names only this command's cause. */
			log_clear_last_warning();
			e = commands[i].run(&a, argc, argv);
		}
		config_free(a.cfg);
		return e;
	}
	return admin_fail(&a, ERR_USAGE, "unknown command \"%s\"; run "
	    "cassh-admin -h", admin_esc(esc, argv[0]));
}
