/* SPDX-License-Identifier: ISC */
/*
 * directory: password authentication against the site's LDAP directory,
 * by search then bind (see directory.h).
 *
 * The servers of the configured list are tried in order. On each:
 * connect (for ldaps://, with the TLS handshake), switch to TLS first
 * if starttls is set for an ldap:// URI, bind as the service account if
 * one is configured, find the one entry whose filter matches the login,
 * bind as that entry with the password, and ask the server who we now
 * are. A server that cannot be reached, does not answer in time, or
 * fails TLS in any way is left for the next one; any other answer is
 * final, so that a refused password is never tried again elsewhere.
 *
 * How each connection is made, TLS included, is directory_conn.c's.
 *
 * Known shortcomings:
 * - With starttls = no (the default) an ldap:// URI sends the password
 *   in clear; ldaps://, ldapi:// or starttls = yes keep it private.
 * - libldap encodes the password into request buffers that it frees
 *   without wiping; only cassh's own copies are wiped.
 * - The timeout bounds each step, not the whole login: a server that
 *   answers the first request and then hangs can hold a login for up
 *   to six timeouts (connect, StartTLS, four requests) before the next
 *   server is tried, and one that trickles bytes slowly, longer.
 * - For a certificate that does not verify or does not name the host,
 *   libldap's GnuTLS build gives no reason ("(unknown error code)"):
 *   the log names the step, the server and the CA bundle, not which
 *   check failed.
 * - The identity check wants the "dn:" form of the whoami answer that
 *   OpenLDAP gives; a server answering "u:" (Active Directory) refuses
 *   every login.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <ldap.h>

#include "directory.h"
#include "directory_impl.h"
#include "log.h"
#include "module-abi.h"

/* The bind worked but made us someone else: say who, for operators. */
static void
dir_log_identity(const struct dir_auth *a, const char *dn,
    const struct berval *id)
{
	struct audit line;
	char shown[256];
	size_t n = 0;

	if (id != NULL && id->bv_val != NULL)
		n = id->bv_len < sizeof(shown) ? id->bv_len : sizeof(shown) - 1;
	if (n > 0)
		memcpy(shown, id->bv_val, n);
	shown[n] = '\0';

	audit_begin(&line, "ldap_error");
	audit_str(&line, "uri", a->uri);
	audit_str(&line, "step", "whoami");
	audit_str(&line, "login", a->login);
	audit_str(&line, "dn", dn);
	audit_str(&line, "identity", shown);
	log_warnx("%s", line.buf);
}

/*
 * Answers to a user's bind that say the password does not open this
 * account (wrong, absent, locked, or the account may not bind); any
 * other failure is the directory's, and the user must not be told that
 * the password was wrong.
 */
static int
dir_refused(int rc)
{
	switch (rc) {
	case LDAP_INVALID_CREDENTIALS:
	case LDAP_INAPPROPRIATE_AUTH:
	case LDAP_UNWILLING_TO_PERFORM:
	case LDAP_CONSTRAINT_VIOLATION:
	case LDAP_INSUFFICIENT_ACCESS:
	case LDAP_NO_SUCH_OBJECT:
		return 1;
	default:
		return 0;
	}
}

static enum err
dir_secret_dup(const char *s, size_t len, struct berval *out)
{
	if ((out->bv_val = malloc(len + 1)) == NULL)
		return ERR_NOMEM;
	memcpy(out->bv_val, s, len);
	out->bv_val[len] = '\0';
	out->bv_len = len;
	return ERR_OK;
}

static void
dir_secret_free(struct berval *bv)
{
	if (bv->bv_val != NULL) {
		explicit_bzero(bv->bv_val, bv->bv_len);
		free(bv->bv_val);
	}
	bv->bv_val = NULL;
	bv->bv_len = 0;
}

