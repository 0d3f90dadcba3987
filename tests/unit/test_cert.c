/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of cert and cakey, with the real ssh-keygen as the oracle.
 *
 * CA keys of every algorithm are made with cakey_generate(), user keys
 * of every type with ssh-keygen (FIDO keys by hand, since they need a
 * token). Every certificate must then be read by "ssh-keygen -L" with
 * exactly the serial, key id, principals, validity and extensions asked
 * for, must equal byte for byte what "ssh-keygen -s" makes from the
 * same request (but for the random nonce and the signature), and must
 * be refused once any byte is changed.
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

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "base64.h"
#include "cakey.h"
#include "cert.h"
#include "keygen.h"
#include "pubkey.h"
#include "wire.h"

#define OUT_MAX		(128 * 1024)

/* 2023-11-14T22:13:20Z and one day later. */
#define VALID_AFTER	1700000000ULL
#define VALID_BEFORE	1700086400ULL
#define VALIDITY_ARG	"20231114221320:20231115221320"
#define VALIDITY_TEXT	"from 2023-11-14T22:13:20 to 2023-11-15T22:13:20"

static char tmpdir[PATH_MAX];
static char out[OUT_MAX];

struct caspec {
	char		*file;
	enum cakey_alg	 alg;
	const char	*label;		/* as ssh-keygen -L names it */
	const char	*sig;		/* the signature algorithm */
};

static const struct caspec cas[] = {
	{ "ca-ed25519.pem", CAKEY_ED25519, "ED25519", "ssh-ed25519" },
	{ "ca-p256.pem", CAKEY_ECDSA_P256, "ECDSA", "ecdsa-sha2-nistp256" },
	{ "ca-p384.pem", CAKEY_ECDSA_P384, "ECDSA", "ecdsa-sha2-nistp384" },
	{ "ca-p521.pem", CAKEY_ECDSA_P521, "ECDSA", "ecdsa-sha2-nistp521" },
	{ "ca-rsa.pem", CAKEY_RSA, "RSA", "rsa-sha2-512" },
};
#define NCAS	(sizeof(cas) / sizeof(cas[0]))

struct userspec {
	char		*name;
	char		*type;		/* ssh-keygen -t; NULL: by hand */
	char		*bits;
	const char	*label;		/* as ssh-keygen -L names it */
};

static const struct userspec users[] = {
	{ "ed25519", "ed25519", "256", "ED25519-CERT" },
	{ "ecdsa256", "ecdsa", "256", "ECDSA-CERT" },
	{ "ecdsa384", "ecdsa", "384", "ECDSA-CERT" },
	{ "ecdsa521", "ecdsa", "521", "ECDSA-CERT" },
	{ "rsa3072", "rsa", "3072", "RSA-CERT" },
	{ "sk-ed25519", NULL, NULL, "ED25519-SK-CERT" },
	{ "sk-ecdsa", NULL, NULL, "ECDSA-SK-CERT" },
};
#define NUSERS	(sizeof(users) / sizeof(users[0]))

static const char *const principals[] = { "alice", "root-ops" };

/* ssh-keygen with the NULL-terminated arguments, its output in out. */
static int
keygen(char *arg, ...)
{
	va_list ap;
	int rc;

	va_start(ap, arg);
	rc = keygen_vrun(out, sizeof(out), arg, ap);
	va_end(ap);
	return rc;
}

static char *
path_of(char *buf, const char *name)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", tmpdir, name);

	assert_true(n > 0 && n < PATH_MAX);
	return buf;
}

static char *
slurp(const char *name)
{
	char path[PATH_MAX], *buf;
	FILE *f;

	assert_non_null(f = fopen(path_of(path, name), "r"));
	assert_non_null(buf = calloc(1, 65536));
	assert_true(fread(buf, 1, 65535, f) > 0);
	fclose(f);
	return buf;
}

