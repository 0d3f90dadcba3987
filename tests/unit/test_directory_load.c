/* SPDX-License-Identifier: ISC */
/*
 * test_directory_load: how cassh-signer reaches the LDAP module
 * (src/directory_load.c). One source, three programs, each linked as
 * the signer is but with its own run path (tests/meson.build):
 *
 *	MODULE_IS_HERE		the module of this build: it loads, and
 *				a call reaches it;
 *	MODULE_IS_FOREIGN	a module from another build (foreign_module.c):
 *				refused, and every login fails as a
 *				configuration error;
 *	MODULE_IS_MISSING	no module at all: the same.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "directory.h"
#include "log.h"

#define MODULE_IS_HERE		1
#define MODULE_IS_FOREIGN	2
#define MODULE_IS_MISSING	3

#ifndef MODULE_CASE
#error "MODULE_CASE must be set"
#endif

static struct config cfg;

#if MODULE_CASE == MODULE_IS_HERE
static void
the_module_of_this_build_loads(void **state)
{
	(void)state;
	assert_int_equal(directory_load(), ERR_OK);
	assert_int_equal(directory_load(), ERR_OK);
}

/* An empty password is refused inside the module, before any traffic. */
static void
a_login_reaches_the_module(void **state)
{
	(void)state;
	assert_int_equal(directory_authenticate(&cfg, "alice", "", NULL),
	    ERR_AUTH);
}
#else
static void
the_module_is_refused_once_and_for_all(void **state)
{
	(void)state;
	assert_int_equal(directory_load(), ERR_CONFIG);
	assert_int_equal(directory_load(), ERR_CONFIG);
}

static void
every_login_is_a_configuration_error(void **state)
{
	(void)state;
	assert_int_equal(directory_authenticate(&cfg, "alice", "secret",
	    NULL), ERR_CONFIG);
}
#endif

int
main(void)
{
	const struct CMUnitTest tests[] = {
#if MODULE_CASE == MODULE_IS_HERE
		cmocka_unit_test(the_module_of_this_build_loads),
		cmocka_unit_test(a_login_reaches_the_module),
#else
		cmocka_unit_test(the_module_is_refused_once_and_for_all),
		cmocka_unit_test(every_login_is_a_configuration_error),
#endif
	};

	log_open("test_directory_load", 0, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
