#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "load/follow.h"

/* followChildren on /usr/bin/sh (id 1), followForks on pid 42 (id 2), and on
 * pid 1 of any pid namespace (id 4) */
static const char policy[] =
	"apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: t\nspec:\n"
	"  lsmhooks:\n  - hook: file_open\n    selectors:\n"
	"    - matchBinaries:\n      - operator: In\n        values: [/usr/bin/sh]\n        followChildren: true\n"
	"    - matchPIDs:\n      - operator: In\n        values: [42]\n        followForks: true\n"
	"    - matchPIDs:\n      - operator: In\n        values: [1]\n        followForks: true\n"
	"        isNamespacePID: true\n";

struct fake {
	uint64_t ids[1000];
	int fail_at; /* set() of this pid fails */
	int sets;
};

static uint64_t fake_get(void *ctx, uint32_t tgid)
{
	return ((struct fake *)ctx)->ids[tgid % 1000];
}

static int fake_set(void *ctx, uint32_t tgid, uint64_t ids)
{
	struct fake *f = ctx;

	if ((int)tgid == f->fail_at)
		return -E2BIG;
	f->ids[tgid % 1000] = ids;
	f->sets++;
	return 0;
}

static void with_policy(struct pol_set *s, struct compiled *c)
{
	struct compile_env env = { 0 };
	struct diag_list d;

	memset(s, 0, sizeof(*s));
	diag_init(&d);
	assert_int_equal(pol_parse_buf("t.yaml", policy, strlen(policy), s, &d), 0);
	assert_int_equal(pol_check(s, &d), 0);
	assert_int_equal(compile_policy(&s->v[0], "t.yaml", &env, c, &d), 0);
	diag_free(&d);
}

/* A table as /proc lists it: by pid, so children of a wrapped-around pid
 * come before their parent. */
#define P(pid, ppid, exe) { pid, ppid, exe, pid }
#define N(pid, ppid, nspid) { pid, ppid, NULL, nspid } /* in a pid namespace */
static void running_trees(void **state)
{
	struct follow_proc procs[] = {
		P(1, 0, "/sbin/init"), P(2, 0, NULL), P(7, 1, "/bin/y"),
		P(20, 500, "/bin/cat"), P(30, 20, NULL),  /* under sh, listed before it */
		P(42, 1, "/bin/x"), P(43, 42, "/bin/x"), P(44, 43, "/usr/bin/sh"),
		P(500, 1, "/usr/bin/sh"), P(600, 2, NULL),
		N(800, 600, 1), N(801, 800, 2), N(802, 801, 3), /* a container: init, child, grandchild */
	};
	struct fake f = { .fail_at = -1 };
	struct follow_map m = { fake_get, fake_set, &f };
	struct compiled c;
	struct pol_set s;
	size_t n = sizeof(procs) / sizeof(procs[0]);

	with_policy(&s, &c);
	f.ids[7] = 8; /* already set by the kernel: kept */
	/* one pass: parents first, whatever the order */
	/* the host's init is pid 1 of its own namespace: its children carry id 4 */
	assert_int_equal(follow_pass(&c, procs, n, &m), 9);
	assert_int_equal(f.ids[500], 5); /* its own binary */
	assert_int_equal(f.ids[20], 5);  /* its parent's */
	assert_int_equal(f.ids[30], 5);  /* its grandparent's */
	assert_int_equal(f.ids[42], 4);  /* the pid itself: the kernel matches it */
	assert_int_equal(f.ids[43], 6);  /* a child of pid 42 */
	assert_int_equal(f.ids[44], 7);  /* its grandchild, running sh */
	assert_int_equal(f.ids[7], 12);  /* kept what the kernel had set */
	assert_int_equal(f.ids[800], 0); /* a container's init: the kernel matches it */
	assert_int_equal(f.ids[801], 4); /* a child of its namespace's pid 1 */
	assert_int_equal(f.ids[802], 4);
	assert_int_equal(f.ids[1] | f.ids[2] | f.ids[600], 0);
	/* the next pass finds nothing new */
	f.sets = 0;
	assert_int_equal(follow_pass(&c, procs, n, &m), 0);
	assert_int_equal(f.sets, 0);
	/* a failed update stops the pass with its error */
	memset(f.ids, 0, sizeof(f.ids));
	f.fail_at = 20;
	assert_int_equal(follow_pass(&c, procs, n, &m), -E2BIG);
	compiled_free(&c);
	pol_set_free(&s);
}

/* A cycle in ppid cannot happen, but must not hang the loader. */
static void ppid_cycle(void **state)
{
	struct follow_proc procs[] = { P(5, 6, "/usr/bin/sh"), P(6, 5, NULL) };
	struct fake f = { .fail_at = -1 };
	struct follow_map m = { fake_get, fake_set, &f };
	struct compiled c;
	struct pol_set s;

	with_policy(&s, &c);
	assert_true(follow_pass(&c, procs, 2, &m) >= 1);
	assert_int_equal(f.ids[5], 1);
	compiled_free(&c);
	pol_set_free(&s);
}

/* This machine's own /proc reads, with this process in it. */
static void reads_proc(void **state)
{
	struct follow_proc *p;
	size_t n;
	bool me = false;

	assert_int_equal(follow_procs_read("/proc", true, &p, &n), 0);
	for (size_t i = 0; i < n; i++)
		if (p[i].pid == (uint32_t)getpid()) {
			me = true;
			assert_int_equal(p[i].ppid, (uint32_t)getppid());
			assert_non_null(p[i].exe);
			assert_non_null(strstr(p[i].exe, "follow_test"));
			assert_int_not_equal(p[i].nspid, 0);
		}
	assert_true(me);
	follow_procs_free(p, n);
	assert_int_equal(follow_procs_read("/nonexistent", true, &p, &n), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(running_trees),
		cmocka_unit_test(ppid_cycle),
		cmocka_unit_test(reads_proc),
	};
	return cmocka_run_group_tests_name("follow", tests, NULL, NULL);
}
