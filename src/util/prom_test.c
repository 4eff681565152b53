#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/prom.h"

static void family_and_samples(void **state)
{
	static const char *const labels[] = { "policy", "p", "hook", "security_file_open" };
	struct jw w;

	jw_init(&w);
	prom_family(&w, "veto_x_total", "counter", "What x counts.");
	prom_sample(&w, "veto_x_total", labels, 2, 42);
	prom_sample(&w, "veto_x_total", NULL, 0, 0);
	prom_sample(&w, "veto_x_total", labels, 1, UINT64_MAX);
	assert_string_equal(w.buf, "# HELP veto_x_total What x counts.\n"
				   "# TYPE veto_x_total counter\n"
				   "veto_x_total{policy=\"p\",hook=\"security_file_open\"} 42\n"
				   "veto_x_total 0\n"
				   "veto_x_total{policy=\"p\"} 18446744073709551615\n");
	jw_free(&w);
}

static void escapes_label_values_and_help(void **state)
{
	static const char *const labels[] = { "a", "back\\slash \"quoted\"\nnext", "b", NULL };
	struct jw w;

	jw_init(&w);
	prom_family(&w, "veto_y", "gauge", "Help with \\ and\na newline, \"quotes\" kept.");
	prom_sample(&w, "veto_y", labels, 2, 1);
	assert_string_equal(w.buf, "# HELP veto_y Help with \\\\ and\\na newline, \"quotes\" kept.\n"
				   "# TYPE veto_y gauge\n"
				   "veto_y{a=\"back\\\\slash \\\"quoted\\\"\\nnext\",b=\"\"} 1\n");
	jw_free(&w);
}

static void seconds(void **state)
{
	struct jw w;

	jw_init(&w);
	prom_sample_f(&w, "veto_s", NULL, 0, 1234567890 / 1e9);
	prom_sample_f(&w, "veto_s", NULL, 0, 0);
	assert_string_equal(w.buf, "veto_s 1.23456789\nveto_s 0\n");
	jw_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(family_and_samples),
		cmocka_unit_test(escapes_label_values_and_help),
		cmocka_unit_test(seconds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
