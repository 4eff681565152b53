/* Part of bpf/engine.bpf.c: what it matches of the caller itself, its
 * namespaces, pids, capabilities and the follow ids it carries. */
#ifndef VETO_BPF_ENGINE_CALLER_H
#define VETO_BPF_ENGINE_CALLER_H

#include "engine_maps.h"
#include "task.h"

static __always_inline __u32 current_ns(__u8 which)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	__u32 nspid;

	if (which == VN_PID)
		return veto_pid_ns(t, &nspid);
	if (which == VN_USER)
		return BPF_CORE_READ(t, real_cred, user_ns, ns.inum);
	return veto_nsproxy_ns(BPF_CORE_READ(t, nsproxy), which);
}

static __always_inline __u64 current_caps(__u8 src)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	const struct cred *c = BPF_CORE_READ(t, real_cred);

	if (src == VS_CAP_PRM)
		return veto_caps(&c->cap_permitted);
	if (src == VS_CAP_INH)
		return veto_caps(&c->cap_inheritable);
	return veto_caps(&c->cap_effective);
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
		k.a = veto_ns_tgid(t);
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
