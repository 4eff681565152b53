/* Inside src/store: the store's state, shared by its files. */
#ifndef VETO_STORE_STORE_IMPL_H
#define VETO_STORE_STORE_IMPL_H

#include "store/store.h"

#define STORE_LINE_MAX (4 << 20)  /* a longer line is refused, not stored */
#define STORE_FIELD_MAX 4096      /* the longest exec_id taken */
#define STORE_PCACHE_SLOTS 32768  /* exec_id -> id cache: a power of two */
#define STORE_PCACHE_KEY 80       /* longer exec_ids are looked up, not cached */

struct sqlite3_stmt;

/* A known process: its row's id, and what the row already holds. */
struct store_pcache {
	int64_t id;
	uint8_t len;
	bool exec;  /* filled from its exec event */
	bool full;  /* filled from a process object with a binary */
	char key[STORE_PCACHE_KEY];
};

struct store {
	struct sqlite3 *db;
	bool readonly;
	/* ingest (src/store/ingest.c): its statements (made at the first put,
	 * finalized by store_close), the buffer strings are unescaped into, and
	 * the process cache */
	struct sqlite3_stmt *st_proc_exec, *st_proc_fill, *st_exit, *st_event;
	char *scratch;
	size_t scratch_cap, scratch_used;
	struct store_pcache pcache[STORE_PCACHE_SLOTS];
};

/* SQLite's result code as -errno (SQLITE_FULL: -ENOSPC). */
int store_errno(int rc);
/* Forgets every cached process (after a rollback or a delete). */
void store_cache_clear(struct store *s);

#endif
