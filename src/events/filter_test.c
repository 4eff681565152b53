#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "events/evjson.h"
#include "events/filter.h"

/* The filter of one Filter line (asserted to parse). */
static struct ev_filter one(const char *allow, const char *deny)
{
	struct ev_filter f = { 0 };
	char err[300];

	if (allow)
		assert_int_equal(filter_parse_lines(allow, &f.allow, &f.nallow, err, sizeof(err)), 0);
	if (deny)
		assert_int_equal(filter_parse_lines(deny, &f.deny, &f.ndeny, err, sizeof(err)), 0);
	return f;
}

static bool passes_json(const struct ev_filter *f, const char *line)
{
	struct ev_view v;
	struct jr ev;
	bool ok;

	assert_int_equal(jr_parse(line, &ev), 0);
	evjson_view(&ev, &v);
	ok = filter_view_match(f, &v);
	jr_free(&ev);
	return ok;
}

static const char *const exec_sh =
	"{\"process_exec\":{\"process\":{\"pid\":42,\"binary\":\"/bin/sh\",\"arguments\":\"-c 'exit 7'\","
	"\"docker\":\"0123456789abcdef0123456789abcde\",\"pod\":{\"container\":{\"id\":\"containerd://0123\"}}},"
	"\"parent\":{\"binary\":\"/usr/bin/bash\"}},\"node_name\":\"n\",\"time\":\"2026-01-01T00:00:00Z\"}";
static const char *const lsm_cat =
	"{\"process_lsm\":{\"process\":{\"pid\":7,\"binary\":\"/usr/bin/cat\",\"pod\":{\"namespace\":\"default\","
	"\"name\":\"web-1\"}},\"function_name\":\"file_open\",\"policy_name\":\"no-passwd\"},\"node_name\":\"n\"}";

/* Each key keeps and drops the right events; keys are ANDed, values ORed,
 * lines ORed, and the denylist wins. */
static void keys_and_lists(void **state)
{
	static const struct {
		const char *filter;
		bool exec, lsm;
	} cases[] = {
		{ "{}", true, true },
		{ "{\"event_set\":[\"PROCESS_LSM\"]}", false, true },
		{ "{\"eventSet\":[\"process_exec\",\"PROCESS_LSM\"]}", true, true },
		{ "{\"binary_regex\":[\"^/bin/\"]}", true, false },
		{ "{\"binary_regex\":[\"cat$\",\"^/bin/sh$\"]}", true, true },
		{ "{\"parent_binary_regex\":[\"bash\"]}", true, false },
		{ "{\"arguments_regex\":[\"exit [0-9]\"]}", true, false },
		{ "{\"pid\":[7,8]}", false, true },
		{ "{\"pid\":[42],\"binary_regex\":[\"cat\"]}", false, false },
		{ "{\"container_id\":[\"^0123456789\"]}", true, false },
		{ "{\"namespace\":[\"default\"]}", false, true },
		{ "{\"pod_regex\":[\"^web-\"]}", false, true },
		{ "{\"pod_regex\":[\".*\"]}", false, true }, /* outside any pod: never */
		{ "{\"policy_names\":[\"no-passwd\"]}", false, true },
		{ "{\"health_check\":true}", false, false },
		{ "{\"health_check\":false}", true, true },
		{ "{\"pid\":[42]}\n\n{\"pid\":[7]}", true, true },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ev_filter f = one(cases[i].filter, NULL);
		if (passes_json(&f, exec_sh) != cases[i].exec || passes_json(&f, lsm_cat) != cases[i].lsm)
			fail_msg("%s: exec %d lsm %d expected", cases[i].filter, cases[i].exec, cases[i].lsm);
		filter_free(&f);
	}
	struct ev_filter f = one("{\"binary_regex\":[\"/\"]}", "{\"pid\":[42]}");
	assert_false(passes_json(&f, exec_sh));
	assert_true(passes_json(&f, lsm_cat));
	filter_free(&f);
	f = one(NULL, "{\"event_set\":[\"PROCESS_EXEC\"]}");
	assert_false(passes_json(&f, exec_sh));
	assert_true(passes_json(&f, lsm_cat));
	filter_free(&f);
}

/* The agent's view of an event and the export's view of its JSON agree. */
static void view_of_ev(void **state)
{
	struct proc parent = { .pid = 1, .binary = "/usr/bin/bash" };
	struct proc p = { .pid = 42, .binary = "/bin/sh", .args = "-c 'exit 7'", .parent = &parent };
	struct ev e = { .kind = EV_PROCESS_EXEC, .proc = &p };
	struct ev_filter f = one("{\"parent_binary_regex\":[\"bash$\"],\"arguments_regex\":[\"exit\"],"
				 "\"container_id\":[\"^0123456789abcdef0123456789abcde$\"]}", NULL);
	struct ev_view v;

	strcpy(p.container.id, "0123456789abcdef0123456789abcdef0123");
	filter_view_of_ev(&v, &e);
	assert_string_equal(v.docker, "0123456789abcdef0123456789abcde");
	assert_true(filter_match(&f, &e));
	assert_true(passes_json(&f, exec_sh));
	p.parent = NULL;
	assert_false(filter_match(&f, &e));
	assert_true(filter_match(NULL, &e));
	filter_free(&f);
}

