/* The store's sink: lines queued on the caller's thread reach the store by
 * the writer's; a queue too small for them drops and counts; a refused line
 * is counted as failed; the counts add up to what was queued. */
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

#include "sinks/store.h"
#include "store/store.h"

static char dir[64], path[96];

static int setup(void **state)
{
	strcpy(dir, "/tmp/veto-store-sink-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/store.db", dir);
	return 0;
}

static int teardown(void **state)
{
	static const char *const ext[] = { "", "-wal", "-shm" };
	char p[128];

	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", path, ext[i]);
		unlink(p);
	}
	rmdir(dir);
	return 0;
}

static void queue_line(struct store_sink *x, const char *line)
{
	struct jw w;

	jw_init(&w);
	jw_raw(&w, line, strlen(line));
	x->s.ops->queue(&x->s, &w);
	jw_free(&w);
}

static int64_t count(const char *sql)
{
	struct store *s;
	sqlite3_stmt *st;
	char err[256];
	int64_t n = -1;

	assert_int_equal(store_open(&s, path, true, err, sizeof(err)), 0);
	assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	store_close(s);
	return n;
}

static void exec_line(char *buf, size_t n, int i)
{
	snprintf(buf, n,
		 "{\"process_exec\":{\"process\":{\"exec_id\":\"id-%d\",\"pid\":%d,\"binary\":\"/bin/true\","
		 "\"arguments\":\"%d\"}},\"node_name\":\"n\",\"time\":\"2024-01-01T00:00:00.%09dZ\"}",
		 i, i, i, i);
}

/* Everything queued is written by the close at the latest; a bad line is
 * counted failed, the others stored. */
static void writes_and_counts(void **state)
{
	struct store_sink_opts o = { .path = path };
	struct store_sink x;
	struct store_sink_stats st;
	char err[256], line[512];

	assert_int_equal(store_sink_open(&x, &o, err, sizeof(err)), 0);
	assert_true(x.s.veto_key);
	assert_int_equal(x.s.format, FMT_JSON);
	assert_int_equal(store_sink_start(&x), 0);
	for (int i = 0; i < 10000; i++) {
		exec_line(line, sizeof(line), i);
		queue_line(&x, line);
	}
	queue_line(&x, "{\"no\":\"event\"}");
	store_sink_stats(&x, &st);
	assert_int_equal(st.st.queued, 10001);
	assert_int_equal(st.st.dropped, 0);
	store_sink_close(&x);
	assert_int_equal(x.stats.st.written, 10000);
	assert_int_equal(x.stats.st.failed, 1);
	assert_int_equal(count("SELECT count(*) FROM events"), 10000);
	assert_int_equal(count("SELECT count(DISTINCT exec_id) FROM processes"), 10000);
	/* in the order queued */
	assert_int_equal(count("SELECT count(*) FROM events e JOIN processes p ON p.id = e.proc "
			       "WHERE CAST(p.arguments AS INT) + 1 != e.id"),
			 0);
}

/* A queue of 1 MiB and a writer not started: what does not fit is dropped
 * and counted, what fits is written once it starts. */
static void full_queue_drops(void **state)
{
	struct store_sink_opts o = { .path = path, .queue_bytes = 1 << 20 };
	struct store_sink x;
	char err[256], line[512];

	assert_int_equal(store_sink_open(&x, &o, err, sizeof(err)), 0);
	for (int i = 0; i < 20000; i++) {
		exec_line(line, sizeof(line), i);
		queue_line(&x, line);
	}
	uint64_t queued = x.stats.st.queued, dropped = x.stats.st.dropped;
	assert_true(queued > 1000 && queued < 20000);
	assert_int_equal(queued + dropped, 20000);
	assert_int_equal(store_sink_start(&x), 0);
	store_sink_close(&x);
	assert_int_equal(x.stats.st.written, queued);
	assert_int_equal(count("SELECT count(*) FROM events"), (int64_t)queued);
}

/* Not a store: refused at open, with the reason. */
static void refuses_other_files(void **state)
{
	struct store_sink_opts o = { .path = path };
	struct store_sink x;
	char err[256];
	FILE *f = fopen(path, "w");

	fputs("not a database, but long enough to be read as one: ................................"
	      "........................................................................\n", f);
	fclose(f);
	assert_int_not_equal(store_sink_open(&x, &o, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "file is not a database"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(writes_and_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(full_queue_drops, setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_other_files, setup, teardown),
	};
	return cmocka_run_group_tests_name("store_sink", tests, NULL, NULL);
}
