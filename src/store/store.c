/* Opening the store: the database file, its pragmas and its schema. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store_impl.h"

static const char schema_sql[] =
#include "schema_sql.inc"
	;

/* SQLite's result code as an errno, for callers that speak errno. */
int store_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK: return 0;
	case SQLITE_NOMEM: return -ENOMEM;
	case SQLITE_FULL: return -ENOSPC;
	case SQLITE_READONLY: return -EROFS;
	case SQLITE_CANTOPEN: return -ENOENT;
	case SQLITE_PERM:
	case SQLITE_AUTH: return -EACCES;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return -EBUSY;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB: return -EBADMSG;
	default: return -EIO;
	}
}

static int fail(struct store *s, int rc, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
	return store_errno(rc) ? store_errno(rc) : -EIO;
}

static int user_version(sqlite3 *db, int *v)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	*v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? SQLITE_OK : rc;
}

int store_open(struct store **out, const char *path, bool readonly, char *err, size_t errlen)
{
	struct store *s = calloc(1, sizeof(*s));
	struct stat sb;
	int rc, v = 0, r;

	*out = NULL;
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->readonly = readonly;
	/* read-only: never create a file by asking for one that is not there */
	if (readonly && stat(path, &sb) < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(s);
		return r;
	}
	/* a new store is made 0600 (SQLite makes its -wal and -shm files
	 * with the same mode): the events say what every process ran */
	if (!readonly && stat(path, &sb) < 0 && errno == ENOENT) {
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0)
			close(fd);
	}
	/* NOMUTEX: a store is used by one thread at a time (the sink's
	 * writer, a command); SQLite's own locking of each call is waste */
	rc = sqlite3_open_v2(path, &s->db,
			     (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
				     SQLITE_OPEN_NOMUTEX | (readonly ? 0 : SQLITE_OPEN_NOFOLLOW), NULL);
	if (rc != SQLITE_OK)
		goto bad;
	sqlite3_busy_timeout(s->db, 2000);
	rc = user_version(s->db, &v);
	if (rc != SQLITE_OK)
		goto bad; /* not a database: SQLITE_NOTADB */
	if (readonly) {
		if (v != STORE_SCHEMA_VERSION) {
			snprintf(err, errlen, "%s: not a veto store (schema version %d, want %d)", path, v,
				 STORE_SCHEMA_VERSION);
			store_close(s);
			return -EINVAL;
		}
		*out = s;
		return 0;
	}
	/* version 0 is a new file, not somebody else's database */
	if (v == 0) {
		sqlite3_stmt *st;
		bool empty = false;

		rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL);
		if (rc != SQLITE_OK)
			goto bad;
		rc = sqlite3_step(st);
		empty = rc == SQLITE_ROW && sqlite3_column_int(st, 0) == 0;
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW)
			goto bad;
		if (!empty) {
			snprintf(err, errlen, "%s: not a veto store (a database with other tables)", path);
			store_close(s);
			return -EINVAL;
		}
	}
	if (v != 0 && v != STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "%s: not a veto store (schema version %d, want %d)", path, v,
			 STORE_SCHEMA_VERSION);
		store_close(s);
		return -EINVAL;
	}
	/* WAL: readers see committed batches while the agent writes; NORMAL:
	 * a crash loses at most the last batches, never the file's consistency */
	rc = sqlite3_exec(s->db,
			  "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF;", NULL,
			  NULL, NULL);
	if (rc != SQLITE_OK)
		goto bad;
	if (v == 0) {
		rc = sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(s->db, schema_sql, NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(s->db, "PRAGMA user_version = 1; COMMIT", NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			goto bad;
		}
	}
	*out = s;
	return 0;
bad:
	r = fail(s, rc, err, errlen, path);
	store_close(s);
	return r;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	/* every statement made on it (ingest's, readers'), then the connection */
	for (sqlite3_stmt *st; s->db && (st = sqlite3_next_stmt(s->db, NULL));)
		sqlite3_finalize(st);
	free(s->scratch);
	sqlite3_close_v2(s->db);
	free(s);
}

struct sqlite3 *store_db(struct store *s)
{
	return s->db;
}
