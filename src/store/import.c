/* Import's side of the store. Copies are found by a fingerprint per event
 * (time, SHA-256 of the line) in a temporary table keyed by both, so each
 * event costs one B-tree lookup whatever the lines hold: events sharing a
 * time (crafted or not) never make it quadratic. A fingerprint match is
 * confirmed on the lines themselves before anything is dropped. */
#include "store/import.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store_impl.h"
#include "util/sha256.h"

static int rc_err(int rc)
{
	return store_errno(rc) ? store_errno(rc) : -EIO;
}

/* One integer (0 for NULL) from sql, its ?1 bound to arg. */
static int one_int(sqlite3 *db, const char *sql, int64_t arg, int64_t *v)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc_err(rc);
	if (sqlite3_bind_parameter_count(st))
		sqlite3_bind_int64(st, 1, arg);
	rc = sqlite3_step(st);
	*v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc_err(rc);
}

int store_mark(struct store *s, struct store_mark *m)
{
	int rc = one_int(s->db, "SELECT coalesce(max(id), 0) FROM events", 0, &m->event);

	return rc ? rc : one_int(s->db, "SELECT coalesce(max(id), 0) FROM processes", 0, &m->process);
}

static int64_t fingerprint(const void *json, size_t len)
{
	struct sha256 h;
	uint8_t d[SHA256_LEN];
	int64_t v;

	sha256_init(&h);
	sha256_add(&h, json, len);
	sha256_end(&h, d);
	memcpy(&v, d, sizeof(v));
	return v;
}

struct copies {
	sqlite3_stmt *rows, *put, *first, *get, *drop;
	int64_t mark;
	uint64_t dropped;
};

/* The line of event id equals json. */
static bool same_line(sqlite3_stmt *get, int64_t id, const void *json, int len)
{
	bool same;

	sqlite3_bind_int64(get, 1, id);
	same = sqlite3_step(get) == SQLITE_ROW && sqlite3_column_bytes(get, 0) == len &&
	       !memcmp(sqlite3_column_blob(get, 0), json, (size_t)len);
	sqlite3_reset(get);
	return same;
}

/* Fingerprints the rows of c->rows (id, time, json): the first of each
 * (time, line) stays, a later one of the import is listed to be dropped.
 * SQLITE_DONE, or SQLite's error. */
static int fingerprint_rows(struct copies *c)
{
	int rc;

	while ((rc = sqlite3_step(c->rows)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(c->rows, 0), t = sqlite3_column_int64(c->rows, 1), fp, was;
		const void *json = sqlite3_column_blob(c->rows, 2);
		int len = sqlite3_column_bytes(c->rows, 2);

		fp = fingerprint(json, (size_t)len);
		sqlite3_bind_int64(c->put, 1, t);
		sqlite3_bind_int64(c->put, 2, fp);
		sqlite3_bind_int64(c->put, 3, id);
		rc = sqlite3_step(c->put);
		sqlite3_reset(c->put);
		if (rc != SQLITE_DONE)
			return rc;
		if (sqlite3_changes(sqlite3_db_handle(c->put)) || id <= c->mark)
			continue;
		/* seen: a copy, unless two lines share a fingerprint */
		sqlite3_bind_int64(c->first, 1, t);
		sqlite3_bind_int64(c->first, 2, fp);
		rc = sqlite3_step(c->first);
		was = rc == SQLITE_ROW ? sqlite3_column_int64(c->first, 0) : 0;
		sqlite3_reset(c->first);
		if (rc != SQLITE_ROW)
			return rc;
		if (!same_line(c->get, was, json, len))
			continue;
		sqlite3_bind_int64(c->drop, 1, id);
		rc = sqlite3_step(c->drop);
		sqlite3_reset(c->drop);
		if (rc != SQLITE_DONE)
			return rc;
		c->dropped++;
	}
	return rc;
}

int store_drop_copies(struct store *s, const struct store_mark *m, uint64_t *dropped)
{
	static const char *const sql[] = {
		/* the store's events in the import's time range, in any order */
		"SELECT id, time, json FROM events WHERE time BETWEEN (SELECT min(time) FROM events WHERE id > ?1) "
		"AND (SELECT max(time) FROM events WHERE id > ?1) AND id <= ?1",
		/* then the import's, in the order they came */
		"SELECT id, time, json FROM events WHERE id > ?1 ORDER BY id",
	};
	struct copies c = { .mark = m->event };
	int rc;

	*dropped = 0;
	rc = sqlite3_exec(s->db,
			  "DROP TABLE IF EXISTS temp.import_seen; DROP TABLE IF EXISTS temp.import_copies;"
			  "CREATE TEMP TABLE import_seen(time INTEGER, fp INTEGER, id INTEGER, PRIMARY KEY(time, fp))"
			  " WITHOUT ROWID; CREATE TEMP TABLE import_copies(id INTEGER PRIMARY KEY);",
			  NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return rc_err(rc);
	rc = sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO import_seen VALUES(?1, ?2, ?3)", -1, &c.put, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(s->db, "SELECT id FROM import_seen WHERE time = ?1 AND fp = ?2", -1, &c.first,
					NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(s->db, "SELECT json FROM events WHERE id = ?1", -1, &c.get, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(s->db, "INSERT INTO import_copies VALUES(?1)", -1, &c.drop, NULL);
	for (size_t i = 0; i < 2 && rc == SQLITE_OK; i++) {
		rc = sqlite3_prepare_v2(s->db, sql[i], -1, &c.rows, NULL);
		if (rc != SQLITE_OK)
			break;
		sqlite3_bind_int64(c.rows, 1, m->event);
		rc = fingerprint_rows(&c);
		sqlite3_finalize(c.rows);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(s->db, "DELETE FROM events WHERE id IN (SELECT id FROM import_copies)", NULL, NULL,
				  NULL);
	sqlite3_finalize(c.put);
	sqlite3_finalize(c.first);
	sqlite3_finalize(c.get);
	sqlite3_finalize(c.drop);
	sqlite3_exec(s->db, "DROP TABLE temp.import_seen; DROP TABLE temp.import_copies", NULL, NULL, NULL);
	*dropped = c.dropped;
	return rc == SQLITE_OK ? 0 : rc_err(rc);
}

int store_added(struct store *s, const struct store_mark *m, struct store_added *a)
{
	sqlite3_stmt *st;
	int64_t n;
	int rc;

	memset(a, 0, sizeof(*a));
	rc = sqlite3_prepare_v2(s->db,
				"SELECT type, count(*), min(time), max(time) FROM events WHERE id > ?1 GROUP BY type "
				"ORDER BY type",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc_err(rc);
	sqlite3_bind_int64(st, 1, m->event);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(st, 0);
		uint64_t c = (uint64_t)sqlite3_column_int64(st, 1);
		int64_t lo = sqlite3_column_int64(st, 2), hi = sqlite3_column_int64(st, 3);
		/* the last slot gathers what does not fit (ingest knows fewer types) */
		size_t i = a->ntypes < STORE_TYPES_MAX ? a->ntypes++ : STORE_TYPES_MAX - 1;

		snprintf(a->types[i].name, sizeof(a->types[i].name), "%s",
			 a->types[i].n ? "other" : type ? type : "");
		a->types[i].n += c;
		a->first = !a->events || lo < a->first ? lo : a->first;
		a->last = !a->events || hi > a->last ? hi : a->last;
		a->events += c;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return rc_err(rc);
	rc = one_int(s->db, "SELECT count(*) FROM processes WHERE id > ?1", m->process, &n);
	a->processes = (uint64_t)n;
	return rc;
}
