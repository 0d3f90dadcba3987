/* SPDX-License-Identifier: ISC */
/*
 * base64: the base64 of OpenSSH key lines.
 *
 * Decoding is cassh's own, because the usual decoders are lenient: they
 * skip whitespace, accept missing padding or ignore the bits that padding
 * leaves over. Leniency means that many different lines decode to one key
 * and that garbage can hide in a line that looks valid. Here exactly one
 * text decodes to a given blob, and everything else is refused. Encoding
 * has no such trap and is left to OpenSSL.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "base64.h"

/* The value of one base64 character, or -1 if it is not in the alphabet. */
static int
base64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * How many '=' end the text (0, 1 or 2), or -1 if padding is misplaced:
 * '=' may only be the last one or two characters of the last quantum.
 */
static int
base64_padding(const char *s, size_t n)
{
	size_t i;
	int pad = 0;

	if (n >= 1 && s[n - 1] == '=') {
		pad = 1;
		if (n >= 2 && s[n - 2] == '=')
			pad = 2;
	}
	for (i = 0; i < n - (size_t)pad; i++)
		if (s[i] == '=')
			return -1;
	return pad;
}

/*
 * Decode the quantum at s (4 characters, the last pad of them '=') into
 * 3 - pad bytes at out. The bits that padding leaves over must be zero,
 * otherwise "Zh==" and "Zg==" would both mean "f".
 */
static int
base64_quantum(const char *s, int pad, uint8_t *out)
{
	uint32_t v = 0;
	int i, x;

	for (i = 0; i < 4 - pad; i++) {
		if ((x = base64_value((unsigned char)s[i])) == -1)
			return -1;
		v |= (uint32_t)x << (18 - 6 * i);
	}
	if ((pad == 1 && (v & 0xff) != 0) ||
	    (pad == 2 && (v & 0xffff) != 0))
		return -1;
	out[0] = (uint8_t)(v >> 16);
	if (pad < 2)
		out[1] = (uint8_t)(v >> 8);
	if (pad < 1)
		out[2] = (uint8_t)v;
	return 0;
}

int
base64_decode(const char *s, size_t n, uint8_t **out, size_t *outlen)
{
	uint8_t *buf = NULL;
	size_t i, len;
	int pad, ret = -1;

	if (n % 4 != 0 || (pad = base64_padding(s, n)) == -1)
		goto out;
	len = n / 4 * 3 - (size_t)pad;
	/* One byte more, so that an empty text still gets a pointer. */
	if ((buf = malloc(len + 1)) == NULL)
		goto out;
	for (i = 0; i < n; i += 4) {
		if (base64_quantum(s + i, i + 4 == n ? pad : 0,
		    buf + i / 4 * 3) == -1)
			goto out;
	}

	*out = buf;
	*outlen = len;
	buf = NULL;
	ret = 0;
 out:
	free(buf);
	return ret;
}

char *
base64_encode(const uint8_t *p, size_t n)
{
	char *s;
	size_t len;

	/* EVP_EncodeBlock counts in int. */
	if (n > (size_t)INT_MAX / 4 * 3 - 3)
		return NULL;
	len = (n + 2) / 3 * 4;
	if ((s = malloc(len + 1)) == NULL)
		return NULL;
	EVP_EncodeBlock((unsigned char *)s, p, (int)n);
	s[len] = '\0';
	return s;
}
