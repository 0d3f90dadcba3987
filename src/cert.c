/* SPDX-License-Identifier: ISC */
/*
 * cert: OpenSSH user certificates, built byte for byte as
 * PROTOCOL.certkeys lays them out and signed with the CA key.
 *
 * A certificate is what every server of the fleet will trust, so the
 * request is checked before anything is signed: there is always at least
 * one principal (an empty list would mean "any user"), names carry no
 * comma (ssh-keygen and sshd treat commas as list separators) and no
 * control byte (the key id ends up in logs and on the output line), and
 * the validity interval is not empty. The key's own fields are copied
 * from the blob the user sent, which pubkey has already checked, so the
 * certified key is exactly the key that was registered.
 */
#include <sys/random.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "cert.h"
#include "log.h"
#include "wire.h"

#define CERT_TYPE_USER	1
/* A fresh random prefix makes chosen-prefix hash collisions useless. */
#define CERT_NONCE_LEN	32

/*
 * What ssh-keygen grants by default, sorted by name as the protocol
 * requires ('X' sorts before 'a').
 */
static const char *const cert_extensions[] = {
	"permit-X11-forwarding",
	"permit-agent-forwarding",
	"permit-port-forwarding",
	"permit-pty",
	"permit-user-rc",
};
#define CERT_NEXTENSIONS \
	(sizeof(cert_extensions) / sizeof(cert_extensions[0]))

/* A key id or principal: 1 to max bytes, no comma, no control byte. */
static int
cert_name_ok(const char *s, size_t max)
{
	size_t i, len;

	if (s == NULL || (len = strnlen(s, max + 1)) == 0 || len > max)
		return 0;
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || s[i] == ',')
			return 0;
	}
	return 1;
}

static enum err
cert_check(const struct cert_request *req)
{
	size_t i;

	if (req->key == NULL || req->key->fields_off > req->key->blob_len)
		return ERR_USAGE;
	if (req->principals == NULL || req->nprincipals == 0 ||
	    req->nprincipals > CERT_MAX_PRINCIPALS)
		return ERR_USAGE;
	for (i = 0; i < req->nprincipals; i++)
		if (!cert_name_ok(req->principals[i], CERT_MAX_PRINCIPAL_LEN))
			return ERR_USAGE;
	if (!cert_name_ok(req->key_id, CERT_MAX_KEY_ID_LEN))
		return ERR_USAGE;
	if (req->valid_after >= req->valid_before)
		return ERR_USAGE;
	return ERR_OK;
}

/* Append inner to b as one string, unless building inner failed. */
static int
cert_put_nested(struct wbuf *b, struct wbuf *inner)
{
	int ret = -1;

	if (!wbuf_failed(inner)) {
		wbuf_put_string(b, inner->data, inner->len);
		ret = 0;
	}
	wbuf_free(inner);
	return ret;
}

static int
cert_put_principals(struct wbuf *b, const struct cert_request *req)
{
	struct wbuf in;
	size_t i;

	wbuf_init(&in);
	for (i = 0; i < req->nprincipals; i++)
		wbuf_put_cstring(&in, req->principals[i]);
	return cert_put_nested(b, &in);
}

static int
cert_put_extensions(struct wbuf *b)
{
	struct wbuf in;
	size_t i;

	wbuf_init(&in);
	for (i = 0; i < CERT_NEXTENSIONS; i++) {
		wbuf_put_cstring(&in, cert_extensions[i]);
		wbuf_put_string(&in, NULL, 0);	/* a flag: no data */
	}
	return cert_put_nested(b, &in);
}

/*
 * The nonce comes from the kernel's generator, as OpenSSL's own seeds
 * do. Asking OpenSSL would set up its random generators first, which
 * costs more than the Ed25519 signature itself, and an Ed25519
 * signature needs no randomness at all: in a process that makes one
 * certificate and exits, that set-up is pure loss.
 */
static int
cert_nonce(uint8_t *p, size_t n)
{
	ssize_t r;

	while (n > 0) {
		if ((r = getrandom(p, n, 0)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Everything the signature covers, in PROTOCOL.certkeys order. */
static enum err
cert_put_body(struct wbuf *b, const struct cert_request *req,
    const struct cakey *ca)
{
	const struct pubkey *k = req->key;
	uint8_t nonce[CERT_NONCE_LEN];
	const uint8_t *ca_blob;
	size_t ca_len;

	if (cert_nonce(nonce, sizeof(nonce)) == -1) {
		log_warnx("cert: no random nonce: %s", strerror(errno));
		return ERR_INTERNAL;
	}
	ca_blob = cakey_pubblob(ca, &ca_len);

	wbuf_put_cstring(b, pubkey_cert_type_name(k->type));
	wbuf_put_string(b, nonce, sizeof(nonce));
	wbuf_put_raw(b, k->blob + k->fields_off, k->blob_len - k->fields_off);
	wbuf_put_u64(b, req->serial);
	wbuf_put_u32(b, CERT_TYPE_USER);
	wbuf_put_cstring(b, req->key_id);
	if (cert_put_principals(b, req) == -1)
		return ERR_NOMEM;
	wbuf_put_u64(b, req->valid_after);
	wbuf_put_u64(b, req->valid_before);
	wbuf_put_string(b, NULL, 0);		/* no critical options */
	if (cert_put_extensions(b) == -1)
		return ERR_NOMEM;
	wbuf_put_string(b, NULL, 0);		/* reserved */
	wbuf_put_string(b, ca_blob, ca_len);
	return wbuf_failed(b) ? ERR_NOMEM : ERR_OK;
}

/* "TYPE-cert-v01@openssh.com BASE64 KEY_ID\n", as ssh-keygen writes. */
static char *
cert_line(const struct cert_request *req, const uint8_t *blob, size_t len)
{
	const char *type = pubkey_cert_type_name(req->key->type);
	char *b64, *line = NULL;
	size_t n;

	if ((b64 = base64_encode(blob, len)) == NULL)
		return NULL;
	n = strlen(type) + strlen(b64) + strlen(req->key_id) + 4;
	if ((line = malloc(n)) != NULL)
		(void)snprintf(line, n, "%s %s %s\n", type, b64, req->key_id);
	free(b64);
	return line;
}

enum err
cert_build(const struct cert_request *req, const struct cakey *ca,
    char **line)
{
	struct wbuf b, sig;
	char *out;
	enum err ret;

	wbuf_init(&b);
	wbuf_init(&sig);
	if ((ret = cert_check(req)) != ERR_OK ||
	    (ret = cert_put_body(&b, req, ca)) != ERR_OK ||
	    (ret = cakey_sign(ca, b.data, b.len, &sig)) != ERR_OK)
		goto out;
	ret = ERR_NOMEM;
	wbuf_put_raw(&b, sig.data, sig.len);
	if (wbuf_failed(&b) || (out = cert_line(req, b.data, b.len)) == NULL)
		goto out;

	*line = out;
	ret = ERR_OK;
 out:
	wbuf_free(&sig);
	wbuf_free(&b);
	return ret;
}
