/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of base64: RFC 4648's test vectors both ways, and the
 * refusal of every text that is not the one canonical encoding of its
 * bytes (bad characters, misplaced or missing padding, pad bits set).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base64.h"

/* RFC 4648 section 10. */
static const struct {
	const char	*plain;
	const char	*b64;
} vectors[] = {
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};
#define NVECTORS	(sizeof(vectors) / sizeof(vectors[0]))

static int
decode_str(const char *s, size_t n)
{
	uint8_t *out = NULL;
	size_t len = 0;
	int r;

	r = base64_decode(s, n, &out, &len);
	free(out);
	return r;
}

static void
base64_decodes_rfc4648_vectors(void **state)
{
	uint8_t *out;
	size_t i, len;

	for (i = 0; i < NVECTORS; i++) {
		out = NULL;
		len = 99;
		assert_int_equal(base64_decode(vectors[i].b64,
		    strlen(vectors[i].b64), &out, &len), 0);
		assert_non_null(out);
		assert_int_equal(len, strlen(vectors[i].plain));
		if (len > 0)
			assert_memory_equal(out, vectors[i].plain, len);
		free(out);
	}
}

static void
base64_encodes_rfc4648_vectors(void **state)
{
	size_t i;
	char *s;

	for (i = 0; i < NVECTORS; i++) {
		s = base64_encode((const uint8_t *)vectors[i].plain,
		    strlen(vectors[i].plain));
		assert_non_null(s);
		assert_string_equal(s, vectors[i].b64);
		free(s);
	}
}

static void
base64_round_trips_every_byte_value_and_length(void **state)
{
	uint8_t in[300], *out;
	size_t n, len;
	char *s;

	for (n = 0; n < sizeof(in); n++)
		in[n] = (uint8_t)(255 - n);
	for (n = 0; n <= sizeof(in); n++) {
		s = base64_encode(in, n);
		assert_non_null(s);
		out = NULL;
		assert_int_equal(base64_decode(s, strlen(s), &out, &len), 0);
		assert_int_equal(len, n);
		if (n > 0)
			assert_memory_equal(out, in, n);
		free(out);
		free(s);
	}
}

static void
base64_refuses_length_not_multiple_of_four(void **state)
{
	assert_int_equal(decode_str("Zg=", 3), -1);
	assert_int_equal(decode_str("Zg", 2), -1);
	assert_int_equal(decode_str("Zm9vY", 5), -1);
}

static void
base64_refuses_missing_padding(void **state)
{
	assert_int_equal(decode_str("Zm9vYg", 6), -1);
}

static void
base64_refuses_padding_in_the_middle(void **state)
{
	assert_int_equal(decode_str("Zg==Zm9v", 8), -1);
	assert_int_equal(decode_str("Z=9v", 4), -1);
	assert_int_equal(decode_str("Zm=v", 4), -1);
}

static void
base64_refuses_three_pad_characters(void **state)
{
	assert_int_equal(decode_str("Z===", 4), -1);
	assert_int_equal(decode_str("====", 4), -1);
}

static void
base64_refuses_nonzero_pad_bits(void **state)
{
	/* "Zh==" and "Zm9=" carry bits that padding should have zeroed. */
	assert_int_equal(decode_str("Zh==", 4), -1);
	assert_int_equal(decode_str("Zm9=", 4), -1);
	assert_int_equal(decode_str("Zg==", 4), 0);
	assert_int_equal(decode_str("Zm8=", 4), 0);
}

static void
base64_refuses_characters_outside_the_alphabet(void **state)
{
	assert_int_equal(decode_str("Zm9*", 4), -1);
	assert_int_equal(decode_str("Zm9-", 4), -1);	/* base64url */
	assert_int_equal(decode_str("Zm9_", 4), -1);
	assert_int_equal(decode_str("Zm\xc3\xa9", 4), -1);
}

static void
base64_refuses_whitespace_inside(void **state)
{
	assert_int_equal(decode_str("Zm9v\nYmFy", 9), -1);
	assert_int_equal(decode_str("Zm9v YmE", 8), -1);
	assert_int_equal(decode_str("Zm9v\r\n", 6), -1);
}

static void
base64_refuses_embedded_nul(void **state)
{
	assert_int_equal(decode_str("Zm\0v", 4), -1);
	assert_int_equal(decode_str("Zm9vYmFy\0\0\0\0", 12), -1);
}

static void
base64_sets_nothing_on_failure(void **state)
{
	uint8_t *out = (uint8_t *)state;
	size_t len = 42;

	assert_int_equal(base64_decode("Zh==", 4, &out, &len), -1);
	assert_ptr_equal(out, (uint8_t *)state);
	assert_int_equal(len, 42);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(base64_decodes_rfc4648_vectors),
		cmocka_unit_test(base64_encodes_rfc4648_vectors),
		cmocka_unit_test(
		    base64_round_trips_every_byte_value_and_length),
		cmocka_unit_test(base64_refuses_length_not_multiple_of_four),
		cmocka_unit_test(base64_refuses_missing_padding),
		cmocka_unit_test(base64_refuses_padding_in_the_middle),
		cmocka_unit_test(base64_refuses_three_pad_characters),
		cmocka_unit_test(base64_refuses_nonzero_pad_bits),
		cmocka_unit_test(
		    base64_refuses_characters_outside_the_alphabet),
		cmocka_unit_test(base64_refuses_whitespace_inside),
		cmocka_unit_test(base64_refuses_embedded_nul),
		cmocka_unit_test(base64_sets_nothing_on_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
