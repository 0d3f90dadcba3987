/* SPDX-License-Identifier: ISC */
/*
 * test_directory: directory_find and directory_authenticate against
 * real slapd servers, no mocks.
 *
 * run-test-directory.sh starts the servers with tests/lib/slapd.sh and
 * names them in the environment:
 *	SLAPD_URI		the strict directory
 *	SLAPD_ANON_URI		one that lets a DN with an empty password
 *				bind as anonymous
 *	SLAPD_PRIVATE_URI	one that only a bound identity can search
 *	SLAPD_HUNG_URI		one stopped with SIGSTOP: the kernel accepts
 *				connections, nothing ever answers
 *	SLAPD_HUNG_LDAPS_URI	the same, for a TLS handshake
 *	SLAPD_TLS_URI		StartTLS with a certificate for 127.0.0.1
 *	SLAPD_TLS_LDAPS_URI	the same server over ldaps://
 *	SLAPD_WRONGNAME_URI	StartTLS with a certificate for another name
 *	SLAPD_WRONGNAME_LDAPS_URI the same server over ldaps://
 *	SLAPD_TLS_CA		the CA that signed both certificates
 *	SLAPD_TLS_OTHER_CA	a CA that signed neither
 * and the content they hold (SLAPD_BASE, passwords, the service
 * account). SLAPD_URI has no TLS at all. A "dead" server is a port bound
 * here and never listened on, so that connections to it are refused
 * and no one else can take it.
 *
 * Each case starts from config_defaults() and changes only what it is
 * about. The log goes to a file too, so that cases can check what
 * operators are told. Cases that play a lax /etc/ldap/ldap.conf change
 * libldap's global options; a teardown puts them back.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <ldap.h>

#include "config.h"
#include "directory.h"
#include "log.h"

#define URI_MAX		512
#define LOG_READ_MAX	65536

static int	dead_fd = -1;
static char	dead_uri[64];
static char	log_path[URI_MAX];

/* libldap's global TLS checks as the group found them. */
static int	global_reqcert, global_reqsan;
static char *
env(const char *name)
{
	char *v = getenv(name);

	if (v == NULL || *v == '\0')
		fail_msg("%s is not set: run through run-test-directory.sh",
		    name);
	return v;
}

static void
cfg_set(char **field, const char *value)
{
	free(*field);
	if ((*field = strdup(value)) == NULL)
		fail_msg("out of memory");
}

/*
 * The defaults ((uid=%s), anonymous search) pointed at uri and at the
 * people of the test directory, with a short timeout.
 */
static struct config *
cfg_new(const char *uri)
{
	struct config *c;
	char base[256];

	if ((c = config_defaults()) == NULL)
		fail_msg("out of memory");
	snprintf(base, sizeof(base), "ou=people,%s", env("SLAPD_BASE"));
	cfg_set(&c->ldap_uri, uri);
	cfg_set(&c->ldap_base, base);
	c->ldap_timeout = 2;
	return c;
}

/* The same, searching as the service account. */
static struct config *
cfg_new_service(const char *uri, const char *pwfile)
{
	struct config *c = cfg_new(uri);

	cfg_set(&c->ldap_bind_dn, env("SLAPD_SERVICE_DN"));
	cfg_set(&c->ldap_bind_password_file, pwfile);
	return c;
}

/* TLS to uri, trusting the CA bundle ca, with StartTLS or not. */
static struct config *
cfg_new_tls(const char *uri, const char *ca, int starttls)
{
	struct config *c = cfg_new(uri);

	cfg_set(&c->ldap_ca_cert, ca);
	c->ldap_starttls = starttls;
	return c;
}

/* Where the log file ends now: later lines are the next case's. */
static long
log_mark(void)
{
	struct stat st;

	return stat(log_path, &st) == 0 ? (long)st.st_size : 0;
}

