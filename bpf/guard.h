/* The guard's table and settings, shared by bpf/guard.bpf.c and
 * src/load/guard.c. */
#ifndef VETO_BPF_GUARD_H
#define VETO_BPF_GUARD_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define GUARD_MAX_OBJECTS 16384 /* protected ids and inodes, all policies together */
#define GUARD_MAX_SIGNALLERS 8
#define GUARD_MAX_DEVS 4        /* file systems holding protected inodes */
#define GUARD_USER_HZ 100       /* /proc's clock ticks (USER_HZ on every architecture veto runs on) */

enum guard_kind {
	GK_PROG = 1,
	GK_MAP,
	GK_LINK,
	GK_INODE,
};

/* One protected object: a BPF object by id, or an inode by device and
 * number. The value is how many holders protect it. */
struct guard_key {
	__u32 kind;
	__u32 dev; /* GK_INODE: the kernel's dev_t of its super block ((major << 20) | minor) */
	__u64 id;  /* the object's id, or the inode's number */
};

/* A process allowed to signal the agent: its pid and start time (clock
 * ticks after boot, /proc/PID/stat's 22nd field), so a reused pid is not it. */
struct guard_signaller {
	__u32 tgid;
	__u32 pad;
	__u64 start_ticks;
};

/* A file system holding protected inodes and how many. */
struct guard_dev {
	__u32 dev;
	__u32 count;
};

#endif
