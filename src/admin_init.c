/* SPDX-License-Identifier: ISC */
/*
 * admin_init: cassh-admin init, which makes everything a new CA host
 * needs: the configuration file (a skeleton of the defaults, when
 * there is none), the registry, the CA key and the signer's host key,
 * and then prints the lines that servers and users need.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libssh/libssh.h>

#include "admin_impl.h"
#include "cakey.h"
#include "config.h"
#include "registry.h"

/*
 * init. Nothing is replaced: a key that exists already stops init
 * before anything is written, since overwriting a CA key would orphan
 * every server that trusts it, and a host key every known_hosts line.
 */
static enum err
init_refuse_existing(struct admin *a)
{
	const char *paths[] = { a->cfg->ca_key, a->cfg->host_key };
	char pub[PATH_MAX];
	struct stat st;
	size_t i;

	if (strncmp(a->cfg->ca_key, "agent:", 6) == 0)
		return admin_fail(a, ERR_CONFIG, "init: [ca] key %s is held by "
		    "ssh-agent, init cannot make it; set [ca] key to a file",
		    a->cfg->ca_key);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (lstat(paths[i], &st) == 0)
			return admin_fail(a, ERR_EXISTS, "init: %s exists "
			    "already; init never replaces a key: move it away, "
			    "or keep using it without init", paths[i]);
	}
	snprintf(pub, sizeof(pub), "%s.pub", a->cfg->host_key);
	if (lstat(pub, &st) == 0)
		return admin_fail(a, ERR_EXISTS, "init: %s exists already; "
		    "move it away", pub);
	return ERR_OK;
}

/*
 * path split into the folder it lies in and its last name ("state/"
 * names the folder "state"): dir gets the folder ("/" or "." where
 * there is no other), *base points into name, which gets the path
 * without its trailing slashes. -1 if the path is too long.
 */
static int
split_path(const char *path, char name[PATH_MAX], char dir[PATH_MAX],
    const char **base)
{
	char *slash;
	size_t len;

	if (snprintf(name, PATH_MAX, "%s", path) >= PATH_MAX)
		return -1;
	for (len = strlen(name); len > 1 && name[len - 1] == '/'; len--)
		name[len - 1] = '\0';
	snprintf(dir, PATH_MAX, "%s", name);
	if ((slash = strrchr(dir, '/')) == NULL) {
		*base = name;
		snprintf(dir, PATH_MAX, ".");
	} else {
		*base = name + (slash - dir) + 1;
		*(slash == dir ? slash + 1 : slash) = '\0';
	}
	return 0;
}

/*
 * path as it will be opened: its folder resolved (".." and links),
 * then its last name, so that "keys/a" and "./keys/../keys/a" compare
 * equal; as it is written when the folder cannot be resolved (it does
 * not exist: init_check_folders says so).
 */
static void
canonical_path(const char *path, char out[PATH_MAX])
{
	char name[PATH_MAX], dir[PATH_MAX], real[PATH_MAX];
	const char *base;

	if (split_path(path, name, dir, &base) == -1 ||
	    realpath(dir, real) == NULL ||
	    snprintf(out, PATH_MAX, "%s/%s", strcmp(real, "/") == 0 ? "" :
	    real, base) >= PATH_MAX)
		snprintf(out, PATH_MAX, "%s", path);
}

/*
 * Each file init makes must be a file of its own: a CA key that is
 * also the host key would be written and then found in the way (or
 * worse, its public half given to users as the host key), and a key
 * inside the registry's name would leave a registry without keys, and
 * a log file that is a key would have lines appended to it. So init
 * refuses before it writes anything.
 */
