// SPDX-License-Identifier: GPL-2.0
/* Process lifecycle sensor: exec, fork (new processes only) and exit (last
 * thread of a group). tp_btf works on every kernel of the matrix (5.10 .. 6.18)
 * and needs no trampolines, unlike fentry/LSM which this host refuses. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "process.h"
#include "path.h"
#include "task.h"

char LICENSE[] SEC("license") = "GPL";

/* Room for every section at its masked offset, and past the last for the
 * verifier to see each write in bounds. */
#define SCRATCH_DATA 16384 /* power of two: section offsets are masked with it - 1 */
#define NAME_CHUNK   256

struct scratch {
	struct veto_proc_event ev;
	char data[SCRATCH_DATA + PROC_PATH_MAX + NAME_CHUNK];
	struct veto_walk walk;
	char wbuf[VETO_WALK_BUF];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} proc_scratch SEC(".maps");

struct counters {
	__u64 n[PROC_CNT__COUNT];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct counters);
} proc_counters SEC(".maps");

/* Size set by userspace before load. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} proc_rb SEC(".maps");

/* 5.10 .. 6.14 call it `parent`; later kernels `__parent`. */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

static __always_inline void count(int idx)
{
	__u32 zero = 0;
	struct counters *c = bpf_map_lookup_elem(&proc_counters, &zero);

	if (c && idx < PROC_CNT__COUNT)
		c->n[idx]++;
}

static __always_inline void send(struct scratch *s, __u32 data_len, int lost_idx)
{
	__u32 size = sizeof(struct veto_proc_event) + (data_len & (SCRATCH_DATA - 1));

	s->ev.size = size;
	if (size > sizeof(*s))
		return;
	/* Wake the reader only once the ring is a quarter full: the agent also
	 * drains it on a short timer, so a busy node does not pay a cross-CPU
	 * wake-up for every exec. */
	if (bpf_ringbuf_output(&proc_rb, s, size,
			       bpf_ringbuf_query(&proc_rb, BPF_RB_AVAIL_DATA) >
					       bpf_ringbuf_query(&proc_rb, BPF_RB_RING_SIZE) / 4 ?
				       BPF_RB_FORCE_WAKEUP :
				       BPF_RB_NO_WAKEUP)) {
		count(PROC_CNT_LOST);
		if (lost_idx >= 0)
			count(lost_idx);
	} else {
		count(PROC_CNT_SENT);
	}
}

/* Identity, credentials, capabilities, namespaces and cgroup of `t`. */
static __always_inline void fill_task(struct veto_proc_event *e, struct task_struct *t)
{
	const struct cred *cred = BPF_CORE_READ(t, cred);
	struct nsproxy *nsp = BPF_CORE_READ(t, nsproxy);

	e->pid = BPF_CORE_READ(t, tgid);
	e->tid = BPF_CORE_READ(t, pid);
	e->ppid = BPF_CORE_READ(t, real_parent, tgid);
	e->parent_start = BPF_CORE_READ(t, real_parent, start_time);
	e->uid = BPF_CORE_READ(cred, uid.val);
	e->gid = BPF_CORE_READ(cred, gid.val);
	e->euid = BPF_CORE_READ(cred, euid.val);
	e->egid = BPF_CORE_READ(cred, egid.val);
	e->suid = BPF_CORE_READ(cred, suid.val);
	e->sgid = BPF_CORE_READ(cred, sgid.val);
	e->fsuid = BPF_CORE_READ(cred, fsuid.val);
	e->fsgid = BPF_CORE_READ(cred, fsgid.val);
	if (bpf_core_field_exists(t->loginuid)) {
		e->auid = BPF_CORE_READ(t, loginuid.val);
	} else {
		e->auid = (__u32)-1;
		e->flags |= PROC_F_NO_AUID;
	}
	e->cap_permitted = veto_caps(&cred->cap_permitted);
	e->cap_effective = veto_caps(&cred->cap_effective);
	e->cap_inheritable = veto_caps(&cred->cap_inheritable);
	e->ns[VN_USER] = BPF_CORE_READ(cred, user_ns, ns.inum);
	e->ns[VN_PID] = veto_pid_ns(t, &e->nspid);
	if (nsp) {
		e->ns[VN_UTS] = veto_nsproxy_ns(nsp, VN_UTS);
		e->ns[VN_IPC] = veto_nsproxy_ns(nsp, VN_IPC);
		e->ns[VN_MNT] = veto_nsproxy_ns(nsp, VN_MNT);
		e->ns[VN_PID_FOR_CHILDREN] = veto_nsproxy_ns(nsp, VN_PID_FOR_CHILDREN);
		e->ns[VN_NET] = veto_nsproxy_ns(nsp, VN_NET);
		e->ns[VN_CGROUP] = veto_nsproxy_ns(nsp, VN_CGROUP);
		e->ns[VN_TIME] = veto_nsproxy_ns(nsp, VN_TIME);
		e->ns[VN_TIME_FOR_CHILDREN] = veto_nsproxy_ns(nsp, VN_TIME_FOR_CHILDREN);
	}
	e->cgroup_id = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);
}

