/* SPDX-License-Identifier: ISC */
/*
 * directory_load: cassh-signer's way to directory.c, which it does not
 * link but loads as a module (cassh-directory.so).
 *
 * libldap comes with Cyrus SASL, GnuTLS and nine more libraries, and
 * loading them all at every start cost about 2 ms before the signer
 * could send its first byte (BENCHMARKS.md). Only the monitor needs
 * them, and only once the client has sent a password: the monitor
 * loads the module while the sandboxed child runs the key exchange,
 * and the child never maps them at all.
 *
 * The module is found by the dynamic loader through the signer's own
 * run path (the project's private library folder once installed, the
 * build folder in tests), never through anything the configuration or
 * a client says. It must come from the same build as the signer: both
 * read struct config, so the module names the version and the size of
 * the structure it was built with, and any other is refused.
 */
#include <dlfcn.h>
#include <string.h>

#include "build-config.h"
#include "directory.h"
#include "log.h"

static const struct directory_module	*directory_loaded;
static enum err				 directory_load_err = ERR_OK;

enum err
directory_load(void)
{
	const struct directory_module *m;
	void *h;

	if (directory_loaded != NULL || directory_load_err != ERR_OK)
		return directory_load_err;
	directory_load_err = ERR_CONFIG;
	if ((h = dlopen(DIRECTORY_MODULE_NAME, RTLD_NOW | RTLD_LOCAL)) ==
	    NULL) {
		log_warnx("cannot load the LDAP module %s: %s",
		    DIRECTORY_MODULE_NAME, dlerror());
		return ERR_CONFIG;
	}
	m = dlsym(h, DIRECTORY_MODULE_SYMBOL);
	if (m == NULL || m->config_size != sizeof(struct config) ||
	    strcmp(m->version, CASSH_VERSION) != 0) {
		log_warnx("the LDAP module %s is not from this build of "
		    "cassh %s: reinstall cassh", DIRECTORY_MODULE_NAME,
		    CASSH_VERSION);
		dlclose(h);
		return ERR_CONFIG;
	}
	directory_loaded = m;
	directory_load_err = ERR_OK;
	m->warm();
	return ERR_OK;
}

enum err
directory_authenticate(const struct config *cfg, const char *login,
    const char *password, char **dn)
{
	enum err e;

	if ((e = directory_load()) != ERR_OK)
		return e;
	return directory_loaded->authenticate(cfg, login, password, dn);
}
