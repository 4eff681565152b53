/* Part of bpf/engine.bpf.c, the argument readers: a hook's arguments, paths resolved, into
 * the scratch record's slots, by kind (bpf/hooks.def) for LSM hooks and as
 * rd[] says for tracepoints and kprobes; and the caller's executables. */
#ifndef VETO_BPF_ENGINE_ARGS_H
#define VETO_BPF_ENGINE_ARGS_H

#include "engine_maps.h"
#include "task.h"

__noinline int veto_walk_more(void);

/* Resolves (dentry, mount) to an absolute path into argument `slot` (or a
 * binary): whole, or marked VETO_ARG_CUT with the leaf end kept. A NULL
 * mount walks the dentry's own filesystem only. Global, so the verifier
 * checks it once rather than at every call. Pointers come as integers: it
 * only reads them through bpf_probe_read_kernel. */
__noinline int veto_resolve(__u64 dentry, __u64 vfsmnt, __u32 slot)
{
	struct scratch *s = get_scratch();
	struct veto_ev_arg *a = NULL;
	__u32 end = VW_MORE, pos, len, i;
	__u16 flags = 0;
	char *dst;

	if (!s)
		return 0;
	/* the destination first, while the verifier still knows slot's bounds */
	if (slot < VETO_ARG_MAX)
		a = &s->ev.args[slot];
	else if (slot == SLOT_PARENT)
		a = &s->parent;
	else if (slot != SLOT_BINARY)
		return 0;
	dst = a ? a->str : s->ev.binary;
	if (a) { /* its mode is read only for an event (who) */
		a->mode = 0;
		s->dent[slot & 7] = dentry;
	}
	if (!dentry) {
		flags = VETO_ARG_NOPATH;
		len = 0;
		dst[0] = '\0';
		goto out;
	}
	veto_walk_begin(&s->walk, s->pbuf, dentry, vfsmnt);
	for (i = 0; i < VETO_WALK_STEPS && end == VW_MORE; i++)
		end = veto_walk_more();
	if (end != VW_WHOLE)
		flags = VETO_ARG_CUT | VETO_ARG_TRUNC;
	pos = veto_walk_start(&s->walk);
	len = VETO_PATH_MAX - 1 - pos;
	if (len > BUFM) {
		len = BUFM;
		flags |= VETO_ARG_TRUNC;
		/* the end too, for Postfix */
		bpf_probe_read_kernel(s->tails[slot & 7], VETO_STR_BUF, &s->pbuf[VETO_PATH_MAX - VETO_STR_BUF]);
	}
	/* the path's start and its NUL, or its first BUFM bytes: copying costs by the byte */
	barrier_var(len); /* keep the mask: the verifier bounds the size by it */
	bpf_probe_read_kernel(dst, (len & BUFM) + 1, &s->pbuf[pos & (VETO_PATH_MAX - 1)]);
	dst[len & BUFM] = '\0';
out:
	if (a) {
		a->len = len;
		a->flags = flags;
	} else {
		s->ev.bin_len = len;
		s->ev.bin_flags = flags;
	}
	return len;
}

/* The next steps of the walk veto_resolve began. Global: the verifier
 * checks one step's levels once. */
__noinline int veto_walk_more(void)
{
	struct scratch *s = get_scratch();

	if (!s)
		return VW_CUT;
	return veto_walk_step(&s->walk, s->pbuf);
}

static __always_inline void put_inode(struct veto_ev_arg *a, struct inode *inode)
{
	a->num[0] = inode ? BPF_CORE_READ(inode, i_sb, s_dev) : 0;
	a->num[1] = inode ? BPF_CORE_READ(inode, i_ino) : 0;
}

#define NEED(c, i) ((c)->need_args & (1u << (i)))
#define ARG(s, i) arg_at(s, i)
#define SLOT(s, a) ((__u32)((a) - (s)->ev.args))

static __always_inline struct veto_ev_arg *arg_at(struct scratch *s, __u32 i)
{
	if (i >= VETO_ARG_MAX)
		i = 0;
	return &s->ev.args[i];
}

/* Argument readers: one per kind of bpf/hooks.def. */
#define KT_linux_binprm struct linux_binprm *
#define KT_file struct file *
#define KT_inode struct inode *
#define KT_dentry struct dentry *
#define KT_path const struct path *
#define KT_socket struct socket *
#define KT_sockaddr struct sockaddr *
#define KT_task struct task_struct *
#define KT_cred const struct cred *
#define KT_userns struct user_namespace *
#define KT_kstr const char *
#define KT_ptr void *
#define KT_int int
#define KT_uint unsigned int
#define KT_ulong unsigned long
#define KT_flag bool
#define KT_umode umode_t

/* A struct path (its mount and dentry in one read) resolved into slot;
 * NULL or unreadable: no path. Paths are matched as strings: (device,
 * inode) only for inode arguments. */
