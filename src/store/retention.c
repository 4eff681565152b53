/* Retention: the oldest events go, by age or while the store is over its
 * size, a bounded chunk per call, so the writer interleaves it with its
 * batches; then the processes nothing refers to any more. Freed pages stay
 * in the file and are reused by later inserts: the file stops growing. */
#include <errno.h>

#include <sqlite3.h>

#include "store/store_impl.h"

static int64_t one_int(struct store *s, const char *sql, int *rc)
{
	sqlite3_stmt *st;
	int64_t v = 0;

	*rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (*rc != SQLITE_OK)
		return 0;
	*rc = sqlite3_step(st);
	if (*rc == SQLITE_ROW) {
		v = sqlite3_column_int64(st, 0);
		*rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return v;
}

int store_size(struct store *s, uint64_t *file_bytes, uint64_t *used_bytes)
{
	int rc;
	int64_t pages = one_int(s, "PRAGMA page_count", &rc), free_pages, size;

	if (rc != SQLITE_OK)
		return store_errno(rc);
	free_pages = one_int(s, "PRAGMA freelist_count", &rc);
	if (rc != SQLITE_OK)
		return store_errno(rc);
	size = one_int(s, "PRAGMA page_size", &rc);
	if (rc != SQLITE_OK)
		return store_errno(rc);
	*file_bytes = (uint64_t)(pages * size);
	*used_bytes = (uint64_t)((pages - free_pages) * size);
	return 0;
}

/* Runs sql with ?1 = a, ?2 = b; the rows it changed. */
static int run(struct store *s, const char *sql, int64_t a, int64_t b, uint64_t *changed)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return rc;
	*changed = (uint64_t)sqlite3_changes64(s->db);
	return SQLITE_OK;
}

int store_retain(struct store *s, int64_t min_time, uint64_t max_bytes, unsigned chunk, struct store_retained *r)
{
	uint64_t file, used, ev = 0, pr = 0;
	int64_t cutoff = min_time;
	bool over = false;
	int rc, err;

	if ((err = store_size(s, &file, &used)))
		return err;
	over = max_bytes && used > max_bytes;
	if (!min_time && !over)
		return 0;
	rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return store_errno(rc);
	if (min_time)
		rc = run(s, "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE time < ?1 ORDER BY time LIMIT ?2)",
			 min_time, chunk, &ev);
	if (rc == SQLITE_OK && over && !ev) {
		/* about what is over: an event takes a few hundred bytes and
		 * more, so this frees at least the excess without emptying a
		 * small store at once */
		uint64_t n = (used - max_bytes) / 512 + 16;

		rc = run(s, "DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY time LIMIT ?2)", 0,
			 (int64_t)(n < chunk ? n : chunk), &ev);
		/* processes that ended before what is left of the events */
		if (rc == SQLITE_OK) {
			int64_t oldest = one_int(s, "SELECT coalesce(min(time), 9223372036854775807) FROM events", &rc);
			if (oldest > cutoff)
				cutoff = oldest;
		}
	}
	/* a process goes once it exited before the cutoff, and nothing is left
	 * that names it: no event of its own, no child kept */
	if (rc == SQLITE_OK && cutoff)
		rc = run(s,
			 "DELETE FROM processes WHERE id IN (SELECT p.id FROM processes p WHERE p.exit_time < ?1 "
			 "AND NOT EXISTS (SELECT 1 FROM events e WHERE e.proc = p.id) AND NOT EXISTS "
			 "(SELECT 1 FROM processes c WHERE c.parent_exec_id = p.exec_id) LIMIT ?2)",
			 cutoff, chunk, &pr);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return store_errno(rc);
	}
	if (pr)
		store_cache_clear(s); /* their ids are gone */
	r->events += ev;
	r->processes += pr;
	return ev == chunk || pr == chunk || (over && ev) ? 1 : 0;
}