/* Errors name the line and the key; nothing of a bad list is kept. */
static void errors(void **state)
{
	static const struct { const char *text, *why; } bad[] = {
		{ "{}\nnot json", "2: not a JSON object" },
		{ "[]", "1: a filter is a JSON object" },
		{ "{\"binary_regex\":\"sh\"}", "1: 'binary_regex': expected a list" },
		{ "{\"binary_regex\":[1]}", "1: 'binary_regex': expected a list of strings" },
		{ "{\"binary_regex\":[\"a(\"]}", "1: 'binary_regex': bad regular expression at byte 3" },
		{ "{\"pid\":[\"1\"]}", "1: 'pid': expected a list of process ids" },
		{ "{\"pid\":[4294967296]}", "1: 'pid': expected a list of process ids" },
		{ "{\"event_set\":[\"PROCESS_UPROBE\"]}", "1: 'event_set': unknown event type 'PROCESS_UPROBE'" },
		{ "{\"pid_set\":[1]}", "1: 'pid_set': not supported: veto has no data for it" },
		{ "{\"in_init_tree\":true}", "1: 'in_init_tree': not supported" },
		{ "{\"labels\":[\"a=b\"]}", "1: 'labels': not supported" },
		{ "{\"binaryregex\":[]}", "1: 'binaryregex': unknown key of a filter" },
		{ "{\"health_check\":1}", "1: 'health_check': expected true or false" },
	};
	struct ev_match *list = NULL;
	size_t n = 0;
	char err[300];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(filter_parse_lines(bad[i].text, &list, &n, err, sizeof(err)), -EINVAL);
		if (strncmp(err, bad[i].why, strlen(bad[i].why)))
			fail_msg("'%s': '%s' is not '%s'", bad[i].text, err, bad[i].why);
		assert_int_equal(n, 0);
		assert_null(list);
	}
}

/* The error lists every type the parser takes, from the encoder's table:
 * each one listed parses, and they are all there. */
static void type_error_lists_accepted_types(void **state)
{
	struct ev_match *list = NULL;
	char err[300], *l, *save = NULL;
	size_t n = 0;
	enum ev_kind k;
	int seen = 0;

	assert_int_equal(filter_parse_lines("{\"event_set\":[\"PROCESS_UPROBE\"]}", &list, &n, err, sizeof(err)),
			 -EINVAL);
	l = strstr(err, "(expected ");
	assert_non_null(l);
	l += strlen("(expected ");
	l[strcspn(l, ")")] = '\0';
	for (char *t = strtok_r(l, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		if (!strcmp(t, "or"))
			continue;
		assert_int_equal(filter_kind_parse(t, &k), 0);
		seen |= 1 << k;
	}
	assert_int_equal(seen, (1 << EV__COUNT) - 1);
}

/* veto's exact --binary becomes a pattern matching that path only, whatever
 * characters it holds. */
static void exact_binary(void **state)
{
	static const char *const paths[] = { "/usr/bin/a.b", "/t/(x)|[y]*+?{1}$^\\", "/t/sp ace" };
	char pat[300], line[400], json[500];

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct ev_filter f = { 0 };
		char err[300];
		struct jr j;
		struct jw w;

		filter_regex_quote(paths[i], pat, sizeof(pat));
		jw_init(&w);
		jw_obj_open(&w);
		jw_key(&w, "binary_regex");
		jw_arr_open(&w);
		jw_str(&w, pat);
		jw_arr_close(&w);
		jw_obj_close(&w);
		snprintf(line, sizeof(line), "%s", w.buf);
		jw_free(&w);
		assert_int_equal(filter_parse_lines(line, &f.allow, &f.nallow, err, sizeof(err)), 0);
		jw_init(&w);
		jw_obj_open(&w);
		jw_key(&w, "process_exec");
		jw_obj_open(&w);
		jw_key(&w, "process");
		jw_obj_open(&w);
		jw_kstr(&w, "binary", paths[i]);
		jw_obj_close(&w);
		jw_obj_close(&w);
		jw_obj_close(&w);
		snprintf(json, sizeof(json), "%s", w.buf);
		jw_free(&w);
		assert_true(passes_json(&f, json));
		/* one more byte, or one less, is another binary */
		assert_int_equal(jr_parse(json, &j), 0);
		jr_free(&j);
		snprintf(json, sizeof(json), "{\"process_exec\":{\"process\":{\"binary\":\"%sx\"}}}", "/usr/bin/a.b");
		assert_false(passes_json(&f, json) && i == 0);
		filter_free(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keys_and_lists),
		cmocka_unit_test(view_of_ev),
		cmocka_unit_test(errors),
		cmocka_unit_test(exact_binary),
		cmocka_unit_test(type_error_lists_accepted_types),
	};
	return cmocka_run_group_tests_name("filter", tests, NULL, NULL);
}