static void
spill(const char *name, const char *s)
{
	char path[PATH_MAX];
	FILE *f;

	assert_non_null(f = fopen(path_of(path, name), "w"));
	assert_true(fputs(s, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* What "ssh-keygen -l -E sha256" says of the file (its 2nd field). */
static void
oracle_fingerprint(const char *name, char *fp, size_t fpsz)
{
	char path[PATH_MAX], *p, *end;

	assert_int_equal(keygen("-l", "-E", "sha256", "-f",
	    path_of(path, name), NULL), 0);
	assert_non_null(p = strchr(out, ' '));
	p++;
	assert_non_null(end = strchr(p, ' '));
	assert_true((size_t)(end - p) < fpsz);
	memcpy(fp, p, (size_t)(end - p));
	fp[end - p] = '\0';
}

static struct pubkey *
load_user(const char *name)
{
	struct pubkey *k = NULL;
	char file[64], *line;

	snprintf(file, sizeof(file), "%s.pub", name);
	line = slurp(file);
	assert_int_equal(pubkey_parse(line, strlen(line), 3072, &k), ERR_OK);
	free(line);
	return k;
}

static struct cakey *
load_ca(const char *file)
{
	struct cakey *ca = NULL;
	char path[PATH_MAX];

	assert_int_equal(cakey_load(path_of(path, file), &ca), ERR_OK);
	return ca;
}

/* A FIDO key line from a plain key's fields and an application. */
static int
make_sk_user(const char *plain, const char *type, const char *name)
{
	struct pubkey *k = load_user(plain);
	struct wbuf b;
	char file[64], *b64, line[1024];

	wbuf_init(&b);
	wbuf_put_cstring(&b, type);
	wbuf_put_raw(&b, k->blob + k->fields_off, k->blob_len - k->fields_off);
	wbuf_put_cstring(&b, "ssh:");
	b64 = base64_encode(b.data, b.len);
	snprintf(line, sizeof(line), "%s %s fido\n", type, b64);
	snprintf(file, sizeof(file), "%s.pub", name);
	spill(file, line);
	free(b64);
	wbuf_free(&b);
	pubkey_free(k);
	return 0;
}

static int
group_setup(void **state)
{
	char path[PATH_MAX];
	const char *t = getenv("TMPDIR");
	size_t i;

	snprintf(tmpdir, sizeof(tmpdir), "%s/test_cert.XXXXXX",
	    t != NULL ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	for (i = 0; i < NUSERS && users[i].type != NULL; i++) {
		if (keygen("-q", "-N", "", "-C", "user@example", "-t",
		    users[i].type, "-b", users[i].bits, "-f",
		    path_of(path, users[i].name), NULL) != 0) {
			fprintf(stderr, "ssh-keygen: %s\n", out);
			return -1;
		}
	}
	make_sk_user("ed25519", "sk-ssh-ed25519@openssh.com", "sk-ed25519");
	make_sk_user("ecdsa256", "sk-ecdsa-sha2-nistp256@openssh.com",
	    "sk-ecdsa");
	for (i = 0; i < NCAS; i++)
		if (cakey_generate(path_of(path, cas[i].file), cas[i].alg,
		    0) != ERR_OK)
			return -1;
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

static void
init_request(struct cert_request *req, const struct pubkey *k)
{
	memset(req, 0, sizeof(*req));
	req->key = k;
	req->serial = 42;
	req->key_id = "alice/42";
	req->principals = principals;
	req->nprincipals = 2;
	req->valid_after = VALID_AFTER;
	req->valid_before = VALID_BEFORE;
}

/* The certificate line for user signed by ca, with the usual request. */
static char *
sign(const char *user, const char *ca_file)
{
	struct pubkey *k = load_user(user);
	struct cakey *ca = load_ca(ca_file);
	struct cert_request req;
	char *line = NULL;

	init_request(&req, k);
	assert_int_equal(cert_build(&req, ca, &line), ERR_OK);
	assert_non_null(line);
	cakey_free(ca);
	pubkey_free(k);
	return line;
}

/* The certificate blob of a line (its second field). */
static uint8_t *
cert_blob(const char *line, size_t *len)
{
	const char *b64 = strchr(line, ' ') + 1;
	uint8_t *blob = NULL;

	assert_int_equal(base64_decode(b64, strcspn(b64, " "), &blob, len),
	    0);
	return blob;
}

/* The line again, with its blob replaced. */
static char *
relabel(const char *line, const uint8_t *blob, size_t len)
{
	const char *b64 = strchr(line, ' ') + 1;
	const char *rest = b64 + strcspn(b64, " ");
	char *enc, *s;
	size_t n;

	assert_non_null(enc = base64_encode(blob, len));
	n = (size_t)(b64 - line) + strlen(enc) + strlen(rest) + 1;
	assert_non_null(s = malloc(n));
	snprintf(s, n, "%.*s%s%s", (int)(b64 - line), line, enc, rest);
	free(enc);
	return s;
}

/* The fingerprint of the CA as ssh-keygen computes it. */
static void
ca_fingerprint(const char *ca_file, char *fp, size_t fpsz)
{
	struct cakey *ca = load_ca(ca_file);
	char *line;

	assert_non_null(line = cakey_publine(ca, "ca"));
	spill("ca-check.pub", line);
	oracle_fingerprint("ca-check.pub", fp, fpsz);
	free(line);
	cakey_free(ca);
}

/* Check ssh-keygen -L's whole reading of user's cert signed by ca. */
static void
check_listing(const struct userspec *u, const struct caspec *c)
{
	char path[PATH_MAX], file[64], ufp[64], cafp[64];
	char want[PATH_MAX + 1024];
	char *line = sign(u->name, c->file);
	struct pubkey *k = load_user(u->name);

	snprintf(file, sizeof(file), "%s.pub", u->name);
	oracle_fingerprint(file, ufp, sizeof(ufp));
	ca_fingerprint(c->file, cafp, sizeof(cafp));
	spill("cert.pub", line);
	path_of(path, "cert.pub");
	snprintf(want, sizeof(want),
	    "%s:\n"
	    "        Type: %s user certificate\n"
	    "        Public key: %s %s\n"
	    "        Signing CA: %s %s (using %s)\n"
	    "        Key ID: \"alice/42\"\n"
	    "        Serial: 42\n"
	    "        Valid: " VALIDITY_TEXT "\n"
	    "        Principals: \n"
	    "                alice\n"
	    "                root-ops\n"
	    "        Critical Options: (none)\n"
	    "        Extensions: \n"
	    "                permit-X11-forwarding\n"
	    "                permit-agent-forwarding\n"
	    "                permit-port-forwarding\n"
	    "                permit-pty\n"
	    "                permit-user-rc\n",
	    path, pubkey_cert_type_name(k->type), u->label, ufp,
	    c->label, cafp, c->sig);
	assert_int_equal(keygen("-L", "-f", path, NULL), 0);
	assert_string_equal(out, want);
	pubkey_free(k);
	free(line);
}

static void
cert_signed_by_each_ca_algorithm_reads_back_in_ssh_keygen(void **state)
{
	size_t i;

	for (i = 0; i < NCAS; i++)
		check_listing(&users[0], &cas[i]);
}

static void
cert_for_each_user_key_type_reads_back_in_ssh_keygen(void **state)
{
	size_t i;

	for (i = 0; i < NUSERS; i++)
		check_listing(&users[i], &cas[0]);
}

/* A certificate blob cut into its fields (pointers into the blob). */
struct certview {
	const uint8_t	*type, *nonce, *key, *key_id, *princ;
	const uint8_t	*crit, *ext, *reserved, *ca, *sig;
	size_t		 type_len, nonce_len, key_len, key_id_len;
	size_t		 princ_len, crit_len, ext_len, reserved_len;
	size_t		 ca_len, sig_len;
	uint64_t	 serial, valid_after, valid_before;
	uint32_t	 cert_type;
	size_t		 signed_len;	/* what the signature covers */
};

static void
view_cert(const uint8_t *blob, size_t len, const struct pubkey *k,
    struct certview *v)
{
	struct wreader r;

	memset(v, 0, sizeof(*v));
	wread_init(&r, blob, len);
	assert_int_equal(wread_string(&r, &v->type, &v->type_len), 0);
	assert_int_equal(wread_string(&r, &v->nonce, &v->nonce_len), 0);
	v->key = r.p;
	v->key_len = k->blob_len - k->fields_off;
	assert_true(r.left >= v->key_len);
	r.p += v->key_len;
	r.left -= v->key_len;
	assert_int_equal(wread_u64(&r, &v->serial), 0);
	assert_int_equal(wread_u32(&r, &v->cert_type), 0);
	assert_int_equal(wread_string(&r, &v->key_id, &v->key_id_len), 0);
	assert_int_equal(wread_string(&r, &v->princ, &v->princ_len), 0);
	assert_int_equal(wread_u64(&r, &v->valid_after), 0);
	assert_int_equal(wread_u64(&r, &v->valid_before), 0);
	assert_int_equal(wread_string(&r, &v->crit, &v->crit_len), 0);
	assert_int_equal(wread_string(&r, &v->ext, &v->ext_len), 0);
	assert_int_equal(wread_string(&r, &v->reserved, &v->reserved_len), 0);
	assert_int_equal(wread_string(&r, &v->ca, &v->ca_len), 0);
	v->signed_len = len - r.left;
	assert_int_equal(wread_string(&r, &v->sig, &v->sig_len), 0);
	assert_int_equal(wread_end(&r), 0);
}

/* The algorithm name at the head of a signature blob. */
static void
sig_alg(const struct certview *v, char *name, size_t namesz)
{
	struct wreader r;
	const uint8_t *p;
	size_t n;

	wread_init(&r, v->sig, v->sig_len);
	assert_int_equal(wread_string(&r, &p, &n), 0);
	assert_true(n < namesz);
	memcpy(name, p, n);
	name[n] = '\0';
}

/*
 * ssh-keygen -s makes the same certificate from the same request: every
 * byte equal but the random nonce and the signature. (ssh-keygen reads
 * PEM CA keys for ECDSA and RSA, not for Ed25519.)
 */
static void
check_same_as_ssh_keygen(const char *user, const char *ca_file,
    const char *sig)
{
	char path[PATH_MAX], pub[PATH_MAX], file[64], name[64];
	char *mine, *theirs;
	struct pubkey *k = load_user(user);
	struct certview a, b;
	uint8_t *ab, *bb;
	size_t alen, blen, key_off;

	mine = sign(user, ca_file);
	snprintf(file, sizeof(file), "%s.pub", user);
	assert_int_equal(keygen("-q", "-s", path_of(path, ca_file), "-I",
	    "alice/42", "-n", "alice,root-ops", "-z", "42", "-V",
	    VALIDITY_ARG, path_of(pub, file), NULL), 0);
	snprintf(file, sizeof(file), "%s-cert.pub", user);
	theirs = slurp(file);

	ab = cert_blob(mine, &alen);
	bb = cert_blob(theirs, &blen);
	view_cert(ab, alen, k, &a);
	view_cert(bb, blen, k, &b);
	assert_int_equal(a.type_len, b.type_len);
	assert_memory_equal(a.type, b.type, a.type_len);
	assert_int_equal(a.nonce_len, 32);
	assert_int_equal(b.nonce_len, 32);
	assert_memory_equal(a.nonce - 4, b.nonce - 4, 4);
	key_off = (size_t)(a.key - ab);
	assert_int_equal(a.signed_len, b.signed_len);
	assert_memory_equal(ab + key_off, bb + key_off,
	    a.signed_len - key_off);
	sig_alg(&a, name, sizeof(name));
	assert_string_equal(name, sig);
	sig_alg(&b, name, sizeof(name));
	assert_string_equal(name, sig);
	/* The same type in the line (ssh-keygen keeps the key's comment). */
	assert_int_equal(strcspn(mine, " "), strcspn(theirs, " "));
	assert_memory_equal(mine, theirs, strcspn(mine, " "));
	free(ab);
	free(bb);
	free(mine);
	free(theirs);
	pubkey_free(k);
}

static void
cert_equals_ssh_keygen_but_for_nonce_and_signature(void **state)
{
	check_same_as_ssh_keygen("ed25519", "ca-p256.pem",
	    "ecdsa-sha2-nistp256");
	check_same_as_ssh_keygen("rsa3072", "ca-rsa.pem", "rsa-sha2-512");
	check_same_as_ssh_keygen("ecdsa521", "ca-p384.pem",
	    "ecdsa-sha2-nistp384");
	check_same_as_ssh_keygen("ecdsa384", "ca-p521.pem",
	    "ecdsa-sha2-nistp521");
}

static void
cert_layout_follows_protocol_certkeys(void **state)
{
	static const char *const exts[] = {
		"permit-X11-forwarding", "permit-agent-forwarding",
		"permit-port-forwarding", "permit-pty", "permit-user-rc",
	};
	struct pubkey *k = load_user("ecdsa256");
	struct cakey *ca = load_ca("ca-ed25519.pem");
	struct wbuf pr, ex;
	struct certview v;
	const uint8_t *ca_blob;
	char *line = sign("ecdsa256", "ca-ed25519.pem"), name[64];
	uint8_t *blob;
	size_t i, len, ca_len;

	blob = cert_blob(line, &len);
	view_cert(blob, len, k, &v);
	assert_int_equal(v.type_len,
	    strlen("ecdsa-sha2-nistp256-cert-v01@openssh.com"));
	assert_memory_equal(v.type,
	    "ecdsa-sha2-nistp256-cert-v01@openssh.com", v.type_len);
	assert_int_equal(v.nonce_len, 32);
	assert_memory_equal(v.key, k->blob + k->fields_off, v.key_len);
	assert_true(v.serial == 42);
	assert_int_equal(v.cert_type, 1);
	assert_int_equal(v.key_id_len, 8);
	assert_memory_equal(v.key_id, "alice/42", 8);

	wbuf_init(&pr);
	wbuf_put_cstring(&pr, "alice");
	wbuf_put_cstring(&pr, "root-ops");
	assert_int_equal(v.princ_len, pr.len);
	assert_memory_equal(v.princ, pr.data, pr.len);
	wbuf_free(&pr);

	assert_true(v.valid_after == VALID_AFTER);
	assert_true(v.valid_before == VALID_BEFORE);
	assert_int_equal(v.crit_len, 0);
	wbuf_init(&ex);
	for (i = 0; i < 5; i++) {
		wbuf_put_cstring(&ex, exts[i]);
		wbuf_put_u32(&ex, 0);
	}
	assert_int_equal(v.ext_len, ex.len);
	assert_memory_equal(v.ext, ex.data, ex.len);
	wbuf_free(&ex);
	assert_int_equal(v.reserved_len, 0);

	ca_blob = cakey_pubblob(ca, &ca_len);
	assert_int_equal(v.ca_len, ca_len);
	assert_memory_equal(v.ca, ca_blob, ca_len);
	sig_alg(&v, name, sizeof(name));
	assert_string_equal(name, "ssh-ed25519");
	assert_int_equal(v.sig_len, 4 + 11 + 4 + 64);
	free(blob);
	free(line);
	cakey_free(ca);
	pubkey_free(k);
}

/*
 * Flip one bit at off of the certificate; ssh-keygen must refuse it,
 * saying why (when why is not NULL).
 */
static void
check_tamper(const char *line, size_t off, const char *why)
{
	char path[PATH_MAX], *bad;
	uint8_t *blob;
	size_t len;

	blob = cert_blob(line, &len);
	assert_true(off < len);
	blob[off] ^= 0x01;
	bad = relabel(line, blob, len);
	spill("tampered.pub", bad);
	assert_int_not_equal(keygen("-L", "-f", path_of(path, "tampered.pub"),
	    NULL), 0);
	if (why != NULL)
		assert_non_null(strstr(out, why));
	free(bad);
	free(blob);
}

static void
cert_with_a_tampered_byte_is_refused_by_ssh_keygen(void **state)
{
	static const char badsig[] = "incorrect signature";
	struct pubkey *k = load_user("ed25519");
	struct certview v;
	uint8_t *blob;
	char path[PATH_MAX], *line;
	size_t i, len, id;

	for (i = 0; i < NCAS; i++) {
		line = sign("ed25519", cas[i].file);
		blob = cert_blob(line, &len);
		view_cert(blob, len, k, &v);
		/* The untouched certificate passes. */
		spill("tampered.pub", line);
		assert_int_equal(keygen("-L", "-f",
		    path_of(path, "tampered.pub"), NULL), 0);
		assert_null(strstr(out, badsig));

		id = (size_t)(v.key_id - blob);
		check_tamper(line, (size_t)(v.nonce - blob), badsig);
		check_tamper(line, (size_t)(v.key - blob) + 10, badsig);
		check_tamper(line, id - 9, badsig);	/* serial */
		check_tamper(line, id - 5, NULL);	/* user becomes host */
		check_tamper(line, id + 1, badsig);
		check_tamper(line, (size_t)(v.princ - blob) + 5, badsig);
		check_tamper(line, (size_t)(v.princ - blob) + v.princ_len + 7,
		    badsig);				/* valid_after */
		check_tamper(line, (size_t)(v.ext - blob) + 10, badsig);
		check_tamper(line, (size_t)(v.ca - blob) + v.ca_len - 2, NULL);
		/* OpenSSH calls a bad RSA signature "error in libcrypto". */
		check_tamper(line, len - 2,
		    cas[i].alg == CAKEY_RSA ? "error in libcrypto" : badsig);
		free(blob);
		free(line);
	}
	pubkey_free(k);
}

static void
cert_nonce_is_fresh_for_each_certificate(void **state)
{
	struct pubkey *k = load_user("ed25519");
	struct certview a, b;
	char *l1 = sign("ed25519", "ca-ed25519.pem");
	char *l2 = sign("ed25519", "ca-ed25519.pem");
	uint8_t *b1, *b2;
	size_t n1, n2;

	b1 = cert_blob(l1, &n1);
	b2 = cert_blob(l2, &n2);
	view_cert(b1, n1, k, &a);
	view_cert(b2, n2, k, &b);
	assert_memory_not_equal(a.nonce, b.nonce, 32);
	free(b1);
	free(b2);
	free(l1);
	free(l2);
	pubkey_free(k);
}

static void
cert_line_is_type_base64_key_id_and_one_newline(void **state)
{
	char *line = sign("rsa3072", "ca-ed25519.pem");
	size_t n = strlen(line);

	assert_int_equal(strncmp(line, "ssh-rsa-cert-v01@openssh.com ", 29),
	    0);
	assert_string_equal(line + n - strlen(" alice/42\n"), " alice/42\n");
	assert_ptr_equal(strchr(line, '\n'), line + n - 1);
	free(line);
}

/* cert_build on req must give ERR_USAGE and leave *line alone. */
static void
check_usage(const struct cert_request *req)
{
	struct cakey *ca = load_ca("ca-ed25519.pem");
	char *line = (char *)out;

	assert_int_equal(cert_build(req, ca, &line), ERR_USAGE);
	assert_ptr_equal(line, out);
	cakey_free(ca);
}

static void
cert_refuses_empty_principals(void **state)
{
	struct pubkey *k = load_user("ed25519");
	struct cert_request req;

	init_request(&req, k);
	req.nprincipals = 0;
	check_usage(&req);
	req.principals = NULL;
	req.nprincipals = 1;
	check_usage(&req);
	pubkey_free(k);
}

static void
cert_refuses_principal_empty_or_with_comma_or_control(void **state)
{
	static const char *const bad[] = {
		"", "alice,root", "ali\nce", "\x1b[0m", "del\x7f",
	};
	struct pubkey *k = load_user("ed25519");
	struct cert_request req;
	const char *list[2];
	size_t i;

	init_request(&req, k);
	req.principals = list;
	list[0] = "alice";
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		list[1] = bad[i];
		check_usage(&req);
	}
	pubkey_free(k);
}

static void
cert_refuses_key_id_empty_or_with_comma_or_control(void **state)
{
	static const char *const bad[] = {
		"", "alice,42", "alice/42\nfake line", "a\tb",
	};
	struct pubkey *k = load_user("ed25519");
	struct cert_request req;
	size_t i;

	init_request(&req, k);
	req.key_id = NULL;
	check_usage(&req);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		req.key_id = bad[i];
		check_usage(&req);
	}
	pubkey_free(k);
}

static void
cert_refuses_names_over_their_bounds(void **state)
{
	struct pubkey *k = load_user("ed25519");
	struct cert_request req;
	const char *list[1];
	char name[CERT_MAX_PRINCIPAL_LEN + 2];

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	init_request(&req, k);
	req.key_id = name;
	check_usage(&req);
	init_request(&req, k);
	list[0] = name;
	req.principals = list;
	req.nprincipals = 1;
	check_usage(&req);
	pubkey_free(k);
}

static void
cert_refuses_too_many_principals(void **state)
{
	struct pubkey *k = load_user("ed25519");
	struct cert_request req;
	const char *list[CERT_MAX_PRINCIPALS + 1];
	size_t i;

	for (i = 0; i < CERT_MAX_PRINCIPALS + 1; i++)
		list[i] = "alice";
	init_request(&req, k);
	req.principals = list;
	req.nprincipals = CERT_MAX_PRINCIPALS + 1;
	check_usage(&req);
	pubkey_free(k);
}

static void
cert_refuses_empty_validity_interval(void **state)
{
	struct pubkey *k = load_user("ed25519");
	struct cert_request req;

	init_request(&req, k);
	req.valid_before = req.valid_after;
	check_usage(&req);
	req.valid_before = req.valid_after - 1;
	check_usage(&req);
	pubkey_free(k);
}

static void
cert_at_every_bound_reads_back_in_ssh_keygen(void **state)
{
	static char names[CERT_MAX_PRINCIPALS][CERT_MAX_PRINCIPAL_LEN + 1];
	struct pubkey *k = load_user("ed25519");
	struct cakey *ca = load_ca("ca-p521.pem");
	struct cert_request req;
	const char *list[CERT_MAX_PRINCIPALS];
	char path[PATH_MAX], *line = NULL;
	size_t i;

	for (i = 0; i < CERT_MAX_PRINCIPALS; i++) {
		memset(names[i], 'p', CERT_MAX_PRINCIPAL_LEN);
		snprintf(names[i], 8, "%03zu", i);
		names[i][3] = 'p';
		list[i] = names[i];
	}
	init_request(&req, k);
	req.principals = list;
	req.nprincipals = CERT_MAX_PRINCIPALS;
	req.key_id = names[7];
	req.serial = UINT64_MAX;
	req.valid_after = 0;
	req.valid_before = UINT64_MAX;
	assert_int_equal(cert_build(&req, ca, &line), ERR_OK);
	spill("big-cert.pub", line);
	assert_int_equal(keygen("-L", "-f", path_of(path, "big-cert.pub"),
	    NULL), 0);
	assert_non_null(strstr(out, "Serial: 18446744073709551615\n"));
	assert_non_null(strstr(out, "Valid: forever\n"));
	assert_non_null(strstr(out, names[CERT_MAX_PRINCIPALS - 1]));
	free(line);
	cakey_free(ca);
	pubkey_free(k);
}

static void
cakey_generate_writes_owner_only_file_and_never_replaces(void **state)
{
	char path[PATH_MAX], *before, *after;
	struct stat st;
	size_t i;

	for (i = 0; i < NCAS; i++) {
		path_of(path, cas[i].file);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0600);
		before = slurp(cas[i].file);
		assert_non_null(strstr(before, "-----BEGIN PRIVATE KEY-----"));
		assert_int_equal(cakey_generate(path, cas[i].alg, 0),
		    ERR_EXISTS);
		after = slurp(cas[i].file);
		assert_string_equal(before, after);
		free(before);
		free(after);
	}
}

static void
cakey_generate_refuses_rsa_below_2048_bits(void **state)
{
	char path[PATH_MAX];
	struct stat st;

	path_of(path, "ca-small.pem");
	assert_int_equal(cakey_generate(path, CAKEY_RSA, 1024), ERR_CA_KEY);
	assert_int_equal(stat(path, &st), -1);
}

static void
cakey_publine_is_what_ssh_keygen_derives(void **state)
{
	char path[PATH_MAX], *line, want[4096];
	struct cakey *ca;
	size_t i;

	/* ssh-keygen reads PKCS#8 PEM for ECDSA and RSA, not Ed25519. */
	for (i = 1; i < NCAS; i++) {
		ca = load_ca(cas[i].file);
		assert_int_equal(keygen("-y", "-f",
		    path_of(path, cas[i].file), NULL), 0);
		assert_non_null(line = cakey_publine(ca, NULL));
		snprintf(want, sizeof(want), "%s\n", line);
		assert_string_equal(out, want);
		free(line);
		assert_non_null(line = cakey_publine(ca, "ca@example"));
		assert_non_null(strstr(line, " ca@example"));
		free(line);
		cakey_free(ca);
	}
}

/* Write pkey as PEM into the test folder, PKCS#8 or not, owner-only. */
static void
write_pem(const char *name, EVP_PKEY *pkey, int traditional,
    const EVP_CIPHER *enc)
{
	char path[PATH_MAX];
	BIO *bio;
	int r;

	assert_non_null(pkey);
	assert_non_null(bio = BIO_new_file(path_of(path, name), "w"));
	if (traditional)
		r = PEM_write_bio_PrivateKey_traditional(bio, pkey, NULL,
		    NULL, 0, NULL, NULL);
	else if (enc != NULL)
		r = PEM_write_bio_PKCS8PrivateKey(bio, pkey, enc, "secret",
		    6, NULL, NULL);
	else
		r = PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL,
		    NULL);
	assert_int_equal(r, 1);
	BIO_free(bio);
	assert_int_equal(chmod(path, 0600), 0);
	EVP_PKEY_free(pkey);
}

static void
check_load_refused(const char *name)
{
	struct cakey *ca = NULL;
	char path[PATH_MAX];

	assert_int_equal(cakey_load(path_of(path, name), &ca), ERR_CA_KEY);
	assert_null(ca);
}

static void
cakey_load_refuses_what_is_not_a_usable_pkcs8_key(void **state)
{
	check_load_refused("missing.pem");
	check_load_refused(".");
	check_load_refused("ed25519.pub");
	check_load_refused("ed25519");		/* OpenSSH's own format */
	write_pem("enc.pem", EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"),
	    0, EVP_aes_256_cbc());
	check_load_refused("enc.pem");
	write_pem("trad.pem", EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"),
	    1, NULL);
	check_load_refused("trad.pem");
	write_pem("rsa1024.pem", EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
	    (size_t)1024), 0, NULL);
	check_load_refused("rsa1024.pem");
	write_pem("k256.pem", EVP_PKEY_Q_keygen(NULL, NULL, "EC",
	    "secp256k1"), 0, NULL);
	check_load_refused("k256.pem");
	write_pem("ed448.pem", EVP_PKEY_Q_keygen(NULL, NULL, "ED448"), 0,
	    NULL);
	check_load_refused("ed448.pem");
}

