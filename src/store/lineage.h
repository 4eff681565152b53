/* A process's lineage from the store: its ancestors up to the first one the
 * store knows, the process, and its descendants, each a row of processes;
 * their events read one process at a time. Every walk is bounded (limits
 * below) and follows the indexes (processes' exec_id, processes_parent,
 * processes_pid, events_proc), so its cost does not grow with the store, and
 * hostile rows (a parent_exec_id loop, a fork bomb's million children) end
 * it with a count of what was left out. */
#ifndef VETO_STORE_LINEAGE_H
#define VETO_STORE_LINEAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sqlite3;
struct sqlite3_stmt;

#define LIN_NONE ((size_t)-1)
#define LIN_TEXT_MAX 65536   /* a string of a row, at most (bytes) */
#define LIN_COUNT_MAX 100000 /* "N more" counts stop here ("100000+") */

struct lin_limits {
	unsigned ancestors; /* ancestors shown, at most */
	unsigned depth;     /* levels of descendants below the process */
	unsigned procs;     /* descendants shown, at most */
	unsigned events;    /* events shown per process, at most */
};
#define LIN_LIMITS_DEFAULT { .ancestors = 64, .depth = 64, .procs = 1000, .events = 100 }

/* One row of processes. Strings are NULL when the column is. */
struct lin_proc {
	int64_t id; /* processes.id, events.proc */
	char *exec_id, *parent_exec_id, *node, *binary, *arguments, *cwd, *flags, *exit_signal,
		*container, *pod;
	int64_t pid, uid, start_time, exit_time, exit_status;
	bool has_pid, has_uid, has_start, has_exit, has_status;
	unsigned depth;       /* 0: the first process shown (the top ancestor) */
	size_t parent;        /* its index in lineage.p, LIN_NONE for the first */
	size_t kid, next;     /* its first child, its next sibling: start order */
	uint64_t kids_more;   /* children the limits left out (LIN_COUNT_MAX: or more) */
	bool kids_cut_depth;  /* left out by the depth limit (else by the count) */
};

/* How the ancestors end. */
enum lin_top {
	LIN_TOP_ROOT,    /* the first process has no parent */
	LIN_TOP_MISSING, /* its parent is not in the store */
	LIN_TOP_LIMIT,   /* more ancestors than the limit: top_parent is the next */
	LIN_TOP_CYCLE,   /* its parent_exec_id leads back into the chain */
};

struct lineage {
	struct lin_proc *p; /* pre-order: parents before children, siblings in start order */
	size_t n, cap;
	size_t subject;
	unsigned depth_limit; /* the subject's depth + limits.depth */
	enum lin_top top;
	char *top_parent; /* MISSING, LIMIT, CYCLE: the parent_exec_id where it ended */
	uint64_t procs_more; /* descendants left out, over all processes (capped) */
};

/* The lineage of exec_id. 0; -ENOENT when no process has that exec_id;
 * -ENOMEM; -EIO with err (the database's message). */
int lineage_load(struct sqlite3 *db, const char *exec_id, const struct lin_limits *lim,
		 struct lineage *out, char *err, size_t errlen);
void lineage_free(struct lineage *l);

/* The process with pid that started last at or before at (INT64_MAX: the
 * most recent; one without a start time only then), *exec_id to free, and
 * how many processes have that pid in all (capped at LIN_COUNT_MAX). 0,
 * -ENOENT, -ENOMEM, -EIO with err. */
int lineage_pid(struct sqlite3 *db, int64_t pid, int64_t at, char **exec_id, uint64_t *count, char *err,
		size_t errlen);
/* The processes with pid, most recent first, at most limit: fn per row
 * (nonzero stops, returned). */
typedef int (*lin_proc_fn)(void *ctx, const struct lin_proc *p);
int lineage_pid_list(struct sqlite3 *db, int64_t pid, unsigned limit, lin_proc_fn fn, void *ctx,
		     char *err, size_t errlen);

/* One event of a process, valid until the next lin_events_next. */
struct lin_event {
	int64_t time;
	const char *type, *policy, *hook, *action, *outcome; /* NULL when the column is */
	const char *json;
	size_t json_len;
};

/* A process's events in time order (arrival order among equal times),
 * without its exec and exit (its row says those), at most limit, read
 * through a statement lin_events_prepare made (one for each walk that is
 * open at once; sqlite3_finalize frees it). */
struct lin_events {
	struct sqlite3_stmt *st;
	int64_t proc;
	unsigned limit, left;
	bool cut; /* the limit stopped it: lin_events_more counts the rest */
};
int lin_events_prepare(struct sqlite3 *db, struct sqlite3_stmt **st);
void lin_events_start(struct lin_events *it, struct sqlite3_stmt *st, int64_t proc, unsigned limit);
/* 1 an event in *e, 0 no more, -EIO (the database's error). */
int lin_events_next(struct lin_events *it, struct lin_event *e);
/* After the last event: those the limit left out (capped), 0 when none. */
uint64_t lin_events_more(struct lin_events *it);

#endif