static enum err
init_refuse_overlap(struct admin *a)
{
	enum { CA, HOST, PUB, REG, LOG, NPATHS };
	char pub[PATH_MAX], canon[NPATHS][PATH_MAX], esc[ADMIN_ESC_SIZE];
	const char *names[NPATHS] = {
		[CA] = "[ca] key", [HOST] = "[signer] host_key",
		[PUB] = "[signer] host_key + .pub", [REG] = "[registry] path",
		[LOG] = "[signer] log_file",
	};
	const char *paths[NPATHS] = {
		[CA] = a->cfg->ca_key, [HOST] = a->cfg->host_key, [PUB] = pub,
		[REG] = a->cfg->registry_path, [LOG] = a->cfg->log_file,
	};
	/* No log_file ("") means syslog only: nothing to compare. */
	size_t n = a->cfg->log_file[0] != '\0' ? NPATHS : LOG, i, j, reg;

	if (snprintf(pub, sizeof(pub), "%s.pub", a->cfg->host_key) >=
	    (int)sizeof(pub))
		return admin_fail(a, ERR_CONFIG, "init: [signer] host_key is "
		    "too long a path");
	for (i = 0; i < n; i++)
		canonical_path(paths[i], canon[i]);
	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++) {
			if (strcmp(canon[i], canon[j]) != 0)
				continue;
			return admin_fail(a, ERR_CONFIG, "init: %s and %s both "
			    "name %s; give each its own path in %s", names[i],
			    names[j], admin_esc(esc, canon[i]),
			    a->config_path);
		}
	}
	/* Nothing of init's may lie in the registry's folder but it. */
	reg = strlen(canon[REG]);
	for (i = 0; i < n; i++) {
		if (i == REG || strncmp(canon[i], canon[REG], reg) != 0 ||
		    canon[i][reg] != '/')
			continue;
		return admin_fail(a, ERR_CONFIG, "init: %s %s lies in the "
		    "registry's folder; give it a path outside [registry] "
		    "path in %s", names[i], admin_esc(esc, canon[i]),
		    a->config_path);
	}
	return ERR_OK;
}

/*
 * Every file init makes goes into a folder that must exist already
 * (the registry's own folder init makes, in its parent): found missing
 * half-way, init would leave a registry without keys behind.
 */
static enum err
init_check_folders(struct admin *a, int skeleton)
{
	const char *paths[] = {
		a->cfg->registry_path, a->cfg->ca_key, a->cfg->host_key,
	};
	char name[PATH_MAX], dir[PATH_MAX];
	const char *base;
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (split_path(paths[i], name, dir, &base) == -1)
			return admin_fail(a, ERR_CONFIG, "init: %s is too "
			    "long a path", paths[i]);
		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
			continue;
		if (skeleton)
			return admin_fail(a, ERR_CONFIG, "init: the folder %s "
			    "(for %s, a default path) does not exist; create "
			    "it, then run init again", dir, paths[i]);
		return admin_fail(a, ERR_CONFIG, "init: the folder %s (for "
		    "%s) does not exist; create it, or name another path "
		    "in %s", dir, paths[i], a->config_path);
	}
	return ERR_OK;
}

static enum err
init_config(struct admin *a, int *skeleton)
{
	struct stat st;

	*skeleton = 0;
	if (stat(a->config_path, &st) == 0 || errno != ENOENT)
		return admin_load_config(a);
	/* No file yet: the defaults now, a skeleton of them later. */
	if ((a->cfg = config_defaults()) == NULL)
		return admin_fail(a, ERR_NOMEM, "%s", err_str(ERR_NOMEM));
	*skeleton = 1;
	return ERR_OK;
}

static enum err
init_registry(struct admin *a)
{
	struct registry *reg = NULL;
	enum err e;

	if (mkdir(a->cfg->registry_path, 0700) == -1 && errno != EEXIST)
		return admin_fail(a, ERR_REGISTRY_MISSING, "init: cannot "
		    "create the state folder %s: %s; create it or fix "
		    "[registry] path", a->cfg->registry_path, strerror(errno));
	if ((e = admin_registry_opened(a, REGISTRY_CREATE, "init", &reg)) !=
	    ERR_OK)
		return e;
	registry_close(reg);
	return ERR_OK;
}

/* Exclusive, with the mode asked for, whatever the umask says. */
static int
reserve_file(const char *path, mode_t mode)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    mode)) == -1)
		return -1;
	if (fchmod(fd, mode) == -1) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * libssh writes the key with fopen(), which would take the umask's
 * mode and replace a file that appeared in the meantime; so the name
 * is first taken with O_EXCL and mode 0600, and libssh only fills it.
 */
