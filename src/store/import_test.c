/* Reading the store back (store_scan) and import's side (store_mark,
 * store_drop_copies, store_added) on a real database: time order, bounds,
 * stopping early; copies of stored lines and of lines earlier in the same
 * import dropped, different lines at one time kept. */
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

#include "store/import.h"
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

	strcpy(f->dir, "/tmp/veto-import-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir);
	assert_int_equal(store_open(&f->s, f->path, false, err, sizeof(err)), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	static const char *const sfx[] = { "", "-wal", "-shm" };
	struct fx *f = *state;
	char p[128];

	store_close(f->s);
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, sfx[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* An exec event of exec_id id at second sec (+ ns) of 2026-12-01T10:00. */
static void put_exec(struct fx *f, const char *id, int sec, int ns)
{
	char line[512], err[256] = "";

	snprintf(line, sizeof(line),
		 "{\"process_exec\":{\"process\":{\"exec_id\":\"%s\",\"pid\":1,\"binary\":\"/bin/%s\"}},"
		 "\"node_name\":\"n\",\"time\":\"2026-12-01T10:00:%02d.%09dZ\"}",
		 id, id, sec, ns);
	if (store_put_json(f->s, line, strlen(line), err, sizeof(err)))
		fail_msg("put %s: %s", id, err);
}

static const int64_t T0 = 1796119200000000000; /* 2026-12-01T10:00:00Z */

struct seen {
	char ids[512];
	int stop_after;
	int n;
};

/* Appends the event's exec_id ("/bin/ID" in the line) to the list. */
static int collect(void *ctx, const char *json, size_t len)
{
	struct seen *sn = ctx;
	const char *b = strstr(json, "\"binary\":\"/bin/");

	assert_int_equal(strlen(json), len);
	assert_non_null(b);
	b += strlen("\"binary\":\"/bin/");
	snprintf(sn->ids + strlen(sn->ids), sizeof(sn->ids) - strlen(sn->ids), "%s%.*s", sn->n ? " " : "",
		 (int)strcspn(b, "\""), b);
	return ++sn->n == sn->stop_after ? 7 : 0;
}

static const char *scan(struct fx *f, int64_t since, int64_t until, int stop_after, int *rc)
{
	static struct seen sn;

	memset(&sn, 0, sizeof(sn));
	sn.stop_after = stop_after;
	*rc = store_scan(f->s, since, until, collect, &sn);
	return sn.ids;
}

/* Time order, equal times in the order stored; since inclusive, until
 * exclusive, 0 unbounded; the callback's nonzero stops and is returned. */
static void scan_order_and_bounds(void **state)
{
	struct fx *f = *state;
	int rc;

	assert_int_equal(store_begin(f->s), 0);
	put_exec(f, "c", 2, 0);
	put_exec(f, "a", 0, 0);
	put_exec(f, "b1", 1, 1);
	put_exec(f, "b0", 1, 0);
	put_exec(f, "b2", 1, 0);
	assert_int_equal(store_commit(f->s), 0);

	assert_string_equal(scan(f, 0, 0, 0, &rc), "a b0 b2 b1 c");
	assert_int_equal(rc, 0);
	assert_string_equal(scan(f, T0 + 1000000000, 0, 0, &rc), "b0 b2 b1 c");
	assert_string_equal(scan(f, 0, T0 + 1000000001, 0, &rc), "a b0 b2");
	assert_string_equal(scan(f, T0 + 1000000001, T0 + 1000000002, 0, &rc), "b1");
	assert_string_equal(scan(f, T0 + 3000000000, 0, 0, &rc), "");
	assert_string_equal(scan(f, 0, 0, 2, &rc), "a b0");
	assert_int_equal(rc, 7);
}

/* Copies of stored lines and of lines earlier in the same import go; the
 * same exec_id with another line at the same time stays; what was added is
 * counted by type, with its time range and its new processes. */
static void copies_dropped(void **state)
{
	struct fx *f = *state;
	struct store_added a;
	struct store_mark m;
	uint64_t dropped;
	int rc;

	assert_int_equal(store_begin(f->s), 0);
	put_exec(f, "a", 0, 0);
	put_exec(f, "b", 1, 0);
	assert_int_equal(store_commit(f->s), 0);

	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_mark(f->s, &m), 0);
	put_exec(f, "b", 1, 0); /* stored before */
	put_exec(f, "c", 1, 0); /* new, at b's time */
	put_exec(f, "c", 1, 0); /* a copy of the line above */
	put_exec(f, "d", 5, 0);
	assert_int_equal(store_drop_copies(f->s, &m, &dropped), 0);
	assert_int_equal(dropped, 2);
	assert_int_equal(store_added(f->s, &m, &a), 0);
	assert_int_equal(store_commit(f->s), 0);
	assert_int_equal(a.events, 2);
	assert_int_equal(a.processes, 2);
	assert_int_equal(a.ntypes, 1);
	assert_string_equal(a.types[0].name, "process_exec");
	assert_int_equal(a.types[0].n, 2);
	assert_true(a.first == T0 + 1000000000 && a.last == T0 + 5000000000);
	assert_string_equal(scan(f, 0, 0, 0, &rc), "a b c d");

	/* nothing new: nothing added, and the summary says so */
	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_mark(f->s, &m), 0);
	put_exec(f, "a", 0, 0);
	assert_int_equal(store_drop_copies(f->s, &m, &dropped), 0);
	assert_int_equal(dropped, 1);
	assert_int_equal(store_added(f->s, &m, &a), 0);
	assert_int_equal(store_commit(f->s), 0);
	assert_int_equal(a.events, 0);
	assert_int_equal(a.ntypes, 0);
	assert_string_equal(scan(f, 0, 0, 0, &rc), "a b c d");
}

/* Many different lines at one instant: each kept, each copy found. */
static void one_instant(void **state)
{
	struct fx *f = *state;
	struct store_mark m;
	uint64_t dropped;
	char id[16];

	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_mark(f->s, &m), 0);
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 3000; i++) {
			snprintf(id, sizeof(id), "p%d", i);
			put_exec(f, id, 9, 0);
		}
	assert_int_equal(store_drop_copies(f->s, &m, &dropped), 0);
	assert_int_equal(dropped, 3000);
	assert_int_equal(store_commit(f->s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(scan_order_and_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(copies_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(one_instant, setup, teardown),
	};
	return cmocka_run_group_tests_name("store import", tests, NULL, NULL);
}
