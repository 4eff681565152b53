#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/regex.h"

static int m(const char *pat, const char *s)
{
	char err[200];
	struct regex *re;
	int rc;

	assert_int_equal(regex_compile(&re, pat, err, sizeof(err)), 0);
	rc = regex_match(re, s, strlen(s));
	regex_free(re);
	return rc;
}

/* Patterns read as Go's regexp reads them: unanchored search, `$` only at
 * the very end, ASCII \d and \w, flags groups, UTF-8 classes. */
static void re2_reading(void **state)
{
	assert_int_equal(m("bash", "/usr/bin/bash"), 1);
	assert_int_equal(m("^/usr/bin/(ba|z)sh$", "/usr/bin/zsh"), 1);
	assert_int_equal(m("^/usr/bin/(ba|z)sh$", "/usr/bin/zsh\n"), 0);
	assert_int_equal(m("(?i)CURL", "/usr/bin/curl"), 1);
	assert_int_equal(m("^\\d+$", "123"), 1);
	assert_int_equal(m("^\\d$", "\xd9\xa3"), 0);        /* Arabic-Indic 3 */
	assert_int_equal(m("^\\w+$", "caf\xc3\xa9"), 0);
	assert_int_equal(m("^.{4}$", "caf\xc3\xa9"), 1);     /* é is one character */
	assert_int_equal(m("(?P<name>x)y", "xy"), 1);
	assert_int_equal(m("a.c", "a\nc"), 0);
}

/* A subject with invalid UTF-8 (any process can name itself so) is still
 * searched: the valid parts match. */
static void invalid_utf8_subject(void **state)
{
	assert_int_equal(m("evil", "/tmp/\xff\xfe" "evil"), 1);
	assert_int_equal(m("^/tmp/", "/tmp/\xc3"), 1);
	assert_int_equal(m("nothere", "\xff"), 0);
}

/* Errors say what and where; back-references (not RE2) are refused. */
static void errors(void **state)
{
	char err[200];
	struct regex *re;

	assert_int_equal(regex_compile(&re, "ab(c", err, sizeof(err)), -EINVAL);
	assert_null(re);
	assert_non_null(strstr(err, "at byte 5"));
	assert_int_equal(regex_compile(&re, "(a)\\1", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "back-references"));
	assert_int_equal(regex_compile(&re, "\\C", err, sizeof(err)), -EINVAL);
}

/* Nested repeats on a hostile subject give up instead of running on. */
static void backtracking_bounded(void **state)
{
	char s[64], err[200];
	struct regex *re;

	memset(s, 'a', sizeof(s) - 2);
	s[sizeof(s) - 2] = '!';
	s[sizeof(s) - 1] = 0;
	assert_int_equal(regex_compile(&re, "^(a+)+$", err, sizeof(err)), 0);
	assert_int_equal(regex_match(re, s, strlen(s)), -ERANGE);
	regex_free(re);
}

/* Spans of the groups for redaction: every match in turn. */
static void search_spans(void **state)
{
	const char *s = "--password=hunter2 --token=abc";
	struct regex_span sp[3];
	char err[200];
	struct regex *re;

	assert_int_equal(regex_compile(&re, "--(password|token)=(\\S+)", err, sizeof(err)), 0);
	assert_int_equal(regex_groups(re), 2);
	assert_int_equal(regex_search(re, s, strlen(s), 0, sp, 3), 3);
	assert_int_equal(sp[2].start, 11);
	assert_int_equal(sp[2].end, 18);
	assert_int_equal(regex_search(re, s, strlen(s), (size_t)sp[0].end, sp, 3), 3);
	assert_int_equal(sp[1].start, 21);
	assert_int_equal(sp[2].start, 27);
	assert_int_equal(regex_search(re, s, strlen(s), (size_t)sp[0].end, sp, 3), 0);
	assert_int_equal(regex_search(re, s, strlen(s), 1000, sp, 3), 0);
	regex_free(re);
	assert_int_equal(regex_compile(&re, "a|(b)", err, sizeof(err)), 0);
	assert_int_equal(regex_search(re, "a", 1, 0, sp, 2), 2);
	assert_int_equal(sp[1].start, -1);
	regex_free(re);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(re2_reading),
		cmocka_unit_test(invalid_utf8_subject),
		cmocka_unit_test(errors),
		cmocka_unit_test(backtracking_bounded),
		cmocka_unit_test(search_spans),
	};
	return cmocka_run_group_tests_name("regex", tests, NULL, NULL);
}