static __always_inline void resolve_path(const struct path *p, __u32 slot)
{
	struct vfsmount *mnt;
	struct dentry *d;

	READ_NEAR(p, mnt, dentry, dentry, mnt, d, d);
	veto_resolve((__u64)d, (__u64)mnt, slot);
}

static __always_inline void take_file(struct scratch *s, struct veto_ev_arg *a, struct file *f)
{
	resolve_path(f ? &f->f_path : NULL, SLOT(s, a));
}

static __always_inline void take_linux_binprm(struct scratch *s, struct veto_ev_arg *a,
					      struct linux_binprm *b)
{
	take_file(s, a, BPF_CORE_READ(b, file));
}

static __always_inline void take_inode(struct scratch *s, struct veto_ev_arg *a, struct inode *i)
{
	put_inode(a, i);
	a->len = 0;
	a->flags = VETO_ARG_NOPATH;
	a->str[0] = '\0';
}

/* A hook's own pointer argument as a plain integer: global functions take
 * no typed kernel pointers. */
static __always_inline __u64 as_scalar(const void *p)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &p);
	return v;
}

static __always_inline void take_dentry(struct scratch *s, struct veto_ev_arg *a, struct dentry *d)
{
	veto_resolve(as_scalar(d), 0, SLOT(s, a));
}

static __always_inline void take_path(struct scratch *s, struct veto_ev_arg *a, const struct path *p)
{
	resolve_path(p, SLOT(s, a));
}

