/* Part of bpf/engine.bpf.c: the LSM hooks' remembered path verdicts. */
#ifndef VETO_BPF_ENGINE_PCACHE_H
#define VETO_BPF_ENGINE_PCACHE_H

#include "engine_match.h"

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

#endif
