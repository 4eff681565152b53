/* The event store: exported events (Tetragon GetEventsResponse JSON lines,
 * the agent's or Tetragon's) kept in a SQLite database (WAL) whose schema is
 * src/store/schema.sql, for getevents --from-store, lineage and simulate.
 * One ingest path, store_put_json, for the agent's sink and for import. */
#ifndef VETO_STORE_STORE_H
#define VETO_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_SCHEMA_VERSION 1

struct store;
struct sqlite3;

/* Opens (read-only: the file must exist and have this schema) or creates
 * the store at path. 0, or -errno with err saying why. */
int store_open(struct store **out, const char *path, bool readonly, char *err, size_t errlen);
void store_close(struct store *s);
/* The database, for readers' own queries (lineage). */
struct sqlite3 *store_db(struct store *s);

/* One exported line (no newline needed) -> its rows, inside the current
 * batch. 0; -EINVAL with err for a line that is no event; -ENOSPC when the
 * disk is full; other -errno. */
int store_put_json(struct store *s, const char *line, size_t len, char *err, size_t errlen);
/* Batches: puts between begin and commit are one transaction. */
int store_begin(struct store *s);
int store_commit(struct store *s);
/* Drops the current batch (after a put failed with -ENOSPC, say). */
void store_rollback(struct store *s);

/* The file's size and the bytes its pages in use take (the rest are free
 * pages later inserts reuse). 0 or -errno. */
int store_size(struct store *s, uint64_t *file_bytes, uint64_t *used_bytes);

/* What retention deleted. */
struct store_retained {
	uint64_t events, processes;
};
/* One bounded step of retention, its own transaction: at most chunk events
 * older than min_time (ns since the epoch; 0: no age bound), else, while
 * the pages in use exceed max_bytes (0: no bound), the chunk oldest; then at
 * most chunk processes that exited before the cutoff with no event left and
 * no child kept. Adds to *r. 1: more to delete; 0: done; -errno. */
int store_retain(struct store *s, int64_t min_time, uint64_t max_bytes, unsigned chunk, struct store_retained *r);

/* Events with since <= time < until (ns since the epoch; 0: unbounded), in
 * time order, as their exported lines. fn returns nonzero to stop (that
 * value is returned). */
typedef int (*store_event_fn)(void *ctx, const char *json, size_t len);
int store_scan(struct store *s, int64_t since, int64_t until, store_event_fn fn, void *ctx);

#endif
