// SPDX-License-Identifier: GPL-2.0
/* The policy engine. One program per LSM hook of bpf/hooks.def, and numbered
 * slot programs for tracepoints and kprobes, all sharing one matcher:
 * arguments are read into a per-CPU scratch record, each filter dimension of
 * the policy yields a selector mask with one map lookup, and the first
 * selector left decides. A policy is one instance of this object (its own
 * maps, only its own programs loaded), so loading one is all or nothing. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "errno.h"
#include "policy.h"
#include "path.h"
/* in the order the code runs: the state, the arguments read, the caller's
 * own values, the matcher, the actions, the remembered verdicts */
#include "engine_maps.h"
#include "engine_args.h"
#include "engine_caller.h"
#include "engine_match.h"
#include "engine_act.h"
#include "engine_pcache.h"

char LICENSE[] SEC("license") = "GPL";

/* Keep an earlier program's denial (clamped: the verifier wants -errno). */
#define RET_RET(n)                                                                 \
	do {                                                                       \
		__s64 prev = (__s32)ctx[n];                                        \
		if (prev)                                                          \
			return prev < -4095 || prev > 0 ? -EPERM : prev;           \
	} while (0)
#define RET_NORET(n) do { } while (0)
#define TAKE(s, c, i, kind, v) do { if (NEED(c, i)) take_##kind(s, ARG(s, i), v); } while (0)

/* One program per hook: its parameters typed by kind, each needed argument
 * read into the scratch record, then the shared matcher. */
