/* load: policy files -> parse, check, compile, load, attach; all or nothing. */
#ifndef VETO_LOAD_POLICIES_H
#define VETO_LOAD_POLICIES_H

#include <stddef.h>
#include <stdint.h>

#include "compile/compile.h"
#include "events/meta.h"
#include "load/engine.h"
#include "load/pin.h"
#include "policy/policy.h"

struct policy_set {
	struct pol_set *files;          /* parsed files (own the AST) */
	size_t n_files;
	struct compiled *compiled;      /* by policy id: the id is the index */
	struct ev_policy *meta;         /* by policy id: what its events are written with */
	struct engine_policy **loaded;
	enum pin_how *how;              /* by policy id: adopted, loaded, ... (with pins) */
	const char **file;              /* by policy id: its file (files[].file) */
	size_t n;
};

/* Loads every policy of paths (files, or folders of .yaml and .yml files). Problems
 * go to d (file:line:col) and, for kernel failures, to err. On any error
 * nothing is loaded. host_ns: the agent's namespaces, for host_ns values.
 * ringbuf_fd: the ring buffer policy events go to. walk_every_path: see
 * struct compile_env. pins (NULL: none): each policy's pinned instance is
 * adopted, or it is loaded and pinned (pin_policy); on failure what was
 * pinned before stays. 0 or -errno. */
int policy_set_load(struct policy_set *ps, const char *const *paths, size_t n_paths,
		    const uint32_t host_ns[VN__COUNT], int ringbuf_fd, bool walk_every_path,
		    const struct pin_root *pins, struct diag_list *d, char *err, size_t errlen);
/* Unloads every policy: pinned ones are unpinned, so they end now. */
void policy_set_unload(struct policy_set *ps);
/* Frees the set but leaves the pinned policies in force (--keep-enforcing). */
void policy_set_release(struct policy_set *ps);
/* What all policies lost (see enum veto_lost). */
uint64_t policy_set_lost(const struct policy_set *ps, enum veto_lost what);

#endif
