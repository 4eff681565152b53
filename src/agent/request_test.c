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

	assert_int_equal(request_parse("getevents format=compact types=process_exit,process_exec binary=/bin/a%20b,/c pid=12,13 ancestors=1",
				       &r, why, sizeof(why)), 0);
	assert_int_equal(r.op, REQ_GETEVENTS);
	assert_int_equal(r.format, FMT_COMPACT);
	assert_true(r.ancestors);
	assert_int_equal(r.filter.kinds, 3);
	assert_int_equal(r.filter.nbinaries, 2);
	assert_string_equal(r.filter.binaries[0], "/bin/a b");
	assert_int_equal(r.filter.npids, 2);
	assert_int_equal(r.filter.pids[1], 13);
	assert_int_equal(request_parse("status", &r, why, sizeof(why)), 0);
	assert_int_equal(r.op, REQ_STATUS);
}

static void rejects_malformed(void **state)
{
	static const char *const bad[] = {
		"", "   ", "hello", "getevents format=xml", "getevents types=process_uprobe", "getevents pid=-1",
		"getevents pid=abc", "getevents pid=0", "getevents nokey", "getevents =x", "getevents color=red",
		"getevents binary=%zz", "getevents binary=%00", "status now", "getevents pid=99999999999",
	};
	struct request r;
	char why[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(request_parse(bad[i], &r, why, sizeof(why)), -EINVAL);
		assert_true(why[0] != '\0');
	}
}

static void round_trip(void **state)
{
	struct request r = { .op = REQ_GETEVENTS, .format = FMT_JSON }, back;
	char line[REQ_MAX_LINE], why[256];

	r.filter.kinds = 1u << EV_PROCESS_EXIT;
	strcpy(r.filter.binaries[0], "/opt/my app,v2%");
	r.filter.nbinaries = 1;
	r.filter.pids[0] = 42;
	r.filter.npids = 1;
	assert_int_equal(request_format(&r, line, sizeof(line)), 0);
	assert_int_equal(request_parse(line, &back, why, sizeof(why)), 0);
	assert_string_equal(back.filter.binaries[0], "/opt/my app,v2%");
	assert_int_equal(back.filter.kinds, r.filter.kinds);
	assert_int_equal(back.filter.pids[0], 42);
}

static void filters(void **state)
{
	struct proc p = { .pid = 42, .binary = "/bin/sh" };
	struct ev e = { .kind = EV_PROCESS_EXEC, .proc = &p };
	struct ev_filter f = { 0 };

	assert_true(filter_match(&f, &e));
	f.kinds = 1u << EV_PROCESS_EXIT;
	assert_false(filter_match(&f, &e));
	f.kinds = 0;
	f.npids = 1;
	f.pids[0] = 41;
	assert_false(filter_match(&f, &e));
	f.pids[0] = 42;
	assert_true(filter_match(&f, &e));
	f.nbinaries = 1;
	strcpy(f.binaries[0], "/bin/bash");
	assert_false(filter_match(&f, &e));
	strcpy(f.binaries[0], "/bin/sh");
	assert_true(filter_match(&f, &e));
}

/* the error lists every type the parser accepts: each one listed parses */
static void type_error_lists_accepted_types(void **state)
{
	struct request r;
	char why[256], *list, *save = NULL;
	int n = 0;

	assert_int_equal(request_parse("getevents types=process_uprobe", &r, why, sizeof(why)), -EINVAL);
	list = strstr(why, "(expected one of ");
	assert_non_null(list);
	list += strlen("(expected one of ");
	list[strcspn(list, ")")] = '\0';
	for (char *t = strtok_r(list, ", ", &save); t; t = strtok_r(NULL, ", ", &save), n++) {
		char line[128];
		snprintf(line, sizeof(line), "getevents types=%s", t);
		assert_int_equal(request_parse(line, &r, why, sizeof(why)), 0);
	}
	assert_int_equal(n, EV__COUNT);
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
		cmocka_unit_test(filters),
		cmocka_unit_test(type_error_lists_accepted_types),
		cmocka_unit_test(parses_tracingpolicy),
		cmocka_unit_test(rejects_bad_tracingpolicy),
		cmocka_unit_test(tracingpolicy_round_trip),
	};
	return cmocka_run_group_tests_name("request", tests, NULL, NULL);
}
