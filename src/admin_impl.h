/* SPDX-License-Identifier: ISC */
/*
 * admin_impl: what the files of cassh-admin's commands share and no
 * other code may see: the state of one run, the helpers of admin.c
 * that turn a failure into the one line main() prints, the key lines
 * of admin_key.c that init prints too, and each command's entry point
 * for the dispatch table. Only src/admin*.c include it, and main(),
 * for the few helpers it shares with the commands: how an option or
 * an argument is echoed, and whether -v was given.
 *
 * Every helper that fails has filled a->msg already: its caller only
 * passes the code on.
 */
#ifndef CASSH_ADMIN_IMPL_H
#define CASSH_ADMIN_IMPL_H

#include <stddef.h>
#include <stdio.h>

#include <libssh/libssh.h>

#include "err.h"
#include "log.h"
#include "registry.h"

#define SSH_DEFAULT_PORT	22

/*
 * What a message echoes of the user's input is cut after this many
 * bytes (then "..."), each byte that is not printable ASCII written
 * as \xNN: an argument must not flood the line or reach the terminal
 * as an escape sequence.
 */
#define ADMIN_ESC_MAX		64
#define ADMIN_ESC_SIZE		(ADMIN_ESC_MAX * 4 + 4)

struct config;

struct admin {
	const char	*config_path;
	struct config	*cfg;
	FILE		*out;
	char		*msg;
	size_t		 msglen;
};

/*
 * admin_fail: fill a->msg from fmt and return e unchanged, so that a
 * command can end with return admin_fail(a, e, ...).
 */
enum err admin_fail(struct admin *a, enum err e, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * admin_bad_usage: ERR_USAGE, with what and "; run cassh-admin -h",
 * the end of every usage error.
 */
enum err admin_bad_usage(struct admin *a, const char *what);

/*
 * admin_esc: s escaped and cut as ADMIN_ESC_MAX says, into buf, which
 * is returned. s may be NULL ("-").
 */
const char *admin_esc(char buf[ADMIN_ESC_SIZE], const char *s);

/* admin_opt_reset: before each command's getopt_long loop. */
void	admin_opt_reset(void);

/*
 * admin_opt_name: the option getopt_long has just refused (it returned
 * '?' or ':'), escaped into buf, which is returned.
 *
 * admin_bad_option: ERR_USAGE for that option of command cmd, saying
 * whether it is unknown or lacks its value (ch is what getopt_long
 * returned; the loops use the optstring ":" to tell them apart).
 *
 * admin_opt_once: *slot = value, or ERR_USAGE ("--NAME given twice")
 * if *slot is set already: a repeated option is a mistake in a
 * command, not an order to take the last.
 */
const char *admin_opt_name(char buf[ADMIN_ESC_SIZE], char **argv);
enum err admin_bad_option(struct admin *a, const char *cmd, char **argv,
	    int ch);
enum err admin_opt_once(struct admin *a, const char **slot,
	    const char *value, const char *name);

/*
 * admin_log_verbose: start logging to syslog, and with on set (-v)
 * copy diagnostics to stderr; main() calls it before any command.
 * admin_log_open: the same, and append to a->cfg's [signer] log_file
 * too, once the configuration is known (admin_run for the commands
 * that need one, init once it has checked its paths), if that file
 * exists: cassh-admin never makes it, since a file made by root could
 * not be written by the signer; a file that cannot be opened is said
 * in syslog and the command goes on.
 *
 * admin_audit_begin: audit_begin with the event, then the caller's
 * uid; the command adds its fields and ends with result="ok".
 */
void	admin_log_verbose(int on);
void	admin_log_open(struct admin *a);
void	admin_audit_begin(struct audit *au, const char *event);

/*
 * admin_registry_failed: e, a registry error met by command what,
 * with the line that says what to do about it.
 *
 * admin_registry_opened: registry_open on [registry] path with mode;
 * ERR_OK with *reg set (registry_close), or its error as above.
 */
enum err admin_registry_failed(struct admin *a, enum err e,
	    const char *what);
enum err admin_registry_opened(struct admin *a, enum registry_mode mode,
	    const char *what, struct registry **reg);

/*
 * admin_load_config: a->cfg from a->config_path (config_free, which
 * admin_run calls). Returns ERR_OK or config_load's error.
 */
enum err admin_load_config(struct admin *a);

/*
 * admin_key.c. admin_print_ca_line: the CA public key line to a->out;
 * ERR_CA_KEY for a key that cannot be read or is held by ssh-agent,
 * or ERR_NOMEM. admin_print_host_line: key's known_hosts line for host
 * and port to a->out; ERR_INTERNAL if libssh cannot encode it.
 * admin_local_host: this machine's name into buf, "localhost" if it
 * has none.
 */
enum err admin_print_ca_line(struct admin *a);
enum err admin_print_host_line(struct admin *a, ssh_key key,
	    const char *host, unsigned port);
void	admin_local_host(char *buf, size_t len);

/*
 * The commands, called by admin_run with argv[0] the command's name:
 * init (admin_init.c), user add, list and show (admin_user.c), ca and
 * host-key (admin_key.c). Each returns ERR_OK, or an error with
 * a->msg filled.
 */
enum err admin_cmd_init(struct admin *a, int argc, char **argv);
enum err admin_cmd_user(struct admin *a, int argc, char **argv);
enum err admin_cmd_ca(struct admin *a, int argc, char **argv);
enum err admin_cmd_host_key(struct admin *a, int argc, char **argv);

#endif
