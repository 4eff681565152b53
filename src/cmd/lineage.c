/* veto lineage: a process from the event store, its ancestors and
 * descendants, each with its exec, its policy events and its exit, as a tree
 * for people or JSON for tools. Every string from an event is the
 * attacker's: the tree writes it through the compact form's escaping. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cmd/cmd.h"
#include "events/compact.h"
#include "events/evjson.h"
#include "events/fields.h"
#include "store/lineage.h"
#include "store/store.h"
#include "util/json.h"
#include "util/jsonr.h"
#include "util/out.h"
#include "util/timefmt.h"

#define LIMIT_MAX_LEVELS 1000    /* --max-ancestors, --max-depth: levels walked recursively */
#define LIMIT_MAX_PROCS 100000u  /* --max-procs: each a row in memory */
#define LIMIT_MAX_EVENTS 1000000u /* --max-events: read one at a time */
#define TIME_COL 30              /* "2026-12-01T23:46:08.772716476Z" */
#define MARK_COL 12
#define E_LOCK "\xf0\x9f\x94\x92"  /* the compact form's labels: LSM, */
#define E_QUESTION "\xe2\x9d\x93" /* and a function it has no words for */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: veto lineage EXEC_ID|PID [--store PATH] [-o tree|json] [--list] [--at TIME]\n"
		"                    [--max-ancestors N] [--max-depth N] [--max-procs N]\n"
		"                    [--max-events N] [--color auto|always|never]\n"
		"A process from the event store (`veto agent --store`, `veto store import`):\n"
		"its ancestors up to the first one the store knows, the process, and all it\n"
		"started, each with its exec, its policy events in time order and its exit;\n"
		"processes long gone and those the agent found running at its start included.\n"
		"  EXEC_ID|PID       an exec_id, or a pid: the most recently started process\n"
		"                    with that pid (the output says when others had it)\n"
		"  --store PATH      the store (default %s)\n"
		"  -o, --output      tree (default: for people) or json (for tools)\n"
		"  --list            with a PID: the processes that had it, most recent first\n"
		"                    (at most --max-procs), to pick one by its exec_id\n"
		"  --at TIME         with a PID: the process with it that started last by TIME\n"
		"                    (RFC 3339, or a duration before now: 2h, 90m)\n"
		"  --max-ancestors N ancestors shown, at most (default 64, at most %d)\n"
		"  --max-depth N     levels of descendants shown (default 64, at most %d)\n"
		"  --max-procs N     descendants shown, at most (default 1000)\n"
		"  --max-events N    events shown per process, at most (default 100)\n"
		"  --color           outcome and process colours (auto: when stdout is a terminal)\n"
		"What the limits leave out is counted (\"... 12 more children\").\n"
		"Exit status: 0 shown, 1 not found (no store, not a store, no such process),\n"
		"2 usage.\n",
		STORE_DEFAULT_PATH, LIMIT_MAX_LEVELS, LIMIT_MAX_LEVELS);
}

struct show {
	sqlite3 *db;
	const struct lineage *l;
	sqlite3_stmt **evq; /* the events statement of each level walked at once */
	size_t nevq;
	struct lin_limits lim;
	struct compact_opts copt;
	struct jw w, line;
	bool json, err;
	int64_t at; /* --at: INT64_MAX when not given */
	char why[256];
};

/* Writes and empties w; false once stdout failed. */
static bool flush(struct show *s, struct jw *w)
{
	if (w->oom || fwrite(w->buf ? w->buf : "", 1, w->len, stdout) != w->len) {
		s->err = true;
		snprintf(s->why, sizeof(s->why), w->oom ? "out of memory" : "writing: %s", strerror(errno));
	}
	w->len = 0;
	return !s->err;
}

static void raw(struct jw *w, const char *t)
{
	jw_raw(w, t, strlen(t));
}

static void color(struct show *s, int c)
{
	char b[12];

	if (s->copt.color) {
		snprintf(b, sizeof(b), "\x1b[%dm", c);
		raw(&s->line, b);
	}
}

static void nocolor(struct show *s)
{
	if (s->copt.color)
		raw(&s->line, "\x1b[0m");
}

