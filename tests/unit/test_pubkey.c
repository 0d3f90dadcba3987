/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of pubkey, with the real ssh-keygen as the oracle: keys of
 * every type it makes are accepted with the fingerprint it prints, and
 * every malformed, hostile or refused input gets the error the command
 * contract promises. Keys are generated once into a mkdtemp() folder.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base64.h"
#include "keygen.h"
#include "pubkey.h"
#include "wire.h"

#define OUT_MAX		8192

static char tmpdir[PATH_MAX];

struct keyfile {
	char			*name;
	char			*type;		/* ssh-keygen -t */
	char			*bits;	/* ssh-keygen -b, or NULL */
	enum pubkey_type	 want_type;
	unsigned		 want_bits;
};

/* Keys the group setup generates; the first five are the policy's own. */
static const struct keyfile keyfiles[] = {
	{ "ed25519", "ed25519", NULL, PUBKEY_ED25519, 256 },
	{ "ecdsa256", "ecdsa", "256", PUBKEY_ECDSA_P256, 256 },
	{ "ecdsa384", "ecdsa", "384", PUBKEY_ECDSA_P384, 384 },
	{ "ecdsa521", "ecdsa", "521", PUBKEY_ECDSA_P521, 521 },
	{ "rsa3072", "rsa", "3072", PUBKEY_RSA, 3072 },
	{ "rsa2048", "rsa", "2048", PUBKEY_RSA, 2048 },
	{ "rsa1024", "rsa", "1024", PUBKEY_RSA, 1024 },
	{ "ca", "ed25519", NULL, PUBKEY_ED25519, 256 },
};
#define NKEYFILES	(sizeof(keyfiles) / sizeof(keyfiles[0]))
#define NPOLICYKEYS	5

static void
path_of(char *buf, size_t sz, const char *name)
{
	int n = snprintf(buf, sz, "%s/%s", tmpdir, name);

	assert_true(n > 0 && (size_t)n < sz);
}

/* The whole file as a NUL-terminated string; *len without the NUL. */
static char *
slurp(const char *name, size_t *len)
{
	char path[PATH_MAX], *buf;
	FILE *f;
	size_t n;

	path_of(path, sizeof(path), name);
	assert_non_null(f = fopen(path, "r"));
	assert_non_null(buf = calloc(1, 65536));
	n = fread(buf, 1, 65535, f);
	fclose(f);
	if (len != NULL)
		*len = n;
	return buf;
}

