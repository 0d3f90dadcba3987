/* SPDX-License-Identifier: ISC */
/*
 * directory_conn: the connection to one LDAP server, for directory.c:
 * what its URI's scheme promises, a bound on each read and write, and
 * TLS set up on each handle alone, whatever /etc/ldap/ldap.conf says:
 * the certificate must chain to ca_cert (or the system's CAs) and name
 * the host of the URI, and TLS 1.2 is the least accepted. No request,
 * and so no password, is sent before TLS is in place.
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ldap.h>

#include "directory.h"
#include "directory_impl.h"
#include "log.h"

int
dir_wants_tls(const struct dir_auth *a)
{
	return a->transport == DIR_STARTTLS || a->transport == DIR_LDAPS;
}

const char *
dir_ca_name(const struct dir_auth *a)
{
	const char *ca = a->cfg->ldap_ca_cert;

	return ca != NULL && *ca != '\0' ? ca : "system";
}

/*
 * A line for operators about a libldap failure: which step, on which
 * server, for which login, and libldap's own words, which users never
 * see. The audit builder quotes and escapes what came from the client
 * or the directory.
 */
void
dir_log(const struct dir_auth *a, LDAP *ld, const char *step, const char *dn)
{
	struct audit line;
	char *diag = NULL;

	audit_begin(&line, "ldap_error");
	audit_str(&line, "uri", a->uri);
	audit_str(&line, "step", step);
	audit_str(&line, "login", a->login);
	if (dn != NULL)
		audit_str(&line, "dn", dn);
	audit_str(&line, "error", ldap_err2string(a->ldrc));
	if (ld != NULL && ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE,
	    &diag) == LDAP_OPT_SUCCESS && diag != NULL && *diag != '\0')
		audit_str(&line, "detail", diag);
	ldap_memfree(diag);
	if (a->io.timed_out)
		audit_str(&line, "timed_out", "yes");
	if (dir_wants_tls(a))
		audit_str(&line, "ca_cert", dir_ca_name(a));
	log_warnx("%s", line.buf);
}

/* The server did not answer, or said it cannot serve: try the next. */
int
dir_unreachable(int rc)
{
	switch (rc) {
	case LDAP_SERVER_DOWN:
	case LDAP_CONNECT_ERROR:
	case LDAP_TIMEOUT:
	case LDAP_TIMELIMIT_EXCEEDED:
	case LDAP_BUSY:
	case LDAP_UNAVAILABLE:
		return 1;
	default:
		return 0;
	}
}

/*
 * What the URI's scheme promises, which decides whether TLS is needed.
 * One URI per entry of the list: libldap would also take
 * "ldaps://a,ldap://b" as two servers, and the scheme checked here
 * would then not be the one used.
 */
static enum err
dir_scheme(struct dir_auth *a)
{
	if (strchr(a->uri, ',') != NULL)
		goto bad;
	if (strncasecmp(a->uri, "ldaps://", 8) == 0)
		a->transport = DIR_LDAPS;
	else if (strncasecmp(a->uri, "ldapi://", 8) == 0)
		a->transport = DIR_LOCAL;
	else if (strncasecmp(a->uri, "ldap://", 7) == 0)
		a->transport = a->cfg->ldap_starttls ? DIR_STARTTLS :
		    DIR_CLEAR;
	else
		goto bad;
	return ERR_OK;
 bad:
	log_warnx("ldap: uri=%s: want ldap://, ldaps:// or ldapi:// URIs "
	    "separated by spaces", a->uri);
	return ERR_CONFIG;
}

/*
 * libldap 2.5 bounds the TCP connect and the wait for each answer, but
 * not the TLS handshake: against a server that accepts and then stays
 * silent, an ldaps:// connection spins for ever. dir_io sits under TLS
 * on every connection and lets each read or write wait at most the
 * timeout for the socket; then it fails, and the handshake or the
 * operation with it.
 */
static int
dir_io_wait(Sockbuf_IO_Desc *sbiod, short events)
{
	struct dir_io *io = sbiod->sbiod_pvt;
	struct pollfd pfd;
	ber_socket_t fd;
	int n;

	if (ber_sockbuf_ctrl(sbiod->sbiod_sb, LBER_SB_OPT_GET_FD, &fd) != 1) {
		errno = EBADF;
		return -1;
	}
	pfd.fd = fd;
	pfd.events = events;
	pfd.revents = 0;
	if ((n = poll(&pfd, 1, io->ms)) == 0) {
		io->timed_out = 1;
		errno = ETIMEDOUT;
		return -1;
	}
	return n == -1 ? -1 : 0;
}

static ber_slen_t
dir_io_read(Sockbuf_IO_Desc *sbiod, void *buf, ber_len_t len)
{
	if (dir_io_wait(sbiod, POLLIN) == -1)
		return -1;
	return LBER_SBIOD_READ_NEXT(sbiod, buf, len);
}

