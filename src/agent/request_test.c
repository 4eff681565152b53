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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_getevents),
		cmocka_unit_test(rejects_malformed),
		cmocka_unit_test(round_trip),
		cmocka_unit_test(filters),
		cmocka_unit_test(type_error_lists_accepted_types),
	};
	return cmocka_run_group_tests_name("request", tests, NULL, NULL);
}
