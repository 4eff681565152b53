/* Shared by bpf/process.bpf.c and src/sensors, src/events: no kernel types.
 * One record per event goes through the sensor's ring buffer: a fixed header
 * (struct veto_proc_event) followed by variable sections whose lengths it gives. */
#ifndef VETO_BPF_PROCESS_H
#define VETO_BPF_PROCESS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#include "ns.h" /* enum veto_ns: the slots of ns[] */

enum veto_proc_type {
	PROC_EV_EXEC = 1,
	PROC_EV_FORK = 2,
	PROC_EV_EXIT = 3,
};

/* Bit flags set by the kernel side (Tetragon's meaning where it has one). */
#define PROC_F_TRUNC_PATH  (1u << 0) /* binary path not whole: the leaf end only */
#define PROC_F_TRUNC_ARGS  (1u << 1) /* arguments cut at PROC_ARGS_MAX */
#define PROC_F_TRUNC_CWD   (1u << 2)
#define PROC_F_ERR_PATH    (1u << 3) /* could not read the binary path */
#define PROC_F_ERR_ARGS    (1u << 4)
#define PROC_F_ERR_CWD     (1u << 5)
#define PROC_F_NO_AUID     (1u << 6) /* kernel without audit: auid unknown */
#define PROC_F_PATH_PLAIN  (1u << 7) /* binary section is a plain string, not components */


/* Section limits (bytes, including separators). Powers of two: the BPF side
 * masks offsets with them so the verifier can bound every write. */
#define PROC_PATH_MAX   4096 /* a path, a plain string: PATH_MAX */
/* the binary's section: the name as exec'd when absolute ("" if not), then
 * the file's own path, each with its NUL */
#define PROC_BIN_MAX    (2 * PROC_PATH_MAX)
#define PROC_ARGS_MAX   2048 /* argv as the process has it: NUL separated */
#define PROC_CWD_MAX    4096 /* like the path */
#define PROC_CGRP_MAX   512  /* cgroup v2 path, components leaf first */
#define PROC_CGRP_DEPTH 12
#define PROC_DATA_MAX   (PROC_BIN_MAX + PROC_ARGS_MAX + PROC_CWD_MAX + PROC_CGRP_MAX)

/* Per-CPU counters (BPF_MAP_TYPE_PERCPU_ARRAY, index below; userspace sums). */
enum veto_proc_counter {
	PROC_CNT_SENT,      /* records written to the ring buffer */
	PROC_CNT_LOST,      /* ring buffer full: record dropped */
	PROC_CNT_LOST_EXEC, /* of which exec */
	PROC_CNT_LOST_EXIT, /* of which exit */
	PROC_CNT__COUNT,
};

struct veto_proc_event {
	__u32 type;       /* enum veto_proc_type */
	__u32 size;       /* header + sections, bytes */
	__u64 ktime;      /* bpf_ktime_get_ns() when it happened (CLOCK_MONOTONIC) */
	__u64 start_ktime; /* exec/fork: == ktime; exit: task start (monotonic) */
	__u32 pid;        /* tgid */
	__u32 tid;
	__u32 ppid;       /* real parent's tgid */
	__u32 nspid;      /* pid inside the task's own pid namespace */
	__u32 uid, gid, euid, egid, suid, sgid, fsuid, fsgid;
	__u32 auid;
	__u32 flags;      /* PROC_F_* */
	__u64 cap_permitted, cap_effective, cap_inheritable;
	__u64 cgroup_id;
	__u64 parent_start; /* real parent's task start (monotonic ns) */
	__u32 ns[VN__COUNT];
	__u32 exit_code;  /* wait(2) status: code << 8 | signal */
	__u16 path_len, args_len, cwd_len, cgrp_len; /* section bytes, in this order */
	__u32 pad;
	/* sections follow */
};

#endif