/* Whether the log written since mark holds needle. */
static int
log_has(long mark, const char *needle)
{
	static char buf[LOG_READ_MAX + 1];
	FILE *f;
	size_t n;

	if ((f = fopen(log_path, "r")) == NULL)
		return 0;
	n = fseek(f, mark, SEEK_SET) == 0 ? fread(buf, 1, LOG_READ_MAX, f) : 0;
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

static void
assert_logged(long mark, const char *needle)
{
	if (!log_has(mark, needle))
		fail_msg("the log lacks %s", needle);
}

static void
user_dn(char *buf, size_t len, const char *rdn)
{
	int n;

	n = snprintf(buf, len, "%s,ou=people,%s", rdn, env("SLAPD_BASE"));
	assert_true(n > 0 && (size_t)n < len);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * One authentication as a program makes it: open the directory (which
 * reads the service account's password), authenticate, close.
 */
static enum err
authenticate(const struct config *c, const char *login, const char *pw,
    char **dn)
{
	struct directory *d;
	enum err e;

	if ((e = directory_open(c, &d)) != ERR_OK)
		return e;
	e = directory_authenticate(d, login, pw, dn);
	directory_close(d);
	return e;
}

/*
 * directory_find: the lookup made while the password is typed, and
 * what the authentication that follows makes of it.
 */
static struct directory *
open_dir(const struct config *c)
{
	struct directory *d = NULL;

	assert_int_equal(directory_open(c, &d), ERR_OK);
	return d;
}

/*
 * The first server is silent, the second answers: the find pays the
 * timeout once, and the password is then proved on the second's
 * connection, without asking the first again.
 */
static void
find_prepares_the_bind_on_the_server_that_answered(void **state)
{
	struct config *c;
	struct directory *d;
	char uris[URI_MAX], want[256], *dn = NULL;
	double t;

	snprintf(uris, sizeof(uris), "%s %s", env("SLAPD_HUNG_URI"),
	    env("SLAPD_URI"));
	c = cfg_new(uris);
	c->ldap_timeout = 1;
	d = open_dir(c);
	directory_find(d, "alice");
	t = now();
	assert_int_equal(directory_authenticate(d, "alice",
	    env("SLAPD_ALICE_PW"), &dn), ERR_OK);
	assert_true(now() - t < 0.5);
	user_dn(want, sizeof(want), "uid=alice");
	assert_non_null(dn);
	assert_string_equal(dn, want);
	free(dn);
	directory_close(d);
	config_free(c);
}

static void
find_then_wrong_password_is_refused(void **state)
{
	struct config *c;
	struct directory *d;

	c = cfg_new(env("SLAPD_URI"));
	d = open_dir(c);
	directory_find(d, "bob");
	assert_int_equal(directory_authenticate(d, "bob",
	    env("SLAPD_ALICE_PW"), NULL), ERR_AUTH);
	directory_close(d);
	config_free(c);
}

/* Nobody found: the password is refused without a second search. */
static void
find_of_an_unknown_login_refuses_its_password_at_once(void **state)
{
	struct config *c;
	struct directory *d;
	char uris[URI_MAX];
	double t;

	snprintf(uris, sizeof(uris), "%s %s", env("SLAPD_HUNG_URI"),
	    env("SLAPD_URI"));
	c = cfg_new(uris);
	c->ldap_timeout = 1;
	d = open_dir(c);
	directory_find(d, "mallory");
	t = now();
	assert_int_equal(directory_authenticate(d, "mallory", "pw", NULL),
	    ERR_AUTH);
	assert_true(now() - t < 0.5);
	directory_close(d);
	config_free(c);
}

static void
find_for_another_login_is_not_used(void **state)
{
	struct config *c;
	struct directory *d;

	c = cfg_new(env("SLAPD_URI"));
	d = open_dir(c);
	directory_find(d, "bob");
	assert_int_equal(directory_authenticate(d, "alice",
	    env("SLAPD_ALICE_PW"), NULL), ERR_OK);
	directory_find(d, "mallory");
	assert_int_equal(directory_authenticate(d, "bob",
	    env("SLAPD_BOB_PW"), NULL), ERR_OK);
	directory_close(d);
	config_free(c);
}

/* A find serves one password; the next is proved afresh. */
static void
find_serves_one_authentication(void **state)
{
	struct config *c;
	struct directory *d;

	c = cfg_new(env("SLAPD_URI"));
	d = open_dir(c);
	directory_find(d, "alice");
	assert_int_equal(directory_authenticate(d, "alice",
	    env("SLAPD_BOB_PW"), NULL), ERR_AUTH);
	assert_int_equal(directory_authenticate(d, "alice",
	    env("SLAPD_ALICE_PW"), NULL), ERR_OK);
	directory_close(d);
	config_free(c);
}

static void
find_searches_as_the_service_account(void **state)
{
	struct config *c;
	struct directory *d;

	c = cfg_new_service(env("SLAPD_PRIVATE_URI"),
	    env("SLAPD_SERVICE_PW_FILE"));
	d = open_dir(c);
	directory_find(d, "carol");
	assert_int_equal(directory_authenticate(d, "carol",
	    env("SLAPD_CAROL_PW"), NULL), ERR_OK);
	directory_close(d);
	config_free(c);
}

static void
find_over_ldaps_prepares_the_bind(void **state)
{
	struct config *c;
	struct directory *d;

	c = cfg_new_tls(env("SLAPD_TLS_LDAPS_URI"), env("SLAPD_TLS_CA"), 0);
	d = open_dir(c);
	directory_find(d, "alice");
	assert_int_equal(directory_authenticate(d, "alice",
	    env("SLAPD_ALICE_PW"), NULL), ERR_OK);
	directory_close(d);
	config_free(c);
}

/*
 * A directory that was silent a moment ago is not asked to time out
 * twice for one login; one that was silent longer ago is asked again.
 */
static void
silence_met_by_the_find_is_not_waited_for_twice(void **state)
{
	struct config *c;
	struct directory *d;
	double t;

	c = cfg_new(env("SLAPD_HUNG_URI"));
	c->ldap_timeout = 1;
	d = open_dir(c);
	directory_find(d, "dave");
	t = now();
	assert_int_equal(directory_authenticate(d, "dave",
	    env("SLAPD_DAVE_PW"), NULL), ERR_DIRECTORY_DOWN);
	assert_true(now() - t < 0.5);

	directory_find(d, "dave");
	sleep(1);
	t = now();
	assert_int_equal(directory_authenticate(d, "dave",
	    env("SLAPD_DAVE_PW"), NULL), ERR_DIRECTORY_DOWN);
	t = now() - t;
	assert_true(t >= 0.9 && t < c->ldap_timeout + 1);
	directory_close(d);
	config_free(c);
}

static void
accepts_right_password_and_returns_dn(void **state)
{
	struct config *c;
	char want[256], *dn = NULL;

	c = cfg_new(env("SLAPD_URI"));
	assert_int_equal(authenticate(c, "alice",
	    env("SLAPD_ALICE_PW"), &dn), ERR_OK);
	user_dn(want, sizeof(want), "uid=alice");
	assert_non_null(dn);
	assert_string_equal(dn, want);
	free(dn);
	config_free(c);
}

static void
accepts_null_dn_pointer(void **state)
{
	struct config *c;

	c = cfg_new(env("SLAPD_URI"));
	assert_int_equal(authenticate(c, "bob",
	    env("SLAPD_BOB_PW"), NULL), ERR_OK);
	config_free(c);
}

static void
refuses_wrong_password_and_leaves_dn_alone(void **state)
{
	struct config *c;
	char sentinel[] = "untouched", *dn = sentinel;

	c = cfg_new(env("SLAPD_URI"));
	assert_int_equal(authenticate(c, "bob",
	    env("SLAPD_ALICE_PW"), &dn), ERR_AUTH);
	assert_ptr_equal(dn, sentinel);
	config_free(c);
}

static void
refuses_empty_password(void **state)
{
	struct config *c;

	c = cfg_new(env("SLAPD_URI"));
	assert_int_equal(authenticate(c, "alice", "", NULL),
	    ERR_AUTH);
	config_free(c);
}

/*
 * The fixture really is the pitfall: a DN with an empty password binds
 * (as anonymous) and libldap reports success. Otherwise the next test
 * would prove nothing.
 */
static void
anon_fixture_binds_a_dn_with_an_empty_password(void **state)
{
	LDAP *ld = NULL;
	struct berval empty = { 0, NULL };
	char dn[256];
	int version = LDAP_VERSION3;

	user_dn(dn, sizeof(dn), "uid=alice");
	assert_int_equal(ldap_initialize(&ld, env("SLAPD_ANON_URI")),
	    LDAP_SUCCESS);
	ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version);
	assert_int_equal(ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &empty,
	    NULL, NULL, NULL), LDAP_SUCCESS);
	ldap_unbind_ext_s(ld, NULL, NULL);
}

static void
refuses_empty_password_where_anonymous_bind_allowed(void **state)
{
	struct config *c;

	c = cfg_new(env("SLAPD_ANON_URI"));
	assert_int_equal(authenticate(c, "alice", "", NULL),
	    ERR_AUTH);
	assert_int_equal(authenticate(c, "alice",
	    env("SLAPD_ALICE_PW"), NULL), ERR_OK);
	config_free(c);
}

static void
refuses_unknown_login(void **state)
{
	struct config *c;

	c = cfg_new(env("SLAPD_URI"));
	assert_int_equal(authenticate(c, "mallory",
	    env("SLAPD_ALICE_PW"), NULL), ERR_AUTH);
	config_free(c);
}

static void
refuses_star_login(void **state)
{
	struct config *c;

	c = cfg_new(env("SLAPD_URI"));
	assert_int_equal(authenticate(c, "*",
	    env("SLAPD_ALICE_PW"), NULL), ERR_AUTH);
	config_free(c);
}

static void
refuses_filter_injection(void **state)
{
	struct config *c;

	c = cfg_new(env("SLAPD_URI"));
	assert_int_equal(authenticate(c, "alice)(uid=*",
	    env("SLAPD_ALICE_PW"), NULL), ERR_AUTH);
	assert_int_equal(authenticate(c, "*)(|(uid=alice",
	    env("SLAPD_ALICE_PW"), NULL), ERR_AUTH);
	config_free(c);
}

/*
 * Unescaped, "(uid=al*ce)" would match alice alone and her password
 * would open it: only escaping makes this a refusal.
 */
static void
takes_wildcards_in_login_literally(void **state)
{
	struct config *c;

	c = cfg_new(env("SLAPD_URI"));
	assert_int_equal(authenticate(c, "al*ce",
	    env("SLAPD_ALICE_PW"), NULL), ERR_AUTH);
	assert_int_equal(authenticate(c, "a*",
	    env("SLAPD_ALICE_PW"), NULL), ERR_AUTH);
	config_free(c);
}

static void
accepts_login_with_filter_special_characters(void **state)
{
	struct config *c;
	char want[256], *dn = NULL;

	c = cfg_new(env("SLAPD_URI"));
	assert_int_equal(authenticate(c, env("SLAPD_WEIRD_UID"),
	    env("SLAPD_WEIRD_PW"), &dn), ERR_OK);
	/* The backslash is escaped in the DN (RFC 4514). */
	user_dn(want, sizeof(want), "uid=we*i(r)d\\5Cx");
	assert_non_null(dn);
	assert_string_equal(dn, want);
	free(dn);
	config_free(c);
}

static void
refuses_login_matching_several_entries(void **state)
{
	struct config *c;

	c = cfg_new(env("SLAPD_URI"));
	assert_int_equal(authenticate(c, env("SLAPD_TWIN_UID"),
	    env("SLAPD_TWIN_PW"), NULL), ERR_AUTH);
	config_free(c);
}

/*
 * Against a dead server, ERR_AUTH rather than ERR_DIRECTORY_DOWN shows
 * that the refusal came before any traffic.
 */
static void
refuses_bad_input_before_any_traffic(void **state)
{
	struct config *c;
	char login[66];

	c = cfg_new(dead_uri);
	memset(login, 'a', sizeof(login) - 1);
	login[65] = '\0';
	assert_int_equal(authenticate(c, login, "pw", NULL),
	    ERR_AUTH);
	login[64] = '\0';
	assert_int_equal(authenticate(c, login, "pw", NULL),
	    ERR_DIRECTORY_DOWN);
	assert_int_equal(authenticate(c, "", "pw", NULL),
	    ERR_AUTH);
	assert_int_equal(authenticate(c, "ali\nce", "pw", NULL),
	    ERR_AUTH);
	assert_int_equal(authenticate(c, "alice", "", NULL),
	    ERR_AUTH);
	config_free(c);
}

static void
refuses_user_filter_without_exactly_one_s(void **state)
{
	const char *bad[] = {
		"(uid=alice)", "(uid=%s)(cn=%s)", "(uid=%d)", "(uid=%s%%)",
		"(%n=%s)", "(uid=%)",
	};
	struct config *c;
	size_t i;

	c = cfg_new(dead_uri);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cfg_set(&c->ldap_user_filter, bad[i]);
		assert_int_equal(authenticate(c, "alice", "pw",
		    NULL), ERR_CONFIG);
	}
	config_free(c);
}