static ber_slen_t
dir_io_write(Sockbuf_IO_Desc *sbiod, void *buf, ber_len_t len)
{
	if (dir_io_wait(sbiod, POLLOUT) == -1)
		return -1;
	return LBER_SBIOD_WRITE_NEXT(sbiod, buf, len);
}

static int
dir_io_setup(Sockbuf_IO_Desc *sbiod, void *arg)
{
	sbiod->sbiod_pvt = arg;
	return 0;
}

static int
dir_io_ctrl(Sockbuf_IO_Desc *sbiod, int opt, void *arg)
{
	return LBER_SBIOD_CTRL_NEXT(sbiod, opt, arg);
}

static Sockbuf_IO dir_io_layer = {
	.sbi_setup = dir_io_setup,
	.sbi_ctrl = dir_io_ctrl,
	.sbi_read = dir_io_read,
	.sbi_write = dir_io_write,
};

/* libldap calls this once the socket is connected, before any TLS. */
static int
dir_conn_add(LDAP *ld, Sockbuf *sb, LDAPURLDesc *srv, struct sockaddr *addr,
    struct ldap_conncb *ctx)
{
	struct dir_auth *a = ctx->lc_arg;

	return ber_sockbuf_add_io(sb, &dir_io_layer, DIR_IO_LEVEL, &a->io);
}

/* libldap calls this on close, without checking that it exists. */
static void
dir_conn_del(LDAP *ld, Sockbuf *sb, struct ldap_conncb *ctx)
{
}

/*
 * The trusted CAs: ca_cert, else what libldap's own configuration names
 * (TLS_CACERT or TLS_CACERTDIR in ldap.conf), else the system's bundle.
 * A new handle inherits none of these from libldap's defaults, and a
 * handle with none trusts no certificate at all.
 */
static int
dir_tls_ca(const struct dir_auth *a, LDAP *ld)
{
	const char *ca = a->cfg->ldap_ca_cert;
	char *file = NULL, *dir = NULL;
	int rc = LDAP_OPT_SUCCESS;

	if (a->ca_file != NULL)
		return ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE,
		    a->ca_file);
	if (ca != NULL && *ca != '\0')
		return ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, ca);

	(void)ldap_get_option(NULL, LDAP_OPT_X_TLS_CACERTFILE, &file);
	(void)ldap_get_option(NULL, LDAP_OPT_X_TLS_CACERTDIR, &dir);
	if (file == NULL && dir == NULL)
		rc = ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE,
		    DIR_SYSTEM_CA);
	if (file != NULL && rc == LDAP_OPT_SUCCESS)
		rc = ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, file);
	if (dir != NULL && rc == LDAP_OPT_SUCCESS)
		rc = ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTDIR, dir);
	ldap_memfree(file);
	ldap_memfree(dir);
	return rc;
}

/*
 * TLS settings of this handle, whatever ldap.conf says. The certificate
 * must verify (HARD), and name the host of the URI: subjectAltName
 * decides when the certificate has one, the CN only when it has none
 * (TRY). That second setting is needed, because with TLS_REQSAN never
 * in ldap.conf libldap's GnuTLS build checks no name at all. libldap
 * reads per-handle TLS settings only into a context made after them,
 * hence NEWCTX last.
 */
static enum err
dir_tls_options(struct dir_auth *a, LDAP *ld)
{
	int hard = LDAP_OPT_X_TLS_HARD, san = LDAP_OPT_X_TLS_TRY;
	int min = LDAP_OPT_X_TLS_PROTOCOL_TLS1_2, client = 0;

	if (dir_tls_ca(a, ld) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &hard) !=
	    LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_SAN, &san) !=
	    LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_X_TLS_PROTOCOL_MIN, &min) !=
	    LDAP_OPT_SUCCESS) {
		log_warnx("ldap: uri=%s: cannot set TLS options", a->uri);
		return ERR_INTERNAL;
	}
	if (ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &client) !=
	    LDAP_OPT_SUCCESS) {
		log_warnx("ldap: uri=%s: cannot use ca_cert %s (a readable "
		    "PEM file is needed)", a->uri, dir_ca_name(a));
		return ERR_CONFIG;
	}
	return ERR_OK;
}

/*
 * No referrals: chasing one would send the password to a server that
 * is not in the configuration.
 */
