/* load: one compiled policy -> one instance of bpf/engine.bpf.c, all or nothing. */
#ifndef VETO_LOAD_ENGINE_H
#define VETO_LOAD_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compile/compile.h"
#include "util/objfd.h"

struct engine_policy;

/* Loads, fills and attaches. events_fd: the ring buffer policy events go to
 * (-1: the instance's own, which nobody reads: for tests that only load). On
 * failure nothing stays loaded or attached, and why is in err. 0 or -errno. */
int engine_policy_load(const struct compiled *c, uint32_t id, int events_fd, struct engine_policy **out,
		    char *err, size_t errlen);
/* Detaches and frees p; a pinned instance's pins are removed first (when
 * they are still its own: see engine_policy_owns_pins). */
void engine_policy_unload(struct engine_policy *p);

/* One of an instance's own BPF objects: a map or a loaded program. */
struct engine_obj {
	int fd;
	bool prog;
	const char *name;
};

/* The instance's own maps and loaded programs (not the ring buffer it
 * shares), at most max into out; how many. For its kernel memory and its
 * programs' statistics. */
size_t engine_policy_objs(const struct engine_policy *p, struct engine_obj *out, size_t max);

/* Counted by the kernel programs (enum veto_lost), summed over CPUs. */
uint64_t engine_policy_lost(const struct engine_policy *p, enum veto_lost what);

/* Pinning (src/load/pin.c decides when): the instance outlives the agent.
 * Pins p's links ("link_NN") and maps ("map_NAME") in dir, a folder that
 * exists; from then on engine_policy_unload removes dir. 0 or -errno (some
 * may be pinned: the caller removes dir). */
int engine_policy_pin(struct engine_policy *p, const char *dir, char *err, size_t errlen);
/* Reopens an instance pinned in dir by engine_policy_pin, compiled from c
 * (the caller checked: same object, same policy but maybe its mode, which
 * is then set from c) with the policy id id: counters, maps and links as
 * they are, its events to the ring buffer events_fd (-ESTALE when they go
 * to another). Unload unpins and detaches it. On failure the pins stay. */
int engine_policy_adopt(const struct compiled *c, uint32_t id, const char *dir, int events_fd,
			struct engine_policy **out, char *err, size_t errlen);
/* Closes p but leaves what is pinned in force (agent --keep-enforcing). */
void engine_policy_release(struct engine_policy *p);
/* Where p is pinned, or NULL; its pins were moved to dir (NULL: forget them). */
const char *engine_policy_dir(const struct engine_policy *p);
int engine_policy_moved(struct engine_policy *p, const char *dir);
bool engine_policy_adopted(const struct engine_policy *p);
/* The folder p was pinned in still holds p's links, not those of an
 * instance pinned there since (a replacement). */
bool engine_policy_owns_pins(const struct engine_policy *p);
/* Tetragon's NPOST, NENFORCE, NMONITOR (enum veto_stat), summed over CPUs.
 * 0 or -errno. */
int engine_policy_stats(const struct engine_policy *p, uint64_t out[VETO_STAT__COUNT]);
/* Rewrites each hook's monitor flag; c: the policy as loaded. On failure
 * every hook is back to c's mode. 0 or -errno. */
int engine_policy_set_mode(struct engine_policy *p, const struct compiled *c, bool monitor);
/* Bytes the kernel charges for the instance's maps and programs (memlock). */
uint64_t engine_policy_memlock(const struct engine_policy *p);
/* Every map, program and link fd of the instance (the guard protects them). */
int engine_policy_each_fd(const struct engine_policy *p, objfd_fn fn, void *ctx);

#endif