/* A login's bounds and shape, checked before any traffic. */
static enum err
dir_check_login(const char *login)
{
	size_t i, n;

	if (login == NULL)
		return ERR_AUTH;
	n = strnlen(login, DIR_LOGIN_MAX + 1);
	if (n == 0 || n > DIR_LOGIN_MAX)
		return ERR_AUTH;
	for (i = 0; i < n; i++) {
		if ((unsigned char)login[i] < 0x20 || login[i] == 0x7f)
			return ERR_AUTH;
	}
	return ERR_OK;
}

/*
 * The password's too. An empty one is the dangerous one: a directory
 * that allows unauthenticated binds answers success to it, as
 * anonymous.
 */
static enum err
dir_check_input(const char *login, const char *password)
{
	size_t n;

	if (dir_check_login(login) != ERR_OK || password == NULL)
		return ERR_AUTH;
	n = strnlen(password, DIR_PASSWORD_MAX + 1);
	if (n == 0 || n > DIR_PASSWORD_MAX)
		return ERR_AUTH;
	return ERR_OK;
}

/*
 * The configured filter is a template, not a printf format: exactly one
 * "%s" and no other '%', so that the login lands in exactly one place.
 * libldap escapes the login, so that "*", "(" or ")" in it can never
 * widen or reshape the filter.
 */
static enum err
dir_filter(const char *tmpl, const char *login, char **out)
{
	char buf[DIR_LOGIN_MAX + 1], *f;
	const char *pct;
	struct berval in, esc = { 0, NULL };
	size_t pre, post;
	enum err r = ERR_CONFIG;

	if (tmpl == NULL || (pct = strchr(tmpl, '%')) == NULL ||
	    pct[1] != 's' || strchr(pct + 2, '%') != NULL) {
		log_warnx("ldap: user_filter needs one %%s and no other %%");
		return ERR_CONFIG;
	}

	/* libldap wants a writable berval; the login is at most 64 bytes. */
	in.bv_len = strlen(login);
	memcpy(buf, login, in.bv_len + 1);
	in.bv_val = buf;
	r = ERR_NOMEM;
	if (ldap_bv2escaped_filter_value(&in, &esc) != 0)
		goto out;

	pre = (size_t)(pct - tmpl);
	post = strlen(pct + 2);
	if ((f = malloc(pre + esc.bv_len + post + 1)) == NULL)
		goto out;
	memcpy(f, tmpl, pre);
	memcpy(f + pre, esc.bv_val, esc.bv_len);
	memcpy(f + pre + esc.bv_len, pct + 2, post + 1);
	*out = f;
	r = ERR_OK;
 out:
	ber_memfree(esc.bv_val);
	return r;
}

static int
dir_has_service(const struct config *cfg)
{
	return cfg->ldap_bind_dn != NULL && cfg->ldap_bind_dn[0] != '\0';
}

/*
 * The service account's password file, as an operator writes it: the
 * password and perhaps one newline. Anything else is a configuration
 * error, found here rather than as a refused bind.
 */
static enum err
dir_read_bindpw(const char *path, struct berval *out)
{
	char buf[DIR_PASSWORD_MAX + 2];
	size_t len = 0;
	ssize_t n;
	int fd;
	enum err r = ERR_CONFIG;

	if (path == NULL || *path == '\0') {
		log_warnx("ldap: bind_dn is set but bind_password_file is not");
		return ERR_CONFIG;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		log_warnx("ldap: %s: %s", path, strerror(errno));
		return ERR_CONFIG;
	}
	while (len < sizeof(buf)) {
		if ((n = read(fd, buf + len, sizeof(buf) - len)) == 0)
			break;
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_warnx("ldap: %s: %s", path, strerror(errno));
			goto out;
		}
		len += (size_t)n;
	}

	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len == 0 || len > DIR_PASSWORD_MAX || memchr(buf, '\0', len)) {
		log_warnx("ldap: %s: want one line of 1 to %d bytes", path,
		    DIR_PASSWORD_MAX);
		goto out;
	}
	r = dir_secret_dup(buf, len, out);
 out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return r;
}

/*
 * Everything one search needs that takes no server: the settings, and
 * the login escaped into the filter.
 */
