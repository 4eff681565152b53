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

#include "store/lineage.h"
#include "store/store.h"
#include "store/testdb.h"

static const struct lin_limits defaults = LIN_LIMITS_DEFAULT;

static void sql(struct fx *f, const char *q)
{
	char *err = NULL;

	if (sqlite3_exec(store_db(f->s), q, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", q, err);
}

/* A process row: exec_id, parent (NULL: none), pid, start (s), exit (s, <0 none). */
static void proc(struct fx *f, const char *id, const char *parent, int pid, long start, long exit_s)
{
	char q[512];

	snprintf(q, sizeof(q),
		 "INSERT INTO processes(exec_id, parent_exec_id, pid, uid, binary, arguments, cwd, flags, "
		 "start_time, exit_time, exit_status) VALUES ('%s', %s%s%s, %d, 1000, '/bin/%s', 'arg of %s', "
		 "'/w', 'execve clone', %ld, %s, %s)",
		 id, parent ? "'" : "", parent ? parent : "NULL", parent ? "'" : "", pid, id, id,
		 start * 1000000000L, exit_s < 0 ? "NULL" : "1", exit_s < 0 ? "NULL" : "0");
	sql(f, q);
	if (exit_s >= 0) {
		snprintf(q, sizeof(q), "UPDATE processes SET exit_time = %ld WHERE exec_id = '%s'",
			 exit_s * 1000000000L, id);
		sql(f, q);
	}
}

static long pidx(const struct lineage *l, const char *id)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->p[i].exec_id, id))
			return (long)i;
	return -1;
}

static void load(struct fx *f, const char *id, const struct lin_limits *lim, struct lineage *l)
{
	char err[256];
	int rc = lineage_load(store_db(f->s), id, lim, l, err, sizeof(err));

	if (rc)
		fail_msg("lineage_load %s: %d %s", id, rc, err);
}

/* Every process's parent index is its parent's row, and comes before it. */
static void check_links(const struct lineage *l)
{
	for (size_t i = 1; i < l->n; i++) {
		const struct lin_proc *p = &l->p[i];

		assert_true(p->parent < i);
		assert_string_equal(l->p[p->parent].exec_id, p->parent_exec_id);
		assert_int_equal(p->depth, l->p[p->parent].depth + 1);
	}
}

/* Ancestors top first, the process, then its descendants in pre-order,
 * siblings in start order whatever the order they arrived in. */
static void tree(void **state)
{
	struct fx *f = *state;
	struct lineage l;

	proc(f, "init", NULL, 1, 1, -1);
	proc(f, "sshd", "init", 100, 10, -1);
	proc(f, "sh", "sshd", 200, 20, 60);
	proc(f, "late", "sh", 203, 40, 41); /* arrives first, started last */
	proc(f, "curl", "sh", 201, 21, 22);
	proc(f, "sh2", "sh", 202, 30, 50);
	proc(f, "evil", "sh2", 204, 31, 32);
	proc(f, "other", "sshd", 300, 25, 26); /* a sibling of the subject: not its lineage */
	load(f, "sh", &defaults, &l);
	assert_int_equal(l.top, LIN_TOP_ROOT);
	assert_null(l.top_parent);
	assert_int_equal(l.n, 7);
	const char *order[] = { "init", "sshd", "sh", "curl", "sh2", "evil", "late" };
	for (size_t i = 0; i < 7; i++)
		assert_string_equal(l.p[i].exec_id, order[i]);
	assert_int_equal(l.subject, 2);
	assert_int_equal(l.p[2].depth, 2);
	assert_int_equal(l.p[5].depth, 4);
	assert_int_equal(pidx(&l, "other"), -1);
	check_links(&l);
	/* the children of sh linked in start order */
	assert_string_equal(l.p[l.p[2].kid].exec_id, "curl");
	assert_string_equal(l.p[l.p[l.p[2].kid].next].exec_id, "sh2");
	assert_int_equal(l.p[6].next, LIN_NONE);
	/* the row's fields */
	assert_true(l.p[3].has_exit);
	assert_int_equal(l.p[3].exit_time, 22000000000L);
	assert_true(l.p[3].has_status);
	assert_int_equal(l.p[3].exit_status, 0);
	assert_false(l.p[0].has_exit);
	assert_string_equal(l.p[3].binary, "/bin/curl");
	assert_string_equal(l.p[3].arguments, "arg of curl");
	assert_int_equal(l.procs_more, 0);
	lineage_free(&l);

	/* a leaf: ancestors only */
	load(f, "evil", &defaults, &l);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.subject, 4);
	assert_string_equal(l.p[3].exec_id, "sh2");
	lineage_free(&l);
}

/* Processes learned from /proc and long-exited ones are rows like others;
 * a parent the store never saw ends the ancestors, and says which. */
