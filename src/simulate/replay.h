/* A replay: every event of a source through the process tree and each
 * candidate policy, as if all were loaded in enforce mode together. */
#ifndef VETO_SIMULATE_REPLAY_H
#define VETO_SIMULATE_REPLAY_H

#include "simulate/report.h"
#include "simulate/source.h"

/* 0, -EINVAL with err "NAME:LINE:COL: why" for a line that is not an
 * event, -ENOMEM, or the source's error (its message in err). */
int sim_replay(struct sim_source *src, struct sim_report *r, char *err, size_t errlen);

#endif
