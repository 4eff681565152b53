/* What the engine matches of the caller itself: its namespaces, pids,
 * capabilities and the follow ids it carries. */
#ifndef VETO_BPF_ENGINE_CALLER_H
#define VETO_BPF_ENGINE_CALLER_H

#include "engine_maps.h"

static __always_inline __u32 current_ns(__u8 which)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct nsproxy *nsp = BPF_CORE_READ(t, nsproxy);

	switch (which) {
	case VN_UTS: return BPF_CORE_READ(nsp, uts_ns, ns.inum);
	case VN_IPC: return BPF_CORE_READ(nsp, ipc_ns, ns.inum);
	case VN_MNT: return BPF_CORE_READ(nsp, mnt_ns, ns.inum);
	case VN_PID: {
		struct pid *tp = BPF_CORE_READ(t, thread_pid);
		unsigned int level = BPF_CORE_READ(tp, level);
		struct upid up = {};

		bpf_core_read(&up, sizeof(up), &tp->numbers[level & 31]);
		return BPF_CORE_READ(up.ns, ns.inum);
	}
	case VN_PID_FOR_CHILDREN: return BPF_CORE_READ(nsp, pid_ns_for_children, ns.inum);
	case VN_NET: return BPF_CORE_READ(nsp, net_ns, ns.inum);
	case VN_TIME:
		if (bpf_core_field_exists(nsp->time_ns))
			return BPF_CORE_READ(nsp, time_ns, ns.inum);
		return 0;
	case VN_TIME_FOR_CHILDREN:
		if (bpf_core_field_exists(nsp->time_ns_for_children))
			return BPF_CORE_READ(nsp, time_ns_for_children, ns.inum);
		return 0;
	case VN_CGROUP: return BPF_CORE_READ(nsp, cgroup_ns, ns.inum);
	case VN_USER: return BPF_CORE_READ(t, real_cred, user_ns, ns.inum);
	}
	return 0;
}

/* A process's id in its own pid namespace: its leader's struct pid holds
 * one number per level, the last is the innermost. */
static __always_inline __u64 ns_tgid(struct task_struct *t)
{
	struct pid *pid = BPF_CORE_READ(t, group_leader, thread_pid);
	__u32 level = BPF_CORE_READ(pid, level);
	int nr = 0;

	if (!pid || level > 32)
		return 0;
	bpf_probe_read_kernel(&nr, sizeof(nr), (void *)pid + bpf_core_field_offset(struct pid, numbers) +
			      level * bpf_core_type_size(struct upid) + bpf_core_field_offset(struct upid, nr));
	return (__u32)nr;
}

static __always_inline __u64 current_caps(__u8 src)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	const struct cred *c = BPF_CORE_READ(t, real_cred);

	if (src == VS_CAP_PRM)
		return read_caps(&c->cap_permitted);
	if (src == VS_CAP_INH)
		return read_caps(&c->cap_inheritable);
	return read_caps(&c->cap_effective);
}

/* The follow ids a process carries (inherited, or taken at exec) and those
 * of its own pid, since followForks counts the process itself: by host pid,
 * and by its pid in its namespace where a policy follows those. */
static __always_inline __u64 follow_ids(struct task_struct *t)
{
	__u32 tgid = BPF_CORE_READ(t, tgid);
	struct veto_num_key k = { .hook = VETO_FOLLOW_HOOK, .dim = VP_HOST, .a = tgid };
	__u64 *v = bpf_map_lookup_elem(&follow, &tgid), *p = bpf_map_lookup_elem(&num_hash, &k), ids;

	ids = (v ? *v : 0) | (p ? *p : 0);
	if (follow_ns_pids) {
		k.dim = VP_NS;
		k.a = ns_tgid(t);
		p = bpf_map_lookup_elem(&num_hash, &k);
		ids |= p ? *p : 0;
	}
	return ids;
}

static __always_inline __u64 caller_follow_ids(__u8 parent)
{
	struct task_struct *t = (void *)bpf_get_current_task();

	return follow_ids(parent ? BPF_CORE_READ(t, real_parent) : t);
}

#endif
