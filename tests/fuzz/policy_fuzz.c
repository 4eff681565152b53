/* libFuzzer entry: arbitrary bytes through parse, check and lint. */
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pol_set s = { 0 };
	struct diag_list d;

	diag_init(&d);
	if (!pol_parse_buf("fuzz.yaml", (const char *)data, size, &s, &d) && !pol_check(&s, &d))
		pol_lint(&s, &d);
	diag_sort(&d);
	pol_set_free(&s);
	diag_free(&d);
	return 0;
}
