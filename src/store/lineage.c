/* Lineage from the store's processes and events tables. Each step is one
 * indexed lookup (an exec_id, a parent's children, a pid, a process's
 * events), each bounded by a LIMIT; a set of the rows already taken ends
 * loops that hostile parent_exec_ids can make. */
#include "store/lineage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#define PROC_COLS                                                                                  \
	"id, exec_id, parent_exec_id, node, pid, uid, binary, arguments, cwd, flags, start_time, " \
	"exit_time, exit_status, exit_signal, container, pod"
/* the exec and exit are the process's row: its events are the others */
#define NOT_LIFE "type NOT IN ('process_exec', 'process_exit')"

static int db_fail(sqlite3 *db, char *err, size_t errlen)
{
	int rc = sqlite3_errcode(db);

	snprintf(err, errlen, "%s", sqlite3_errmsg(db));
	return rc == SQLITE_NOMEM ? -ENOMEM : -EIO;
}

/* A text column, cut at LIN_TEXT_MAX bytes (and at a NUL); NULL stays NULL.
 * *bad on out of memory. */
static char *col_text(sqlite3_stmt *st, int i, bool *bad)
{
	const unsigned char *t;
	size_t n;
	char *s;

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	t = sqlite3_column_text(st, i);
	if (!t) {
		*bad = true;
		return NULL;
	}
	n = strnlen((const char *)t, LIN_TEXT_MAX);
	s = malloc(n + 1);
	if (!s) {
		*bad = true;
		return NULL;
	}
	memcpy(s, t, n);
	s[n] = '\0';
	return s;
}

static bool col_int(sqlite3_stmt *st, int i, int64_t *v)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return false;
	*v = sqlite3_column_int64(st, i);
	return true;
}

static void proc_free(struct lin_proc *p)
{
	char **s[] = { &p->exec_id, &p->parent_exec_id, &p->node, &p->binary, &p->arguments, &p->cwd,
		       &p->flags, &p->exit_signal, &p->container, &p->pod };

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		free(*s[i]);
		*s[i] = NULL;
	}
}

/* The row at st (PROC_COLS) into p. 0 or -ENOMEM. */
static int proc_row(sqlite3_stmt *st, struct lin_proc *p)
{
	bool bad = false;

	memset(p, 0, sizeof(*p));
	p->parent = p->kid = p->next = LIN_NONE;
	p->id = sqlite3_column_int64(st, 0);
	p->exec_id = col_text(st, 1, &bad);
	p->parent_exec_id = col_text(st, 2, &bad);
	p->node = col_text(st, 3, &bad);
	p->has_pid = col_int(st, 4, &p->pid);
	p->has_uid = col_int(st, 5, &p->uid);
	p->binary = col_text(st, 6, &bad);
	p->arguments = col_text(st, 7, &bad);
	p->cwd = col_text(st, 8, &bad);
	p->flags = col_text(st, 9, &bad);
	p->has_start = col_int(st, 10, &p->start_time);
	p->has_exit = col_int(st, 11, &p->exit_time);
	p->has_status = col_int(st, 12, &p->exit_status);
	p->exit_signal = col_text(st, 13, &bad);
	p->container = col_text(st, 14, &bad);
	p->pod = col_text(st, 15, &bad);
	if (bad || !p->exec_id) {
		/* exec_id is NOT NULL in the schema: only memory can lose it */
		proc_free(p);
		return -ENOMEM;
	}
	return 0;
}

/* The ids taken so far: open addressing, grown at half full. */
struct idset {
	int64_t *v;
	size_t cap, n;
};

