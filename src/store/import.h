/* What `veto store import` asks of the store beyond store_put_json, inside
 * the import's one transaction: where the store ended before it, the
 * events it added again (dropped), and what it added. */
#ifndef VETO_STORE_IMPORT_H
#define VETO_STORE_IMPORT_H

#include <stdint.h>

#include "store/store.h"

/* The last ids before the import: rows after them are the import's. */
struct store_mark {
	int64_t event, process;
};

#define STORE_TYPES_MAX 16

/* What the rows after a mark hold. */
struct store_added {
	uint64_t events, processes;
	int64_t first, last; /* the events' times, when events */
	size_t ntypes;
	struct {
		char name[32];
		uint64_t n;
	} types[STORE_TYPES_MAX]; /* by name; past STORE_TYPES_MAX, "other" */
};

int store_mark(struct store *s, struct store_mark *m);
/* Drops each event after m that is a copy of an earlier one: the same time
 * and the same line (one already in the store, or earlier in the import),
 * so importing a file again, or files that overlap, adds nothing twice.
 * *dropped counts them. 0 or -errno. */
int store_drop_copies(struct store *s, const struct store_mark *m, uint64_t *dropped);
int store_added(struct store *s, const struct store_mark *m, struct store_added *a);

#endif
