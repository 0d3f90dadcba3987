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
#include <sys/stat.h>
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

/* Each text is refused, with want (and, if not NULL, also) in err. */
static void
assert_all_refused(const char *const *texts, size_t n, const char *want,
    const char *also)
{
	struct config *c = NULL;
	char err[256];
	size_t i;

	for (i = 0; i < n; i++) {
		assert_int_equal(load(texts[i], &c, err, sizeof(err)),
		    ERR_CONFIG);
		assert_null(c);
		assert_non_null(strstr(err, want));
		if (also != NULL)
			assert_non_null(strstr(err, also));
	}
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

/* Write len bytes to a new temporary file and load it. */
static enum err
load_bytes(const char *text, size_t len, struct config **c, char *err,
    size_t errlen)
{
	int fd;
	enum err e;

	strcpy(path, "/tmp/cassh-test-config.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd != -1);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	e = config_load(path, c, err, errlen);
	unlink(path);
	return e;
}

/*
 * Load a path that must be refused at once. The old reader waited on a
 * FIFO and read /dev/zero for ever: the alarm turns a hang into a
 * failure.
 */
static void
refused_at_once(const char *file, const char *why)
{
	struct config *c = NULL;
	char err[256];

	alarm(5);
	assert_int_equal(config_load(file, &c, err, sizeof(err)),
	    ERR_CONFIG);
	alarm(0);
	assert_null(c);
	assert_non_null(strstr(err, file));
	assert_non_null(strstr(err, why));
	assert_non_null(strstr(err, "not a regular file"));
}

static void
config_refuses_a_fifo_without_waiting_for_a_writer(void **state)
{
	char dir[] = "/tmp/cassh-test-fifo.XXXXXX", fifo[64];

	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/cassh.conf", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	refused_at_once(fifo, "FIFO");
	unlink(fifo);
	rmdir(dir);
}

static void
config_refuses_a_device(void **state)
{
	refused_at_once("/dev/zero", "device");
}

static void
config_refuses_a_directory(void **state)
{
	char dir[] = "/tmp/cassh-test-dir.XXXXXX";

	assert_non_null(mkdtemp(dir));
	refused_at_once(dir, "directory");
	rmdir(dir);
}

/* size bytes of comment lines, then one key, as the file's last line. */
static char *
big_file(size_t size)
{
	static const char key[] = "[signer]\nmax_auth_tries = 2\n";
	char *text;
	size_t i;

	assert_true(size > sizeof(key));
	assert_non_null(text = malloc(size + 1));
	memset(text, 'x', size);
	for (i = 0; i + 100 < size; i += 100) {
		text[i] = ';';
		text[i + 99] = '\n';
	}
	assert_true(i < size - sizeof(key));
	text[i] = ';';
	memcpy(text + size - (sizeof(key) - 1), key, sizeof(key));
	text[size - sizeof(key)] = '\n';
	return text;
}

static void
config_reads_a_file_of_64_kib(void **state)
{
	struct config *c = NULL;
	char err[256], *text = big_file(64 * 1024);

	assert_int_equal(load(text, &c, err, sizeof(err)), ERR_OK);
	assert_int_equal(c->max_auth_tries, 2);
	config_free(c);
	free(text);
}

static void
config_refuses_a_file_over_64_kib(void **state)
{
	struct config *c = NULL;
	char err[256], *text = big_file(70 * 1024);

	assert_int_equal(load(text, &c, err, sizeof(err)), ERR_CONFIG);
	assert_null(c);
	assert_non_null(strstr(err, "65536 bytes"));
	free(text);
}

/* "log_file = /" and slashes to len bytes, then end. */
static void
long_line(char *buf, size_t len, const char *end)
{
	strcpy(buf, "[signer]\nlog_file = ");
	memset(buf + strlen(buf), '/', len - strlen("log_file = "));
	strcpy(buf + strlen("[signer]\n") + len, end);
}

static void
config_reads_a_line_of_199_bytes(void **state)
{
	static const char *ends[] = { "\n", "\r\n", "" };
	struct config *c = NULL;
	char text[512], err[256];
	size_t i;

	for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		long_line(text, 199, ends[i]);
		assert_int_equal(load(text, &c, err, sizeof(err)), ERR_OK);
		assert_int_equal(strlen(c->log_file), 199 - 11);
		config_free(c);
		c = NULL;
	}

	/* The lines after it keep their numbers. */
	long_line(text, 199, "\nbogus = 1\n");
	assert_int_equal(load(text, &c, err, sizeof(err)), ERR_CONFIG);
	assert_non_null(strstr(err, "line 3:"));
	assert_non_null(strstr(err, "bogus"));
}

static void
config_refuses_a_line_of_200_bytes_naming_it(void **state)
{
	static const char *ends[] = { "\n", "\r\n", "" };
	struct config *c = NULL;
	char text[512], err[256];
	size_t i;

	for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		long_line(text, 200, ends[i]);
		assert_int_equal(load(text, &c, err, sizeof(err)),
		    ERR_CONFIG);
		assert_null(c);
		assert_non_null(strstr(err, "line 2 is longer than 199 "
		    "bytes"));
	}
}