static void
cakey_load_accepts_group_readable_key_with_a_warning(void **state)
{
	char path[PATH_MAX];
	struct cakey *ca = NULL;

	write_pem("loose.pem", EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"), 0,
	    NULL);
	assert_int_equal(chmod(path_of(path, "loose.pem"), 0640), 0);
	assert_int_equal(cakey_load(path, &ca), ERR_OK);
	cakey_free(ca);
}

static void
cakey_loads_an_openssl_made_pkcs8_key(void **state)
{
	struct cakey *ca = NULL;
	char path[PATH_MAX];
	const uint8_t *pub;
	size_t len;

	write_pem("ossl.pem", EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384"),
	    0, NULL);
	assert_int_equal(cakey_load(path_of(path, "ossl.pem"), &ca), ERR_OK);
	pub = cakey_pubblob(ca, &len);
	assert_int_equal(len, 4 + 19 + 4 + 8 + 4 + 97);
	assert_memory_equal(pub + 4, "ecdsa-sha2-nistp384", 19);
	cakey_free(ca);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    cert_signed_by_each_ca_algorithm_reads_back_in_ssh_keygen),
		cmocka_unit_test(
		    cert_for_each_user_key_type_reads_back_in_ssh_keygen),
		cmocka_unit_test(
		    cert_equals_ssh_keygen_but_for_nonce_and_signature),
		cmocka_unit_test(cert_layout_follows_protocol_certkeys),
		cmocka_unit_test(
		    cert_with_a_tampered_byte_is_refused_by_ssh_keygen),
		cmocka_unit_test(cert_nonce_is_fresh_for_each_certificate),
		cmocka_unit_test(
		    cert_line_is_type_base64_key_id_and_one_newline),
		cmocka_unit_test(cert_refuses_empty_principals),
		cmocka_unit_test(
		    cert_refuses_principal_empty_or_with_comma_or_control),
		cmocka_unit_test(
		    cert_refuses_key_id_empty_or_with_comma_or_control),
		cmocka_unit_test(cert_refuses_names_over_their_bounds),
		cmocka_unit_test(cert_refuses_too_many_principals),
		cmocka_unit_test(cert_refuses_empty_validity_interval),
		cmocka_unit_test(cert_at_every_bound_reads_back_in_ssh_keygen),
		cmocka_unit_test(
		    cakey_generate_writes_owner_only_file_and_never_replaces),
		cmocka_unit_test(cakey_generate_refuses_rsa_below_2048_bits),
		cmocka_unit_test(cakey_publine_is_what_ssh_keygen_derives),
		cmocka_unit_test(
		    cakey_load_refuses_what_is_not_a_usable_pkcs8_key),
		cmocka_unit_test(
		    cakey_load_accepts_group_readable_key_with_a_warning),
		cmocka_unit_test(cakey_loads_an_openssl_made_pkcs8_key),
	};

	setenv("TZ", "UTC", 1);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
