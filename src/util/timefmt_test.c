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
		cmocka_unit_test(parse_back),
	};
	return cmocka_run_group_tests_name("timefmt", tests, NULL, NULL);
}
