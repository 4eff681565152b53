#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/procfs.h"

static void nspid(void **state)
{
	assert_int_equal(procfs_nspid("Name:\tsh\nNSpid:\t4242\t7\t1\nNSpgid:\t9\n"), 1);
	assert_int_equal(procfs_nspid("Name:\tsh\nNSpid:\t4242\n"), 4242);
	assert_int_equal(procfs_nspid("Name:\tsh\nNSpid:\t4242\t17"), 17); /* no newline at the end */
	assert_int_equal(procfs_nspid("Name:\tsh\nPid:\t4242\n"), 0);
}

/* This process, as the proc file system shows it. */
static void self(void **state)
{
	char buf[4096];
	unsigned long long start = 0;
	uint32_t ppid = 0;

	assert_int_equal(procfs_stat("/proc", (uint32_t)getpid(), &ppid, &start), 0);
	assert_int_equal(ppid, (uint32_t)getppid());
	assert_true(start > 0);
	assert_true(procfs_link("/proc", (uint32_t)getpid(), "exe", buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "procfs_test"));
	assert_true(procfs_read("/proc", (uint32_t)getpid(), "status", buf, sizeof(buf)) > 0);
	assert_int_equal(procfs_nspid(buf), (uint32_t)getpid()); /* as the process sees itself */
	assert_int_equal(procfs_read("/nonexistent", 1, "stat", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(procfs_link("/nonexistent", 1, "exe", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nspid),
		cmocka_unit_test(self),
	};

	return cmocka_run_group_tests_name("procfs", tests, NULL, NULL);
}
