#include "agent/status.h"

#include "util/clock.h"
#include "util/version.h"

static void policies_json(struct jw *w, const struct registry *r)
{
	size_t n[3] = { 0 };

	jw_key(w, "policies");
	jw_obj_open(w);
	for (size_t i = 0; i < r->n; i++)
		n[r->v[i]->state]++;
	for (int s = REG_ENABLED; s <= REG_LOAD_ERROR; s++)
		jw_kuint(w, reg_state_name(s), n[s]);
	jw_key(w, "list");
	jw_arr_open(w);
	for (size_t i = 0; i < r->n; i++) {
		const struct reg_entry *e = r->v[i];
		jw_obj_open(w);
		jw_kstr(w, "name", e->name);
		jw_kstr(w, "state", reg_state_name(e->state));
		jw_kstr(w, "mode", e->monitor ? "monitor" : "enforce");
		if (e->error)
			jw_kstr(w, "error", e->error);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_obj_close(w);
}

void status_json(struct jw *w, const struct status_parts *p)
{
	uint64_t cnt[PROC_CNT__COUNT] = { 0 };
	const struct sink_stats *ex = &p->exp->s.st;
	struct proc_cache_stats cs;

	proc_sensor_counters(p->sensor, cnt);
	proc_cache_stats(p->pl->cache, &cs);
	jw_obj_open(w);
	jw_kstr(w, "version", VETO_VERSION);
	jw_kuint(w, "uptime_seconds", (mono_ns() - p->started_ns) / 1000000000ull);
	jw_key(w, "kernel");
	jw_obj_open(w);
	if (p->probe) {
		jw_kstr(w, "verdict", verdict_name(p->probe->verdict));
		jw_kbool(w, "lsm", probe_try_ok(&p->probe->lsm_deny));
		jw_kbool(w, "kprobes", probe_try_ok(&p->probe->kind[PK_KPROBE]));
		jw_kstr(w, "why", p->verdict_why);
	}
	jw_obj_close(w);
	if (p->reg)
		policies_json(w, p->reg);
	jw_key(w, "events");
	jw_obj_open(w);
	for (int k = 0; k < EV__COUNT; k++)
		jw_kuint(w, ev_kind_name(k), p->pl->events[k]);
	jw_obj_close(w);
	jw_kuint(w, "exported", ex->written);
	jw_kuint(w, "export_errors", ex->failed);
	jw_kuint(w, "export_dropped", ex->dropped);
	jw_kuint(w, "export_rotations", ex->rotations);
	if (p->store) {
		struct store_sink_stats ss;

		store_sink_stats(p->store, &ss);
		jw_key(w, "store");
		jw_obj_open(w);
		jw_kstr(w, "path", p->store->o.path);
		jw_kuint(w, "queued", ss.st.queued);
		jw_kuint(w, "written", ss.st.written);
		jw_kuint(w, "dropped", ss.st.dropped);
		jw_kuint(w, "failed", ss.st.failed);
		jw_kuint(w, "queue_bytes", ss.queue_bytes);
		jw_kbool(w, "disk_full", ss.paused);
		jw_kuint(w, "full_pauses", ss.full_pauses);
		jw_kuint(w, "retention_deleted_events", ss.retention_events);
		jw_kuint(w, "retention_deleted_processes", ss.retention_processes);
		jw_kuint(w, "size_bytes", ss.file_bytes);
		jw_obj_close(w);
	}
	jw_key(w, "lost");
	jw_obj_open(w);
	jw_kuint(w, "total", ev_ring_lost(p->ring, EVL_PROCESS));
	jw_kuint(w, "process_exec", ev_ring_lost(p->ring, EVL_PROCESS_EXEC));
	jw_kuint(w, "process_exit", ev_ring_lost(p->ring, EVL_PROCESS_EXIT));
	jw_kuint(w, "policy_events", ev_ring_lost(p->ring, EVL_POLICY));
	jw_kuint(w, "not_followed", ev_ring_lost(p->ring, EVL_FOLLOW));
	jw_obj_close(w);
	jw_kuint(w, "ring_records", cnt[PROC_CNT_SENT]);
	jw_kuint(w, "records_read", ev_ring_records(p->ring));
	jw_kuint(w, "bad_records", p->pl->bad_records);
	jw_kuint(w, "records_dropped", p->pl->oom);
	jw_key(w, "cache");
	jw_obj_open(w);
	jw_kuint(w, "live", cs.live);
	jw_kuint(w, "entries", cs.entries);
	jw_kuint(w, "misses", cs.misses);
	jw_kuint(w, "reaped", cs.reaped);
	jw_kuint(w, "evicted", cs.evicted);
	jw_obj_close(w);
	jw_kuint(w, "clients", clients_count(p->clients));
	jw_key(w, "client_faults");
	jw_obj_open(w);
	jw_kuint(w, "events_dropped", clients_dropped(p->clients));
	jw_kuint(w, "too_slow", p->clients->too_slow);
	jw_kuint(w, "timed_out", p->clients->timed_out);
	jw_kuint(w, "refused", p->clients->refused);
	jw_obj_close(w);
	jw_obj_close(w);
}
