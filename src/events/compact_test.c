#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "events/compact.h"
#include "events/fields.h"

#define P "{\"process\":{\"binary\":\"/bin/x\",\"arguments\":\"a\"}"
#define LOCK "\xf0\x9f\x94\x92 LSM     n /bin/x "

/* The line for one JSON event (asserted to render). */
static const char *render(const char *json, bool color, bool ts)
{
	static char line[1024];
	struct compact_opts o = { .color = color, .timestamps = ts };
	char err[128];
	struct jr ev;
	struct jw w;

	assert_int_equal(jr_parse(json, &ev), 0);
	jw_init(&w);
	if (compact_render(&w, &ev, &o, err, sizeof(err)))
		fail_msg("%s: %s", json, err);
	snprintf(line, sizeof(line), "%.*s", (int)w.len, w.buf);
	jw_free(&w);
	jr_free(&ev);
	return line;
}

/* veto's outcome after Tetragon's text, from the "veto" key. */
static void outcome(void **state)
{
	static const struct { const char *veto, *says; } cases[] = {
		{ "{\"mode\":\"enforce\",\"denied\":true,\"errno\":\"EPERM\",\"killed\":true}", "denied EPERM, killed" },
		{ "{\"mode\":\"enforce\",\"denied\":true,\"errno\":\"EACCES\",\"killed\":false}", "denied EACCES" },
		{ "{\"mode\":\"monitor\",\"would_deny\":true,\"errno\":\"EPERM\",\"would_kill\":true}",
		  "monitor, would deny EPERM, would kill" },
		{ "{\"mode\":\"enforce\",\"denied\":false,\"killed\":true,\"call_completes\":true}",
		  "killed, call completes" },
		{ "{\"mode\":\"enforce\",\"denied\":false,\"killed\":false,\"signaled\":true,\"call_completes\":true}",
		  "signaled, call completes" },
		{ "{\"mode\":\"monitor\",\"would_deny\":false,\"would_kill\":false,\"would_signal\":true}",
		  "monitor, would signal" },
		{ "{\"mode\":\"enforce\",\"denied\":false,\"killed\":false}", "allowed" },
		{ "{\"mode\":\"monitor\",\"would_deny\":false,\"would_kill\":false}", "monitor, would allow" },
		{ "{\"mode\":\"enforce\",\"denied\":true,\"errno\":\"E\\u001b[2J\"}", "denied \"E\\x1b[2J\"" },
	};
	char json[512], want[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(json, sizeof(json), "{\"process_lsm\":" P ",\"function_name\":\"file_open\"},"
			 "\"node_name\":\"n\",\"veto\":%s}", cases[i].veto);
		snprintf(want, sizeof(want), LOCK "file_open %s", cases[i].says);
		assert_string_equal(render(json, false, false), want);
	}
	/* no "veto" key (an export without --export-veto, Tetragon's own): Tetragon's line */
	assert_string_equal(render("{\"process_lsm\":" P ",\"function_name\":\"file_open\"},\"node_name\":\"n\"}",
				   false, false), LOCK "file_open");
}

/* Numbers are printed as the JSON has them: negative ints stay negative,
 * 64-bit values written as strings print their digits; an argument of
 * another type prints its default, never another event's value. */
static void numbers(void **state)
{
	assert_string_equal(render("{\"process_kprobe\":" P ",\"function_name\":\"__x64_sys_setuid\",\"args\":"
				   "[{\"int_arg\":-1}]},\"node_name\":\"n\"}", false, false),
			    "\xf0\x9f\x94\x91 setuid  n /bin/x -1");
	assert_string_equal(render("{\"process_kprobe\":" P ",\"function_name\":\"__x64_sys_write\",\"args\":"
				   "[{\"file_arg\":{\"path\":\"/f\"}},{},{\"size_arg\":\"18446744073709551615\"}]},"
				   "\"node_name\":\"n\"}", false, false),
			    "\xf0\x9f\x93\x9d write   n /bin/x /f 18446744073709551615 bytes");
	assert_string_equal(render("{\"process_kprobe\":" P ",\"function_name\":\"__x64_sys_write\",\"args\":"
				   "[{\"file_arg\":{\"path\":\"/f\"}},{},{\"string_arg\":\"12\"}]},"
				   "\"node_name\":\"n\"}", false, false),
			    "\xf0\x9f\x93\x9d write   n /bin/x /f 0 bytes");
	assert_string_equal(render("{\"process_exit\":" P ",\"status\":4294967295},\"node_name\":\"n\"}", false, false),
			    "\xf0\x9f\x92\xa5 exit    n /bin/x a 4294967295");
	assert_string_equal(render("{\"process_tracepoint\":" P ",\"subsys\":\"raw_syscalls\",\"event\":\"sys_enter\","
				   "\"args\":[{\"syscall_id\":{\"id\":59,\"abi\":\"x64\"}}]},\"node_name\":\"n\"}",
				   false, false),
			    "\xe2\x98\x8e  syscall n /bin/x execve");
	assert_string_equal(render("{\"process_tracepoint\":" P ",\"subsys\":\"raw_syscalls\",\"event\":\"sys_enter\","
				   "\"args\":[{\"long_arg\":\"-1\"}]},\"node_name\":\"n\"}", false, false),
			    "\xe2\x98\x8e  syscall n /bin/x unknown");
}

