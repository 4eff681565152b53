/* Part of bpf/engine.bpf.c: what a matched selector does (deny, kill or
 * signal) and the event it posts (rate-limited, or held for a return probe). */
#ifndef VETO_BPF_ENGINE_ACT_H
#define VETO_BPF_ENGINE_ACT_H

#include "errno.h"
#include "engine_match.h"

static __always_inline __u32 lowest_bit(__u64 m)
{
	__u32 n = 0;

	if (!(m & 0xffffffffull)) { n += 32; m >>= 32; }
	if (!(m & 0xffff)) { n += 16; m >>= 16; }
	if (!(m & 0xff)) { n += 8; m >>= 8; }
	if (!(m & 0xf)) { n += 4; m >>= 4; }
	if (!(m & 0x3)) { n += 2; m >>= 2; }
	if (!(m & 0x1)) { n += 1; }
	return n;
}

/* Who called, into the event record. */
static __always_inline void who(struct scratch *s, struct veto_hook_cfg *c, __u8 hook)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	s->ev.type = VETO_EV_POLICY;
	s->ev.size = sizeof(s->ev);
	s->ev.ktime = bpf_ktime_get_ns();
	s->ev.policy_id = policy_id;
	s->ev.hook = hook;
	s->ev.monitor = c->monitor;
	s->ev.kprobe = c->kprobe;
	s->ev.pid = pid_tgid >> 32;
	s->ev.tid = (__u32)pid_tgid;
	s->ev.uid = (__u32)bpf_get_current_uid_gid();
	s->ev.start_ktime = BPF_CORE_READ(task, group_leader, start_time);
	s->ev.cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(s->ev.comm, sizeof(s->ev.comm));
	/* path arguments' permission: two reads each, paid by events only */
	for (__u32 i = 0; i < VETO_ARG_MAX; i++) {
		/* a plain load first: inside BPF_CORE_READ it would be relocated too */
		struct dentry *d = (void *)s->dent[i];

		if (!d)
			continue;
		s->ev.args[i].mode = BPF_CORE_READ(d, d_inode, i_mode);
		s->dent[i] = 0;
	}
	if (!c->need_binary) {
		s->ev.bin_len = 0;
		s->ev.bin_flags = VETO_ARG_NOPATH;
	}
}

static __always_inline void count(__u32 key)
{
	__u64 *n = bpf_map_lookup_elem(&policy_stats, &key);

	if (n)
		(*n)++;
}

/* What the first selector left in m does. 64-bit and sign-extended: newer
 * verifiers check the whole register is -errno. */
static __always_inline long act(struct scratch *s, struct veto_hook_cfg *c, __u8 hook, __u64 m)
{
	struct veto_sel_action *act;
	__u64 pid_tgid;
	__u32 sel, flags;
	__s64 ret = 0;
	/* read once: set-mode rewrites it while programs run, and one call
	 * must act in one mode */
	__u32 monitor = *(volatile __u32 *)&c->monitor;

	sel = lowest_bit(m) & (VETO_SEL_MAX - 1);
	act = &c->act[sel];
	flags = act->flags;
	if (flags & (VA_SIGKILL | VA_OVERRIDE))
		ret = act->err ? (__s64)act->err : -EPERM;
	if (ret < -4095 || ret > 0) /* LSM programs may only return 0 or -errno */
		ret = -EPERM;
	if (c->slot_kind != VK_LSM)
		ret = 0; /* nothing to deny with: the kill is all there is */
	if ((flags & VA_SIGKILL) || ret)
		count(monitor ? VETO_STAT_MONITOR : VETO_STAT_ENFORCE);
	if (!monitor) {
		if (flags & VA_SIGKILL)
			bpf_send_signal(SIGKILL);
		else if (flags & VA_SIGNAL)
			bpf_send_signal(act->sig);
	}
	pid_tgid = bpf_get_current_pid_tgid();
	if ((flags & VA_POST) && act->rate_sec) {
		struct veto_rate_key rk = { .hook = hook, .selector = sel };
		__u64 now = bpf_ktime_get_ns(), *last;

		rk.id = flags & VA_RATE_GLOBAL ? 0 : flags & VA_RATE_PROCESS ? pid_tgid >> 32 : (__u32)pid_tgid;
		last = bpf_map_lookup_elem(&rate, &rk);
		if (last && now - *last < act->rate_sec * 1000000000ull)
			flags &= ~VA_POST; /* the kernel still acts; only the event waits */
		else
			bpf_map_update_elem(&rate, &rk, &now, BPF_ANY);
	}
	if (flags & VA_POST) {
		if (!c->ret_probe)
			who(s, c, hook);
		s->ev.selector = sel;
		s->ev.action = flags;
		s->ev.ret = ret;
		s->ev.monitor = monitor;
		if (!bpf_ringbuf_output(&policy_events, &s->ev, sizeof(s->ev), 0)) {
			count(VETO_STAT_POST);
		} else {
			__u32 key = VETO_LOST_EVENTS;
			__u64 *lost = bpf_map_lookup_elem(&policy_lost, &key);

			if (lost)
				(*lost)++;
		}
	}
	return monitor ? 0 : ret;
}

/* A 32-bit caller's syscall numbers tagged, and the selectors matched again.
 * Deferred to here because the check costs a helper call, more than the rest
 * of a miss; compile sets abi_late only where an untagged miss is a miss. */
__noinline int veto_abi_late(__u32 hook)
{
	struct scratch *s = get_scratch();
	struct veto_hook_cfg *c = bpf_map_lookup_elem(&cfg, &hook);

	if (!s || !c || !compat_task())
		return 0;
	for (__u32 i = 0; i < VETO_ARG_MAX; i++)
		if (NEED(c, i) && c->rd[i].how == VR_SYSCALL64)
			s->ev.args[i].num[0] = abi_tag(s->ev.args[i].num[0]);
	s->hits = match(s, c, hook, c->all, PH_PROC | PH_ARGS);
	return 1;
}

/* m: what match_caller left. */
static __always_inline long finish(struct scratch *s, struct veto_hook_cfg *c, __u8 hook, __u64 m)
{
	m = match(s, c, hook, m, PH_ARGS);
	if (!m)
		return 0;
	if (c->abi_late && veto_abi_late(hook)) {
		m = s->hits;
		if (!m)
			return 0;
	}
	if (c->ret_probe) {
		/* the return probe acts once it knows the value */
		__u64 pid_tgid = bpf_get_current_pid_tgid();

		who(s, c, hook);
		s->ev.mask = m;
		bpf_map_update_elem(&pending, &pid_tgid, &s->ev, BPF_ANY);
		return 0;
	}
	return act(s, c, hook, m);
}
#endif