static enum err
dir_options(struct dir_auth *a, LDAP *ld)
{
	int version = LDAP_VERSION3;

	a->conncb.lc_add = dir_conn_add;
	a->conncb.lc_del = dir_conn_del;
	a->conncb.lc_arg = a;
	if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version) !=
	    LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &a->tv) !=
	    LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &a->tv) !=
	    LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) !=
	    LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_CONNECT_CB, &a->conncb) !=
	    LDAP_OPT_SUCCESS) {
		log_warnx("ldap: uri=%s: cannot set options", a->uri);
		return ERR_INTERNAL;
	}
	if (dir_wants_tls(a))
		return dir_tls_options(a, ld);
	return ERR_OK;
}

/* A handle for one URI. Nothing is sent until dir_connect. */
enum err
dir_open(struct dir_auth *a, LDAP **out)
{
	LDAP *ld = NULL;
	enum err r;

	if ((r = dir_scheme(a)) != ERR_OK)
		return r;
	if ((a->ldrc = ldap_initialize(&ld, a->uri)) != LDAP_SUCCESS) {
		dir_log(a, NULL, "initialize", NULL);
		return a->ldrc == LDAP_NO_MEMORY ? ERR_NOMEM : ERR_CONFIG;
	}
	if ((r = dir_options(a, ld)) != ERR_OK) {
		ldap_unbind_ext_s(ld, NULL, NULL);
		return r;
	}
	*out = ld;
	return ERR_OK;
}

/*
 * The connection, and for ldaps:// the TLS handshake, before any
 * request: a certificate that does not verify or does not name the
 * host ends it here.
 */
enum err
dir_connect(struct dir_auth *a, LDAP *ld)
{
	a->ldrc = ldap_connect(ld);
	if (a->ldrc == LDAP_SUCCESS)
		return ERR_OK;
	dir_log(a, ld, "connect", NULL);
	a->unusable = 1;
	return ERR_DIRECTORY_DOWN;
}

/*
 * With starttls = yes, an ldap:// server must switch to TLS before the
 * first request. One that cannot or will not (libldap then leaves the
 * connection open in clear) is unusable, and the connection is closed
 * unused.
 */
enum err
dir_starttls(struct dir_auth *a, LDAP *ld)
{
	if (a->transport != DIR_STARTTLS)
		return ERR_OK;
	a->ldrc = ldap_start_tls_s(ld, NULL, NULL);
	if (a->ldrc == LDAP_SUCCESS)
		return ERR_OK;
	dir_log(a, ld, "starttls", NULL);
	a->unusable = 1;
	return ERR_DIRECTORY_DOWN;
}

/* Whatever libldap answered: no request goes out before TLS is up. */
enum err
dir_tls_in_place(struct dir_auth *a, LDAP *ld)
{
	if (!dir_wants_tls(a) || ldap_tls_inplace(ld))
		return ERR_OK;
	log_warnx("ldap: uri=%s: TLS is not in place; server not used",
	    a->uri);
	a->unusable = 1;
	return ERR_DIRECTORY_DOWN;
}

/* Does a server of the list need TLS? */
int
dir_any_tls(const struct config *cfg)
{
	const char *p = cfg->ldap_uri;

	if (cfg->ldap_starttls)
		return 1;
	for (; p != NULL && *p != '\0'; p++)
		if (strncasecmp(p, "ldaps://", 8) == 0)
			return 1;
	return 0;
}

/*
 * ca_cert, copied while this process can read it into an anonymous
 * file that it can still open as /proc/self/fd/N once it has become
 * the privsep user: a CA certificate is no secret, but it may well be
 * where only the signer's own user reads (/etc/cassh). The copy is
 * sealed: what was read is what is trusted.
 */
enum err
dir_ca_copy(struct directory *d, const char *path)
{
	char buf[8192];
	size_t total = 0;
	ssize_t n;
	int in, out;
	enum err r = ERR_CONFIG;

	if ((in = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		log_warnx("ldap: ca_cert %s: %s", path, strerror(errno));
		return ERR_CONFIG;
	}
	if ((out = memfd_create("cassh-ldap-ca",
	    MFD_CLOEXEC | MFD_ALLOW_SEALING)) == -1) {
		log_warnx("ldap: memfd_create: %s", strerror(errno));
		close(in);
		return ERR_INTERNAL;
	}
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 || (total += (size_t)n) > DIR_CA_MAX ||
		    write(out, buf, (size_t)n) != n) {
			log_warnx("ldap: ca_cert %s: %s", path, n == -1 ?
			    strerror(errno) : "too large, or cannot be copied");
			goto out;
		}
	}
	if (fcntl(out, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK |
	    F_SEAL_GROW | F_SEAL_WRITE) == -1) {
		log_warnx("ldap: sealing the copy of ca_cert: %s",
		    strerror(errno));
		goto out;
	}
	d->ca_fd = out;
	snprintf(d->ca_file, sizeof(d->ca_file), "/proc/self/fd/%d", out);
	out = -1;
	r = ERR_OK;
 out:
	if (out != -1)
		close(out);
	close(in);
	return r;
}

