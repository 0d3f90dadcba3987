/* SPDX-License-Identifier: ISC */
/*
 * wire: the SSH wire encoding (RFC 4251 section 5).
 *
 * Certificates, key blobs and signatures are all built from the same few
 * types: bytes, uint32, uint64, strings and mpints. The writer lets a
 * caller chain puts and check for failure once, and wipes what it drops
 * because it also carries signatures and key material. The reader is
 * the first code that touches a client's key blob: it checks every
 * length against what is left before it moves, and leaves its position
 * unchanged when a read fails.
 */
#include <stdlib.h>
#include <string.h>

#include "wire.h"

/* The first allocation; doubling from here fits a certificate quickly. */
#define WBUF_MIN_CAP	256

void
wbuf_init(struct wbuf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->failed = 0;
}

void
wbuf_free(struct wbuf *b)
{
	if (b->data != NULL) {
		explicit_bzero(b->data, b->cap);
		free(b->data);
	}
	wbuf_init(b);
}

/*
 * Make room for n more bytes. realloc() could leave a copy of key
 * material behind in freed memory, so the old block is wiped by hand.
 */
static int
wbuf_reserve(struct wbuf *b, size_t n)
{
	uint8_t *p;
	size_t cap;

	if (b->failed)
		return -1;
	if (n > WIRE_MAX_LEN - b->len) {
		b->failed = 1;
		return -1;
	}
	if (b->len + n <= b->cap)
		return 0;

	cap = b->cap < WBUF_MIN_CAP ? WBUF_MIN_CAP : b->cap;
	while (cap < b->len + n)
		cap *= 2;
	if (cap > WIRE_MAX_LEN)
		cap = WIRE_MAX_LEN;
	if ((p = malloc(cap)) == NULL) {
		b->failed = 1;
		return -1;
	}
	if (b->data != NULL) {
		memcpy(p, b->data, b->len);
		explicit_bzero(b->data, b->cap);
		free(b->data);
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

void
wbuf_put_raw(struct wbuf *b, const void *p, size_t n)
{
	if (wbuf_reserve(b, n) == -1 || n == 0)
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void
wbuf_put_u8(struct wbuf *b, uint8_t v)
{
	wbuf_put_raw(b, &v, 1);
}

void
wbuf_put_u32(struct wbuf *b, uint32_t v)
{
	uint8_t x[4];

	x[0] = (uint8_t)(v >> 24);
	x[1] = (uint8_t)(v >> 16);
	x[2] = (uint8_t)(v >> 8);
	x[3] = (uint8_t)v;
	wbuf_put_raw(b, x, sizeof(x));
}

void
wbuf_put_u64(struct wbuf *b, uint64_t v)
{
	wbuf_put_u32(b, (uint32_t)(v >> 32));
	wbuf_put_u32(b, (uint32_t)v);
}

void
wbuf_put_string(struct wbuf *b, const void *p, size_t n)
{
	/* Refuse before writing the length, so no half string is left. */
	if (n > WIRE_MAX_LEN) {
		b->failed = 1;
		return;
	}
	wbuf_put_u32(b, (uint32_t)n);
	wbuf_put_raw(b, p, n);
}

void
wbuf_put_cstring(struct wbuf *b, const char *s)
{
	wbuf_put_string(b, s, strlen(s));
}

void
wbuf_put_mpint(struct wbuf *b, const uint8_t *p, size_t n)
{
	int pad;

	while (n > 0 && p[0] == 0) {
		p++;
		n--;
	}
	/* A set top bit would read as negative: RFC 4251 adds a zero. */
	pad = n > 0 && (p[0] & 0x80) != 0;
	if (n > WIRE_MAX_LEN - 1) {
		b->failed = 1;
		return;
	}
	wbuf_put_u32(b, (uint32_t)(n + pad));
	if (pad)
		wbuf_put_u8(b, 0);
	wbuf_put_raw(b, p, n);
}

int
wbuf_failed(const struct wbuf *b)
{
	return b->failed;
}

uint8_t *
wbuf_steal(struct wbuf *b, size_t *len)
{
	uint8_t *p;

	if (b->failed) {
		wbuf_free(b);
		return NULL;
	}
	/* An empty buffer still yields a pointer: NULL means failure. */
	if (b->data == NULL && (b->data = malloc(1)) == NULL) {
		wbuf_init(b);
		return NULL;
	}
	p = b->data;
	*len = b->len;
	wbuf_init(b);
	return p;
}

void
wread_init(struct wreader *r, const void *p, size_t n)
{
	r->p = p;
	r->left = n;
}

/* Take n bytes, or nothing at all if fewer are left. */
static int
wread_take(struct wreader *r, size_t n, const uint8_t **p)
{
	if (n > r->left)
		return -1;
	*p = r->p;
	r->p += n;
	r->left -= n;
	return 0;
}

int
wread_u8(struct wreader *r, uint8_t *v)
{
	const uint8_t *p;

	if (wread_take(r, 1, &p) == -1)
		return -1;
	*v = p[0];
	return 0;
}

int
wread_u32(struct wreader *r, uint32_t *v)
{
	const uint8_t *p;

	if (wread_take(r, 4, &p) == -1)
		return -1;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
	return 0;
}

int
wread_u64(struct wreader *r, uint64_t *v)
{
	struct wreader t = *r;
	uint32_t hi, lo;

	if (wread_u32(&t, &hi) == -1 || wread_u32(&t, &lo) == -1)
		return -1;
	*v = (uint64_t)hi << 32 | lo;
	*r = t;
	return 0;
}

int
wread_string(struct wreader *r, const uint8_t **p, size_t *n)
{
	struct wreader t = *r;
	const uint8_t *s;
	uint32_t len;

	if (wread_u32(&t, &len) == -1 || wread_take(&t, len, &s) == -1)
		return -1;
	*p = s;
	*n = len;
	*r = t;
	return 0;
}

int
wread_cstring(struct wreader *r, char **s)
{
	struct wreader t = *r;
	const uint8_t *p;
	size_t n;
	char *c;

	if (wread_string(&t, &p, &n) == -1)
		return -1;
	/* An inner NUL would make C code see a different string. */
	if (memchr(p, '\0', n) != NULL)
		return -1;
	if ((c = malloc(n + 1)) == NULL)
		return -1;
	memcpy(c, p, n);
	c[n] = '\0';
	*s = c;
	*r = t;
	return 0;
}

int
wread_mpint(struct wreader *r, const uint8_t **p, size_t *n)
{
	struct wreader t = *r;
	const uint8_t *m;
	size_t len;

	if (wread_string(&t, &m, &len) == -1)
		return -1;
	/* Zero and negative numbers are never valid key or signature parts. */
	if (len == 0 || (m[0] & 0x80) != 0)
		return -1;
	/*
	 * One encoding per number: a leading zero is allowed only to keep
	 * a set top bit positive, otherwise two blobs would denote one key.
	 */
	if (m[0] == 0) {
		if (len == 1 || (m[1] & 0x80) == 0)
			return -1;
		m++;
		len--;
	}
	*p = m;
	*n = len;
	*r = t;
	return 0;
}

int
wread_end(const struct wreader *r)
{
	return r->left == 0 ? 0 : -1;
}
