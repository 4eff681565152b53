#include "agent/metrics_text.h"

#include <stdlib.h>
#include <string.h>

#include "util/prom.h"

#define PROGS_MAX 1024 /* BPF programs reported at most */

#define L(...) ((const char *const[]){ __VA_ARGS__ })
#define NL(...) L(__VA_ARGS__), sizeof(L(__VA_ARGS__)) / sizeof(char *) / 2

void metrics_text_events(struct jw *w, const char *version, const struct metrics_sink *m)
{
	prom_family(w, "veto_build_info", "gauge", "Build information about veto.");
	prom_sample(w, "veto_build_info", NL("version", version), 1);
	prom_family(w, "veto_events_total", "counter", "The total number of veto events, by type.");
	for (int k = 0; k < EV__COUNT; k++)
		prom_sample(w, "veto_events_total", NL("type", metrics_type_name(k)), m->by_type[k]);
	prom_family(w, "veto_policy_events_total", "counter",
		    "Policy events, by policy, hook and action (the selector's action).");
	for (size_t i = 0; i < METRICS_POLICY_ROWS; i++) {
		const struct metrics_policy_count *r = &m->rows[i];
		if (r->policy)
			prom_sample(w, "veto_policy_events_total",
				    NL("policy", r->policy, "hook", r->hook, "action", r->action), r->n);
	}
	prom_family(w, "veto_policy_events_unlabelled_total", "counter",
		    "Policy events past the label sets veto keeps apart (counted in veto_events_total only).");
	prom_sample(w, "veto_policy_events_unlabelled_total", NULL, 0, m->overflow);
}

static const char *const states[] = { "enabled", "disabled", "error", "load_error" };
#define N_STATES (sizeof(states) / sizeof(states[0]))

/* One pass over the policies fills a buffer per family. */
struct pass {
	const struct metrics_parts *p;
	struct jw info, mem, ops, runs, secs;
	uint64_t by_state[N_STATES];
	bool *claimed; /* by index of p->progs: a policy's */
};

static void prog_samples(struct pass *x, const char *policy, const char *name, const struct bpf_prog_stat *s)
{
	prom_sample(&x->runs, "veto_overhead_program_runs_total", NL("policy", policy, "program", name), s->run_cnt);
	prom_sample_f(&x->secs, "veto_overhead_program_seconds_total", NL("policy", policy, "program", name),
		      s->run_time_ns / 1e9);
}

static void on_row(void *ctx, const struct metrics_policy_row *r)
{
	struct pass *x = ctx;

	for (size_t i = 0; i < N_STATES; i++)
		if (r->state && !strcmp(r->state, states[i]))
			x->by_state[i]++;
	prom_sample(&x->info, "veto_tracingpolicy_info", NL("policy", r->name, "mode", r->mode, "state", r->state), 1);
	prom_sample(&x->mem, "veto_tracingpolicy_kernel_memory_bytes", NL("policy", r->name), r->kernel_memory);
	if (r->counted) {
		prom_sample(&x->ops, "veto_tracingpolicy_operations_total", NL("policy", r->name, "outcome", "post"),
			    r->npost);
		prom_sample(&x->ops, "veto_tracingpolicy_operations_total",
			    NL("policy", r->name, "outcome", "enforce"), r->nenforce);
		prom_sample(&x->ops, "veto_tracingpolicy_operations_total",
			    NL("policy", r->name, "outcome", "monitor"), r->nmonitor);
	}
	for (size_t j = 0; j < r->n_progs; j++)
		for (size_t i = 0; i < x->p->n_progs; i++)
			if (x->p->progs[i].id == r->progs[j].id && !x->claimed[i]) {
				x->claimed[i] = true;
				prog_samples(x, r->name, r->progs[j].name, &x->p->progs[i]);
			}
}

static void append(struct jw *w, const struct jw *part)
{
	if (part->len)
		jw_raw(w, part->buf, part->len);
	if (part->oom)
		w->oom = true;
}