static void
refuses_user_filter_that_does_not_parse(void **state)
{
	struct config *c;

	c = cfg_new(env("SLAPD_URI"));
	cfg_set(&c->ldap_user_filter, "(uid=%s");
	assert_int_equal(authenticate(c, "alice",
	    env("SLAPD_ALICE_PW"), NULL), ERR_CONFIG);
	config_free(c);
}

static void
searches_as_service_account(void **state)
{
	struct config *c;
	char want[256], *dn = NULL;

	/* Anonymous sees nothing here, so a success proves the bind. */
	c = cfg_new(env("SLAPD_PRIVATE_URI"));
	assert_int_equal(authenticate(c, "carol",
	    env("SLAPD_CAROL_PW"), NULL), ERR_AUTH);
	config_free(c);

	c = cfg_new_service(env("SLAPD_PRIVATE_URI"),
	    env("SLAPD_SERVICE_PW_FILE"));
	assert_int_equal(authenticate(c, "carol",
	    env("SLAPD_CAROL_PW"), &dn), ERR_OK);
	user_dn(want, sizeof(want), "uid=carol");
	assert_non_null(dn);
	assert_string_equal(dn, want);
	free(dn);
	assert_int_equal(authenticate(c, "carol",
	    env("SLAPD_DAVE_PW"), NULL), ERR_AUTH);
	config_free(c);
}