static void
config_refuses_a_nul_byte(void **state)
{
	static const char text[] = "[signer]\nlog_file = /x\0y\n";
	struct config *c = NULL;
	char err[256];

	assert_int_equal(load_bytes(text, sizeof(text) - 1, &c, err,
	    sizeof(err)), ERR_CONFIG);
	assert_null(c);
	assert_non_null(strstr(err, "line 2"));
	assert_non_null(strstr(err, "NUL"));
}

/* A lone CR would let `cat` show one key where the file sets two. */
static void
config_refuses_a_lone_carriage_return_and_escapes(void **state)
{
	static const char *bad[] = {
		"[ldap]\nuri = ldap://x/\rbase = dc=evil\n",
		"[signer]\nlog_file = /x\x1b[2K\n",
	};
	struct config *c = NULL;
	char err[256];

	assert_all_refused(bad, sizeof(bad) / sizeof(bad[0]), "line 2",
	    "control character");
	/* A tab is white space, not a control character. */
	assert_int_equal(load("[signer]\nmax_auth_tries =\t4\n", &c, err,
	    sizeof(err)), ERR_OK);
	config_free(c);
}

static void
config_accepts_crlf_and_a_bom(void **state)
{
	struct config *c = NULL;
	char err[256];

	assert_int_equal(load("\xef\xbb\xbf[signer]\r\nmax_auth_tries = 4\r\n"
	    "log_file = /l\r\n", &c, err, sizeof(err)), ERR_OK);
	assert_int_equal(c->max_auth_tries, 4);
	assert_string_equal(c->log_file, "/l");
	config_free(c);
}

static void
config_names_a_line_that_is_not_key_value(void **state)
{
	struct config *c = NULL;
	char err[256];

	/* The later unknown key must not lend its words to line 2. */
	assert_int_equal(load("[ldap]\ngarbage\nbsae = x\n", &c, err,
	    sizeof(err)), ERR_CONFIG);
	assert_non_null(strstr(err, "line 2: not a key = value line"));
}

static void
config_refuses_a_key_set_twice_across_two_sections(void **state)
{
	struct config *c = NULL;
	char err[256];

	assert_int_equal(load("[registry]\npath = /a\n[ldap]\nuri = ldap://x\n"
	    "[registry]\nnode_id = 1\npath = /b\n", &c, err, sizeof(err)),
	    ERR_CONFIG);
	assert_null(c);
	assert_non_null(strstr(err, "line 7: [registry] path is set twice "
	    "(also on line 2)"));

	assert_int_equal(load("[signer]\nmax_auth_tries = 2\n"
	    "max_auth_tries = 2\n", &c, err, sizeof(err)), ERR_CONFIG);
	assert_non_null(strstr(err, "line 3: [signer] max_auth_tries is "
	    "set twice (also on line 2)"));
}

static void
config_reads_a_section_given_twice_with_other_keys(void **state)
{
	struct config *c = NULL;
	char err[256];

	assert_int_equal(load("[registry]\npath = /a\n[ldap]\nuri = ldap://x\n"
	    "[registry]\nnode_id = 1\n", &c, err, sizeof(err)), ERR_OK);
	assert_string_equal(c->registry_path, "/a");
	assert_int_equal(c->node_id, 1);
	config_free(c);
}

static void
config_refuses_an_indented_continuation_line(void **state)
{
	struct config *c = NULL;
	char err[256];

	/* libinih would hand "ldap://b" over as uri's value again. */
	assert_int_equal(load("[ldap]\nuri = ldap://a\n  ldap://b\n", &c,
	    err, sizeof(err)), ERR_CONFIG);
	assert_null(c);
	assert_non_null(strstr(err, "line 3:"));
	assert_non_null(strstr(err, "indented"));

	/* An indented key line is still a key line. */
	assert_int_equal(load("[ldap]\n  uri = ldap://a\n", &c, err,
	    sizeof(err)), ERR_OK);
	assert_string_equal(c->ldap_uri, "ldap://a");
	config_free(c);
}

