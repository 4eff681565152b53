#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/caps.h"

/* Numbers are linux/capability.h's; names read back in any case. */
static void names_by_number(void **state)
{
	unsigned cap, n;

	for (n = 0; cap_name(n); n++) {
		assert_int_equal(cap_from(cap_name(n), &cap), 0);
		assert_int_equal(cap, n);
	}
	assert_int_equal(n, 41);
	assert_string_equal(cap_name(0), "CAP_CHOWN");
	assert_string_equal(cap_name(21), "CAP_SYS_ADMIN");
	assert_string_equal(cap_name(40), "CAP_CHECKPOINT_RESTORE");
	assert_int_equal(cap_from("cap_bpf", &cap), 0);
	assert_int_equal(cap, 39);
	assert_int_not_equal(cap_from("SYS_ADMIN", &cap), 0);
	assert_null(cap_name((unsigned)-1));
}

/* Exported names are Tetragon's enum: only bit 1 loses its prefix, and the
 * policy side still reads the kernel's name. */
static void export_names(void **state)
{
	unsigned cap;

	assert_string_equal(cap_export_name(1), "DAC_OVERRIDE");
	assert_int_equal(cap_from("CAP_DAC_OVERRIDE", &cap), 0);
	assert_int_equal(cap, 1);
	for (unsigned n = 0; cap_name(n); n++)
		if (n != 1)
			assert_string_equal(cap_export_name(n), cap_name(n));
	assert_null(cap_export_name(41));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_by_number),
		cmocka_unit_test(export_names),
	};
	return cmocka_run_group_tests_name("caps", tests, NULL, NULL);
}