/* The time column: nine fraction digits always, so that lines align; "-"
 * for a time not recorded, nothing for INT64_MIN (a line of no time). */
static void put_time(struct jw *w, bool has, int64_t ns)
{
	char t[TIMEFMT_LEN + 8], *dot;
	size_t n;

	if (!has || ns < 0) {
		snprintf(t, sizeof(t), "%-*s", TIME_COL, ns == INT64_MIN ? "" : "-");
		raw(w, t);
		return;
	}
	n = timefmt_rfc3339((uint64_t)ns, t);
	t[n - 1] = '\0'; /* the Z */
	dot = strchr(t, '.');
	if (!dot)
		strcat(t, ".");
	n = strlen(t) - (size_t)(strchr(t, '.') - t) - 1;
	while (n++ < 9)
		strcat(t, "0");
	strcat(t, "Z");
	raw(w, t);
}

/* Marker and time columns, then the tree's indentation for depth. */
static void line_start(struct show *s, const char *mark, int c, bool has_time, int64_t time, unsigned depth)
{
	char b[MARK_COL + 2];

	jw_reset(&s->line);
	put_time(&s->line, has_time, time);
	raw(&s->line, " ");
	snprintf(b, sizeof(b), "%-*s", MARK_COL, mark);
	if (mark[0])
		color(s, c);
	raw(&s->line, b);
	if (mark[0])
		nocolor(s);
	for (unsigned i = 0; i <= depth; i++)
		raw(&s->line, "  ");
}

static void line_end(struct show *s)
{
	raw(&s->line, "\n");
	flush(s, &s->line);
}

/* The marker of an event's outcome column, and its colour (red: done,
 * yellow: what enforce mode would have done). */
static const char *mark_of(const char *outcome, int *c)
{
	static const struct { const char *outcome, *mark; int c; } m[] = {
		{ "denied", "DENIED", 31 },          { "killed", "KILLED", 31 },
		{ "signaled", "SIGNALED", 31 },      { "would_deny", "would-deny", 33 },
		{ "would_kill", "would-kill", 33 },  { "would_signal", "would-signal", 33 },
	};

	for (size_t i = 0; outcome && i < sizeof(m) / sizeof(m[0]); i++)
		if (!strcmp(outcome, m[i].outcome)) {
			*c = m[i].c;
			return m[i].mark;
		}
	return "";
}

static void text_line_proc(struct show *s, size_t u)
{
	const struct lin_proc *p = &s->l->p[u];
	char b[96];

	line_start(s, u == s->l->subject ? ">>>" : "", 1, p->has_start, p->start_time, p->depth);
	color(s, 35);
	compact_str(&s->line, p->binary ? p->binary : "?");
	nocolor(s);
	if (p->arguments && p->arguments[0]) {
		raw(&s->line, " ");
		color(s, 36);
		compact_str(&s->line, p->arguments);
		nocolor(s);
	}
	raw(&s->line, "  (");
	if (p->has_pid) {
		snprintf(b, sizeof(b), "pid %lld", (long long)p->pid);
		raw(&s->line, b);
	}
	if (p->has_uid) {
		snprintf(b, sizeof(b), ", uid %lld", (long long)p->uid);
		raw(&s->line, b);
	}
	if (p->cwd) {
		raw(&s->line, ", cwd ");
		compact_str(&s->line, p->cwd);
	}
	if (p->container) {
		raw(&s->line, ", container ");
		compact_str(&s->line, p->container);
	}
	if (p->pod) {
		raw(&s->line, ", pod ");
		compact_str(&s->line, p->pod);
	}
	if (p->flags && strstr(p->flags, "procFS"))
		raw(&s->line, ", found running at the agent's start");
	if (!p->has_exit && !p->has_status && !p->exit_signal)
		raw(&s->line, ", no exit recorded");
	raw(&s->line, ")");
	line_end(s);
}

/* The first sockaddr_arg among args, or NULL. */
static const struct jr *sockaddr_of(const struct jr *args)
{
	const struct jr *v;

	for (size_t i = 0; i < args->n; i++)
		if ((v = jr_get(&args->kids[i], "sockaddr_arg")))
			return v;
	return NULL;
}