static __always_inline struct scratch *scratch_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&proc_scratch, &zero);
}

/* The next steps of a walk veto_proc_path began. Global: the verifier checks one
 * step's levels once. */
__noinline int veto_proc_walk_more(void)
{
	struct scratch *s = scratch_get();

	if (!s)
		return VW_CUT;
	return veto_walk_step(&s->walk, s->wbuf);
}

/* The path of (dentry, vfsmnt) as a string and its NUL at data[off]: whole
 * (an unlinked leaf marked " (deleted)"), or the leaf end only, without a
 * leading '/', and trunc_flag set. Returns the bytes used. Global: checked
 * once for the binary and the cwd. */
__noinline int veto_proc_path(__u64 dentry, __u64 vfsmnt, __u32 off, __u32 trunc_flag)
{
	struct scratch *s = scratch_get();
	__u32 end = VW_MORE, pos, len, i;

	if (!s)
		return 0;
	veto_walk_begin(&s->walk, s->wbuf, dentry, vfsmnt);
	veto_walk_mark_deleted(&s->walk, s->wbuf);
	for (i = 0; i < VETO_WALK_STEPS && end == VW_MORE; i++)
		end = veto_proc_walk_more();
	if (!s->walk.pos) /* 4095 bytes and the NUL: one over what a section holds */
		s->walk.end = VW_CUT;
	if (s->walk.end != VW_WHOLE)
		s->ev.flags |= trunc_flag;
	pos = veto_walk_start(&s->walk);
	len = VETO_PATH_MAX - pos; /* with the NUL */
	barrier_var(len);
	bpf_probe_read_kernel(&s->data[off & (SCRATCH_DATA - 1)], len & (VETO_PATH_MAX - 1),
			      &s->wbuf[pos & (VETO_PATH_MAX - 1)]);
	return len & (VETO_PATH_MAX - 1);
}

/* cgroup v2 path of the task, components leaf first (userspace reverses
 * them). */
static __always_inline __u32 walk_cgroup(char *sec, struct task_struct *t)
{
	struct kernfs_node *kn = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn);
	__u32 off = 0;

#pragma clang loop unroll(disable)
	for (int i = 0; i < PROC_CGRP_DEPTH && kn; i++) {
		struct kernfs_node *parent;
		long n;

		if (bpf_core_field_exists(kn->__parent))
			parent = BPF_CORE_READ(kn, __parent);
		else
			parent = BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
		if (!parent) /* the root's name is "/" */
			break;
		n = bpf_probe_read_kernel_str(sec + (off & (PROC_CGRP_MAX - 1)), NAME_CHUNK,
					      BPF_CORE_READ(kn, name));
		if (n <= 0 || off + n >= PROC_CGRP_MAX)
			break;
		off += n;
		kn = parent;
	}
	return off;
}

static __always_inline bool is_magic(const char p[8])
{
	return (p[1] == 'p' && p[2] == 'r' && p[3] == 'o' && p[4] == 'c' && p[5] == '/') ||
	       (p[1] == 'd' && p[2] == 'e' && p[3] == 'v' && p[4] == '/' && p[5] == 'f' && p[6] == 'd' && p[7] == '/');
}

