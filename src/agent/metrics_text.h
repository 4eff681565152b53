/* What GET /metrics answers: veto's metrics in Prometheus' text format,
 * named as Tetragon's (veto_ for tetragon_) where they mean the same
 * (docs/metrics.md lists them). The event counts come from the metrics sink,
 * the rest from the parts that count it; the policies from a callback, so
 * that whatever holds them (today's fixed set, a runtime registry) gives its
 * rows without this file knowing it. */
#ifndef VETO_AGENT_METRICS_TEXT_H
#define VETO_AGENT_METRICS_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/status.h"
#include "sinks/metrics.h"
#include "util/bpf_fds.h"
#include "util/json.h"

/* One program of a policy: its id (the kernel's) and its name. */
struct metrics_prog {
	uint32_t id;
	const char *name;
};

/* One policy, as veto_tracingpolicy_* report it. */
struct metrics_policy_row {
	const char *name;
	const char *mode;           /* "enforce", "monitor" */
	const char *state;          /* "enabled", "disabled", "error", "load_error" */
	bool counted;               /* the kernel counts npost, nenforce, nmonitor */
	uint64_t npost, nenforce, nmonitor;
	uint64_t kernel_memory;     /* bytes: memlock of its own maps and programs */
	const struct metrics_prog *progs; /* its programs, for the per-program rows */
	size_t n_progs;
};

typedef void (*metrics_row_fn)(void *ctx, const struct metrics_policy_row *r);
/* Calls row(ctx, r) once per policy; r is valid during the call only. */
typedef void (*metrics_policies_fn)(void *src, metrics_row_fn row, void *ctx);

struct metrics_parts {
	const char *version;
	const struct metrics_sink *sink;
	const struct status_parts *st;  /* losses, export, clients, the cache */
	metrics_policies_fn policies;   /* NULL: none */
	void *policies_src;
	/* the BPF programs and whether their statistics are counted: what
	 * metrics_text_write finds in this process (metrics_text_policies
	 * takes them as given) */
	const struct bpf_prog_stat *progs;
	size_t n_progs;
	bool bpf_stats;
};

/* The whole answer, with this process's BPF programs. */
void metrics_text_write(struct jw *w, const struct metrics_parts *p);
/* Its parts (the unit tests call them alone): build info and the event
 * counts; the policies and the programs. */
void metrics_text_events(struct jw *w, const char *version, const struct metrics_sink *m);
void metrics_text_policies(struct jw *w, const struct metrics_parts *p);

#endif
