/* SPDX-License-Identifier: ISC */
/*
 * cakey: the CA's private key, which opens every server of the fleet.
 *
 * The key lives in an unencrypted PKCS#8 PEM file that only root reads,
 * so that it can be made, inspected and backed up with the openssl tool
 * and loaded by OpenSSL 3 without a line of parsing here. This module
 * turns it into what certificates need: the public key and signatures in
 * SSH wire encoding. Every copy of secret bytes made on the way (the
 * file's contents, the DER, the PEM being written) is wiped before it is
 * freed; OpenSSL wipes its own copy of the key when it is freed.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "base64.h"
#include "cakey.h"
#include "log.h"

/* A PKCS#8 RSA key of 16384 bits is about 13 KiB of PEM. */
#define CAKEY_MAX_FILE		(64 * 1024)
#define CAKEY_RSA_MIN_BITS	2048
#define CAKEY_RSA_MAX_BITS	16384
#define CAKEY_RSA_DEFAULT_BITS	3072
#define CAKEY_MAX_POINT		133	/* uncompressed P-521 */

struct caalg {
	enum cakey_alg	 alg;
	const char	*key_name;	/* in the public blob */
	const char	*sig_name;	/* in the signature blob */
	const char	*curve;		/* ECDSA: SSH curve name */
	const char	*group;		/* ECDSA: OpenSSL group name */
	int		 nid;		/* ECDSA: OpenSSL curve */
	size_t		 point_len;	/* ECDSA: uncompressed point */
	const char	*md;		/* NULL: hashing is built in */
};

/* Indexed by enum cakey_alg. */
static const struct caalg caalgs[] = {
	{ CAKEY_ED25519, "ssh-ed25519", "ssh-ed25519",
	    NULL, NULL, 0, 0, NULL },
	{ CAKEY_ECDSA_P256, "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256",
	    "nistp256", "P-256", NID_X9_62_prime256v1, 65, "SHA256" },
	{ CAKEY_ECDSA_P384, "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384",
	    "nistp384", "P-384", NID_secp384r1, 97, "SHA384" },
	{ CAKEY_ECDSA_P521, "ecdsa-sha2-nistp521", "ecdsa-sha2-nistp521",
	    "nistp521", "P-521", NID_secp521r1, 133, "SHA512" },
	/* SHA-1 "ssh-rsa" signatures are refused by current OpenSSH. */
	{ CAKEY_RSA, "ssh-rsa", "rsa-sha2-512",
	    NULL, NULL, 0, 0, "SHA512" },
};
#define NCAALGS	(sizeof(caalgs) / sizeof(caalgs[0]))

struct cakey {
	const struct caalg	*alg;
	EVP_PKEY		*pkey;
	uint8_t			*pub;
	size_t			 pub_len;
};

/*
 * Log what failed about subject (a file, an algorithm), with every
 * reason OpenSSL queued, and clear them.
 */
static void
cakey_log_ssl(const char *what, const char *subject)
{
	unsigned long e;
	char buf[256];
	int n = 0;

	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		log_warnx("cakey: %s: %s: %s", subject, what, buf);
		n++;
	}
	if (n == 0)
		log_warnx("cakey: %s: %s", subject, what);
}

static const struct caalg *
cakey_alg(enum cakey_alg alg)
{
	if ((unsigned)alg >= NCAALGS)
		return NULL;
	return &caalgs[alg];
}

static EVP_PKEY *
cakey_keygen(const struct caalg *a, unsigned bits)
{
	switch (a->alg) {
	case CAKEY_ED25519:
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	case CAKEY_RSA:
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	default:
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", a->group);
	}
}

static int
cakey_write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Create path, never replacing anything that is there (O_EXCL, and no
 * symlink followed), and write the PEM with its mode set before the
 * first byte of the key is in it.
 */
static enum err
cakey_write_file(const char *path, const char *pem, size_t len)
{
	int fd, saved;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    S_IRUSR | S_IWUSR);
	if (fd == -1) {
		if (errno == EEXIST)
			return ERR_EXISTS;
		log_warnx("cakey: %s: %s", path, strerror(errno));
		return ERR_CA_KEY;
	}
	/* The umask may have taken owner bits; group and other stay off. */
	if (fchmod(fd, S_IRUSR | S_IWUSR) == -1 ||
	    cakey_write_all(fd, pem, len) == -1 || fsync(fd) == -1) {
		saved = errno;
		(void)close(fd);
		(void)unlink(path);
		log_warnx("cakey: %s: %s", path, strerror(saved));
		return ERR_CA_KEY;
	}
	if (close(fd) == -1) {
		log_warnx("cakey: %s: %s", path, strerror(errno));
		(void)unlink(path);
		return ERR_CA_KEY;
	}
	return ERR_OK;
}

