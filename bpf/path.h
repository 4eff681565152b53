/* The kernel side's one path walker, shared by bpf/process.bpf.c and
 * bpf/engine.bpf.c: (dentry, mount) to an absolute path, whole at any depth
 * up to the kernel's own limit, or marked cut. Kernel types: include after
 * vmlinux.h.
 *
 * Names are prepended leaf first, as the kernel's d_path does, so the path
 * ends at buf[VETO_PATH_MAX - 1] (its NUL) and starts at buf[pos]: one pass,
 * no list of names to replay. A walk runs in steps of VETO_WALK_STEP levels;
 * each object calls its step from a global function in a bounded loop, so the
 * verifier checks VETO_WALK_STEP levels once, however deep the walk goes. */
#ifndef VETO_BPF_PATH_H
#define VETO_BPF_PATH_H

#define VETO_PATH_MAX   4096 /* the kernel's PATH_MAX: with its NUL */
#define VETO_NAME_MAX   255  /* one name, without its NUL */
#define VETO_WALK_STEP  64   /* levels per step */
/* A path of VETO_PATH_MAX bytes has at most VETO_PATH_MAX / 2 names; the
 * rest is room for mount crossings. */
#define VETO_WALK_STEPS 40
/* A walk's buffer: the path, and room past its end for the verifier to see
 * a name written at any masked offset in bounds. */
#define VETO_WALK_BUF   (VETO_PATH_MAX + VETO_NAME_MAX + 1)

/* How a walk ended. */
enum veto_walk_end {
	VW_MORE,  /* not yet: call the step again */
	VW_WHOLE, /* reached the root: buf[pos..] is the whole path */
	VW_CUT,   /* longer than VETO_PATH_MAX, deeper than the steps reach, or a
		   * name unreadable: buf[pos..] is the leaf end of the path only */
};

struct veto_walk {
	__u64 d;   /* the next dentry to name */
	__u64 mnt; /* its struct mount, 0 to stay in the dentry's filesystem */
	__u32 pos; /* the path so far starts at buf[pos] */
	__u32 end; /* enum veto_walk_end */
};

/* Up to three neighbouring 8-byte fields of a kernel object in one probe
 * read (a walk's cost is its reads), at their CO-RE offsets; f2 may repeat
 * f1. Fields spread over more than 32 bytes are read one by one. */
#define READ_NEAR(obj, f0, f1, f2, v0, v1, v2)                                              \
	do {                                                                                \
		__u32 o0 = bpf_core_field_offset(typeof(*(obj)), f0);                        \
		__u32 o1 = bpf_core_field_offset(typeof(*(obj)), f1);                        \
		__u32 o2 = bpf_core_field_offset(typeof(*(obj)), f2);                        \
		__u64 w[4] = {};                                                            \
		if (o1 > o0 && o2 >= o1 && o2 - o0 <= 24 && !((o1 - o0) & 7) && !((o2 - o0) & 7)) { \
			bpf_probe_read_kernel(w, o2 - o0 + 8, (void *)(obj) + o0);           \
			v0 = (typeof(v0))w[0];                                              \
			v1 = (typeof(v1))w[((o1 - o0) >> 3) & 3];                           \
			v2 = (typeof(v2))w[((o2 - o0) >> 3) & 3];                           \
		} else {                                                                    \
			v0 = (typeof(v0))BPF_CORE_READ(obj, f0);                             \
			v1 = (typeof(v1))BPF_CORE_READ(obj, f1);                             \
			v2 = (typeof(v2))BPF_CORE_READ(obj, f2);                             \
		}                                                                           \
	} while (0)

#define VETO_DELETED     " (deleted)"
#define VETO_DELETED_LEN 10

/* Starts a walk of (dentry, vfsmount); a NULL vfsmount walks the dentry's
 * own filesystem up to its root. */
static __always_inline void veto_walk_begin(struct veto_walk *w, char *buf, __u64 dentry, __u64 vfsmnt)
{
	w->d = dentry;
	w->mnt = vfsmnt ? vfsmnt - bpf_core_field_offset(struct mount, mnt) : 0;
	w->pos = VETO_PATH_MAX - 1;
	w->end = VW_MORE;
	buf[VETO_PATH_MAX - 1] = '\0';
}

/* Right after veto_walk_begin: a leaf no longer linked in its directory
 * gets " (deleted)" after its path, as the kernel writes it. */
