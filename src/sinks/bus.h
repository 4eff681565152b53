/* The fan-out: each event goes to every sink whose filter it passes, in the
 * sink's format, encoded once per format however many sinks want it. */
#ifndef VETO_SINKS_BUS_H
#define VETO_SINKS_BUS_H

#include <stddef.h>

#include "events/encode.h"
#include "sinks/sink.h"
#include "util/json.h"

#define SINK_BUS_MAX 80

struct sink_bus {
	const struct enc_ctx *ctx;
	struct sink *v[SINK_BUS_MAX]; /* in the order they were added */
	size_t n;
	struct jw json[4], compact; /* encodings of the current event: JSON by ENC_* options */
	bool have_json[4], have_compact;
};

void sink_bus_init(struct sink_bus *b, const struct enc_ctx *ctx);
void sink_bus_fini(struct sink_bus *b);
/* 0, or -ENOSPC when SINK_BUS_MAX sinks are on it. */
int sink_bus_add(struct sink_bus *b, struct sink *s);
/* Takes s off (it is not closed); nothing when it is not on. */
void sink_bus_remove(struct sink_bus *b, struct sink *s);
/* Queues e to every sink that wants it. */
void sink_bus_emit(struct sink_bus *b, const struct ev *e);

#endif
