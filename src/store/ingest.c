/* Ingest: one exported line (Tetragon's GetEventsResponse JSON, the agent's
 * or Tetragon's) -> its processes rows and its events row. One pass over the
 * line validates it (strict JSON, UTF-8, bounded depth and size) and keeps
 * the spans of the fields the schema holds; strings are unescaped only when
 * they have escapes. Process rows are upserted by exec_id through a bounded
 * cache, so an event of a known process costs one insert. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store_impl.h"
#include "util/json.h"
#include "util/timefmt.h"

#define MAX_DEPTH 64

/* A value's text in the line: a string's content (between its quotes), or
 * a number's, an object's or an array's whole text. */
struct span {
	const char *p;
	uint32_t n;
	bool esc;  /* a string with escapes: unescape before use */
	bool set;
};

struct pobj {
	struct span exec_id, parent_exec_id, binary, arguments, cwd, flags, start_time, docker, ns;
	struct span pod_ns, pod_name, pid, uid;
	bool set;
};

enum vflag { V_MONITOR = 1, V_DENY = 2, V_KILL = 4, V_SIGNAL = 8 };

struct parsed {
	const char *type;   /* the event's key, one of types[] */
	int kind;
	struct span time, node, inner_time;
	struct pobj proc, parent;
	struct span policy, function, subsys, event, args, action, status, signal;
	bool veto;           /* the "veto" key was there */
	unsigned vflags;
};

/* Where the scanner is: which object's members it is reading. */
enum ctx { C_SKIP, C_TOP, C_EVENT, C_PROC, C_PARENT, C_POD, C_VETO };

enum kind { K_EXEC, K_EXIT, K_POLICY, K_OTHER };

static const struct {
	const char *name;
	enum kind kind;
} types[] = {
	{ "process_exec", K_EXEC },	  { "process_exit", K_EXIT },	   { "process_kprobe", K_POLICY },
	{ "process_tracepoint", K_POLICY }, { "process_lsm", K_POLICY },	   { "process_uprobe", K_POLICY },
	{ "process_loader", K_OTHER },	  { "process_throttle", K_OTHER }, { "rate_limit_info", K_OTHER },
};

struct sc {
	const char *s, *end, *err;
	const char *at; /* where err happened */
	struct parsed *ev;
};

static bool key_is(const struct span *k, const char *name)
{
	size_t n = strlen(name);
	return !k->esc && k->n == n && !memcmp(k->p, name, n);
}

static int bad(struct sc *c, const char *at, const char *why)
{
	if (!c->err) {
		c->err = why;
		c->at = at;
	}
	return -EINVAL;
}

/* A string at c->s (its opening quote): validated, its content in *out. */
static int string(struct sc *c, struct span *out)
{
	const unsigned char *p = (const unsigned char *)c->s + 1, *end = (const unsigned char *)c->end;
	bool esc = false;

	out->p = (const char *)p;
	for (;;) {
		/* the common case: printable ASCII, 8 bytes at a time (a byte
		 * flagged wrongly only sends us to the byte loop) */
		while (end - p >= 8) {
			uint64_t v, q, b;

			memcpy(&v, p, 8);
			q = v ^ 0x2222222222222222ull;
			b = v ^ 0x5c5c5c5c5c5c5c5cull;
			if (((v - 0x2020202020202020ull) | (q - 0x0101010101010101ull) |
			     (b - 0x0101010101010101ull) | v) & 0x8080808080808080ull)
				break;
			p += 8;
		}
		while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
			p++;
		if (p >= end)
			return bad(c, (const char *)p, "unterminated string");
		if (*p == '"')
			break;
		if (*p == '\\') {
			esc = true;
			if (p + 1 >= end)
				return bad(c, (const char *)p, "unterminated string");
			switch (p[1]) {
			case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
				p += 2;
				continue;
			case 'u':
				for (int i = 2; i < 6; i++)
					if (p + i >= end || !((p[i] >= '0' && p[i] <= '9') ||
							      ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'f')))
						return bad(c, (const char *)p, "bad \\u escape");
				p += 6;
				continue;
			default:
				return bad(c, (const char *)p, "bad escape");
			}
		}
		if (*p < 0x20)
			return bad(c, (const char *)p, "control character in a string");
		size_t k = utf8_seq((const char *)p, (size_t)(end - p));
		if (!k)
			return bad(c, (const char *)p, "invalid UTF-8");
		p += k;
	}
	out->n = (uint32_t)((const char *)p - out->p);
	out->esc = esc;
	out->set = true;
	c->s = (const char *)p + 1;
	return 0;
}

