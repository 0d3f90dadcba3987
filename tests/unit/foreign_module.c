/* SPDX-License-Identifier: ISC */
/*
 * foreign_module: stands for a cassh-directory.so left over from
 * another build of cassh (test_directory_load). Its entry names another
 * version; the signer must refuse it without calling it.
 */
#include <stdlib.h>

#include "directory.h"

static enum err
foreign_authenticate(const struct config *cfg, const char *login,
    const char *password, char **dn)
{
	abort();
}

static void
foreign_warm(void)
{
	abort();
}

__attribute__((visibility("default")))
const struct directory_module cassh_directory_module = {
	.version = "0.0.0-another-build",
	.config_size = sizeof(struct config),
	.authenticate = foreign_authenticate,
	.warm = foreign_warm,
};
