#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/timefmt.h"

/* The date is computed, not asked of gmtime: leap days, century years, the
 * last representable second, and the fraction's 0, 3, 6 or 9 digits. */
static void dates_and_fractions(void **state)
{
	static const struct {
		uint64_t ns;
		const char *s;
	} cases[] = {
		{ 0, "1970-01-01T00:00:00Z" },
		{ 946684799999999999ull, "1999-12-31T23:59:59.999999999Z" },
		{ 951782400123000000ull, "2000-02-29T00:00:00.123Z" },
		{ 1696629600000000001ull, "2023-10-06T22:00:00.000000001Z" },
		{ 1709164800500000000ull, "2024-02-29T00:00:00.500Z" },
		{ 4107542400000001000ull, "2100-03-01T00:00:00.000001Z" },
		{ UINT64_MAX, "2554-07-21T23:34:33.709551615Z" },
	};
	char out[TIMEFMT_LEN];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(timefmt_rfc3339(cases[i].ns, out), strlen(cases[i].s));
		assert_string_equal(out, cases[i].s);
	}
}

/* Read back: what timefmt_rfc3339 writes, offsets, fractions of any width
 * up to 9, and each malformed or out-of-range part named with its byte. */
static void parse_times(void **state)
{
	static const struct {
		const char *s;
		int64_t ns;
	} good[] = {
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2023-10-06T22:03:57.700327580Z", 1696629837700327580 },
		{ "2023-10-06T22:03:57.7Z", 1696629837700000000 },
		{ "2023-10-07T00:03:57.7+02:00", 1696629837700000000 },
		{ "2023-10-06T17:33:57.7-04:30", 1696629837700000000 },
		{ "2023-10-06t22:03:57.7z", 1696629837700000000 },
		{ "2024-02-29T00:00:00.5Z", 1709164800500000000 },
		{ "1969-12-31T23:59:59.999999999Z", -1 },
		{ "1678-01-01T00:00:00Z", -9214560000000000000 },
		{ "2262-04-11T23:47:16.854775807Z", INT64_MAX },
	};
	static const struct {
		const char *s, *why;
	} bad[] = {
		{ "", "expected the year (YYYY-MM-DDTHH:MM:SS) at byte 1" },
		{ "2023-10-06", "expected 'T' after the day at byte 11" },
		{ "2023-10-06 22:03:57Z", "expected 'T' after the day at byte 11" },
		{ "2023-1-06T00:00:00Z", "expected the month (YYYY-MM-DDTHH:MM:SS) at byte 7" },
		{ "2023-13-06T00:00:00Z", "month out of range at byte 6" },
		{ "2023-02-29T00:00:00Z", "day out of range at byte 9" },
		{ "2100-02-29T00:00:00Z", "day out of range at byte 9" },
		{ "2023-04-31T00:00:00Z", "day out of range at byte 9" },
		{ "2023-00-10T00:00:00Z", "month out of range at byte 6" },
		{ "2023-10-06T24:00:00Z", "hour out of range at byte 12" },
		{ "2023-10-06T23:60:00Z", "minute out of range at byte 15" },
		{ "2023-10-06T23:59:60Z", "second out of range at byte 18" },
		{ "2023-10-06T23:59:59", "expected Z or an offset (+HH:MM) after the time at byte 20" },
		{ "2023-10-06T23:59:59.Z", "expected fraction digits after '.' at byte 21" },
		{ "2023-10-06T23:59:59.1234567890Z", "more than 9 fraction digits at byte 30" },
		{ "2023-10-06T23:59:59+0200", "expected an offset as +HH:MM or -HH:MM at byte 20" },
		{ "2023-10-06T23:59:59+24:00", "offset out of range at byte 20" },
		{ "2023-10-06T23:59:59Zjunk", "unexpected text after the time at byte 21" },
		{ "1677-01-01T00:00:00Z", "out of range (1678 to 2262) at byte 1" },
		{ "2263-01-01T00:00:00Z", "out of range (1678 to 2262) at byte 1" },
	};
	char why[200];
	int64_t ns;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(timefmt_parse(good[i].s, &ns, why, sizeof(why)), 0);
		assert_true(ns == good[i].ns);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(timefmt_parse(bad[i].s, &ns, why, sizeof(why)), -EINVAL);
		assert_non_null(strstr(why, bad[i].why));
	}
}