/* The argument that says what an event touched, for the lines whose compact
 * form names only the hook (LSM hooks, functions the compact form has no
 * words for): the first path, socket or string among its arguments. */
static void what_arg(struct jw *w, const struct jr *ev)
{
	static const char *const paths[] = { "file_arg", "path_arg", "linux_binprm_arg" };
	const struct jr *in = evjson_inner(ev, &(int){ 0 }, &(const char *){ NULL });
	const struct jr *args = in ? jr_get(in, "args") : NULL;

	for (size_t i = 0; args && args->type == JR_ARR && i < args->n; i++) {
		const struct jr *a = &args->kids[i], *v, *port;

		for (size_t k = 0; k < sizeof(paths) / sizeof(paths[0]); k++)
			if ((v = jr_get(a, paths[k])) && jr_str(v, "path")[0]) {
				raw(w, " ");
				compact_str(w, jr_str(v, "path"));
				return;
			}
		/* the address a connect asked for, not the socket's own (unconnected: 0.0.0.0:0) */
		if ((jr_get(a, "sock_arg") || jr_get(a, "sockaddr_arg")) && (v = sockaddr_of(args))) {
			raw(w, " ");
			compact_str(w, jr_str(v, "addr"));
			raw(w, ":");
			port = jr_get(v, "port");
			compact_str(w, port && (port->type == JR_NUM || port->type == JR_STR) ? port->str : "0");
			return;
		}
		if ((v = jr_get(a, "sock_arg"))) {
			raw(w, " ");
			compact_str(w, jr_str(v, "daddr"));
			raw(w, ":");
			port = jr_get(v, "dport");
			compact_str(w, port && (port->type == JR_NUM || port->type == JR_STR) ? port->str : "?");
			return;
		}
		if ((v = jr_get(a, "string_arg")) && v->type == JR_STR) {
			raw(w, " ");
			compact_str(w, v->str);
			return;
		}
	}
}

static void text_line_event(struct show *s, const struct lin_proc *p, const struct lin_event *e)
{
	char err[160];
	struct jr ev;
	int c = 0, rc;
	const char *mark = mark_of(e->outcome, &c);
	size_t at;

	line_start(s, mark, c, true, e->time, p->depth + 1);
	at = s->line.len;
	rc = jr_parse(e->json, &ev);
	if (!rc)
		rc = compact_render(&s->line, &ev, &s->copt, err, sizeof(err));
	if (!rc && !s->line.oom) {
		/* the line's label (after its colour): the lock or the question mark */
		const char *b = s->line.buf + at;

		if (b[0] == '\x1b' && strchr(b, 'm'))
			b = strchr(b, 'm') + 1;
		if (!strncmp(b, E_LOCK " ", strlen(E_LOCK) + 1) || !strncmp(b, E_QUESTION " ", strlen(E_QUESTION) + 1))
			what_arg(&s->line, &ev);
	}
	jr_free(&ev);
	if (rc) {
		/* the store's own column says what it was */
		s->line.len = at;
		raw(&s->line, "(a ");
		compact_str(&s->line, e->type);
		raw(&s->line, rc == -ENOMEM ? " event: out of memory)" : " event without a compact form)");
	}
	if (e->policy && e->policy[0]) {
		raw(&s->line, "  policy ");
		compact_str(&s->line, e->policy);
	}
	if (e->action && e->action[0]) {
		raw(&s->line, " ");
		compact_str(&s->line, e->action);
	}
	line_end(s);
}

static void text_line_exit(struct show *s, const struct lin_proc *p)
{
	char b[48];

	if (p->exit_signal && p->exit_signal[0]) {
		line_start(s, "signal", 31, p->has_exit, p->exit_time, p->depth + 1);
		raw(&s->line, "exit: killed by ");
		compact_str(&s->line, p->exit_signal);
	} else {
		line_start(s, "", 0, p->has_exit, p->exit_time, p->depth + 1);
		if (p->has_status)
			snprintf(b, sizeof(b), "exit %lld", (long long)p->exit_status);
		else
			snprintf(b, sizeof(b), "exit");
		raw(&s->line, b);
	}
	line_end(s);
}

