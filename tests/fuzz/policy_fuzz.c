/* libFuzzer entry: arbitrary bytes through parse, check and lint, and what
 * checks clean through compile too. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "compile/compile.h"
#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One layout for every tracepoint, so that a run never depends on this
 * machine's tracefs: the common fields, then an int, a string, a
 * __data_loc string and an array. */
static const char tp_text[] =
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
	"\tfield:const char * filename;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:__data_loc char[] name;\toffset:24;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned long args[6];\toffset:32;\tsize:48;\tsigned:0;\n";

static int fixed_tp_format(const char *subsys, const char *event, struct tp_format *out)
{
	unsigned line;

	(void)subsys;
	(void)event;
	return tp_format_parse(tp_text, out, &line);
}

/* As lint compiles: for any machine, every path present. */
static void compile_all(const struct pol_set *s, struct diag_list *d)
{
	struct compile_env env;

	compile_env_portable(&env);
	env.tp_format = fixed_tp_format;
	for (size_t i = 0; i < s->n; i++) {
		struct compiled c;

		compile_policy(&s->v[i], s->file, &env, &c, d);
		compiled_free(&c);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pol_set s = { 0 };
	struct diag_list d;

	diag_init(&d);
	if (!pol_parse_buf("fuzz.yaml", (const char *)data, size, &s, &d) && !pol_check(&s, &d)) {
		pol_lint(&s, &d);
		if (!d.nerr)
			compile_all(&s, &d);
	}
	diag_sort(&d);
	pol_set_free(&s);
	diag_free(&d);
	return 0;
}
