#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "agent/request.h"

static void parses_getevents(void **state)
{
	struct request r;
	char why[256];

	assert_int_equal(request_parse("getevents format=compact ancestors=1 filter=%7B\"event_set\":[\"PROCESS_EXIT\"%2C"
				       "\"process_exec\"]%2C\"binary_regex\":[\"^/bin/a%20b$\"]%2C\"pid\":[12%2C13]%7D",
				       &r, why, sizeof(why)), 0);
	assert_int_equal(r.op, REQ_GETEVENTS);
	assert_int_equal(r.format, FMT_COMPACT);
	assert_true(r.ancestors);
	assert_int_equal(r.filter.nallow, 1);
	assert_ptr_equal(r.filter.allow, &r.match);
	assert_int_equal(r.match.kinds, 3);
	assert_int_equal(r.match.nbin, 1);
	assert_int_equal(r.match.npids, 2);
	assert_int_equal(r.match.pids[1], 13);
	assert_string_equal(r.filter_json, "{\"event_set\":[\"PROCESS_EXIT\",\"process_exec\"],"
			    "\"binary_regex\":[\"^/bin/a b$\"],\"pid\":[12,13]}");
	request_free(&r);
	assert_int_equal(request_parse("status", &r, why, sizeof(why)), 0);
	assert_int_equal(r.op, REQ_STATUS);
	assert_int_equal(r.filter.nallow, 0);
}

static void rejects_malformed(void **state)
{
	static const struct { const char *line, *why; } bad[] = {
		{ "", "empty request" }, { "   ", "empty request" }, { "hello", "unknown request 'hello'" },
		{ "getevents format=xml", "unknown format" }, { "getevents nokey", "expected key=value" },
		{ "getevents =x", "expected key=value" }, { "getevents color=red", "unknown key 'color'" },
		{ "getevents types=process_exec", "unknown key 'types'" },
		{ "getevents filter=%zz", "bad %-escape" }, { "getevents filter=%00", "bad %-escape" },
		{ "getevents filter=nojson", "not a JSON object" },
		{ "getevents filter=[1]", "a filter is a JSON object" },
		{ "getevents filter={\"pid_set\":[1]}", "'pid_set': not supported" },
		{ "getevents filter={\"bogus\":1}", "'bogus': unknown key" },
		{ "getevents filter={\"binary_regex\":[\"(\"]}", "'binary_regex': bad regular expression" },
		{ "getevents filter={\"event_set\":[\"PROCESS_UPROBE\"]}", "unknown event type 'PROCESS_UPROBE'" },
		{ "getevents filter={\"pid\":[-1]}", "'pid': expected a list of process ids" },
		{ "getevents filter={} filter={}", "'filter' given twice" },
		{ "getevents filter={\"binary_regex\":[\"a\"]} x", "expected key=value" },
		{ "status now", "takes no argument" },
	};
	struct request r;
	char why[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(request_parse(bad[i].line, &r, why, sizeof(why)), -EINVAL);
		if (!strstr(why, bad[i].why))
			fail_msg("'%s': '%s' does not say '%s'", bad[i].line, why, bad[i].why);
		assert_null(r.filter.allow); /* nothing half parsed is kept */
	}
}

/* A filter with what the line format escapes (spaces, commas, percent
 * signs, a tab) comes back the same. */
static void round_trip(void **state)
{
	struct request r = { .op = REQ_GETEVENTS, .format = FMT_JSON }, back;
	char line[REQ_MAX_LINE], why[256];

	strcpy(r.filter_json, "{\"binary_regex\":[\"/opt/my app,v2%\\t\"],\"pid\":[42]}");
	assert_int_equal(request_format(&r, line, sizeof(line)), 0);
	assert_null(strchr(line + strlen("getevents "), ','));
	assert_int_equal(request_parse(line, &back, why, sizeof(why)), 0);
	assert_string_equal(back.filter_json, r.filter_json);
	assert_int_equal(back.match.nbin, 1);
	assert_int_equal(back.match.pids[0], 42);
	request_free(&back);
}