static __always_inline struct scratch *scratch(void)
{
	struct scratch *s = scratch_get();

	if (s)
		__builtin_memset(&s->ev, 0, sizeof(s->ev));
	return s;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(veto_proc_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct scratch *s = scratch();
	struct veto_proc_event *e;
	struct mm_struct *mm;
	struct fs_struct *fs;
	struct file *file;
	const char *fname;
	__u32 off, n, r;
	unsigned long as, ae;
	char pfx[8] = {};

	if (!s)
		return 0;
	e = &s->ev;
	e->type = PROC_EV_EXEC;
	e->ktime = e->start_ktime = bpf_ktime_get_ns();
	fill_task(e, p);

	/* binary: the name as exec'd when absolute (what the user ran, symlinks
	 * kept; empty for magic links, /proc/self/exe or /dev/fd/N, that name no
	 * file), then the file's own path: userspace picks the name when it is
	 * normal, the path otherwise */
	fname = BPF_CORE_READ(bprm, filename);
	bpf_probe_read_kernel(&pfx, sizeof(pfx), fname);
	n = 0;
	if (pfx[0] == '/' && !is_magic(pfx)) {
		long got = bpf_probe_read_kernel_str(s->data, PROC_PATH_MAX, fname);

		if (got > 0)
			n = got;
	}
	if (!n) {
		s->data[0] = '\0';
		n = 1;
	}
	n &= PROC_PATH_MAX * 2 - 1;
	file = BPF_CORE_READ(bprm, file);
	r = veto_proc_path((__u64)BPF_CORE_READ(file, f_path.dentry), (__u64)BPF_CORE_READ(file, f_path.mnt), n,
			   PROC_F_TRUNC_PATH);
	if (!r)
		e->flags |= PROC_F_ERR_PATH;
	e->flags |= PROC_F_PATH_PLAIN;
	n = (n + r) & (PROC_BIN_MAX - 1);
	e->path_len = n;
	off = n;

	/* arguments: the new image's argv, just written by the kernel */
	mm = BPF_CORE_READ(p, mm);
	as = BPF_CORE_READ(mm, arg_start);
	ae = BPF_CORE_READ(mm, arg_end);
	n = 0;
	if (ae > as) {
		n = ae - as;
		if (n >= PROC_ARGS_MAX) {
			n = PROC_ARGS_MAX - 1;
			e->flags |= PROC_F_TRUNC_ARGS;
		}
		n &= PROC_ARGS_MAX - 1;
		if (n && bpf_probe_read_user(s->data + (off & (PROC_BIN_MAX - 1)), n, (void *)as)) {
			e->flags |= PROC_F_ERR_ARGS;
			n = 0;
		}
	}
	e->args_len = n;
	off = (off + n) & (SCRATCH_DATA - 1); /* binary + args < 16384 */

	fs = BPF_CORE_READ(p, fs);
	n = veto_proc_path((__u64)BPF_CORE_READ(fs, pwd.dentry), (__u64)BPF_CORE_READ(fs, pwd.mnt), off,
			   PROC_F_TRUNC_CWD);
	if (!n)
		e->flags |= PROC_F_ERR_CWD;
	e->cwd_len = n;
	off = (off + n) & (SCRATCH_DATA - 1);

	barrier_var(off); /* keep the mask: the verifier bounds the section by it */
	n = walk_cgroup(s->data + (off & (SCRATCH_DATA - 1)), p);
	e->cgrp_len = n;
	send(s, off + n, PROC_CNT_LOST_EXEC);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(veto_proc_fork, struct task_struct *parent, struct task_struct *child)
{
	struct scratch *s;

	/* threads share the process: only a new thread group is a process */
	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0;
	s = scratch();
	if (!s)
		return 0;
	s->ev.type = PROC_EV_FORK;
	s->ev.ktime = s->ev.start_ktime = bpf_ktime_get_ns();
	fill_task(&s->ev, child);
	send(s, 0, -1);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(veto_proc_exit, struct task_struct *p)
{
	struct scratch *s;

	if (!veto_last_thread(p))
		return 0;
	s = scratch();
	if (!s)
		return 0;
	s->ev.type = PROC_EV_EXIT;
	s->ev.ktime = bpf_ktime_get_ns();
	s->ev.start_ktime = BPF_CORE_READ(p, start_time);
	fill_task(&s->ev, p);
	s->ev.exit_code = BPF_CORE_READ(p, exit_code);
	send(s, 0, PROC_CNT_LOST_EXIT);
	return 0;
}
