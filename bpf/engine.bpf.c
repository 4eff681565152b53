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

char LICENSE[] SEC("license") = "GPL";

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

#define TP_WORDS 16 /* words of a tracepoint record the slot programs load */

struct scratch {
	struct veto_policy_event ev;
	struct veto_str_key key;
	struct veto_addr_key akey;
	struct veto_num_key nkey;
	__u64 words[TP_WORDS]; /* a tracepoint's record or raw arguments (tp_words) */
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

static __always_inline struct scratch *get_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch, &zero);
}

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

static __always_inline __u64 read_caps(const kernel_cap_t *c)
{
	__u64 v = 0;

	/* u32 cap[2] before 6.3, u64 val after: the same 8 bytes either way */
	bpf_probe_read_kernel(&v, sizeof(v), c);
	return v;
}

static __always_inline void take_cred(struct scratch *s, struct veto_ev_arg *a, const struct cred *c)
{
	a->num[0] = BPF_CORE_READ(c, euid.val);
	a->num[1] = read_caps(&c->cap_effective);
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
	return (v & 0xffffffffull) | 0x80000000ull;
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

/* The string a dimension looks at, copied (or reversed) into s->key; the
 * lookup's result, or NULL. *cut: the path is not whole, nothing looked up. */
static __always_inline __u64 *lookup_str(struct scratch *s, __u8 hook, __u8 d, const struct veto_dim *dm,
					 bool *cut)
{
	const char *str;
	__u32 len, keep, slot;
	__u16 flags;

	if (dm->src == VS_BINARY) {
		str = s->ev.binary;
		len = s->ev.bin_len;
		flags = s->ev.bin_flags;
		slot = SLOT_BINARY;
	} else {
		struct veto_ev_arg *a = dm->src == VS_PARENT_BINARY ? &s->parent : ARG(s, dm->arg);

		str = a->str;
		len = a->len;
		flags = a->flags;
		slot = dm->src == VS_PARENT_BINARY ? SLOT_PARENT : dm->arg;
	}
	if (flags & VETO_ARG_NOPATH)
		return NULL;
	if (flags & VETO_ARG_CUT) {
		*cut = true;
		return NULL;
	}
	s->key.hook = hook;
	s->key.dim = d;
	if (dm->test == VT_STR_RLPM) {
		/* a path longer than str: its end was kept apart */
		if (flags & VETO_ARG_TRUNC)
			str = s->tails[slot & 7];
		/* from the last byte back, as many as a key holds */
		for (__u32 i = 0; i < VETO_STR_MAX; i++) {
			if (i >= len)
				break;
			s->key.s[i] = str[(len - 1 - i) & BUFM];
		}
		keep = len < VETO_STR_MAX ? len : VETO_STR_MAX;
	} else {
		if (len > VETO_STR_MAX)
			len = VETO_STR_MAX;
		/* with the NUL, so that Equal values (stored with theirs) match whole;
		 * the trie reads no further than the prefix length */
		keep = len < VETO_STR_MAX ? len + 1 : VETO_STR_MAX;
		barrier_var(keep);
		if (keep > VETO_STR_MAX)
			keep = VETO_STR_MAX;
		bpf_probe_read_kernel(s->key.s, keep, str);
	}
	s->key.prefixlen = 16 + 8 * keep;
	return bpf_map_lookup_elem(&str_lpm, &s->key);
}

static __always_inline __u64 arg_num(struct scratch *s, const struct veto_dim *dm, __u64 *b)
{
	struct veto_ev_arg *a = ARG(s, dm->arg);

	*b = 0;
	switch (dm->field) {
	case VF_INODE: *b = a->num[1]; return a->num[0];
	case VF_FAMILY: return a->family;
	case VF_PROTO: return a->proto;
	case VF_SPORT: return a->sport;
	case VF_DPORT: return a->dport;
	}
	return a->num[0];
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

static __always_inline __u64 dim_value(struct scratch *s, const struct veto_dim *dm, __u64 *b)
{
	*b = 0;
	switch (dm->src) {
	case VS_FOLLOW: return caller_follow_ids(dm->arg);
	case VS_ARG: return arg_num(s, dm, b);
	case VS_NS: return current_ns(dm->arg);
	case VS_PID:
		if (dm->arg == VP_NS)
			return ns_tgid((void *)bpf_get_current_task());
		return bpf_get_current_pid_tgid() >> 32;
	case VS_RET: return s->ev.retval;
	}
	return current_caps(dm->src);
}

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

/* The mask of selectors dimension d's values match, into s->hits. Global:
 * checked once by the verifier, whatever the number of hooks and dimensions. */
__noinline int veto_dim(__u32 hook, __u32 d)
{
	struct scratch *s = get_scratch();
	struct veto_hook_cfg *c = bpf_map_lookup_elem(&cfg, &hook);
	const struct veto_dim *dm;
	__u64 *v = NULL, x, b, hits = 0, care;

	if (!s || !c)
		return 0;
	s->hits = 0;
	dm = &c->dims[d & (VETO_DIM_MAX - 1)];

	switch (dm->test) {
	case VT_STR_LPM:
	case VT_STR_RLPM: {
		bool cut = false;

		v = lookup_str(s, hook, d, dm, &cut);
		if (cut) {
			/* undecided: satisfied where the selector denies or kills */
			s->hits = dm->negate ? ~c->undecided : c->undecided;
			return 0;
		}
		break;
	}
	case VT_NUM_HASH:
		s->nkey.hook = hook;
		s->nkey.dim = d;
		s->nkey.a = dim_value(s, dm, &b);
		s->nkey.b = b;
		v = bpf_map_lookup_elem(&num_hash, &s->nkey);
		break;
	case VT_ADDR_LPM: {
		struct veto_ev_arg *a = ARG(s, dm->arg);

		s->akey.hook = hook;
		s->akey.dim = d;
		bpf_probe_read_kernel(s->akey.addr, 16, dm->field == VF_DADDR ? a->daddr : a->saddr);
		s->akey.prefixlen = 16 + (a->family == 10 ? 128 : 32);
		if (a->family == 2 || a->family == 10)
			v = bpf_map_lookup_elem(&addr_lpm, &s->akey);
		break;
	}
	default:
		x = dim_value(s, dm, &b);
		care = dm->care;
		/* up to the last selector with this filter: usually the first few */
		for (__u32 i = 0; i < VETO_SEL_MAX; i++) {
			__u64 t = c->num[d & (VETO_DIM_MAX - 1)][i];
			bool ok;

			if (!(care >> i))
				break; /* no later selector has this filter */
			if (!(care >> i & 1))
				continue;
			if (dm->test == VT_EQ)
				ok = x == t;
			else if (dm->test == VT_GT)
				ok = x > t;
			else if (dm->test == VT_LT)
				ok = x < t;
			else if (dm->test == VT_SGT)
				ok = (__s64)x > (__s64)t;
			else if (dm->test == VT_SLT)
				ok = (__s64)x < (__s64)t;
			else
				ok = (x & t) != 0;
			if (ok)
				hits |= 1ull << i;
		}
		if (dm->src == VS_FOLLOW && dm->field == VF_FOLLOW_BIN && (x & VETO_FOLLOW_CUT))
			hits |= dm->negate ? ~c->undecided : c->undecided;
		s->hits = hits;
		return 0;
	}
	s->hits = v ? *v : 0;
	return 0;
}

/* The hook's configuration, if the policy uses the hook. */
static __always_inline struct veto_hook_cfg *hook_cfg(__u32 hook)
{
	struct veto_hook_cfg *c = bpf_map_lookup_elem(&cfg, &hook);

	return c && c->all ? c : NULL;
}

static __always_inline struct scratch *begin(__u32 hook, struct veto_hook_cfg **cp)
{
	struct veto_hook_cfg *c = hook_cfg(hook);
	struct scratch *s;

	if (!c)
		return NULL;
	s = get_scratch();
	if (!s)
		return NULL;
	*cp = c;
	return s;
}

/* m after one dimension's hits: a selector without its filter keeps its bit. */
static __always_inline __u64 apply_dim(__u64 m, const struct veto_dim *dm, __u64 hits)
{
	return dm->negate ? m & ~(hits & dm->care) : m & (hits | ~dm->care);
}

/* A dimension's phase: the caller's own (binaries, namespaces, pids,
 * capabilities, follow ids: cheap, and read before any argument), the
 * call's arguments, or a kprobe's return value. */
#define PH_PROC 1
#define PH_ARGS 2
#define PH_RET  4
static __always_inline __u32 dim_phase(const struct veto_dim *dm)
{
	return dm->src == VS_ARG ? PH_ARGS : dm->src == VS_RET ? PH_RET : PH_PROC;
}

/* The selectors m still matching after the dimensions of the phases in
 * `want`. */
static __always_inline __u64 match(struct scratch *s, struct veto_hook_cfg *c, __u8 hook, __u64 m, __u32 want)
{
	for (__u32 d = 0; d < VETO_DIM_MAX; d++) {
		const struct veto_dim *dm;
		__u64 hits;

		if (d >= c->n_dims)
			break;
		dm = &c->dims[d & (VETO_DIM_MAX - 1)];
		if (!(dim_phase(dm) & want))
			continue;
		if (dm->test == VT_EQ && dm->care == 1 && dm->src == VS_ARG && dm->field == VF_VALUE) {
			/* the commonest filter, one value in the first selector: no call */
			hits = arg_at(s, dm->arg)->num[0] == c->num[d & (VETO_DIM_MAX - 1)][0];
		} else {
			veto_dim(hook, d);
			hits = s->hits;
		}
		s->dhits[d & (VETO_DIM_MAX - 1)] = hits;
		s->dseen |= 1u << d;
		m = apply_dim(m, dm, hits);
		if (!m)
			return 0;
	}
	return m;
}

/* The selectors the caller itself leaves, before any argument is read: a
 * caller every selector rules out pays for no path walk. Starts a call's
 * record of the dimensions seen (dseen). */
static __always_inline __u64 match_caller(struct scratch *s, struct veto_hook_cfg *c, __u8 hook)
{
	s->dseen = 0;
	if (!c->proc_dims)
		return c->all;
	take_binaries(s, c);
	return match(s, c, hook, c->all, PH_PROC);
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
	if (!c->need_binary) {
		s->ev.bin_len = 0;
		s->ev.bin_flags = VETO_ARG_NOPATH;
	}
}

/* What the first selector left in m does. 64-bit and sign-extended: newer
 * verifiers check the whole register is -errno. */
static __always_inline long act(struct scratch *s, struct veto_hook_cfg *c, __u8 hook, __u64 m)
{
	struct veto_sel_action *act;
	__u64 pid_tgid;
	__u32 sel, flags;
	__s64 ret = 0;

	sel = lowest_bit(m) & (VETO_SEL_MAX - 1);
	act = &c->act[sel];
	flags = act->flags;
	if (flags & (VA_SIGKILL | VA_OVERRIDE))
		ret = act->err ? (__s64)act->err : -EPERM;
	if (ret < -4095 || ret > 0) /* LSM programs may only return 0 or -errno */
		ret = -EPERM;
	if (c->slot_kind != VK_LSM)
		ret = 0; /* nothing to deny with: the kill is all there is */
	if (!c->monitor) {
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
		if (bpf_ringbuf_output(&policy_events, &s->ev, sizeof(s->ev), 0)) {
			__u32 key = VETO_LOST_EVENTS;
			__u64 *lost = bpf_map_lookup_elem(&policy_lost, &key);

			if (lost)
				(*lost)++;
		}
	}
	return c->monitor ? 0 : ret;
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

/* Remembered path verdicts (LSM hooks with a file argument, cfg.pcache):
 * a path that rules out every selector is remembered at its second walk,
 * with its inode, dentry, mount, rename count and mount count; later calls
 * on it return at once while those hold.
 * A dentry freed and its address reused for another name of the same inode
 * is bound through d_instantiate first, which forgets the inode's verdicts
 * (veto_pcache_inv). */
static __always_inline __u64 pc_mix(__u64 h, __u64 v)
{
	h ^= v;
	h *= 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}

static __always_inline __u64 pc_sum(__u64 d, __u64 m, __u64 seqs, __u64 hooks)
{
	return pc_mix(pc_mix(pc_mix(pc_mix(pcache_key, d), m), seqs), hooks);
}

#define PC_LOAD(x) (*(volatile __u64 *)&(x)) /* each field of an entry read once */

/* A kernel pointer as a number to hash and store: through memory, since
 * the verifier allows no arithmetic on the pointer itself. */
static __always_inline __u64 pc_scalar(struct scratch *s, const void *p)
{
	PC_LOAD(s->pc_word) = (__u64)p;
	return PC_LOAD(s->pc_word);
}

/* The rename and mount counts before the walk, as rename << 32 | mount | 1
 * (both even: 1 marks them read); 0 when unread or one is under way. */
static __always_inline __u64 pc_read_seqs(void)
{
	__u32 off = bpf_core_field_offset(seqlock_t, seqcount.seqcount.sequence);
	__u32 r = 1, m = 1;

	if (bpf_probe_read_kernel(&r, sizeof(r), (void *)&rename_lock + off) ||
	    bpf_probe_read_kernel(&m, sizeof(m), (void *)&mount_lock + off) || ((r | m) & 1))
		return 0;
	return (__u64)r << 32 | m | 1;
}

/* Whether the inode's path was walked before; marks it walked if not. */
static __always_inline bool pc_walked(struct inode *ino)
{
	__u64 id = (__u64)ino->i_sb->s_dev << 32 ^ ino->i_ino, *seen;
	__u32 k = pc_mix(pcache_key, id) % PC_SEEN;

	seen = bpf_map_lookup_elem(&pc_seen, &k);
	if (!seen)
		return false;
	if (*seen == id)
		return true;
	*seen = id;
	return false;
}

/* Whether argument i, file f, is remembered to rule out every selector;
 * seqs: the counts for pc_remember, read only where it may remember. Before
 * the scratch record is looked up: a remembered verdict needs none of it. */
static __always_inline bool pc_known(struct veto_hook_cfg *c, __u32 hook, __u32 i, struct file *f,
				     __u64 *seqs)
{
	struct veto_pcache *e;
	struct inode *ino;
	__u64 d, m, sq, hooks;

	if (c->pcache != i + 1 || !f)
		return false;
	ino = f->f_inode;
	if (!ino)
		return false;
	e = bpf_inode_storage_get(&pcache, ino, 0, 0);
	if (!e) {
		if (pc_walked(ino))
			*seqs = pc_read_seqs();
		return false;
	}
	if (!(*seqs = pc_read_seqs()))
		return false;
	d = PC_LOAD(e->dentry);
	m = PC_LOAD(e->mnt);
	sq = PC_LOAD(e->seqs);
	hooks = PC_LOAD(e->hooks);
	/* a number against a pointer: comparing is allowed, hashing is not */
	return d == (__u64)f->f_path.dentry && m == (__u64)f->f_path.mnt && sq == *seqs && (hooks >> hook & 1) &&
	       PC_LOAD(e->check) == pc_sum(d, m, sq, hooks);
}

/* Whether the path of argument i alone leaves a selector: from the masks
 * match() found, and the path's other dimensions. Global: checked once. */
__noinline int veto_path_leaves(__u32 hook, __u32 i)
{
	struct scratch *s = get_scratch();
	struct veto_hook_cfg *c = bpf_map_lookup_elem(&cfg, &hook);
	__u64 m;

	if (!s || !c)
		return 1;
	m = c->all;
	for (__u32 d = 0; d < VETO_DIM_MAX; d++) {
		const struct veto_dim *dm;
		__u64 hits;

		if (d >= c->n_dims)
			break;
		dm = &c->dims[d];
		if (!veto_dim_on_path(dm, i))
			continue;
		if (s->dseen >> d & 1) {
			hits = s->dhits[d];
		} else {
			veto_dim(hook, d);
			hits = s->hits;
		}
		m = apply_dim(m, dm, hits);
	}
	return m != 0;
}

/* After a walk: remember the verdict if the path ruled out every selector
 * (the bits of other hooks kept while the entry still holds). */
static __always_inline void pc_remember(struct scratch *s, struct veto_hook_cfg *c, __u32 hook, __u32 i,
					struct file *f)
{
	struct veto_pcache *e;
	struct inode *ino;
	__u64 d, m, hooks = 0;

	if (!s->pc_seqs || c->pcache != i + 1 || i >= VETO_ARG_MAX ||
	    (s->ev.args[i].flags & (VETO_ARG_CUT | VETO_ARG_NOPATH)))
		return; /* a first walk, a path cut or unread is not remembered */
	ino = f->f_inode;
	if (!ino || veto_path_leaves(hook, i))
		return;
	e = bpf_inode_storage_get(&pcache, ino, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!e)
		return;
	d = pc_scalar(s, f->f_path.dentry);
	m = pc_scalar(s, f->f_path.mnt);
	if (PC_LOAD(e->dentry) == d && PC_LOAD(e->mnt) == m && PC_LOAD(e->seqs) == s->pc_seqs) {
		hooks = PC_LOAD(e->hooks);
		if (PC_LOAD(e->check) != pc_sum(d, m, s->pc_seqs, hooks))
			hooks = 0;
	}
	hooks |= 1ull << hook;
	e->dentry = d;
	e->mnt = m;
	e->seqs = s->pc_seqs;
	e->hooks = hooks;
	e->check = pc_sum(d, m, s->pc_seqs, hooks);
}

/* The file an argument names: a file, or the one an exec runs; for other
 * kinds a constant NULL, and the code for it folds away. */
#define PC_FILE(v)                                                                         \
	_Generic((v), struct file *: (struct file *)(unsigned long)(v),                    \
		 struct linux_binprm *: ((struct linux_binprm *)(unsigned long)(v))->file, \
		 default: (struct file *)0)
#define KNOWN(i, v) if (PC_FILE(v) && pc_known(c, hook, i, PC_FILE(v), &seqs)) return 0;
#define REMEMBER(i, v) if (PC_FILE(v)) pc_remember(s, c, hook, i, PC_FILE(v));
#define K1 KNOWN(0, a0)
#define K2 K1 KNOWN(1, a1)
#define K3 K2 KNOWN(2, a2)
#define K4 K3 KNOWN(3, a3)
#define K5 K4 KNOWN(4, a4)
#define R1 REMEMBER(0, a0)
#define R2 R1 REMEMBER(1, a1)
#define R3 R2 REMEMBER(2, a2)
#define R4 R3 REMEMBER(3, a3)
#define R5 R4 REMEMBER(4, a4)

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
		return s->words[k & (TP_WORDS - 1)];
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
		return s->words[rd.off & (TP_WORDS - 1)];
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

	/* signal->live reaches 0 (before this tracepoint) when the last thread goes */
	if (BPF_CORE_READ(p, signal, live.counter) == 0)
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
