/* store_put_json: Tetragon's and the agent's lines become the schema's rows
 * (processes by exec_id, filled in from whatever names them; events with
 * their outcome), and hostile lines are refused whole with a reason. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "store/store.h"

struct fx {
	char dir[64];
	char path[96];
	struct store *s;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];

	strcpy(f->dir, "/tmp/veto-ingest-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir);
	assert_int_equal(store_open(&f->s, f->path, false, err, sizeof(err)), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char p[128];

	store_close(f->s);
	unlink(f->path);
	snprintf(p, sizeof(p), "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", f->path);
	unlink(p);
	rmdir(f->dir);
	free(f);
	return 0;
}

static int put(struct fx *f, const char *line)
{
	char err[256] = "";
	int rc = store_put_json(f->s, line, strlen(line), err, sizeof(err));

	if (rc && rc != -EINVAL)
		fail_msg("put: %d %s", rc, err);
	return rc;
}

/* The first column of the first row of sql, as text ("NULL" for NULL). */
static char *q(struct fx *f, const char *sql)
{
	static char out[4096];
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(store_db(f->s), sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		snprintf(out, sizeof(out), "%s", (const char *)sqlite3_column_text(st, 0));
	else
		strcpy(out, "NULL");
	sqlite3_finalize(st);
	return out;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	long n;

	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = 0;
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

/* Tetragon's own lines and the agent's VM exports, one event a line (the
 * two .json files are one pretty-printed event each). */
static void corpus(void **state)
{
	static const char *files[] = { "vm-6.12-defaults.jsonl", "vm-6.12-cred-ns.jsonl", "process_exec.json",
				       "process_kprobe.json" };
	struct fx *f = *state;
	char err[256];
	size_t total = 0;

	assert_int_equal(store_begin(f->s), 0);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[256];
		size_t len;
		char *buf;

		snprintf(path, sizeof(path), "../shared/corpus/tetragon-events/%s", files[i]);
		if (!(buf = slurp(path, &len)))
			skip();
		if (strstr(files[i], ".jsonl")) {
			for (char *l = buf, *nl; *l; l = nl + 1) {
				nl = strchr(l, '\n');
				if (!nl)
					nl = l + strlen(l) - 1;
				if (nl > l) {
					assert_int_equal(store_put_json(f->s, l, (size_t)(nl - l), err, sizeof(err)), 0);
					total++;
				}
				if (!nl[1])
					break;
			}
		} else {
			if (store_put_json(f->s, buf, len, err, sizeof(err)))
				fail_msg("%s: %s", files[i], err);
			total++;
		}
		free(buf);
	}
	assert_int_equal(store_commit(f->s), 0);
	char want[32];
	snprintf(want, sizeof(want), "%zu", total);
	assert_string_equal(q(f, "SELECT count(*) FROM events"), want);
	/* Tetragon's kprobe: pod and container from the process, parent's row too */
	assert_string_equal(q(f, "SELECT pod FROM processes WHERE binary = '/bin/vi'"), "default/file-access");
	assert_string_equal(q(f, "SELECT container FROM processes WHERE binary = '/bin/vi'"),
			    "6b742e38ee3a212239e6d48b2954435");
	assert_string_equal(q(f, "SELECT p.binary FROM processes c JOIN processes p ON "
				 "p.exec_id = c.parent_exec_id WHERE c.binary = '/bin/vi'"),
			    "/bin/sh");
	assert_string_equal(q(f, "SELECT outcome FROM events e JOIN processes p ON p.id = e.proc "
				 "WHERE p.binary = '/bin/vi'"),
			    "allowed"); /* KPROBE_ACTION_POST */
	assert_string_equal(q(f, "SELECT hook || ' ' || policy || ' ' || action || ' ' || outcome FROM "
				 "events WHERE policy = 'lsm-file-open-kill'"),
			    "file_open lsm-file-open-kill KPROBE_ACTION_SIGKILL killed");
	assert_string_equal(q(f, "SELECT outcome FROM events WHERE policy = 'lsm-file-open'"), "denied");
	assert_string_equal(q(f, "SELECT arguments FROM events WHERE policy = 'lsm-file-open'"),
			    "[{\"file_arg\":{\"path\":\"/etc/passwd\", \"permission\":\"-rw-r--r--\"}}]");
	assert_string_equal(q(f, "SELECT count(*) FROM events WHERE type IN ('process_exec', "
				 "'process_exit') AND outcome IS NOT NULL"),
			    "0");
	/* the exit killed by SIGKILL: its signal, no status */
	assert_string_equal(q(f, "SELECT exit_signal || ' ' || coalesce(exit_status, 'none') || ' ' || "
				 "exit_time FROM processes WHERE arguments LIKE '%sbs_kill9'"),
			    "SIGKILL none 1796168768775601085");
	/* an exec's arguments unescaped; its start time in ns */
	assert_string_equal(q(f, "SELECT arguments FROM processes WHERE binary = '/bin/true'"),
			    "sbs-exec-arg1 \"sbs two words\"");
	assert_string_equal(q(f, "SELECT start_time FROM processes WHERE binary = '/bin/true'"),
			    "1796168768772716476");
	assert_string_equal(q(f, "SELECT node FROM processes WHERE binary = '/bin/true'"), "veto-vm");
	/* a process known as a parent only has a row with what the parent said */
	assert_string_equal(q(f, "SELECT binary || ' ' || flags FROM processes WHERE exec_id = "
				 "'dmV0by12bToyODcwMDAwMDAwOjE1Ng=='"),
			    "/bin/busybox procFS");
	assert_string_equal(q(f, "SELECT count(*) FROM processes WHERE namespaces LIKE '{\"uts\":%'"),
			    q(f, "SELECT count(*) FROM processes WHERE namespaces IS NOT NULL"));
	/* every event names its process, each exec_id once */
	assert_string_equal(q(f, "SELECT count(*) FROM events WHERE proc IS NULL"), "0");
	assert_string_equal(q(f, "SELECT count(*) - count(DISTINCT exec_id) FROM processes"), "0");
}

#define P(id, bin) "{\"exec_id\":\"" id "\",\"pid\":42,\"uid\":1000,\"binary\":\"" bin "\",\"cwd\":\"/\"," \
		   "\"start_time\":\"2024-01-01T00:00:00Z\",\"parent_exec_id\":\"par\"}"

/* The "veto" key decides the outcome; processes fill in from later lines but
 * an exec's data is not overwritten by other events; exit before exec. */
static void outcomes_and_upserts(void **state)
{
	struct fx *f = *state;

	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(put(f, "{\"process_lsm\":{\"process\":" P("a", "/a") ",\"policy_name\":\"p\","
				"\"action\":\"KPROBE_ACTION_OVERRIDE\"},\"time\":\"2024-01-01T00:00:01Z\","
				"\"veto\":{\"mode\":\"monitor\",\"would_deny\":true,\"would_kill\":true}}"),
			 0);
	assert_int_equal(put(f, "{\"process_kprobe\":{\"process\":" P("a", "/a") ",\"policy_name\":\"q\","
				"\"function_name\":\"security_file_open\",\"action\":\"KPROBE_ACTION_SIGKILL\"},"
				"\"time\":\"2024-01-01T00:00:02Z\",\"veto\":{\"mode\":\"enforce\",\"denied\":true,"
				"\"killed\":false}}"),
			 0);
	assert_int_equal(put(f, "{\"process_tracepoint\":{\"process\":" P("a", "/a") ",\"subsys\":\"raw_syscalls\","
				"\"event\":\"sys_enter\",\"policy_name\":\"r\",\"action\":\"KPROBE_ACTION_POST\"},"
				"\"time\":\"2024-01-01T00:00:03Z\",\"veto\":{\"mode\":\"monitor\",\"would_deny\":false,"
				"\"would_kill\":false}}"),
			 0);
	/* exit first, then the exec arrives (import order need not be time order) */
	assert_int_equal(put(f, "{\"process_exit\":{\"process\":{\"exec_id\":\"b\"},\"status\":3,"
				"\"time\":\"2024-01-01T00:00:09Z\"},\"time\":\"2024-01-01T00:00:09Z\"}"),
			 0);
	assert_int_equal(put(f, "{\"process_exec\":{\"process\":" P("b", "/exec-b") "},"
				"\"time\":\"2024-01-01T00:00:04Z\"}"),
			 0);
	/* a later event with other data does not overwrite the exec's */
	assert_int_equal(put(f, "{\"process_lsm\":{\"process\":" P("b", "/other") ",\"policy_name\":\"p\"},"
				"\"time\":\"2024-01-01T00:00:05Z\"}"),
			 0);
	assert_int_equal(store_commit(f->s), 0);
	assert_string_equal(q(f, "SELECT group_concat(outcome, ',') FROM (SELECT outcome FROM events ORDER BY id)"),
			    "would_kill,denied,allowed,allowed");
	assert_string_equal(q(f, "SELECT hook FROM events WHERE policy = 'r'"), "raw_syscalls/sys_enter");
	assert_string_equal(q(f, "SELECT binary || ' ' || exit_status || ' ' || exit_time || ' ' || uid "
				 "FROM processes WHERE exec_id = 'b'"),
			    "/exec-b 3 1704067209000000000 1000");
	assert_string_equal(q(f, "SELECT count(*) FROM processes"), "2");
	/* a clean exit without status (proto3 leaves out 0) is status 0 */
	assert_int_equal(put(f, "{\"process_exit\":{\"process\":" P("a", "/a") "},\"time\":\"2024-01-01T00:01:00Z\"}"), 0);
	assert_string_equal(q(f, "SELECT exit_status || coalesce(exit_signal, '-') FROM processes WHERE exec_id = 'a'"),
			    "0-");
}

/* Escapes are stored unescaped; a lone surrogate becomes U+FFFD. */
static void escapes(void **state)
{
	struct fx *f = *state;

	assert_int_equal(put(f, "{\"process_exec\":{\"process\":{\"exec_id\":\"e\\u0031\",\"binary\":"
				"\"/x\\u00e9\\ud83d\\ude00\\ud800\\n\\\"\\/\"}},\"time\":\"2024-01-01T00:00:00.5Z\"}"),
			 0);
	assert_string_equal(q(f, "SELECT binary FROM processes WHERE exec_id = 'e1'"),
			    "/x\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbd\n\"/");
	assert_string_equal(q(f, "SELECT time FROM events"), "1704067200500000000");
}

/* Hostile lines: each refused with its reason, and nothing of it stored. */
static void hostile(void **state)
{
	static const struct {
		const char *line, *why;
	} cases[] = {
		{ "", "not a JSON object" },
		{ "not json", "col 1: not a JSON object" },
		{ "[1,2]", "not a JSON object" },
		{ "{\"process_exec\":{\"process\":{\"exec_id\":\"x\"}},\"time\":\"2024-01-01T00:00:00Z\"", "expected ',' or '}'" },
		{ "{\"foo\":1,\"time\":\"2024-01-01T00:00:00Z\"}", "no event" },
		{ "{\"process_exec\":{\"process\":{\"exec_id\":\"x\"}}}", "process_exec: no time" },
		{ "{\"process_exec\":{\"process\":{\"exec_id\":\"x\"}},\"time\":\"yesterday\"}", "not an RFC 3339 time" },
		{ "{\"process_exec\":{\"process\":{\"exec_id\":\"x\"}},\"time\":12}", "time is not an RFC 3339 time" },
		{ "{\"process_kprobe\":{\"policy_name\":\"p\"},\"time\":\"2024-01-01T00:00:00Z\"}", "no process.exec_id" },
		{ "{\"process_exit\":{\"process\":{\"pid\":1}},\"time\":\"2024-01-01T00:00:00Z\"}", "no process.exec_id" },
		{ "{\"process_exec\":{\"process\":{\"exec_id\":\"x\",\"binary\":\"\xff\"}},\"time\":\"2024-01-01T00:00:00Z\"}", "col 53: invalid UTF-8" },
		{ "{\"process_exec\":{\"process\":{\"exec_id\":\"x\",\"binary\":\"\xed\xa0\x80\"}},\"time\":\"2024-01-01T00:00:00Z\"}", "invalid UTF-8" },
		{ "{\"process_exec\":{\"process\":{\"exec_id\":\"x\",\"binary\":\"a\tb\"}},\"time\":\"2024-01-01T00:00:00Z\"}", "control character" },
		{ "{\"process_exec\":{\"process\":{\"exec_id\":\"x\",\"binary\":\"\\x\"}},\"time\":\"2024-01-01T00:00:00Z\"}", "bad escape" },
		{ "{\"process_exec\":{\"process\":{\"exec_id\":\"x\",\"binary\":\"\\u12\"}},\"time\":\"2024-01-01T00:00:00Z\"}", "bad \\u escape" },
		{ "{\"process_exec\":{\"process\":{\"exec_id\":\"x\",\"pid\":01}},\"time\":\"2024-01-01T00:00:00Z\"}", "expected ',' or '}'" },
		{ "{\"process_exec\":{\"process\":{\"exec_id\":\"x\",\"pid\":tru}},\"time\":\"2024-01-01T00:00:00Z\"}", "expected a value" },
		{ "{\"process_exec\":{\"process\":{\"exec_id\":\"x\"}},\"process_exit\":{},\"time\":\"2024-01-01T00:00:00Z\"}", "two events" },
		{ "{\"process_exec\":{\"process\":{\"exec_id\":\"x\"}},\"time\":\"2024-01-01T00:00:00Z\"} {}", "text after the object" },
		{ "{\"process_exec\":{\"process\":{\"exec_id\":\"x\"}},\"time\":\"2024-01-01T00:00:00Z\",}", "expected a member name" },
		{ "{\"process_exec\":{\"process\":{\"exec_id\":\"x\"}},\"time\":\"2024-01-01T00:00:00Z\"}\n\n{", "text after the object" },
		{ "{\"process_exec\":{\"process\":{\"exec_id\":\"x\" \"binary\":1}},\"time\":\"2024-01-01T00:00:00Z\"}", "expected ',' or '}'" },
		{ "{\"process_exec\":{\"process\":{\"exec_id\":\"x\"}},\"time\":\"2024-01-01T00:00:00Z\x00\"}", "control character" },
		{ "{\"process_exec\":{\"process\":{\"exec_id\":\"x\"}},\"time\":\"2024-01-01T00:00:00Z}", "unterminated string" },
	};
	struct fx *f = *state;
	char err[256];

	assert_int_equal(store_begin(f->s), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = strlen(cases[i].line);
		/* the one with a NUL: its whole text, NUL and all */
		if (!strcmp(cases[i].why, "control character") && !strchr(cases[i].line, '\t'))
			len += 2;
		err[0] = 0;
		assert_int_equal(store_put_json(f->s, cases[i].line, len, err, sizeof(err)), -EINVAL);
		if (!strstr(err, cases[i].why))
			fail_msg("case %zu: \"%s\" does not say \"%s\"", i, err, cases[i].why);
	}
	/* nesting: deep arrays refused at the limit, not by the stack */
	size_t n = 100000;
	char *deep = malloc(2 * n + 64);
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	memcpy(deep, "{\"a\":", 5);
	strcpy(deep + 2 * n, "}");
	assert_int_equal(store_put_json(f->s, deep, strlen(deep), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "nested too deep"));
	free(deep);
	/* huge: refused by size, before any parsing */
	size_t big = (4u << 20) + 1;
	char *huge = malloc(big + 1);
	memset(huge, ' ', big);
	huge[0] = '{';
	huge[big - 1] = '}';
	huge[big] = 0;
	assert_int_equal(store_put_json(f->s, huge, big, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "line too long"));
	free(huge);
	assert_int_equal(store_commit(f->s), 0);
	assert_string_equal(q(f, "SELECT count(*) FROM events"), "0");
	assert_string_equal(q(f, "SELECT count(*) FROM processes"), "0");
}

/* More processes than the cache holds: every exit finds its exec's row. */
static void many_processes(void **state)
{
	struct fx *f = *state;
	char line[512];

	assert_int_equal(store_begin(f->s), 0);
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < 40000; i++) {
			if (pass == 0)
				snprintf(line, sizeof(line),
					 "{\"process_exec\":{\"process\":{\"exec_id\":\"id-%d\",\"binary\":\"/b%d\"}},"
					 "\"time\":\"2024-01-01T00:00:00Z\"}", i, i);
			else
				snprintf(line, sizeof(line),
					 "{\"process_exit\":{\"process\":{\"exec_id\":\"id-%d\",\"binary\":\"/b%d\"},"
					 "\"status\":%d},\"time\":\"2024-01-01T00:00:01Z\"}", i, i, i % 7);
			assert_int_equal(put(f, line), 0);
		}
	assert_int_equal(store_commit(f->s), 0);
	assert_string_equal(q(f, "SELECT count(*) FROM processes"), "40000");
	assert_string_equal(q(f, "SELECT count(*) FROM processes WHERE exit_status = CAST(substr(binary, 3) AS INT) % 7"),
			    "40000");
	assert_string_equal(q(f, "SELECT count(*) FROM events e JOIN processes p ON p.id = e.proc "
				 "WHERE p.binary = '/b' || substr(p.exec_id, 4)"),
			    "80000");
}

