/* SPDX-License-Identifier: ISC */
/*
 * sign_bench: what building and signing one certificate costs inside
 * cassh (cert_build, with the CA key already loaded) next to the bare
 * OpenSSL signature of a message of the same size with the same key,
 * for each CA key type a deployment is likely to choose. The
 * difference is cassh's own work: the random nonce, the wire encoding,
 * the SSH signature blob and the base64 line.
 *
 * The two are timed alternately, one call at a time, so that both see
 * the same machine; the medians are printed. The signer loads the CA
 * key afresh for every signing, so cakey_load is timed too.
 *
 * usage: sign_bench [SECONDS_PER_KEY_TYPE]
 * Output: one line per key type:
 *	TYPE raw_us build_us ratio load_us
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "base64.h"
#include "cakey.h"
#include "cert.h"
#include "pubkey.h"
#include "wire.h"

#define MAX_SAMPLES	200000

struct kind {
	const char	*name;
	enum cakey_alg	 alg;
	unsigned	 bits;
	const char	*md;	/* as cakey signs: NULL for Ed25519 */
};

static const struct kind kinds[] = {
	{ "ed25519", CAKEY_ED25519, 0, NULL },
	{ "ecdsa-p256", CAKEY_ECDSA_P256, 0, "SHA256" },
	{ "rsa-3072", CAKEY_RSA, 3072, "SHA512" },
};

static double	raw_t[MAX_SAMPLES], build_t[MAX_SAMPLES];
static double	load_t[MAX_SAMPLES];

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
die(const char *what)
{
	fprintf(stderr, "sign_bench: %s\n", what);
	exit(1);
}

/* A user's Ed25519 key, as the signer holds it after pubkey_parse. */
static struct pubkey *
user_key(void)
{
	EVP_PKEY *pk;
	uint8_t raw[32];
	size_t len = sizeof(raw);
	struct pubkey *k = NULL;
	struct wbuf b;

	if ((pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL ||
	    EVP_PKEY_get_raw_public_key(pk, raw, &len) != 1)
		die("no user key");
	EVP_PKEY_free(pk);
	wbuf_init(&b);
	wbuf_put_cstring(&b, "ssh-ed25519");
	wbuf_put_string(&b, raw, len);
	if (wbuf_failed(&b) || pubkey_from_blob(b.data, b.len, 2048,
	    &k) != ERR_OK)
		die("user key refused");
	wbuf_free(&b);
	return k;
}

/*
 * The length of what the signature covers in a certificate line for
 * an Ed25519 user key: every field before the trailing signature.
 */
static size_t
signed_len(const char *line)
{
	const char *b64 = strchr(line, ' ') + 1;
	const uint8_t *p;
	uint8_t *blob;
	size_t n, len, i;
	struct wreader r;
	uint64_t u64;
	uint32_t u32;

	if (base64_decode(b64, strcspn(b64, " "), &blob, &len) != 0)
		die("cannot decode the certificate");
	wread_init(&r, blob, len);
	/* type, nonce, key, serial, type, key id, principals, validity */
	for (i = 0; i < 3; i++)
		if (wread_string(&r, &p, &n) == -1)
			die("short certificate");
	if (wread_u64(&r, &u64) == -1 || wread_u32(&r, &u32) == -1 ||
	    wread_string(&r, &p, &n) == -1 || wread_string(&r, &p, &n) == -1 ||
	    wread_u64(&r, &u64) == -1 || wread_u64(&r, &u64) == -1)
		die("short certificate");
	/* critical options, extensions, reserved, CA key */
	for (i = 0; i < 4; i++)
		if (wread_string(&r, &p, &n) == -1)
			die("short certificate");
	n = (size_t)(p + n - blob);
	free(blob);
	return n;
}

/* The bare signature, as any program holding the key would make it. */
static void
raw_sign(EVP_PKEY *pkey, const char *md, const uint8_t *msg, size_t n)
{
	uint8_t sig[1024];
	size_t len = sizeof(sig);
	EVP_MD_CTX *ctx;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit_ex(ctx, NULL, md, NULL, NULL, pkey,
	    NULL) != 1 || EVP_DigestSign(ctx, sig, &len, msg, n) != 1)
		die("OpenSSL cannot sign");
	EVP_MD_CTX_free(ctx);
}