static void
reports_refused_service_account_as_down(void **state)
{
	struct config *c;
	const char *tmp = getenv("TMPDIR");
	char path[URI_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/wrong-pw.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	assert_true((fd = mkstemp(path)) != -1);
	assert_int_equal(write(fd, "not-it\n", 7), 7);
	close(fd);

	c = cfg_new_service(env("SLAPD_PRIVATE_URI"), path);
	assert_int_equal(authenticate(c, "dave",
	    env("SLAPD_DAVE_PW"), NULL), ERR_DIRECTORY_DOWN);
	unlink(path);
	config_free(c);
}

static void
reports_missing_service_password_file_as_config(void **state)
{
	const char *missing = "/nonexistent/cassh-bind-pw";
	struct config *c;

	c = cfg_new_service(env("SLAPD_PRIVATE_URI"), missing);
	assert_int_equal(authenticate(c, "dave",
	    env("SLAPD_DAVE_PW"), NULL), ERR_CONFIG);
	config_free(c);

	c = cfg_new_service(env("SLAPD_PRIVATE_URI"), "");
	assert_int_equal(authenticate(c, "dave",
	    env("SLAPD_DAVE_PW"), NULL), ERR_CONFIG);
	config_free(c);
}

static void
tries_next_uri_when_first_is_dead(void **state)
{
	struct config *c;
	char uris[URI_MAX];

	snprintf(uris, sizeof(uris), "%s %s", dead_uri, env("SLAPD_URI"));
	c = cfg_new(uris);
	assert_int_equal(authenticate(c, "dave",
	    env("SLAPD_DAVE_PW"), NULL), ERR_OK);
	config_free(c);
}

static void
reports_all_dead_uris_as_down_within_timeout(void **state)
{
	struct config *c;
	char uris[URI_MAX];
	double t0;

	snprintf(uris, sizeof(uris), "%s  %s", dead_uri, dead_uri);
	c = cfg_new(uris);
	t0 = now();
	assert_int_equal(authenticate(c, "dave",
	    env("SLAPD_DAVE_PW"), NULL), ERR_DIRECTORY_DOWN);
	assert_true(now() - t0 < c->ldap_timeout);
	config_free(c);
}

static void
gives_up_on_a_silent_server_after_timeout(void **state)
{
	struct config *c;
	double t;

	c = cfg_new(env("SLAPD_HUNG_URI"));
	c->ldap_timeout = 1;
	t = now();
	assert_int_equal(authenticate(c, "dave",
	    env("SLAPD_DAVE_PW"), NULL), ERR_DIRECTORY_DOWN);
	t = now() - t;
	/* One step waits: the search (the TCP connect is the kernel's). */
	assert_true(t >= 0.9 && t < c->ldap_timeout * 1 + 1);
	config_free(c);
}

static void
tries_next_uri_when_first_is_silent(void **state)
{
	struct config *c;
	char uris[URI_MAX];

	snprintf(uris, sizeof(uris), "%s %s", env("SLAPD_HUNG_URI"),
	    env("SLAPD_URI"));
	c = cfg_new(uris);
	c->ldap_timeout = 1;
	assert_int_equal(authenticate(c, "dave",
	    env("SLAPD_DAVE_PW"), NULL), ERR_OK);
	config_free(c);
}

static void
accepts_password_over_ldaps_with_configured_ca(void **state)
{
	struct config *c;
	char want[256], *dn = NULL;

	c = cfg_new_tls(env("SLAPD_TLS_LDAPS_URI"), env("SLAPD_TLS_CA"), 0);
	assert_int_equal(authenticate(c, "alice",
	    env("SLAPD_ALICE_PW"), &dn), ERR_OK);
	user_dn(want, sizeof(want), "uid=alice");
	assert_non_null(dn);
	assert_string_equal(dn, want);
	free(dn);
	assert_int_equal(authenticate(c, "alice",
	    env("SLAPD_BOB_PW"), NULL), ERR_AUTH);
	config_free(c);
}

static void
accepts_password_over_starttls_with_configured_ca(void **state)
{
	struct config *c;

	c = cfg_new_tls(env("SLAPD_TLS_URI"), env("SLAPD_TLS_CA"), 1);
	assert_int_equal(authenticate(c, "bob",
	    env("SLAPD_BOB_PW"), NULL), ERR_OK);
	assert_int_equal(authenticate(c, "bob",
	    env("SLAPD_ALICE_PW"), NULL), ERR_AUTH);
	config_free(c);
}

/* libldap's own words reach the log, with the step and the CA. */
static void
refuses_ldaps_server_signed_by_another_ca(void **state)
{
	struct config *c;
	char want[URI_MAX];
	long mark = log_mark();

	c = cfg_new_tls(env("SLAPD_TLS_LDAPS_URI"),
	    env("SLAPD_TLS_OTHER_CA"), 0);
	assert_int_equal(authenticate(c, "alice",
	    env("SLAPD_ALICE_PW"), NULL), ERR_DIRECTORY_DOWN);
	assert_logged(mark, "event=ldap_error");
	assert_logged(mark, "step=\"connect\"");
	assert_logged(mark, "detail=");
	snprintf(want, sizeof(want), "ca_cert=\"%s\"",
	    env("SLAPD_TLS_OTHER_CA"));
	assert_logged(mark, want);
	config_free(c);
}

static void
refuses_starttls_server_signed_by_another_ca(void **state)
{
	struct config *c;
	long mark = log_mark();

	c = cfg_new_tls(env("SLAPD_TLS_URI"), env("SLAPD_TLS_OTHER_CA"), 1);
	assert_int_equal(authenticate(c, "alice",
	    env("SLAPD_ALICE_PW"), NULL), ERR_DIRECTORY_DOWN);
	assert_logged(mark, "step=\"starttls\"");
	config_free(c);
}

static void
refuses_certificate_that_names_another_host(void **state)
{
	struct config *c;

	c = cfg_new_tls(env("SLAPD_WRONGNAME_LDAPS_URI"),
	    env("SLAPD_TLS_CA"), 0);
	assert_int_equal(authenticate(c, "alice",
	    env("SLAPD_ALICE_PW"), NULL), ERR_DIRECTORY_DOWN);
	config_free(c);

	c = cfg_new_tls(env("SLAPD_WRONGNAME_URI"), env("SLAPD_TLS_CA"), 1);
	assert_int_equal(authenticate(c, "alice",
	    env("SLAPD_ALICE_PW"), NULL), ERR_DIRECTORY_DOWN);
	config_free(c);
}

/*
 * The fixture really fails on the name alone: its chain is good, and
 * with names unchecked (TLS_REQSAN never, which in libldap's GnuTLS
 * build turns off the name check) it connects. Otherwise the case above
 * would prove nothing about host names.
 */
static void
wrongname_fixture_connects_when_names_are_not_checked(void **state)
{
	LDAP *ld = NULL;
	int hard = LDAP_OPT_X_TLS_HARD, never = LDAP_OPT_X_TLS_NEVER;
	int client = 0;

	assert_int_equal(ldap_initialize(&ld,
	    env("SLAPD_WRONGNAME_LDAPS_URI")), LDAP_SUCCESS);
	assert_int_equal(ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE,
	    env("SLAPD_TLS_CA")), LDAP_OPT_SUCCESS);
	assert_int_equal(ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT,
	    &hard), LDAP_OPT_SUCCESS);
	assert_int_equal(ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_SAN,
	    &never), LDAP_OPT_SUCCESS);
	assert_int_equal(ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX,
	    &client), LDAP_OPT_SUCCESS);
	assert_int_equal(ldap_connect(ld), LDAP_SUCCESS);
	ldap_unbind_ext_s(ld, NULL, NULL);
}

