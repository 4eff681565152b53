/* One interface for every destination of events: the export (a file or
 * stdout), each getevents client and the metrics are a struct sink, each with
 * its filter and format; the bus (sinks/bus.h) hands each sink the events it wants.
 * A new sink is one file implementing sink_ops, plus the option that opens
 * it (cmd/agent.c) and its sink_bus_add (agent/agent.c). */
#ifndef VETO_SINKS_SINK_H
#define VETO_SINKS_SINK_H

#include <stdbool.h>
#include <stdint.h>

#include "events/encode.h"
#include "events/filter.h"
#include "util/json.h"

/* Events, counted by every sink the same way. */
struct sink_stats {
	uint64_t queued;    /* taken into the queue */
	uint64_t written;   /* written out (where the sink knows it) */
	uint64_t failed;    /* could not be written: an error */
	uint64_t dropped;   /* refused: the reader does not keep up (queue full) */
	uint64_t rotations; /* files rotated */
};

struct sink;

struct sink_ops {
	/* Takes one encoded event (w->oom: its encoding failed). */
	void (*queue)(struct sink *s, const struct jw *w);
	/* A FMT_NONE sink's instead of queue: the event itself, not encoded. */
	void (*take)(struct sink *s, const struct ev *e);
	/* Writes what is queued without waiting. 0: all written; -EAGAIN:
	 * more to write; other -errno: the sink is gone. */
	int (*flush)(struct sink *s);
	/* Frees the queue and closes. */
	void (*close)(struct sink *s);
};

struct sink {
	const struct sink_ops *ops;
	const struct ev_filter *filter; /* NULL: every event */
	enum ev_format format;
	uint32_t ancestors;             /* kinds (1u << EV_*) whose events list ancestors */
	bool veto_key;                  /* JSON: the "veto" key (enc_json's ENC_VETO) */
	struct sink_stats st;
};

#endif