static void missing_parent(void **state)
{
	struct fx *f = *state;
	struct lineage l;
	char err[128];

	sql(f, "INSERT INTO processes(exec_id, parent_exec_id, pid, binary, flags, start_time) VALUES "
	       "('bash', 'gone', 50, '/bin/bash', 'procFS', 5)");
	proc(f, "ls", "bash", 51, 6, 7);
	load(f, "ls", &defaults, &l);
	assert_int_equal(l.top, LIN_TOP_MISSING);
	assert_string_equal(l.top_parent, "gone");
	assert_int_equal(l.n, 2);
	assert_string_equal(l.p[0].flags, "procFS");
	assert_false(l.p[0].has_uid);
	assert_null(l.p[0].cwd);
	lineage_free(&l);

	/* an empty parent is no parent */
	proc(f, "top", "", 60, 1, -1);
	load(f, "top", &defaults, &l);
	assert_int_equal(l.top, LIN_TOP_ROOT);
	assert_int_equal(l.n, 1);
	lineage_free(&l);

	assert_int_equal(lineage_load(store_db(f->s), "nosuch", &defaults, &l, err, sizeof(err)), -ENOENT);
	assert_int_equal(l.n, 0);
}

/* Hostile rows: parent_exec_id loops end the walk, each process once. */
static void cycles(void **state)
{
	struct fx *f = *state;
	struct lineage l;

	proc(f, "a", "b", 1, 1, -1);
	proc(f, "b", "c", 2, 2, -1);
	proc(f, "c", "a", 3, 3, -1);
	proc(f, "d", "c", 4, 4, -1);
	load(f, "a", &defaults, &l);
	assert_int_equal(l.top, LIN_TOP_CYCLE);
	assert_string_equal(l.top_parent, "a");
	/* c, b above a; a's child c already shown (and d is c's, not a's) */
	assert_int_equal(l.n, 3);
	for (size_t i = 0; i < l.n; i++)
		for (size_t k = i + 1; k < l.n; k++)
			assert_string_not_equal(l.p[i].exec_id, l.p[k].exec_id);
	assert_int_equal(l.p[l.subject].kid, LIN_NONE);
	lineage_free(&l);

	proc(f, "self", "self", 9, 9, -1);
	load(f, "self", &defaults, &l);
	assert_int_equal(l.top, LIN_TOP_CYCLE);
	assert_int_equal(l.n, 1);
	lineage_free(&l);
}

/* A fork bomb: the limits bound what is read and count what is left out. */
static void bounded(void **state)
{
	struct fx *f = *state;
	struct lin_limits lim = defaults;
	struct lineage l;
	char q[160];

	proc(f, "bomb", NULL, 1, 1, -1);
	sql(f, "BEGIN");
	for (int i = 0; i < 5000; i++) {
		snprintf(q, sizeof(q), "c%d", i);
		/* later rows start earlier: the shown ones are still in start order */
		proc(f, q, "bomb", 1000 + i, 100000 - i, -1);
	}
	/* a chain 300 deep under c0 */
	for (int i = 1; i <= 300; i++) {
		char id[16], parent[16];

		snprintf(id, sizeof(id), "d%d", i);
		snprintf(parent, sizeof(parent), i == 1 ? "c0" : "d%d", i - 1);
		proc(f, id, parent, 10000 + i, 200000 + i, -1);
	}
	sql(f, "COMMIT");

	lim.procs = 100;
	load(f, "bomb", &lim, &l);
	assert_int_equal(l.n, 101);
	assert_int_equal(l.p[0].kids_more, 4900);
	assert_false(l.p[0].kids_cut_depth);
	assert_true(l.procs_more >= 4900);
	for (size_t i = 2; i < l.n; i++)
		assert_true(l.p[i - 1].start_time <= l.p[i].start_time);
	check_links(&l);
	lineage_free(&l);

	lim = defaults;
	lim.depth = 10;
	load(f, "c0", &lim, &l);
	assert_int_equal(l.n, 12); /* bomb, c0, d1..d10 */
	assert_string_equal(l.p[l.n - 1].exec_id, "d10");
	assert_int_equal(l.p[l.n - 1].kids_more, 1);
	assert_true(l.p[l.n - 1].kids_cut_depth);
	lineage_free(&l);

	lim = defaults;
	lim.ancestors = 64;
	load(f, "d300", &lim, &l);
	assert_int_equal(l.top, LIN_TOP_LIMIT);
	assert_int_equal(l.n, 65);
	assert_string_equal(l.p[0].exec_id, "d236");
	assert_string_equal(l.top_parent, "d235");
	lineage_free(&l);
}

/* The most recent process of a pid, how many had it, and the list. */
static int listed(void *ctx, const struct lin_proc *p)
{
	char *s = ctx;

	strcat(s, p->exec_id);
	strcat(s, " ");
	return 0;
}