static size_t id_slot(const struct idset *s, int64_t id)
{
	uint64_t h = (uint64_t)id * 0x9e3779b97f4a7c15ull;
	size_t i = (size_t)(h >> 20) & (s->cap - 1);

	while (s->v[i] != -1 && s->v[i] != id)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static bool id_has(const struct idset *s, int64_t id)
{
	return s->cap && s->v[id_slot(s, id)] == id;
}

/* Adds id: 1 added, 0 already there, -ENOMEM. */
static int id_add(struct idset *s, int64_t id)
{
	size_t i;

	if (id == -1)
		id = INT64_MIN; /* -1 marks an empty slot */
	if ((s->n + 1) * 2 > s->cap) {
		struct idset g = { .cap = s->cap ? s->cap * 2 : 64 };

		g.v = malloc(g.cap * sizeof(*g.v));
		if (!g.v)
			return -ENOMEM;
		memset(g.v, 0xff, g.cap * sizeof(*g.v));
		for (size_t k = 0; k < s->cap; k++)
			if (s->v[k] != -1)
				g.v[id_slot(&g, s->v[k])] = s->v[k];
		g.n = s->n;
		free(s->v);
		*s = g;
	}
	i = id_slot(s, id);
	if (s->v[i] == id)
		return 0;
	s->v[i] = id;
	s->n++;
	return 1;
}

static bool id_seen(const struct idset *s, int64_t id)
{
	return id_has(s, id == -1 ? INT64_MIN : id);
}

/* Appends a copy of *p (its strings move): its index, or LIN_NONE. */
static size_t push(struct lineage *l, struct lin_proc *p)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct lin_proc *g = realloc(l->p, cap * sizeof(*g));

		if (!g)
			return LIN_NONE;
		l->p = g;
		l->cap = cap;
	}
	l->p[l->n] = *p;
	return l->n++;
}

/* The process with exec_id into *p: 1 found, 0 not, or -errno. */
static int by_exec_id(sqlite3_stmt *st, const char *exec_id, struct lin_proc *p)
{
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, exec_id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return -EIO;
	return proc_row(st, p) ? -ENOMEM : 1;
}

/* A count statement's (?1 the key, ?2 a LIMIT) answer for its first
 * LIN_COUNT_MAX + skip rows, less skip: at most LIN_COUNT_MAX. */
static uint64_t count_by(sqlite3_stmt *st, int64_t key, const char *tkey, uint64_t skip)
{
	uint64_t n = 0;

	sqlite3_reset(st);
	if (tkey)
		sqlite3_bind_text(st, 1, tkey, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, key);
	sqlite3_bind_int64(st, 2, (int64_t)(LIN_COUNT_MAX + skip));
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n > skip ? n - skip : 0;
}

/* The same with a statement of its own, for a count asked once. */
static uint64_t count_sql(sqlite3 *db, const char *sql, int64_t key, uint64_t skip)
{
	sqlite3_stmt *st;
	uint64_t n;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	n = count_by(st, key, NULL, skip);
	sqlite3_finalize(st);
	return n;
}

/* What a load walks with: its statements, prepared once, and the rows
 * already taken. */
struct walk {
	sqlite3_stmt *one, *kids, *nkids;
	struct idset seen;
};