void metrics_text_policies(struct jw *w, const struct metrics_parts *p)
{
	struct pass x = { .p = p };

	jw_init(&x.info);
	jw_init(&x.mem);
	jw_init(&x.ops);
	jw_init(&x.runs);
	jw_init(&x.secs);
	x.claimed = calloc(p->n_progs ? p->n_progs : 1, sizeof(bool));
	if (!x.claimed) {
		w->oom = true;
		return;
	}
	if (p->policies)
		p->policies(p->policies_src, on_row, &x);
	for (size_t i = 0; i < p->n_progs; i++)
		if (!x.claimed[i])
			prog_samples(&x, "", p->progs[i].name, &p->progs[i]);
	prom_family(w, "veto_tracingpolicy_loaded", "gauge", "The number of tracing policies, by state.");
	for (size_t i = 0; i < N_STATES; i++)
		prom_sample(w, "veto_tracingpolicy_loaded", NL("state", states[i]), x.by_state[i]);
	prom_family(w, "veto_tracingpolicy_info", "gauge", "Each policy (1), with its mode and state.");
	append(w, &x.info);
	prom_family(w, "veto_tracingpolicy_kernel_memory_bytes", "gauge",
		    "Kernel memory of a policy's own BPF maps and programs (memlock), in bytes.");
	append(w, &x.mem);
	if (x.ops.len) {
		prom_family(w, "veto_tracingpolicy_operations_total", "counter",
			    "A policy's operations counted in the kernel: posted, enforced, let through in monitor mode.");
		append(w, &x.ops);
	}
	prom_family(w, "veto_bpf_stats_enabled", "gauge",
		    "1 when the kernel counts BPF program runs (sysctl kernel.bpf_stats_enabled).");
	prom_sample(w, "veto_bpf_stats_enabled", NULL, 0, p->bpf_stats);
	if (p->bpf_stats) {
		prom_family(w, "veto_overhead_program_runs_total", "counter",
			    "The number of times a BPF program of veto ran.");
		append(w, &x.runs);
		prom_family(w, "veto_overhead_program_seconds_total", "counter",
			    "The time BPF programs of veto ran, in seconds.");
		append(w, &x.secs);
	}
	jw_free(&x.info);
	jw_free(&x.mem);
	jw_free(&x.ops);
	jw_free(&x.runs);
	jw_free(&x.secs);
	free(x.claimed);
}