static enum err
dir_auth_init(struct dir_auth *a, struct directory *d, const char *login)
{
	const struct config *cfg = d->cfg;

	memset(a, 0, sizeof(*a));
	a->cfg = cfg;
	a->svcpw = &d->svcpw;
	a->ca_file = d->ca_file[0] != '\0' ? d->ca_file : NULL;
	memcpy(a->login, login, strlen(login) + 1);
	if (cfg->ldap_uri == NULL || cfg->ldap_base == NULL ||
	    cfg->ldap_timeout <= 0) {
		log_warnx("ldap: uri, base and a positive timeout are needed");
		return ERR_CONFIG;
	}
	a->tv.tv_sec = cfg->ldap_timeout;
	a->tv.tv_usec = 0;
	a->io.ms = cfg->ldap_timeout * 1000;
	return dir_filter(cfg->ldap_user_filter, a->login, &a->filter);
}

static void
dir_auth_clear(struct dir_auth *a)
{
	free(a->filter);
	free(a->uris);
	dir_secret_free(&a->userpw);
	memset(a, 0, sizeof(*a));
}

/*
 * A refused service account stops every login until an operator acts,
 * so it reads as the directory being down, never as a wrong password.
 */
static enum err
dir_bind_service(struct dir_auth *a, LDAP *ld)
{
	if (!dir_has_service(a->cfg))
		return ERR_OK;
	a->ldrc = ldap_sasl_bind_s(ld, a->cfg->ldap_bind_dn,
	    LDAP_SASL_SIMPLE, a->svcpw, NULL, NULL, NULL);
	if (a->ldrc == LDAP_SUCCESS)
		return ERR_OK;
	dir_log(a, ld, "service_bind", a->cfg->ldap_bind_dn);
	return ERR_DIRECTORY_DOWN;
}

/* The search's outcome, before its entries are looked at. */
static enum err
dir_search_result(struct dir_auth *a, LDAP *ld)
{
	switch (a->ldrc) {
	case LDAP_SUCCESS:
		return ERR_OK;
	case LDAP_SIZELIMIT_EXCEEDED:
		/* Several entries: no way to tell whose password it is. */
		log_info("ldap: uri=%s: user_filter matches several entries",
		    a->uri);
		return ERR_AUTH;
	case LDAP_NO_SUCH_OBJECT:
		/* The base is absent, or hidden from an anonymous search. */
		dir_log(a, ld, "search", a->cfg->ldap_base);
		return ERR_AUTH;
	case LDAP_FILTER_ERROR:
		dir_log(a, ld, "search", NULL);
		return ERR_CONFIG;
	default:
		dir_log(a, ld, "search", NULL);
		return ERR_DIRECTORY_DOWN;
	}
}

/* The DN of the one entry the filter matches; *dn is the caller's. */
static enum err
dir_find(struct dir_auth *a, LDAP *ld, char **dn)
{
	char noattrs[] = LDAP_NO_ATTRS;
	char *attrs[] = { noattrs, NULL };
	LDAPMessage *res = NULL;
	char *found = NULL;
	int n;
	enum err r;

	a->ldrc = ldap_search_ext_s(ld, a->cfg->ldap_base, LDAP_SCOPE_SUBTREE,
	    a->filter, attrs, 0, NULL, NULL, &a->tv, DIR_SIZELIMIT, &res);
	if ((r = dir_search_result(a, ld)) != ERR_OK)
		goto out;

	r = ERR_AUTH;
	if ((n = ldap_count_entries(ld, res)) != 1) {
		if (n > 1)
			log_info("ldap: uri=%s: user_filter matches several "
			    "entries", a->uri);
		goto out;
	}
	r = ERR_DIRECTORY_DOWN;
	if ((found = ldap_get_dn(ld, ldap_first_entry(ld, res))) == NULL) {
		a->ldrc = LDAP_DECODING_ERROR;
		dir_log(a, ld, "search", NULL);
		goto out;
	}

	/* An empty DN would bind as anonymous. */
	r = ERR_AUTH;
	if (*found == '\0')
		goto out;
	r = ERR_NOMEM;
	if ((*dn = strdup(found)) != NULL)
		r = ERR_OK;
 out:
	ldap_memfree(found);
	ldap_msgfree(res);
	return r;
}

