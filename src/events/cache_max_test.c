#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "events/cache.h"

static void insert(struct proc_cache *c, uint32_t pid)
{
	struct proc t = { .pid = pid, .ppid = 1, .ktime = pid };

	assert_int_equal(proc_cache_insert_procfs(c, &t, "/bin/x", "", "", 0, "/", ""), 0);
}

/* --process-cache-size: never more running processes than the bound, each
 * one forgotten counted, the newest always held */
static void bounded_and_counted(void **state)
{
	struct proc_cache *c;
	struct proc_cache_stats st;

	assert_int_equal(proc_cache_new(&c, "node", 0), 0);
	proc_cache_set_max(c, 100);
	for (uint32_t pid = 2; pid < 1002; pid++) {
		insert(c, pid);
		assert_non_null(proc_cache_find(c, pid));
		proc_cache_stats(c, &st);
		assert_true(st.live <= 100);
	}
	proc_cache_stats(c, &st);
	assert_int_equal(st.live, 100);
	assert_int_equal(st.evicted, 900);
	proc_cache_free(c);
}

/* without a bound nothing is forgotten */
static void unbounded(void **state)
{
	struct proc_cache *c;
	struct proc_cache_stats st;

	assert_int_equal(proc_cache_new(&c, "node", 0), 0);
	for (uint32_t pid = 2; pid < 10002; pid++)
		insert(c, pid);
	proc_cache_stats(c, &st);
	assert_int_equal(st.live, 10000);
	assert_int_equal(st.evicted, 0);
	proc_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bounded_and_counted),
		cmocka_unit_test(unbounded),
	};
	return cmocka_run_group_tests_name("cache_max", tests, NULL, NULL);
}
