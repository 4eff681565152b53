/* For the store's unit tests: a fresh store in a temp folder per test, and
 * the first column of a query's first row. */
#ifndef VETO_STORE_TESTDB_H
#define VETO_STORE_TESTDB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store.h"

struct fx {
	char dir[64], path[96];
	struct store *s;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];

	strcpy(f->dir, "/tmp/veto-store-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir);
	assert_int_equal(store_open(&f->s, f->path, false, err, sizeof(err)), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	static const char *const ext[] = { "", "-wal", "-shm" };
	struct fx *f = *state;
	char p[128];

	store_close(f->s);
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, ext[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

#endif