static enum err
dir_bind_user(struct dir_auth *a, LDAP *ld, const char *dn)
{
	a->ldrc = ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &a->userpw,
	    NULL, NULL, NULL);
	if (a->ldrc == LDAP_SUCCESS)
		return ERR_OK;
	dir_log(a, ld, "bind", dn);
	return dir_refused(a->ldrc) ? ERR_AUTH : ERR_DIRECTORY_DOWN;
}

/*
 * A bind that "succeeds" may have made us anonymous (an unauthenticated
 * bind on a lenient directory): only an identity equal to the entry's
 * DN proves the password. DNs compare without regard to case, as the
 * server may answer with its normalised form.
 */
static enum err
dir_whoami(struct dir_auth *a, LDAP *ld, const char *dn)
{
	struct berval *id = NULL;
	size_t n = strlen(dn);
	enum err r = ERR_DIRECTORY_DOWN;

	a->ldrc = ldap_whoami_s(ld, &id, NULL, NULL);
	if (a->ldrc != LDAP_SUCCESS) {
		dir_log(a, ld, "whoami", dn);
		goto out;
	}
	r = ERR_OK;
	if (id != NULL && id->bv_len == n + 3 &&
	    strncasecmp(id->bv_val, "dn:", 3) == 0 &&
	    strncasecmp(id->bv_val + 3, dn, n) == 0)
		goto out;

	r = ERR_AUTH;
	dir_log_identity(a, dn, id);
 out:
	ber_bvfree(id);
	return r;
}

/*
 * One server, up to the user's entry: the connection (with its TLS),
 * the service account's bind, the search. On success *ldp stays
 * connected, for the user's bind.
 */
static enum err
dir_lookup(struct dir_auth *a, LDAP **ldp, char **dn)
{
	LDAP *ld = NULL;
	enum err r;

	*ldp = NULL;
	if ((r = dir_open(a, &ld)) != ERR_OK)
		return r;
	if ((r = dir_connect(a, ld)) != ERR_OK ||
	    (r = dir_starttls(a, ld)) != ERR_OK ||
	    (r = dir_tls_in_place(a, ld)) != ERR_OK ||
	    (r = dir_bind_service(a, ld)) != ERR_OK ||
	    (r = dir_find(a, ld, dn)) != ERR_OK) {
		ldap_unbind_ext_s(ld, NULL, NULL);
		return r;
	}
	*ldp = ld;
	return ERR_OK;
}

/* The password: a bind as the entry, and who the server says we are. */
static enum err
dir_prove(struct dir_auth *a, LDAP *ld, const char *dn)
{
	enum err r;

	if ((r = dir_bind_user(a, ld, dn)) != ERR_OK)
		return r;
	return dir_whoami(a, ld, dn);
}

/*
 * Each URI in turn, until one gives an answer that is not silence: the
 * lookup, and the proof too when a->userpw holds a password. The
 * connection of the server that answered is left in *ldp (NULL if
 * none), with the entry found there in *dn.
 */
static enum err
dir_each_server(struct dir_auth *a, LDAP **ldp, char **dn)
{
	char *uri, *last;
	enum err r = ERR_CONFIG;

	*ldp = NULL;
	*dn = NULL;
	if ((a->uris = strdup(a->cfg->ldap_uri)) == NULL)
		return ERR_NOMEM;
	for (uri = strtok_r(a->uris, " \t", &last); uri != NULL;
	    uri = strtok_r(NULL, " \t", &last)) {
		a->uri = uri;
		a->ldrc = LDAP_SUCCESS;
		a->unusable = 0;
		a->io.timed_out = 0;
		r = dir_lookup(a, ldp, dn);
		if (r == ERR_OK && a->userpw.bv_val != NULL)
			r = dir_prove(a, *ldp, *dn);
		if (r != ERR_DIRECTORY_DOWN ||
		    !(a->unusable || dir_unreachable(a->ldrc)))
			break;
		if (*ldp != NULL)
			ldap_unbind_ext_s(*ldp, NULL, NULL);
		free(*dn);
		*ldp = NULL;
		*dn = NULL;
	}
	if (uri == NULL && r == ERR_CONFIG)
		log_warnx("ldap: uri is empty");
	return r;
}

