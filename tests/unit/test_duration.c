/* SPDX-License-Identifier: ISC */
/*
 * test_duration: certificate lifetimes as admins write them, and the
 * typos and attacks the parser must refuse.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "duration.h"

#define DAY	INT64_C(86400)

static int64_t
parsed(const char *s)
{
	int64_t secs = -42;

	assert_int_equal(duration_parse(s, &secs), 0);
	return secs;
}

static void
refused(const char *s)
{
	int64_t secs = -42;

	if (duration_parse(s, &secs) != -1)
		fail_msg("\"%s\" was accepted", s);
	/* The output is left alone on failure. */
	assert_int_equal(secs, -42);
}

static void
parse_accepts_the_documented_forms(void **state)
{
	assert_int_equal(parsed("+1d"), DAY);
	assert_int_equal(parsed("12h"), 12 * 3600);
	assert_int_equal(parsed("90m"), 90 * 60);
	assert_int_equal(parsed("+180d"), 180 * DAY);
	assert_int_equal(parsed("3600"), 3600);
	assert_int_equal(parsed("30s"), 30);
	assert_int_equal(parsed("2w"), 14 * DAY);
	assert_int_equal(parsed("+365d"), 365 * DAY);
}

static void
parse_treats_plus_as_optional(void **state)
{
	assert_int_equal(parsed("+12h"), parsed("12h"));
	assert_int_equal(parsed("+3600"), 3600);
}

static void
parse_refuses_zero(void **state)
{
	refused("0");
	refused("+0");
	refused("0d");
	refused("+0s");
	refused("000h");
}

static void
parse_refuses_negatives(void **state)
{
	refused("-1d");
	refused("-3600");
	refused("+-1d");
	refused("--1");
}

static void
parse_refuses_empty_and_missing_number(void **state)
{
	refused("");
	refused("+");
	refused("d");
	refused("+h");
	assert_int_equal(duration_parse(NULL, &(int64_t){ 0 }), -1);
}

static void
parse_refuses_junk(void **state)
{
	refused("1x");
	refused("1dd");
	refused("1d ");
	refused(" 1d");
	refused("1 d");
	refused("++1d");
	refused("1.5h");
	refused("0x10");
	refused("1e3");
	refused("1d\n");
	refused("tomorrow");
}

static void
parse_refuses_upper_case_units(void **state)
{
	/* "1M" is minutes to ssh-keygen and a month to most people. */
	refused("1M");
	refused("1D");
	refused("1H");
}

static void
parse_refuses_compound_forms(void **state)
{
	refused("1d2h");
	refused("1h30m");
}

static void
parse_refuses_more_than_ten_years(void **state)
{
	assert_int_equal(parsed("+3650d"), 3650 * DAY);
	assert_int_equal(parsed("520w"), 520 * 7 * DAY);
	assert_int_equal(parsed("3653d"), 3653 * DAY);
	refused("3654d");
	refused("523w");
	refused("87673h");
	refused("315619201");
}

static void
parse_refuses_overflow(void **state)
{
	refused("9223372036854775807");
	refused("9223372036854775808");
	refused("18446744073709551617d");
	refused("99999999999999999999999999999999999999w");
	refused("15250284452471w");
}

static void
format_gives_the_shortest_exact_form(void **state)
{
	char buf[32];

	duration_format(DAY, buf, sizeof(buf));
	assert_string_equal(buf, "+1d");
	duration_format(12 * 3600, buf, sizeof(buf));
	assert_string_equal(buf, "+12h");
	duration_format(90 * 60, buf, sizeof(buf));
	assert_string_equal(buf, "+90m");
	duration_format(45, buf, sizeof(buf));
	assert_string_equal(buf, "+45s");
	duration_format(180 * DAY, buf, sizeof(buf));
	assert_string_equal(buf, "+180d");
	duration_format(14 * DAY, buf, sizeof(buf));
	assert_string_equal(buf, "+2w");
	duration_format(DAY + 1, buf, sizeof(buf));
	assert_string_equal(buf, "+86401s");
}

static void
format_reads_back_to_the_same_number(void **state)
{
	static const int64_t cases[] = {
		1, 59, 60, 61, 3599, 3600, 86400, 86401, 93600,
		7 * 86400, 365 * 86400, 3653 * 86400,
	};
	char buf[32];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		duration_format(cases[i], buf, sizeof(buf));
		assert_int_equal(parsed(buf), cases[i]);
	}
}

static void
format_truncates_to_the_buffer(void **state)
{
	char buf[4];

	memset(buf, 'x', sizeof(buf));
	duration_format(180 * DAY, buf, sizeof(buf));
	assert_string_equal(buf, "+18");
	/* A zero-length buffer is not written at all. */
	duration_format(DAY, buf, 0);
	assert_string_equal(buf, "+18");
}

static void
format_shows_non_positive_values_as_seconds(void **state)
{
	char buf[32];

	duration_format(0, buf, sizeof(buf));
	assert_string_equal(buf, "+0s");
	duration_format(-60, buf, sizeof(buf));
	assert_string_equal(buf, "-60s");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_accepts_the_documented_forms),
		cmocka_unit_test(parse_treats_plus_as_optional),
		cmocka_unit_test(parse_refuses_zero),
		cmocka_unit_test(parse_refuses_negatives),
		cmocka_unit_test(parse_refuses_empty_and_missing_number),
		cmocka_unit_test(parse_refuses_junk),
		cmocka_unit_test(parse_refuses_upper_case_units),
		cmocka_unit_test(parse_refuses_compound_forms),
		cmocka_unit_test(parse_refuses_more_than_ten_years),
		cmocka_unit_test(parse_refuses_overflow),
		cmocka_unit_test(format_gives_the_shortest_exact_form),
		cmocka_unit_test(format_reads_back_to_the_same_number),
		cmocka_unit_test(format_truncates_to_the_buffer),
		cmocka_unit_test(format_shows_non_positive_values_as_seconds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
