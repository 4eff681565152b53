/* load: one compiled policy -> one instance of bpf/engine.bpf.c, all or nothing. */
#ifndef VETO_LOAD_ENGINE_H
#define VETO_LOAD_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compile/compile.h"

struct engine_policy;

/* Loads, fills and attaches. events_fd: the ring buffer policy events go to
 * (-1: the instance's own, which nobody reads: for tests that only load). On
 * failure nothing stays loaded or attached, and why is in err. 0 or -errno. */
int engine_policy_load(const struct compiled *c, uint32_t id, int events_fd, struct engine_policy **out,
		    char *err, size_t errlen);
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

#endif
