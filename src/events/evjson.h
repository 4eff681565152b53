/* Reading an exported event back: a parsed GetEventsResponse line (the
 * agent's JSON, Tetragon's, or a file of either) as getevents and the
 * compact renderer see it. */
#ifndef VETO_EVENTS_EVJSON_H
#define VETO_EVENTS_EVJSON_H

#include "events/filter.h"
#include "util/jsonr.h"

/* The event's own object ("process_exec": {...}) and its kind; NULL when
 * the line holds none of the five kinds veto knows (*kind = -1; *name is
 * then the first key that is not node_name, time or veto, or NULL). */
const struct jr *evjson_inner(const struct jr *ev, int *kind, const char **name);
/* The view the filters look at. */
void evjson_view(const struct jr *ev, struct ev_view *v);
/* A string member at a dotted path ("pod.namespace"), "" when absent. */
const char *evjson_str(const struct jr *obj, const char *path);

#endif
