#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "agent/metrics_text.h"
#include "sinks/bus.h"
#include "sinks/metrics.h"

/* Every line is a HELP, a TYPE or a sample of the family the last TYPE
 * named (each family once); returns the number of samples. */
static int check_format(const char *text)
{
	regex_t sample;
	char family[128] = "", seen[8192] = " ";
	int samples = 0;
	char *copy = strdup(text), *save, *line;

	assert_int_equal(regcomp(&sample,
				 "^([a-z_]+)(\\{[a-z_]+=\"([^\"\\\\\n]|\\\\[\\\\\"n])*\"(,[a-z_]+=\"([^\"\\\\\n]|\\\\[\\\\\"n])*\")*\\})? "
				 "[0-9.e+-]+$",
				 REG_EXTENDED),
			 0);
	assert_true(text[strlen(text) - 1] == '\n');
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[128], type[16], key[140];
		regmatch_t m[2];

		if (sscanf(line, "# HELP %127s", name) == 1) {
			snprintf(key, sizeof(key), " %s ", name);
			if (strstr(seen, key))
				fail_msg("family %s twice", name);
			strcat(seen, name);
			strcat(seen, " ");
			snprintf(family, sizeof(family), "%s", name);
			continue;
		}
		if (sscanf(line, "# TYPE %127s %15s", name, type) == 2) {
			assert_string_equal(name, family);
			assert_true(!strcmp(type, "counter") || !strcmp(type, "gauge"));
			continue;
		}
		if (regexec(&sample, line, 2, m, 0))
			fail_msg("not a sample: %s", line);
		assert_int_equal(m[1].rm_eo, strlen(family));
		assert_true(!strncmp(line, family, strlen(family)));
		samples++;
	}
	regfree(&sample);
	free(copy);
	return samples;
}

static void policy_event(struct sink_bus *b, const char *policy, const char *func, uint32_t action, int n)
{
	struct veto_policy_event pe = { .action = action };
	struct ev_hook hook = { .func = func };
	struct ev_policy pol = { .name = policy };
	struct ev e = { .kind = EV_PROCESS_LSM, .pol = &pe, .hook = &hook, .policy = &pol };

	while (n--)
		sink_bus_emit(b, &e);
}

static void counts_events_from_the_bus(void **state)
{
	static struct metrics_sink m;
	struct enc_ctx ctx = { .node = "n" };
	struct ev exec = { .kind = EV_PROCESS_EXEC };
	struct sink_bus b;
	struct jw w;

	metrics_sink_init(&m);
	sink_bus_init(&b, &ctx);
	assert_int_equal(sink_bus_add(&b, &m.s), 0);
	for (int i = 0; i < 3; i++)
		sink_bus_emit(&b, &exec);
	policy_event(&b, "deny-passwd", "security_file_open", VA_POST | VA_OVERRIDE, 5);
	policy_event(&b, "deny-passwd", "security_file_open", VA_POST | VA_SIGKILL, 2);
	policy_event(&b, "deny-passwd", "security_inode_create", VA_POST | VA_OVERRIDE, 1);
	policy_event(&b, "other", "security_file_open", VA_POST, 4);
	for (int i = 0; i < 4; i++) /* nothing was encoded */
		assert_false(b.have_json[i]);
	assert_false(b.have_compact);

	jw_init(&w);
	metrics_text_events(&w, "1.2.3", &m);
	assert_int_equal(check_format(w.buf), 1 + EV__COUNT + 4 + 1);
	assert_non_null(strstr(w.buf, "veto_build_info{version=\"1.2.3\"} 1\n"));
	assert_non_null(strstr(w.buf, "veto_events_total{type=\"PROCESS_EXEC\"} 3\n"));
	assert_non_null(strstr(w.buf, "veto_events_total{type=\"PROCESS_LSM\"} 12\n"));
	assert_non_null(strstr(w.buf, "veto_events_total{type=\"PROCESS_EXIT\"} 0\n"));
	assert_non_null(strstr(w.buf, "veto_policy_events_total{policy=\"deny-passwd\",hook=\"security_file_open\","
				      "action=\"KPROBE_ACTION_OVERRIDE\"} 5\n"));
	assert_non_null(strstr(w.buf, "veto_policy_events_total{policy=\"deny-passwd\",hook=\"security_file_open\","
				      "action=\"KPROBE_ACTION_SIGKILL\"} 2\n"));
	assert_non_null(strstr(w.buf, "veto_policy_events_total{policy=\"deny-passwd\",hook=\"security_inode_create\","
				      "action=\"KPROBE_ACTION_OVERRIDE\"} 1\n"));
	assert_non_null(strstr(w.buf, "veto_policy_events_total{policy=\"other\",hook=\"security_file_open\","
				      "action=\"KPROBE_ACTION_POST\"} 4\n"));
	assert_non_null(strstr(w.buf, "veto_policy_events_unlabelled_total 0\n"));
	jw_free(&w);
	sink_bus_fini(&b);
	metrics_sink_fini(&m);
}

/* However many hooks an attacker's events name, the table stays bounded and
 * the rest is counted. */