enum err
cakey_generate(const char *path, enum cakey_alg alg, unsigned bits)
{
	const struct caalg *a;
	EVP_PKEY *pkey = NULL;
	BIO *mem = NULL;
	BUF_MEM *pem;
	enum err ret = ERR_CA_KEY;

	if ((a = cakey_alg(alg)) == NULL)
		goto out;
	if (alg == CAKEY_RSA && bits == 0)
		bits = CAKEY_RSA_DEFAULT_BITS;
	if (alg == CAKEY_RSA &&
	    (bits < CAKEY_RSA_MIN_BITS || bits > CAKEY_RSA_MAX_BITS)) {
		log_warnx("cakey: %s: RSA of %u bits refused", path, bits);
		goto out;
	}
	if ((pkey = cakey_keygen(a, bits)) == NULL) {
		cakey_log_ssl("cannot generate a key", path);
		goto out;
	}
	/* A secure-memory BIO wipes the PEM when it is freed. */
	if ((mem = BIO_new(BIO_s_secmem())) == NULL ||
	    PEM_write_bio_PrivateKey(mem, pkey, NULL, NULL, 0, NULL,
	    NULL) != 1 || BIO_get_mem_ptr(mem, &pem) != 1) {
		cakey_log_ssl("cannot encode the key", path);
		goto out;
	}
	ret = cakey_write_file(path, pem->data, pem->length);
 out:
	BIO_free(mem);
	EVP_PKEY_free(pkey);
	return ret;
}

/* Refuse a pass phrase prompt: the key file must not be encrypted. */
static int
cakey_no_passphrase(char *buf, int size, int rwflag, void *u)
{
	return -1;
}