#define HOOK(h, sh, r, n, params, takes)                                           \
	SEC("lsm/" #h) int BPF_PROG(veto_lsm_##sh, params)                         \
	{                                                                          \
		const __u32 hook = VH_##h;                                         \
		struct veto_hook_cfg *c;                                           \
		struct scratch *s;                                                 \
		__u64 seqs = 0, m;                                                 \
		long ret;                                                          \
		RET_##r(n);                                                        \
		if (!(c = hook_cfg(hook)))                                         \
			return 0;                                                  \
		/* the caller first where it can rule every selector out: then \
		 * it costs no remembered verdict's checks either */           \
		s = NULL;                                                          \
		if (c->proc_dims && (!(s = get_scratch()) || !(m = match_caller(s, c, hook)))) \
			return 0;                                                  \
		K##n                                                               \
		if (!s && (!(s = get_scratch()) || !(m = match_caller(s, c, hook)))) \
			return 0;                                                  \
		s->pc_seqs = seqs;                                                 \
		takes                                                              \
		ret = finish(s, c, hook, m);                                       \
		R##n                                                               \
		return ret;                                                        \
	}
#define P1(k0) KT_##k0 a0
#define P2(k0, k1) P1(k0), KT_##k1 a1
#define P3(k0, k1, k2) P2(k0, k1), KT_##k2 a2
#define P4(k0, k1, k2, k3) P3(k0, k1, k2), KT_##k3 a3
#define P5(k0, k1, k2, k3, k4) P4(k0, k1, k2, k3), KT_##k4 a4
#define T1(k0) TAKE(s, c, 0, k0, a0);
#define T2(k0, k1) T1(k0) TAKE(s, c, 1, k1, a1);
#define T3(k0, k1, k2) T2(k0, k1) TAKE(s, c, 2, k2, a2);
#define T4(k0, k1, k2, k3) T3(k0, k1, k2) TAKE(s, c, 3, k3, a3);
#define T5(k0, k1, k2, k3, k4) T4(k0, k1, k2, k3) TAKE(s, c, 4, k4, a4);
#define HOOK1(h, sh, f, r, a) HOOK(h, sh, r, 1, P1(a), T1(a))
#define HOOK2(h, sh, f, r, a, b) HOOK(h, sh, r, 2, P2(a, b), T2(a, b))
#define HOOK3(h, sh, f, r, a, b, c) HOOK(h, sh, r, 3, P3(a, b, c), T3(a, b, c))
#define HOOK4(h, sh, f, r, a, b, c, d) HOOK(h, sh, r, 4, P4(a, b, c, d), T4(a, b, c, d))
#define HOOK5(h, sh, f, r, a, b, c, d, e) HOOK(h, sh, r, 5, P5(a, b, c, d, e), T5(a, b, c, d, e))
#include "hooks.def"

/* Tracepoint and kprobe slots: the same reading and matching, with the
 * arguments found where the policy's rd[] says. The words of a tracepoint's
 * record or raw arguments the policy reads are loaded directly into the
 * scratch record, where a variable index may pick one (the record's first 8
 * bytes are not the program's to load). */
static __always_inline __u8 slot_top(__u32 hook)
{
	return word_top[(hook - VH__COUNT) & (VETO_SLOT_MAX - 1)];
}

static __always_inline void tp_words(struct scratch *s, void *ctx, __u32 hook, enum veto_slot_kind kind)
{
	__u64 *a = ctx;
	__u8 top = slot_top(hook);

#define WORD(k) if (top > k) s->words[k] = a[k]
	if (kind == VK_RAWTP)
		WORD(0);
	WORD(1); WORD(2); WORD(3); WORD(4); WORD(5); WORD(6); WORD(7);
	WORD(8); WORD(9); WORD(10); WORD(11); WORD(12); WORD(13); WORD(14); WORD(15);
#undef WORD
}

/* A record field: a loaded word, or a probe read for the others. */
static __always_inline __u64 tp_word(struct scratch *s, void *ctx, __u32 hook, struct veto_arg_read rd)
{
	__u64 v = 0, k = rd.off >> 3;

	if (!(rd.off & 7) && rd.size == 8 && k && k < slot_top(hook)) {
		barrier_var(k); /* keep the mask: the verifier bounds the index by it */
		return s->words[k & (VETO_TP_WORDS - 1)];
	}
	bpf_probe_read_kernel(&v, rd.size < 8 ? rd.size : 8, (void *)(as_scalar(ctx) + rd.off));
	return v;
}

/* kind is the program's, a constant: each program keeps only its own way of
 * reading (a tracepoint program may not load past its record). */
static __always_inline __u64 slot_word(struct scratch *s, void *ctx, __u32 hook, struct veto_hook_cfg *c,
				       struct veto_arg_read rd, enum veto_slot_kind kind)
{
	if (kind == VK_TRACEPOINT)
		return rd.how == VR_CHARS ? 0 : tp_word(s, ctx, hook, rd);
	if (kind == VK_RAWTP)
		return s->words[rd.off & (VETO_TP_WORDS - 1)];
	if (c->syscall)
		return syscall_arg(as_scalar(ctx), rd.off);
	switch (rd.off) {
	case 0: return PT_REGS_PARM1((struct pt_regs *)ctx);
	case 1: return PT_REGS_PARM2((struct pt_regs *)ctx);
	case 2: return PT_REGS_PARM3((struct pt_regs *)ctx);
	case 3: return PT_REGS_PARM4((struct pt_regs *)ctx);
	case 4: return PT_REGS_PARM5((struct pt_regs *)ctx);
	}
	return 0;
}

static __always_inline int run_slot(void *ctx, __u32 hook, enum veto_slot_kind kind)
{
	struct veto_hook_cfg *c;
	struct scratch *s;
	__u64 m;

	if (!(s = begin(hook, &c)))
		return 0;
	if (!(m = match_caller(s, c, hook)))
		return 0;
	if (kind == VK_TRACEPOINT || kind == VK_RAWTP)
		tp_words(s, ctx, hook, kind);
	for (__u32 i = 0; i < VETO_ARG_MAX; i++) {
		struct veto_arg_read rd = c->rd[i];
		__u64 w;

		if (!NEED(c, i))
			continue;
		w = slot_word(s, ctx, hook, c, rd, kind);
		if (int_arg(&s->ev.args[i], rd, w, c->abi_late))
			continue; /* integers here; strings and kernel objects below */
		if (kind == VK_KPROBE && rd.how == VR_BUF) {
			struct veto_arg_read sz = { .off = rd.size - 1 };

			veto_read_buf(i, w, (__s64)slot_word(s, ctx, hook, c, sz, kind));
			continue;
		}
		if (kind == VK_KPROBE && rd.how == VR_RETBUF) {
			/* the buffer's address, for the return probe */
			s->ev.args[i].num[1] = w;
			continue;
		}
		/* the record's address only for strings inside it */
		veto_read_arg(rd.how == VR_DATALOC || rd.how == VR_CHARS ? as_scalar(ctx) : 0, hook, i, w);
	}
	finish(s, c, hook, m);
	return 0;
}

static __always_inline int run_return(struct pt_regs *ctx, __u32 hook)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid(), m;
	struct veto_policy_event *pe;
	struct veto_hook_cfg *c;
	struct scratch *s;

	if (!(s = begin(hook, &c)))
		return 0;
	pe = bpf_map_lookup_elem(&pending, &pid_tgid);
	if (!pe)
		return 0;
	bpf_probe_read_kernel(&s->ev, sizeof(s->ev), pe);
	bpf_map_delete_elem(&pending, &pid_tgid);
	s->ev.retval = PT_REGS_RC(ctx);
	/* returnCopy: the buffer as the function filled it, as much as it says */
	for (__u32 i = 0; i < VETO_ARG_MAX; i++)
		if (NEED(c, i) && c->rd[i].how == VR_RETBUF)
			veto_read_buf(i, s->ev.args[i].num[1], s->ev.retval);
	m = match(s, c, hook, s->ev.mask, PH_RET);
	if (m)
		act(s, c, hook, m);
	return 0;
}

