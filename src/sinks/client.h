/* A getevents client of the control socket: a bounded output queue written
 * without blocking, so one slow or gone client never stalls the agent. */
#ifndef VETO_SINKS_CLIENT_H
#define VETO_SINKS_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "sinks/sink.h"

#define CLIENT_QUEUE_MAX (4u << 20)
/* A queue that empties gives back its memory above this capacity. */
#define CLIENT_QUEUE_KEEP (64u << 10)

struct client_sink {
	struct sink s;     /* st.queued: events queued, st.dropped: events not */
	int fd;
	char *buf;
	size_t len, cap;
	size_t max;        /* bytes queued at most (0: CLIENT_QUEUE_MAX) */
	uint64_t sent;     /* lines queued */
	uint64_t dropped;  /* lines dropped because the queue was full */
	uint64_t dropped_reported;
	uint64_t behind_since; /* mono_ns of its first drop since its queue was last empty */
};

/* A sink of every event in JSON until told otherwise (s.filter, s.format). */
void client_sink_init(struct client_sink *c, int fd);
/* Queues one line (newline added). -ENOBUFS when the queue is full (max
 * bytes): the line is counted in dropped and the client is told later. */
int client_sink_queue(struct client_sink *c, const char *line, size_t len);
/* Writes what it can. 0: queue empty (a big buffer is freed, the client
 * caught up); -EAGAIN: more to write; other -errno: the client is gone
 * (EPIPE, ECONNRESET). */
int client_sink_flush(struct client_sink *c);
/* Frees the queue and closes the fd. */
void client_sink_close(struct client_sink *c);

#endif