/* What timefmt_rfc3339 writes, timefmt_parse reads as the same instant. */
static void round_trip(void **state)
{
	char out[TIMEFMT_LEN], why[200];
	int64_t ns;

	for (uint64_t t = 1; t < (uint64_t)INT64_MAX / 3; t = t * 3 + 7) {
		timefmt_rfc3339(t, out);
		assert_int_equal(timefmt_parse(out, &ns, why, sizeof(why)), 0);
		assert_true((uint64_t)ns == t);
	}
}

/* --since/--until: a time, or a duration meaning that long ago. */
static void parse_args(void **state)
{
	const int64_t now = 1700000000000000000;
	char why[300];
	int64_t ns;

	assert_int_equal(timefmt_parse_arg("90m", now, &ns, why, sizeof(why)), 0);
	assert_true(ns == now - 5400000000000);
	assert_int_equal(timefmt_parse_arg("1h30m", now, &ns, why, sizeof(why)), 0);
	assert_true(ns == now - 5400000000000);
	assert_int_equal(timefmt_parse_arg("0", now, &ns, why, sizeof(why)), 0);
	assert_true(ns == now);
	assert_int_equal(timefmt_parse_arg("2023-10-06T22:03:57Z", now, &ns, why, sizeof(why)), 0);
	assert_true(ns == 1696629837000000000);
	/* a date's errors are a date's */
	assert_int_equal(timefmt_parse_arg("2023-10-32T00:00:00Z", now, &ns, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "day out of range at byte 9"));
	assert_int_equal(timefmt_parse_arg("7d", now, &ns, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "neither an RFC 3339 time"));
	assert_non_null(strstr(why, "unknown unit"));
	assert_int_equal(timefmt_parse_arg("-5m", now, &ns, why, sizeof(why)), -EINVAL);
	assert_int_equal(timefmt_parse_arg("", now, &ns, why, sizeof(why)), -EINVAL);
	assert_int_equal(timefmt_parse_arg("yesterday", now, &ns, why, sizeof(why)), -EINVAL);
	assert_int_equal(timefmt_parse_arg("5000000h", now, &ns, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "before 1678"));
}

/* Parsing: what the formatter writes reads back; offsets, short fractions,
 * and every malformed or impossible time refused. */
static void parse_back(void **state)
{
	static const uint64_t ns[] = { 0, 946684799999999999ull, 951782400123000000ull,
				       1696629600000000001ull, 4107542400000001000ull };
	static const char *bad[] = {
		"", "2023-10-06", "2023-10-06T22:00:00", "2023-10-06T22:00:00.Z", "2023-13-01T00:00:00Z",
		"2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2023-10-06T24:00:00Z",
		"2023-10-06T22:00:00.1234567890Z", "2023-10-06T22:00:00+1:00", "2023-10-06T22:00:00Zjunk",
		"9999-12-31T23:59:59Z", "2023-1a-06T22:00:00Z", "2023-10-06 22:00:00Z",
	};
	char out[TIMEFMT_LEN];
	int64_t v;

	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		size_t n = timefmt_rfc3339(ns[i], out);
		assert_int_equal(timefmt_parse_rfc3339(out, n, &v), 0);
		assert_int_equal(v, (int64_t)ns[i]);
	}
	assert_int_equal(timefmt_parse_rfc3339("2000-02-29T01:30:00.5+01:30", 27, &v), 0);
	assert_int_equal(v, 951782400500000000ll);
	assert_int_equal(timefmt_parse_rfc3339("1969-12-31T23:59:59.9Z", 22, &v), 0);
	assert_int_equal(v, -100000000ll);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(timefmt_parse_rfc3339(bad[i], strlen(bad[i]), &v), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dates_and_fractions),
		cmocka_unit_test(parse_times),
		cmocka_unit_test(round_trip),
		cmocka_unit_test(parse_args),
		cmocka_unit_test(parse_back),
	};
	return cmocka_run_group_tests_name("timefmt", tests, NULL, NULL);
}