static int
cakey_read_all(int fd, uint8_t *p, size_t cap, size_t *len)
{
	ssize_t r;
	size_t n = 0;

	while (n < cap) {
		if ((r = read(fd, p + n, cap - n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*len = n;
	return 0;
}

/*
 * Read the whole key file. Loose permissions do not stop the CA (the
 * operator may be mid-fix), but they are logged, since anyone who can
 * read the file can sign for the whole fleet.
 */
static enum err
cakey_read_file(const char *path, uint8_t **out, size_t *outlen)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t len = 0;
	enum err ret = ERR_CA_KEY;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1 ||
	    fstat(fd, &st) == -1) {
		log_warnx("cakey: %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CAKEY_MAX_FILE) {
		log_warnx("cakey: %s: not a key file", path);
		goto out;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
		log_warnx("cakey: %s: mode %03o lets others read the CA key; "
		    "chmod 600 it", path, (unsigned)st.st_mode & 0777);
	if ((buf = malloc(CAKEY_MAX_FILE)) == NULL) {
		ret = ERR_NOMEM;
		goto out;
	}
	if (cakey_read_all(fd, buf, CAKEY_MAX_FILE, &len) == -1) {
		log_warnx("cakey: %s: %s", path, strerror(errno));
		goto out;
	}

	*out = buf;
	*outlen = len;
	buf = NULL;
	ret = ERR_OK;
 out:
	if (buf != NULL) {
		explicit_bzero(buf, CAKEY_MAX_FILE);
		free(buf);
	}
	if (fd != -1)
		(void)close(fd);
	return ret;
}

/*
 * An Ed25519 key straight from its PKCS#8 structure (RFC 8410: no
 * parameters, the private key an OCTET STRING of the 32-byte seed).
 * OpenSSL's generic decoding tries every decoder it has, which costs
 * about half a millisecond per load, and more on the first: the signer
 * loads the key once per connection, in a fresh process. NULL if the
 * structure is not that.
 */
static EVP_PKEY *
cakey_ed25519(const PKCS8_PRIV_KEY_INFO *p8)
{
	const ASN1_OBJECT *obj;
	const X509_ALGOR *alg;
	const unsigned char *pk, *q;
	ASN1_OCTET_STRING *seed;
	EVP_PKEY *pkey = NULL;
	int pk_len, ptype;

	if (PKCS8_pkey_get0(&obj, &pk, &pk_len, &alg, p8) != 1)
		return NULL;
	X509_ALGOR_get0(NULL, &ptype, NULL, alg);
	if (ptype != V_ASN1_UNDEF)
		return NULL;
	q = pk;
	if ((seed = d2i_ASN1_OCTET_STRING(NULL, &q, pk_len)) == NULL)
		return NULL;
	if (q == pk + pk_len && ASN1_STRING_length(seed) == 32)
		pkey = EVP_PKEY_new_raw_private_key_ex(NULL, "ED25519", NULL,
		    ASN1_STRING_get0_data(seed), 32);
	ASN1_STRING_clear_free(seed);
	return pkey;
}

/*
 * The key in a PKCS#8 structure. The types a CA key may have are
 * decoded by the one decoder of their type; anything else by
 * OpenSSL's generic decoding, for cakey_identify to name and refuse.
 */
static EVP_PKEY *
cakey_from_p8(const PKCS8_PRIV_KEY_INFO *p8, const unsigned char *der,
    long der_len)
{
	const ASN1_OBJECT *obj;
	const char *type;
	OSSL_DECODER_CTX *dctx;
	EVP_PKEY *pkey = NULL;
	size_t len = (size_t)der_len;

	if (PKCS8_pkey_get0(&obj, NULL, NULL, NULL, p8) != 1)
		return NULL;
	switch (OBJ_obj2nid(obj)) {
	case NID_ED25519:
		return cakey_ed25519(p8);
	case NID_X9_62_id_ecPublicKey:
		type = "EC";
		break;
	case NID_rsaEncryption:
		type = "RSA";
		break;
	default:
		return EVP_PKCS82PKEY(p8);
	}
	dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "DER", "PrivateKeyInfo",
	    type, EVP_PKEY_KEYPAIR, NULL, NULL);
	if (dctx == NULL || OSSL_DECODER_from_data(dctx, &der, &len) != 1 ||
	    len != 0) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	OSSL_DECODER_CTX_free(dctx);
	return pkey;
}

/*
 * Decode the first unencrypted PKCS#8 block of the file. The DER is
 * kept in OpenSSL's secure memory and wiped when freed.
 */
static EVP_PKEY *
cakey_decode(const char *path, const uint8_t *file, size_t len)
{
	BIO *bio = NULL;
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	EVP_PKEY *pkey = NULL;
	unsigned char *der = NULL;
	const unsigned char *p;
	char *label = NULL;
	long der_len = 0;

	if ((bio = BIO_new_mem_buf(file, (int)len)) == NULL ||
	    PEM_bytes_read_bio_secmem(&der, &der_len, &label,
	    PEM_STRING_PKCS8INF, bio, cakey_no_passphrase, NULL) != 1) {
		cakey_log_ssl("no unencrypted PKCS#8 PEM private key", path);
		goto out;
	}
	if (strcmp(label, PEM_STRING_PKCS8INF) != 0) {
		log_warnx("cakey: %s: a \"%s\" PEM, not PKCS#8", path, label);
		goto out;
	}
	p = der;
	if ((p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, der_len)) == NULL ||
	    p != der + der_len ||
	    (pkey = cakey_from_p8(p8, der, der_len)) == NULL) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
		cakey_log_ssl("malformed PKCS#8 private key", path);
		goto out;
	}
 out:
	PKCS8_PRIV_KEY_INFO_free(p8);
	if (der != NULL)
		OPENSSL_secure_clear_free(der, (size_t)der_len);
	OPENSSL_free(label);
	BIO_free(bio);
	return pkey;
}

static const struct caalg *
cakey_identify_ec(const char *path, EVP_PKEY *pkey)
{
	char group[64];
	size_t i;
	int nid;

	if (EVP_PKEY_get_group_name(pkey, group, sizeof(group), NULL) != 1) {
		cakey_log_ssl("EC key without a named curve", path);
		return NULL;
	}
	nid = OBJ_txt2nid(group);
	for (i = 0; i < NCAALGS; i++)
		if (caalgs[i].curve != NULL && caalgs[i].nid == nid)
			return &caalgs[i];
	log_warnx("cakey: %s: curve %s is not P-256, P-384 or P-521", path,
	    group);
	return NULL;
}

/* Which of the CA algorithms this key is for, or NULL. */
static const struct caalg *
cakey_identify(const char *path, EVP_PKEY *pkey)
{
	int bits;

	if (EVP_PKEY_is_a(pkey, "ED25519"))
		return &caalgs[CAKEY_ED25519];
	if (EVP_PKEY_is_a(pkey, "EC"))
		return cakey_identify_ec(path, pkey);
	if (EVP_PKEY_is_a(pkey, "RSA")) {
		bits = EVP_PKEY_get_bits(pkey);
		if (bits >= CAKEY_RSA_MIN_BITS && bits <= CAKEY_RSA_MAX_BITS)
			return &caalgs[CAKEY_RSA];
		log_warnx("cakey: %s: RSA key of %d bits refused", path, bits);
		return NULL;
	}
	log_warnx("cakey: %s: a %s key is not a CA key type", path,
	    EVP_PKEY_get0_type_name(pkey));
	return NULL;
}

static int
cakey_put_ed25519(struct wbuf *b, EVP_PKEY *pkey)
{
	uint8_t pk[32];
	size_t len = sizeof(pk);

	if (EVP_PKEY_get_raw_public_key(pkey, pk, &len) != 1 ||
	    len != sizeof(pk))
		return -1;
	wbuf_put_string(b, pk, len);
	return 0;
}

/* OpenSSH reads only uncompressed points, whatever the PEM held. */
static int
cakey_put_ecdsa(struct wbuf *b, const struct caalg *a, EVP_PKEY *pkey)
{
	uint8_t q[CAKEY_MAX_POINT];
	size_t len = 0;

	if (EVP_PKEY_set_utf8_string_param(pkey,
	    OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
	    OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) != 1 ||
	    EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY,
	    q, sizeof(q), &len) != 1 ||
	    len != a->point_len || q[0] != POINT_CONVERSION_UNCOMPRESSED)
		return -1;
	wbuf_put_cstring(b, a->curve);
	wbuf_put_string(b, q, len);
	return 0;
}