/* Start order: those without a start time last, then the order of arrival. */
static int by_start(const void *a, const void *b)
{
	const struct lin_proc *x = a, *y = b;

	if (x->has_start != y->has_start)
		return x->has_start ? -1 : 1;
	if (x->has_start && x->start_time != y->start_time)
		return x->start_time < y->start_time ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/* The ancestors of the process at *row (taken), top first, then it. */
static int ancestors(struct lineage *l, struct walk *w, struct lin_proc *row, unsigned max)
{
	struct lin_proc *chain = NULL, cur;
	size_t n = 0, cap = 0;
	int rc = 0;

	l->top = LIN_TOP_ROOT;
	for (;;) {
		const char *pe;

		if (n == cap) {
			struct lin_proc *g = realloc(chain, (cap = cap ? cap * 2 : 16) * sizeof(*g));
			if (!g) {
				rc = -ENOMEM;
				proc_free(row);
				goto out;
			}
			chain = g;
		}
		chain[n++] = *row;
		if (id_add(&w->seen, row->id) < 0) {
			rc = -ENOMEM;
			goto out;
		}
		pe = row->parent_exec_id;
		if (!pe || !pe[0])
			break;
		if (n > max) {
			l->top = LIN_TOP_LIMIT;
			break;
		}
		rc = by_exec_id(w->one, pe, &cur);
		if (rc < 0)
			goto out;
		if (rc == 0) {
			l->top = LIN_TOP_MISSING;
			break;
		}
		if (id_seen(&w->seen, cur.id)) {
			proc_free(&cur);
			l->top = LIN_TOP_CYCLE;
			break;
		}
		*row = cur;
	}
	if (l->top != LIN_TOP_ROOT) {
		l->top_parent = strdup(chain[n - 1].parent_exec_id);
		if (!l->top_parent) {
			rc = -ENOMEM;
			goto out;
		}
	}
	/* top first: each the parent of the next */
	for (size_t i = n; i-- > 0;) {
		size_t at = push(l, &chain[i]);

		if (at == LIN_NONE) {
			for (size_t k = 0; k <= i; k++)
				proc_free(&chain[k]);
			n = 0; /* the others are l's */
			rc = -ENOMEM;
			goto out;
		}
		l->p[at].depth = (unsigned)(n - 1 - i);
		l->p[at].parent = at ? at - 1 : LIN_NONE;
		if (at)
			l->p[at - 1].kid = at;
	}
	l->subject = l->n - 1;
	n = 0;
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		proc_free(&chain[i]);
	free(chain);
	return rc;
}

/* The children of l->p[u], at most max, linked in start order. */
static int children(struct lineage *l, struct walk *w, size_t u, unsigned max, unsigned *taken)
{
	sqlite3_stmt *kids = w->kids;
	struct lin_proc *got = NULL, row;
	size_t n = 0, cap = 0, last = LIN_NONE;
	uint64_t rows = 0;
	int rc;

	sqlite3_reset(kids);
	sqlite3_bind_text(kids, 1, l->p[u].exec_id, -1, SQLITE_STATIC);
	/* one more than room: whether some were left out */
	sqlite3_bind_int64(kids, 2, (int64_t)max + 1);
	while ((rc = sqlite3_step(kids)) == SQLITE_ROW) {
		rows++;
		if (n == max) {
			l->p[u].kids_more = 1 + count_by(w->nkids, 0, l->p[u].exec_id, rows);
			if (l->p[u].kids_more > LIN_COUNT_MAX)
				l->p[u].kids_more = LIN_COUNT_MAX;
			break;
		}
		if (id_seen(&w->seen, sqlite3_column_int64(kids, 0)))
			continue; /* a loop back to a process already shown */
		if (n == cap) {
			struct lin_proc *g = realloc(got, (cap = cap ? cap * 2 : 16) * sizeof(*g));

			if (!g) {
				rc = -ENOMEM;
				goto out;
			}
			got = g;
		}
		if (proc_row(kids, &row)) {
			rc = -ENOMEM;
			goto out;
		}
		if (id_add(&w->seen, row.id) < 0) {
			proc_free(&row);
			rc = -ENOMEM;
			goto out;
		}
		got[n++] = row;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		rc = -EIO;
		goto out;
	}
	if (n)
		qsort(got, n, sizeof(*got), by_start);
	for (size_t i = 0; i < n; i++) {
		size_t at = push(l, &got[i]);

		if (at == LIN_NONE) {
			for (size_t k = i; k < n; k++)
				proc_free(&got[k]);
			n = 0;
			rc = -ENOMEM;
			goto out;
		}
		l->p[at].parent = u;
		l->p[at].depth = l->p[u].depth + 1;
		if (last == LIN_NONE)
			l->p[u].kid = at;
		else
			l->p[last].next = at;
		last = at;
	}
	*taken += (unsigned)n;
	n = 0;
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		proc_free(&got[i]);
	free(got);
	return rc;
}

/* The descendants, breadth first (a fork bomb's first children before its
 * grandchildren), until the limits. */
static int descendants(struct lineage *l, struct walk *w, const struct lin_limits *lim)
{
	unsigned taken = 0;

	l->depth_limit = l->p[l->subject].depth + lim->depth;
	/* the array grows in breadth-first order: it is the queue */
	for (size_t u = l->subject; u < l->n; u++) {
		struct lin_proc *p = &l->p[u];
		int rc;

		if (p->depth >= l->depth_limit || taken >= lim->procs) {
			p->kids_more = count_by(w->nkids, 0, p->exec_id, 0);
			p->kids_cut_depth = p->depth >= l->depth_limit;
			l->procs_more += p->kids_more;
			continue;
		}
		rc = children(l, w, u, lim->procs - taken, &taken);
		if (rc)
			return rc;
		l->procs_more += l->p[u].kids_more;
	}
	return 0;
}

/* Reorders l->p into pre-order (parents before children, siblings in
 * start order), the order both outputs walk. */
static int preorder(struct lineage *l)
{
	struct lin_proc *q = malloc(l->n * sizeof(*q));
	size_t *map = malloc(l->n * sizeof(*map)), *stack = malloc(l->n * sizeof(*stack));
	size_t sp = 0, k = 0;

	if (!q || !map || !stack) {
		free(q);
		free(map);
		free(stack);
		return -ENOMEM;
	}
	stack[sp++] = 0;
	while (sp) {
		size_t u = stack[--sp], kids = sp;

		map[u] = k;
		q[k++] = l->p[u];
		for (size_t c = l->p[u].kid; c != LIN_NONE; c = l->p[c].next)
			stack[sp++] = c;
		/* the first child on top */
		for (size_t a = kids, b = sp; a + 1 < b; a++, b--) {
			size_t t = stack[a];
			stack[a] = stack[b - 1];
			stack[b - 1] = t;
		}
	}
	for (size_t i = 0; i < l->n; i++) {
		struct lin_proc *p = &q[i];

		p->parent = p->parent == LIN_NONE ? LIN_NONE : map[p->parent];
		p->kid = p->kid == LIN_NONE ? LIN_NONE : map[p->kid];
		p->next = p->next == LIN_NONE ? LIN_NONE : map[p->next];
	}
	l->subject = map[l->subject];
	free(l->p);
	l->p = q;
	l->cap = l->n;
	free(map);
	free(stack);
	return 0;
}

int lineage_load(sqlite3 *db, const char *exec_id, const struct lin_limits *lim, struct lineage *out,
		 char *err, size_t errlen)
{
	struct walk w = { 0 };
	struct lin_proc row;
	int rc;

	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(db, "SELECT " PROC_COLS " FROM processes WHERE exec_id = ?1", -1, &w.one,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT " PROC_COLS " FROM processes WHERE parent_exec_id = ?1 LIMIT ?2",
			       -1, &w.kids, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
			       "SELECT count(*) FROM (SELECT 1 FROM processes WHERE parent_exec_id = ?1 LIMIT ?2)",
			       -1, &w.nkids, NULL) != SQLITE_OK) {
		rc = db_fail(db, err, errlen);
		goto out;
	}
	rc = by_exec_id(w.one, exec_id, &row);
	if (rc == 0) {
		snprintf(err, errlen, "no process with this exec_id in the store");
		rc = -ENOENT;
		goto out;
	}
	if (rc > 0)
		rc = ancestors(out, &w, &row, lim->ancestors);
	if (!rc)
		rc = descendants(out, &w, lim);
	if (!rc)
		rc = preorder(out);
	if (rc == -EIO)
		db_fail(db, err, errlen);
	else if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
out:
	sqlite3_finalize(w.one);
	sqlite3_finalize(w.kids);
	sqlite3_finalize(w.nkids);
	free(w.seen.v);
	if (rc)
		lineage_free(out);
	return rc;
}