static enum err
init_host_key_files(struct admin *a, ssh_key key)
{
	const char *path = a->cfg->host_key;
	char pub[PATH_MAX];
	int priv_done = 0, saved;

	snprintf(pub, sizeof(pub), "%s.pub", path);
	if (reserve_file(path, 0600) == -1)
		goto fail;
	priv_done = 1;
	if (ssh_pki_export_privkey_file(key, NULL, NULL, NULL, path) !=
	    SSH_OK)
		goto fail;
	if (reserve_file(pub, 0644) == -1)
		goto fail;
	if (ssh_pki_export_pubkey_file(key, pub) != SSH_OK) {
		unlink(pub);
		goto fail;
	}
	return ERR_OK;
 fail:
	saved = errno;
	if (priv_done)
		unlink(path);
	return admin_fail(a, ERR_CONFIG, "init: cannot write the host key %s: "
	    "%s; check [signer] host_key and its folder", path,
	    saved != 0 ? strerror(saved) : "libssh refused");
}

static enum err
init_host_key(struct admin *a, ssh_key *out)
{
	ssh_key key = NULL;
	enum err e;

	if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) != SSH_OK)
		return admin_fail(a, ERR_INTERNAL, "init: libssh cannot make "
		    "an ed25519 host key");
	errno = 0;
	if ((e = init_host_key_files(a, key)) != ERR_OK) {
		ssh_key_free(key);
		return e;
	}
	*out = key;
	return ERR_OK;
}

static enum err
init_ca_key(struct admin *a)
{
	enum err e;

	e = cakey_generate(a->cfg->ca_key, CAKEY_ED25519, 0);
	if (e == ERR_EXISTS)
		return admin_fail(a, e, "init: %s exists already; move it away",
		    a->cfg->ca_key);
	if (e != ERR_OK)
		return admin_fail(a, e, "init: cannot write the CA key %s "
		    "(%s); check [ca] key and its folder", a->cfg->ca_key,
		    log_last_warning());
	return ERR_OK;
}

static enum err
init_report(struct admin *a, ssh_key host)
{
	char name[256];
	enum err e;

	fprintf(a->out, "# The CA public key; servers trust it with "
	    "TrustedUserCAKeys:\n");
	if ((e = admin_print_ca_line(a)) != ERR_OK)
		return e;
	admin_local_host(name, sizeof(name));
	fprintf(a->out, "# The signer's host key for users' known_hosts "
	    "(give the name and port\n# users connect to: cassh-admin "
	    "host-key --host NAME --port N):\n");
	return admin_print_host_line(a, host, name, SSH_DEFAULT_PORT);
}

/* What init has made, once all of it is made. */
static void
init_audit(struct admin *a, int skeleton)
{
	struct audit au;

	admin_audit_begin(&au, "admin_init");
	audit_str(&au, "config", a->config_path);
	audit_str(&au, "config_written", skeleton ? "yes" : "no");
	audit_str(&au, "ca_key", a->cfg->ca_key);
	audit_str(&au, "host_key", a->cfg->host_key);
	audit_str(&au, "registry", a->cfg->registry_path);
	audit_str(&au, "result", "ok");
	audit_end(&au);
}

enum err
admin_cmd_init(struct admin *a, int argc, char **argv)
{
	ssh_key host = NULL;
	int skeleton;
	enum err e;

	if (argc != 1)
		return admin_bad_usage(a, "init takes no arguments");
	if ((e = init_config(a, &skeleton)) != ERR_OK ||
	    (e = init_refuse_overlap(a)) != ERR_OK ||
	    (e = init_refuse_existing(a)) != ERR_OK ||
	    (e = init_check_folders(a, skeleton)) != ERR_OK)
		goto out;
	admin_log_open(a);
	if (skeleton && (e = config_write_skeleton(a->config_path,
	    a->cfg)) != ERR_OK) {
		e = admin_fail(a, e, "init: cannot write %s: %s; create its "
		    "folder or give another file with -c", a->config_path,
		    e == ERR_EXISTS ? "it exists" : strerror(errno));
		goto out;
	}
	if ((e = init_registry(a)) != ERR_OK ||
	    (e = init_ca_key(a)) != ERR_OK ||
	    (e = init_host_key(a, &host)) != ERR_OK)
		goto out;
	init_audit(a, skeleton);
	e = init_report(a, host);
 out:
	ssh_key_free(host);
	return e;
}
