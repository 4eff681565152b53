/* Where a simulation's events come from: lines of exported JSON, read
 * from a file or stdin (--from-file), or rows of the event store
 * (--from-store), one event at a time. */
#ifndef VETO_SIMULATE_SOURCE_H
#define VETO_SIMULATE_SOURCE_H

#include <stddef.h>

#define SIM_LINE_MAX (1u << 20) /* longest event line read */

struct sim_source {
	const char *name;  /* for messages: the path, or "stdin" */
	/* The next event's JSON (writable, valid until the next call): 1, 0
	 * at the end, or -errno with err set. */
	int (*next)(struct sim_source *s, char **line, size_t *len);
	void (*close)(struct sim_source *s);
	size_t lineno;     /* of the line last returned (a store: its row) */
	char err[256];
	void *priv;
};

/* path, or "-" for stdin. 0 or -errno with s->err set. */
int sim_source_file(struct sim_source *s, const char *path);

#endif
