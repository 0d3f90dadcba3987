/* SPDX-License-Identifier: ISC */
/*
 * phases: where one connection's time goes, step by step, in a fresh
 * process as cassh-signer starts one per connection. It makes the same
 * calls as the three processes of a connection, in their order, and
 * times each; the SSH exchange itself and the messages between the
 * processes are left out (the stub's round trip measures the first).
 *
 *	both	config_load; OPENSSL_init_crypto with the configuration
 *		file, which the signer does once before the forks;
 *	child	ssh_init, the host key, sandbox_enter (chroot, setuid,
 *		seccomp), after a fork;
 *	dir	after a fork: directory_open (the LDAP module and its
 *		libraries, loaded as the signer does, and the secrets),
 *		sandbox_drop_directory (the privsep user), directory_warm
 *		(libldap's start, the servers' names looked up),
 *		sandbox_filter_directory, directory_find (the connection
 *		and the search, done while the client answers the
 *		prompts), directory_authenticate (bind and whoami: what is
 *		left once the password is in);
 *	monitor	registry_open, cakey_warm, guard_authenticate with a
 *		directory that says yes at once (the failure counter alone),
 *		cakey_load, command_prepare and command_run for sign (the
 *		key parsed, the user read, the CA key loaded again, the
 *		registry's write transaction with its disk syncs, the
 *		certificate built and signed).
 *
 * The first steps are the costliest by nature: what a long-running
 * server pays once, a process per connection pays every time. Run it
 * many times and take medians (bench/run does).
 *
 * usage: phases CONFIG LOGIN PASSWORD PUBKEY_FILE
 * Output, in microseconds, each step in the order above:
 *	config T
 *	both T
 *	child T T T
 *	dir T T T T T T
 *	monitor T T T T T T
 * The child's steps run first, in a forked process, then the directory
 * process's, then the monitor's in this one, so that none waits for
 * another.
 */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libssh/libssh.h>
#include <openssl/crypto.h>

#include "cakey.h"
#include "command.h"
#include "config.h"
#include "directory.h"
#include "guard.h"
#include "log.h"
#include "registry.h"
#include "sandbox.h"
#include "wire.h"

static double t_last;

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Print the time since the last call, as one column. */
static void
lap(void)
{
	double t = now_us();

	printf(" %.0f", t - t_last);
	t_last = now_us();
}

static void
die(const char *what)
{
	fprintf(stderr, "phases: %s\n", what);
	exit(1);
}

static enum err
yes(void *ctx, const char *login, const char *password)
{
	return ERR_OK;
}

static const struct directory_ops phases_yes = { NULL, yes };

/* The child's own start, as signer_child does it, after a fork. */
static void
phases_child(const struct config *cfg, const struct sandbox *sb)
{
	ssh_key host = NULL;

	printf("child");
	t_last = now_us();
	ssh_init();
	lap();
	if (ssh_pki_import_privkey_file(cfg->host_key, NULL, NULL,
	    NULL, &host) != SSH_OK)
		die("cannot load the host key");
	lap();
	if (sandbox_enter(sb) != ERR_OK)
		die("sandbox_enter failed");
	lap();
	printf("\n");
}

/* The directory process's, as dirproc.c does it, after a fork. */
static void
phases_dir(const struct config *cfg, const struct sandbox *sb,
    const char *login, const char *password)
{
	struct directory *d;

	printf("dir");
	t_last = now_us();
	if (directory_open(cfg, &d) != ERR_OK)
		die("directory_open failed");
	lap();
	if (sandbox_drop_directory(sb) != ERR_OK)
		die("sandbox_drop_directory failed");
	lap();
	directory_warm(d);
	lap();
	if (sandbox_filter_directory(sb) != ERR_OK)
		die("sandbox_filter_directory failed");
	lap();
	directory_find(d, login);
	lap();
	if (directory_authenticate(d, login, password, NULL) != ERR_OK)
		die("the login is refused");
	lap();
	printf("\n");
}

/* Run fn in a child process, to its end. */
static void
phases_fork(void (*fn)(void *), void *arg)
{
	pid_t pid;
	int status;

	fflush(stdout);
	if ((pid = fork()) == -1)
		die("fork");
	if (pid == 0) {
		fn(arg);
		fflush(stdout);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || status != 0)
		die("a forked half failed");
}

struct phases_args {
	const struct config	*cfg;
	const struct sandbox	*sb;
	const char		*login, *password;
};

static void
phases_child_fn(void *arg)
{
	struct phases_args *a = arg;

	phases_child(a->cfg, a->sb);
}

static void
phases_dir_fn(void *arg)
{
	struct phases_args *a = arg;

	phases_dir(a->cfg, a->sb, a->login, a->password);
}

int
main(int argc, char *argv[])
{
	char err[512], errline[512], key[16384];
	struct command_env env;
	struct command_call call;
	struct config *cfg;
	struct registry *reg;
	struct cakey *ca;
	struct phases_args args;
	struct sandbox sb;
	struct wbuf out;
	size_t max_input, n;
	FILE *f;

	if (argc != 5)
		die("usage: phases CONFIG LOGIN PASSWORD PUBKEY_FILE");
	if ((f = fopen(argv[4], "r")) == NULL)
		die("cannot read the public key");
	n = fread(key, 1, sizeof(key), f);
	fclose(f);
	log_open("phases", 0, NULL);
	/* As cassh-signer does: cassh binds to LDAP simply. */
	setenv("SASL_PATH", "/var/empty/cassh-no-sasl-plugins", 1);
	setenv("GNUTLS_NO_IMPLICIT_INIT", "1", 1);

	t_last = now_us();
	if (config_load(argv[1], &cfg, err, sizeof(err)) != ERR_OK)
		die(err);
	printf("config %.0f\n", now_us() - t_last);
	if (sandbox_prepare(cfg->privsep_user, &sb) != ERR_OK)
		die("sandbox_prepare failed");
	t_last = now_us();
	OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL);
	printf("both %.0f\n", now_us() - t_last);
	fflush(stdout);

	args.cfg = cfg;
	args.sb = &sb;
	args.login = argv[2];
	args.password = argv[3];
	phases_fork(phases_child_fn, &args);
	phases_fork(phases_dir_fn, &args);

	printf("monitor");
	t_last = now_us();
	if (registry_open(cfg->registry_path, REGISTRY_WRITE, cfg->map_size,
	    &reg) != ERR_OK)
		die("registry_open failed");
	lap();
	cakey_warm();
	lap();
	if (guard_authenticate(cfg, reg, &phases_yes, NULL, argv[2],
	    argv[3]) != ERR_OK)
		die("the guard refuses the login");
	lap();
	if (cakey_load(cfg->ca_key, &ca) != ERR_OK)
		die("cakey_load failed");
	cakey_free(ca);
	lap();
	memset(&env, 0, sizeof(env));
	env.cfg = cfg;
	env.reg = reg;
	env.conn_id = "phases";
	env.peer = "-";
	env.login = argv[2];
	memset(&call, 0, sizeof(call));
	if (command_prepare(&env, "sign", &call, &max_input) != ERR_OK)
		die("command_prepare failed");
	lap();
	wbuf_init(&out);
	if (command_run(&env, &call, (const uint8_t *)key, n, 0, &out,
	    errline, sizeof(errline)) != 0)
		die(errline);
	lap();
	printf("\n");
	wbuf_free(&out);
	registry_close(reg);
	config_free(cfg);
	return 0;
}