static __always_inline void veto_walk_mark_deleted(struct veto_walk *w, char *buf)
{
	struct dentry *d = (void *)w->d, *parent = NULL;
	void *pprev = NULL;

	if (!d)
		return;
	parent = BPF_CORE_READ(d, d_parent);
	pprev = BPF_CORE_READ(d, d_hash.pprev);
	if (pprev || parent == d)
		return; /* hashed, or a root: see veto_walk_step */
	w->pos = VETO_PATH_MAX - 1 - VETO_DELETED_LEN;
	__builtin_memcpy(&buf[VETO_PATH_MAX - 1 - VETO_DELETED_LEN], VETO_DELETED, VETO_DELETED_LEN);
}

static __always_inline __u32 veto_walk_whole(struct veto_walk *w, char *buf)
{
	if (w->pos == VETO_PATH_MAX - 1) { /* the root itself */
		w->pos = VETO_PATH_MAX - 2;
		buf[VETO_PATH_MAX - 2] = '/';
	}
	return w->end = VW_WHOLE;
}

/* Up to VETO_WALK_STEP more levels; returns w->end. The path's start goes
 * through w->pos at every level: the verifier then forgets how each name's
 * length got there, so the states of a mount crossing and of a name meet at
 * the next level instead of multiplying. */
static __always_inline __u32 veto_walk_step(struct veto_walk *w, char *buf)
{
	struct dentry *d = (void *)w->d, *parent, *mnt_root = NULL, *mnt_point = NULL;
	struct mount *mnt = (void *)w->mnt, *mnt_parent = NULL;
	const unsigned char *name;
	__u64 hash_len, len;
	__u32 pos, i;

	if (mnt)
		READ_NEAR(mnt, mnt_parent, mnt_mountpoint, mnt.mnt_root, mnt_parent, mnt_point, mnt_root);
	for (i = 0; i < VETO_WALK_STEP; i++) {
		if (mnt && d == mnt_root) {
			if (mnt_parent == mnt)
				return veto_walk_whole(w, buf);
			d = mnt_point;
			mnt = mnt_parent;
			READ_NEAR(mnt, mnt_parent, mnt_mountpoint, mnt.mnt_root, mnt_parent, mnt_point, mnt_root);
			continue;
		}
		READ_NEAR(d, d_parent, d_name.hash_len, d_name.name, parent, hash_len, name);
		if (!d || (d == parent && !mnt))
			return veto_walk_whole(w, buf); /* the filesystem's root */
		pos = *(volatile __u32 *)&w->pos;
		if (d == parent) {
			/* its own root but not its mount's: a file with no name in any
			 * directory (memfd, shared memory), named as the kernel names it:
			 * "/NAME (deleted)"; anything above such a leaf is no path */
			if (pos != VETO_PATH_MAX - 1)
				return w->end = VW_CUT;
			pos = VETO_PATH_MAX - 1 - VETO_DELETED_LEN;
			__builtin_memcpy(&buf[pos], VETO_DELETED, VETO_DELETED_LEN);
			*(volatile __u32 *)&w->pos = pos;
			w->end = VW_WHOLE;
		}
		len = hash_len >> 32;
		/* the name and its '/' must fit before the path so far */
		if (len > VETO_NAME_MAX || len + 1 > pos)
			return w->end = VW_CUT;
		pos -= len;
		if (bpf_probe_read_kernel(&buf[pos & (VETO_PATH_MAX - 1)], len & VETO_NAME_MAX, name))
			return w->end = VW_CUT;
		pos--;
		buf[pos & (VETO_PATH_MAX - 1)] = '/';
		*(volatile __u32 *)&w->pos = pos;
		if (w->end == VW_WHOLE)
			return VW_WHOLE;
		d = parent;
	}
	w->d = (__u64)d;
	w->mnt = (__u64)mnt;
	return VW_MORE;
}

/* Where the path a finished walk wrote starts: a path that is not whole
 * loses its leading '/', so it is never taken for the absolute path it is
 * not (a walk that ran out of steps counts as cut). */
static __always_inline __u32 veto_walk_start(const struct veto_walk *w)
{
	return w->end != VW_WHOLE && w->pos < VETO_PATH_MAX - 1 ? w->pos + 1 : w->pos;
}

#endif
