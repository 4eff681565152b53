/* Simulation throughput on one thread: an event file loaded into memory,
 * then PASSES passes of (a) reading each line only (sim_event_parse: the
 * baseline) and (b) the whole replay (parse, process tree, every candidate
 * policy evaluated, the report kept), alternated; best pass of each.
 *   simulate EVENTS PASSES POLICY...   (built by bench/simulate) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compile/compile.h"
#include "simulate/replay.h"

struct mem {
	char *text;
	size_t len, pos;
	char *line; /* each line copied here: reading rewrites it */
};

static int mem_next(struct sim_source *s, char **line, size_t *len)
{
	struct mem *m = s->priv;
	char *nl;
	size_t n;

	if (m->pos >= m->len)
		return 0;
	nl = memchr(m->text + m->pos, '\n', m->len - m->pos);
	n = nl ? (size_t)(nl - (m->text + m->pos)) : m->len - m->pos;
	if (n > SIM_LINE_MAX)
		return -E2BIG;
	memcpy(m->line, m->text + m->pos, n);
	m->pos += n + 1;
	s->lineno++;
	*line = m->line;
	*len = n;
	return 1;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static struct sim_parser ps;
	struct sim_policy *pol;
	struct pol_set *sets;
	struct mem m = { 0 };
	struct sim_source src = { .name = "memory", .next = mem_next, .priv = &m };
	double best_parse = 1e9, best_full = 1e9;
	uint64_t events = 0;
	int passes, np;
	FILE *f;

	if (argc < 4) {
		fprintf(stderr, "usage: %s EVENTS PASSES POLICY...\n", argv[0]);
		return 2;
	}
	passes = atoi(argv[2]);
	np = argc - 3;
	f = fopen(argv[1], "r");
	if (!f || fseek(f, 0, SEEK_END) || (m.len = (size_t)ftell(f)) == 0 || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "%s: cannot read\n", argv[1]);
		return 1;
	}
	m.text = malloc(m.len);
	m.line = malloc(SIM_LINE_MAX + 1);
	pol = calloc((size_t)np, sizeof(*pol));
	sets = calloc((size_t)np, sizeof(*sets));
	if (!m.text || !m.line || !pol || !sets || fread(m.text, 1, m.len, f) != m.len)
		return 1;
	fclose(f);
	for (int i = 0; i < np; i++) {
		struct compile_env env;
		struct diag_list d;

		diag_init(&d);
		compile_env_portable(&env);
		memset(env.host_ns, 0, sizeof(env.host_ns));
		if (pol_load_file(argv[3 + i], &sets[i], &d) || d.nerr || sets[i].n != 1 ||
		    compile_policy(&sets[i].v[0], argv[3 + i], &env, &pol[i].c, &d) || sim_policy_index(&pol[i])) {
			fprintf(stderr, "%s: not one valid policy\n", argv[3 + i]);
			return 1;
		}
		pol[i].file = argv[3 + i];
		diag_free(&d);
	}
	ps.want = sim_wants(pol, (size_t)np);
	for (int p = 0; p < passes; p++) {
		struct sim_report r;
		struct sim_event e;
		char *line, err[256];
		size_t len, col;
		double t0 = now();

		/* (a) reading only */
		m.pos = 0;
		events = 0;
		while (mem_next(&src, &line, &len) > 0)
			if (len && !sim_event_parse(&ps, line, len, &e, &col, err, sizeof(err)))
				events++;
		if (now() - t0 < best_parse)
			best_parse = now() - t0;
		/* (b) the replay */
		m.pos = 0;
		if (sim_report_init(&r, pol, (size_t)np, "memory"))
			return 1;
		t0 = now();
		if (sim_replay(&src, &r, err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		if (now() - t0 < best_full)
			best_full = now() - t0;
		sim_report_free(&r);
	}
	sim_parser_free(&ps);
	printf("| pass | events/s | ns/event |\n|---|---|---|\n");
	printf("| reading only (baseline) | %.0f | %.0f |\n", (double)events / best_parse, best_parse * 1e9 / (double)events);
	printf("| simulate (read + tree + %d %s + report) | %.0f | %.0f |\n", np, np == 1 ? "policy" : "policies",
	       (double)events / best_full, best_full * 1e9 / (double)events);
	printf("\nsimulate / reading-only time: %.2f; %llu events, %.0f bytes/event\n", best_full / best_parse,
	       (unsigned long long)events, (double)m.len / (double)events);
	printf("simulate: %.0f events/s on one core (target >= 1,000,000)\n", (double)events / best_full);
	return 0;
}