/* Losses, the export and the clients, the process cache. */
static void agent_parts(struct jw *w, const struct status_parts *s)
{
	uint64_t total = ev_ring_lost(s->ring, EVL_PROCESS), exec = ev_ring_lost(s->ring, EVL_PROCESS_EXEC),
		 ex = ev_ring_lost(s->ring, EVL_PROCESS_EXIT);
	struct proc_cache_stats cs;

	proc_cache_stats(s->pl->cache, &cs);
	prom_family(w, "veto_bpf_missed_events_total", "counter",
		    "Events the kernel could not send: the ring buffer was full (the policies still enforced).");
	prom_sample(w, "veto_bpf_missed_events_total", NL("type", "PROCESS_EXEC"), exec);
	prom_sample(w, "veto_bpf_missed_events_total", NL("type", "PROCESS_EXIT"), ex);
	prom_sample(w, "veto_bpf_missed_events_total", NL("type", "PROCESS_CLONE"),
		    total >= exec + ex ? total - exec - ex : 0);
	prom_sample(w, "veto_bpf_missed_events_total", NL("type", "POLICY"), ev_ring_lost(s->ring, EVL_POLICY));
	prom_family(w, "veto_map_errors_update_total", "counter",
		    "Failed updates of a BPF map: processes not followed (followChildren/followForks map full).");
	prom_sample(w, "veto_map_errors_update_total", NL("map", "follow"), ev_ring_lost(s->ring, EVL_FOLLOW));
	prom_family(w, "veto_observer_ringbuf_events_received_total", "counter",
		    "Records read from the ring buffer.");
	prom_sample(w, "veto_observer_ringbuf_events_received_total", NULL, 0, ev_ring_records(s->ring));
	prom_family(w, "veto_errors_total", "counter", "Records the agent could not turn into events, by reason.");
	prom_sample(w, "veto_errors_total", NL("type", "bad_record"), s->pl->bad_records);
	prom_sample(w, "veto_errors_total", NL("type", "out_of_memory"), s->pl->oom);
	prom_family(w, "veto_events_exported_total", "counter", "Events written to the export (file or stdout).");
	prom_sample(w, "veto_events_exported_total", NULL, 0, s->exp->s.st.written);
	prom_family(w, "veto_export_events_dropped_total", "counter",
		    "Events the export dropped: its queue was full (the reader of stdout or the disk too slow).");
	prom_sample(w, "veto_export_events_dropped_total", NULL, 0, s->exp->s.st.dropped);
	prom_family(w, "veto_export_errors_total", "counter", "Events the export could not write: an error.");
	prom_sample(w, "veto_export_errors_total", NULL, 0, s->exp->s.st.failed);
	prom_family(w, "veto_notify_overflowed_events_total", "counter",
		    "Events dropped for getevents clients whose queue was full.");
	prom_sample(w, "veto_notify_overflowed_events_total", NULL, 0, clients_dropped(s->clients));
	if (s->store) {
		struct store_sink_stats ss;

		store_sink_stats(s->store, &ss);
		prom_family(w, "veto_store_events_written_total", "counter", "Events written to the store (--store).");
		prom_sample(w, "veto_store_events_written_total", NULL, 0, ss.st.written);
		prom_family(w, "veto_store_events_dropped_total", "counter",
			    "Events the store dropped: its queue was full (the store did not keep up).");
		prom_sample(w, "veto_store_events_dropped_total", NULL, 0, ss.st.dropped);
		prom_family(w, "veto_store_errors_total", "counter",
			    "Events the store could not write: refused, or their batch lost to an error.");
		prom_sample(w, "veto_store_errors_total", NULL, 0, ss.st.failed);
		prom_family(w, "veto_store_full_pauses_total", "counter",
			    "Times a full disk paused the store's writes.");
		prom_sample(w, "veto_store_full_pauses_total", NULL, 0, ss.full_pauses);
		prom_family(w, "veto_store_retention_deleted_total", "counter",
			    "Rows retention deleted from the store, by table.");
		prom_sample(w, "veto_store_retention_deleted_total", NL("table", "events"), ss.retention_events);
		prom_sample(w, "veto_store_retention_deleted_total", NL("table", "processes"), ss.retention_processes);
		prom_family(w, "veto_store_size_bytes", "gauge", "The store's database file, in bytes.");
		prom_sample(w, "veto_store_size_bytes", NULL, 0, ss.file_bytes);
		prom_family(w, "veto_store_queue_bytes", "gauge", "Bytes of events waiting for the store's writer.");
		prom_sample(w, "veto_store_queue_bytes", NULL, 0, ss.queue_bytes);
	}
	prom_family(w, "veto_process_cache_size", "gauge", "The number of entries in the process cache.");
	prom_sample(w, "veto_process_cache_size", NULL, 0, cs.entries);
	prom_family(w, "veto_process_cache_misses_total", "counter",
		    "Events whose process the cache did not know.");
	prom_sample(w, "veto_process_cache_misses_total", NULL, 0, cs.misses);
}

void metrics_text_write(struct jw *w, const struct metrics_parts *p)
{
	static struct bpf_prog_stat progs[PROGS_MAX];
	struct metrics_parts q = *p;
	int n = bpf_self_progs(progs, PROGS_MAX);

	q.progs = progs;
	q.n_progs = n > 0 ? (size_t)n : 0;
	q.bpf_stats = bpf_stats_enabled() == 1;
	metrics_text_events(w, q.version, q.sink);
	if (q.st)
		agent_parts(w, q.st);
	metrics_text_policies(w, &q);
}
