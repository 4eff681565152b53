#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/duration.h"

static void good(void **state)
{
	static const struct {
		const char *s;
		uint64_t ns;
	} cases[] = {
		{ "0", 0 },
		{ "0s", 0 },
		{ "1h30m", 5400000000000ull },
		{ "90s", 90000000000ull },
		{ "1.5h", 5400000000000ull },
		{ "250ms", 250000000ull },
		{ "2us", 2000 },
		{ "2\xc2\xb5s", 2000 },
		{ "1m0.5s", 60500000000ull },
		{ "10ns", 10 },
		{ ".5s", 500000000ull },
		{ "1.000000000001s", 1000000000ull },
	};
	char why[128];
	uint64_t ns;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(duration_parse(cases[i].s, &ns, why, sizeof(why)), 0);
		assert_true(ns == cases[i].ns);
	}
}

/* each refusal names what and where */
static void refused(void **state)
{
	static const struct {
		const char *s, *why;
	} cases[] = {
		{ "", "empty duration" },
		{ "-1s", "a sign (a duration here is 0 or more) at byte 1 of '-1s'" },
		{ "10", "missing unit (ns, us, ms, s, m, h) at byte 3 of '10'" },
		{ "1x", "unknown unit (ns, us, ms, s, m, h) at byte 2 of '1x'" },
		{ "1h 2m", "expected a number at byte 3 of '1h 2m'" },
		{ "h", "expected a number at byte 1 of 'h'" },
		{ "99999999999999999999h", "too large" },
		{ "5124096h", "too large at byte 8 of '5124096h'" },
	};
	char why[128];
	uint64_t ns;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(duration_parse(cases[i].s, &ns, why, sizeof(why)), -22);
		assert_true(!strncmp(why, cases[i].why, strlen(cases[i].why)));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good),
		cmocka_unit_test(refused),
	};
	return cmocka_run_group_tests_name("duration", tests, NULL, NULL);
}
