/* SPDX-License-Identifier: ISC */
/*
 * directory_load: cassh-signer's way to directory.c, which it does not
 * link but loads as a module (cassh-directory.so).
 *
 * libldap comes with Cyrus SASL, GnuTLS and nine more libraries, and
 * loading them all at every start cost about 2 ms before the signer
 * could send its first byte (BENCHMARKS.md). Only the directory
 * process (dirproc.c) needs them: it loads the module while the
 * sandboxed child runs the key exchange, and neither the child nor the
 * monitor, which holds the CA key, ever maps them.
 *
 * Loading a file runs its code, with the privileges the directory
 * process has before it gives them up: the
 * module is named by its full path, fixed when cassh is built (the
 * build folder for the programs that run from it, the installed folder
 * for all others), never looked up along a search path that the
 * environment could change; the file and every folder above it must
 * be writable by nobody but root or the signer's own user, and the
 * file may not be a link. The module must also
 * come from the same build: both read struct config, so it names the
 * version and a hash of the headers it was built with, and any other
 * is refused.
 */
#include <sys/stat.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "build-config.h"
#include "directory.h"
#include "log.h"
#include "module-abi.h"

static const struct directory_module	*directory_loaded;
static enum err				 directory_load_err = ERR_OK;

const char *
directory_module_path(void)
{
	static const char build_root[] = CASSH_BUILD_ROOT "/";
	char self[PATH_MAX];
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0 && (size_t)n >= sizeof(build_root) - 1 &&
	    strncmp(self, build_root, sizeof(build_root) - 1) == 0)
		return CASSH_BUILD_ROOT "/src/" DIRECTORY_MODULE_NAME;
	return CASSH_MODULE_DIR "/" DIRECTORY_MODULE_NAME;
}

/*
 * Owned by root or by us, and writable by no one else; or a folder
 * that root owns with the sticky bit (/tmp), where no one else may
 * rename or remove what we own.
 */
static int
directory_safe(const struct stat *st)
{
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return 0;
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) == 0)
		return 1;
	return S_ISDIR(st->st_mode) && st->st_uid == 0 &&
	    (st->st_mode & S_ISVTX) != 0;
}

/*
 * The folders the module's name goes through, from its own up to the
 * root: whoever could change one of them could put another file under
 * that name. In this build's folder the walk stops at the build root:
 * the program that loads the module lies there too, and is no safer.
 */
static int
directory_folders_safe(const char *path)
{
	static const char build_root[] = CASSH_BUILD_ROOT;
	char dir[PATH_MAX];
	struct stat st;
	char *slash;

	memcpy(dir, path, strlen(path) + 1);
	while ((slash = strrchr(dir, '/')) != NULL) {
		*(slash == dir ? slash + 1 : slash) = '\0';
		if (stat(dir, &st) == -1) {
			log_warnx("cannot load the LDAP module %s: %s: %s",
			    path, dir, strerror(errno));
			return 0;
		}
		if (!S_ISDIR(st.st_mode) || !directory_safe(&st)) {
			log_warnx("the folder %s of the LDAP module %s is not "
			    "one that only root can change: not loaded", dir,
			    path);
			return 0;
		}
		if (slash == dir || strcmp(dir, build_root) == 0)
			break;
	}
	return 1;
}

/*
 * The module's file itself: a regular file, not a link, that only
 * root or we can change. With its folders safe too, no one else can
 * put another file under its name before dlopen opens it again.
 */
static int
directory_module_safe(const char *path)
{
	struct stat st;
	int fd, ok;

	if (strlen(path) >= PATH_MAX || path[0] != '/') {
		log_warnx("the LDAP module path %s is not a full path", path);
		return 0;
	}
	if (!directory_folders_safe(path))
		return 0;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		log_warnx("cannot load the LDAP module %s: %s", path,
		    strerror(errno));
		return 0;
	}
	ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    directory_safe(&st);
	close(fd);
	if (!ok)
		log_warnx("the LDAP module %s is not a file that only root "
		    "can change: not loaded", path);
	return ok;
}

const struct directory_module *
directory_module_open(const char *path)
{
	const struct directory_module *m;
	void *h;

	if (!directory_module_safe(path))
		return NULL;
	if ((h = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		log_warnx("cannot load the LDAP module %s: %s", path,
		    dlerror());
		return NULL;
	}
	m = dlsym(h, DIRECTORY_MODULE_SYMBOL);
	if (m == NULL || m->abi == NULL ||
	    strcmp(m->abi, CASSH_MODULE_ABI) != 0 ||
	    m->config_size != sizeof(struct config) || m->open == NULL ||
	    m->warm == NULL || m->find == NULL || m->authenticate == NULL ||
	    m->drop == NULL || m->close == NULL) {
		log_warnx("the LDAP module %s is not from this build of "
		    "cassh (%s): reinstall cassh", path, CASSH_MODULE_ABI);
		dlclose(h);
		return NULL;
	}
	return m;
}

enum err
directory_load(void)
{
	if (directory_loaded != NULL || directory_load_err != ERR_OK)
		return directory_load_err;
	if ((directory_loaded = directory_module_open(
	    directory_module_path())) == NULL) {
		directory_load_err = ERR_CONFIG;
		return ERR_CONFIG;
	}
	return ERR_OK;
}

/* The module's calls; a directory exists only once it has loaded. */
enum err
directory_open(const struct config *cfg, struct directory **out)
{
	enum err e;

	if ((e = directory_load()) != ERR_OK)
		return e;
	return directory_loaded->open(cfg, out);
}

void
directory_warm(struct directory *d)
{
	directory_loaded->warm(d);
}

void
directory_drop(struct directory *d)
{
	directory_loaded->drop(d);
}

void
directory_find(struct directory *d, const char *login)
{
	directory_loaded->find(d, login);
}

enum err
directory_authenticate(struct directory *d, const char *login,
    const char *password, char **dn)
{
	return directory_loaded->authenticate(d, login, password, dn);
}

void
directory_close(struct directory *d)
{
	if (d != NULL)
		directory_loaded->close(d);
}
