/* Inside src/store: the store's state, shared by its files. */
#ifndef VETO_STORE_STORE_IMPL_H
#define VETO_STORE_STORE_IMPL_H

#include "store/store.h"

struct store {
	struct sqlite3 *db;
	bool readonly;
};

/* SQLite's result code as -errno (SQLITE_FULL: -ENOSPC). */
int store_errno(int rc);

#endif