static __always_inline void take_sock(struct scratch *s, struct veto_ev_arg *a, struct sock *sk)
{
	a->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	a->proto = BPF_CORE_READ(sk, sk_protocol);
	a->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	a->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	a->type = BPF_CORE_READ(sk, sk_type);
	a->state = BPF_CORE_READ(sk, __sk_common.skc_state);
	__builtin_memset(a->saddr, 0, 16);
	__builtin_memset(a->daddr, 0, 16);
	if (a->family == 2) {
		bpf_probe_read_kernel(a->saddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_probe_read_kernel(a->daddr, 4, &sk->__sk_common.skc_daddr);
	} else if (a->family == 10) {
		bpf_probe_read_kernel(a->saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_probe_read_kernel(a->daddr, 16, &sk->__sk_common.skc_v6_daddr);
	}
}

static __always_inline void take_socket(struct scratch *s, struct veto_ev_arg *a, struct socket *sock)
{
	take_sock(s, a, BPF_CORE_READ(sock, sk));
}

/* The address a connect or bind names: reported as the sockaddr's own, as
 * Tetragon's sockaddr argument does (SAddr, SPort, Family). */
static __always_inline void take_sockaddr(struct scratch *s, struct veto_ev_arg *a, struct sockaddr *sa)
{
	__u16 fam = 0;

	bpf_probe_read_kernel(&fam, sizeof(fam), &sa->sa_family);
	a->family = fam;
	a->type = 0;
	a->state = 0;
	a->proto = 0;
	a->sport = 0;
	a->dport = 0;
	__builtin_memset(a->saddr, 0, 16);
	__builtin_memset(a->daddr, 0, 16);
	if (fam == 2) {
		struct sockaddr_in *in = (void *)sa;
		__u16 port = 0;

		bpf_probe_read_kernel(&port, 2, &in->sin_port);
		a->sport = bpf_ntohs(port);
		bpf_probe_read_kernel(a->saddr, 4, &in->sin_addr);
	} else if (fam == 10) {
		struct sockaddr_in6 *in6 = (void *)sa;
		__u16 port = 0;

		bpf_probe_read_kernel(&port, 2, &in6->sin6_port);
		a->sport = bpf_ntohs(port);
		bpf_probe_read_kernel(a->saddr, 16, &in6->sin6_addr);
	}
}

static __always_inline void take_task(struct scratch *s, struct veto_ev_arg *a, struct task_struct *t)
{
	a->num[0] = BPF_CORE_READ(t, tgid);
	a->num[1] = 0;
	a->len = 0;
	a->flags = VETO_ARG_NOPATH;
	bpf_core_read_str(a->str, 16, &t->comm);
}

static __always_inline void take_cred(struct scratch *s, struct veto_ev_arg *a, const struct cred *c)
{
	a->num[0] = BPF_CORE_READ(c, euid.val);
	a->num[1] = veto_caps(&c->cap_effective);
}

static __always_inline void take_userns(struct scratch *s, struct veto_ev_arg *a, struct user_namespace *ns)
{
	a->num[0] = BPF_CORE_READ(ns, ns.inum);
	a->num[1] = 0;
}

/* r: what a *_str read returned into a->str of n bytes */
static __always_inline void str_read(struct veto_ev_arg *a, long r, long n)
{
	a->len = r > 0 ? r - 1 : 0;
	a->flags = r <= 0 ? VETO_ARG_NOPATH : (r == n ? VETO_ARG_TRUNC : 0);
	if (r <= 0)
		a->str[0] = '\0';
}

static __always_inline void take_kstr(struct scratch *s, struct veto_ev_arg *a, const char *str)
{
	str_read(a, str ? bpf_probe_read_kernel_str(a->str, VETO_STR_BUF, str) : 0, VETO_STR_BUF);
}

static __always_inline void take_ptr(struct scratch *s, struct veto_ev_arg *a, void *p)
{
}

#define TAKE_NUM(kind, type)                                                                   \
	static __always_inline void take_##kind(struct scratch *s, struct veto_ev_arg *a, type v) \
	{                                                                                      \
		a->num[0] = (__u64)v;                                                          \
		a->num[1] = 0;                                                                 \
	}
TAKE_NUM(int, long)
TAKE_NUM(uint, unsigned long)
TAKE_NUM(ulong, unsigned long)
TAKE_NUM(flag, unsigned long)
TAKE_NUM(umode, unsigned long)

/* A char_buf: the first bytes of size at ptr, into argument i (the size
 * itself in num[0], so a larger one than was copied shows). Kernel memory,
 * or the caller's when ptr is not the kernel's. Global: checked once. */
__noinline int veto_read_buf(__u64 i, __u64 ptr, __s64 size)
{
	struct scratch *s = get_scratch();
	struct veto_ev_arg *a;
	__u32 n;

	barrier_var(i);
	if (!s || i >= VETO_ARG_MAX)
		return 0;
	a = &s->ev.args[i];
	n = size <= 0 ? 0 : size > BUFM ? BUFM : (__u32)size;
	a->num[0] = size > 0 ? (__u64)size : 0;
	a->num[1] = 0;
	a->flags = 0;
	a->mode = 0;
	a->len = n;
	barrier_var(n); /* keep the mask: the verifier bounds the size by it */
	n &= BUFM;
	if (n && bpf_probe_read_kernel(a->str, n, (void *)ptr) && bpf_probe_read_user(a->str, n, (void *)ptr))
		a->len = 0; /* unreadable: nothing of the size copied */
	a->str[n] = '\0';
	return 0;
}

/* Argument n of a system call, from the caller's registers that the
 * syscall wrapper (__x64_sys_*) is handed: r10 carries the fourth. */
static __always_inline __u64 syscall_arg(__u64 ctx, __u32 n)
{
	struct pt_regs *regs = (void *)ctx;
	__u64 v = 0;

	bpf_probe_read_kernel(&regs, sizeof(regs), &regs->di);
	switch (n) {
	case 0: bpf_probe_read_kernel(&v, 8, &regs->di); break;
	case 1: bpf_probe_read_kernel(&v, 8, &regs->si); break;
	case 2: bpf_probe_read_kernel(&v, 8, &regs->dx); break;
	case 3: bpf_probe_read_kernel(&v, 8, &regs->r10); break;
	case 4: bpf_probe_read_kernel(&v, 8, &regs->r8); break;
	}
	return v;
}

static __always_inline bool compat_task(void)
{
	struct task_struct *t = NULL;

	if (!bpf_core_field_exists(t->thread_info.status))
		return false;
	/* a plain load where the kernel has the helper (5.11+), else a probe read */
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf)) {
		t = bpf_get_current_task_btf();
		return t->thread_info.status & 2 /* TS_COMPAT */;
	}
	t = (void *)bpf_get_current_task();
	return BPF_CORE_READ(t, thread_info.status) & 2;
}

static __always_inline __u64 abi_tag(__u64 v)
{
	return (v & 0xffffffffull) | VETO_SYSCALL_IA32;
}

/* An integer argument, from the word it was found in; false: not an integer.
 * abi_late: a syscall number is left untagged, the caller's ABI is checked
 * only once a selector matches (veto_abi_late). */
static __always_inline bool int_arg(struct veto_ev_arg *a, struct veto_arg_read rd, __u64 v, bool abi_late)
{
	__u32 size = rd.size > 8 ? 8 : rd.size;

	switch (rd.how) {
	case VR_SINT:
		a->num[0] = size && size < 8 ? (__u64)((__s64)(v << (64 - 8 * size)) >> (64 - 8 * size)) : v;
		break;
	case VR_UINT:
		a->num[0] = size && size < 8 ? v & ((1ull << (8 * size)) - 1) : v;
		break;
	case VR_SYSCALL64:
		a->num[0] = !abi_late && compat_task() ? abi_tag(v) : v;
		break;
	default:
		return false;
	}
	a->num[1] = 0;
	return true;
}