static void label_sets_are_bounded(void **state)
{
	static struct metrics_sink m;
	struct enc_ctx ctx = { .node = "n" };
	struct sink_bus b;
	char func[32];
	size_t kept = METRICS_POLICY_ROWS / 4 * 3;

	metrics_sink_init(&m);
	sink_bus_init(&b, &ctx);
	sink_bus_add(&b, &m.s);
	for (size_t i = 0; i < METRICS_POLICY_ROWS * 2; i++) {
		snprintf(func, sizeof(func), "f%zu", i);
		policy_event(&b, "p", func, VA_POST, 1);
	}
	assert_int_equal(m.n_rows, kept);
	assert_int_equal(m.overflow, METRICS_POLICY_ROWS * 2 - kept);
	assert_int_equal(m.by_type[EV_PROCESS_LSM], METRICS_POLICY_ROWS * 2);
	policy_event(&b, "p", "f0", VA_POST, 1); /* a kept set still counts */
	sink_bus_fini(&b);
	metrics_sink_fini(&m);
}

static void rows(void *src, metrics_row_fn row, void *ctx)
{
	static const struct metrics_prog progs[] = { { 11, "veto_lsm_file_open_long_name" }, { 12, "veto_kr_0" } };
	struct metrics_policy_row r[] = {
		{ .name = "deny-passwd", .mode = "enforce", .state = "enabled", .kernel_memory = 4096,
		  .progs = progs, .n_progs = 2 },
		{ .name = "audit", .mode = "monitor", .state = "enabled", .counted = true, .npost = 7, .nenforce = 0,
		  .nmonitor = 3, .kernel_memory = 123 },
		{ .name = "broken", .mode = "enforce", .state = "load_error" },
	};

	(*(int *)src)++;
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		row(ctx, &r[i]);
}

static void policies_and_programs(void **state)
{
	static const struct bpf_prog_stat progs[] = {
		{ 11, "veto_lsm_file_o", 100, 2500000000ull }, { 12, "veto_kr_0", 1, 10 },
		{ 40, "veto_exec", 9, 900 },
	};
	int calls = 0;
	struct metrics_parts p = { .policies = rows, .policies_src = &calls, .progs = progs, .n_progs = 3 };
	struct jw w;

	jw_init(&w);
	metrics_text_policies(&w, &p);
	assert_int_equal(calls, 1);
	check_format(w.buf);
	assert_non_null(strstr(w.buf, "veto_tracingpolicy_loaded{state=\"enabled\"} 2\n"));
	assert_non_null(strstr(w.buf, "veto_tracingpolicy_loaded{state=\"load_error\"} 1\n"));
	assert_non_null(strstr(w.buf, "veto_tracingpolicy_loaded{state=\"disabled\"} 0\n"));
	assert_non_null(strstr(w.buf, "veto_tracingpolicy_info{policy=\"audit\",mode=\"monitor\",state=\"enabled\"} 1\n"));
	assert_non_null(strstr(w.buf, "veto_tracingpolicy_info{policy=\"broken\",mode=\"enforce\",state=\"load_error\"} 1\n"));
	assert_non_null(strstr(w.buf, "veto_tracingpolicy_kernel_memory_bytes{policy=\"deny-passwd\"} 4096\n"));
	assert_non_null(strstr(w.buf, "veto_tracingpolicy_kernel_memory_bytes{policy=\"audit\"} 123\n"));
	assert_non_null(strstr(w.buf, "veto_tracingpolicy_operations_total{policy=\"audit\",outcome=\"monitor\"} 3\n"));
	assert_null(strstr(w.buf, "operations_total{policy=\"deny-passwd\"")); /* not counted */
	assert_non_null(strstr(w.buf, "veto_bpf_stats_enabled 0\n"));
	assert_null(strstr(w.buf, "veto_overhead_program")); /* statistics off: no rows */

	jw_reset(&w);
	p.bpf_stats = true;
	metrics_text_policies(&w, &p);
	check_format(w.buf);
	assert_non_null(strstr(w.buf, "veto_bpf_stats_enabled 1\n"));
	/* a policy's program by its whole name; one of no policy by the kernel's */
	assert_non_null(strstr(w.buf, "veto_overhead_program_runs_total{policy=\"deny-passwd\","
				      "program=\"veto_lsm_file_open_long_name\"} 100\n"));
	assert_non_null(strstr(w.buf, "veto_overhead_program_seconds_total{policy=\"deny-passwd\","
				      "program=\"veto_lsm_file_open_long_name\"} 2.5\n"));
	assert_non_null(strstr(w.buf, "veto_overhead_program_runs_total{policy=\"deny-passwd\",program=\"veto_kr_0\"} 1\n"));
	assert_non_null(strstr(w.buf, "veto_overhead_program_runs_total{policy=\"\",program=\"veto_exec\"} 9\n"));
	assert_non_null(strstr(w.buf, "veto_overhead_program_seconds_total{policy=\"\",program=\"veto_exec\"} 9e-07\n"));
	jw_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts_events_from_the_bus),
		cmocka_unit_test(label_sets_are_bounded),
		cmocka_unit_test(policies_and_programs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
