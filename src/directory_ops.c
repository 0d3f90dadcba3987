/* SPDX-License-Identifier: ISC */
/*
 * directory_ops: the directory of this very process, behind the
 * struct directory_ops that the failed-login policy (guard.c) and the
 * monitor call, for the programs that talk to LDAP themselves: the
 * tests and benchmarks. cassh-signer's monitor uses dirproc.c's
 * instead, which asks another process.
 */
#include "directory.h"

static void
directory_local_find(void *ctx, const char *login)
{
	directory_find(ctx, login);
}

static enum err
directory_local_authenticate(void *ctx, const char *login,
    const char *password)
{
	return directory_authenticate(ctx, login, password, NULL);
}

const struct directory_ops directory_local_ops = {
	.find = directory_local_find,
	.authenticate = directory_local_authenticate,
};
