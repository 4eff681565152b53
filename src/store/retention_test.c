/* store_retain: events past the age or over the size go, oldest first, in
 * bounded steps; a process goes only once it exited, has no event left and
 * no child left; running processes stay. */
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
	char dir[64], path[96];
	struct store *s;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];

	strcpy(f->dir, "/tmp/veto-retain-XXXXXX");
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

static int64_t q(struct fx *f, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(store_db(f->s), sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* second s of 2024-01-01: an exec of id (child of parent), or its exit */
static void put(struct fx *f, const char *type, const char *id, const char *parent, int s)
{
	char line[512], err[256];

	snprintf(line, sizeof(line),
		 "{\"%s\":{\"process\":{\"exec_id\":\"%s\",\"binary\":\"/b\",\"parent_exec_id\":\"%s\"}},"
		 "\"time\":\"2024-01-01T00:%02d:%02dZ\"}", type, id, parent, s / 60, s % 60);
	assert_int_equal(store_put_json(f->s, line, strlen(line), err, sizeof(err)), 0);
}

#define T(s) (1704067200ll + (s)) * 1000000000ll

static void by_age(void **state)
{
	struct fx *f = *state;
	struct store_retained r = { 0 };

	assert_int_equal(store_begin(f->s), 0);
	put(f, "process_exec", "parent", "", 0);      /* never exits: stays */
	put(f, "process_exec", "mid", "parent", 1);
	put(f, "process_exec", "leaf", "mid", 2);
	put(f, "process_exit", "leaf", "mid", 3);
	put(f, "process_exit", "mid", "parent", 4);
	put(f, "process_exec", "late", "parent", 50);  /* after the cutoff */
	put(f, "process_exit", "late", "parent", 51);
	assert_int_equal(store_commit(f->s), 0);
	/* events before 00:00:10 go, in steps of 2: three steps and a last one */
	int rc, steps = 0;
	while ((rc = store_retain(f->s, T(10), 0, 2, &r)) == 1)
		steps++;
	assert_int_equal(rc, 0);
	assert_true(steps >= 2);
	assert_int_equal(r.events, 5);
	assert_int_equal(q(f, "SELECT count(*) FROM events"), 2);
	assert_int_equal(q(f, "SELECT min(time) FROM events"), T(50));
	/* leaf went first, then mid once its child was gone; parent runs still */
	assert_int_equal(r.processes, 2);
	assert_int_equal(q(f, "SELECT count(*) FROM processes WHERE exec_id IN ('leaf', 'mid')"), 0);
	assert_int_equal(q(f, "SELECT count(*) FROM processes WHERE exec_id IN ('parent', 'late')"), 2);
	/* nothing more: a step deletes nothing */
	assert_int_equal(store_retain(f->s, T(10), 0, 2, &r), 0);
	assert_int_equal(r.events, 5);
	/* the ids the cache knew are gone with their rows: a new event of a
	 * deleted process makes its row again */
	assert_int_equal(store_begin(f->s), 0);
	put(f, "process_exec", "leaf", "mid", 60);
	assert_int_equal(store_commit(f->s), 0);
	assert_int_equal(q(f, "SELECT count(*) FROM events e JOIN processes p ON p.id = e.proc WHERE p.exec_id = 'leaf'"), 1);
}

static void by_size(void **state)
{
	struct fx *f = *state;
	struct store_retained r = { 0 };
	uint64_t file, used, before;
	char id[32];

	assert_int_equal(store_begin(f->s), 0);
	for (int i = 0; i < 3000; i++) {
		snprintf(id, sizeof(id), "p%d", i);
		put(f, "process_exec", id, "", i % 3600);
	}
	assert_int_equal(store_commit(f->s), 0);
	assert_int_equal(store_size(f->s, &file, &before), 0);
	uint64_t bound = before / 2;
	while (store_retain(f->s, 0, bound, 5000, &r) == 1)
		;
	assert_int_equal(store_size(f->s, &file, &used), 0);
	assert_true(used <= bound);
	assert_true(r.events > 0 && r.events < 3000);
	/* the oldest went: what is left is the newest */
	assert_int_equal(q(f, "SELECT count(*) FROM events"), 3000 - (int64_t)r.events);
	assert_int_equal(q(f, "SELECT min(id) FROM events"), (int64_t)r.events + 1);
	/* no bound, no age: nothing to do */
	assert_int_equal(store_retain(f->s, 0, 0, 5000, &r), 0);
	/* the freed pages are reused: more rows, the file no bigger */
	assert_int_equal(store_begin(f->s), 0);
	for (int i = 0; i < 500; i++) {
		snprintf(id, sizeof(id), "n%d", i);
		put(f, "process_exec", id, "", 3599);
	}
	assert_int_equal(store_commit(f->s), 0);
	uint64_t file2;
	assert_int_equal(store_size(f->s, &file2, &used), 0);
	assert_true(file2 <= file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(by_age, setup, teardown),
		cmocka_unit_test_setup_teardown(by_size, setup, teardown),
	};
	return cmocka_run_group_tests_name("retention", tests, NULL, NULL);
}