void lineage_free(struct lineage *l)
{
	for (size_t i = 0; i < l->n; i++)
		proc_free(&l->p[i]);
	free(l->p);
	free(l->top_parent);
	memset(l, 0, sizeof(*l));
}

int lineage_pid(sqlite3 *db, int64_t pid, int64_t at, char **exec_id, uint64_t *count, char *err,
		size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	*exec_id = NULL;
	*count = 0;
	/* both walk processes_pid backwards from the time */
	if (sqlite3_prepare_v2(db,
			       at == INT64_MAX ? "SELECT exec_id FROM processes WHERE pid = ?1 "
						 "ORDER BY start_time DESC, id DESC LIMIT 1" :
						 "SELECT exec_id FROM processes WHERE pid = ?1 AND start_time <= ?2 "
						 "ORDER BY start_time DESC, id DESC LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, err, errlen);
	sqlite3_bind_int64(st, 1, pid);
	if (at != INT64_MAX)
		sqlite3_bind_int64(st, 2, at);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);

		*exec_id = t ? strdup((const char *)t) : NULL;
		rc = *exec_id ? 0 : -ENOMEM;
	} else if (rc == SQLITE_DONE) {
		snprintf(err, errlen, at == INT64_MAX ? "no process with this pid in the store" :
							"no process with this pid started by then in the store");
		rc = -ENOENT;
	} else {
		rc = db_fail(db, err, errlen);
	}
	sqlite3_finalize(st);
	if (!rc)
		*count = count_sql(db, "SELECT count(*) FROM (SELECT 1 FROM processes WHERE pid = ?1 LIMIT ?2)",
				   pid, 0);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	return rc;
}