static void text_line_more(struct show *s, unsigned depth, uint64_t n, const char *what, const char *why)
{
	char b[200];

	line_start(s, "", 0, false, INT64_MIN, depth);
	snprintf(b, sizeof(b), "... %llu%s more %s%s", (unsigned long long)n, n >= LIN_COUNT_MAX ? "+" : "", what,
		 why);
	raw(&s->line, b);
	line_end(s);
}


static bool db_failed(struct show *s)
{
	s->err = true;
	snprintf(s->why, sizeof(s->why), "%s", sqlite3_errmsg(s->db));
	return false;
}

/* The events of p through level's statement (prepared once). */
static bool events_of(struct show *s, const struct lin_proc *p, size_t level, struct lin_events *it)
{
	if (level >= s->nevq || (!s->evq[level] && lin_events_prepare(s->db, &s->evq[level])))
		return db_failed(s);
	lin_events_start(it, s->evq[level], p->id, s->lim.events);
	return true;
}

/* Start time of p for the merge: none sorts last. */
static int64_t start_of(const struct lin_proc *p)
{
	return p->has_start ? p->start_time : INT64_MAX;
}

/* The process u, then its events, its children's trees and its exit,
 * merged in time order (equal times: event, child, exit). */
static void text_tree(struct show *s, size_t u)
{
	const struct lin_proc *p = &s->l->p[u];
	bool ends = p->has_exit || p->has_status || p->exit_signal, exited = false;
	struct lin_events it;
	struct lin_event e;
	size_t kid = p->kid;
	int have;

	text_line_proc(s, u);
	if (!events_of(s, p, p->depth, &it))
		return;
	have = lin_events_next(&it, &e);
	while (!s->err) {
		int64_t te = have > 0 ? e.time : INT64_MAX;
		int64_t tk = kid != LIN_NONE ? start_of(&s->l->p[kid]) : INT64_MAX;
		int64_t tx = p->has_exit ? p->exit_time : INT64_MAX;
		bool can_exit = ends && !exited;

		if (have > 0 && (kid == LIN_NONE || te <= tk) && (!can_exit || te <= tx)) {
			text_line_event(s, p, &e);
			have = lin_events_next(&it, &e);
		} else if (kid != LIN_NONE && (!can_exit || tk <= tx)) {
			text_tree(s, kid);
			kid = s->l->p[kid].next;
		} else if (can_exit) {
			text_line_exit(s, p);
			exited = true;
		} else {
			break;
		}
	}
	if (have < 0 && !s->err)
		db_failed(s);
	if (!s->err && it.cut)
		text_line_more(s, p->depth + 1, lin_events_more(&it), "events", " of this process (--max-events)");
	if (!s->err && p->kids_more)
		text_line_more(s, p->depth + 1, p->kids_more, p->kids_more == 1 ? "child" : "children",
			       p->kids_cut_depth ? " and what they started (--max-depth)" :
						   " and what they started (--max-procs)");
}

/* The lines above the tree: what was chosen and how the ancestors end. */
static void text_head(struct show *s, const char *store, int64_t pid, uint64_t same_pid)
{
	const struct lineage *l = s->l;
	const struct lin_proc *p = &l->p[l->subject];
	char b[200];

	jw_reset(&s->line);
	raw(&s->line, "lineage of ");
	compact_str(&s->line, p->binary ? p->binary : "?");
	raw(&s->line, " exec_id ");
	compact_str(&s->line, p->exec_id);
	raw(&s->line, " in ");
	compact_str(&s->line, store);
	raw(&s->line, "\n");
	if (pid >= 0 && (same_pid > 1 || s->at != INT64_MAX)) {
		snprintf(b, sizeof(b), "pid %lld: the %s of %llu%s processes with this pid", (long long)pid,
			 s->at == INT64_MAX ? "most recently started" : "last started by --at", (unsigned long long)same_pid,
			 same_pid >= LIN_COUNT_MAX ? "+" : "");
		raw(&s->line, b);
		snprintf(b, sizeof(b), " (`veto lineage %lld --list` shows them)\n", (long long)pid);
		raw(&s->line, b);
	}
	raw(&s->line, "ancestors: ");
	if (l->top == LIN_TOP_ROOT) {
		raw(&s->line, l->subject ? "all, up to one without a parent\n" : "none (it has no parent)\n");
	} else {
		raw(&s->line, l->top == LIN_TOP_MISSING ? "end where a parent is not in the store: exec_id " :
			      l->top == LIN_TOP_LIMIT	? "more above the first (--max-ancestors), the next exec_id " :
							  "end where a parent leads back into the chain: exec_id ");
		compact_str(&s->line, l->top_parent);
		raw(&s->line, "\n");
	}
	snprintf(b, sizeof(b), "%-*s %-*s PROCESS / EVENT\n", TIME_COL, "TIME", MARK_COL, "OUTCOME");
	raw(&s->line, b);
	flush(s, &s->line);
}

