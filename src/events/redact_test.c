#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "bpf/process.h"
#include "events/redact.h"

#define PASSWORD "{\"redact\": [\"(?:--password|-p)(?:\\\\s+|=)(\\\\S*)\"]}"

/* argv words separated by '|' in, the joined arguments out */
static unsigned run(struct redactor *r, const char *binary, const char *words, char *args, size_t *len_out)
{
	char argv[PROC_ARGS_MAX];
	size_t len = strlen(words) + 1;
	unsigned rc;

	memcpy(argv, words, len);
	for (size_t i = 0; i < len; i++)
		if (argv[i] == '|')
			argv[i] = '\0';
	strcpy(args, "unchanged");
	rc = redact_proc(r, binary, argv, &len, sizeof(argv), args, PROC_ARGS_MAX * 3 + 8);
	if (len_out)
		*len_out = len;
	return rc;
}

static struct redactor *parse(const char *text)
{
	struct redactor *r;
	char why[256];

	assert_int_equal(redact_parse(&r, text, why, sizeof(why)), 0);
	return r;
}

/* Tetragon's example: every capture group becomes *****, across words too */
static void masks_groups(void **state)
{
	struct redactor *r = parse(PASSWORD);
	char args[PROC_ARGS_MAX * 3 + 8];
	struct redact_stats st;

	assert_int_equal(run(r, "/bin/db", "-u|root|--password=hunter2|-v", args, NULL), REDACT_CHANGED);
	assert_string_equal(args, "-u root --password=***** -v");
	assert_int_equal(run(r, "/bin/db", "-p|hunter2|x", args, NULL), REDACT_CHANGED);
	assert_string_equal(args, "-p ***** x");
	assert_int_equal(run(r, "/bin/db", "--password=a|--password=b", args, NULL), REDACT_CHANGED);
	assert_string_equal(args, "--password=***** --password=*****");
	assert_int_equal(run(r, "/bin/db", "nothing|here", args, NULL), 0);
	assert_string_equal(args, "unchanged");
	redact_stats(r, &st);
	assert_int_equal(st.redacted, 3);
	assert_int_equal(st.gave_up, 0);
	redact_free(r);
}

/* binary_regex limits a filter; filters apply one after the other */
static void binary_regex_and_chaining(void **state)
{
	struct redactor *r = parse("{\"redact\": [\"key=(\\\\w+)\"], \"binary_regex\": [\"^/usr/bin/curl$\"]}\n"
				   "{\"redact\": [\"token (\\\\w+)\"]}");
	char args[PROC_ARGS_MAX * 3 + 8];

	assert_int_equal(run(r, "/usr/bin/curl", "key=abc|token|xyz", args, NULL), REDACT_CHANGED);
	assert_string_equal(args, "key=***** token *****");
	assert_int_equal(run(r, "/usr/bin/wget", "key=abc|token|xyz", args, NULL), REDACT_CHANGED);
	assert_string_equal(args, "key=abc token *****");
	redact_free(r);
}

/* a command line crafted for catastrophic backtracking, or for a match per
 * byte, costs bounded work and leaks nothing: all is masked, counted */
static void hostile_argv_fails_closed(void **state)
{
	struct redactor *r = parse("{\"redact\": [\"(a|aa)+$\"]} {\"redact\": [\"(x)\"]}");
	char args[PROC_ARGS_MAX * 3 + 8], words[PROC_ARGS_MAX];
	struct redact_stats st;
	size_t len;

	memset(words, 'a', 1500);
	strcpy(words + 1500, "|secret");
	assert_int_equal(run(r, "/bin/x", words, args, &len), REDACT_CHANGED);
	assert_string_equal(args, REDACT_MASK);
	memset(words, 'x', 200);
	words[200] = '\0';
	assert_int_equal(run(r, "/bin/x", words, args, &len), REDACT_CHANGED);
	assert_string_equal(args, REDACT_MASK);
	strcpy(words, "aaa");
	assert_int_equal(run(r, "/bin/x", words, args, &len), REDACT_CHANGED);
	assert_string_equal(args, "aa*****"); /* the group's last repeat: masked, not given up */
	redact_stats(r, &st);
	assert_int_equal(st.gave_up, 2);
	redact_free(r);
}

/* masks longer than what they hide: cut, the last word still ended */
static void growth_is_cut(void **state)
{
	struct redactor *r = parse("{\"redact\": [\"(x)\"]}");
	char args[PROC_ARGS_MAX * 3 + 8], words[PROC_ARGS_MAX];
	size_t len;

	memset(words, 'y', PROC_ARGS_MAX - 20);
	memcpy(words + PROC_ARGS_MAX - 20, "|x|x|x|x|x", 11);
	assert_int_equal(run(r, "/bin/x", words, args, &len), REDACT_CHANGED | REDACT_CUT);
	assert_true(len <= PROC_ARGS_MAX);
	redact_free(r);
}

/* bad filters name the place */
static void refusals(void **state)
{
	static const struct {
		const char *text, *why;
	} cases[] = {
		{ "", "1:1: no RedactionFilter object" },
		{ "[]", "1:1: expected a RedactionFilter object '{'" },
		{ "{\"redact\": [\"(\"]}", "1:13: redact[0]: " },
		{ "{}\n {\"binary_regex\": [\"[\"]}", "2:20: binary_regex[0]: " },
		{ "{\"match\": {\"binary_regex\": [\"x\"]}}", "1:2: 'match' (an event filter) is not supported" },
		{ "{\"redcat\": []}", "1:2: unknown key 'redcat'" },
		{ "{\"redact\": \"x\"}", "1:12: redact: expected an array" },
		{ "{\"redact\": [\"\\q\"]}", "1:14: bad escape" },
		{ "{\"redact\": [\"x]}", "1:13: unterminated string" },
		{ "{\"redact\": [\"\\u0000\"]}", "1:14: bad escape" },
		{ "{\"redact\": []", "1:14: expected ',' or '}'" },
	};
	struct redactor *r;
	char why[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(redact_parse(&r, cases[i].text, why, sizeof(why)), -EINVAL);
		if (strncmp(why, cases[i].why, strlen(cases[i].why)))
			fail_msg("%s: got '%s', want '%s'", cases[i].text, why, cases[i].why);
		assert_null(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(masks_groups),
		cmocka_unit_test(binary_regex_and_chaining),
		cmocka_unit_test(hostile_argv_fails_closed),
		cmocka_unit_test(growth_is_cut),
		cmocka_unit_test(refusals),
	};
	return cmocka_run_group_tests_name("redact", tests, NULL, NULL);
}
