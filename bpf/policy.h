/* Shared by bpf/engine.bpf.c and src/compile, src/load: the compiled form of a
 * policy as the kernel reads it. No kernel types here.
 *
 * Matching: each selector of a hook is one bit. Each filter dimension (one
 * argument + operator, the binary, a namespace, ...) yields the mask of the
 * selectors it satisfies with one map lookup; selectors without that filter
 * are "don't care" for it. The masks are ANDed; the lowest bit left is the
 * selector that fires (selectors are ORed, first match wins). */
#ifndef VETO_BPF_POLICY_H
#define VETO_BPF_POLICY_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#include "ns.h"

#define VETO_SEL_MAX  64  /* selectors per hook: bits of a __u64 */
#define VETO_DIM_MAX  16  /* filter dimensions per hook */
#define VETO_ARG_MAX  5   /* hook arguments */
/* Strings are compared in LPM-trie keys, whose data the kernel caps at 256
 * bytes: 2 for hook and dimension, 254 for the string (and its NUL for Equal). */
#define VETO_STR_MAX  254
#define VETO_STR_BUF  256 /* power of two: offsets are masked with it - 1 */

enum veto_hook_id {
#define HOOK1(h, s, f, r, a) VH_##h,
#define HOOK2(h, s, f, r, a, b) VH_##h,
#define HOOK3(h, s, f, r, a, b, c) VH_##h,
#define HOOK4(h, s, f, r, a, b, c, d) VH_##h,
#define HOOK5(h, s, f, r, a, b, c, d, e) VH_##h,
#include "hooks.def"
#undef HOOK1
#undef HOOK2
#undef HOOK3
#undef HOOK4
#undef HOOK5
	VH__COUNT,
};

/* Tracepoints and kprobes take numbered slots after the LSM hooks: each slot
 * is its own program, so it knows which configuration is its own. */
#define VETO_SLOT_MAX 16
#define VETO_HOOK_MAX (VH__COUNT + VETO_SLOT_MAX)
/* Words of a tracepoint's record or raw arguments a slot program loads
 * directly (see word_top); a power of two: indexes are masked with it - 1. */
#define VETO_TP_WORDS 16

/* What a dimension looks at. */
enum veto_src {
	VS_ARG,     /* argument `arg` of the hook */
	VS_BINARY,  /* the calling process's executable path */
	VS_NS,      /* namespace inode `arg` (enum veto_ns) of the caller */
	VS_PID,     /* the caller's tgid: arg is enum veto_pid_view */
	VS_CAP_EFF, /* the caller's effective capabilities */
	VS_CAP_PRM,
	VS_CAP_INH,
	VS_RET,     /* a kprobe's return value (matchReturnArgs) */
	VS_PARENT_BINARY, /* the executable path of the caller's parent (real_parent) */
	VS_FOLLOW,  /* the follow ids the caller (arg 0) or its parent (arg 1) carries */
};

/* Which number of the caller a VS_PID dimension compares. */
enum veto_pid_view {
	VP_HOST, /* as the host sees it */
	VP_NS,   /* in the caller's own pid namespace (isNamespacePID) */
};

/* followChildren (matchBinaries, matchParentBinaries) and followForks
 * (matchPIDs): each such filter of a policy is a follow id, one bit. A
 * process carries the ids of the binaries it ran, of its pid, and those of
 * its parent when it was forked (the follow map, per tgid). The binaries are
 * Equal keys of str_lpm and the pids keys of num_hash under this pseudo-hook,
 * with follow ids as their masks. */
#define VETO_FOLLOW_HOOK 255

/* Keys of the policy_lost counters, summed over CPUs by the loader. */
enum veto_lost {
	VETO_LOST_EVENTS, /* events not sent: ring buffer full */
	VETO_LOST_FOLLOW, /* processes not followed: follow map full */
};

/* Keys of the policy_stats counters (Tetragon's NPOST, NENFORCE, NMONITOR),
 * summed over CPUs by the loader. */
enum veto_stat {
	VETO_STAT_POST,    /* events posted to the ring */
	VETO_STAT_ENFORCE, /* operations denied or callers killed */
	VETO_STAT_MONITOR, /* operations monitor mode let through that enforce would stop */
	VETO_STAT__COUNT,
};
#define VETO_FOLLOW_MAX  63
/* Carried by a process that ran a binary whose path could not be resolved
 * whole: its followChildren binary filters are undecided. */
#define VETO_FOLLOW_CUT  (1ull << 63)
#define VETO_FOLLOW_PROCS 65536 /* processes a policy can follow at once */
#define VETO_BIN_PROCS    4096  /* processes whose executable's path a policy keeps */

