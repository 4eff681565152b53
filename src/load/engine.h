/* load: one compiled policy -> one instance of bpf/engine.bpf.c, all or nothing. */
#ifndef VETO_LOAD_ENGINE_H
#define VETO_LOAD_ENGINE_H

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
void engine_policy_unload(struct engine_policy *p);

/* Counted by the kernel programs (enum veto_lost), summed over CPUs. */
uint64_t engine_policy_lost(const struct engine_policy *p, enum veto_lost what);

/* Every map, program and link fd of the instance (the guard protects them). */
int engine_policy_each_fd(const struct engine_policy *p, objfd_fn fn, void *ctx);

#endif