/* OpenSSL's own view of the PEM file cakey wrote. */
static EVP_PKEY *
read_pem(const char *path)
{
	EVP_PKEY *pkey;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		die("cannot open the CA key");
	pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (pkey == NULL)
		die("cannot read the CA key");
	return pkey;
}

static void
bench(const struct kind *kd, const char *dir, struct pubkey *key,
    double seconds)
{
	const char *principals[] = { "alice", "alice-ops" };
	struct cert_request req;
	struct cakey *ca, *ca2;
	char path[4096], *line;
	uint8_t msg[4096];
	EVP_PKEY *pkey;
	size_t n = 0, len, i;
	double t0, t1, end;

	snprintf(path, sizeof(path), "%s/ca-%s", dir, kd->name);
	if (cakey_generate(path, kd->alg, kd->bits) != ERR_OK ||
	    cakey_load(path, &ca) != ERR_OK)
		die("cannot make the CA key");
	pkey = read_pem(path);
	memset(&req, 0, sizeof(req));
	req.key = key;
	req.key_id = "alice/281474976710657";
	req.principals = principals;
	req.nprincipals = 2;
	req.valid_after = (uint64_t)time(NULL) - 300;
	req.valid_before = req.valid_after + 86400 + 300;
	if (cert_build(&req, ca, &line) != ERR_OK)
		die("cert_build failed");
	len = signed_len(line);
	free(line);
	if (len > sizeof(msg))
		die("certificate too long");
	for (i = 0; i < len; i++)
		msg[i] = (uint8_t)(i * 7);

	/* A moment of warm-up for caches, the DRBG and the CPU clock. */
	for (end = now_us() + 0.3e6; now_us() < end; ) {
		raw_sign(pkey, kd->md, msg, len);
		if (cert_build(&req, ca, &line) != ERR_OK)
			die("cert_build failed");
		free(line);
	}
	for (end = now_us() + seconds * 1e6; now_us() < end &&
	    n < MAX_SAMPLES; n++) {
		req.serial = n + 1;
		t0 = now_us();
		raw_sign(pkey, kd->md, msg, len);
		t1 = now_us();
		raw_t[n] = t1 - t0;
		t0 = now_us();
		if (cert_build(&req, ca, &line) != ERR_OK)
			die("cert_build failed");
		t1 = now_us();
		build_t[n] = t1 - t0;
		free(line);
		t0 = now_us();
		if (cakey_load(path, &ca2) != ERR_OK)
			die("cakey_load failed");
		t1 = now_us();
		load_t[n] = t1 - t0;
		cakey_free(ca2);
	}
	t0 = median(raw_t, n);
	t1 = median(build_t, n);
	printf("%s %.1f %.1f %.3f %.1f %zu %zu\n", kd->name, t0, t1, t1 / t0,
	    median(load_t, n), len, n);
	fflush(stdout);
	EVP_PKEY_free(pkey);
	cakey_free(ca);
	unlink(path);
}

int
main(int argc, char *argv[])
{
	char dir[] = "/tmp/sign_bench.XXXXXX";
	double seconds = argc > 1 ? strtod(argv[1], NULL) : 2;
	struct pubkey *key;
	size_t i;

	if (seconds <= 0 || mkdtemp(dir) == NULL)
		die("usage: sign_bench [SECONDS]");
	key = user_key();
	printf("# type raw_us build_us ratio load_us signed_bytes samples\n");
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		bench(&kinds[i], dir, key, seconds);
	pubkey_free(key);
	rmdir(dir);
	return 0;
}