/* How a dimension decides. */
enum veto_test {
	VT_STR_LPM,   /* string in str_lpm (Equal keeps the NUL, Prefix does not) */
	VT_STR_RLPM,  /* reversed string in str_lpm (Postfix) */
	VT_NUM_HASH,  /* 16-byte value in num_hash (ints, (dev, inode), ns, pids) */
	VT_ADDR_LPM,  /* socket address in addr_lpm (SAddr/DAddr CIDRs) */
	VT_GT,        /* per-selector threshold: value > num[sel] */
	VT_LT,
	VT_SGT,       /* the same, for signed values */
	VT_SLT,
	VT_EQ,        /* value == num[sel]: one value per selector, no hash lookup */
	VT_MASK,      /* value & num[sel] != 0 */
	VT_CAPS,      /* caps & num[sel] != 0 (In), handled like VT_MASK */
};

/* Which field of an argument a dimension reads. */
enum veto_field {
	VF_VALUE,   /* the integer, path or string */
	VF_INODE,   /* (device, inode) of a file-like argument */
	VF_FAMILY,
	VF_PROTO,
	VF_SPORT,
	VF_DPORT,
	VF_SADDR,
	VF_DADDR,
	VF_FOLLOW_BIN, /* VS_FOLLOW: the ids of binaries (followChildren), not pids */
};

/* Where a slot hook finds an argument and how it reads it. */
enum veto_read {
	VR_NONE,
	VR_SINT,      /* integer of `size` bytes, sign-extended */
	VR_UINT,
	VR_SYSCALL64, /* syscall number; VETO_SYSCALL_IA32 set when the caller is 32-bit */
	VR_USTR,      /* pointer to a NUL-terminated user string */
	VR_KSTR,      /* pointer to a kernel string */
	VR_DATALOC,   /* __data_loc: string at the offset the low 16 bits give */
	VR_CHARS,     /* char[size] inside the record */
	/* kernel pointers, read like the LSM hooks' arguments */
	VR_FILE, VR_PATH, VR_DENTRY, VR_INODE, VR_BINPRM, VR_SOCKET, VR_SOCK, VR_SOCKADDR, VR_CRED,
	VR_TASK,
	/* char_buf of a kprobe: bytes at a pointer, as many as argument size - 1
	 * says (sizeArgIndex, 1-based), or (VR_RETBUF, returnCopy) as the
	 * function returns, read then */
	VR_BUF, VR_RETBUF,
};

/* The bit that tags a 32-bit caller's syscall numbers (VR_SYSCALL64). */
#define VETO_SYSCALL_IA32 0x80000000u

enum veto_slot_kind { VK_LSM, VK_TRACEPOINT, VK_KPROBE, VK_RAWTP };

struct veto_arg_read {
	__u16 off;  /* tracepoint: byte offset in the record; kprobe: argument register;
		     * raw tracepoint: argument index */
	__u8 size;
	__u8 how;   /* enum veto_read */
};

struct veto_dim {
	__u8 src;     /* enum veto_src */
	__u8 test;    /* enum veto_test */
	__u8 arg;     /* argument index, or enum veto_ns */
	__u8 field;   /* enum veto_field */
	__u8 negate;  /* Not operators: a hit clears the bits instead */
	__u8 pad[3];
	__u64 care;   /* selectors that have this filter */
};

/* What a selector does when it fires (several actions combine). */
#define VA_POST     (1u << 0) /* send an event */
#define VA_SIGKILL  (1u << 1)
#define VA_SIGNAL   (1u << 2) /* send `sig` */
#define VA_OVERRIDE (1u << 3) /* deny with `err` */
#define VA_RATE_PROCESS (1u << 8) /* rate_sec counts per process, */
#define VA_RATE_GLOBAL  (1u << 9) /* or for everyone (default: per thread) */

struct veto_sel_action {
	__u32 flags;    /* VA_* */
	__s32 err;      /* negative errno returned by the hook when denying */
	__u32 sig;
	__u32 rate_sec; /* Post at most once per this many seconds (0: always) */
};

/* rate map key: who last posted for a selector */
struct veto_rate_key {
	__u8 hook;
	__u8 selector;
	__u8 pad[2];
	__u32 id; /* tid, tgid or 0 by scope */
};

/* One per hook the policy uses: cfg map, key = enum veto_hook_id. */
struct veto_hook_cfg {
	__u32 n_dims;
	__u32 monitor;    /* policy-mode: monitor: act on nothing, report what would happen */
	__u32 kprobe;     /* written as kprobes: events say process_kprobe */
	__u32 need_args;  /* bit i: argument i is read (its path resolved, ...) */
	__u32 need_binary;
	__u8 slot_kind;   /* enum veto_slot_kind */
	__u8 syscall;     /* kprobe on a syscall wrapper: arguments in the pt_regs it is given */
	__u8 ret_probe;   /* return: true: post from the return probe, with the value */
	__u8 need_parent; /* the parent's executable is read (matchParentBinaries) */
	__u8 abi_late;    /* syscall64 numbers tagged for 32-bit callers only after a match */
	__u8 pcache;      /* 1 + the file argument whose path alone can rule out every
			   * selector: that verdict is remembered per inode (veto_pcache) */
	__u8 proc_dims;   /* a dimension looks at the caller, not the call: matched first */
	__u8 pad;
	struct veto_arg_read rd[VETO_ARG_MAX]; /* slot hooks only */
	__u64 all;        /* bits of the selectors that exist */
	/* selectors that deny or kill: there a path filter that cannot be
	 * decided (the path is cut, VETO_ARG_CUT) counts as satisfied */
	__u64 undecided;
	struct veto_dim dims[VETO_DIM_MAX];
	struct veto_sel_action act[VETO_SEL_MAX];
	__u64 num[VETO_DIM_MAX][VETO_SEL_MAX]; /* thresholds for VT_GT/LT/MASK/CAPS */
};

