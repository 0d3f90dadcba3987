/* SPDX-License-Identifier: ISC */
/*
 * pubkey: decide whether what a user sent is one OpenSSH public key that
 * cassh will sign, and describe it.
 *
 * The input comes from the network before anything about it is known,
 * so it is read in two strict layers. The line layer accepts exactly
 * "TYPE BASE64 [COMMENT]" with an optional final newline: one line, no
 * control bytes, canonical base64. The blob layer walks the decoded key
 * field by field with the bounded wire reader and refuses anything a
 * careful verifier would: a type that differs from the line's, a field
 * of the wrong size, a curve point that is not on its curve, an mpint
 * with more than one encoding, an RSA key below policy, a trailing byte.
 * The blob is then kept exactly as received: a certificate embeds it and
 * the registry matches keys by its fingerprint.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include "base64.h"
#include "log.h"
#include "pubkey.h"
#include "wire.h"

/* OpenSSH refuses RSA moduli above this; so does cassh. */
#define PUBKEY_RSA_MAX_BITS	16384
#define PUBKEY_ED25519_LEN	32

enum pubkey_kind {
	KIND_ED25519,
	KIND_ECDSA,
	KIND_RSA,
};

struct keytype {
	enum pubkey_type	 type;
	const char		*name;
	const char		*cert_name;
	enum pubkey_kind	 kind;
	int			 sk;	/* FIDO: an application follows */
	const char		*curve;	/* ECDSA: the SSH curve name */
	int			 nid;	/* ECDSA: OpenSSL's curve */
	size_t			 point_len; /* ECDSA: uncompressed point */
	unsigned		 bits;	/* 0: from the key (RSA) */
};

/* Indexed by enum pubkey_type. */
static const struct keytype keytypes[] = {
	{ PUBKEY_ED25519, "ssh-ed25519",
	    "ssh-ed25519-cert-v01@openssh.com",
	    KIND_ED25519, 0, NULL, 0, 0, 256 },
	{ PUBKEY_ECDSA_P256, "ecdsa-sha2-nistp256",
	    "ecdsa-sha2-nistp256-cert-v01@openssh.com",
	    KIND_ECDSA, 0, "nistp256", NID_X9_62_prime256v1, 65, 256 },
	{ PUBKEY_ECDSA_P384, "ecdsa-sha2-nistp384",
	    "ecdsa-sha2-nistp384-cert-v01@openssh.com",
	    KIND_ECDSA, 0, "nistp384", NID_secp384r1, 97, 384 },
	{ PUBKEY_ECDSA_P521, "ecdsa-sha2-nistp521",
	    "ecdsa-sha2-nistp521-cert-v01@openssh.com",
	    KIND_ECDSA, 0, "nistp521", NID_secp521r1, 133, 521 },
	{ PUBKEY_RSA, "ssh-rsa",
	    "ssh-rsa-cert-v01@openssh.com",
	    KIND_RSA, 0, NULL, 0, 0, 0 },
	{ PUBKEY_SK_ED25519, "sk-ssh-ed25519@openssh.com",
	    "sk-ssh-ed25519-cert-v01@openssh.com",
	    KIND_ED25519, 1, NULL, 0, 0, 256 },
	{ PUBKEY_SK_ECDSA_P256, "sk-ecdsa-sha2-nistp256@openssh.com",
	    "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
	    KIND_ECDSA, 1, "nistp256", NID_X9_62_prime256v1, 65, 256 },
};
#define NKEYTYPES	(sizeof(keytypes) / sizeof(keytypes[0]))

/* The three fields of a key line, pointing into the input. */
struct keyline {
	const char	*type;
	size_t		 type_len;
	const char	*b64;
	size_t		 b64_len;
};

static const struct keytype *
keytype_by_enum(enum pubkey_type t)
{
	if ((unsigned)t >= NKEYTYPES)
		return NULL;
	return &keytypes[t];
}

/*
 * Only the types in the table are known; DSA, certificates and anything
 * else are all "a type cassh does not sign".
 */
static const struct keytype *
keytype_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYTYPES; i++)
		if (strcmp(keytypes[i].name, name) == 0)
			return &keytypes[i];
	return NULL;
}

const char *
pubkey_type_name(enum pubkey_type t)
{
	const struct keytype *kt = keytype_by_enum(t);

	return kt != NULL ? kt->name : "unknown";
}

const char *
pubkey_cert_type_name(enum pubkey_type t)
{
	const struct keytype *kt = keytype_by_enum(t);

	return kt != NULL ? kt->cert_name : "unknown";
}