static time_t
dir_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Close what the last call left open, and forget what it found. */
static void
dir_forget(struct directory *d)
{
	if (d->ld != NULL)
		ldap_unbind_ext_s(d->ld, NULL, NULL);
	free(d->dn);
	dir_auth_clear(&d->a);
	d->ld = NULL;
	d->dn = NULL;
	d->found = ERR_NOT_FOUND;
	d->bindable = 0;
}

enum err
directory_open(const struct config *cfg, struct directory **out)
{
	const char *ca = cfg->ldap_ca_cert;
	struct directory *d;
	enum err r = ERR_OK;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return ERR_NOMEM;
	d->cfg = cfg;
	d->ca_fd = -1;
	d->found = ERR_NOT_FOUND;
	if (dir_has_service(cfg))
		r = dir_read_bindpw(cfg->ldap_bind_password_file, &d->svcpw);
	if (r == ERR_OK && ca != NULL && *ca != '\0' && dir_any_tls(cfg))
		r = dir_ca_copy(d, ca);
	if (r != ERR_OK) {
		directory_close(d);
		return r;
	}
	*out = d;
	return ERR_OK;
}

void
directory_close(struct directory *d)
{
	if (d == NULL)
		return;
	dir_forget(d);
	dir_secret_free(&d->svcpw);
	if (d->ca_fd != -1)
		close(d->ca_fd);
	free(d);
}

void
directory_find(struct directory *d, const char *login)
{
	dir_forget(d);
	/* A login the bind would refuse is not looked up at all. */
	if (dir_check_login(login) != ERR_OK) {
		d->found = ERR_AUTH;
		return;
	}
	if ((d->found = dir_auth_init(&d->a, d, login)) == ERR_OK)
		d->found = dir_each_server(&d->a, &d->ld, &d->dn);
	d->found_at = dir_now();
	d->bindable = d->found == ERR_OK;
}

/*
 * An idle connection that the server has not closed. Bytes waiting on
 * it (a TLS record, a notice of disconnection) do not tell: the bind
 * goes ahead, and fails as a closed connection would, before the
 * server can have read it.
 */
static int
dir_still_open(LDAP *ld)
{
	char c;
	int fd = -1;
	ssize_t n;

	if (ldap_get_option(ld, LDAP_OPT_DESC, &fd) != LDAP_OPT_SUCCESS ||
	    fd < 0)
		return 0;
	n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	return n == 1 || (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK));
}

/*
 * The password for the entry that directory_find found, on the
 * connection it found it on, or the find's own failure. ERR_NOT_FOUND:
 * start afresh, because there was no find for this login, or no server
 * answered it longer than a timeout ago (one may be back by now, and
 * one that was silent a moment ago is not asked to time out twice), or
 * the server has closed the connection since.
 */
static enum err
dir_prove_found(struct directory *d, const char *login, const char *password)
{
	enum err r;

	if (strcmp(d->a.login, login) != 0)
		return ERR_NOT_FOUND;
	switch (d->found) {
	case ERR_AUTH:
		return ERR_AUTH;	/* nobody, or several */
	case ERR_DIRECTORY_DOWN:
		if (dir_now() - d->found_at < d->cfg->ldap_timeout)
			return ERR_DIRECTORY_DOWN;
		return ERR_NOT_FOUND;
	case ERR_OK:
		break;
	default:
		return ERR_NOT_FOUND;
	}
	/*
	 * A connection the server has closed since (its idle timeout)
	 * is found before the password is sent, never after: a bind
	 * sent twice would count twice against the server's own lockout.
	 */
	if (!d->bindable || !dir_still_open(d->ld))
		return ERR_NOT_FOUND;
	if ((r = dir_secret_dup(password, strlen(password),
	    &d->a.userpw)) != ERR_OK)
		return r;
	return dir_prove(&d->a, d->ld, d->dn);
}

