/* A sink in front of another that applies field filters (Tetragon's
 * --field-filters) to each event before passing it on: it takes the JSON,
 * removes the fields, and hands the other sink the JSON or, for a compact
 * one, the compact line of what is left. */
#ifndef VETO_SINKS_FIELDMASK_H
#define VETO_SINKS_FIELDMASK_H

#include <stddef.h>

#include "events/fields.h"
#include "sinks/sink.h"
#include "util/json.h"

struct fieldmask_sink {
	struct sink s;                  /* the filter, ancestors of the inner sink; JSON */
	struct sink *inner;
	enum ev_format inner_format;
	const struct field_filter *v;
	size_t n;
	struct jw out;
};

/* Puts m in front of inner (whose filter and format it takes over). */
void fieldmask_sink_init(struct fieldmask_sink *m, struct sink *inner, const struct field_filter *v, size_t n);
void fieldmask_sink_fini(struct fieldmask_sink *m);

#endif