static void json_time(struct jw *w, const char *key, bool has, int64_t ns)
{
	char t[TIMEFMT_LEN];

	jw_key(w, key);
	if (!has || ns < 0) {
		jw_null(w);
		return;
	}
	timefmt_rfc3339((uint64_t)ns, t);
	jw_str(w, t);
}

static void json_kstr(struct jw *w, const char *key, const char *v)
{
	jw_key(w, key);
	if (v)
		jw_str(w, v);
	else
		jw_null(w);
}

static void json_kint(struct jw *w, const char *key, bool has, int64_t v)
{
	jw_key(w, key);
	if (has)
		jw_int(w, v);
	else
		jw_null(w);
}

/* Is the stored line JSON as strict as ours: no raw control byte, valid
 * UTF-8? (The reader takes more; what it takes is written anew.) */
static bool strict_text(const char *t, size_t n)
{
	for (size_t i = 0, k; i < n; i += k) {
		k = utf8_seq(t + i, n - i);
		if (!k || (unsigned char)t[i] < 0x20)
			return false;
	}
	return true;
}

static unsigned jr_depth(const struct jr *v)
{
	unsigned d = 0;

	for (size_t i = 0; i < v->n; i++) {
		unsigned k = jr_depth(&v->kids[i]);
		d = k > d ? k : d;
	}
	return d + 1;
}

static void json_event(struct show *s, const struct lin_event *e)
{
	struct jw *w = &s->w;
	struct jr ev;
	int rc = jr_parse(e->json, &ev);

	jw_obj_open(w);
	json_time(w, "time", true, e->time);
	json_kstr(w, "type", e->type);
	json_kstr(w, "policy", e->policy);
	json_kstr(w, "hook", e->hook);
	json_kstr(w, "action", e->action);
	json_kstr(w, "outcome", e->outcome);
	jw_key(w, "event");
	/* the exported line as it was written; re-encoded when it is not strict
	 * JSON (within the writer's depth: the event sits 5 levels down) */
	if (rc || ev.type != JR_OBJ)
		jw_null(w);
	else if (strict_text(e->json, strlen(e->json)))
		jw_raw_value(w, e->json, strlen(e->json));
	else if (jr_depth(&ev) + 5 < JW_MAX_DEPTH)
		fields_write(w, &ev);
	else
		jw_null(w);
	jr_free(&ev);
	jw_obj_close(w);
}

static void json_proc(struct show *s, size_t u)
{
	const struct lin_proc *p = &s->l->p[u];
	struct jw *w = &s->w;
	struct lin_events it;
	struct lin_event e;
	int have;

	jw_obj_open(w);
	jw_kstr(w, "exec_id", p->exec_id);
	json_kstr(w, "parent_exec_id", p->parent_exec_id);
	jw_kstr(w, "role", u == s->l->subject ? "subject" : u < s->l->subject ? "ancestor" : "descendant");
	jw_kint(w, "depth", (int64_t)p->depth - (int64_t)s->l->p[s->l->subject].depth);
	json_kint(w, "pid", p->has_pid, p->pid);
	json_kint(w, "uid", p->has_uid, p->uid);
	json_kstr(w, "node", p->node);
	json_kstr(w, "binary", p->binary);
	json_kstr(w, "arguments", p->arguments);
	json_kstr(w, "cwd", p->cwd);
	json_kstr(w, "flags", p->flags);
	json_kstr(w, "container", p->container);
	json_kstr(w, "pod", p->pod);
	json_time(w, "start_time", p->has_start, p->start_time);
	json_time(w, "exit_time", p->has_exit, p->exit_time);
	json_kint(w, "exit_status", p->has_status, p->exit_status);
	json_kstr(w, "exit_signal", p->exit_signal);
	jw_key(w, "events");
	jw_arr_open(w);
	if (!events_of(s, p, 0, &it))
		return;
	while (!s->err && (have = lin_events_next(&it, &e)) > 0) {
		json_event(s, &e);
		if (w->len > (1u << 16))
			flush(s, w);
	}
	if (have < 0 && !s->err)
		db_failed(s);
	jw_arr_close(w);
	jw_kuint(w, "events_more", it.cut && !s->err ? lin_events_more(&it) : 0);
	jw_kuint(w, "children_more", p->kids_more);
	jw_key(w, "children_cut_by");
	if (p->kids_more)
		jw_str(w, p->kids_cut_depth ? "max_depth" : "max_procs");
	else
		jw_null(w);
	jw_obj_close(w);
}

