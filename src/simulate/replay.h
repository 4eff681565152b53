/* A replay: every event of a source through the process tree and each
 * candidate policy, as if all were loaded in enforce mode together. */
#ifndef VETO_SIMULATE_REPLAY_H
#define VETO_SIMULATE_REPLAY_H

#include "simulate/report.h"
#include "simulate/source.h"

/* 0, -EINVAL with err "NAME:LINE:COL: why" for a line that is not an
 * event, -ENOMEM, or the source's error (its message in err). */
int sim_replay(struct sim_source *src, struct sim_report *r, char *err, size_t errlen);

/* The same a line at a time, for sources that push (the store). */
#define SIM_DENIED 256
struct sim_replay {
	struct sim_report *r;
	struct sim_parser *ps;
	struct sim_tree t;
	/* processes whose exec a selector would deny: their next exec of that
	 * file would have failed (by pid, the most recent kept) */
	struct sim_denied { uint32_t pid, node; } denied[SIM_DENIED];
	unsigned n_denied;
};
int sim_replay_begin(struct sim_replay *x, struct sim_report *r);
/* One line (rewritten in place): 0, -EINVAL with *col and why, -ENOMEM. */
int sim_replay_line(struct sim_replay *x, char *line, size_t len, size_t *col, char *why, size_t whylen);
void sim_replay_end(struct sim_replay *x);
/* Every event of the store at path, in time order. 0, -EINVAL with err
 * "PATH: event N: ..." for a stored line that is not an event, or -errno
 * with err (a file that is not a store, ...). */
int sim_replay_store(const char *path, struct sim_report *r, char *err, size_t errlen);

#endif
