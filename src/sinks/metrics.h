/* The metrics' sink on the bus: it counts every event by type, and policy
 * events by policy, hook and action, so that the counts come from the same
 * fan-out as the export and the getevents clients. It encodes nothing
 * (FMT_NONE); agent/metrics_text.c writes what it counted. */
#ifndef VETO_SINKS_METRICS_H
#define VETO_SINKS_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "events/encode.h"
#include "sinks/sink.h"

/* Label sets of policy events kept at most: the policies, their hooks and
 * the actions bound them; this bounds them again. */
#define METRICS_POLICY_ROWS 1024

struct metrics_policy_count {
	char *policy, *hook;
	const char *action; /* ev_action_name's, static */
	uint64_t n;
};

struct metrics_sink {
	struct sink s;
	uint64_t by_type[EV__COUNT];
	struct metrics_policy_count rows[METRICS_POLICY_ROWS]; /* open addressing; policy NULL: free */
	size_t n_rows;
	uint64_t overflow; /* policy events of a label set past the table: counted by type only */
};

void metrics_sink_init(struct metrics_sink *m);
/* Frees the label strings. */
void metrics_sink_fini(struct metrics_sink *m);
/* Counts one event (what the bus does through sink_ops.take). */
void metrics_sink_count(struct metrics_sink *m, const struct ev *e);
/* Tetragon's name of an event type: "PROCESS_EXEC", ... */
const char *metrics_type_name(enum ev_kind k);

#endif