static void by_pid(void **state)
{
	struct fx *f = *state;
	char err[128], *id, seen[256] = "";
	uint64_t n;

	proc(f, "old", NULL, 42, 10, 11);
	proc(f, "new", NULL, 42, 30, -1);
	proc(f, "mid", NULL, 42, 20, 21);
	proc(f, "x", NULL, 43, 40, -1);
	assert_int_equal(lineage_pid(store_db(f->s), 42, INT64_MAX, &id, &n, err, sizeof(err)), 0);
	assert_string_equal(id, "new");
	assert_int_equal(n, 3);
	free(id);
	/* at a time: the one started last by then */
	assert_int_equal(lineage_pid(store_db(f->s), 42, 25000000000L, &id, &n, err, sizeof(err)), 0);
	assert_string_equal(id, "mid");
	free(id);
	assert_int_equal(lineage_pid(store_db(f->s), 42, 20000000000L, &id, &n, err, sizeof(err)), 0);
	assert_string_equal(id, "mid");
	free(id);
	assert_int_equal(lineage_pid(store_db(f->s), 42, 5000000000L, &id, &n, err, sizeof(err)), -ENOENT);
	assert_null(id);
	assert_int_equal(lineage_pid(store_db(f->s), 44, INT64_MAX, &id, &n, err, sizeof(err)), -ENOENT);
	assert_null(id);
	assert_int_equal(lineage_pid_list(store_db(f->s), 42, 10, listed, seen, err, sizeof(err)), 0);
	assert_string_equal(seen, "new mid old ");
	seen[0] = '\0';
	assert_int_equal(lineage_pid_list(store_db(f->s), 42, 2, listed, seen, err, sizeof(err)), 0);
	assert_string_equal(seen, "new mid ");
}

/* A process's events: time order (arrival among equal times), without its
 * exec and exit, bounded, the rest counted. */
static void events(void **state)
{
	struct fx *f = *state;
	struct lin_events it;
	struct lin_event e;
	sqlite3_stmt *st;
	char got[512] = "";
	int rc;

	proc(f, "p", NULL, 1, 1, 9);
	sql(f, "INSERT INTO events(time, type, proc, policy, hook, action, outcome, json) VALUES "
	       "(1, 'process_exec', 1, NULL, NULL, NULL, NULL, '{}'),"
	       "(5, 'process_lsm', 1, 'pol', 'file_open', 'KPROBE_ACTION_OVERRIDE', 'denied', '{\"e\":5}'),"
	       "(3, 'process_kprobe', 1, 'pol', 'fd_install', NULL, NULL, '{\"e\":3}'),"
	       "(5, 'process_kprobe', 1, 'pol', 'tcp_connect', NULL, 'would_kill', '{\"e\":52}'),"
	       "(4, 'process_kprobe', 2, 'pol', 'other', NULL, NULL, '{\"e\":\"not ours\"}'),"
	       "(9, 'process_exit', 1, NULL, NULL, NULL, NULL, '{}')");
	assert_int_equal(lin_events_prepare(store_db(f->s), &st), 0);
	lin_events_start(&it, st, 1, 10);
	while ((rc = lin_events_next(&it, &e)) > 0) {
		strcat(got, e.json);
		strcat(got, e.outcome ? e.outcome : "-");
		strcat(got, " ");
	}
	assert_int_equal(rc, 0);
	assert_string_equal(got, "{\"e\":3}- {\"e\":5}denied {\"e\":52}would_kill ");
	assert_false(it.cut);
	assert_int_equal(lin_events_more(&it), 0);

	/* the same statement again */
	lin_events_start(&it, st, 1, 1);
	assert_int_equal(lin_events_next(&it, &e), 1);
	assert_int_equal(e.time, 3);
	assert_string_equal(e.hook, "fd_install");
	assert_null(e.action);
	assert_int_equal(lin_events_next(&it, &e), 0);
	assert_true(it.cut);
	assert_int_equal(lin_events_more(&it), 2);
	lin_events_start(&it, st, 2, 5);
	assert_int_equal(lin_events_next(&it, &e), 1);
	assert_string_equal(e.json, "{\"e\":\"not ours\"}");
	assert_int_equal(lin_events_next(&it, &e), 0);
	sqlite3_finalize(st);
}

/* Strings longer than LIN_TEXT_MAX are cut, not read whole. */
static void long_text(void **state)
{
	struct fx *f = *state;
	struct lineage l;

	sql(f, "INSERT INTO processes(exec_id, binary, arguments) VALUES ('big', '/bin/x', "
	       "printf('%.*c', 200000, 'a'))");
	load(f, "big", &defaults, &l);
	assert_int_equal(strlen(l.p[0].arguments), LIN_TEXT_MAX);
	assert_false(l.p[0].has_start);
	lineage_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(tree, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_parent, setup, teardown),
		cmocka_unit_test_setup_teardown(cycles, setup, teardown),
		cmocka_unit_test_setup_teardown(bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(by_pid, setup, teardown),
		cmocka_unit_test_setup_teardown(events, setup, teardown),
		cmocka_unit_test_setup_teardown(long_text, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