/* str_lpm key: prefixlen counts bits of hook, dim and the string. */
struct veto_str_key {
	__u32 prefixlen;
	__u8 hook;
	__u8 dim;
	char s[VETO_STR_MAX];
};

struct veto_num_key {
	__u8 hook;
	__u8 dim;
	__u8 pad[6];
	__u64 a, b;
};

struct veto_addr_key {
	__u32 prefixlen; /* 16 bits of hook and dim + address bits */
	__u8 hook;
	__u8 dim;
	__u8 addr[16];   /* IPv4 in the first four bytes */
};

/* Shared by the kernel's matcher (bpf/engine_match.h) and the simulator
 * (src/simulate/eval.c), so both decide alike: a threshold dimension's test
 * of value x against one selector's t, */
static inline int veto_threshold_ok(__u8 test, __u64 x, __u64 t)
{
	if (test == VT_EQ)
		return x == t;
	if (test == VT_GT)
		return x > t;
	if (test == VT_LT)
		return x < t;
	if (test == VT_SGT)
		return (__s64)x > (__s64)t;
	if (test == VT_SLT)
		return (__s64)x < (__s64)t;
	return (x & t) != 0;
}

/* and the selectors m still matching after a dimension's hits: a selector
 * without its filter keeps its bit. */
static inline __u64 veto_apply_dim(__u64 m, __u8 negate, __u64 care, __u64 hits)
{
	return negate ? m & ~(hits & care) : m & (hits | ~care);
}

/* Whether dimension dm compares argument i's path (its string). */
static inline int veto_dim_on_path(const struct veto_dim *dm, unsigned i)
{
	return dm->src == VS_ARG && dm->arg == i && dm->field == VF_VALUE &&
	       (dm->test == VT_STR_LPM || dm->test == VT_STR_RLPM);
}

/* A path's verdict, remembered on its inode (inode storage): the dentry
 * and mount it was walked from, the kernel's rename and mount sequence
 * counts at the walk, and the hooks whose selectors that path rules out.
 * check is a keyed hash of the rest: an entry torn by two writers, or read
 * while written, does not check and is walked again. */
struct veto_pcache {
	__u64 dentry, mnt;
	__u64 seqs;  /* rename_lock << 32 | mount_lock */
	__u64 hooks; /* bit per enum veto_hook_id */
	__u64 check;
};

/* Ring buffer records. */
#define VETO_EV_POLICY 16 /* distinct from the process sensor's types */

#define VETO_ARG_TRUNC  (1u << 0) /* str holds the start of a longer path or string */
#define VETO_ARG_NOPATH (1u << 1) /* the path could not be read */
#define VETO_ARG_CUT    (1u << 2) /* the path is not whole (its root end is missing):
				   * str is the leaf end, its path filters undecided */

struct veto_ev_arg {
	__u64 num[2];     /* int value, or (dev, ino) */
	__u16 family, sport, dport, proto;
	__u8 saddr[16], daddr[16];
	__u16 len;        /* bytes of str used, without NUL */
	__u16 flags;      /* VETO_ARG_* */
	__u16 mode;       /* file, path, binprm: the inode's i_mode (0: none) */
	__u8 type, state; /* sock: sk_type, and skc_state */
	char str[VETO_STR_BUF]; /* a path, a string, or a char_buf's bytes (len of them) */
};

struct veto_policy_event {
	__u32 type;       /* VETO_EV_POLICY */
	__u32 size;
	__u64 ktime;
	__u32 policy_id;
	__u8 hook;        /* enum veto_hook_id */
	__u8 selector;
	__u8 monitor;
	__u8 kprobe;
	__u32 action;     /* VA_* of the selector */
	__s32 ret;        /* what the hook returned (0 allowed, -errno denied) */
	__u32 pid, tid;
	__u32 uid, pad;
	__s64 retval;      /* a kprobe's return value (ret_probe) */
	__u64 mask;        /* selectors still matching (a return probe's entry half) */
	__u64 start_ktime; /* the process's start (monotonic), to find it in the cache */
	__u64 cgroup_id;
	char comm[16];
	__u16 bin_len;
	__u16 bin_flags;
	__u32 pad2;
	char binary[VETO_STR_BUF];
	struct veto_ev_arg args[VETO_ARG_MAX];
};

#endif