static int
cakey_put_bn(struct wbuf *b, const BIGNUM *bn)
{
	uint8_t *p;
	int len = BN_num_bytes(bn);

	if ((p = malloc(len > 0 ? (size_t)len : 1)) == NULL)
		return -1;
	if (BN_bn2bin(bn, p) != len) {
		free(p);
		return -1;
	}
	wbuf_put_mpint(b, p, (size_t)len);
	free(p);
	return 0;
}

static int
cakey_put_rsa(struct wbuf *b, EVP_PKEY *pkey)
{
	BIGNUM *e = NULL, *n = NULL;
	int ret = -1;

	if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) != 1 ||
	    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
	    cakey_put_bn(b, e) == -1 || cakey_put_bn(b, n) == -1)
		goto out;
	ret = 0;
 out:
	BN_free(e);
	BN_free(n);
	return ret;
}

/* The public key blob, as servers see the CA in TrustedUserCAKeys. */
static enum err
cakey_make_pub(struct cakey *ca, const char *path)
{
	struct wbuf b;
	int r;

	wbuf_init(&b);
	wbuf_put_cstring(&b, ca->alg->key_name);
	if (ca->alg->alg == CAKEY_ED25519)
		r = cakey_put_ed25519(&b, ca->pkey);
	else if (ca->alg->alg == CAKEY_RSA)
		r = cakey_put_rsa(&b, ca->pkey);
	else
		r = cakey_put_ecdsa(&b, ca->alg, ca->pkey);
	if (r == -1) {
		wbuf_free(&b);
		cakey_log_ssl("cannot read the public key", path);
		return ERR_CA_KEY;
	}
	if ((ca->pub = wbuf_steal(&b, &ca->pub_len)) == NULL)
		return ERR_NOMEM;
	return ERR_OK;
}

enum err
cakey_load(const char *path, struct cakey **out)
{
	struct cakey *ca = NULL;
	uint8_t *file = NULL;
	size_t len = 0;
	enum err ret;

	if ((ret = cakey_read_file(path, &file, &len)) != ERR_OK)
		goto out;
	if ((ca = calloc(1, sizeof(*ca))) == NULL) {
		ret = ERR_NOMEM;
		goto out;
	}
	ret = ERR_CA_KEY;
	if ((ca->pkey = cakey_decode(path, file, len)) == NULL ||
	    (ca->alg = cakey_identify(path, ca->pkey)) == NULL)
		goto out;
	if ((ret = cakey_make_pub(ca, path)) != ERR_OK)
		goto out;

	*out = ca;
	ca = NULL;
	ret = ERR_OK;
 out:
	if (file != NULL) {
		explicit_bzero(file, CAKEY_MAX_FILE);
		free(file);
	}
	cakey_free(ca);
	return ret;
}

/*
 * Each first fetch of a kind of algorithm (key types, signatures,
 * digests) makes OpenSSL list what its providers offer of that kind:
 * most of a first cakey_load and cakey_sign. The names asked here
 * stand for their kinds; the cache keeps every entry of each list.
 */
