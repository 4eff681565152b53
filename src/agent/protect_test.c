#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <cmocka.h>

#include "agent/protect.h"

/* --allow-signals-from: pids, "parent", "none"; anything else refused
 * whole, never half taken. */
static void signallers(void **state)
{
	static const struct {
		const char *s;
		int err;
		size_t n;
		uint32_t want[3];
	} cases[] = {
		{ "none", 0, 0, { 0 } },
		{ "parent", 0, 1, { 77 } },
		{ "1", 0, 1, { 1 } },
		{ "parent,1,4242", 0, 3, { 77, 1, 4242 } },
		{ "parent,77,1,1", 0, 2, { 77, 1 } },
		{ "1,2,3,3,1", 0, 3, { 1, 2, 3 } },
		{ "", -EINVAL, 0, { 0 } },
		{ "0", -EINVAL, 0, { 0 } },
		{ "-1", -EINVAL, 0, { 0 } },
		{ "+5", -EINVAL, 0, { 0 } },
		{ "1,", -EINVAL, 0, { 0 } },
		{ ",1", -EINVAL, 0, { 0 } },
		{ "1 ", -EINVAL, 0, { 0 } },
		{ "parents", -EINVAL, 0, { 0 } },
		{ "none,1", -EINVAL, 0, { 0 } },
		{ "2147483648", -EINVAL, 0, { 0 } },
		{ "99999999999999999999", -EINVAL, 0, { 0 } },
		{ "1,2,3,4", -E2BIG, 0, { 0 } },
	};
	uint32_t out[3];
	size_t n;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int err = protect_parse_signallers(cases[i].s, 77, out, 3, &n);

		assert_int_equal(err, cases[i].err);
		if (err)
			continue;
		assert_int_equal(n, cases[i].n);
		assert_memory_equal(out, cases[i].want, n * sizeof(out[0]));
	}
}

/* The kernel keeps dev_t as (major << 20) | minor; glibc's st_dev packs
 * them otherwise, minors past 255 included. */
static void kernel_dev(void **state)
{
	assert_int_equal(guard_kdev(makedev(0, 0)), 0);
	assert_int_equal(guard_kdev(makedev(8, 1)), (8u << 20) | 1);
	assert_int_equal(guard_kdev(makedev(0, 300)), 300);
	assert_int_equal(guard_kdev(makedev(259, 65536)), (259u << 20) | 65536);
}

/* Without a guard (protection off or unavailable) holding does nothing and
 * succeeds, so callers need no second path. */
static void no_guard(void **state)
{
	struct guard_hold *h = (struct guard_hold *)1;

	assert_int_equal(guard_hold_new(NULL, &h), 0);
	assert_null(h);
	assert_int_equal(guard_hold_fd(h, 0), 0);
	assert_int_equal(guard_hold_path(h, "/"), 0);
	assert_int_equal(guard_hold_err(h), 0);
	guard_release(h);
	guard_close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(signallers),
		cmocka_unit_test(kernel_dev),
		cmocka_unit_test(no_guard),
	};
	return cmocka_run_group_tests_name("protect", tests, NULL, NULL);
}