/* OpenSSL's last reason, for the log; never NULL. */
static const char *
pubkey_ssl_error(void)
{
	const char *s = ERR_reason_error_string(ERR_peek_last_error());

	return s != NULL ? s : "unknown error";
}

static enum err
pubkey_check_ed25519(struct wreader *r)
{
	const uint8_t *pk;
	size_t len;

	if (wread_string(r, &pk, &len) == -1 || len != PUBKEY_ED25519_LEN)
		return ERR_KEY_FORMAT;
	return ERR_OK;
}

/*
 * A point that is not on the curve can leak the verifier's secrets in
 * some protocols and is never a real key, so OpenSSL checks it. Only the
 * uncompressed form is used by OpenSSH, so only it is accepted.
 */
static enum err
pubkey_check_point(const struct keytype *kt, const uint8_t *q, size_t len)
{
	EC_GROUP *group = NULL;
	EC_POINT *point = NULL;
	enum err ret = ERR_KEY_FORMAT;

	if (len != kt->point_len || q[0] != POINT_CONVERSION_UNCOMPRESSED)
		goto out;
	if ((group = EC_GROUP_new_by_curve_name(kt->nid)) == NULL ||
	    (point = EC_POINT_new(group)) == NULL) {
		log_warnx("pubkey: cannot make an EC point: %s",
		    pubkey_ssl_error());
		ret = ERR_NOMEM;
		goto out;
	}
	if (EC_POINT_oct2point(group, point, q, len, NULL) != 1 ||
	    EC_POINT_is_at_infinity(group, point) ||
	    EC_POINT_is_on_curve(group, point, NULL) != 1)
		goto out;

	ret = ERR_OK;
 out:
	/* A bad point is the client's fault, not something to log. */
	ERR_clear_error();
	EC_POINT_free(point);
	EC_GROUP_free(group);
	return ret;
}

static enum err
pubkey_check_ecdsa(struct wreader *r, const struct keytype *kt)
{
	const uint8_t *curve, *q;
	size_t curve_len, q_len;

	if (wread_string(r, &curve, &curve_len) == -1 ||
	    curve_len != strlen(kt->curve) ||
	    memcmp(curve, kt->curve, curve_len) != 0 ||
	    wread_string(r, &q, &q_len) == -1)
		return ERR_KEY_FORMAT;
	return pubkey_check_point(kt, q, q_len);
}

/* The number of significant bits of a canonical magnitude. */
static unsigned
pubkey_mag_bits(const uint8_t *p, size_t n)
{
	unsigned bits = (unsigned)(n - 1) * 8;
	uint8_t top = p[0];

	while (top != 0) {
		bits++;
		top >>= 1;
	}
	return bits;
}

/* a < b for canonical magnitudes (no leading zero). */
static int
pubkey_mag_less(const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen)
{
	if (alen != blen)
		return alen < blen;
	return memcmp(a, b, alen) < 0;
}

/*
 * Real RSA keys have an odd exponent of at least 3 below an odd modulus;
 * anything else is forged or broken and must not be certified.
 */
static enum err
pubkey_check_rsa(struct wreader *r, unsigned min_bits, unsigned *bits)
{
	const uint8_t *e, *n;
	size_t e_len, n_len;
	unsigned nbits;

	if (wread_mpint(r, &e, &e_len) == -1 ||
	    wread_mpint(r, &n, &n_len) == -1)
		return ERR_KEY_FORMAT;
	if ((e[e_len - 1] & 1) == 0 || (e_len == 1 && e[0] < 3) ||
	    (n[n_len - 1] & 1) == 0 || !pubkey_mag_less(e, e_len, n, n_len))
		return ERR_KEY_FORMAT;
	if (n_len > PUBKEY_RSA_MAX_BITS / 8)
		return ERR_KEY_FORMAT;

	nbits = pubkey_mag_bits(n, n_len);
	if (min_bits < PUBKEY_RSA_FLOOR_BITS)
		min_bits = PUBKEY_RSA_FLOOR_BITS;
	if (nbits < min_bits)
		return ERR_KEY_TOO_SMALL;
	*bits = nbits;
	return ERR_OK;
}

/* FIDO keys name the relying party ("ssh:..."); a C string, no NUL. */
static enum err
pubkey_check_application(struct wreader *r)
{
	const uint8_t *app;
	size_t len;

	if (wread_string(r, &app, &len) == -1 ||
	    memchr(app, '\0', len) != NULL)
		return ERR_KEY_FORMAT;
	return ERR_OK;
}