/* Argument i of a tracepoint record or kprobe, as the policy's rd[i] says:
 * raw is the 8-byte word the slot program found there (an integer, or a
 * pointer to follow); ctx is needed only for strings inside the record.
 * Global: the verifier checks it once for all slot programs. */
__noinline int veto_read_arg(__u64 ctx, __u32 hook, __u64 i, __u64 raw)
{
	struct scratch *s = get_scratch();
	struct veto_hook_cfg *c = bpf_map_lookup_elem(&cfg, &hook);
	struct veto_ev_arg *a;
	struct veto_arg_read rd;
	__u64 v = raw;

	barrier_var(i); /* one register, bounded once, for both indexes below */
	if (!s || !c || i >= VETO_ARG_MAX)
		return 0;
	rd = c->rd[i];
	a = &s->ev.args[i];
	a->num[1] = 0;
	switch (rd.how) {
	case VR_USTR:
		str_read(a, bpf_probe_read_user_str(a->str, VETO_STR_BUF, (void *)v), VETO_STR_BUF);
		return 0;
	case VR_KSTR:
		str_read(a, bpf_probe_read_kernel_str(a->str, VETO_STR_BUF, (void *)v), VETO_STR_BUF);
		return 0;
	case VR_DATALOC:
		str_read(a, bpf_probe_read_kernel_str(a->str, VETO_STR_BUF, (void *)ctx + (v & 0xffff)),
			 VETO_STR_BUF);
		return 0;
	case VR_CHARS:
		str_read(a, bpf_probe_read_kernel_str(a->str, rd.size, (void *)ctx + rd.off), rd.size);
		return 0;
	case VR_FILE: take_file(s, a, (void *)v); return 0;
	case VR_PATH: take_path(s, a, (void *)v); return 0;
	case VR_DENTRY: veto_resolve(v, 0, i); return 0;
	case VR_INODE: take_inode(s, a, (void *)v); return 0;
	case VR_BINPRM: take_linux_binprm(s, a, (void *)v); return 0;
	case VR_SOCKET: take_socket(s, a, (void *)v); return 0;
	case VR_SOCK: take_sock(s, a, (void *)v); return 0;
	case VR_SOCKADDR: take_sockaddr(s, a, (void *)v); return 0;
	case VR_CRED: take_cred(s, a, (void *)v); return 0;
	case VR_TASK: take_task(s, a, (void *)v); return 0;
	}
	a->num[0] = v;
	return 0;
}

/* A task's executable into the binary's slot or the parent's (none: a
 * kernel thread): from the bins cache, or walked and then remembered there
 * unless its path is longer than an event holds. */
static __always_inline void take_exe(struct scratch *s, struct task_struct *task, __u32 slot)
{
	struct file *exe = BPF_CORE_READ(task, mm, exe_file);
	__u32 tgid = BPF_CORE_READ(task, tgid);
	bool parent = slot == SLOT_PARENT;
	char *str = parent ? s->parent.str : s->ev.binary;
	__u16 *len = parent ? &s->parent.len : &s->ev.bin_len;
	__u16 *flags = parent ? &s->parent.flags : &s->ev.bin_flags;
	__u64 xid = 0;
	struct veto_bin *b;

	/* 32 bits before 6.2, 64 after: read what there is */
	bpf_probe_read_kernel(&xid, bpf_core_field_size(task->self_exec_id) == 4 ? 4 : 8, &task->self_exec_id);
	b = exe ? bpf_map_lookup_elem(&bins, &tgid) : NULL;
	if (b && b->exec_id == xid && b->exe == (__u64)exe) {
		__u32 n = b->len & BUFM;

		barrier_var(n); /* keep the mask: the verifier bounds the size by it */
		bpf_probe_read_kernel(str, n + 1, b->str);
		*len = n;
		*flags = b->flags;
		return;
	}
	resolve_path(exe ? &exe->f_path : NULL, slot);
	if (!exe || *flags & VETO_ARG_TRUNC)
		return;
	s->bin.exec_id = xid;
	s->bin.exe = (__u64)exe;
	s->bin.len = *len;
	s->bin.flags = *flags;
	bpf_probe_read_kernel(s->bin.str, VETO_STR_BUF, str);
	bpf_map_update_elem(&bins, &tgid, &s->bin, BPF_ANY);
}

/* The calling process's executable (matchBinaries) and its parent's
 * (matchParentBinaries: real_parent, the reaper once the parent is gone). */
static __always_inline void take_binaries(struct scratch *s, struct veto_hook_cfg *c)
{
	struct task_struct *task;

	if (!c->need_binary && !c->need_parent)
		return; /* a helper call costs more than the rest of a miss */
	task = (void *)bpf_get_current_task();
	if (c->need_binary)
		take_exe(s, task, SLOT_BINARY);
	if (c->need_parent)
		take_exe(s, BPF_CORE_READ(task, real_parent), SLOT_PARENT);
}

#endif