static void parses_tracingpolicy(void **state)
{
	struct request r;
	char why[256];

	assert_int_equal(request_parse("tracingpolicy list", &r, why, sizeof(why)), 0);
	assert_int_equal(r.op, REQ_TP_LIST);
	assert_int_equal(request_parse("tracingpolicy add file=my%20p.yaml length=1048576 mode=monitor", &r, why,
				       sizeof(why)), 0);
	assert_int_equal(r.op, REQ_TP_ADD);
	assert_string_equal(r.name, "my p.yaml");
	assert_int_equal(r.body_len, 1048576);
	assert_int_equal(r.mode, REQ_MODE_MONITOR);
	assert_int_equal(request_parse("tracingpolicy add length=3 file=a", &r, why, sizeof(why)), 0);
	assert_int_equal(r.mode, REQ_MODE_NONE);
	assert_int_equal(request_parse("tracingpolicy delete name=p", &r, why, sizeof(why)), 0);
	assert_int_equal(r.op, REQ_TP_DELETE);
	assert_string_equal(r.name, "p");
	assert_int_equal(request_parse("tracingpolicy enable name=p", &r, why, sizeof(why)), 0);
	assert_int_equal(r.op, REQ_TP_ENABLE);
	assert_int_equal(request_parse("tracingpolicy disable name=p", &r, why, sizeof(why)), 0);
	assert_int_equal(r.op, REQ_TP_DISABLE);
	assert_int_equal(request_parse("tracingpolicy set-mode name=p mode=enforce", &r, why, sizeof(why)), 0);
	assert_int_equal(r.op, REQ_TP_SET_MODE);
	assert_int_equal(r.mode, REQ_MODE_ENFORCE);
}

static void rejects_bad_tracingpolicy(void **state)
{
	static const struct { const char *line, *why; } bad[] = {
		{ "tracingpolicy", "unknown tracingpolicy verb" },
		{ "tracingpolicy remove name=p", "unknown tracingpolicy verb 'remove'" },
		{ "tracingpolicy add file=a", "needs length=" },
		{ "tracingpolicy add length=5", "needs file=" },
		{ "tracingpolicy add file=a length=0", "bad length" },
		{ "tracingpolicy add file=a length=1048577", "bad length" },
		{ "tracingpolicy add file=a length=-1", "bad length" },
		{ "tracingpolicy add file=a length=12x", "bad length" },
		{ "tracingpolicy add file=a length=99999999999999999999999", "bad length" },
		{ "tracingpolicy add file=a file=b length=1", "'file' given twice" },
		{ "tracingpolicy add file=a length=1 name=p", "takes no 'name'" },
		{ "tracingpolicy add file=a length=1 mode=audit", "unknown mode 'audit'" },
		{ "tracingpolicy delete", "needs name=" },
		{ "tracingpolicy delete name=", "empty value" },
		{ "tracingpolicy delete name=%zz", "bad or empty value" },
		{ "tracingpolicy delete name=%00x", "bad or empty value" },
		{ "tracingpolicy delete name=p mode=enforce", "takes no 'mode'" },
		{ "tracingpolicy set-mode name=p", "needs mode=" },
		{ "tracingpolicy set-mode mode=monitor", "needs name=" },
		{ "tracingpolicy list name=p", "takes no 'name'" },
		{ "tracingpolicy list x", "expected key=value" },
		{ "tracingpolicy enable color=red", "unknown key 'color'" },
	};
	char line[REQ_MAX_LINE + 8], why[256];
	struct request r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(request_parse(bad[i].line, &r, why, sizeof(why)), -EINVAL);
		if (!strstr(why, bad[i].why))
			fail_msg("'%s': '%s' does not say '%s'", bad[i].line, why, bad[i].why);
	}
	/* a name of 256 bytes does not fit */
	snprintf(line, sizeof(line), "tracingpolicy delete name=%0256d", 0);
	assert_int_equal(request_parse(line, &r, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "longer than 255"));
}

static void tracingpolicy_round_trip(void **state)
{
	struct request r = { .op = REQ_TP_ADD, .body_len = 77, .mode = REQ_MODE_ENFORCE }, back;
	char line[REQ_MAX_LINE], why[256];

	strcpy(r.name, "/etc/my policies/a,b%.yaml");
	assert_int_equal(request_format(&r, line, sizeof(line)), 0);
	assert_int_equal(request_parse(line, &back, why, sizeof(why)), 0);
	assert_int_equal(back.op, REQ_TP_ADD);
	assert_string_equal(back.name, r.name);
	assert_int_equal(back.body_len, 77);
	assert_int_equal(back.mode, REQ_MODE_ENFORCE);
	for (int op = REQ_TP_LIST; op <= REQ_TP_SET_MODE; op++) {
		if (op == REQ_TP_ADD)
			continue;
		memset(&r, 0, sizeof(r));
		r.op = op;
		if (op != REQ_TP_LIST)
			strcpy(r.name, "p q");
		if (op == REQ_TP_SET_MODE)
			r.mode = REQ_MODE_MONITOR;
		assert_int_equal(request_format(&r, line, sizeof(line)), 0);
		assert_int_equal(request_parse(line, &back, why, sizeof(why)), 0);
		assert_int_equal(back.op, op);
		assert_string_equal(back.name, r.name);
		assert_int_equal(back.mode, r.mode);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_getevents),
		cmocka_unit_test(rejects_malformed),
		cmocka_unit_test(round_trip),
		cmocka_unit_test(parses_tracingpolicy),
		cmocka_unit_test(rejects_bad_tracingpolicy),
		cmocka_unit_test(tracingpolicy_round_trip),
	};
	return cmocka_run_group_tests_name("request", tests, NULL, NULL);
}