/* Colours and the capability trailer: Tetragon's escapes and columns. */
static void colours_and_trailer(void **state)
{
	char caps[512] = "{\"process_exec\":{\"process\":{\"binary\":\"/bin/x\",\"arguments\":\"a\",\"cap\":"
			 "{\"effective\":[";
	const char *l;

	for (int i = 0; i < 22; i++)
		strcat(caps, i ? ",\"C\"" : "\"C\"");
	strcat(caps, "]}}},\"node_name\":\"n\"}");
	l = render(caps, false, false);
	/* the line before the trailer counted in bytes, the trailer's 18 bytes as 15 characters */
	assert_int_equal(strlen(l), 120 + 1 - 15 + 18);
	/* 23 bytes of text, then 1 + (120 - 23 - 15) spaces */
	assert_memory_equal(l, "\xf0\x9f\x9a\x80 process n /bin/x a", 23);
	assert_int_equal(strspn(l + 23, " "), 83);
	assert_string_equal(l + 23 + 83, "\xf0\x9f\x9b\x91 CAP_SYS_ADMIN");
	/* coloured, the trailer is its escapes around nothing: 59 bytes, then
	 * 1 + (120 - 59 - 9) spaces (as tetra) */
	l = render("{\"process_exec\":" P "},\"node_name\":\"n\"}", true, false);
	assert_memory_equal(l, "\x1b[34m\xf0\x9f\x9a\x80 process\x1b[0m \x1b[32mn\x1b[0m \x1b[35m/bin/x\x1b[0m \x1b[36ma\x1b[0m",
			    59);
	assert_int_equal(strspn(l + 59, " "), 53);
	assert_string_equal(l + 59 + 53, "\x1b[35m\x1b[0m");
}

static void timestamps(void **state)
{
	static const char *const cases[][2] = {
		{ "2026-01-02T03:04:05Z", "2026-01-02T03:04:05.000000000Z " },
		{ "2026-01-02T03:04:05.5Z", "2026-01-02T03:04:05.500000000Z " },
		{ "2026-01-02T03:04:05.123456789Z", "2026-01-02T03:04:05.123456789Z " },
		{ "", "1970-01-01T00:00:00.000000000Z " },
	};
	char json[256], want[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(json, sizeof(json), "{\"process_exec\":" P "},\"node_name\":\"n\",\"time\":\"%s\"}", cases[i][0]);
		snprintf(want, sizeof(want), "%s\xf0\x9f\x9a\x80 process n /bin/x a", cases[i][1]);
		assert_string_equal(render(json, false, true), want);
	}
}

/* What an unprivileged process chooses (its binary's name, its argv) and
 * what a policy reads (paths) cannot act on the terminal. */
static void hostile_strings(void **state)
{
	assert_string_equal(render("{\"process_exec\":{\"process\":{\"binary\":\"/tmp/\\u001b]0;pwned\\u0007\","
				   "\"arguments\":\"txt\\u202egnp.exe \\u009b2J\"}},\"node_name\":\"n\"}", false, false),
			    "\xf0\x9f\x9a\x80 process n \"/tmp/\\x1b]0;pwned\\a\" \"txt\\u202egnp.exe \\u009b2J\"");
	assert_string_equal(render("{\"process_kprobe\":" P ",\"function_name\":\"fd_install\",\"args\":"
				   "[{},{\"file_arg\":{\"path\":\"/x\\r\\ny\"}}]},\"node_name\":\"n\"}", false, false),
			    "\xf0\x9f\x93\xac open    n /bin/x \"/x\\r\\ny\"");
	/* raw invalid bytes in a line from elsewhere */
	assert_string_equal(render("{\"process_exec\":{\"process\":{\"binary\":\"/bin/\xff\xc3\"}},\"node_name\":\"n\"}",
				   false, false),
			    "\xf0\x9f\x9a\x80 process n \"/bin/\\xff\\xc3\" ");
}

