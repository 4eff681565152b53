/* compile: a checked policy -> the map entries bpf/engine.bpf.c reads.
 * Pure: no kernel access; what it needs from the node (host namespaces,
 * inode numbers of paths) comes in through struct compile_env. */
#ifndef VETO_COMPILE_H
#define VETO_COMPILE_H

#include <stddef.h>
#include <stdint.h>

#include "bpf/policy.h"
#include "compile/hooks.h"
#include "compile/tpformat.h"
#include "policy/policy.h"

struct compile_env {
	uint32_t host_ns[VN__COUNT]; /* inode numbers of the agent's namespaces */
	/* (device as the kernel encodes it, inode) of a path; 0 or -errno */
	int (*stat_path)(const char *path, uint64_t *dev, uint64_t *ino);
	/* a tracepoint's record layout; 0 or -errno */
	int (*tp_format)(const char *subsys, const char *event, struct tp_format *out);
	/* whether this kernel has an LSM hook: 1, 0, or -errno when unknown */
	int (*hook_in_kernel)(int id);
	/* lint: for another machine; a tracepoint format this one cannot read
	 * leaves its fields unchecked instead of failing */
	bool portable;
	/* agent --walk-every-path: no hook remembers path verdicts (cfg.pcache) */
	bool walk_every_path;
};

struct c_hook {
	uint32_t id;                 /* enum veto_hook_id, or VH__COUNT + slot */
	const struct pol_hook *src;
	const char *name;            /* LSM hook, kernel function or tracepoint event */
	char attach[128];            /* slots: the function or "subsystem/event" to attach to */
	unsigned nargs;              /* argument slots matchArgs may name */
	enum arg_kind kind[VETO_ARG_MAX];
	enum pol_type arg_type[VETO_ARG_MAX]; /* how the policy declared each argument */
	const char *arg_label[VETO_ARG_MAX];
	uint8_t dim_equal[VETO_DIM_MAX]; /* string dimension compares whole values (with the NUL) */
	struct veto_hook_cfg cfg;
};

struct c_str { struct veto_str_key key; uint64_t mask; };
struct c_num {
	struct veto_num_key key;
	uint64_t mask;
	const char *path; /* an inode value: the path it was resolved from */
};
struct c_addr { struct veto_addr_key key; uint64_t mask; };

struct compiled {
	const struct pol_policy *src;
	struct c_hook *hooks;
	size_t n_hooks;
	struct c_str *strs;
	size_t n_strs;
	struct c_num *nums;
	size_t n_nums;
	struct c_addr *addrs;
	size_t n_addrs;
	unsigned n_follow; /* follow ids (followChildren, followForks filters) */
	bool follow_ns_pids; /* a followForks filter compares pids in their namespace */
};

/* Compiles one checked policy. 0, or -EINVAL with errors in d (nothing
 * usable in out), or -ENOMEM. Warnings may be added on success. */
int compile_policy(const struct pol_policy *p, const char *file, const struct compile_env *env,
		   struct compiled *out, struct diag_list *d);
void compiled_free(struct compiled *c);
/* An LSM hook (its own program), not a tracepoint or kprobe slot. */
static inline bool c_hook_is_lsm(const struct c_hook *h)
{
	return h->id < VH__COUNT;
}
/* Whether any hook of c is an LSM hook. */
bool compiled_has_lsm(const struct compiled *c);
/* Whether a hook of c reads the caller's or its parent's executable. */
bool compiled_reads_binaries(const struct compiled *c);
/* The BPF programs a hook runs as (names[1]: its return probe); how many. */
int c_hook_progs(const struct c_hook *h, char names[2][32]);
/* Slots: 1 + the last word of a tracepoint's record (8-byte fields at 8-byte
 * offsets) or raw arguments the hook reads directly; 0 for none. */
uint8_t c_hook_word_top(const struct c_hook *h);
/* "lsm/file_open", "tracepoint/raw_syscalls/sys_enter", "kprobe/tcp_connect" */
const char *c_hook_where(const struct c_hook *h, char *buf, size_t n);
/* The follow ids a process takes from running `path`, and those a process
 * of this pid passes to its descendants (see VETO_FOLLOW_HOOK). */
uint64_t compiled_follow_binary(const struct compiled *c, const char *path);
/* The follow ids a process with this pid (as view sees it) passes on. */
uint64_t compiled_follow_pid(const struct compiled *c, uint32_t pid, enum veto_pid_view view);
/* The node's own environment: stat(2), and the host namespaces given. */
void compile_env_host(struct compile_env *env, const uint32_t host_ns[VN__COUNT]);
/* For lint: no host namespaces or files, this machine's tracepoint formats
 * where it can read them. */
void compile_env_portable(struct compile_env *env);
/* Where an argument of type t can be read (arg_slots.c): on kprobes and
 * tracepoints, on kprobes only (a char_buf, sized by another argument or
 * the return value), or neither. */
enum type_readers { TR_NONE, TR_KPROBES, TR_BOTH };
enum type_readers compile_type_readable(enum pol_type t);

#endif