static enum err
pubkey_check_fields(struct wreader *r, const struct keytype *kt,
    unsigned min_rsa_bits, unsigned *bits)
{
	enum err e;

	*bits = kt->bits;
	switch (kt->kind) {
	case KIND_ED25519:
		e = pubkey_check_ed25519(r);
		break;
	case KIND_ECDSA:
		e = pubkey_check_ecdsa(r, kt);
		break;
	case KIND_RSA:
		e = pubkey_check_rsa(r, min_rsa_bits, bits);
		break;
	default:
		e = ERR_KEY_TYPE;
		break;
	}
	if (e == ERR_OK && kt->sk)
		e = pubkey_check_application(r);
	if (e == ERR_OK && wread_end(r) == -1)
		e = ERR_KEY_FORMAT;
	return e;
}

/* Walk the whole blob; on success say what it is. */
static enum err
pubkey_check_blob(const uint8_t *blob, size_t n, unsigned min_rsa_bits,
    const struct keytype **ktp, unsigned *bits)
{
	struct wreader r;
	const struct keytype *kt;
	char *name = NULL;
	enum err ret = ERR_KEY_FORMAT;

	wread_init(&r, blob, n);
	if (wread_cstring(&r, &name) == -1)
		goto out;
	if ((kt = keytype_by_name(name)) == NULL) {
		ret = ERR_KEY_TYPE;
		goto out;
	}
	if ((ret = pubkey_check_fields(&r, kt, min_rsa_bits, bits)) != ERR_OK)
		goto out;

	*ktp = kt;
	ret = ERR_OK;
 out:
	free(name);
	return ret;
}

void
pubkey_fingerprint(const uint8_t *blob, size_t n, char fp[PUBKEY_FP_LEN])
{
	static const char prefix[] = "SHA256:";
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	char b64[45];		/* 32 bytes: 44 characters and a NUL */
	int len;

	fp[0] = '\0';
	if (EVP_Digest(blob, n, md, &md_len, EVP_sha256(), NULL) != 1 ||
	    md_len != 32) {
		log_warnx("pubkey: SHA256 failed: %s", pubkey_ssl_error());
		ERR_clear_error();
		return;
	}
	/* ssh-keygen prints the digest's base64 without padding. */
	len = EVP_EncodeBlock((unsigned char *)b64, md, (int)md_len);
	while (len > 0 && b64[len - 1] == '=')
		len--;
	memcpy(fp, prefix, sizeof(prefix) - 1);
	memcpy(fp + sizeof(prefix) - 1, b64, (size_t)len);
	fp[sizeof(prefix) - 1 + (size_t)len] = '\0';
}

enum err
pubkey_from_blob(const uint8_t *blob, size_t n, unsigned min_rsa_bits,
    struct pubkey **out)
{
	const struct keytype *kt = NULL;
	struct pubkey *k = NULL;
	unsigned bits = 0;
	enum err ret;

	if (n > PUBKEY_MAX_INPUT) {
		ret = ERR_KEY_FORMAT;
		goto out;
	}
	if ((ret = pubkey_check_blob(blob, n, min_rsa_bits, &kt, &bits)) !=
	    ERR_OK)
		goto out;
	ret = ERR_NOMEM;
	if ((k = calloc(1, sizeof(*k))) == NULL ||
	    (k->blob = malloc(n)) == NULL)
		goto out;
	memcpy(k->blob, blob, n);
	k->blob_len = n;
	k->type = kt->type;
	k->fields_off = 4 + strlen(kt->name);
	k->bits = bits;
	pubkey_fingerprint(blob, n, k->fp);
	if (k->fp[0] == '\0')
		goto out;

	*out = k;
	k = NULL;
	ret = ERR_OK;
 out:
	pubkey_free(k);
	return ret;
}

static int
pubkey_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int
pubkey_is_space(char c)
{
	return pubkey_is_blank(c) || c == '\r' || c == '\n';
}

/*
 * A pasted private key gets its own answer, so that the user learns not
 * to send it anywhere rather than just "bad format". It is recognised by
 * its first line alone, before the length bound, because a long private
 * key must not be answered with "too long".
 */
static int
pubkey_looks_private(const char *s, size_t n)
{
	static const char pem[] = "-----BEGIN ";
	static const char putty[] = "PuTTY-User-Key-File-";
	const char *nl;
	size_t len;

	/* Only the start is looked at, so the work stays bounded. */
	if (n > PUBKEY_MAX_INPUT)
		n = PUBKEY_MAX_INPUT;
	while (n > 0 && pubkey_is_space(*s)) {
		s++;
		n--;
	}
	len = (nl = memchr(s, '\n', n)) != NULL ? (size_t)(nl - s) : n;
	if (len >= sizeof(putty) - 1 &&
	    memcmp(s, putty, sizeof(putty) - 1) == 0)
		return 1;
	return len >= sizeof(pem) - 1 && memcmp(s, pem, sizeof(pem) - 1) == 0 &&
	    memmem(s, len, "PRIVATE KEY", 11) != NULL;
}