static void not_rendered(void **state)
{
	static const char *const cases[][2] = {
		{ "{\"node_name\":\"n\"}", "not an event" },
		{ "{\"process_loader\":{},\"node_name\":\"n\"}", "unknown event type 'process_loader'" },
		{ "{\"process_lsm\":{},\"node_name\":\"n\"}", "process_lsm: process field is not set" },
		{ "{\"process_exec\":{\"process\":1}}", "process_exec: process field is not set" },
	};
	struct compact_opts o = { 0 };
	char err[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct jr ev;
		struct jw w;

		assert_int_equal(jr_parse(cases[i][0], &ev), 0);
		jw_init(&w);
		assert_int_equal(compact_render(&w, &ev, &o, err, sizeof(err)), -EINVAL);
		assert_string_equal(err, cases[i][1]);
		jw_free(&w);
		jr_free(&ev);
	}
}

/* Field masks: INCLUDE keeps the paths named (and what leads to them),
 * EXCLUDE drops them; event_set and invert choose the events. */
static void field_masks(void **state)
{
	static const char *const ev = "{\"process_exec\":{\"process\":{\"pid\":1,\"binary\":\"/b\",\"pod\":{\"name\":\"p\","
				      "\"namespace\":\"s\"}},\"parent\":{\"pid\":0}},\"node_name\":\"n\",\"time\":\"t\"}";
	static const struct { const char *filter, *want; } cases[] = {
		{ "{\"fields\":\"process.binary,process.pod.name\",\"action\":\"INCLUDE\"}",
		  "{\"process_exec\":{\"process\":{\"binary\":\"/b\",\"pod\":{\"name\":\"p\"}}},\"node_name\":\"n\",\"time\":\"t\"}" },
		{ "{\"fields\":\"parent,process.pod\",\"action\":\"EXCLUDE\"}",
		  "{\"process_exec\":{\"process\":{\"pid\":1,\"binary\":\"/b\"}},\"node_name\":\"n\",\"time\":\"t\"}" },
		{ "{\"event_set\":[\"PROCESS_EXIT\"],\"fields\":\"parent\",\"action\":\"EXCLUDE\"}", NULL },
		{ "{\"event_set\":[\"PROCESS_EXIT\"],\"invert_event_set\":true,\"fields\":\"parent\",\"action\":\"EXCLUDE\"}",
		  "{\"process_exec\":{\"process\":{\"pid\":1,\"binary\":\"/b\",\"pod\":{\"name\":\"p\",\"namespace\":\"s\"}}},"
		  "\"node_name\":\"n\",\"time\":\"t\"}" },
	};
	static const char *const bad[][2] = {
		{ "{\"fields\":\"a\"}", "1: 'action' missing (INCLUDE or EXCLUDE)" },
		{ "{\"fields\":\"a..b,\",\"action\":\"KEEP\"}", "1: 'action': expected INCLUDE or EXCLUDE" },
		{ "{\"action\":\"INCLUDE\"}\n\n{\"fields\":\".a\",\"action\":\"INCLUDE\"}", "3: bad field path '.a'" },
		{ "{\"event_set\":[\"X\"],\"action\":\"INCLUDE\"}", "1: 'event_set': unknown event type" },
		{ "{\"nope\":1}", "1: 'nope': unknown key of a field filter" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct field_filter *v = NULL;
		size_t n = 0;
		char err[200];
		struct jr j;
		struct jw w;

		assert_int_equal(fields_parse_lines(cases[i].filter, &v, &n, err, sizeof(err)), 0);
		assert_int_equal(jr_parse(ev, &j), 0);
		assert_int_equal(fields_apply(v, n, &j), cases[i].want != NULL);
		jw_init(&w);
		fields_write(&w, &j);
		jw_raw(&w, "", 1);
		assert_string_equal(w.buf, cases[i].want ? cases[i].want : ev);
		jw_free(&w);
		jr_free(&j);
		free(v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct field_filter *v = NULL;
		size_t n = 0;
		char err[200];

		assert_int_equal(fields_parse_lines(bad[i][0], &v, &n, err, sizeof(err)), -EINVAL);
		assert_string_equal(err, bad[i][1]);
		assert_int_equal(n, 0);
		free(v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(outcome),
		cmocka_unit_test(numbers),
		cmocka_unit_test(colours_and_trailer),
		cmocka_unit_test(timestamps),
		cmocka_unit_test(hostile_strings),
		cmocka_unit_test(not_rendered),
		cmocka_unit_test(field_masks),
	};
	return cmocka_run_group_tests_name("compact", tests, NULL, NULL);
}
