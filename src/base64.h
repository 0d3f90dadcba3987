/* SPDX-License-Identifier: ISC */
/*
 * base64: the strict base64 of OpenSSH key lines (RFC 4648, with
 * padding). Decoding refuses anything that is not canonical: stray
 * characters, missing or misplaced padding, non-zero pad bits.
 */
#ifndef CASSH_BASE64_H
#define CASSH_BASE64_H

#include <stddef.h>
#include <stdint.h>

/*
 * base64_decode: decode n characters at s into a new buffer (*out,
 * freed by the caller, *outlen bytes). Returns 0, or -1 on malformed
 * input or allocation failure (nothing is set).
 */
int	base64_decode(const char *s, size_t n, uint8_t **out, size_t *outlen);

/*
 * base64_encode: encode n bytes into a new NUL-terminated string the
 * caller frees. Returns NULL on allocation failure.
 */
char	*base64_encode(const uint8_t *p, size_t n);

#endif
