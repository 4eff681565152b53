#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/ns.h"

/* Every kind has both names, each spelling reads back (in any case), and the
 * list in messages is the one the parser printed before it was generated. */
static void every_kind_named(void **state)
{
	enum veto_ns ns;

	for (int i = 0; i < VN__COUNT; i++) {
		assert_non_null(ns_name(i));
		assert_int_equal(ns_policy_from(ns_policy_name(i), &ns), 0);
		assert_int_equal(ns, i);
	}
	assert_null(ns_name(VN__COUNT));
	assert_string_equal(ns_policy_name(VN__COUNT), "?");
	assert_int_equal(ns_policy_from("pidforchildren", &ns), 0);
	assert_int_equal(ns, VN_PID_FOR_CHILDREN);
	assert_string_equal(ns_name(VN_TIME_FOR_CHILDREN), "time_for_children");
	assert_int_not_equal(ns_policy_from("pid_for_children", &ns), 0);
	assert_string_equal(ns_policy_list(),
			    "Uts, Ipc, Mnt, Pid, PidForChildren, Net, Time, TimeForChildren, Cgroup, User");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_kind_named),
	};
	return cmocka_run_group_tests_name("ns", tests, NULL, NULL);
}