/*
 * A lax ldap.conf (TLS_REQCERT never, TLS_REQSAN never) sets libldap's
 * global options; cassh's own settings on each handle still check the
 * chain and the name.
 */
static void
checks_certificates_whatever_ldap_conf_says(void **state)
{
	int never = LDAP_OPT_X_TLS_NEVER;
	struct config *c;

	assert_int_equal(ldap_set_option(NULL, LDAP_OPT_X_TLS_REQUIRE_CERT,
	    &never), LDAP_OPT_SUCCESS);
	assert_int_equal(ldap_set_option(NULL, LDAP_OPT_X_TLS_REQUIRE_SAN,
	    &never), LDAP_OPT_SUCCESS);

	c = cfg_new_tls(env("SLAPD_WRONGNAME_LDAPS_URI"),
	    env("SLAPD_TLS_CA"), 0);
	assert_int_equal(authenticate(c, "alice",
	    env("SLAPD_ALICE_PW"), NULL), ERR_DIRECTORY_DOWN);
	cfg_set(&c->ldap_uri, env("SLAPD_TLS_LDAPS_URI"));
	cfg_set(&c->ldap_ca_cert, env("SLAPD_TLS_OTHER_CA"));
	assert_int_equal(authenticate(c, "alice",
	    env("SLAPD_ALICE_PW"), NULL), ERR_DIRECTORY_DOWN);
	cfg_set(&c->ldap_ca_cert, env("SLAPD_TLS_CA"));
	assert_int_equal(authenticate(c, "alice",
	    env("SLAPD_ALICE_PW"), NULL), ERR_OK);
	config_free(c);
}