enum err
directory_authenticate(struct directory *d, const char *login,
    const char *password, char **dn)
{
	enum err r;

	if ((r = dir_check_input(login, password)) != ERR_OK) {
		dir_forget(d);
		return r;
	}
	/* What a find looked up serves one authentication at most. */
	r = dir_prove_found(d, login, password);
	d->found = ERR_NOT_FOUND;
	d->bindable = 0;
	if (r == ERR_NOT_FOUND) {
		dir_forget(d);
		if ((r = dir_auth_init(&d->a, d, login)) == ERR_OK)
			r = dir_secret_dup(password, strlen(password),
			    &d->a.userpw);
		if (r == ERR_OK)
			r = dir_each_server(&d->a, &d->ld, &d->dn);
	}
	dir_secret_free(&d->a.userpw);
	if (r == ERR_OK && dn != NULL) {
		*dn = d->dn;
		d->dn = NULL;
	}
	return r;
}

void
directory_drop(struct directory *d)
{
	if (d->ld != NULL) {
		ldap_unbind_ext_s(d->ld, NULL, NULL);
		d->ld = NULL;
	}
	d->bindable = 0;
}

/*
 * Look each server's host name up once, so that the resolver loads
 * whatever it needs for those names (glibc loads some of its modules,
 * such as mdns or systemd-resolved's, only at the first lookup that
 * reaches them) before the process is confined.
 */
static void
dir_resolve_hosts(const struct config *cfg)
{
	struct addrinfo hints, *res;
	LDAPURLDesc *lud;
	char *list, *uri, *last;

	if (cfg->ldap_uri == NULL || (list = strdup(cfg->ldap_uri)) == NULL)
		return;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	for (uri = strtok_r(list, " \t", &last); uri != NULL;
	    uri = strtok_r(NULL, " \t", &last)) {
		if (ldap_url_parse(uri, &lud) != LDAP_URL_SUCCESS)
			continue;
		if (lud->lud_host != NULL && *lud->lud_host != '\0' &&
		    strncasecmp(uri, "ldapi://", 8) != 0 &&
		    getaddrinfo(lud->lud_host, NULL, &hints, &res) == 0)
			freeaddrinfo(res);
		ldap_free_urldesc(lud);
	}
	free(list);
}

void
directory_warm(struct directory *d)
{
	int version, fd;

	(void)ldap_get_option(NULL, LDAP_OPT_PROTOCOL_VERSION, &version);
	dir_resolve_hosts(d->cfg);
	/*
	 * GnuTLS reopens the copy of ca_cert by its name: say now, and
	 * why, if this process can no longer reach it (a root folder or
	 * /proc that its user may not enter); TLS would only say that
	 * ca_cert is not a readable PEM file.
	 */
	if (d->ca_file[0] == '\0')
		return;
	if ((fd = open(d->ca_file, O_RDONLY | O_CLOEXEC)) == -1)
		log_warnx("ldap: the copy of ca_cert, %s, cannot be opened "
		    "as uid %ld: %s; its user must be able to enter / and "
		    "/proc", d->ca_file, (long)geteuid(), strerror(errno));
	else
		close(fd);
}

/* Linked into a program, this file is the module: nothing to load. */
enum err
directory_load(void)
{
	return ERR_OK;
}

/*
 * What cassh-signer finds when it loads this file as its module; in
 * every other program it is linked as usual and this goes unused.
 */
__attribute__((visibility("default")))
const struct directory_module cassh_directory_module = {
	.abi = CASSH_MODULE_ABI,
	.config_size = sizeof(struct config),
	.open = directory_open,
	.warm = directory_warm,
	.find = directory_find,
	.authenticate = directory_authenticate,
	.drop = directory_drop,
	.close = directory_close,
};