static void
config_refuses_empty_values_that_name_a_thing(void **state)
{
	static const char *bad[] = {
		"[registry]\npath =\n",
		"[ca]\nkey = \n",
		"[signer]\nhost_key =\n",
		"[ldap]\nuri =\n",
		"[ldap]\nuser_filter =\n",
	};
	struct config *c = NULL;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(load(bad[i], &c, err, sizeof(err)),
		    ERR_CONFIG);
		assert_null(c);
		assert_non_null(strstr(err, "line 2:"));
		assert_non_null(strstr(err, "cannot be empty"));
	}

	/* Empty is a documented choice for these. */
	assert_int_equal(load("[signer]\nlog_file =\n[ldap]\nca_cert =\n"
	    "bind_dn =\n", &c, err, sizeof(err)), ERR_OK);
	config_free(c);
}

static void
config_refuses_root_as_privsep_user(void **state)
{
	struct config *c = NULL;
	char err[256];

	assert_int_equal(load("[signer]\nprivsep_user = root\n", &c, err,
	    sizeof(err)), ERR_CONFIG);
	assert_null(c);
	assert_non_null(strstr(err, "privsep_user"));
	assert_non_null(strstr(err, "root"));
}

static void
config_refuses_relative_paths(void **state)
{
	static const char *bad[] = {
		"[registry]\npath = state\n",
		"[signer]\nhost_key = ./host_key\n",
		"[signer]\nlog_file = audit.log\n",
		"[ca]\nkey = ca_key\n",
		"[ldap]\nca_cert = ca.pem\n",
		"[ldap]\nbind_dn = cn=x\nbind_password_file = pw\n",
	};
	struct config *c = NULL;
	char err[256];

	assert_all_refused(bad, sizeof(bad) / sizeof(bad[0]),
	    "must be a full path", NULL);
	/* A CA key held by ssh-agent is named, not a path. */
	assert_int_equal(load("[ca]\nkey = agent:SHA256:x\n", &c, err,
	    sizeof(err)), ERR_OK);
	config_free(c);
}

static void
config_refuses_user_filter_without_exactly_one_percent_s(void **state)
{
	static const char *bad[] = {
		"[ldap]\nuser_filter = (uid=alice)\n",
		"[ldap]\nuser_filter = (|(uid=%s)(mail=%s))\n",
		"[ldap]\nuser_filter = (uid=%d)\n",
		"[ldap]\nuser_filter = (&(uid=%s)(quota=100%))\n",
		"[ldap]\nuser_filter = (uid=%s)%\n",
		"[ldap]\nuser_filter = (uid=%%s)\n",
	};
	struct config *c = NULL;
	char err[256];

	assert_all_refused(bad, sizeof(bad) / sizeof(bad[0]), "user_filter",
	    NULL);

	assert_int_equal(load("[ldap]\nuser_filter = "
	    "(&(objectClass=person)(uid=%s))\n", &c, err, sizeof(err)),
	    ERR_OK);
	config_free(c);
}

static void
config_refuses_bind_dn_without_password_file(void **state)
{
	struct config *c = NULL;
	char err[256];

	assert_int_equal(load("[ldap]\nbind_dn = cn=svc,dc=example,dc=org\n",
	    &c, err, sizeof(err)), ERR_CONFIG);
	assert_null(c);
	assert_non_null(strstr(err, "bind_password_file"));

	assert_int_equal(load("[ldap]\nbind_dn = cn=svc,dc=example,dc=org\n"
	    "bind_password_file = /etc/cassh/bindpw\n", &c, err,
	    sizeof(err)), ERR_OK);
	config_free(c);
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
		cmocka_unit_test(
		    config_refuses_a_fifo_without_waiting_for_a_writer),
		cmocka_unit_test(config_refuses_a_device),
		cmocka_unit_test(config_refuses_a_directory),
		cmocka_unit_test(config_reads_a_file_of_64_kib),
		cmocka_unit_test(config_refuses_a_file_over_64_kib),
		cmocka_unit_test(config_reads_a_line_of_199_bytes),
		cmocka_unit_test(config_refuses_a_line_of_200_bytes_naming_it),
		cmocka_unit_test(config_refuses_a_nul_byte),
		cmocka_unit_test(
		    config_refuses_a_lone_carriage_return_and_escapes),
		cmocka_unit_test(config_accepts_crlf_and_a_bom),
		cmocka_unit_test(config_names_a_line_that_is_not_key_value),
		cmocka_unit_test(
		    config_refuses_a_key_set_twice_across_two_sections),
		cmocka_unit_test(
		    config_reads_a_section_given_twice_with_other_keys),
		cmocka_unit_test(config_refuses_an_indented_continuation_line),
		cmocka_unit_test(config_refuses_empty_values_that_name_a_thing),
		cmocka_unit_test(config_refuses_root_as_privsep_user),
		cmocka_unit_test(config_refuses_relative_paths),
		cmocka_unit_test(
		    config_refuses_user_filter_without_exactly_one_percent_s),
		cmocka_unit_test(config_refuses_bind_dn_without_password_file),
		cmocka_unit_test(config_skeleton_reads_back_as_the_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
