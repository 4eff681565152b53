// SPDX-License-Identifier: GPL-2.0
/* Self-protection. While the agent runs, no other process (root included)
 * signals it (but the allowed signallers), traces it, reads its memory or
 * file descriptors, slows it, or reaches its BPF objects to detach, replace
 * or write them. The agent fills the table of what is protected: its
 * programs, maps and links by id, its pins by inode. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "errno.h"
#include "guard.h"

char LICENSE[] SEC("license") = "GPL";

#define FMODE_WRITE 0x2
#define MAY_WRITE 0x2
#define PTRACE_MODE_ATTACH 0x02
#define S_IFMT 00170000
#define S_IFDIR 0040000
#define BPF_FS_MAGIC 0xcafe4a11
#define NSEC_PER_TICK (1000000000ull / GUARD_USER_HZ)

/* Set before load, frozen after: nobody changes them. */
const volatile __u32 agent_tgid;
const volatile __u32 n_signallers;
const volatile struct guard_signaller signallers[GUARD_MAX_SIGNALLERS];

/* Kept by the agent: the file systems with protected inodes, a filter that
 * spares the hot inode_permission a lookup elsewhere. */
struct guard_dev pin_devs[GUARD_MAX_DEVS];
/* The agent's credentials, learnt from its own bpf() calls: task_prlimit
 * names its target by credentials only. */
__u64 agent_cred;
/* Set while the agent loads objects it has not protected yet: then no link
 * or writable map fd by id for anyone else. */
__u32 loading;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GUARD_MAX_OBJECTS);
	__type(key, struct guard_key);
	__type(value, __u32);
} guard_objs SEC(".maps");

static __always_inline bool from_agent(void)
{
	return (__u32)(bpf_get_current_pid_tgid() >> 32) == agent_tgid;
}

/* The target is one of the agent's threads and the caller is not. */
static __always_inline bool at_agent(struct task_struct *t)
{
	return agent_tgid && BPF_CORE_READ(t, tgid) == agent_tgid && !from_agent();
}

static __always_inline bool is_protected(__u32 kind, __u32 dev, __u64 id)
{
	struct guard_key k = { .kind = kind, .dev = dev, .id = id };

	return bpf_map_lookup_elem(&guard_objs, &k) != NULL;
}

/* t's process is an allowed signaller: its pid, and its start time as
 * /proc/PID/stat gives it. */
static __always_inline bool is_signaller(struct task_struct *t)
{
	__u32 tgid = BPF_CORE_READ(t, tgid);
	__u64 ticks;

	for (int i = 0; i < GUARD_MAX_SIGNALLERS; i++) {
		if (i >= n_signallers)
			break;
		if (signallers[i].tgid != tgid)
			continue;
		ticks = BPF_CORE_READ(t, group_leader, start_boottime) / NSEC_PER_TICK;
		return ticks == signallers[i].start_ticks;
	}
	return false;
}

/* kill, tgkill, rt_sigqueueinfo, pidfd_send_signal, a process group's
 * signal: whatever a process sends. Signal 0 only asks whether it lives;
 * SIGHUP only makes it reopen its export file (logrotate sends it), and
 * the agent blocks it before the guard loads. */
SEC("lsm/task_kill")
int BPF_PROG(veto_guard_kill, struct task_struct *p, struct kernel_siginfo *info, int sig,
	     const struct cred *cred)
{
	__u64 sender_cred = 0;

	if (!sig || sig == SIGHUP || !at_agent(p))
		return 0;
	/* cred: sent on behalf of another (USB async I/O), never an allowed
	 * signaller. Read as a number: the verifier takes the argument for
	 * never NULL and would drop the test. */
	bpf_probe_read_kernel(&sender_cred, sizeof(sender_cred), &ctx[3]);
	return !sender_cred && is_signaller((struct task_struct *)bpf_get_current_task()) ? 0 : -EPERM;
}

/* SIGIO and SIGURG (and any F_SETSIG signal) from a file whose owner was set
 * to the agent: the agent never asks for them. */
SEC("lsm/file_send_sigiotask")
int BPF_PROG(veto_guard_sigio, struct task_struct *tsk, struct fown_struct *fown, int sig)
{
	return agent_tgid && BPF_CORE_READ(tsk, tgid) == agent_tgid ? -EPERM : 0;
}

/* The agent, in every mode: ptrace, /proc/PID/mem, process_vm_readv and
 * writev, pidfd_getfd, /proc/PID/fd, kcmp. An allowed signaller, in the
 * modes that control it (ptrace, its memory written, its fds taken): made
 * to send a signal for another, it would be a way around. */
SEC("lsm/ptrace_access_check")
int BPF_PROG(veto_guard_ptrace, struct task_struct *child, unsigned int mode)
{
	if (at_agent(child))
		return -EPERM;
	return agent_tgid && (mode & PTRACE_MODE_ATTACH) && !from_agent() && is_signaller(child) ? -EPERM : 0;
}

/* Slowing it: nice, I/O priority, scheduler policy and CPU affinity. */
SEC("lsm/task_setnice")
int BPF_PROG(veto_guard_nice, struct task_struct *p, int nice)
{
	return at_agent(p) ? -EPERM : 0;
}

SEC("lsm/task_setioprio")
int BPF_PROG(veto_guard_ioprio, struct task_struct *p, int ioprio)
{
	return at_agent(p) ? -EPERM : 0;
}

SEC("lsm/task_setscheduler")
int BPF_PROG(veto_guard_sched, struct task_struct *p)
{
	return at_agent(p) ? -EPERM : 0;
}