static void ws(struct sc *c)
{
	while (c->s < c->end && (*c->s == ' ' || *c->s == '\t' || *c->s == '\n' || *c->s == '\r'))
		c->s++;
}

static bool digit(const struct sc *c)
{
	return c->s < c->end && *c->s >= '0' && *c->s <= '9';
}

static int number(struct sc *c, struct span *out)
{
	const char *start = c->s;

	if (c->s < c->end && *c->s == '-')
		c->s++;
	if (!digit(c))
		return bad(c, start, "expected a value");
	if (*c->s == '0')
		c->s++;
	else
		while (digit(c))
			c->s++;
	if (c->s < c->end && *c->s == '.') {
		c->s++;
		if (!digit(c))
			return bad(c, c->s, "bad number");
		while (digit(c))
			c->s++;
	}
	if (c->s < c->end && (*c->s == 'e' || *c->s == 'E')) {
		c->s++;
		if (c->s < c->end && (*c->s == '+' || *c->s == '-'))
			c->s++;
		if (!digit(c))
			return bad(c, c->s, "bad number");
		while (digit(c))
			c->s++;
	}
	*out = (struct span){ start, (uint32_t)(c->s - start), false, true };
	return 0;
}

static int value(struct sc *c, enum ctx ctx, int depth, struct span *out, char *kind);

/* Which field of the parsed event a member of an object in ctx fills, and
 * the context its value (an object) is read in. */
static struct span *member(struct sc *c, enum ctx ctx, const struct span *k, enum ctx *sub)
{
	struct parsed *ev = c->ev;
	struct pobj *po = ctx == C_PROC ? &ev->proc : &ev->parent;

	*sub = C_SKIP;
	switch (ctx) {
	case C_TOP:
		if (key_is(k, "time"))
			return &ev->time;
		if (key_is(k, "node_name"))
			return &ev->node;
		if (key_is(k, "veto")) {
			*sub = C_VETO;
			ev->veto = true;
			return NULL;
		}
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (key_is(k, types[i].name)) {
				if (ev->type) {
					bad(c, k->p, "two events in one line");
					return NULL;
				}
				ev->type = types[i].name;
				ev->kind = types[i].kind;
				*sub = C_EVENT;
				return NULL;
			}
		return NULL;
	case C_EVENT:
		if (key_is(k, "process")) {
			*sub = C_PROC;
			ev->proc.set = true;
			return NULL;
		}
		if (key_is(k, "parent")) {
			*sub = C_PARENT;
			ev->parent.set = true;
			return NULL;
		}
		if (key_is(k, "policy_name"))
			return &ev->policy;
		if (key_is(k, "function_name"))
			return &ev->function;
		if (key_is(k, "subsys"))
			return &ev->subsys;
		if (key_is(k, "event"))
			return &ev->event;
		if (key_is(k, "args"))
			return &ev->args;
		if (key_is(k, "action"))
			return &ev->action;
		if (key_is(k, "status"))
			return &ev->status;
		if (key_is(k, "signal"))
			return &ev->signal;
		if (key_is(k, "time"))
			return &ev->inner_time;
		return NULL;
	case C_PROC:
	case C_PARENT:
		if (k->n < 2 || k->esc)
			return NULL;
		switch (k->p[0]) {
		case 'a': return key_is(k, "arguments") ? &po->arguments : NULL;
		case 'b': return key_is(k, "binary") ? &po->binary : NULL;
		case 'c': return key_is(k, "cwd") ? &po->cwd : NULL;
		case 'd': return key_is(k, "docker") ? &po->docker : NULL;
		case 'e': return key_is(k, "exec_id") ? &po->exec_id : NULL;
		case 'f': return key_is(k, "flags") ? &po->flags : NULL;
		case 'n': return key_is(k, "ns") ? &po->ns : NULL;
		case 'p':
			if (key_is(k, "pid"))
				return &po->pid;
			if (key_is(k, "parent_exec_id"))
				return &po->parent_exec_id;
			if (ctx == C_PROC && key_is(k, "pod"))
				*sub = C_POD;
			return NULL;
		case 's': return key_is(k, "start_time") ? &po->start_time : NULL;
		case 'u': return key_is(k, "uid") ? &po->uid : NULL;
		}
		return NULL;
	case C_POD:
		if (key_is(k, "namespace"))
			return &ev->proc.pod_ns;
		if (key_is(k, "name"))
			return &ev->proc.pod_name;
		return NULL;
	case C_VETO:
		/* its booleans are read in value() */
		return NULL;
	case C_SKIP:
		return NULL;
	}
	return NULL;
}

