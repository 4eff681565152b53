/* The answer to `status` (veto getevents --status): the sum of what each
 * part of the event path counted, from the ring to the sinks. */
#ifndef VETO_AGENT_STATUS_H
#define VETO_AGENT_STATUS_H

#include "agent/clients.h"
#include "events/pipeline.h"
#include "events/ring.h"
#include "load/registry.h"
#include "probe/probe.h"
#include "sensors/process.h"
#include "sinks/export.h"
#include "sinks/store.h"
#include "util/json.h"

struct status_parts {
	const struct ev_ring *ring;        /* lost: its totals, as last read */
	const struct proc_sensor *sensor;
	const struct pipeline *pl;
	const struct export_sink *exp;
	const struct clients *clients;
	const struct registry *reg;
	const struct probe_report *probe; /* at start: the kernel's verdict */
	const char *verdict_why;
	uint64_t started_ns;     /* mono_ns at start */
	struct store_sink *store;  /* --store; NULL: none */
};

void status_json(struct jw *w, const struct status_parts *p);

#endif