#define SLOT_PROGS(n)                                                                        \
	SEC("tracepoint") int veto_tp_##n(void *ctx) { return run_slot(ctx, VH__COUNT + n, VK_TRACEPOINT); } \
	SEC("kprobe") int veto_kp_##n(struct pt_regs *ctx) { return run_slot(ctx, VH__COUNT + n, VK_KPROBE); } \
	SEC("kretprobe") int veto_kr_##n(struct pt_regs *ctx) { return run_return(ctx, VH__COUNT + n); } \
	SEC("raw_tp") int veto_rt_##n(void *ctx) { return run_slot(ctx, VH__COUNT + n, VK_RAWTP); }
SLOT_PROGS(0) SLOT_PROGS(1) SLOT_PROGS(2) SLOT_PROGS(3) SLOT_PROGS(4) SLOT_PROGS(5) SLOT_PROGS(6)
SLOT_PROGS(7) SLOT_PROGS(8) SLOT_PROGS(9) SLOT_PROGS(10) SLOT_PROGS(11) SLOT_PROGS(12) SLOT_PROGS(13)
SLOT_PROGS(14) SLOT_PROGS(15)
_Static_assert(VETO_SLOT_MAX == 16, "one SLOT_PROGS line per slot");

/* followChildren, followForks: a new process carries what its parent does;
 * an exec adds the ids of the binary it runs (and keeps the others); the
 * last thread's exit forgets the process. Loaded only for a policy that
 * follows, before its hooks act (the loader fills in the running processes
 * in between). */
static __always_inline void follow_set(__u32 tgid, __u64 ids)
{
	__u32 key = VETO_LOST_FOLLOW;
	__u64 *lost;

	if (!bpf_map_update_elem(&follow, &tgid, &ids, BPF_ANY))
		return;
	lost = bpf_map_lookup_elem(&policy_lost, &key);
	if (lost)
		(*lost)++;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(veto_follow_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 tgid = BPF_CORE_READ(child, tgid);
	__u64 ids;

	if (BPF_CORE_READ(child, pid) != tgid)
		return 0; /* a thread: its process carries the ids */
	ids = follow_ids(parent);
	if (ids)
		follow_set(tgid, ids);
	else
		bpf_map_delete_elem(&follow, &tgid); /* a reused pid's */
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(veto_follow_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct veto_dim bin = { .src = VS_BINARY, .test = VT_STR_LPM };
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct scratch *s = get_scratch();
	__u64 *v, *old, ids;
	bool cut = false;

	if (!s)
		return 0;
	/* the new executable, resolved as matchBinaries resolves the caller's */
	take_exe(s, (void *)bpf_get_current_task(), SLOT_BINARY);
	v = lookup_str(s, VETO_FOLLOW_HOOK, 0, &bin, &cut);
	ids = cut ? VETO_FOLLOW_CUT : v ? *v : 0;
	if (!ids)
		return 0;
	old = bpf_map_lookup_elem(&follow, &tgid);
	follow_set(tgid, ids | (old ? *old : 0));
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(veto_follow_exit, struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);

	if (veto_last_thread(p))
		bpf_map_delete_elem(&follow, &tgid);
	return 0;
}

/* A dentry bound to an inode, maybe at a freed one's address: the inode's
 * remembered path verdicts go (see pc_known). Loaded with them. */
SEC("lsm/d_instantiate")
int BPF_PROG(veto_pcache_inv, struct dentry *dentry, struct inode *inode)
{
	if (inode)
		bpf_inode_storage_delete(&pcache, inode);
	return 0;
}
