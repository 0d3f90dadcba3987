/* SPDX-License-Identifier: ISC */
/*
 * cakey: the CA's private key, which opens every server of the fleet.
 *
 * It is loaded from a PEM (PKCS#8) file readable only by its owner and
 * used through OpenSSL. Ed25519 is the default; ECDSA P-256/384/521 and
 * RSA (signing with rsa-sha2-512 only) are accepted. Signatures come
 * out in the SSH signature encoding that certificates carry.
 */
#ifndef CASSH_CAKEY_H
#define CASSH_CAKEY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "wire.h"

struct cakey;

enum cakey_alg {
	CAKEY_ED25519,
	CAKEY_ECDSA_P256,
	CAKEY_ECDSA_P384,
	CAKEY_ECDSA_P521,
	CAKEY_RSA,
};

/*
 * cakey_generate: make a new key of kind alg (bits only for RSA: 2048
 * to 16384, 0 for 3072) and write it to path as PKCS#8 PEM with mode
 * 0600, refusing to replace an existing file. Returns ERR_OK,
 * ERR_EXISTS, ERR_CA_KEY or ERR_NOMEM.
 */
enum err cakey_generate(const char *path, enum cakey_alg alg, unsigned bits);

/*
 * cakey_load: read the key at path. Returns ERR_OK (and *out, freed
 * with cakey_free), or ERR_CA_KEY (unreadable, not a private key, an
 * unsupported algorithm; detail is logged).
 */
enum err cakey_load(const char *path, struct cakey **out);

/*
 * cakey_warm: have OpenSSL build what cakey_load and cakey_sign will
 * look up (its tables of key types and signature algorithms), without
 * touching any key, so that a process can pay for it while it waits.
 * Harmless to skip; cakey_load is only slower the first time.
 */
void	cakey_warm(void);

/* cakey_free: wipe and free; NULL is allowed. */
void	cakey_free(struct cakey *ca);

/* cakey_pubblob: the CA's public key as an SSH wire blob (borrowed). */
const uint8_t *cakey_pubblob(const struct cakey *ca, size_t *len);

/*
 * cakey_publine: "ssh-ed25519 BASE64 COMMENT" as a new string the
 * caller frees; comment may be NULL. NULL on allocation failure.
 */
char	*cakey_publine(const struct cakey *ca, const char *comment);

/*
 * cakey_sign: sign n bytes at data and append the SSH signature blob
 * (string algorithm, string signature) as one SSH string to sig.
 * Returns ERR_OK, ERR_CA_KEY (OpenSSL refused; logged) or ERR_NOMEM.
 */
enum err cakey_sign(const struct cakey *ca, const uint8_t *data, size_t n,
	    struct wbuf *sig);

#endif