/*
 * A server without TLS refuses StartTLS, and libldap then leaves the
 * connection usable in clear: the password must not follow. The same
 * server in clear accepts it, so the refusal is TLS's alone.
 */
static void
never_falls_back_to_clear_text_when_starttls_fails(void **state)
{
	struct config *c;
	long mark = log_mark();

	c = cfg_new_tls(env("SLAPD_URI"), env("SLAPD_TLS_CA"), 1);
	assert_int_equal(authenticate(c, "carol",
	    env("SLAPD_CAROL_PW"), NULL), ERR_DIRECTORY_DOWN);
	assert_logged(mark, "step=\"starttls\"");
	c->ldap_starttls = 0;
	assert_int_equal(authenticate(c, "carol",
	    env("SLAPD_CAROL_PW"), NULL), ERR_OK);
	config_free(c);
}

static void
refuses_ldaps_to_a_server_without_tls(void **state)
{
	struct config *c;
	char uri[URI_MAX];
	const char *plain = env("SLAPD_URI");

	assert_true(strncmp(plain, "ldap://", 7) == 0);
	snprintf(uri, sizeof(uri), "ldaps://%s", plain + 7);
	c = cfg_new_tls(uri, env("SLAPD_TLS_CA"), 0);
	assert_int_equal(authenticate(c, "carol",
	    env("SLAPD_CAROL_PW"), NULL), ERR_DIRECTORY_DOWN);
	config_free(c);
}

static void
tries_next_uri_when_first_fails_tls(void **state)
{
	struct config *c;
	char uris[URI_MAX];

	snprintf(uris, sizeof(uris), "%s %s",
	    env("SLAPD_WRONGNAME_LDAPS_URI"), env("SLAPD_TLS_LDAPS_URI"));
	c = cfg_new_tls(uris, env("SLAPD_TLS_CA"), 0);
	assert_int_equal(authenticate(c, "dave",
	    env("SLAPD_DAVE_PW"), NULL), ERR_OK);
	config_free(c);
}