static unsigned veto_flag(const struct span *k)
{
	if (key_is(k, "denied") || key_is(k, "would_deny"))
		return V_DENY;
	if (key_is(k, "killed") || key_is(k, "would_kill"))
		return V_KILL;
	if (key_is(k, "signaled") || key_is(k, "would_signal"))
		return V_SIGNAL;
	return 0;
}

static int items(struct sc *c, enum ctx ctx, int depth, bool obj)
{
	char close = obj ? '}' : ']';

	c->s++;
	ws(c);
	if (c->s < c->end && *c->s == close) {
		c->s++;
		return 0;
	}
	for (;;) {
		struct span k = { 0 }, v, *field = NULL;
		enum ctx sub = C_SKIP;
		char vk;
		int rc;

		ws(c);
		if (obj) {
			if (c->s >= c->end || *c->s != '"')
				return bad(c, c->s, "expected a member name");
			if ((rc = string(c, &k)))
				return rc;
			ws(c);
			if (c->s >= c->end || *c->s != ':')
				return bad(c, c->s, "expected ':'");
			c->s++;
			field = member(c, ctx, &k, &sub);
			if (c->err)
				return -EINVAL;
		}
		if ((rc = value(c, sub, depth + 1, &v, &vk)))
			return rc;
		if (field && (vk == '"' || vk == '0' || vk == '[' || vk == '{'))
			*field = v;
		if (ctx == C_VETO) {
			if (key_is(&k, "mode") && vk == '"' && v.n == 7 && !memcmp(v.p, "monitor", 7))
				c->ev->vflags |= V_MONITOR;
			else if (vk == 't')
				c->ev->vflags |= veto_flag(&k);
		}
		ws(c);
		if (c->s < c->end && *c->s == ',') {
			c->s++;
			continue;
		}
		if (c->s < c->end && *c->s == close) {
			c->s++;
			return 0;
		}
		return bad(c, c->s, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

/* One value; *kind: '"' string, '0' number, '{', '[', 't', 'f', 'n'. */
static int value(struct sc *c, enum ctx ctx, int depth, struct span *out, char *kind)
{
	const char *start;
	int rc;

	ws(c);
	if (c->s >= c->end)
		return bad(c, c->s, "expected a value");
	start = c->s;
	*kind = *c->s;
	switch (*c->s) {
	case '"':
		return string(c, out);
	case '{':
	case '[':
		if (depth > MAX_DEPTH)
			return bad(c, c->s, "nested too deep");
		if ((rc = items(c, *c->s == '{' ? ctx : C_SKIP, depth, *c->s == '{')))
			return rc;
		*out = (struct span){ start, (uint32_t)(c->s - start), false, true };
		return 0;
	case 't':
	case 'f':
	case 'n': {
		const char *lit = *c->s == 't' ? "true" : *c->s == 'f' ? "false" : "null";
		size_t n = strlen(lit);
		if ((size_t)(c->end - c->s) < n || memcmp(c->s, lit, n))
			return bad(c, c->s, "expected a value");
		c->s += n;
		*out = (struct span){ start, (uint32_t)n, false, true };
		return 0;
	}
	}
	*kind = '0';
	return number(c, out);
}

/* A string span as text: itself, or unescaped into the store's scratch. */
static const char *text(struct store *s, const struct span *sp, int *len)
{
	const char *p = sp->p, *end = sp->p + sp->n;
	char *o, *start;

	if (!sp->esc) {
		*len = (int)sp->n;
		return sp->p;
	}
	start = o = s->scratch + s->scratch_used;
	while (p < end) {
		if (*p != '\\') {
			*o++ = *p++;
			continue;
		}
		switch (p[1]) {
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u': {
			unsigned cp = (unsigned)strtoul((char[5]){ p[2], p[3], p[4], p[5], 0 }, NULL, 16);
			/* a surrogate pair is one code point; a lone one is U+FFFD */
			if (cp >= 0xd800 && cp <= 0xdbff && end - p >= 12 && p[6] == '\\' && p[7] == 'u') {
				unsigned lo = (unsigned)strtoul((char[5]){ p[8], p[9], p[10], p[11], 0 }, NULL, 16);
				if (lo >= 0xdc00 && lo <= 0xdfff) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					p += 6;
				}
			}
			if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0xfffd;
			o += utf8_put(o, cp);
			p += 6;
			continue;
		}
		default: *o++ = p[1]; break;
		}
		p += 2;
	}
	s->scratch_used += (size_t)(o - start);
	*len = (int)(o - start);
	return start;
}

static void bind_text(struct store *s, sqlite3_stmt *st, int i, const struct span *sp)
{
	const char *t;
	int n;

	if (!sp->set || !sp->n) {
		sqlite3_bind_null(st, i);
		return;
	}
	t = text(s, sp, &n);
	sqlite3_bind_text(st, i, t, n, SQLITE_STATIC);
}

/* A number span as an integer; false when it is none (a fraction, too big). */
static bool integer(const struct span *sp, int64_t *v)
{
	const char *p = sp->p, *end = sp->p + sp->n;
	bool neg = p < end && *p == '-';
	uint64_t u = 0;

	if (!sp->set || sp->esc)
		return false;
	for (p += neg; p < end; p++) {
		if (*p < '0' || *p > '9' || u > (UINT64_MAX - 9) / 10)
			return false;
		u = u * 10 + (uint64_t)(*p - '0');
	}
	if (u > (uint64_t)INT64_MAX)
		return false;
	*v = neg ? -(int64_t)u : (int64_t)u;
	return p > sp->p + neg;
}

static void bind_int(sqlite3_stmt *st, int i, const struct span *sp)
{
	int64_t v;

	if (integer(sp, &v))
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

static bool time_of(const struct span *sp, int64_t *ns)
{
	return sp->set && !sp->esc && !timefmt_parse_rfc3339(sp->p, sp->n, ns);
}

/* The cache: exec_id -> processes.id, direct-mapped (a collision evicts),
 * exec_ids compared whole, so it is never wrong, only sometimes absent. */
static uint64_t hash(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ull;
	return h ^ h >> 29;
}

static struct store_pcache *cache_slot(struct store *s, const char *id, size_t n)
{
	return &s->pcache[hash(id, n) & (STORE_PCACHE_SLOTS - 1)];
}

void store_cache_clear(struct store *s)
{
	memset(s->pcache, 0, sizeof(s->pcache));
}

static int step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* The process object's row: its id in *id. An exec event's data wins over
 * what was there (the exec is its source); any other fills what is missing. */
static int upsert(struct store *s, const struct parsed *ev, const struct pobj *po, bool is_exec,
		  int64_t *id)
{
	const char *xid;
	int xn, rc;
	struct store_pcache *slot;
	sqlite3_stmt *st = is_exec ? s->st_proc_exec : s->st_proc_fill;
	bool full = po->binary.set && po->binary.n;
	char pod[512];

	xid = text(s, &po->exec_id, &xn);
	slot = xn <= STORE_PCACHE_KEY ? cache_slot(s, xid, (size_t)xn) : NULL;
	if (slot && slot->len == xn && !memcmp(slot->key, xid, (size_t)xn) &&
	    (is_exec ? slot->exec : slot->full || !full)) {
		*id = slot->id;
		return SQLITE_OK;
	}
	sqlite3_bind_text(st, 1, xid, xn, SQLITE_STATIC);
	bind_text(s, st, 2, &po->parent_exec_id);
	bind_text(s, st, 3, &ev->node);
	bind_int(st, 4, &po->pid);
	bind_int(st, 5, &po->uid);
	bind_text(s, st, 6, &po->binary);
	bind_text(s, st, 7, &po->arguments);
	bind_text(s, st, 8, &po->cwd);
	bind_text(s, st, 9, &po->flags);
	int64_t t;
	if (time_of(&po->start_time, &t))
		sqlite3_bind_int64(st, 10, t);
	else
		sqlite3_bind_null(st, 10);
	bind_text(s, st, 11, &po->docker);
	if (po == &ev->proc && (po->pod_ns.set || po->pod_name.set)) {
		int a, b;
		const char *pa = text(s, &po->pod_ns, &a), *pb = text(s, &po->pod_name, &b);
		int n = snprintf(pod, sizeof(pod), "%.*s/%.*s", a, pa, b, pb);
		sqlite3_bind_text(st, 12, pod, n < (int)sizeof(pod) ? n : (int)sizeof(pod) - 1, SQLITE_TRANSIENT);
	} else {
		sqlite3_bind_null(st, 12);
	}
	if (po->ns.set)
		sqlite3_bind_text(st, 13, po->ns.p, (int)po->ns.n, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 13);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_OK)
		return rc;
	if (slot) {
		bool same = slot->len == xn && !memcmp(slot->key, xid, (size_t)xn);
		if (!same) {
			memcpy(slot->key, xid, (size_t)xn);
			slot->len = (uint8_t)xn;
			slot->exec = slot->full = false;
		}
		slot->id = *id;
		slot->exec |= is_exec;
		slot->full |= full;
	}
	return SQLITE_OK;
}

/* What the event says enforcement did: the "veto" key's words, or for a
 * line without it (Tetragon's), its action as enforce mode carries it out. */
static const char *outcome(const struct parsed *ev)
{
	static const struct {
		const char *action, *outcome;
	} actions[] = {
		{ "KPROBE_ACTION_SIGKILL", "killed" },
		{ "KPROBE_ACTION_OVERRIDE", "denied" },
		{ "KPROBE_ACTION_NOTIFYENFORCER", "denied" },
		{ "KPROBE_ACTION_SIGNAL", "signaled" },
	};
	bool mon = ev->vflags & V_MONITOR;

	if (ev->kind != K_POLICY)
		return NULL;
	if (ev->veto) {
		if (ev->vflags & V_KILL)
			return mon ? "would_kill" : "killed";
		if (ev->vflags & V_DENY)
			return mon ? "would_deny" : "denied";
		if (ev->vflags & V_SIGNAL)
			return mon ? "would_signal" : "signaled";
		return "allowed";
	}
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (key_is(&ev->action, actions[i].action))
			return actions[i].outcome;
	return "allowed";
}

static int fail(struct store *s, int rc, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
	return store_errno(rc) ? store_errno(rc) : -EIO;
}

static int invalid(char *err, size_t errlen, const char *fmt, const char *a)
{
	snprintf(err, errlen, fmt, a);
	return -EINVAL;
}

static int prepare(struct store *s);

int store_put_json(struct store *s, const char *line, size_t len, char *err, size_t errlen)
{
	struct parsed ev = { 0 };
	struct sc c = { line, line + len, NULL, NULL, &ev };
	struct span top;
	char kind;
	int64_t t, proc = 0, parent = 0;
	int rc;
	sqlite3_stmt *st;

	if (s->readonly)
		return invalid(err, errlen, "%s", "the store is open read-only");
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	c.end = line + len;
	if (len > STORE_LINE_MAX) {
		snprintf(err, errlen, "line too long (%zu bytes, at most %d)", len, STORE_LINE_MAX);
		return -EINVAL;
	}
	ws(&c);
	if (c.s >= c.end || *c.s != '{') {
		snprintf(err, errlen, "col %zu: not a JSON object", (size_t)(c.s - line) + 1);
		return -EINVAL;
	}
	rc = value(&c, C_TOP, 1, &top, &kind);
	if (!rc) {
		ws(&c);
		if (c.s < c.end)
			rc = bad(&c, c.s, "text after the object");
	}
	if (rc) {
		snprintf(err, errlen, "col %zu: %s", (size_t)(c.at - line) + 1, c.err);
		return -EINVAL;
	}
	if (!ev.type)
		return invalid(err, errlen, "%s",
			       "no event: none of process_exec, process_exit, process_kprobe, "
			       "process_tracepoint, process_lsm, process_uprobe, process_loader, "
			       "process_throttle, rate_limit_info");
	if (!time_of(&ev.time, &t))
		return invalid(err, errlen, ev.time.set ? "%s: time is not an RFC 3339 time" : "%s: no time",
			       ev.type);
	if (ev.kind != K_OTHER && !(ev.proc.exec_id.set && ev.proc.exec_id.n))
		return invalid(err, errlen, "%s: no process.exec_id", ev.type);
	if (ev.parent.set && !(ev.parent.exec_id.set && ev.parent.exec_id.n))
		ev.parent.set = false; /* a parent without an id names nothing */
	if (ev.proc.exec_id.n > STORE_FIELD_MAX || ev.parent.exec_id.n > STORE_FIELD_MAX)
		return invalid(err, errlen, "%s: exec_id longer than 4096 bytes", ev.type);

	/* the line has nothing more to refuse: rows from here */
	if (!s->st_event && (rc = prepare(s)))
		return fail(s, rc, err, errlen);
	s->scratch_used = 0;
	if (len > s->scratch_cap) {
		char *p = realloc(s->scratch, len);
		if (!p)
			return invalid(err, errlen, "%s", "out of memory");
		s->scratch = p;
		s->scratch_cap = len;
	}
	if (ev.parent.set && (rc = upsert(s, &ev, &ev.parent, false, &parent)))
		return fail(s, rc, err, errlen);
	if (ev.proc.exec_id.set && (rc = upsert(s, &ev, &ev.proc, ev.kind == K_EXEC, &proc)))
		return fail(s, rc, err, errlen);
	if (ev.kind == K_EXIT) {
		int64_t et, code;
		st = s->st_exit;
		if (!time_of(&ev.inner_time, &et))
			et = t;
		sqlite3_bind_int64(st, 1, et);
		/* proto3 leaves out a zero status: no status and no signal is 0 */
		if (integer(&ev.status, &code))
			sqlite3_bind_int64(st, 2, code);
		else if (!ev.signal.set || !ev.signal.n)
			sqlite3_bind_int64(st, 2, 0);
		else
			sqlite3_bind_null(st, 2);
		bind_text(s, st, 3, &ev.signal);
		sqlite3_bind_int64(st, 4, proc);
		if ((rc = step_done(st)))
			return fail(s, rc, err, errlen);
	}
	st = s->st_event;
	sqlite3_bind_int64(st, 1, t);
	sqlite3_bind_text(st, 2, ev.type, -1, SQLITE_STATIC);
	if (proc)
		sqlite3_bind_int64(st, 3, proc);
	else
		sqlite3_bind_null(st, 3);
	bind_text(s, st, 4, &ev.policy);
	if (ev.function.set) {
		bind_text(s, st, 5, &ev.function);
	} else if (ev.subsys.set && ev.event.set) {
		/* a tracepoint's hook: "subsys/event", as policies name it */
		int a, b;
		const char *pa = text(s, &ev.subsys, &a), *pb = text(s, &ev.event, &b);
		char hook[512];
		int n = snprintf(hook, sizeof(hook), "%.*s/%.*s", a, pa, b, pb);
		sqlite3_bind_text(st, 5, hook, n < (int)sizeof(hook) ? n : (int)sizeof(hook) - 1,
				  SQLITE_TRANSIENT);
	} else {
		sqlite3_bind_null(st, 5);
	}
	if (ev.args.set)
		sqlite3_bind_text(st, 6, ev.args.p, (int)ev.args.n, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 6);
	bind_text(s, st, 7, &ev.action);
	const char *oc = outcome(&ev);
	if (oc)
		sqlite3_bind_text(st, 8, oc, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 8);
	sqlite3_bind_text(st, 9, line, (int)len, SQLITE_STATIC);
	rc = step_done(st);
	sqlite3_clear_bindings(st);
	if (rc)
		return fail(s, rc, err, errlen);
	return 0;
}

static const char *const stmts[] = {
#define UPSERT(prefer)                                                                             \
	"INSERT INTO processes(exec_id, parent_exec_id, node, pid, uid, binary, arguments, cwd, "      \
	"flags, start_time, container, pod, namespaces) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,"  \
	"?12,?13) ON CONFLICT(exec_id) DO UPDATE SET "                                                 \
	"parent_exec_id = coalesce(" prefer("parent_exec_id") "), node = coalesce(" prefer("node")   \
	"), pid = coalesce(" prefer("pid") "), uid = coalesce(" prefer("uid") "), binary = "          \
	"coalesce(" prefer("binary") "), arguments = coalesce(" prefer("arguments") "), cwd = "       \
	"coalesce(" prefer("cwd") "), flags = coalesce(" prefer("flags") "), start_time = "           \
	"coalesce(" prefer("start_time") "), container = coalesce(" prefer("container") "), pod = "   \
	"coalesce(" prefer("pod") "), namespaces = coalesce(" prefer("namespaces") ") RETURNING id"
#define NEW_FIRST(c) "excluded." c ", " c
#define OLD_FIRST(c) c ", excluded." c
	UPSERT(NEW_FIRST),
	UPSERT(OLD_FIRST),
	"UPDATE processes SET exit_time = ?1, exit_status = ?2, exit_signal = ?3 WHERE id = ?4",
	"INSERT INTO events(time, type, proc, policy, hook, arguments, action, outcome, json) "
	"VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
};

static int prepare(struct store *s)
{
	sqlite3_stmt **out[] = { &s->st_proc_exec, &s->st_proc_fill, &s->st_exit, &s->st_event };

	for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++) {
		int rc = sqlite3_prepare_v3(s->db, stmts[i], -1, SQLITE_PREPARE_PERSISTENT, out[i], NULL);
		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

int store_begin(struct store *s)
{
	int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	return store_errno(rc);
}

int store_commit(struct store *s)
{
	int rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);

	if (rc != SQLITE_OK) {
		/* the batch is gone: so are the ids the cache learnt in it */
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		store_cache_clear(s);
	}
	return store_errno(rc);
}

void store_rollback(struct store *s)
{
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	store_cache_clear(s);
}
