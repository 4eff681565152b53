/* decode -> process cache -> events: what the agent does with each raw
 * record, without any I/O (the benchmark and the tests drive it directly). */
#ifndef VETO_EVENTS_PIPELINE_H
#define VETO_EVENTS_PIPELINE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "events/cache.h"
#include "events/decode.h"
#include "events/encode.h"

typedef void (*pipeline_emit_fn)(void *ctx, const struct ev *e);

struct pipeline {
	struct proc_cache *cache;
	struct enc_ctx enc;
	struct proc_decoded *dec;
	struct pol_decoded *pol; /* the policy record being handled */
	pipeline_emit_fn emit;
	void *emit_ctx;
	int64_t mono_to_wall;
	uint64_t records;
	uint64_t events[EV__COUNT];
	uint64_t forks;
	uint64_t bad_records; /* failed validation: counted, never silent */
	uint64_t oom;
	/* loaded policies, by policy id (bpf/policy.h events name them by id) */
	const struct ev_policy *policies;
	size_t n_policies;
};

/* node: node name for exec_id and node_name. Returns 0 or -errno. */
int pipeline_init(struct pipeline *p, const char *node, pipeline_emit_fn emit, void *ctx);
void pipeline_fini(struct pipeline *p);
/* Reads the clocks (wall vs monotonic and boot time) and pid 1's namespaces. */
void pipeline_set_host(struct pipeline *p);
/* The host's namespace inode numbers (pid 1's, or the kernel's initial ones). */
void pipeline_host_ns(uint32_t ns[VN__COUNT]);
/* Where policy events find their policy's name and argument types. */
void pipeline_set_policies(struct pipeline *p, const struct ev_policy *v, size_t n);
/* Retires the entries whose exit was lost (their pid is gone, exists() says)
 * and frees what is due. drain(ctx) must read every queued record: it runs
 * between finding a pid gone and retiring its entry, so that an exit still
 * queued is exported with its process. */
void pipeline_sweep(struct pipeline *p, uint64_t now, bool (*exists)(uint32_t pid, void *ctx),
		    void (*drain)(void *ctx), void *ctx);
/* One process_exec event (flags "procFS") for each process learned from
 * /proc, parents first, as Tetragon announces what ran before it; flush(ctx)
 * every PIPELINE_PROCFS_BATCH events, so that what waits to be written stays
 * bounded. Returns the number of events, or -ENOMEM. */
#define PIPELINE_PROCFS_BATCH 256
ssize_t pipeline_announce_procfs(struct pipeline *p, void (*flush)(void *ctx), void *ctx);
/* One raw ring buffer record. Returns 0 or -errno (also counted). */
int pipeline_push(struct pipeline *p, const void *data, size_t len);

#endif