static void json_all(struct show *s, const char *store, int64_t pid, uint64_t same_pid)
{
	static const char *const tops[] = { "root", "missing_parent", "max_ancestors", "cycle" };
	const struct lineage *l = s->l;
	struct jw *w = &s->w;

	jw_obj_open(w);
	jw_kstr(w, "store", store);
	jw_kstr(w, "subject", l->p[l->subject].exec_id);
	jw_key(w, "by_pid");
	if (pid >= 0) {
		jw_obj_open(w);
		jw_kint(w, "pid", pid);
		jw_kuint(w, "processes", same_pid);
		json_time(w, "at", s->at != INT64_MAX, s->at);
		jw_obj_close(w);
	} else {
		jw_null(w);
	}
	jw_kstr(w, "ancestors_end", tops[l->top]);
	json_kstr(w, "ancestors_end_parent", l->top == LIN_TOP_ROOT ? NULL : l->top_parent);
	jw_key(w, "processes");
	jw_arr_open(w);
	for (size_t u = 0; u < l->n && !s->err; u++) {
		json_proc(s, u);
		if (w->len > (1u << 16))
			flush(s, w);
	}
	jw_arr_close(w);
	jw_kuint(w, "descendants_more", l->procs_more);
	jw_obj_close(w);
	jw_raw(w, "\n", 1);
	flush(s, w);
}

/* --list: the processes that had pid. */
static int list_row(void *ctx, const struct lin_proc *p)
{
	struct show *s = ctx;
	struct jw *w = s->json ? &s->w : &s->line;

	if (s->json) {
		jw_obj_open(w);
		jw_kstr(w, "exec_id", p->exec_id);
		json_kstr(w, "parent_exec_id", p->parent_exec_id);
		json_kstr(w, "binary", p->binary);
		json_kstr(w, "arguments", p->arguments);
		json_time(w, "start_time", p->has_start, p->start_time);
		json_time(w, "exit_time", p->has_exit, p->exit_time);
		jw_obj_close(w);
		return 0;
	}
	jw_reset(w);
	put_time(w, p->has_start, p->start_time);
	raw(w, " ");
	compact_str(w, p->exec_id);
	raw(w, " ");
	compact_str(w, p->binary ? p->binary : "?");
	if (p->arguments && p->arguments[0]) {
		raw(w, " ");
		compact_str(w, p->arguments);
	}
	raw(w, "\n");
	return flush(s, w) ? 0 : -EIO;
}

/* "N" in 0..max for a limit flag; 2 with the error printed when it is not. */
static int limit_flag(const char *flag, const char *v, unsigned max, unsigned *out)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (!*v || *end || errno || v[0] == '-' || n > max) {
		out_error("lineage: %s: '%s' is not a number from 0 to %u", flag, v, max);
		return 2;
	}
	*out = (unsigned)n;
	return 0;
}

/* A pid: digits only, at most 2^22 as Linux has them, but any that fit a
 * store's integer are looked up. */
static bool is_pid(const char *a, int64_t *pid)
{
	char *end;
	unsigned long long v;

	if (!a[0] || strspn(a, "0123456789") != strlen(a) || strlen(a) > 10)
		return false;
	errno = 0;
	v = strtoull(a, &end, 10);
	if (errno || v > UINT32_MAX)
		return false;
	*pid = (int64_t)v;
	return true;
}

