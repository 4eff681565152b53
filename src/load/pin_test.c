#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "load/pin.h"

/* The fingerprint decides adoption: the same policy gives the same one in
 * another run, its mode does not count (it is switched in place), and any
 * change of what the kernel runs gives another. */

static int fake_stat(const char *path, uint64_t *dev, uint64_t *ino)
{
	*dev = 0x800001;
	*ino = !strcmp(path, "/etc/passwd") ? 42 : !strcmp(path, "/etc/shadow") ? 43 : 0;
	return *ino ? 0 : -ENOENT;
}

static int in_kernel(int id)
{
	return 1;
}

static const struct compile_env env = {
	.host_ns = { [VN_PID] = 4026531836u },
	.stat_path = fake_stat,
	.hook_in_kernel = in_kernel,
};

#define POLICY(NAME, MODE, VALUES)                                                                        \
	"apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: " NAME "\nspec:\n" MODE   \
	"  lsmhooks:\n  - hook: file_open\n    args:\n    - index: 0\n      type: file\n    selectors:\n"   \
	"    - matchArgs:\n      - index: 0\n        operator: Prefix\n        values: [" VALUES "]\n"       \
	"      matchActions:\n      - action: Override\n        argError: -1\n"
#define MONITOR "  options:\n  - name: policy-mode\n    value: monitor\n"

static void hash_of(const char *yaml, uint8_t out[SHA256_LEN], enum pin_mode *mode)
{
	struct pol_set s;
	struct diag_list d;
	struct compiled c;

	memset(&s, 0, sizeof(s));
	diag_init(&d);
	assert_int_equal(pol_parse_buf("t.yaml", yaml, strlen(yaml), &s, &d), 0);
	assert_int_equal(pol_check(&s, &d), 0);
	assert_int_equal(d.nerr, 0);
	assert_int_equal(compile_policy(&s.v[0], "t.yaml", &env, &c, &d), 0);
	pin_hash(&c, out);
	*mode = pin_mode_of(&c);
	compiled_free(&c);
	pol_set_free(&s);
	diag_free(&d);
}

static void fingerprint(void **state)
{
	uint8_t a[SHA256_LEN], b[SHA256_LEN], m[SHA256_LEN], v[SHA256_LEN];
	enum pin_mode ma, mb, mm, mv;

	hash_of(POLICY("p", "", "/tmp/a"), a, &ma);
	hash_of(POLICY("p", "", "/tmp/a"), b, &mb);
	hash_of(POLICY("p", MONITOR, "/tmp/a"), m, &mm);
	hash_of(POLICY("p", "", "/tmp/a, /tmp/b"), v, &mv);
	assert_memory_equal(a, b, SHA256_LEN);
	assert_int_equal(ma, PIN_ENFORCE);
	assert_int_equal(mm, PIN_MONITOR);
	assert_memory_equal(a, m, SHA256_LEN);
	assert_memory_not_equal(a, v, SHA256_LEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fingerprint),
	};
	return cmocka_run_group_tests_name("pin", tests, NULL, NULL);
}
