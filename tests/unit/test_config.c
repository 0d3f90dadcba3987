/* SPDX-License-Identifier: ISC */
/*
 * test_config: the configuration file is read strictly. A typo must
 * never fall back silently to a default.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

static char path[] = "/tmp/cassh-test-config.XXXXXX";

/* Write text to a new temporary file and load it. */
static enum err
load(const char *text, struct config **c, char *err, size_t errlen)
{
	int fd;
	enum err e;

	strcpy(path, "/tmp/cassh-test-config.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd != -1);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	e = config_load(path, c, err, errlen);
	unlink(path);
	return e;
}

static void
config_defaults_match_the_documentation(void **state)
{
	struct config *c = config_defaults();

	assert_non_null(c);
	assert_string_equal(c->generic_login, "cassh");
	assert_string_equal(c->public_login, "public");
	assert_int_equal(c->login_grace_time, 30);
	assert_int_equal(c->max_auth_tries, 3);
	assert_string_equal(c->registry_path, "/var/lib/cassh");
	assert_string_equal(c->ldap_user_filter, "(uid=%s)");
	assert_int_equal(c->default_expiry, 86400);
	assert_int_equal(c->max_expiry, 365 * 86400);
	assert_int_equal(c->backdate, 300);
	assert_int_equal(c->min_rsa_bits, 3072);
	config_free(c);
}

static void
config_reads_every_section_with_inline_comments(void **state)
{
	struct config *c = NULL;
	char err[256];

	assert_int_equal(load(
	    "[signer]\nmax_auth_tries = 2 ; fewer\nlog_file = /tmp/x\n"
	    "[ca]\nkey = /k\n"
	    "[registry]\npath = /r\nnode_id = 7\n"
	    "[ldap]\nuri = ldap://a ldap://b\ntimeout = 9\n"
	    "[certificate]\ndefault_expiry = 12h\nmax_expiry = +30d\n"
	    "min_rsa_bits = 4096\n", &c, err, sizeof(err)), ERR_OK);
	assert_int_equal(c->max_auth_tries, 2);
	assert_string_equal(c->log_file, "/tmp/x");
	assert_string_equal(c->ca_key, "/k");
	assert_int_equal(c->node_id, 7);
	assert_string_equal(c->ldap_uri, "ldap://a ldap://b");
	assert_int_equal(c->ldap_timeout, 9);
	assert_int_equal(c->default_expiry, 12 * 3600);
	assert_int_equal(c->max_expiry, 30 * 86400);
	assert_int_equal(c->min_rsa_bits, 4096);
	config_free(c);
}

static void
config_refuses_unknown_key_naming_line(void **state)
{
	struct config *c = NULL;
	char err[256];

	assert_int_equal(load("[ldap]\nuri = ldap://x\nbsae = dc=x\n", &c,
	    err, sizeof(err)), ERR_CONFIG);
	assert_null(c);
	assert_non_null(strstr(err, "line 3"));
	assert_non_null(strstr(err, "bsae"));
}

static void
config_refuses_unknown_section(void **state)
{
	struct config *c = NULL;
	char err[256];

	assert_int_equal(load("[sigenr]\nhost_key = /x\n", &c, err,
	    sizeof(err)), ERR_CONFIG);
}

static void
config_refuses_out_of_range_numbers(void **state)
{
	static const char *bad[] = {
		"[signer]\nmax_auth_tries = 0\n",
		"[signer]\nmax_auth_tries = 3x\n",
		"[signer]\nlogin_grace_time = -5\n",
		"[registry]\nnode_id = 65536\n",
		"[certificate]\nmin_rsa_bits = 1024\n",
		"[certificate]\ndefault_expiry = forever\n",
		"[ldap]\ntimeout =\n",
	};
	struct config *c = NULL;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(load(bad[i], &c, err, sizeof(err)),
		    ERR_CONFIG);
}

static void
config_refuses_default_expiry_above_maximum(void **state)
{
	struct config *c = NULL;
	char err[256];

	assert_int_equal(load("[certificate]\ndefault_expiry = +2d\n"
	    "max_expiry = +1d\n", &c, err, sizeof(err)), ERR_CONFIG);
	assert_non_null(strstr(err, "max_expiry"));
}

static void
config_refuses_missing_file(void **state)
{
	struct config *c = NULL;
	char err[256];

	assert_int_equal(config_load("/nonexistent/cassh.conf", &c, err,
	    sizeof(err)), ERR_CONFIG);
	assert_non_null(strstr(err, "/nonexistent/cassh.conf"));
}

static void
config_skeleton_reads_back_as_the_defaults(void **state)
{
	struct config *d = config_defaults(), *c = NULL;
	char dir[] = "/tmp/cassh-test-skel.XXXXXX", file[64], err[256];

	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/cassh.conf", dir);
	assert_int_equal(config_write_skeleton(file, d), ERR_OK);
	assert_int_equal(config_write_skeleton(file, d), ERR_EXISTS);
	assert_int_equal(config_load(file, &c, err, sizeof(err)), ERR_OK);
	assert_string_equal(c->host_key, d->host_key);
	assert_string_equal(c->ldap_base, d->ldap_base);
	assert_int_equal(c->max_expiry, d->max_expiry);
	unlink(file);
	rmdir(dir);
	config_free(c);
	config_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(config_defaults_match_the_documentation),
		cmocka_unit_test(
		    config_reads_every_section_with_inline_comments),
		cmocka_unit_test(config_refuses_unknown_key_naming_line),
		cmocka_unit_test(config_refuses_unknown_section),
		cmocka_unit_test(config_refuses_out_of_range_numbers),
		cmocka_unit_test(config_refuses_default_expiry_above_maximum),
		cmocka_unit_test(config_refuses_missing_file),
		cmocka_unit_test(config_skeleton_reads_back_as_the_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
