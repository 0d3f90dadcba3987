/* SPDX-License-Identifier: ISC */
/*
 * pubkey: OpenSSH public keys as users send them: one line
 * "TYPE BASE64 [COMMENT]". This module decides whether a line is a key
 * cassh will sign and computes what the registry and the certificate
 * need: the wire blob, the type, the size and the SHA256 fingerprint.
 *
 * Every byte comes from the network; parsing is strict: the base64
 * must be canonical, the blob's type must match the line's, each field
 * must be well formed (valid curve point, canonical mpints) and no
 * byte may trail.
 */
#ifndef CASSH_PUBKEY_H
#define CASSH_PUBKEY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* The whole input of sign or add is bounded by this many bytes. */
#define PUBKEY_MAX_INPUT	(16 * 1024)

/* Never sign RSA below this, whatever the configuration says. */
#define PUBKEY_RSA_FLOOR_BITS	2048

/* "SHA256:" and 43 characters of unpadded base64, and a NUL. */
#define PUBKEY_FP_LEN		51

enum pubkey_type {
	PUBKEY_ED25519,
	PUBKEY_ECDSA_P256,
	PUBKEY_ECDSA_P384,
	PUBKEY_ECDSA_P521,
	PUBKEY_RSA,
	PUBKEY_SK_ED25519,
	PUBKEY_SK_ECDSA_P256,
};

struct pubkey {
	enum pubkey_type type;
	uint8_t		*blob;		/* the full wire blob */
	size_t		 blob_len;
	size_t		 fields_off;	/* offset of what follows the type */
	unsigned	 bits;		/* 256 for ed25519, n's size for RSA */
	char		 fp[PUBKEY_FP_LEN];	/* "SHA256:..." */
};

/*
 * pubkey_parse: parse the whole input of n bytes (one line, an
 * optional final newline or CRLF, nothing else), and check the key
 * against the policy: a known type, RSA of at least min_rsa_bits (and
 * never below PUBKEY_RSA_FLOOR_BITS). On success *out is a new key the
 * caller frees with pubkey_free().
 *
 * Returns ERR_OK, ERR_INPUT_EMPTY, ERR_INPUT_TOO_LONG, ERR_KEY_FORMAT,
 * ERR_KEY_TYPE (DSA, certificates, unknown types), ERR_KEY_TOO_SMALL,
 * ERR_KEY_PRIVATE (a private key was pasted), ERR_KEY_ENCODING (UTF-16
 * or a byte order mark) or ERR_NOMEM.
 */
enum err pubkey_parse(const char *input, size_t n, unsigned min_rsa_bits,
	    struct pubkey **out);

/*
 * pubkey_from_blob: the same checks on a wire blob (the registry's
 * stored form). Copies the blob.
 */
enum err pubkey_from_blob(const uint8_t *blob, size_t n,
	    unsigned min_rsa_bits, struct pubkey **out);

/* pubkey_free: NULL is allowed. */
void	pubkey_free(struct pubkey *k);

/* pubkey_type_name: "ssh-ed25519", "ecdsa-sha2-nistp256", ... */
const char *pubkey_type_name(enum pubkey_type t);

/* pubkey_cert_type_name: "ssh-ed25519-cert-v01@openssh.com", ... */
const char *pubkey_cert_type_name(enum pubkey_type t);

/*
 * pubkey_line: "TYPE BASE64" (no comment, no newline) as a new string
 * the caller frees; NULL on allocation failure.
 */
char	*pubkey_line(const struct pubkey *k);

/*
 * pubkey_fingerprint: the "SHA256:..." fingerprint of any blob, as
 * ssh-keygen -l prints it, into fp.
 */
void	pubkey_fingerprint(const uint8_t *blob, size_t n,
	    char fp[PUBKEY_FP_LEN]);

#endif
