/* The one ring buffer: the process sensor and every policy program write
 * their records to this map (they reuse its fd), so one reader sees them all
 * in the order they happened. Also where losses are counted: the writers
 * count what did not fit, the ring keeps the totals and what was reported. */
#ifndef VETO_EVENTS_RING_H
#define VETO_EVENTS_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/objfd.h"

#define EV_RING_DEFAULT_BYTES (8u << 20)

/* What was lost, by whom it was counted. */
enum ev_lost {
	EVL_PROCESS,      /* process records (exec, exit, fork) */
	EVL_PROCESS_EXEC, /* of which exec */
	EVL_PROCESS_EXIT, /* of which exit */
	EVL_POLICY,       /* policy events (the kernel still enforced) */
	EVL_FOLLOW,       /* processes not followed (followChildren/followForks map full) */
	EVL__COUNT,
};

struct ev_ring;

/* Called once per record; the record is valid during the call only. */
typedef void (*ev_ring_cb)(void *ctx, const void *data, size_t len);

/* Creates the map (bytes: a power of two >= 4096; 0: the default) and its
 * reader. pin (NULL: none): a BPF file system path; the map pinned there is
 * used when it has that size (what was written to it while no agent read
 * is then read), else a new one is made and pinned there. 0 or -errno. */
int ev_ring_open(struct ev_ring **out, size_t bytes, const char *pin, ev_ring_cb cb, void *ctx);
/* The map was the one pinned, not a new one. */
bool ev_ring_reused(const struct ev_ring *r);
/* The map: writers reuse it (bpf_map__reuse_fd before their load). */
int ev_ring_map_fd(const struct ev_ring *r);
/* File descriptor to poll for readiness (epoll). */
int ev_ring_poll_fd(const struct ev_ring *r);
/* Reads the records that are ready, max at most (0: no limit). Returns
 * the number read or -errno. */
int ev_ring_drain(struct ev_ring *r, uint64_t max);
/* The last drain stopped at its max: more may be waiting. */
bool ev_ring_more(const struct ev_ring *r);
/* Records read since the start. */
uint64_t ev_ring_records(const struct ev_ring *r);
void ev_ring_close(struct ev_ring *r);
/* The map's fd, for whoever needs every BPF fd (the guard protects it). */
int ev_ring_each_fd(const struct ev_ring *r, objfd_fn fn, void *ctx);

/* A writer's count of what it lost (a total, it only grows). */
void ev_ring_set_lost(struct ev_ring *r, enum ev_lost what, uint64_t total);
uint64_t ev_ring_lost(const struct ev_ring *r, enum ev_lost what);
/* Lost since the last call for what; from then on counted as reported. */
uint64_t ev_ring_lost_new(struct ev_ring *r, enum ev_lost what);
/* What ev_ring_lost_new reported so far. */
uint64_t ev_ring_lost_reported(const struct ev_ring *r, enum ev_lost what);

#endif
