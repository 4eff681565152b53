/* Part of bpf/engine.bpf.c: its tunables (set by the loader), maps and
 * per-CPU scratch record, the state its programs share. Defines them:
 * included by engine.bpf.c only, after vmlinux.h and libbpf's headers. */
#ifndef VETO_BPF_ENGINE_MAPS_H
#define VETO_BPF_ENGINE_MAPS_H

#include "policy.h"
#include "path.h"

const volatile __u32 policy_id;
/* Per slot, 1 + the last word of a tracepoint's arguments (raw) or record
 * (8-byte fields at 8-byte offsets) the policy reads, set at load: the
 * verifier then sees only those direct loads, and attach accepts them (it
 * refuses a program that may load past the event's arguments or record). */
const volatile __u8 word_top[VETO_SLOT_MAX];
/* a followForks filter compares pids in their own namespace (isNamespacePID) */
const volatile bool follow_ns_pids;
/* the key of veto_pcache.check, random per policy: set by the loader */
const volatile __u64 pcache_key;

/* The kernel's sequence counts of renames and of mount tree changes: a
 * remembered path holds while neither moved. Weak: absent, nothing is
 * remembered. */
extern const void rename_lock __ksym __weak;
extern const void mount_lock __ksym __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VETO_HOOK_MAX);
	__type(key, __u32);
	__type(value, struct veto_hook_cfg);
} cfg SEC(".maps");

/* Sized by the loader to the policy's values (at least 1). */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct veto_str_key);
	__type(value, __u64);
} str_lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct veto_num_key);
	__type(value, __u64);
} num_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct veto_addr_key);
	__type(value, __u64);
} addr_lpm SEC(".maps");

/* When each rate-limited selector last posted, per thread, process or all. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct veto_rate_key);
	__type(value, __u64);
} rate SEC(".maps");

/* A return probe's entry half: the matched call, by thread, until it returns. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct veto_policy_event);
} pending SEC(".maps");

/* Shared with every policy instance by the loader (bpf_map__reuse_fd). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} policy_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} policy_lost SEC(".maps"); /* by enum veto_lost */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VETO_STAT__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} policy_stats SEC(".maps"); /* by enum veto_stat */

/* tgid -> the follow ids it carries (see VETO_FOLLOW_HOOK), for processes
 * that carry any; sized by the loader for a policy that follows. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, __u64);
} follow SEC(".maps");

/* tgid -> its executable's path as matchBinaries compares it, walked once
 * per exec: valid while the process's exec count (self_exec_id) and
 * executable (mm->exe_file) are those it was walked for. Sized by the
 * loader for a policy that matches binaries; least recently used goes. */
struct veto_bin {
	__u64 exec_id;
	__u64 exe;
	__u16 len, flags;
	__u32 pad;
	char str[VETO_STR_BUF];
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct veto_bin);
} bins SEC(".maps");

/* Path verdicts by inode (struct veto_pcache); created for a policy with
 * an LSM hook (their programs refer to it), used where cfg.pcache says. */
struct {
	__uint(type, BPF_MAP_TYPE_INODE_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct veto_pcache);
} pcache SEC(".maps");

/* Inodes whose path was walked once, by a hash of their device and number:
 * a verdict is remembered at the second walk, so a file opened once costs
 * neither inode storage nor the reads of the counts. Racy by design: a lost
 * or overwritten slot only delays remembering, a collision hastens it. */
#define PC_SEEN 4096
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PC_SEEN);
	__type(key, __u32);
	__type(value, __u64);
} pc_seen SEC(".maps");

struct scratch {
	struct veto_policy_event ev;
	struct veto_str_key key;
	struct veto_addr_key akey;
	struct veto_num_key nkey;
	__u64 words[VETO_TP_WORDS]; /* a tracepoint's record or raw arguments (tp_words) */
	__u64 hits;
	struct veto_ev_arg parent; /* the parent's executable: matched, not sent */
	__u64 dhits[VETO_DIM_MAX]; /* each dimension's mask, where match() got to it */
	__u32 dseen;
	__u64 pc_seqs; /* see pc_read_seqs; 0: no verdict may be remembered */
	__u64 pc_word; /* see pc_scalar */
	struct veto_walk walk;
	char pbuf[VETO_WALK_BUF]; /* the path being walked (bpf/path.h) */
	/* a path's last VETO_STR_BUF bytes, where str holds only its start: per
	 * argument, then the binary and the parent's (Postfix reads them) */
	char tails[8][VETO_STR_BUF];
	struct veto_bin bin; /* an entry of bins, being made */
	/* each path argument's dentry, for its mode once an event is sent */
	__u64 dent[8];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

#define BUFM (VETO_STR_BUF - 1)

#define SLOT_BINARY VETO_ARG_MAX
#define SLOT_PARENT (VETO_ARG_MAX + 1)
_Static_assert(SLOT_PARENT < 8, "a row of tails[] for each slot");
_Static_assert(VETO_DIM_MAX <= 32, "a bit of dseen for each dimension");

static __always_inline struct scratch *get_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch, &zero);
}

#endif
