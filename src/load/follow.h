/* followChildren, followForks: the processes already running when a policy
 * loads carry follow ids too (bpf/policy.h, VETO_FOLLOW_HOOK). Its kernel
 * programs keep the map from then on. */
#ifndef VETO_LOAD_FOLLOW_H
#define VETO_LOAD_FOLLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compile/compile.h"

struct follow_proc {
	uint32_t pid, ppid;
	char *exe;      /* NULL: none (a kernel thread), or unreadable */
	uint32_t nspid; /* the pid in its own pid namespace; 0: unknown */
};

/* The follow map, by tgid (0: carries nothing). */
struct follow_map {
	uint64_t (*get)(void *ctx, uint32_t tgid);
	int (*set)(void *ctx, uint32_t tgid, uint64_t ids); /* 0 or -errno */
	void *ctx;
};

/* One pass, parents before children: each process carries what it did, what
 * its parent carries, the ids its parent's pid (host or namespace) passes on
 * and those of its binary. Reorders procs. How many processes gained ids, or -errno. */
long follow_pass(const struct compiled *c, struct follow_proc *procs, size_t n, const struct follow_map *m);

/* The running processes, from a proc file system, with their namespace pids
 * when nspid (a status file each). 0 or -errno. */
int follow_procs_read(const char *proc, bool nspid, struct follow_proc **out, size_t *n);
void follow_procs_free(struct follow_proc *p, size_t n);

/* Passes over /proc until one changes nothing (processes fork while it
 * reads; the kernel programs must be attached first). 0 or -errno. */
int follow_prefill(const struct compiled *c, const struct follow_map *m);

#endif
