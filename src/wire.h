/* SPDX-License-Identifier: ISC */
/*
 * wire: the SSH wire encoding (RFC 4251 section 5) of certificates,
 * public key blobs, signatures and registry records.
 *
 * A writer (struct wbuf) grows as needed; after the first failure it
 * stays failed and every later put is a no-op, so that a sequence of
 * puts is checked once at the end. A reader (struct wreader) never
 * reads past its end: every length is checked before use, and the
 * caller asks wread_end() to refuse trailing bytes.
 */
#ifndef CASSH_WIRE_H
#define CASSH_WIRE_H

#include <stddef.h>
#include <stdint.h>

/* Hard bound on any buffer built here; larger is a bug or an attack. */
#define WIRE_MAX_LEN	(1024 * 1024)

struct wbuf {
	uint8_t	*data;
	size_t	 len;
	size_t	 cap;
	int	 failed;
};

/* wbuf_init: an empty writer; owns nothing until the first put. */
void	wbuf_init(struct wbuf *b);

/* wbuf_free: wipe and free the contents; b may be reused after init. */
void	wbuf_free(struct wbuf *b);

void	wbuf_put_u8(struct wbuf *b, uint8_t v);
void	wbuf_put_u32(struct wbuf *b, uint32_t v);
void	wbuf_put_u64(struct wbuf *b, uint64_t v);
/* wbuf_put_raw: n bytes as they are, no length. */
void	wbuf_put_raw(struct wbuf *b, const void *p, size_t n);
/* wbuf_put_string: uint32 length then n bytes. */
void	wbuf_put_string(struct wbuf *b, const void *p, size_t n);
/* wbuf_put_cstring: a NUL-terminated C string as an SSH string. */
void	wbuf_put_cstring(struct wbuf *b, const char *s);
/*
 * wbuf_put_mpint: an unsigned big-endian magnitude as an SSH mpint:
 * leading zero bytes dropped, a zero byte added when the top bit is set.
 */
void	wbuf_put_mpint(struct wbuf *b, const uint8_t *p, size_t n);

/* wbuf_failed: nonzero if any put failed (out of memory or too long). */
int	wbuf_failed(const struct wbuf *b);

/*
 * wbuf_steal: hand the bytes to the caller (who frees them) and reset
 * b. Returns NULL if b failed.
 */
uint8_t	*wbuf_steal(struct wbuf *b, size_t *len);

struct wreader {
	const uint8_t	*p;
	size_t		 left;
};

void	wread_init(struct wreader *r, const void *p, size_t n);

/* Each returns 0 on success, -1 if the input is short or malformed. */
int	wread_u8(struct wreader *r, uint8_t *v);
int	wread_u32(struct wreader *r, uint32_t *v);
int	wread_u64(struct wreader *r, uint64_t *v);
/* wread_string: points *p into the input; no copy. */
int	wread_string(struct wreader *r, const uint8_t **p, size_t *n);
/*
 * wread_cstring: an SSH string that holds no NUL byte, copied into a
 * new NUL-terminated string the caller frees.
 */
int	wread_cstring(struct wreader *r, char **s);
/*
 * wread_mpint: a positive SSH mpint in canonical form (no superfluous
 * leading zero, not negative, not zero); points into the input at the
 * magnitude without its sign byte.
 */
int	wread_mpint(struct wreader *r, const uint8_t **p, size_t *n);
/* wread_end: 0 if nothing is left, -1 otherwise. */
int	wread_end(const struct wreader *r);

#endif
