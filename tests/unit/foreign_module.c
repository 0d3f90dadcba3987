/* SPDX-License-Identifier: ISC */
/*
 * foreign_module: stands for a cassh-directory.so from another build of
 * cassh (test_directory_load), built three times: FOREIGN_ABI names
 * another build; FOREIGN_SIZE names this one but a struct config of
 * another size; FOREIGN_NONE has no entry at all. The loader must
 * refuse each without calling it.
 */
#include <stdlib.h>

#include "directory.h"
#include "module-abi.h"

static enum err
foreign_open(const struct config *cfg, struct directory **out)
{
	abort();
}

static void
foreign_warm(struct directory *d)
{
	abort();
}

static void
foreign_find(struct directory *d, const char *login)
{
	abort();
}

static enum err
foreign_authenticate(struct directory *d, const char *login,
    const char *password, char **dn)
{
	abort();
}

static void
foreign_close(struct directory *d)
{
	abort();
}

#ifndef FOREIGN_NONE
__attribute__((visibility("default")))
const struct directory_module cassh_directory_module = {
#ifdef FOREIGN_ABI
	.abi = "0.0.0+another-build",
	.config_size = sizeof(struct config),
#else
	.abi = CASSH_MODULE_ABI,
	.config_size = sizeof(struct config) + 8,
#endif
	.open = foreign_open,
	.warm = foreign_warm,
	.find = foreign_find,
	.authenticate = foreign_authenticate,
	.drop = foreign_close,
	.close = foreign_close,
};
#else
/* Something to export, as any library would. */
__attribute__((visibility("default")))
void	foreign_nothing(void);

void
foreign_nothing(void)
{
	(void)foreign_open(NULL, NULL);
	foreign_warm(NULL);
	foreign_find(NULL, NULL);
	(void)foreign_authenticate(NULL, NULL, NULL, NULL);
	foreign_close(NULL);
}
#endif
