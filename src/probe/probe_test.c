#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "probe/probe.h"

static void works(struct probe_try *t)
{
	t->tried = true;
}

static void host_like(struct probe_report *r)
{
	memset(r, 0, sizeof(*r));
	strcpy(r->lsm, "lockdown,capability,landlock,bpf");
	r->lsm_has_bpf = true;
	r->kind[PK_LSM].tried = true;
	r->kind[PK_LSM].load_err = -EPERM;
	works(&r->kind[PK_TRACEPOINT]);
	works(&r->send_signal);
}

static void lsm_refused_means_observe(void **state)
{
	struct probe_report r;
	char why[512];

	host_like(&r);
	assert_int_equal(probe_verdict(&r, why, sizeof(why)), VERDICT_OBSERVE);
	assert_non_null(strstr(why, "EPERM"));
	assert_non_null(strstr(why, "kill after the fact"));
}

static void lsm_deny_needed_for_enforce(void **state)
{
	struct probe_report r;
	char why[512];

	host_like(&r);
	r.kind[PK_LSM].load_err = 0;
	/* attaches, but the deny test did not deny: not enforce */
	r.lsm_deny.tried = true;
	r.lsm_deny.attach_err = -EPERM;
	strcpy(r.lsm_deny.detail, "program attached but the exec was not denied");
	assert_int_equal(probe_verdict(&r, why, sizeof(why)), VERDICT_OBSERVE);
	assert_non_null(strstr(why, "not denied"));
	r.lsm_deny.attach_err = 0;
	assert_int_equal(probe_verdict(&r, why, sizeof(why)), VERDICT_ENFORCE);
}

static void no_bpf_in_lsm_list_is_named(void **state)
{
	struct probe_report r;
	char why[512];

	host_like(&r);
	r.lsm_has_bpf = false;
	strcpy(r.lsm, "lockdown,capability,apparmor");
	probe_verdict(&r, why, sizeof(why));
	assert_non_null(strstr(why, "lsm=...,bpf"));
	assert_non_null(strstr(why, "apparmor"));
}

static void nothing_works_means_none(void **state)
{
	struct probe_report r;

	host_like(&r);
	r.kind[PK_TRACEPOINT].load_err = -EPERM;
	assert_int_equal(probe_verdict(&r, NULL, 0), VERDICT_NONE);
	assert_string_equal(verdict_name(VERDICT_NONE), "none");
}

static void untried_is_not_ok(void **state)
{
	struct probe_try t = { 0 };

	assert_false(probe_try_ok(&t));
	t.tried = true;
	assert_true(probe_try_ok(&t));
	t.attach_err = -ENOENT;
	assert_false(probe_try_ok(&t));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lsm_refused_means_observe),
		cmocka_unit_test(lsm_deny_needed_for_enforce),
		cmocka_unit_test(no_bpf_in_lsm_list_is_named),
		cmocka_unit_test(nothing_works_means_none),
		cmocka_unit_test(untried_is_not_ok),
	};
	return cmocka_run_group_tests_name("probe", tests, NULL, NULL);
}
