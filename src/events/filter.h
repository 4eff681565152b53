/* Which events a sink wants: by kind, pid and binary (getevents' filters). */
#ifndef VETO_EVENTS_FILTER_H
#define VETO_EVENTS_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "events/encode.h"

#define FILTER_MAX 16

struct ev_filter {
	uint32_t kinds;  /* bit per enum ev_kind; 0 = all */
	int nbinaries;
	char binaries[FILTER_MAX][256];
	int npids;
	uint32_t pids[FILTER_MAX];
};

/* Does the event pass the filter? */
bool filter_match(const struct ev_filter *f, const struct ev *e);

#endif
