/* Process cache: one entry per process image (exec) or fork, keyed by pid for
 * the image that runs now, linked to its parent so events can carry `parent`
 * and `ancestors`. Exited entries are freed once no child refers to them. */
#ifndef VETO_EVENTS_CACHE_H
#define VETO_EVENTS_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bpf/process.h"
#include "events/container.h"
#include "events/decode.h"

/* Userspace flags, in the order Tetragon prints its flag names. */
#define PF_EXECVE       (1u << 0)  /* "execve" */
#define PF_PROCFS       (1u << 1)  /* "procFS": learned from /proc at start */
#define PF_TRUNC_PATH   (1u << 2)  /* "truncFilename" */
#define PF_TRUNC_ARGS   (1u << 3)  /* "truncArgs" */
#define PF_MISS         (1u << 5)  /* "miss": its fork or exec was not seen */
#define PF_ERR_PATH     (1u << 7)  /* "errorFilename" */
#define PF_ERR_ARGS     (1u << 8)  /* "errorArgs" */
#define PF_ROOTCWD      (1u << 11) /* "rootcwd" */
#define PF_ERR_CWD      (1u << 12) /* "errorCWD" */
#define PF_CLONE        (1u << 13) /* "clone": created by fork, seen by us */

/* Writes the space-separated flag names; returns the length. */
size_t proc_flags_str(uint32_t flags, char *out, size_t outlen);

/* Ancestors kept above an entry where they have all ended: the parent and the
 * 64 ancestors an exec event can list. Beyond, a chain of ended images (a
 * process that re-execs itself, generations that fork and exit) is cut, so
 * that what one process makes the cache hold is bounded. */
#define PROC_KEEP_ANCESTORS 65
/* Ended entries held for their grace period, at most: past this, the oldest
 * goes early. */
#define PROC_DEFER_MAX 4096

/* base64 of "node:ktime:pid" (a 64-byte node, two 20-digit numbers) and its NUL */
#define EXEC_ID_MAX (4 * ((64 + 2 * 20 + 2 + 2) / 3) + 1)

struct proc {
	uint64_t ktime;      /* exec_id's time part (ns) */
	uint64_t start_wall; /* start_time, ns since the epoch */
	uint32_t pid, tid, ppid, nspid;
	uint32_t uid, gid, euid, egid, suid, sgid, fsuid, fsgid, auid;
	uint32_t flags;      /* PF_* */
	uint64_t cap[3];     /* permitted, effective, inheritable */
	uint32_t ns[VN__COUNT];
	uint64_t cgroup_id;
	const char *binary, *args, *cwd, *cgroup; /* after the entry, in its allocation */
	const char *exec_id; /* there too: most are far shorter than EXEC_ID_MAX */
	const char *argv;    /* there too: argv[1..] as they are, each ending in NUL */
	uint32_t argv_len;
	struct container_id container;
	struct proc *parent;
	uint32_t refs;       /* 1 while current + one per child entry */
	bool current;        /* the image that runs now for its pid */
	bool exited;
	bool gone;           /* current, yet its pid was found gone by a sweep */
	struct proc *hnext;  /* pid hash chain (current entries only) */
	struct proc *dnext;  /* deferred-release queue */
	uint64_t release_at; /* monotonic ns */
};

struct proc_cache_stats {
	uint64_t live;     /* entries whose process runs */
	uint64_t entries;  /* all entries held, including exited parents */
	uint64_t misses;   /* events for a pid the cache did not know */
	uint64_t reaped;
};

struct proc_cache;

/* node: the node name of exec_ids. grace_ns: how long an exited entry stays
 * for late events. */
int proc_cache_new(struct proc_cache **out, const char *node, uint64_t grace_ns);
void proc_cache_free(struct proc_cache *c);

/* Converts monotonic and boot-time ns to wall time (set once at start). */
void proc_cache_set_clocks(struct proc_cache *c, int64_t mono_to_wall, int64_t boot_to_wall);

/* Applies one decoded record. For exec and exit, *out is the entry the event
 * is about (held until the next call that changes the cache: encode it
 * first). Fork returns 0 and *out = the new entry. Returns 0 or -errno. */
int proc_cache_apply(struct proc_cache *c, const struct proc_decoded *d, struct proc **out);

/* The entry running now under pid, or NULL. */
struct proc *proc_cache_find(struct proc_cache *c, uint32_t pid);

/* Inserts a process learned from /proc (flags PF_PROCFS). Parents are linked
 * by proc_cache_link_procfs() once every process was inserted. */
int proc_cache_insert_procfs(struct proc_cache *c, const struct proc *p, const char *binary,
			     const char *args, const char *argv, size_t argv_len, const char *cwd,
			     const char *cgroup);
void proc_cache_link_procfs(struct proc_cache *c);
/* The current entries learned from /proc, parents before children (by start
 * time), into a new array (free() it); returns how many, or -ENOMEM. */
ssize_t proc_cache_procfs_list(struct proc_cache *c, struct proc ***out);

/* First half of a sweep for lost exits: marks the current entries whose pid
 * no longer exists. Returns how many. */
size_t proc_cache_mark_gone(struct proc_cache *c, bool (*exists)(uint32_t pid, void *ctx), void *ctx);

/* Frees exited entries whose grace period is over (now: monotonic ns); with
 * sweep, also drops the entries marked gone that are still current: their
 * exit was lost, as every record queued before the mark was read since.
 * Returns the number freed. */
size_t proc_cache_reap(struct proc_cache *c, uint64_t now, bool sweep);

void proc_cache_stats(const struct proc_cache *c, struct proc_cache_stats *s);

/* Namespace inode numbers of ROOT/PID/ns/NAME (0 where absent); -ENOENT if none. */
int proc_read_ns(const char *root, uint32_t pid, uint32_t ns[VN__COUNT]);

/* Learns every process in /proc (root: a /proc path, normally "/proc").
 * Returns the number inserted or -errno. */
int proc_cache_scan(struct proc_cache *c, const char *root);

#endif