void
cakey_warm(void)
{
	EVP_KEYMGMT_free(EVP_KEYMGMT_fetch(NULL, "ED25519", NULL));
	EVP_SIGNATURE_free(EVP_SIGNATURE_fetch(NULL, "ED25519", NULL));
	EVP_MD_free(EVP_MD_fetch(NULL, "SHA2-512", NULL));
}

void
cakey_free(struct cakey *ca)
{
	if (ca == NULL)
		return;
	EVP_PKEY_free(ca->pkey);
	free(ca->pub);
	free(ca);
}

const uint8_t *
cakey_pubblob(const struct cakey *ca, size_t *len)
{
	*len = ca->pub_len;
	return ca->pub;
}

char *
cakey_publine(const struct cakey *ca, const char *comment)
{
	char *b64, *line = NULL;
	size_t len;

	if ((b64 = base64_encode(ca->pub, ca->pub_len)) == NULL)
		return NULL;
	len = strlen(ca->alg->key_name) + strlen(b64) + 3 +
	    (comment != NULL ? strlen(comment) : 0);
	if ((line = malloc(len)) == NULL)
		goto out;
	if (comment != NULL)
		(void)snprintf(line, len, "%s %s %s", ca->alg->key_name, b64,
		    comment);
	else
		(void)snprintf(line, len, "%s %s", ca->alg->key_name, b64);
 out:
	free(b64);
	return line;
}

/* The raw signature as OpenSSL makes it (DER for ECDSA). */
static enum err
cakey_raw_sign(const struct cakey *ca, const uint8_t *data, size_t n,
    uint8_t **sig, size_t *sig_len)
{
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	enum err ret = ERR_CA_KEY;

	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit_ex(md, &pctx, ca->alg->md, NULL, NULL,
	    ca->pkey, NULL) != 1)
		goto out;
	if (ca->alg->alg == CAKEY_RSA &&
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
		goto out;
	if (EVP_DigestSign(md, NULL, &len, data, n) != 1)
		goto out;
	if ((buf = malloc(len)) == NULL) {
		ret = ERR_NOMEM;
		goto out;
	}
	if (EVP_DigestSign(md, buf, &len, data, n) != 1)
		goto out;

	*sig = buf;
	*sig_len = len;
	buf = NULL;
	ret = ERR_OK;
 out:
	if (ret == ERR_CA_KEY)
		cakey_log_ssl("cannot sign", ca->alg->key_name);
	free(buf);
	EVP_MD_CTX_free(md);
	return ret;
}

/* RFC 5656: the DER pair (r, s) becomes string(mpint r, mpint s). */
static enum err
cakey_put_ecdsa_sig(struct wbuf *b, const uint8_t *der, size_t len)
{
	ECDSA_SIG *sig;
	const unsigned char *p = der;
	const BIGNUM *r, *s;
	struct wbuf rs;
	enum err ret = ERR_CA_KEY;

	wbuf_init(&rs);
	if ((sig = d2i_ECDSA_SIG(NULL, &p, (long)len)) == NULL)
		goto out;
	ECDSA_SIG_get0(sig, &r, &s);
	if (cakey_put_bn(&rs, r) == -1 || cakey_put_bn(&rs, s) == -1 ||
	    wbuf_failed(&rs)) {
		ret = ERR_NOMEM;
		goto out;
	}
	wbuf_put_string(b, rs.data, rs.len);
	ret = ERR_OK;
 out:
	if (ret == ERR_CA_KEY)
		cakey_log_ssl("malformed ECDSA signature", "ecdsa");
	ECDSA_SIG_free(sig);
	wbuf_free(&rs);
	return ret;
}

enum err
cakey_sign(const struct cakey *ca, const uint8_t *data, size_t n,
    struct wbuf *sig)
{
	struct wbuf b;
	uint8_t *raw = NULL;
	size_t raw_len = 0;
	enum err ret;

	wbuf_init(&b);
	if ((ret = cakey_raw_sign(ca, data, n, &raw, &raw_len)) != ERR_OK)
		goto out;
	wbuf_put_cstring(&b, ca->alg->sig_name);
	if (ca->alg->curve != NULL)
		ret = cakey_put_ecdsa_sig(&b, raw, raw_len);
	else
		wbuf_put_string(&b, raw, raw_len);
	if (ret != ERR_OK)
		goto out;
	ret = ERR_NOMEM;
	if (wbuf_failed(&b))
		goto out;
	wbuf_put_string(sig, b.data, b.len);
	if (wbuf_failed(sig))
		goto out;
	ret = ERR_OK;
 out:
	free(raw);
	wbuf_free(&b);
	return ret;
}