/*
 * libldap 2.5 puts no bound on the TLS handshake: only cassh's own
 * bound on each read ends it. One step waits (the handshake).
 */
static void
gives_up_on_a_silent_ldaps_server_after_timeout(void **state)
{
	struct config *c;
	long mark = log_mark();
	double t;

	c = cfg_new_tls(env("SLAPD_HUNG_LDAPS_URI"), env("SLAPD_TLS_CA"), 0);
	c->ldap_timeout = 1;
	t = now();
	assert_int_equal(authenticate(c, "dave",
	    env("SLAPD_DAVE_PW"), NULL), ERR_DIRECTORY_DOWN);
	t = now() - t;
	assert_true(t >= 0.9 && t < c->ldap_timeout * 1 + 1);
	assert_logged(mark, "timed_out=\"yes\"");
	config_free(c);
}

/* One step waits: the StartTLS request. */
static void
gives_up_on_a_silent_starttls_server_after_timeout(void **state)
{
	struct config *c;
	double t;

	c = cfg_new_tls(env("SLAPD_HUNG_URI"), env("SLAPD_TLS_CA"), 1);
	c->ldap_timeout = 1;
	t = now();
	assert_int_equal(authenticate(c, "dave",
	    env("SLAPD_DAVE_PW"), NULL), ERR_DIRECTORY_DOWN);
	t = now() - t;
	assert_true(t >= 0.9 && t < c->ldap_timeout * 1 + 1);
	config_free(c);
}

static void
reports_unusable_ca_cert_as_config(void **state)
{
	struct config *c;

	c = cfg_new_tls(env("SLAPD_TLS_LDAPS_URI"), "/nonexistent/ca.pem", 0);
	assert_int_equal(authenticate(c, "alice",
	    env("SLAPD_ALICE_PW"), NULL), ERR_CONFIG);
	config_free(c);
}

/*
 * libldap would read "ldaps://a,ldap://b" as two servers, the second in
 * clear; a scheme that is not LDAP's is no server at all.
 */
static void
refuses_uris_that_are_not_one_ldap_server_each(void **state)
{
	const char *bad[] = {
		"ldaps://127.0.0.1:1/,ldap://127.0.0.1:2/",
		"http://127.0.0.1:1/",
		"127.0.0.1",
	};
	struct config *c;
	size_t i;

	c = cfg_new(dead_uri);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cfg_set(&c->ldap_uri, bad[i]);
		assert_int_equal(authenticate(c, "alice", "pw",
		    NULL), ERR_CONFIG);
	}
	config_free(c);
}

/*
 * An empty ca_cert means what libldap was told (TLS_CACERT in
 * ldap.conf, played here by the global option), else the system's
 * bundle, which does not know the test CA.
 */
static void
trusts_ldap_conf_or_system_cas_when_ca_cert_is_empty(void **state)
{
	struct config *c;
	long mark;

	c = cfg_new_tls(env("SLAPD_TLS_LDAPS_URI"), "", 0);
	assert_int_equal(ldap_set_option(NULL, LDAP_OPT_X_TLS_CACERTFILE,
	    env("SLAPD_TLS_CA")), LDAP_OPT_SUCCESS);
	assert_int_equal(authenticate(c, "alice",
	    env("SLAPD_ALICE_PW"), NULL), ERR_OK);

	assert_int_equal(ldap_set_option(NULL, LDAP_OPT_X_TLS_CACERTFILE,
	    NULL), LDAP_OPT_SUCCESS);
	mark = log_mark();
	assert_int_equal(authenticate(c, "alice",
	    env("SLAPD_ALICE_PW"), NULL), ERR_DIRECTORY_DOWN);
	assert_logged(mark, "ca_cert=\"system\"");
	config_free(c);
}

static void
config_reads_starttls_and_ca_cert(void **state)
{
	const char *tmp = getenv("TMPDIR");
	struct config *c = NULL;
	char path[URI_MAX], err[256];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/tls.conf.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	assert_true((fd = mkstemp(path)) != -1);
	assert_non_null(f = fdopen(fd, "w"));
	fputs("[ldap]\nstarttls = yes\nca_cert = /etc/cassh/ldap-ca.pem\n", f);
	fclose(f);
	assert_int_equal(config_load(path, &c, err, sizeof(err)), ERR_OK);
	assert_int_equal(c->ldap_starttls, 1);
	assert_string_equal(c->ldap_ca_cert, "/etc/cassh/ldap-ca.pem");
	config_free(c);

	assert_non_null(f = fopen(path, "w"));
	fputs("[ldap]\nstarttls = true\n", f);
	fclose(f);
	assert_int_equal(config_load(path, &c, err, sizeof(err)), ERR_CONFIG);
	unlink(path);

	assert_non_null(c = config_defaults());
	assert_int_equal(c->ldap_starttls, 0);
	assert_string_equal(c->ldap_ca_cert, "");
	config_free(c);
}

