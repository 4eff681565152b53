/* The kernel side's one reader of a task's context, shared by
 * bpf/process.bpf.c and the engine: its number in its own pid namespace,
 * its namespaces' inodes, its capabilities, whether it is its process's
 * last thread. Kernel types: include after vmlinux.h. */
#ifndef VETO_BPF_TASK_H
#define VETO_BPF_TASK_H

#include "ns.h"

/* A capability set: u32 cap[2] before 6.3, u64 val after, the same 8
 * bytes either way. */
static __always_inline __u64 veto_caps(const kernel_cap_t *c)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), c);
	return v;
}

/* The innermost level of a struct pid, the namespace it was made in and
 * its number there: numbers[] holds one per level, the host's first. The
 * one place the level is read; a probe read, so no bound for the verifier
 * (the kernel keeps it within MAX_PID_NS_LEVEL). Left zeroed: no pid. */
static __always_inline void veto_pid_inner(struct pid *pid, struct upid *up)
{
	__u32 level = BPF_CORE_READ(pid, level);

	bpf_core_read(up, sizeof(*up), &pid->numbers[level]);
}

/* The inode of the pid namespace t lives in, and t's number there. */
static __always_inline __u32 veto_pid_ns(struct task_struct *t, __u32 *nspid)
{
	struct upid up = {};

	veto_pid_inner(BPF_CORE_READ(t, thread_pid), &up);
	*nspid = up.nr;
	return BPF_CORE_READ(up.ns, ns.inum);
}

/* A process's id in its own pid namespace: its leader's number there. */
static __always_inline __u32 veto_ns_tgid(struct task_struct *t)
{
	struct upid up = {};

	veto_pid_inner(BPF_CORE_READ(t, group_leader, thread_pid), &up);
	return up.nr;
}

/* The inode of namespace `which` of a task's nsproxy; 0 for VN_PID and
 * VN_USER (the task's own pid and its creds hold those) and where this
 * kernel has no such namespace. */
static __always_inline __u32 veto_nsproxy_ns(struct nsproxy *nsp, __u32 which)
{
	switch (which) {
	case VN_UTS: return BPF_CORE_READ(nsp, uts_ns, ns.inum);
	case VN_IPC: return BPF_CORE_READ(nsp, ipc_ns, ns.inum);
	case VN_MNT: return BPF_CORE_READ(nsp, mnt_ns, ns.inum);
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
	}
	return 0;
}

/* At sched_process_exit: signal->live has reached 0 (before the
 * tracepoint) when the process's last thread goes. */
static __always_inline bool veto_last_thread(struct task_struct *t)
{
	return BPF_CORE_READ(t, signal, live.counter) == 0;
}

#endif
