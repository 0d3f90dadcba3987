/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of wire: the SSH encoding of RFC 4251 section 5, and the
 * reader's refusal of every short, oversized or non-canonical field that
 * a hostile key blob could hold.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wire.h"

/* Steal b's bytes and compare them with the n bytes at want. */
static void
assert_wbuf(struct wbuf *b, const void *want, size_t n)
{
	uint8_t *p;
	size_t len = 0;

	assert_false(wbuf_failed(b));
	p = wbuf_steal(b, &len);
	assert_non_null(p);
	assert_int_equal(len, n);
	if (n > 0)
		assert_memory_equal(p, want, n);
	free(p);
}

static void
wire_writes_integers_big_endian(void **state)
{
	static const uint8_t want[] = {
		0x7f,
		0x01, 0x02, 0x03, 0x04,
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	};
	struct wbuf b;

	wbuf_init(&b);
	wbuf_put_u8(&b, 0x7f);
	wbuf_put_u32(&b, 0x01020304);
	wbuf_put_u64(&b, 0x0102030405060708ULL);
	assert_wbuf(&b, want, sizeof(want));
}

static void
wire_writes_string_with_length_prefix(void **state)
{
	static const uint8_t want[] = {
		0, 0, 0, 3, 'a', 'b', 'c',
		0, 0, 0, 0,
		0, 0, 0, 2, 'h', 'i',
	};
	struct wbuf b;

	wbuf_init(&b);
	wbuf_put_string(&b, "abc", 3);
	wbuf_put_string(&b, NULL, 0);
	wbuf_put_cstring(&b, "hi");
	assert_wbuf(&b, want, sizeof(want));
}

static void
wire_writes_mpint_without_leading_zeros(void **state)
{
	static const uint8_t in[] = { 0, 0, 0x01, 0x02 };
	static const uint8_t want[] = { 0, 0, 0, 2, 0x01, 0x02 };
	struct wbuf b;

	wbuf_init(&b);
	wbuf_put_mpint(&b, in, sizeof(in));
	assert_wbuf(&b, want, sizeof(want));
}

static void
wire_writes_mpint_with_sign_byte_when_top_bit_set(void **state)
{
	static const uint8_t in[] = { 0, 0x80, 0x01 };
	static const uint8_t want[] = { 0, 0, 0, 3, 0x00, 0x80, 0x01 };
	struct wbuf b;

	wbuf_init(&b);
	wbuf_put_mpint(&b, in, sizeof(in));
	assert_wbuf(&b, want, sizeof(want));
}

static void
wire_writes_zero_mpint_as_empty_string(void **state)
{
	static const uint8_t in[] = { 0, 0, 0 };
	static const uint8_t want[] = { 0, 0, 0, 0 };
	struct wbuf b;

	wbuf_init(&b);
	wbuf_put_mpint(&b, in, sizeof(in));
	assert_wbuf(&b, want, sizeof(want));
}

static void
wire_writer_grows_across_many_puts(void **state)
{
	struct wbuf b;
	uint8_t *want, *p;
	size_t i, len = 0, n = 100000;

	want = malloc(n);
	assert_non_null(want);
	wbuf_init(&b);
	for (i = 0; i < n; i++) {
		want[i] = (uint8_t)(i * 7);
		wbuf_put_u8(&b, want[i]);
	}
	p = wbuf_steal(&b, &len);
	assert_non_null(p);
	assert_int_equal(len, n);
	assert_memory_equal(p, want, n);
	free(p);
	free(want);
}

static void
wire_writer_fails_past_max_len_and_stays_failed(void **state)
{
	struct wbuf b;
	uint8_t *big;
	size_t len = 0;

	big = calloc(1, WIRE_MAX_LEN);
	assert_non_null(big);
	wbuf_init(&b);
	wbuf_put_raw(&b, big, WIRE_MAX_LEN);
	assert_false(wbuf_failed(&b));
	wbuf_put_u8(&b, 1);
	assert_true(wbuf_failed(&b));
	wbuf_put_u32(&b, 1);
	assert_true(wbuf_failed(&b));
	assert_int_equal(b.len, WIRE_MAX_LEN);
	assert_null(wbuf_steal(&b, &len));
	free(big);
}

