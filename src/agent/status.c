#include "agent/status.h"

void status_json(struct jw *w, const struct status_parts *p)
{
	uint64_t cnt[PROC_CNT__COUNT] = { 0 };
	const struct sink_stats *ex = &p->exp->s.st;
	struct proc_cache_stats cs;

	proc_sensor_counters(p->sensor, cnt);
	proc_cache_stats(p->pl->cache, &cs);
	jw_obj_open(w);
	jw_key(w, "events");
	jw_obj_open(w);
	for (int k = 0; k < EV__COUNT; k++)
		jw_kuint(w, ev_kind_name(k), p->pl->events[k]);
	jw_obj_close(w);
	jw_kuint(w, "exported", ex->written);
	jw_kuint(w, "export_errors", ex->failed);
	jw_kuint(w, "export_dropped", ex->dropped);
	jw_kuint(w, "export_rotations", ex->rotations);
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
	jw_obj_close(w);
	jw_kuint(w, "clients", clients_count(p->clients));
	jw_key(w, "client_faults");
	jw_obj_open(w);
	jw_kuint(w, "events_dropped", clients_dropped(p->clients));
	jw_kuint(w, "too_slow", p->clients->too_slow);
	jw_kuint(w, "timed_out", p->clients->timed_out);
	jw_obj_close(w);
	jw_obj_close(w);
}