int cmd_lineage(int argc, char **argv)
{
	enum { O_STORE = 256, O_LIST, O_AT, O_ANC, O_DEPTH, O_PROCS, O_EVENTS, O_COLOR };
	static const struct option opts[] = {
		{ "store", required_argument, NULL, O_STORE },
		{ "output", required_argument, NULL, 'o' },
		{ "list", no_argument, NULL, O_LIST },
		{ "at", required_argument, NULL, O_AT },
		{ "max-ancestors", required_argument, NULL, O_ANC },
		{ "max-depth", required_argument, NULL, O_DEPTH },
		{ "max-procs", required_argument, NULL, O_PROCS },
		{ "max-events", required_argument, NULL, O_EVENTS },
		{ "color", required_argument, NULL, O_COLOR },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *path = STORE_DEFAULT_PATH, *col = "auto", *term = getenv("TERM"), *arg;
	static const struct lin_limits defaults = LIN_LIMITS_DEFAULT;
	struct show s = { .lim = defaults, .copt.bare = true, .json = out_fmt == OUT_JSON, .at = INT64_MAX };
	struct lineage l;
	struct store *st;
	char err[512], *by_pid = NULL;
	uint64_t same_pid = 0;
	int64_t pid = -1;
	bool list = false;
	struct stat sb;
	int c, r;

	while ((c = getopt_long(argc, argv, "o:vh", opts, NULL)) != -1) {
		r = 0;
		switch (c) {
		case O_STORE:
			path = optarg;
			break;
		case 'o':
			if (!strcmp(optarg, "tree") || !strcmp(optarg, "text")) {
				s.json = false;
				out_fmt = OUT_TEXT;
			} else if (!strcmp(optarg, "json")) {
				s.json = true;
				out_fmt = OUT_JSON;
			} else {
				out_error("lineage: unknown output format '%s' (expected tree or json)", optarg);
				return 2;
			}
			break;
		case O_LIST:
			list = true;
			break;
		case O_AT: {
			struct timespec now;
			char why[128];

			clock_gettime(CLOCK_REALTIME, &now);
			if (timefmt_parse_arg(optarg, (int64_t)now.tv_sec * 1000000000 + now.tv_nsec, &s.at, why,
					      sizeof(why))) {
				out_error("lineage: --at: %s", why);
				return 2;
			}
			break;
		}
		case O_ANC:
			r = limit_flag("--max-ancestors", optarg, LIMIT_MAX_LEVELS, &s.lim.ancestors);
			break;
		case O_DEPTH:
			r = limit_flag("--max-depth", optarg, LIMIT_MAX_LEVELS, &s.lim.depth);
			break;
		case O_PROCS:
			r = limit_flag("--max-procs", optarg, LIMIT_MAX_PROCS, &s.lim.procs);
			break;
		case O_EVENTS:
			r = limit_flag("--max-events", optarg, LIMIT_MAX_EVENTS, &s.lim.events);
			break;
		case O_COLOR:
			if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never")) {
				out_error("lineage: unknown --color '%s' (expected auto, always or never)", optarg);
				return 2;
			}
			col = optarg;
			break;
		default:
			if ((r = cmd_opt_rest(c, usage)) == CMD_NEXT)
				r = 0;
			else
				return r;
		}
		if (r)
			return r;
	}
	if (optind >= argc) {
		out_error("lineage: which process? (give an EXEC_ID or a PID; see 'veto lineage --help')");
		return 2;
	}
	arg = argv[optind++];
	if ((r = cmd_no_args("lineage", argc, argv)))
		return r;
	if (!arg[0]) {
		out_error("lineage: an empty EXEC_ID");
		return 2;
	}
	if ((list || s.at != INT64_MAX) && !is_pid(arg, &pid)) {
		out_error("lineage: %s takes a PID, not '%.200s'", list ? "--list" : "--at", arg);
		return 2;
	}
	/* the compact form's colour rule: a terminal, not TERM=dumb, no NO_COLOR */
	s.copt.color = !s.json && (!strcmp(col, "always") ||
				   (!strcmp(col, "auto") && isatty(1) && !(term && !strcmp(term, "dumb")) &&
				    !(getenv("NO_COLOR") && getenv("NO_COLOR")[0])));

	if (!stat(path, &sb) && S_ISDIR(sb.st_mode)) {
		out_error("lineage: %s: is a directory, not a store", path);
		return 1;
	}
	if ((r = store_open(&st, path, true, err, sizeof(err)))) {
		out_error("lineage: %s%s", err, r == -ENOENT && !strcmp(path, STORE_DEFAULT_PATH) ?
							" (give the agent's --store file with --store PATH)" : "");
		return 1;
	}
	s.db = store_db(st);
	/* a lineage reads each row once: a small cache recycles its pages
	 * instead of faulting in new ones for every read */
	sqlite3_exec(s.db, "PRAGMA cache_size = 64", NULL, NULL, NULL);
	/* one read transaction: every query sees the same snapshot while the
	 * agent writes, and takes the WAL's read lock once */
	sqlite3_exec(s.db, "BEGIN", NULL, NULL, NULL);
	jw_init(&s.w);
	jw_init(&s.line);
	if (list) {
		r = lineage_pid(s.db, pid, INT64_MAX, &by_pid, &same_pid, err, sizeof(err));
		if (r) {
			out_error("lineage: %s: %lld: %s", path, (long long)pid, err);
			r = 1;
			goto out;
		}
		if (s.json)
			jw_arr_open(&s.w);
		r = lineage_pid_list(s.db, pid, s.lim.procs, list_row, &s, err, sizeof(err));
		if (!r && !s.json && same_pid > s.lim.procs) {
			snprintf(err, sizeof(err), "... %llu%s more (--max-procs)\n",
				 (unsigned long long)(same_pid - s.lim.procs), same_pid >= LIN_COUNT_MAX ? "+" : "");
			jw_reset(&s.line);
			raw(&s.line, err);
			flush(&s, &s.line);
		}
		if (s.json) {
			jw_arr_close(&s.w);
			jw_raw(&s.w, "\n", 1);
			flush(&s, &s.w);
		}
		if (r && !s.err)
			snprintf(s.why, sizeof(s.why), "%s", err);
		r = r || s.err ? 1 : 0;
		if (r)
			out_error("lineage: %s: %s", path, s.why);
		goto out;
	}
	if (is_pid(arg, &pid)) {
		r = lineage_pid(s.db, pid, s.at, &by_pid, &same_pid, err, sizeof(err));
		if (r == -ENOENT && s.at == INT64_MAX) {
			pid = -1; /* digits may still be an exec_id */
			r = 0;
		} else if (r) {
			out_error("lineage: %s: %lld: %s", path, (long long)pid, err);
			r = 1;
			goto out;
		}
	}
	r = lineage_load(s.db, by_pid ? by_pid : arg, &s.lim, &l, err, sizeof(err));
	if (r) {
		jw_reset(&s.line);
		compact_str(&s.line, arg);
		out_error("lineage: %s: %s: %s", path, s.line.oom ? "?" : s.line.buf,
			  r == -ENOENT ? (is_pid(arg, &pid) ? "no process with this pid or exec_id in the store" :
								    "no process with this exec_id in the store") :
				       err);
		r = 1;
		goto out;
	}
	s.l = &l;
	s.nevq = l.n; /* a level per depth, and depth < n */
	s.evq = calloc(s.nevq, sizeof(*s.evq));
	if (!s.evq) {
		lineage_free(&l);
		out_error("lineage: out of memory");
		r = 1;
		goto out;
	}
	if (s.json) {
		json_all(&s, path, pid, same_pid);
	} else {
		text_head(&s, path, pid, same_pid);
		text_tree(&s, 0);
		fflush(stdout);
	}
	lineage_free(&l);
	for (size_t i = 0; i < s.nevq; i++)
		sqlite3_finalize(s.evq[i]);
	free(s.evq);
	r = 0;
	if (s.err) {
		out_error("lineage: %s: %s", path, s.why);
		r = 1;
	}
out:
	free(by_pid);
	jw_free(&s.w);
	jw_free(&s.line);
	sqlite3_exec(s.db, "COMMIT", NULL, NULL, NULL);
	store_close(st);
	return r;
}