/* Undo what a case did to libldap's global options. */
static int
globals_restore(void **state)
{
	ldap_set_option(NULL, LDAP_OPT_X_TLS_REQUIRE_CERT, &global_reqcert);
	ldap_set_option(NULL, LDAP_OPT_X_TLS_REQUIRE_SAN, &global_reqsan);
	ldap_set_option(NULL, LDAP_OPT_X_TLS_CACERTFILE, NULL);
	return 0;
}

/* A port of our own, bound and never listened on: connections fail. */
static int
dead_port_open(void **state)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((dead_fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(dead_fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(dead_fd, (struct sockaddr *)&sin, &len) == -1)
		return -1;
	snprintf(dead_uri, sizeof(dead_uri), "ldap://127.0.0.1:%u/",
	    (unsigned)ntohs(sin.sin_port));
	snprintf(log_path, sizeof(log_path), "%s/test_directory.log",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (log_open("test_directory", 1, log_path) == -1)
		return -1;
	if (ldap_get_option(NULL, LDAP_OPT_X_TLS_REQUIRE_CERT,
	    &global_reqcert) != LDAP_OPT_SUCCESS ||
	    ldap_get_option(NULL, LDAP_OPT_X_TLS_REQUIRE_SAN,
	    &global_reqsan) != LDAP_OPT_SUCCESS)
		return -1;
	return 0;
}

static int
dead_port_close(void **state)
{
	if (dead_fd != -1)
		close(dead_fd);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepts_right_password_and_returns_dn),
		cmocka_unit_test(accepts_null_dn_pointer),
		cmocka_unit_test(refuses_wrong_password_and_leaves_dn_alone),
		cmocka_unit_test(refuses_empty_password),
		cmocka_unit_test(
		    anon_fixture_binds_a_dn_with_an_empty_password),
		cmocka_unit_test(
		    refuses_empty_password_where_anonymous_bind_allowed),
		cmocka_unit_test(refuses_unknown_login),
		cmocka_unit_test(refuses_star_login),
		cmocka_unit_test(refuses_filter_injection),
		cmocka_unit_test(takes_wildcards_in_login_literally),
		cmocka_unit_test(accepts_login_with_filter_special_characters),
		cmocka_unit_test(refuses_login_matching_several_entries),
		cmocka_unit_test(refuses_bad_input_before_any_traffic),
		cmocka_unit_test(refuses_user_filter_without_exactly_one_s),
		cmocka_unit_test(refuses_user_filter_that_does_not_parse),
		cmocka_unit_test(searches_as_service_account),
		cmocka_unit_test(reports_refused_service_account_as_down),
		cmocka_unit_test(
		    reports_missing_service_password_file_as_config),
		cmocka_unit_test(tries_next_uri_when_first_is_dead),
		cmocka_unit_test(reports_all_dead_uris_as_down_within_timeout),
		cmocka_unit_test(gives_up_on_a_silent_server_after_timeout),
		cmocka_unit_test(tries_next_uri_when_first_is_silent),
		cmocka_unit_test(
		    accepts_password_over_ldaps_with_configured_ca),
		cmocka_unit_test(
		    accepts_password_over_starttls_with_configured_ca),
		cmocka_unit_test(refuses_ldaps_server_signed_by_another_ca),
		cmocka_unit_test(refuses_starttls_server_signed_by_another_ca),
		cmocka_unit_test(refuses_certificate_that_names_another_host),
		cmocka_unit_test(
		    wrongname_fixture_connects_when_names_are_not_checked),
		cmocka_unit_test_teardown(
		    checks_certificates_whatever_ldap_conf_says,
		    globals_restore),
		cmocka_unit_test(
		    never_falls_back_to_clear_text_when_starttls_fails),
		cmocka_unit_test(refuses_ldaps_to_a_server_without_tls),
		cmocka_unit_test(tries_next_uri_when_first_fails_tls),
		cmocka_unit_test(
		    gives_up_on_a_silent_ldaps_server_after_timeout),
		cmocka_unit_test(
		    gives_up_on_a_silent_starttls_server_after_timeout),
		cmocka_unit_test(reports_unusable_ca_cert_as_config),
		cmocka_unit_test(
		    refuses_uris_that_are_not_one_ldap_server_each),
		cmocka_unit_test_teardown(
		    trusts_ldap_conf_or_system_cas_when_ca_cert_is_empty,
		    globals_restore),
		cmocka_unit_test(config_reads_starttls_and_ca_cert),
		cmocka_unit_test(
		    find_prepares_the_bind_on_the_server_that_answered),
		cmocka_unit_test(find_then_wrong_password_is_refused),
		cmocka_unit_test(
		    find_of_an_unknown_login_refuses_its_password_at_once),
		cmocka_unit_test(find_for_another_login_is_not_used),
		cmocka_unit_test(find_serves_one_authentication),
		cmocka_unit_test(find_searches_as_the_service_account),
		cmocka_unit_test(find_over_ldaps_prepares_the_bind),
		cmocka_unit_test(
		    silence_met_by_the_find_is_not_waited_for_twice),
	};

	return cmocka_run_group_tests(tests, dead_port_open, dead_port_close);
}
