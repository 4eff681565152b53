/* Reading events back in time order. The time index holds (time, id) in
 * that order, so SQLite walks it and hands rows over one at a time: no
 * sort, constant memory however many events the range holds. */
#include <errno.h>
#include <stdint.h>

#include <sqlite3.h>

#include "store/store_impl.h"

int store_scan(struct store *s, int64_t since, int64_t until, store_event_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int rc, r = 0;

	/* inclusive bounds: until - 1 keeps an event at exactly `until` out */
	rc = sqlite3_prepare_v2(s->db, "SELECT json FROM events WHERE time >= ?1 AND time <= ?2 ORDER BY time, id",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_errno(rc) ? store_errno(rc) : -EIO;
	sqlite3_bind_int64(st, 1, since ? since : INT64_MIN);
	sqlite3_bind_int64(st, 2, until ? until - 1 : INT64_MAX);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *json = (const char *)sqlite3_column_text(st, 0);

		if (!json) {
			/* NULL: out of memory converting it (the column is NOT NULL) */
			rc = sqlite3_errcode(s->db);
			if (rc == SQLITE_NOMEM)
				break;
			continue;
		}
		r = fn(ctx, json, (size_t)sqlite3_column_bytes(st, 0));
		if (r)
			break;
	}
	if (!r && rc != SQLITE_DONE)
		r = store_errno(rc) ? store_errno(rc) : -EIO;
	/* the step's error stays readable through sqlite3_errmsg(store_db(s)) */
	sqlite3_finalize(st);
	return r;
}
