/* SPDX-License-Identifier: ISC */
/*
 * cert: OpenSSH user certificates (PROTOCOL.certkeys), built byte for
 * byte and signed by the CA key.
 */
#ifndef CASSH_CERT_H
#define CASSH_CERT_H

#include <stddef.h>
#include <stdint.h>

#include "cakey.h"
#include "err.h"
#include "pubkey.h"

/* Bounds on what a certificate may carry. */
#define CERT_MAX_PRINCIPALS	256
#define CERT_MAX_PRINCIPAL_LEN	255
#define CERT_MAX_KEY_ID_LEN	255

struct cert_request {
	const struct pubkey	*key;		/* the user's key */
	uint64_t		 serial;
	const char		*key_id;
	const char *const	*principals;	/* never empty */
	size_t			 nprincipals;
	uint64_t		 valid_after;	/* seconds since the epoch */
	uint64_t		 valid_before;
};

/*
 * cert_build: build the certificate for req, sign it with ca, and
 * return it as one line "TYPE-cert-v01@openssh.com BASE64 KEY_ID\n",
 * a new string the caller frees. The extensions are those ssh-keygen
 * grants by default (permit-X11-forwarding, permit-agent-forwarding,
 * permit-port-forwarding, permit-pty, permit-user-rc); no critical
 * options. Returns ERR_OK, ERR_USAGE (empty principals, a principal or
 * key id empty, too long or holding a comma or a control byte,
 * valid_after not before valid_before), ERR_CA_KEY, ERR_INTERNAL (no
 * random nonce; logged) or ERR_NOMEM.
 */
enum err cert_build(const struct cert_request *req, const struct cakey *ca,
	    char **line);

#endif