static int
pubkey_is_all_space(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!pubkey_is_space(s[i]))
			return 0;
	return 1;
}

/*
 * Split the one line into its fields. Every control byte is refused, a
 * second line included: what is not signed must not ride along, and a
 * comment must not be able to carry terminal escapes into a log or a
 * listing. Fields are separated by runs of blanks, as OpenSSH reads them.
 */
static enum err
pubkey_split_line(const char *s, size_t n, struct keyline *kl)
{
	size_t i, j;

	if (n >= 1 && s[n - 1] == '\n') {
		n--;
		if (n >= 1 && s[n - 1] == '\r')
			n--;
	}
	for (i = 0; i < n; i++) {
		if (((unsigned char)s[i] < 0x20 && s[i] != '\t') ||
		    s[i] == 0x7f)
			return ERR_KEY_FORMAT;
	}

	for (i = 0; i < n && !pubkey_is_blank(s[i]); i++)
		;
	for (j = i; j < n && pubkey_is_blank(s[j]); j++)
		;
	kl->type = s;
	kl->type_len = i;
	kl->b64 = s + j;
	for (i = j; i < n && !pubkey_is_blank(s[i]); i++)
		;
	kl->b64_len = i - j;
	/* What follows is the comment, which nothing needs. */
	if (kl->type_len == 0 || kl->b64_len == 0)
		return ERR_KEY_FORMAT;
	return ERR_OK;
}

/* The blob must say of itself what the line says of it. */
static int
pubkey_blob_is_type(const uint8_t *blob, size_t n, const struct keyline *kl)
{
	struct wreader r;
	const uint8_t *name;
	size_t len;

	wread_init(&r, blob, n);
	if (wread_string(&r, &name, &len) == -1)
		return 0;
	return len == kl->type_len && memcmp(name, kl->type, len) == 0;
}

/*
 * Windows PowerShell writes redirected text as UTF-16 with a byte
 * order mark, and some editors put a UTF-8 mark first: say so, rather
 * than call it a malformed key.
 */
static int
pubkey_looks_wide(const char *input, size_t n)
{
	const unsigned char *p = (const unsigned char *)input;

	if (n >= 2 && ((p[0] == 0xff && p[1] == 0xfe) ||
	    (p[0] == 0xfe && p[1] == 0xff)))
		return 1;
	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		return 1;
	/* "s\0s\0h\0": UTF-16 without a mark. */
	return n >= 4 && p[0] != 0 && p[1] == 0 && p[2] != 0 && p[3] == 0;
}

enum err
pubkey_parse(const char *input, size_t n, unsigned min_rsa_bits,
    struct pubkey **out)
{
	struct keyline kl;
	uint8_t *blob = NULL;
	size_t blob_len = 0;
	enum err ret;

	if (n == 0) {
		ret = ERR_INPUT_EMPTY;
		goto out;
	}
	if (pubkey_looks_private(input, n)) {
		ret = ERR_KEY_PRIVATE;
		goto out;
	}
	if (pubkey_looks_wide(input, n)) {
		ret = ERR_KEY_ENCODING;
		goto out;
	}
	if (n > PUBKEY_MAX_INPUT) {
		ret = ERR_INPUT_TOO_LONG;
		goto out;
	}
	if (pubkey_is_all_space(input, n)) {
		ret = ERR_INPUT_EMPTY;
		goto out;
	}
	if ((ret = pubkey_split_line(input, n, &kl)) != ERR_OK)
		goto out;
	ret = ERR_KEY_FORMAT;
	if (base64_decode(kl.b64, kl.b64_len, &blob, &blob_len) == -1 ||
	    !pubkey_blob_is_type(blob, blob_len, &kl))
		goto out;

	ret = pubkey_from_blob(blob, blob_len, min_rsa_bits, out);
 out:
	free(blob);
	return ret;
}

void
pubkey_free(struct pubkey *k)
{
	if (k == NULL)
		return;
	free(k->blob);
	free(k);
}

char *
pubkey_line(const struct pubkey *k)
{
	const char *name = pubkey_type_name(k->type);
	char *b64, *line = NULL;
	size_t len;

	if ((b64 = base64_encode(k->blob, k->blob_len)) == NULL)
		return NULL;
	len = strlen(name) + 1 + strlen(b64) + 1;
	if ((line = malloc(len)) != NULL)
		(void)snprintf(line, len, "%s %s", name, b64);
	free(b64);
	return line;
}