/* Its limits (a tiny RLIMIT_AS or RLIMIT_NOFILE starves it). */
SEC("lsm/task_prlimit")
int BPF_PROG(veto_guard_prlimit, const struct cred *cred, const struct cred *tcred, unsigned int flags)
{
	return agent_cred && (__u64)tcred == agent_cred && !from_agent() ? -EPERM : 0;
}

/* The id of the link behind the caller's fd (0: none). The file's
 * private_data is read as a link whatever the fd is: an id it yields that
 * is not a protected link's refuses nothing. */
static __always_inline __u32 fd_link_id(__u32 fd)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fds, *f = NULL;
	struct bpf_link *link;

	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f)
		return 0;
	link = BPF_CORE_READ(f, private_data);
	return link ? BPF_CORE_READ(link, id) : 0;
}

/* A link's fd is what detaching or replacing it needs; a program's fd only
 * reads (bpftool prog show), so it is left alone. */
SEC("lsm/bpf")
int BPF_PROG(veto_guard_bpf, int cmd, union bpf_attr *attr, unsigned int size)
{
	if (from_agent()) {
		if (!agent_cred) {
			struct task_struct *t = (struct task_struct *)bpf_get_current_task();

			agent_cred = (__u64)BPF_CORE_READ(t, real_cred);
		}
		return 0;
	}
	if (cmd == BPF_LINK_GET_FD_BY_ID && (loading || is_protected(GK_LINK, 0, BPF_CORE_READ(attr, link_id))))
		return -EPERM;
	/* a link fd had from its pin: detaching or replacing it is refused */
	if (cmd == BPF_LINK_DETACH || cmd == BPF_LINK_UPDATE) {
		__u32 id = fd_link_id(cmd == BPF_LINK_DETACH ? BPF_CORE_READ(attr, link_detach.link_fd) :
					       BPF_CORE_READ(attr, link_update.link_fd));

		if (loading || (id && is_protected(GK_LINK, 0, id)))
			return -EPERM;
	}
	return 0;
}

/* A new fd of a map, by id or from a pin: read-only for others. */
SEC("lsm/bpf_map")
int BPF_PROG(veto_guard_map, struct bpf_map *map, fmode_t fmode)
{
	if (!(fmode & FMODE_WRITE) || from_agent())
		return 0;
	return loading || is_protected(GK_MAP, 0, BPF_CORE_READ(map, id)) ? -EPERM : 0;
}

static __always_inline bool pinned_dev(__u32 dev)
{
	for (int i = 0; i < GUARD_MAX_DEVS; i++)
		if (pin_devs[i].count && pin_devs[i].dev == dev)
			return true;
	return false;
}

/* The common case, no pin held: decided without reading the inode. */
static __always_inline bool any_pins(void)
{
	for (int i = 0; i < GUARD_MAX_DEVS; i++)
		if (pin_devs[i].count)
			return true;
	return false;
}

static __always_inline bool protected_inode(struct inode *inode)
{
	__u32 dev;

	if (!inode || !any_pins())
		return false;
	dev = BPF_CORE_READ(inode, i_sb, s_dev);
	return pinned_dev(dev) && is_protected(GK_INODE, dev, BPF_CORE_READ(inode, i_ino));
}

static __always_inline bool protected_dentry(struct dentry *d)
{
	return d && protected_inode(BPF_CORE_READ(d, d_inode));
}

/* While the agent loads, every pin: it may pin before it holds. */
static __always_inline bool loading_pin(struct inode *inode)
{
	return loading && BPF_CORE_READ(inode, i_sb, s_magic) == BPF_FS_MAGIC;
}

/* An entry added to a protected folder (a pin, or a folder): inode_create
 * is where bpffs pins too. Opening a pin is left to the bpf and bpf_map
 * hooks (a link's fd detaches nothing there; a map opens read-only): a hook
 * on every path walk (inode_permission) cost 1.2 on open loops. */
static __always_inline int add_to(struct inode *dir)
{
	if (from_agent())
		return 0;
	return protected_inode(dir) || loading_pin(dir) ? -EPERM : 0;
}

SEC("lsm/inode_create")
int BPF_PROG(veto_guard_create, struct inode *dir, struct dentry *dentry, umode_t mode)
{
	return add_to(dir);
}

SEC("lsm/inode_mkdir")
int BPF_PROG(veto_guard_mkdir, struct inode *dir, struct dentry *dentry, umode_t mode)
{
	return add_to(dir);
}

SEC("lsm/inode_unlink")
int BPF_PROG(veto_guard_unlink, struct inode *dir, struct dentry *dentry)
{
	return protected_dentry(dentry) && !from_agent() ? -EPERM : 0;
}

SEC("lsm/inode_rmdir")
int BPF_PROG(veto_guard_rmdir, struct inode *dir, struct dentry *dentry)
{
	return protected_dentry(dentry) && !from_agent() ? -EPERM : 0;
}

/* Moved away, or another file moved over it. */
SEC("lsm/inode_rename")
int BPF_PROG(veto_guard_rename, struct inode *old_dir, struct dentry *old_dentry, struct inode *new_dir,
	     struct dentry *new_dentry)
{
	if (from_agent())
		return 0;
	return protected_dentry(old_dentry) || protected_dentry(new_dentry) ? -EPERM : 0;
}

/* Unmounting the file system its pins live in. */
SEC("lsm/sb_umount")
int BPF_PROG(veto_guard_umount, struct vfsmount *mnt, int flags)
{
	return pinned_dev(BPF_CORE_READ(mnt, mnt_sb, s_dev)) && !from_agent() ? -EPERM : 0;
}