/* A rolled-back batch takes its processes with it, and the cache forgets
 * them: the next event of that process makes its row again. */
static void rollback_forgets(void **state)
{
	struct fx *f = *state;

	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(put(f, "{\"process_exec\":{\"process\":" P("r", "/r") "},\"time\":\"2024-01-01T00:00:00Z\"}"), 0);
	store_rollback(f->s);
	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(put(f, "{\"process_exec\":{\"process\":" P("r", "/r") "},\"time\":\"2024-01-01T00:00:00Z\"}"), 0);
	assert_int_equal(store_commit(f->s), 0);
	assert_string_equal(q(f, "SELECT count(*) FROM events e JOIN processes p ON p.id = e.proc AND p.exec_id = 'r'"),
			    "1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(corpus, setup, teardown),
		cmocka_unit_test_setup_teardown(outcomes_and_upserts, setup, teardown),
		cmocka_unit_test_setup_teardown(escapes, setup, teardown),
		cmocka_unit_test_setup_teardown(hostile, setup, teardown),
		cmocka_unit_test_setup_teardown(many_processes, setup, teardown),
		cmocka_unit_test_setup_teardown(rollback_forgets, setup, teardown),
	};
	return cmocka_run_group_tests_name("ingest", tests, NULL, NULL);
}