int lineage_pid_list(sqlite3 *db, int64_t pid, unsigned limit, lin_proc_fn fn, void *ctx, char *err,
		     size_t errlen)
{
	struct lin_proc p;
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (sqlite3_prepare_v2(db,
			       "SELECT " PROC_COLS " FROM processes WHERE pid = ?1 "
			       "ORDER BY start_time DESC, id DESC LIMIT ?2",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, err, errlen);
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_int64(st, 2, limit);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (proc_row(st, &p)) {
			sqlite3_finalize(st);
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		stop = fn(ctx, &p);
		proc_free(&p);
	}
	if (!stop && rc != SQLITE_DONE)
		stop = db_fail(db, err, errlen);
	sqlite3_finalize(st);
	return stop;
}

int lin_events_prepare(sqlite3 *db, sqlite3_stmt **st)
{
	return sqlite3_prepare_v3(db,
				  "SELECT time, type, policy, hook, action, outcome, json FROM events "
				  "WHERE proc = ?1 AND " NOT_LIFE " ORDER BY time, id LIMIT ?2",
				  -1, SQLITE_PREPARE_PERSISTENT, st, NULL) == SQLITE_OK ? 0 : -EIO;
}

void lin_events_start(struct lin_events *it, sqlite3_stmt *st, int64_t proc, unsigned limit)
{
	memset(it, 0, sizeof(*it));
	it->st = st;
	it->proc = proc;
	it->left = it->limit = limit;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, proc);
	/* one more than shown: whether the limit cut */
	sqlite3_bind_int64(st, 2, (int64_t)limit + 1);
}

static const char *text_or_null(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL : (const char *)sqlite3_column_text(st, i);
}

int lin_events_next(struct lin_events *it, struct lin_event *e)
{
	int rc;

	if (it->cut)
		return 0;
	rc = sqlite3_step(it->st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return -EIO;
	if (!it->left) {
		it->cut = true;
		return 0;
	}
	it->left--;
	e->time = sqlite3_column_int64(it->st, 0);
	e->type = text_or_null(it->st, 1);
	e->policy = text_or_null(it->st, 2);
	e->hook = text_or_null(it->st, 3);
	e->action = text_or_null(it->st, 4);
	e->outcome = text_or_null(it->st, 5);
	e->json = (const char *)sqlite3_column_text(it->st, 6);
	e->json_len = (size_t)sqlite3_column_bytes(it->st, 6);
	if (!e->type)
		e->type = "";
	if (!e->json) {
		e->json = "";
		e->json_len = 0;
	}
	return 1;
}

uint64_t lin_events_more(struct lin_events *it)
{
	if (!it->cut)
		return 0;
	return count_sql(sqlite3_db_handle(it->st),
			 "SELECT count(*) FROM (SELECT 1 FROM events WHERE proc = ?1 AND " NOT_LIFE " LIMIT ?2)",
			 it->proc, it->limit);
}
