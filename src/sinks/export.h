/* The export: every event, to stdout or a file rotated by size (a file
 * sink), written in batches, its failures counted and logged. */
#ifndef VETO_SINKS_EXPORT_H
#define VETO_SINKS_EXPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "sinks/file.h"
#include "sinks/sink.h"

struct export_sink {
	struct sink s;       /* st: written = exported, failed = export_errors, dropped = export_dropped */
	struct file_sink f;
	const char *name;    /* the path, or "stdout" */
	bool blocked;        /* stdout's reader took not all: retry once a round, not per event */
	int last_err, logged_err;
	uint64_t logged_at;  /* mono_ns of the last failure logged */
};

/* path NULL: stdout. Returns 0 or -errno (file_open_why says why). */
int export_sink_open(struct export_sink *x, const char *path, uint64_t max_size, int backups, enum ev_format fmt,
		     uint32_t ancestors);
/* Writes what was queued since the last call (sink_ops.flush). */
int export_sink_flush(struct export_sink *x);
/* Lines queued, not yet written. */
uint64_t export_sink_queued(const struct export_sink *x);

#endif
