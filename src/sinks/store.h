/* The store's sink (--store PATH): each event's JSON line (with the "veto"
 * key) is copied into a queue bounded in bytes and the agent goes on; the
 * sink's own thread writes the queue into the store (src/store) in batches,
 * one transaction each, and applies retention between them. A full queue
 * drops the line (counted); a full disk pauses the writes, keeps the batch
 * and retries it until there is room. */
#ifndef VETO_SINKS_STORE_H
#define VETO_SINKS_STORE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "sinks/sink.h"

#define STORE_QUEUE_DEFAULT (64ull << 20) /* bytes of lines waiting at most */

struct store;

struct store_sink_opts {
	const char *path;
	uint64_t queue_bytes;  /* 0: STORE_QUEUE_DEFAULT */
	uint64_t max_age_ns;   /* retention by age (0: none) */
	uint64_t max_bytes;    /* retention by size (0: none) */
};

/* What the sink counted: st as every sink (queued, written = rows stored,
 * dropped = queue full, failed = refused lines or batches lost to an
 * error), and the store's own. */
struct store_sink_stats {
	struct sink_stats st;
	uint64_t full_pauses;       /* times a full disk paused the writes */
	uint64_t retention_events;  /* events retention deleted */
	uint64_t retention_processes;
	uint64_t file_bytes;        /* the database file (its pages), after the last batch */
	uint64_t queue_bytes;       /* waiting in the queue now */
	bool paused;                /* the disk is full now */
};

struct store_buf {
	char *p;
	size_t len, cap, lines;
};

struct store_sink {
	struct sink s;
	struct store_sink_opts o;
	struct store *db;
	pthread_t thread;
	bool started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* under mu: what the agent adds, what the writer counted */
	struct store_buf in;
	bool stop;
	struct store_sink_stats stats;
	/* the writer's alone */
	struct store_buf out;
	uint64_t retain_at;         /* mono_ns of the next retention step */
	int last_err;               /* logged once until it changes */
	uint64_t logged_at;
};

/* Opens (creating) the store; err says why it could not. 0 or -errno. */
int store_sink_open(struct store_sink *x, const struct store_sink_opts *o, char *err, size_t errlen);
/* Starts the writer. 0 or -errno. */
int store_sink_start(struct store_sink *x);
/* Writes what is queued, stops the writer, closes the store. */
void store_sink_close(struct store_sink *x);
void store_sink_stats(struct store_sink *x, struct store_sink_stats *out);

#endif