static void
wire_writer_refuses_string_longer_than_max_len(void **state)
{
	struct wbuf b;

	wbuf_init(&b);
	wbuf_put_string(&b, "", (size_t)WIRE_MAX_LEN + 1);
	assert_true(wbuf_failed(&b));
	assert_int_equal(b.len, 0);
	wbuf_free(&b);
}

static void
wire_steal_of_empty_buffer_is_not_null(void **state)
{
	struct wbuf b;
	uint8_t *p;
	size_t len = 99;

	wbuf_init(&b);
	p = wbuf_steal(&b, &len);
	assert_non_null(p);
	assert_int_equal(len, 0);
	free(p);
}

static void
wire_free_resets_for_reuse(void **state)
{
	struct wbuf b;

	wbuf_init(&b);
	wbuf_put_u32(&b, 5);
	wbuf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	wbuf_put_u8(&b, 9);
	assert_wbuf(&b, "\x09", 1);
}

static void
wire_reads_back_what_it_writes(void **state)
{
	static const uint8_t mag[] = { 0x80, 0x00, 0x01 };
	struct wbuf b;
	struct wreader r;
	const uint8_t *p;
	char *s;
	uint8_t v8;
	uint32_t v32;
	uint64_t v64;
	size_t n;

	wbuf_init(&b);
	wbuf_put_u8(&b, 0xaa);
	wbuf_put_u32(&b, 0xdeadbeef);
	wbuf_put_u64(&b, 0x1122334455667788ULL);
	wbuf_put_string(&b, "xyz", 3);
	wbuf_put_cstring(&b, "hello");
	wbuf_put_mpint(&b, mag, sizeof(mag));
	assert_false(wbuf_failed(&b));

	wread_init(&r, b.data, b.len);
	assert_int_equal(wread_u8(&r, &v8), 0);
	assert_int_equal(v8, 0xaa);
	assert_int_equal(wread_u32(&r, &v32), 0);
	assert_int_equal(v32, 0xdeadbeef);
	assert_int_equal(wread_u64(&r, &v64), 0);
	assert_true(v64 == 0x1122334455667788ULL);
	assert_int_equal(wread_string(&r, &p, &n), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(p, "xyz", 3);
	assert_int_equal(wread_cstring(&r, &s), 0);
	assert_string_equal(s, "hello");
	free(s);
	assert_int_equal(wread_mpint(&r, &p, &n), 0);
	assert_int_equal(n, sizeof(mag));
	assert_memory_equal(p, mag, sizeof(mag));
	assert_int_equal(wread_end(&r), 0);
	wbuf_free(&b);
}

static void
wire_reader_refuses_short_integers(void **state)
{
	static const uint8_t in[] = { 1, 2, 3, 4, 5, 6, 7 };
	struct wreader r;
	uint8_t v8;
	uint32_t v32;
	uint64_t v64;

	wread_init(&r, in, 0);
	assert_int_equal(wread_u8(&r, &v8), -1);
	wread_init(&r, in, 3);
	assert_int_equal(wread_u32(&r, &v32), -1);
	wread_init(&r, in, 7);
	assert_int_equal(wread_u64(&r, &v64), -1);
}

static void
wire_reader_refuses_huge_string_length(void **state)
{
	static const uint8_t in[] = { 0xff, 0xff, 0xff, 0xff, 'a', 'b' };
	struct wreader r;
	const uint8_t *p;
	size_t n;

	wread_init(&r, in, sizeof(in));
	assert_int_equal(wread_string(&r, &p, &n), -1);
}

static void
wire_reader_refuses_string_one_byte_short(void **state)
{
	static const uint8_t in[] = { 0, 0, 0, 3, 'a', 'b' };
	struct wreader r;
	const uint8_t *p;
	size_t n;

	wread_init(&r, in, sizeof(in));
	assert_int_equal(wread_string(&r, &p, &n), -1);
}

static void
wire_reader_does_not_move_on_failure(void **state)
{
	static const uint8_t in[] = { 0, 0, 0, 9, 'a', 'b' };
	struct wreader r;
	const uint8_t *p;
	uint32_t v;
	uint64_t v64;
	size_t n;
	char *s;

	wread_init(&r, in, sizeof(in));
	assert_int_equal(wread_string(&r, &p, &n), -1);
	assert_int_equal(wread_cstring(&r, &s), -1);
	assert_int_equal(wread_mpint(&r, &p, &n), -1);
	assert_int_equal(wread_u64(&r, &v64), -1);
	assert_ptr_equal(r.p, in);
	assert_int_equal(r.left, sizeof(in));
	assert_int_equal(wread_u32(&r, &v), 0);
	assert_int_equal(v, 9);
}

static void
wire_cstring_refuses_embedded_nul(void **state)
{
	static const uint8_t in[] = { 0, 0, 0, 3, 'a', 0, 'b' };
	struct wreader r;
	char *s = NULL;

	wread_init(&r, in, sizeof(in));
	assert_int_equal(wread_cstring(&r, &s), -1);
	assert_null(s);
}

static int
read_mpint(const uint8_t *in, size_t len, const uint8_t **p, size_t *n)
{
	struct wreader r;

	wread_init(&r, in, len);
	return wread_mpint(&r, p, n);
}

static void
wire_mpint_refuses_negative(void **state)
{
	static const uint8_t in[] = { 0, 0, 0, 2, 0x80, 0x01 };
	const uint8_t *p;
	size_t n;

	assert_int_equal(read_mpint(in, sizeof(in), &p, &n), -1);
}

static void
wire_mpint_refuses_zero(void **state)
{
	static const uint8_t empty[] = { 0, 0, 0, 0 };
	static const uint8_t zero[] = { 0, 0, 0, 1, 0 };
	const uint8_t *p;
	size_t n;

	assert_int_equal(read_mpint(empty, sizeof(empty), &p, &n), -1);
	assert_int_equal(read_mpint(zero, sizeof(zero), &p, &n), -1);
}

static void
wire_mpint_refuses_superfluous_leading_zero(void **state)
{
	static const uint8_t in[] = { 0, 0, 0, 2, 0x00, 0x7f };
	static const uint8_t two[] = { 0, 0, 0, 3, 0x00, 0x00, 0x80 };
	const uint8_t *p;
	size_t n;

	assert_int_equal(read_mpint(in, sizeof(in), &p, &n), -1);
	assert_int_equal(read_mpint(two, sizeof(two), &p, &n), -1);
}

static void
wire_mpint_accepts_sign_byte_before_top_bit(void **state)
{
	static const uint8_t in[] = { 0, 0, 0, 2, 0x00, 0x80 };
	const uint8_t *p;
	size_t n;

	assert_int_equal(read_mpint(in, sizeof(in), &p, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(p[0], 0x80);
}

static void
wire_end_refuses_trailing_bytes(void **state)
{
	static const uint8_t in[] = { 0, 0, 0, 1, 'x', 0 };
	struct wreader r;
	const uint8_t *p;
	size_t n;

	wread_init(&r, in, sizeof(in));
	assert_int_equal(wread_string(&r, &p, &n), 0);
	assert_int_equal(wread_end(&r), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(wire_writes_integers_big_endian),
		cmocka_unit_test(wire_writes_string_with_length_prefix),
		cmocka_unit_test(wire_writes_mpint_without_leading_zeros),
		cmocka_unit_test(
		    wire_writes_mpint_with_sign_byte_when_top_bit_set),
		cmocka_unit_test(wire_writes_zero_mpint_as_empty_string),
		cmocka_unit_test(wire_writer_grows_across_many_puts),
		cmocka_unit_test(
		    wire_writer_fails_past_max_len_and_stays_failed),
		cmocka_unit_test(
		    wire_writer_refuses_string_longer_than_max_len),
		cmocka_unit_test(wire_steal_of_empty_buffer_is_not_null),
		cmocka_unit_test(wire_free_resets_for_reuse),
		cmocka_unit_test(wire_reads_back_what_it_writes),
		cmocka_unit_test(wire_reader_refuses_short_integers),
		cmocka_unit_test(wire_reader_refuses_huge_string_length),
		cmocka_unit_test(wire_reader_refuses_string_one_byte_short),
		cmocka_unit_test(wire_reader_does_not_move_on_failure),
		cmocka_unit_test(wire_cstring_refuses_embedded_nul),
		cmocka_unit_test(wire_mpint_refuses_negative),
		cmocka_unit_test(wire_mpint_refuses_zero),
		cmocka_unit_test(wire_mpint_refuses_superfluous_leading_zero),
		cmocka_unit_test(wire_mpint_accepts_sign_byte_before_top_bit),
		cmocka_unit_test(wire_end_refuses_trailing_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