static void
spill(const char *name, const char *s)
{
	char path[PATH_MAX];
	FILE *f;

	path_of(path, sizeof(path), name);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fputs(s, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* What "ssh-keygen -l -E sha256" says of the file name (the 2nd field). */
static void
oracle_fingerprint(const char *name, char *fp, size_t fpsz)
{
	char path[PATH_MAX], out[OUT_MAX], *p, *end;

	path_of(path, sizeof(path), name);
	assert_int_equal(keygen_run(out, sizeof(out), "-l", "-E", "sha256",
	    "-f", path, NULL), 0);
	assert_non_null(p = strchr(out, ' '));
	p++;
	assert_non_null(end = strchr(p, ' '));
	assert_true((size_t)(end - p) < fpsz);
	memcpy(fp, p, (size_t)(end - p));
	fp[end - p] = '\0';
}

static int
group_setup(void **state)
{
	char path[PATH_MAX], out[OUT_MAX];
	const char *t = getenv("TMPDIR");
	size_t i;

	snprintf(tmpdir, sizeof(tmpdir), "%s/test_pubkey.XXXXXX",
	    t != NULL ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	for (i = 0; i < NKEYFILES; i++) {
		path_of(path, sizeof(path), keyfiles[i].name);
		if (keygen_run(out, sizeof(out), "-q", "-N", "", "-C",
		    "test@example", "-t", keyfiles[i].type, "-b",
		    keyfiles[i].bits != NULL ? keyfiles[i].bits : "256",
		    "-f", path, NULL) != 0) {
			fprintf(stderr, "ssh-keygen: %s\n", out);
			return -1;
		}
	}
	return 0;
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int
group_teardown(void **state)
{
	return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Parse n bytes; check that *out is set only on success. */
static enum err
parse_n(const char *s, size_t n, unsigned min_bits)
{
	struct pubkey *k = NULL;
	enum err e;

	e = pubkey_parse(s, n, min_bits, &k);
	if (e == ERR_OK)
		assert_non_null(k);
	else
		assert_null(k);
	pubkey_free(k);
	return e;
}

static enum err
parse(const char *s)
{
	return parse_n(s, strlen(s), 3072);
}

static struct pubkey *
load(const char *name, unsigned min_bits)
{
	struct pubkey *k = NULL;
	char file[64], *line;
	size_t len;

	snprintf(file, sizeof(file), "%s.pub", name);
	line = slurp(file, &len);
	assert_int_equal(pubkey_parse(line, len, min_bits, &k), ERR_OK);
	free(line);
	return k;
}

/* "type BASE64(blob)" followed by tail, as a new string. */
static char *
make_line(const char *type, const uint8_t *blob, size_t n, const char *tail)
{
	char *b64, *line;
	size_t len;

	assert_non_null(b64 = base64_encode(blob, n));
	len = strlen(type) + strlen(b64) + strlen(tail) + 2;
	assert_non_null(line = malloc(len));
	snprintf(line, len, "%s %s%s", type, b64, tail);
	free(b64);
	return line;
}

static enum err
parse_blob(const char *type, const uint8_t *blob, size_t n)
{
	char *line = make_line(type, blob, n, " comment\n");
	enum err e = parse(line);

	free(line);
	return e;
}

static enum err
parse_wbuf(const char *type, struct wbuf *b)
{
	enum err e;

	assert_false(wbuf_failed(b));
	e = parse_blob(type, b->data, b->len);
	wbuf_free(b);
	return e;
}

/* The string fields of a parsed key's blob, in order. */
static void
blob_fields(const struct pubkey *k, const uint8_t **f, size_t *flen,
    size_t nf)
{
	struct wreader r;
	size_t i;

	wread_init(&r, k->blob, k->blob_len);
	for (i = 0; i < nf; i++)
		assert_int_equal(wread_string(&r, &f[i], &flen[i]), 0);
}

static void
pubkey_accepts_each_key_type_with_ssh_keygen_fingerprint(void **state)
{
	char file[64], fp[PUBKEY_FP_LEN + 8];
	struct pubkey *k;
	size_t i;

	for (i = 0; i < NPOLICYKEYS; i++) {
		k = load(keyfiles[i].name, 3072);
		snprintf(file, sizeof(file), "%s.pub", keyfiles[i].name);
		oracle_fingerprint(file, fp, sizeof(fp));
		assert_string_equal(k->fp, fp);
		assert_int_equal(k->type, keyfiles[i].want_type);
		assert_int_equal(k->bits, keyfiles[i].want_bits);
		pubkey_free(k);
	}
}

static void
pubkey_line_is_the_type_and_base64_of_the_input(void **state)
{
	char file[64], *in, *line;
	struct pubkey *k;
	size_t i;

	for (i = 0; i < NPOLICYKEYS; i++) {
		k = load(keyfiles[i].name, 3072);
		snprintf(file, sizeof(file), "%s.pub", keyfiles[i].name);
		in = slurp(file, NULL);
		assert_non_null(line = pubkey_line(k));
		assert_int_equal(strncmp(in, line, strlen(line)), 0);
		assert_int_equal(in[strlen(line)], ' ');
		assert_int_equal(k->fields_off,
		    4 + strlen(pubkey_type_name(k->type)));
		free(line);
		free(in);
		pubkey_free(k);
	}
}

static void
pubkey_type_names_are_openssh_names(void **state)
{
	assert_string_equal(pubkey_type_name(PUBKEY_ED25519), "ssh-ed25519");
	assert_string_equal(pubkey_type_name(PUBKEY_ECDSA_P384),
	    "ecdsa-sha2-nistp384");
	assert_string_equal(pubkey_type_name(PUBKEY_SK_ECDSA_P256),
	    "sk-ecdsa-sha2-nistp256@openssh.com");
	assert_string_equal(pubkey_cert_type_name(PUBKEY_RSA),
	    "ssh-rsa-cert-v01@openssh.com");
	assert_string_equal(pubkey_cert_type_name(PUBKEY_SK_ED25519),
	    "sk-ssh-ed25519-cert-v01@openssh.com");
}

static void
pubkey_accepts_rsa_2048_when_minimum_is_lowered(void **state)
{
	struct pubkey *k = load("rsa2048", 2048);

	assert_int_equal(k->bits, 2048);
	pubkey_free(k);
}

static void
pubkey_refuses_rsa_below_minimum(void **state)
{
	char *line = slurp("rsa2048.pub", NULL);

	assert_int_equal(parse_n(line, strlen(line), 3072), ERR_KEY_TOO_SMALL);
	free(line);
}

static void
pubkey_refuses_rsa_below_floor_whatever_the_minimum(void **state)
{
	char *line = slurp("rsa1024.pub", NULL);

	assert_int_equal(parse_n(line, strlen(line), 0), ERR_KEY_TOO_SMALL);
	assert_int_equal(parse_n(line, strlen(line), 1024), ERR_KEY_TOO_SMALL);
	free(line);
}

/* A FIDO key: the fields of a plain key, then the application. */
static void
check_sk_key(const char *plain, const char *type, enum pubkey_type want)
{
	struct pubkey *k = load(plain, 3072), *sk = NULL;
	char fp[PUBKEY_FP_LEN + 8], *line;
	struct wbuf b;

	wbuf_init(&b);
	wbuf_put_cstring(&b, type);
	wbuf_put_raw(&b, k->blob + k->fields_off, k->blob_len - k->fields_off);
	wbuf_put_cstring(&b, "ssh:");
	line = make_line(type, b.data, b.len, " fido\n");
	spill("sk.pub", line);
	oracle_fingerprint("sk.pub", fp, sizeof(fp));

	assert_int_equal(pubkey_parse(line, strlen(line), 3072, &sk), ERR_OK);
	assert_int_equal(sk->type, want);
	assert_int_equal(sk->bits, 256);
	assert_string_equal(sk->fp, fp);
	assert_int_equal(sk->fields_off, 4 + strlen(type));
	pubkey_free(sk);
	free(line);
	wbuf_free(&b);
	pubkey_free(k);
}

static void
pubkey_accepts_sk_ed25519_key(void **state)
{
	check_sk_key("ed25519", "sk-ssh-ed25519@openssh.com",
	    PUBKEY_SK_ED25519);
}

static void
pubkey_accepts_sk_ecdsa_key(void **state)
{
	check_sk_key("ecdsa256", "sk-ecdsa-sha2-nistp256@openssh.com",
	    PUBKEY_SK_ECDSA_P256);
}

static void
pubkey_refuses_sk_application_with_nul(void **state)
{
	struct pubkey *k = load("ed25519", 3072);
	struct wbuf b;

	wbuf_init(&b);
	wbuf_put_cstring(&b, "sk-ssh-ed25519@openssh.com");
	wbuf_put_raw(&b, k->blob + k->fields_off, k->blob_len - k->fields_off);
	wbuf_put_string(&b, "ssh:\0x", 6);
	assert_int_equal(parse_wbuf("sk-ssh-ed25519@openssh.com", &b),
	    ERR_KEY_FORMAT);
	pubkey_free(k);
}

static void
pubkey_accepts_line_without_final_newline(void **state)
{
	char *line = slurp("ed25519.pub", NULL);

	assert_int_equal(parse_n(line, strlen(line) - 1, 3072), ERR_OK);
	free(line);
}

static void
pubkey_accepts_crlf_line_ending(void **state)
{
	char *line = slurp("ed25519.pub", NULL);
	size_t n = strlen(line);

	line[n - 1] = '\r';
	line[n] = '\n';
	assert_int_equal(parse_n(line, n + 1, 3072), ERR_OK);
	free(line);
}

static void
pubkey_refuses_lone_carriage_return(void **state)
{
	char *line = slurp("ed25519.pub", NULL);

	line[strlen(line) - 1] = '\r';
	assert_int_equal(parse(line), ERR_KEY_FORMAT);
	free(line);
}

static void
pubkey_accepts_missing_or_empty_comment(void **state)
{
	struct pubkey *k = load("ed25519", 3072);
	char *line;

	line = make_line("ssh-ed25519", k->blob, k->blob_len, "\n");
	assert_int_equal(parse(line), ERR_OK);
	free(line);
	/* ssh-keygen -C "" writes a blank before the empty comment. */
	line = make_line("ssh-ed25519", k->blob, k->blob_len, " \n");
	assert_int_equal(parse(line), ERR_OK);
	free(line);
	pubkey_free(k);
}

static void
pubkey_accepts_comment_with_blanks_and_utf8(void **state)
{
	struct pubkey *k = load("ed25519", 3072);
	char *line;

	line = make_line("ssh-ed25519", k->blob, k->blob_len,
	    "\tJos\xc3\xa9 M. <jose@example.org>  laptop \n");
	assert_int_equal(parse(line), ERR_OK);
	free(line);
	pubkey_free(k);
}

static void
pubkey_refuses_control_characters_in_comment(void **state)
{
	struct pubkey *k = load("ed25519", 3072);
	char *line;

	line = make_line("ssh-ed25519", k->blob, k->blob_len,
	    " evil\x1b[2Jcomment\n");
	assert_int_equal(parse(line), ERR_KEY_FORMAT);
	free(line);
	line = make_line("ssh-ed25519", k->blob, k->blob_len, " del\x7f\n");
	assert_int_equal(parse(line), ERR_KEY_FORMAT);
	free(line);
	pubkey_free(k);
}

/* A valid key line padded with a comment to exactly n bytes. */
static char *
line_of_size(size_t n)
{
	char *line = slurp("ed25519.pub", NULL), *big;
	size_t len = strcspn(line, " ");

	len += 1 + strcspn(line + len + 1, " ");
	assert_non_null(big = malloc(n + 1));
	memcpy(big, line, len);
	memset(big + len, 'x', n - len);
	big[len] = ' ';
	big[n - 1] = '\n';
	big[n] = '\0';
	free(line);
	return big;
}

static void
pubkey_accepts_comment_up_to_the_input_bound(void **state)
{
	char *line = line_of_size(PUBKEY_MAX_INPUT);

	assert_int_equal(parse_n(line, PUBKEY_MAX_INPUT, 3072), ERR_OK);
	free(line);
}

static void
pubkey_refuses_input_one_byte_over_16_KiB(void **state)
{
	char *line = line_of_size(PUBKEY_MAX_INPUT + 1);

	assert_int_equal(parse_n(line, PUBKEY_MAX_INPUT + 1, 3072),
	    ERR_INPUT_TOO_LONG);
	free(line);
}

static void
pubkey_refuses_empty_input(void **state)
{
	assert_int_equal(parse_n("", 0, 3072), ERR_INPUT_EMPTY);
}

static void
pubkey_refuses_only_whitespace(void **state)
{
	assert_int_equal(parse("\n"), ERR_INPUT_EMPTY);
	assert_int_equal(parse("   \n"), ERR_INPUT_EMPTY);
	assert_int_equal(parse(" \t\r\n\n"), ERR_INPUT_EMPTY);
}

static void
pubkey_refuses_two_lines(void **state)
{
	char *one = slurp("ed25519.pub", NULL), *two;
	size_t n = strlen(one);

	assert_non_null(two = malloc(2 * n + 2));
	memcpy(two, one, n);
	memcpy(two + n, one, n + 1);
	assert_int_equal(parse(two), ERR_KEY_FORMAT);
	memcpy(two + n, "\n", 2);
	assert_int_equal(parse(two), ERR_KEY_FORMAT);
	free(two);
	free(one);
}

static void
pubkey_refuses_leading_whitespace(void **state)
{
	char *line = slurp("ed25519.pub", NULL), *sp;
	size_t n = strlen(line);

	assert_non_null(sp = malloc(n + 2));
	sp[0] = ' ';
	memcpy(sp + 1, line, n + 1);
	assert_int_equal(parse(sp), ERR_KEY_FORMAT);
	free(sp);
	free(line);
}

static void
pubkey_refuses_type_without_base64(void **state)
{
	assert_int_equal(parse("ssh-ed25519\n"), ERR_KEY_FORMAT);
	assert_int_equal(parse("ssh-ed25519 \n"), ERR_KEY_FORMAT);
	assert_int_equal(parse("hello\n"), ERR_KEY_FORMAT);
}

static void
pubkey_refuses_pasted_private_key(void **state)
{
	char *priv = slurp("ed25519", NULL);

	assert_int_equal(parse(priv), ERR_KEY_PRIVATE);
	free(priv);
	assert_int_equal(parse("-----BEGIN PRIVATE KEY-----\n"
	    "MC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n"),
	    ERR_KEY_PRIVATE);
	assert_int_equal(parse("\n-----BEGIN RSA PRIVATE KEY-----\n"),
	    ERR_KEY_PRIVATE);
	assert_int_equal(parse("PuTTY-User-Key-File-3: ssh-ed25519\n"),
	    ERR_KEY_PRIVATE);
}

static void
pubkey_refuses_pasted_private_key_even_when_too_long(void **state)
{
	char *big = line_of_size(PUBKEY_MAX_INPUT + 100);

	memcpy(big, "-----BEGIN OPENSSH PRIVATE KEY-----\n", 36);
	assert_int_equal(parse_n(big, PUBKEY_MAX_INPUT + 100, 3072),
	    ERR_KEY_PRIVATE);
	free(big);
}

/* A PEM public key is not a private key, and not an OpenSSH line. */
static void
pubkey_refuses_pem_public_key_as_format(void **state)
{
	assert_int_equal(parse("-----BEGIN PUBLIC KEY-----\n"
	    "MCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n"), ERR_KEY_FORMAT);
	assert_int_equal(parse("---- BEGIN SSH2 PUBLIC KEY ----\n"),
	    ERR_KEY_FORMAT);
}

static void
put_random_mpint(struct wbuf *b, size_t n)
{
	uint8_t buf[256];
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (uint8_t)(rand() | 0x01);
	buf[0] |= 0x80;
	wbuf_put_mpint(b, buf, n);
}

static void
pubkey_refuses_dsa_key(void **state)
{
	struct wbuf b;

	wbuf_init(&b);
	wbuf_put_cstring(&b, "ssh-dss");
	put_random_mpint(&b, 128);	/* p */
	put_random_mpint(&b, 20);	/* q */
	put_random_mpint(&b, 128);	/* g */
	put_random_mpint(&b, 128);	/* y */
	assert_int_equal(parse_wbuf("ssh-dss", &b), ERR_KEY_TYPE);
}

static void
pubkey_refuses_unknown_type(void **state)
{
	struct wbuf b;

	wbuf_init(&b);
	wbuf_put_cstring(&b, "ssh-foo@example.org");
	wbuf_put_string(&b, "0123456789abcdef0123456789abcdef", 32);
	assert_int_equal(parse_wbuf("ssh-foo@example.org", &b),
	    ERR_KEY_TYPE);
}

static void
pubkey_refuses_certificate(void **state)
{
	char ca[PATH_MAX], pub[PATH_MAX], out[OUT_MAX], *cert;

	path_of(ca, sizeof(ca), "ca");
	path_of(pub, sizeof(pub), "ed25519.pub");
	assert_int_equal(keygen_run(out, sizeof(out), "-q", "-s", ca, "-I",
	    "alice", "-n", "alice", "-V", "+1d", pub, NULL), 0);
	cert = slurp("ed25519-cert.pub", NULL);
	assert_int_equal(strncmp(cert, "ssh-ed25519-cert-v01@openssh.com ",
	    33), 0);
	assert_int_equal(parse(cert), ERR_KEY_TYPE);
	free(cert);
}

static void
pubkey_refuses_type_mismatch_between_line_and_blob(void **state)
{
	struct pubkey *k = load("ed25519", 3072);

	assert_int_equal(parse_blob("ssh-rsa", k->blob, k->blob_len),
	    ERR_KEY_FORMAT);
	assert_int_equal(parse_blob("ssh-ed25519x", k->blob, k->blob_len),
	    ERR_KEY_FORMAT);
	pubkey_free(k);
}

static void
pubkey_refuses_trailing_bytes_in_blob(void **state)
{
	struct pubkey *k;
	struct wbuf b;
	size_t i;

	for (i = 0; i < NPOLICYKEYS; i++) {
		k = load(keyfiles[i].name, 3072);
		wbuf_init(&b);
		wbuf_put_raw(&b, k->blob, k->blob_len);
		wbuf_put_u8(&b, 0);
		assert_int_equal(parse_wbuf(pubkey_type_name(k->type), &b),
		    ERR_KEY_FORMAT);
		pubkey_free(k);
	}
}

static void
pubkey_refuses_every_truncation_of_a_valid_blob(void **state)
{
	struct pubkey *k;
	size_t i, n;

	for (i = 0; i < NPOLICYKEYS; i++) {
		k = load(keyfiles[i].name, 3072);
		for (n = 0; n < k->blob_len; n++)
			assert_int_equal(parse_blob(pubkey_type_name(k->type),
			    k->blob, n), ERR_KEY_FORMAT);
		pubkey_free(k);
	}
}

static void
pubkey_refuses_huge_length_fields(void **state)
{
	struct pubkey *k = load("ed25519", 3072);
	struct wbuf b;

	wbuf_init(&b);
	wbuf_put_u32(&b, 0xffffffff);
	wbuf_put_raw(&b, "ssh-ed25519", 11);
	assert_int_equal(parse_wbuf("ssh-ed25519", &b), ERR_KEY_FORMAT);

	wbuf_init(&b);
	wbuf_put_cstring(&b, "ssh-ed25519");
	wbuf_put_u32(&b, 0xffffffff);
	wbuf_put_raw(&b, k->blob + k->blob_len - 32, 32);
	assert_int_equal(parse_wbuf("ssh-ed25519", &b), ERR_KEY_FORMAT);
	pubkey_free(k);
}

static void
pubkey_refuses_ed25519_key_not_32_bytes(void **state)
{
	static const uint8_t pk[33] = { 1, 2, 3 };
	struct wbuf b;

	wbuf_init(&b);
	wbuf_put_cstring(&b, "ssh-ed25519");
	wbuf_put_string(&b, pk, 31);
	assert_int_equal(parse_wbuf("ssh-ed25519", &b), ERR_KEY_FORMAT);
	wbuf_init(&b);
	wbuf_put_cstring(&b, "ssh-ed25519");
	wbuf_put_string(&b, pk, 33);
	assert_int_equal(parse_wbuf("ssh-ed25519", &b), ERR_KEY_FORMAT);
	wbuf_init(&b);
	wbuf_put_cstring(&b, "ssh-ed25519");
	wbuf_put_string(&b, pk, 32);
	assert_int_equal(parse_wbuf("ssh-ed25519", &b), ERR_OK);
}

/* An ECDSA blob of type and curve name with the point q. */
static enum err
parse_ecdsa(const char *type, const char *curve, const uint8_t *q,
    size_t qlen)
{
	struct wbuf b;

	wbuf_init(&b);
	wbuf_put_cstring(&b, type);
	wbuf_put_cstring(&b, curve);
	wbuf_put_string(&b, q, qlen);
	return parse_wbuf(type, &b);
}

static void
pubkey_refuses_ec_point_not_on_the_curve(void **state)
{
	struct pubkey *k = load("ecdsa256", 3072);
	const uint8_t *f[3];
	uint8_t q[65];
	size_t flen[3];

	blob_fields(k, f, flen, 3);
	assert_int_equal(flen[2], 65);
	memcpy(q, f[2], 65);
	assert_int_equal(parse_ecdsa("ecdsa-sha2-nistp256", "nistp256", q,
	    65), ERR_OK);
	q[64] ^= 1;
	assert_int_equal(parse_ecdsa("ecdsa-sha2-nistp256", "nistp256", q,
	    65), ERR_KEY_FORMAT);
	/* Coordinates at or above the field prime. */
	memset(q + 1, 0xff, 64);
	assert_int_equal(parse_ecdsa("ecdsa-sha2-nistp256", "nistp256", q,
	    65), ERR_KEY_FORMAT);
	pubkey_free(k);
}

static void
pubkey_refuses_ec_wrong_curve_name(void **state)
{
	struct pubkey *k256 = load("ecdsa256", 3072);
	struct pubkey *k384 = load("ecdsa384", 3072);
	const uint8_t *f[3];
	size_t flen[3];

	blob_fields(k256, f, flen, 3);
	assert_int_equal(parse_ecdsa("ecdsa-sha2-nistp256", "nistp384", f[2],
	    flen[2]), ERR_KEY_FORMAT);
	assert_int_equal(parse_ecdsa("ecdsa-sha2-nistp256", "nistp25", f[2],
	    flen[2]), ERR_KEY_FORMAT);
	assert_int_equal(parse_ecdsa("ecdsa-sha2-nistp384", "nistp384", f[2],
	    flen[2]), ERR_KEY_FORMAT);
	blob_fields(k384, f, flen, 3);
	assert_int_equal(parse_ecdsa("ecdsa-sha2-nistp256", "nistp256", f[2],
	    flen[2]), ERR_KEY_FORMAT);
	assert_int_equal(parse_ecdsa("ecdsa-sha2-nistp521", "nistp521", f[2],
	    flen[2]), ERR_KEY_FORMAT);
	pubkey_free(k256);
	pubkey_free(k384);
}

static void
pubkey_refuses_compressed_or_infinite_ec_point(void **state)
{
	struct pubkey *k = load("ecdsa256", 3072);
	const uint8_t *f[3];
	uint8_t q[33];
	size_t flen[3];

	blob_fields(k, f, flen, 3);
	q[0] = (uint8_t)(2 + (f[2][64] & 1));
	memcpy(q + 1, f[2] + 1, 32);
	assert_int_equal(parse_ecdsa("ecdsa-sha2-nistp256", "nistp256", q,
	    33), ERR_KEY_FORMAT);
	q[0] = 0;
	assert_int_equal(parse_ecdsa("ecdsa-sha2-nistp256", "nistp256", q,
	    1), ERR_KEY_FORMAT);
	pubkey_free(k);
}

/* An RSA blob with e and n given as raw SSH strings (any encoding). */
static enum err
parse_rsa_raw(const uint8_t *e, size_t elen, const uint8_t *n, size_t nlen)
{
	struct wbuf b;

	wbuf_init(&b);
	wbuf_put_cstring(&b, "ssh-rsa");
	wbuf_put_string(&b, e, elen);
	wbuf_put_string(&b, n, nlen);
	return parse_wbuf("ssh-rsa", &b);
}

static void
pubkey_refuses_non_canonical_mpint(void **state)
{
	struct pubkey *k = load("rsa3072", 3072);
	static const uint8_t e_padded[] = { 0x00, 0x01, 0x00, 0x01 };
	static const uint8_t e_ok[] = { 0x01, 0x00, 0x01 };
	const uint8_t *f[3];
	uint8_t n[400];
	size_t flen[3];

	blob_fields(k, f, flen, 3);
	assert_int_equal(flen[2], 385);		/* 00 and 384 bytes */
	assert_int_equal(parse_rsa_raw(e_ok, 3, f[2], flen[2]), ERR_OK);
	assert_int_equal(parse_rsa_raw(e_padded, 4, f[2], flen[2]),
	    ERR_KEY_FORMAT);
	n[0] = 0;
	memcpy(n + 1, f[2], flen[2]);
	assert_int_equal(parse_rsa_raw(e_ok, 3, n, flen[2] + 1),
	    ERR_KEY_FORMAT);
	/* Without its sign byte, n reads as negative. */
	assert_int_equal(parse_rsa_raw(e_ok, 3, f[2] + 1, flen[2] - 1),
	    ERR_KEY_FORMAT);
	pubkey_free(k);
}

static void
pubkey_refuses_rsa_exponent_even_or_below_3(void **state)
{
	struct pubkey *k = load("rsa3072", 3072);
	static const uint8_t even[] = { 0x01, 0x00, 0x00 };
	static const uint8_t one[] = { 0x01 };
	static const uint8_t two[] = { 0x02 };
	static const uint8_t three[] = { 0x03 };
	const uint8_t *f[3];
	size_t flen[3];

	blob_fields(k, f, flen, 3);
	assert_int_equal(parse_rsa_raw(even, 3, f[2], flen[2]),
	    ERR_KEY_FORMAT);
	assert_int_equal(parse_rsa_raw(one, 1, f[2], flen[2]),
	    ERR_KEY_FORMAT);
	assert_int_equal(parse_rsa_raw(two, 1, f[2], flen[2]),
	    ERR_KEY_FORMAT);
	assert_int_equal(parse_rsa_raw(three, 1, f[2], flen[2]), ERR_OK);
	pubkey_free(k);
}

static void
pubkey_refuses_rsa_even_modulus_or_one_above_16384_bits(void **state)
{
	static const uint8_t e[] = { 0x01, 0x00, 0x01 };
	uint8_t n[2100];

	memset(n, 0x55, sizeof(n));
	n[0] = 0x00;
	n[1] = 0x80;		/* 2049 bytes of magnitude: 16392 bits */
	assert_int_equal(parse_rsa_raw(e, 3, n, 2050), ERR_KEY_FORMAT);
	n[1] = 0x40;
	n[384] = 0x54;		/* 3072 bits, even */
	assert_int_equal(parse_rsa_raw(e, 3, n + 1, 384), ERR_KEY_FORMAT);
}

static void
pubkey_refuses_bad_base64(void **state)
{
	char *line = slurp("ed25519.pub", NULL);
	char *p = strchr(line, ' ') + 5;
	char c = *p;

	*p = '*';
	assert_int_equal(parse(line), ERR_KEY_FORMAT);
	*p = '-';
	assert_int_equal(parse(line), ERR_KEY_FORMAT);
	*p = c;
	assert_int_equal(parse(line), ERR_OK);
	free(line);
}

static void
pubkey_refuses_wrong_base64_padding(void **state)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *line = slurp("ecdsa256.pub", NULL), *bad, *pad;
	size_t n = strlen(line), at, v;

	/* A 104-byte blob: its base64 ends in one '='. */
	assert_non_null(pad = strchr(line, '='));
	assert_int_equal(pad[1], ' ');
	at = (size_t)(pad - line);
	assert_non_null(bad = malloc(n + 2));

	memcpy(bad, line, at);			/* the '=' dropped */
	memcpy(bad + at, line + at + 1, n - at);
	assert_int_equal(parse(bad), ERR_KEY_FORMAT);

	memcpy(bad, line, at + 1);		/* one '=' too many */
	memcpy(bad + at + 1, line + at, n - at + 1);
	assert_int_equal(parse(bad), ERR_KEY_FORMAT);

	/* The bits under the padding set: another text for the same blob. */
	memcpy(bad, line, n + 1);
	v = (size_t)(strchr(alphabet, bad[at - 1]) - alphabet);
	assert_int_equal(v & 3, 0);
	bad[at - 1] = alphabet[v | 1];
	assert_int_equal(parse(bad), ERR_KEY_FORMAT);
	assert_int_equal(parse(line), ERR_OK);
	free(bad);
	free(line);
}

static void
pubkey_refuses_embedded_nul(void **state)
{
	char *line = slurp("ed25519.pub", NULL);
	size_t n = strlen(line);

	line[n - 3] = '\0';		/* in the comment */
	assert_int_equal(parse_n(line, n, 3072), ERR_KEY_FORMAT);
	free(line);
	line = slurp("ed25519.pub", NULL);
	*(strchr(line, ' ') + 8) = '\0';	/* in the base64 */
	assert_int_equal(parse_n(line, n, 3072), ERR_KEY_FORMAT);
	free(line);
}

static void
pubkey_from_blob_applies_the_same_checks(void **state)
{
	struct pubkey *k = load("ecdsa384", 3072), *k2 = NULL;
	uint8_t *blob;

	assert_int_equal(pubkey_from_blob(k->blob, k->blob_len, 3072, &k2),
	    ERR_OK);
	assert_int_equal(k2->blob_len, k->blob_len);
	assert_memory_equal(k2->blob, k->blob, k->blob_len);
	assert_string_equal(k2->fp, k->fp);
	assert_int_equal(k2->bits, 384);
	pubkey_free(k2);
	k2 = NULL;

	assert_non_null(blob = malloc(k->blob_len + 1));
	memcpy(blob, k->blob, k->blob_len);
	blob[k->blob_len] = 0;
	assert_int_equal(pubkey_from_blob(blob, k->blob_len + 1, 3072, &k2),
	    ERR_KEY_FORMAT);
	blob[k->blob_len - 1] ^= 0x01;
	assert_int_equal(pubkey_from_blob(blob, k->blob_len, 3072, &k2),
	    ERR_KEY_FORMAT);
	assert_null(k2);
	free(blob);
	pubkey_free(k);
}

static void
pubkey_fingerprint_of_any_blob_matches_ssh_keygen(void **state)
{
	struct pubkey *k = load("rsa3072", 3072);
	char fp[PUBKEY_FP_LEN], want[PUBKEY_FP_LEN + 8];

	pubkey_fingerprint(k->blob, k->blob_len, fp);
	oracle_fingerprint("rsa3072.pub", want, sizeof(want));
	assert_string_equal(fp, want);
	assert_int_equal(strlen(fp), PUBKEY_FP_LEN - 1);
	pubkey_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    pubkey_accepts_each_key_type_with_ssh_keygen_fingerprint),
		cmocka_unit_test(
		    pubkey_line_is_the_type_and_base64_of_the_input),
		cmocka_unit_test(pubkey_type_names_are_openssh_names),
		cmocka_unit_test(
		    pubkey_accepts_rsa_2048_when_minimum_is_lowered),
		cmocka_unit_test(pubkey_refuses_rsa_below_minimum),
		cmocka_unit_test(
		    pubkey_refuses_rsa_below_floor_whatever_the_minimum),
		cmocka_unit_test(pubkey_accepts_sk_ed25519_key),
		cmocka_unit_test(pubkey_accepts_sk_ecdsa_key),
		cmocka_unit_test(pubkey_refuses_sk_application_with_nul),
		cmocka_unit_test(pubkey_accepts_line_without_final_newline),
		cmocka_unit_test(pubkey_accepts_crlf_line_ending),
		cmocka_unit_test(pubkey_refuses_lone_carriage_return),
		cmocka_unit_test(pubkey_accepts_missing_or_empty_comment),
		cmocka_unit_test(pubkey_accepts_comment_with_blanks_and_utf8),
		cmocka_unit_test(
		    pubkey_refuses_control_characters_in_comment),
		cmocka_unit_test(pubkey_accepts_comment_up_to_the_input_bound),
		cmocka_unit_test(pubkey_refuses_input_one_byte_over_16_KiB),
		cmocka_unit_test(pubkey_refuses_empty_input),
		cmocka_unit_test(pubkey_refuses_only_whitespace),
		cmocka_unit_test(pubkey_refuses_two_lines),
		cmocka_unit_test(pubkey_refuses_leading_whitespace),
		cmocka_unit_test(pubkey_refuses_type_without_base64),
		cmocka_unit_test(pubkey_refuses_pasted_private_key),
		cmocka_unit_test(
		    pubkey_refuses_pasted_private_key_even_when_too_long),
		cmocka_unit_test(pubkey_refuses_pem_public_key_as_format),
		cmocka_unit_test(pubkey_refuses_dsa_key),
		cmocka_unit_test(pubkey_refuses_unknown_type),
		cmocka_unit_test(pubkey_refuses_certificate),
		cmocka_unit_test(
		    pubkey_refuses_type_mismatch_between_line_and_blob),
		cmocka_unit_test(pubkey_refuses_trailing_bytes_in_blob),
		cmocka_unit_test(
		    pubkey_refuses_every_truncation_of_a_valid_blob),
		cmocka_unit_test(pubkey_refuses_huge_length_fields),
		cmocka_unit_test(pubkey_refuses_ed25519_key_not_32_bytes),
		cmocka_unit_test(pubkey_refuses_ec_point_not_on_the_curve),
		cmocka_unit_test(pubkey_refuses_ec_wrong_curve_name),
		cmocka_unit_test(
		    pubkey_refuses_compressed_or_infinite_ec_point),
		cmocka_unit_test(pubkey_refuses_non_canonical_mpint),
		cmocka_unit_test(pubkey_refuses_rsa_exponent_even_or_below_3),
		cmocka_unit_test(
		    pubkey_refuses_rsa_even_modulus_or_one_above_16384_bits),
		cmocka_unit_test(pubkey_refuses_bad_base64),
		cmocka_unit_test(pubkey_refuses_wrong_base64_padding),
		cmocka_unit_test(pubkey_refuses_embedded_nul),
		cmocka_unit_test(pubkey_from_blob_applies_the_same_checks),
		cmocka_unit_test(
		    pubkey_fingerprint_of_any_blob_matches_ssh_keygen),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
