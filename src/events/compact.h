/* The compact form for people: Tetragon's `tetra getevents -o compact`
 * line, rendered from an exported JSON event, with what veto did (the
 * "veto" key) after it. The agent's -o compact, getevents from the agent
 * and getevents from a file all print through compact_render. */
#ifndef VETO_EVENTS_COMPACT_H
#define VETO_EVENTS_COMPACT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/json.h"
#include "util/jsonr.h"

struct compact_opts {
	bool color;      /* Tetragon's colours (ANSI SGR) */
	bool timestamps; /* the event's time first, nanoseconds always written */
};

/* Appends one line (no newline) for the parsed event ev. 0, or -EINVAL
 * with err saying why it has no compact form (not an event, an event type
 * veto does not know, no process). */
int compact_render(struct jw *w, const struct jr *ev, const struct compact_opts *o, char *err,
		   size_t errlen);
/* Appends s as the compact line writes any string from an event: as it
 * is, or quoted and escaped when it could act on a terminal. */
void compact_text(struct jw *w, const char *s);

#endif
