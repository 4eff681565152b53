/*
 * TracingPolicy YAML -> AST. libyaml's event API builds a small positioned
 * tree (bounded in depth and size), then typed walkers fill the AST and
 * report every problem with its line and column.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "policy/policy.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- positioned YAML tree ---- */

enum { Y_SCALAR, Y_SEQ, Y_MAP };

struct ynode {
	uint8_t type;
	bool plain; /* unquoted scalar: may be a number, bool or null */
	uint32_t line, col;
	uint32_t n; /* scalar: bytes; sequence: items; mapping: pairs */
	union {
		char *s;
		struct ynode **kids; /* mapping: key, value, key, value... */
	};
};

struct ablk {
	struct ablk *next;
	size_t used, cap;
	max_align_t data[];
};

struct arena {
	struct ablk *head;
};

static void *arena_alloc(struct arena *a, size_t n)
{
	struct ablk *b = a->head;

	n = (n + 15) & ~(size_t)15;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > 65536 ? n : 65536;
		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->cap = cap;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	b->used += n;
	return (char *)b->data + b->used - n;
}

static void arena_free(struct arena *a)
{
	while (a->head) {
		struct ablk *n = a->head->next;
		free(a->head);
		a->head = n;
	}
}

struct ydoc {
	struct ynode *root;
	uint32_t line, col;
};

struct frame {
	struct ynode *node;
	struct ynode **kids;
	size_t n, cap;
};

struct builder {
	const char *file;
	struct diag_list *d;
	struct arena arena;
	struct ydoc *docs;
	size_t n_docs, cap_docs;
	struct frame stack[POL_MAX_DEPTH];
	int depth;
	struct ynode *root;
	size_t nodes;
};

static void offset_pos(const char *buf, size_t len, size_t off, uint32_t *line, uint32_t *col)
{
	uint32_t l = 1, c = 1;

	for (size_t i = 0; i < off && i < len; i++) {
		if (buf[i] == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	*line = l;
	*col = c;
}

static int add_node(struct builder *b, struct ynode *n)
{
	struct frame *f;

	if (b->depth == 0) {
		b->root = n;
		return 0;
	}
	f = &b->stack[b->depth - 1];
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 8;
		struct ynode **k = realloc(f->kids, cap * sizeof(*k));
		if (!k)
			return -ENOMEM;
		f->kids = k;
		f->cap = cap;
	}
	f->kids[f->n++] = n;
	return 0;
}

static int close_frame(struct builder *b)
{
	struct frame *f = &b->stack[--b->depth];
	struct ynode *n = f->node;

	n->kids = arena_alloc(&b->arena, (f->n ? f->n : 1) * sizeof(*n->kids));
	if (!n->kids)
		return -ENOMEM;
	if (f->n)
		memcpy(n->kids, f->kids, f->n * sizeof(*n->kids));
	n->n = n->type == Y_MAP ? (uint32_t)(f->n / 2) : (uint32_t)f->n;
	free(f->kids);
	memset(f, 0, sizeof(*f));
	return 0;
}

/* Returns 0 with b->docs filled, 1 after reporting a located error, or -ENOMEM. */
static int build(struct builder *b, const char *buf, size_t len)
{
	yaml_parser_t p;
	yaml_event_t ev;
	int ret = 0;
	bool done = false;

	if (!yaml_parser_initialize(&p))
		return -ENOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	while (!done && !ret) {
		struct ynode *n = NULL;
		uint32_t line, col;

		if (!yaml_parser_parse(&p, &ev)) {
			if (p.error == YAML_MEMORY_ERROR) {
				ret = -ENOMEM;
				break;
			}
			if (p.error == YAML_READER_ERROR)
				offset_pos(buf, len, p.problem_offset, &line, &col);
			else {
				line = (uint32_t)p.problem_mark.line + 1;
				col = (uint32_t)p.problem_mark.column + 1;
			}
			diag_add(b->d, b->file, DIAG_ERROR, line, col, "invalid YAML: %s%s%s",
				 p.problem ? p.problem : "syntax error", p.context ? " " : "",
				 p.context ? p.context : "");
			ret = 1;
			break;
		}
		line = (uint32_t)ev.start_mark.line + 1;
		col = (uint32_t)ev.start_mark.column + 1;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			b->root = NULL;
			break;
		case YAML_DOCUMENT_END_EVENT:
			if (b->n_docs == b->cap_docs) {
				size_t cap = b->cap_docs ? b->cap_docs * 2 : 4;
				struct ydoc *d = realloc(b->docs, cap * sizeof(*d));
				if (!d) {
					ret = -ENOMEM;
					break;
				}
				b->docs = d;
				b->cap_docs = cap;
			}
			b->docs[b->n_docs].root = b->root;
			b->docs[b->n_docs].line = b->root ? b->root->line : line;
			b->docs[b->n_docs].col = b->root ? b->root->col : col;
			b->n_docs++;
			break;
		case YAML_ALIAS_EVENT:
			diag_add(b->d, b->file, DIAG_ERROR, line, col,
				 "unsupported: YAML alias '*%s': write the value out", (char *)ev.data.alias.anchor);
			ret = 1;
			break;
		case YAML_SCALAR_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++b->nodes > POL_MAX_NODES) {
				diag_add(b->d, b->file, DIAG_ERROR, line, col,
					 "too many YAML nodes: more than %u in one file", POL_MAX_NODES);
				ret = 1;
				break;
			}
			n = arena_alloc(&b->arena, sizeof(*n));
			if (!n) {
				ret = -ENOMEM;
				break;
			}
			memset(n, 0, sizeof(*n));
			n->line = line;
			n->col = col;
			if (ev.type == YAML_SCALAR_EVENT) {
				n->type = Y_SCALAR;
				n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
				n->n = (uint32_t)ev.data.scalar.length;
				n->s = arena_alloc(&b->arena, ev.data.scalar.length + 1);
				if (!n->s) {
					ret = -ENOMEM;
					break;
				}
				memcpy(n->s, ev.data.scalar.value, ev.data.scalar.length);
				n->s[ev.data.scalar.length] = 0;
				ret = add_node(b, n);
				break;
			}
			n->type = ev.type == YAML_SEQUENCE_START_EVENT ? Y_SEQ : Y_MAP;
			if (b->depth == POL_MAX_DEPTH) {
				diag_add(b->d, b->file, DIAG_ERROR, line, col,
					 "nesting deeper than %d levels: not a policy", POL_MAX_DEPTH);
				ret = 1;
				break;
			}
			ret = add_node(b, n);
			if (!ret)
				b->stack[b->depth++].node = n;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			ret = close_frame(b);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	while (b->depth > 0) {
		b->depth--;
		free(b->stack[b->depth].kids);
	}
	yaml_parser_delete(&p);
	return ret;
}

/* ---- walking helpers ---- */

struct pc {
	const char *file;
	struct diag_list *d;
	struct pol_policy *p;
	bool nomem;
};

static void perr(struct pc *c, const struct ynode *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void perr(struct pc *c, const struct ynode *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(c->d, c->file, DIAG_ERROR, n ? n->line : 0, n ? n->col : 0, fmt, ap);
	va_end(ap);
	if (c->p)
		c->p->broken = true;
}

static void pwarn(struct pc *c, const struct ynode *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void pwarn(struct pc *c, const struct ynode *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(c->d, c->file, DIAG_WARNING, n ? n->line : 0, n ? n->col : 0, fmt, ap);
	va_end(ap);
}

/* Recognised, but veto cannot enforce it: recorded in the AST, reported by check. */
static void punsup(struct pc *c, const struct ynode *n, const char *what)
{
	struct pol_policy *p = c->p;
	struct pol_unsupported *u;

	if (pol_grow((void **)&p->unsupported, p->n_unsupported, sizeof(*u))) {
		c->nomem = true;
		return;
	}
	u = p->unsupported;
	u[p->n_unsupported].pos = (struct pol_pos){ n->line, n->col };
	u[p->n_unsupported].what = strdup(what);
	if (!u[p->n_unsupported].what)
		c->nomem = true;
	p->n_unsupported++;
}

static struct pol_pos pos_of(const struct ynode *n)
{
	return (struct pol_pos){ n ? n->line : 0, n ? n->col : 0 };
}

static bool is_null(const struct ynode *n)
{
	if (!n)
		return true;
	if (n->type != Y_SCALAR || !n->plain)
		return false;
	return n->n == 0 || !strcmp(n->s, "~") || !strcmp(n->s, "null") || !strcmp(n->s, "Null") ||
	       !strcmp(n->s, "NULL");
}

static const char *kind_of(const struct ynode *n)
{
	if (is_null(n))
		return "nothing (null)";
	switch (n->type) {
	case Y_SEQ:
		return "a list";
	case Y_MAP:
		return "a mapping";
	default:
		return "a scalar";
	}
}

static const struct ynode *map_get(const struct ynode *map, const char *key)
{
	if (!map || map->type != Y_MAP)
		return NULL;
	for (uint32_t i = 0; i < map->n; i++) {
		const struct ynode *k = map->kids[2 * i];
		if (k->type == Y_SCALAR && !strcmp(k->s, key))
			return map->kids[2 * i + 1];
	}
	return NULL;
}

struct fspec {
	const char *name;
	const char *unsupported; /* non-NULL: recognised, refused with this reason */
};

/*
 * Matches the keys of a mapping against the fields of `what`; out[i] gets the
 * value of fields[i] (NULL when absent). Unknown and duplicate keys are errors.
 */
static bool fields(struct pc *c, const struct ynode *map, const char *what, const struct fspec *f, size_t nf,
		   const struct ynode **out)
{
	const struct ynode *keys[64] = { 0 };
	const char *names[64];

	for (size_t i = 0; i < nf; i++) {
		out[i] = NULL;
		names[i] = f[i].name;
	}
	if (!map || map->type != Y_MAP) {
		perr(c, map, "%s must be a mapping, got %s", what, kind_of(map));
		return false;
	}
	for (uint32_t i = 0; i < map->n; i++) {
		const struct ynode *k = map->kids[2 * i], *v = map->kids[2 * i + 1];
		size_t j;

		if (k->type != Y_SCALAR) {
			perr(c, k, "%s: a key must be a plain name, got %s", what, kind_of(k));
			continue;
		}
		for (j = 0; j < nf; j++)
			if (!strcmp(k->s, f[j].name))
				break;
		if (j == nf) {
			const char *s = pol_suggest(k->s, names, nf);
			perr(c, k, "unknown field '%s' in %s%s%s%s", k->s, what, s ? " (did you mean '" : "",
			     s ? s : "", s ? "'?)" : "");
			continue;
		}
		if (keys[j]) {
			perr(c, k, "duplicate field '%s' in %s (first at %u:%u)", k->s, what, keys[j]->line,
			     keys[j]->col);
			continue;
		}
		keys[j] = k;
		out[j] = v;
		if (f[j].unsupported) {
			char msg[512];
			snprintf(msg, sizeof(msg), "%s: %s", f[j].name, f[j].unsupported);
			punsup(c, k, msg);
		}
	}
	return true;
}

static char *xstrdup(struct pc *c, const char *s)
{
	char *r = strdup(s);
	if (!r)
		c->nomem = true;
	return r;
}

/* A name-like string (no NUL bytes inside). */
static char *get_str(struct pc *c, const struct ynode *n, const char *what)
{
	if (!n || n->type != Y_SCALAR || is_null(n)) {
		perr(c, n, "%s must be a string, got %s", what, kind_of(n));
		return NULL;
	}
	if (strlen(n->s) != n->n) {
		perr(c, n, "%s contains a NUL byte", what);
		return NULL;
	}
	return xstrdup(c, n->s);
}

static bool get_bool(struct pc *c, const struct ynode *n, const char *what, bool *out)
{
	if (n && n->type == Y_SCALAR && n->plain) {
		if (!strcmp(n->s, "true") || !strcmp(n->s, "True") || !strcmp(n->s, "TRUE")) {
			*out = true;
			return true;
		}
		if (!strcmp(n->s, "false") || !strcmp(n->s, "False") || !strcmp(n->s, "FALSE")) {
			*out = false;
			return true;
		}
	}
	if (n && n->type == Y_SCALAR && !n->plain && (!strcasecmp(n->s, "true") || !strcasecmp(n->s, "false")))
		perr(c, n, "%s must be true or false, got the string \"%s\" (remove the quotes)", what, n->s);
	else if (n && n->type == Y_SCALAR)
		perr(c, n, "%s must be true or false, got '%.64s'", what, n->s);
	else
		perr(c, n, "%s must be true or false, got %s", what, kind_of(n));
	return false;
}

static bool parse_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!*s || isspace((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoll(s, &end, 0);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

static bool get_int(struct pc *c, const struct ynode *n, const char *what, int64_t min, int64_t max, int64_t *out)
{
	int64_t v;

	if (!n || n->type != Y_SCALAR || is_null(n)) {
		perr(c, n, "%s must be an integer, got %s", what, kind_of(n));
		return false;
	}
	if (!parse_i64(n->s, &v)) {
		perr(c, n, "%s must be an integer, got '%.64s'", what, n->s);
		return false;
	}
	if (!n->plain) {
		perr(c, n, "%s must be an integer, got the string \"%s\" (remove the quotes)", what, n->s);
		return false;
	}
	if (v < min || v > max) {
		perr(c, n, "%s %lld is out of range [%lld, %lld]", what, (long long)v, (long long)min,
		     (long long)max);
		return false;
	}
	*out = v;
	return true;
}

/* A list (null counts as empty). */
static bool get_seq(struct pc *c, const struct ynode *n, const char *what)
{
	if (is_null(n))
		return true;
	if (n->type != Y_SEQ) {
		perr(c, n, "%s must be a list, got %s", what, kind_of(n));
		return false;
	}
	return true;
}

static uint32_t seq_len(const struct ynode *n)
{
	return is_null(n) || n->type != Y_SEQ ? 0 : n->n;
}

static void *xcalloc(struct pc *c, size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);
	if (!p)
		c->nomem = true;
	return p;
}

/* ---- policy parts ---- */

static bool get_values(struct pc *c, const struct ynode *n, const char *what, struct pol_value **out, size_t *nout)
{
	uint32_t k;

	*out = NULL;
	*nout = 0;
	if (!get_seq(c, n, what))
		return false;
	k = seq_len(n);
	*out = xcalloc(c, k, sizeof(**out));
	if (!*out)
		return false;
	for (uint32_t i = 0; i < k; i++) {
		const struct ynode *v = n->kids[i];
		struct pol_value *x = &(*out)[*nout];

		if (v->type != Y_SCALAR || is_null(v)) {
			perr(c, v, "%s: each value must be a string or number, got %s", what, kind_of(v));
			continue;
		}
		x->pos = pos_of(v);
		x->raw = malloc(v->n + 1);
		if (!x->raw) {
			c->nomem = true;
			return false;
		}
		memcpy(x->raw, v->s, v->n + 1);
		x->len = v->n;
		x->kind = PV_RAW;
		(*nout)++;
	}
	return true;
}

static const char *const unsupported_ops[] = {
	"CapabilitiesGained", "SubString", "SubStringIgnCase", "FileType", "NotFileType", "InRange", "NotInRange",
};

static bool get_op(struct pc *c, const struct ynode *n, const char *what, enum pol_op *out)
{
	const char *cands[POP__COUNT + N(unsupported_ops)];
	size_t nc = 0;
	const char *s;

	if (!n || n->type != Y_SCALAR || is_null(n)) {
		perr(c, n, "%s: operator must be a string, got %s", what, kind_of(n));
		return false;
	}
	if (!pol_op_from(n->s, out))
		return true;
	for (size_t i = 0; i < N(unsupported_ops); i++)
		if (!strcasecmp(n->s, unsupported_ops[i])) {
			char msg[128];
			snprintf(msg, sizeof(msg), "operator %s", unsupported_ops[i]);
			punsup(c, n, msg);
			*out = POP_NONE;
			return true;
		}
	for (int i = 1; i < POP__COUNT; i++)
		cands[nc++] = pol_op_name(i);
	s = pol_suggest(n->s, cands, nc);
	perr(c, n, "%s: unknown operator '%.64s'%s%s%s", what, n->s, s ? " (did you mean '" : "", s ? s : "",
	     s ? "'?)" : "");
	return false;
}

static void parse_arg(struct pc *c, const struct ynode *n, const char *what, struct pol_arg *a)
{
	static const struct fspec f[] = {
		{ "index", NULL }, { "type", NULL }, { "label", NULL }, { "maxData", NULL },
		{ "returnCopy", NULL }, { "sizeArgIndex", NULL }, { "resolve", NULL },
		{ "btfType", "casting arguments to BTF types" },
	};
	const struct ynode *v[N(f)];
	int64_t x;

	a->pos = pos_of(n);
	if (!fields(c, n, what, f, N(f), v))
		return;
	if (!v[0] && strcmp(what, "returnArg"))
		perr(c, n, "%s: missing field 'index'", what);
	else if (v[0] && get_int(c, v[0], "index", 0, UINT32_MAX, &x))
		a->index = (uint32_t)x;
	if (!v[1]) {
		perr(c, n, "%s: missing field 'type'", what);
	} else if (v[1]->type == Y_SCALAR && !is_null(v[1])) {
		if (pol_type_from(v[1]->s, &a->type)) {
			const char *cands[PT__COUNT];
			const char *s;
			for (int i = 0; i < PT__COUNT; i++)
				cands[i] = pol_type_name(i);
			s = pol_suggest(v[1]->s, cands, PT__COUNT);
			perr(c, v[1], "unknown argument type '%.64s'%s%s%s", v[1]->s, s ? " (did you mean '" : "",
			     s ? s : "", s ? "'?)" : "");
		}
	} else {
		perr(c, v[1], "type must be a string, got %s", kind_of(v[1]));
	}
	if (v[2])
		a->label = get_str(c, v[2], "label");
	if (v[3])
		get_bool(c, v[3], "maxData", &a->max_data);
	if (v[4])
		get_bool(c, v[4], "returnCopy", &a->return_copy);
	if (v[5] && get_int(c, v[5], "sizeArgIndex", 0, UINT32_MAX, &x))
		a->size_arg_index = (uint32_t)x;
	if (v[6])
		a->resolve = get_str(c, v[6], "resolve");
}

static void parse_filter(struct pc *c, const struct ynode *n, enum pol_filter_kind k, struct pol_filter *fl)
{
	/* columns: which filter kinds accept the field */
	enum { A = 1, B = 2, NS = 4, NSC = 8, P = 16, CAP = 32 };
	static const struct {
		struct fspec f;
		int kinds;
	} all[] = {
		{ { "index", NULL }, A }, { { "operator", NULL }, A | B | NS | NSC | P | CAP },
		{ { "values", NULL }, A | B | NS | NSC | P | CAP }, { { "followChildren", NULL }, B },
		{ { "namespace", NULL }, NS }, { { "followForks", NULL }, P },
		{ { "isNamespacePID", NULL }, P }, { { "type", NULL }, CAP },
		{ { "isNamespaceCapability", NULL }, CAP },
		{ { "args", "one filter over several arguments (write one filter per index)" }, A },
	};
	static const int kind_bit[PF__COUNT] = {
		[PF_ARGS] = A, [PF_RETURN_ARGS] = A, [PF_BINARIES] = B, [PF_PARENT_BINARIES] = B,
		[PF_NAMESPACES] = NS, [PF_NAMESPACE_CHANGES] = NSC, [PF_PIDS] = P,
		[PF_CAPABILITIES] = CAP, [PF_CAPABILITY_CHANGES] = CAP,
	};
	struct fspec f[N(all)];
	const struct ynode *v[N(all)], *byname[N(all)];
	const char *what = pol_filter_name(k);
	size_t nf = 0;
	int64_t x;

	for (size_t i = 0; i < N(all); i++)
		if (all[i].kinds & kind_bit[k])
			f[nf++] = all[i].f;
	fl->pos = pos_of(n);
	fl->kind = k;
	fl->follow_forks = false;
	if (!fields(c, n, what, f, nf, v))
		return;
	/* back to fixed slots by name */
	for (size_t i = 0; i < N(all); i++) {
		byname[i] = NULL;
		for (size_t j = 0; j < nf; j++)
			if (!strcmp(f[j].name, all[i].f.name))
				byname[i] = v[j];
	}
	if (byname[0] && get_int(c, byname[0], "index", 0, UINT32_MAX, &x))
		fl->index = (uint32_t)x;
	else if (!byname[0] && k == PF_ARGS)
		perr(c, n, "%s: missing field 'index'", what);
	if (!byname[1]) {
		perr(c, n, "%s: missing field 'operator'", what);
	} else {
		fl->op_pos = pos_of(byname[1]);
		get_op(c, byname[1], what, &fl->op);
	}
	if (byname[2]) /* check says which operators need values */
		get_values(c, byname[2], "values", &fl->values, &fl->n_values);
	if (byname[3])
		get_bool(c, byname[3], "followChildren", &fl->follow_children);
	if (byname[4]) {
		if (byname[4]->type != Y_SCALAR || is_null(byname[4])) {
			perr(c, byname[4], "namespace must be a string, got %s", kind_of(byname[4]));
		} else if (ns_policy_from(byname[4]->s, &fl->ns)) {
			const char *cands[VN__COUNT], *s;
			for (int i = 0; i < VN__COUNT; i++)
				cands[i] = ns_policy_name(i);
			s = pol_suggest(byname[4]->s, cands, VN__COUNT);
			perr(c, byname[4], "unknown namespace '%.64s'%s%s%s (one of %s)", byname[4]->s,
			     s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "", ns_policy_list());
		}
	} else if (k == PF_NAMESPACES) {
		perr(c, n, "%s: missing field 'namespace'", what);
	}
	if (byname[5])
		get_bool(c, byname[5], "followForks", &fl->follow_forks);
	if (byname[6])
		get_bool(c, byname[6], "isNamespacePID", &fl->is_namespace_pid);
	if (byname[7]) {
		if (byname[7]->type != Y_SCALAR || pol_capset_from(byname[7]->s, &fl->capset))
			perr(c, byname[7], "type must be Effective, Inheritable or Permitted");
	} else if (k == PF_CAPABILITIES || k == PF_CAPABILITY_CHANGES) {
		perr(c, n, "%s: missing field 'type' (Effective, Inheritable or Permitted)", what);
	}
	if (byname[8])
		get_bool(c, byname[8], "isNamespaceCapability", &fl->is_namespace_capability);
}

static bool parse_rate(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return false;
	if (*end == 's')
		end++;
	else if (*end == 'm')
		mul = 60, end++;
	else if (*end == 'h')
		mul = 3600, end++;
	if (*end || v == 0 || v > UINT64_MAX / mul)
		return false;
	*out = v * mul;
	return true;
}

static void parse_action(struct pc *c, const struct ynode *n, const char *what, struct pol_action *a)
{
	static const struct fspec f[] = {
		{ "action", NULL }, { "argError", NULL }, { "argSig", NULL }, { "rateLimit", NULL },
		{ "rateLimitScope", NULL }, { "kernelStackTrace", NULL }, { "userStackTrace", NULL },
		{ "imaHash", NULL }, { "argFd", NULL }, { "argName", NULL }, { "argUrl", NULL },
		{ "argFqdn", NULL }, { "argSock", NULL }, { "argIndex", NULL }, { "argValue", NULL },
	};
	static const char *const why[PA__COUNT] = {
		[PA_FOLLOWFD] = "file descriptor tracking; match the path at an LSM hook (file_open, file_permission) instead",
		[PA_UNFOLLOWFD] = "file descriptor tracking",
		[PA_COPYFD] = "file descriptor tracking",
		[PA_GETURL] = "side effects from userspace",
		[PA_DNSLOOKUP] = "side effects from userspace",
		[PA_TRACKSOCK] = "socket tracking",
		[PA_UNTRACKSOCK] = "socket tracking",
		[PA_NOTIFYENFORCER] = "veto enforces in the hook itself: Override at an LSM hook, or Sigkill",
		[PA_SET] = "rewriting arguments",
	};
	const struct ynode *v[N(f)];
	int64_t x;

	a->pos = pos_of(n);
	if (!fields(c, n, what, f, N(f), v))
		return;
	if (!v[0]) {
		perr(c, n, "%s: missing field 'action'", what);
		return;
	}
	if (v[0]->type != Y_SCALAR || is_null(v[0]) || pol_action_from(v[0]->s, &a->kind)) {
		const char *cands[PA__COUNT], *s = NULL;
		for (int i = 0; i < PA__COUNT; i++)
			cands[i] = pol_action_name(i);
		if (v[0]->type == Y_SCALAR)
			s = pol_suggest(v[0]->s, cands, PA__COUNT);
		perr(c, v[0], "unknown action '%.64s'%s%s%s", v[0]->type == Y_SCALAR ? v[0]->s : "",
		     s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
		return;
	}
	if (why[a->kind]) {
		char msg[512];
		a->unsupported = why[a->kind];
		snprintf(msg, sizeof(msg), "action %s: %s", pol_action_name(a->kind), why[a->kind]);
		punsup(c, v[0], msg);
		return; /* its arguments belong to what is refused */
	}
	if (v[1]) {
		a->arg_error_pos = pos_of(v[1]);
		if (get_int(c, v[1], "argError", INT32_MIN, INT32_MAX, &x)) {
			a->has_arg_error = true;
			a->arg_error = (int32_t)x;
		}
	}
	if (v[2]) {
		a->arg_sig_pos = pos_of(v[2]);
		if (get_int(c, v[2], "argSig", 1, 64, &x)) {
			a->has_arg_sig = true;
			a->arg_sig = (int32_t)x;
		}
	}
	if (v[3]) {
		a->rate_limit_pos = pos_of(v[3]);
		if (v[3]->type != Y_SCALAR || !parse_rate(v[3]->s, &a->rate_limit_sec))
			perr(c, v[3], "rateLimit must be a positive duration like 30, 30s, 5m or 1h");
	}
	if (v[4]) {
		if (v[4]->type == Y_SCALAR && !strcmp(v[4]->s, "thread"))
			a->rate_scope = PRS_THREAD;
		else if (v[4]->type == Y_SCALAR && !strcmp(v[4]->s, "process"))
			a->rate_scope = PRS_PROCESS;
		else if (v[4]->type == Y_SCALAR && !strcmp(v[4]->s, "global"))
			a->rate_scope = PRS_GLOBAL;
		else
			perr(c, v[4], "rateLimitScope must be thread, process or global");
	}
	if (v[5])
		get_bool(c, v[5], "kernelStackTrace", &a->kernel_stack_trace);
	if (v[6])
		get_bool(c, v[6], "userStackTrace", &a->user_stack_trace);
	if (v[7]) {
		bool ima = false;
		if (get_bool(c, v[7], "imaHash", &ima) && ima)
			punsup(c, v[7], "imaHash: IMA file hashes in events");
	}
	for (size_t i = 8; i < N(f); i++)
		if (v[i])
			pwarn(c, v[i], "%s has no effect on action %s: it belongs to other actions", f[i].name,
			      pol_action_name(a->kind));
}

static void parse_actions(struct pc *c, const struct ynode *n, const char *what, struct pol_action **out,
			  size_t *nout)
{
	uint32_t k;

	if (!get_seq(c, n, what))
		return;
	k = seq_len(n);
	*out = xcalloc(c, k, sizeof(**out));
	if (!*out)
		return;
	for (uint32_t i = 0; i < k; i++)
		parse_action(c, n->kids[i], what, &(*out)[i]);
	*nout = k;
}

static void parse_selector(struct pc *c, const struct ynode *n, struct pol_selector *s)
{
	static const struct fspec f[] = {
		{ "matchArgs", NULL }, { "matchReturnArgs", NULL }, { "matchBinaries", NULL },
		{ "matchParentBinaries", NULL }, { "matchNamespaces", NULL },
		{ "matchNamespaceChanges", NULL }, { "matchPIDs", NULL }, { "matchCapabilities", NULL },
		{ "matchCapabilityChanges", NULL }, { "matchActions", NULL }, { "matchReturnActions", NULL },
		{ "matchData", "filters on data arguments" },
	};
	static const enum pol_filter_kind kinds[] = {
		PF_ARGS, PF_RETURN_ARGS, PF_BINARIES, PF_PARENT_BINARIES, PF_NAMESPACES,
		PF_NAMESPACE_CHANGES, PF_PIDS, PF_CAPABILITIES, PF_CAPABILITY_CHANGES,
	};
	const struct ynode *v[N(f)];
	size_t total = 0;

	s->pos = pos_of(n);
	if (is_null(n))
		return; /* an empty selector matches everything */
	if (!fields(c, n, "selector", f, N(f), v))
		return;
	for (size_t i = 0; i < N(kinds); i++)
		if (v[i] && get_seq(c, v[i], f[i].name))
			total += seq_len(v[i]);
	s->filters = xcalloc(c, total, sizeof(*s->filters));
	if (!s->filters)
		return;
	for (size_t i = 0; i < N(kinds); i++)
		for (uint32_t j = 0; j < seq_len(v[i]); j++)
			parse_filter(c, v[i]->kids[j], kinds[i], &s->filters[s->n_filters++]);
	if (v[9]) {
		s->actions_pos = pos_of(v[9]);
		parse_actions(c, v[9], "matchActions", &s->actions, &s->n_actions);
	}
	if (v[10]) {
		s->return_actions_pos = pos_of(v[10]);
		parse_actions(c, v[10], "matchReturnActions", &s->return_actions, &s->n_return_actions);
	}
}

static void parse_args(struct pc *c, const struct ynode *n, struct pol_hook *h)
{
	uint32_t k;

	if (!get_seq(c, n, "args"))
		return;
	k = seq_len(n);
	h->args = xcalloc(c, k, sizeof(*h->args));
	if (!h->args)
		return;
	for (uint32_t i = 0; i < k; i++)
		parse_arg(c, n->kids[i], "args", &h->args[i]);
	h->n_args = k;
}

static void parse_selectors(struct pc *c, const struct ynode *n, struct pol_hook *h)
{
	uint32_t k;

	if (!get_seq(c, n, "selectors"))
		return;
	k = seq_len(n);
	h->selectors = xcalloc(c, k, sizeof(*h->selectors));
	if (!h->selectors)
		return;
	for (uint32_t i = 0; i < k; i++)
		parse_selector(c, n->kids[i], &h->selectors[i]);
	h->n_selectors = k;
}

static void parse_tags(struct pc *c, const struct ynode *n, struct pol_hook *h)
{
	uint32_t k;

	if (!get_seq(c, n, "tags"))
		return;
	k = seq_len(n);
	h->tags = xcalloc(c, k, sizeof(*h->tags));
	if (!h->tags)
		return;
	for (uint32_t i = 0; i < k; i++) {
		char *t = get_str(c, n->kids[i], "tag");
		if (t)
			h->tags[h->n_tags++] = t;
	}
}

static void parse_hook(struct pc *c, const struct ynode *n, enum pol_hook_kind k, struct pol_hook *h)
{
	enum { CALL, HOOK, SUBSYS, EVENT, PATH, SYSCALL, RETURN, RAW, ARGS, RETARG, SELS, MSG, TAGS, IGNORE,
	       SYMBOLS, RETACT, DATA, OFFSETS, REFCTR, BTFPATH, NF };
	static const char *const names[NF] = {
		"call", "hook", "subsystem", "event", "path", "syscall", "return", "raw", "args", "returnArg",
		"selectors", "message", "tags", "ignore", "symbols", "returnArgAction", "data", "offsets",
		"refCtrOffsets", "btfPath",
	};
	/* which fields each hook kind has */
	static const char allowed[][NF] = {
		[PH_KPROBE] = { [CALL] = 1, [SYSCALL] = 1, [RETURN] = 1, [ARGS] = 1, [RETARG] = 1, [SELS] = 1,
				[MSG] = 1, [TAGS] = 1, [IGNORE] = 1, [RETACT] = 1, [DATA] = 1 },
		[PH_LSM] = { [HOOK] = 1, [ARGS] = 1, [SELS] = 1, [MSG] = 1, [TAGS] = 1 },
		[PH_TRACEPOINT] = { [SUBSYS] = 1, [EVENT] = 1, [RAW] = 1, [ARGS] = 1, [SELS] = 1, [MSG] = 1,
				    [TAGS] = 1 },
		[PH_UPROBE] = { [PATH] = 1, [SYMBOLS] = 1, [RETURN] = 1, [ARGS] = 1, [RETARG] = 1, [SELS] = 1,
				[MSG] = 1, [TAGS] = 1, [DATA] = 1, [OFFSETS] = 1, [REFCTR] = 1, [BTFPATH] = 1 },
	};
	static const char *const what[] = { "kprobe", "lsmhook", "tracepoint", "uprobe" };
	struct fspec f[NF];
	const struct ynode *v[NF], *got[NF];
	int map[NF];
	size_t nf = 0;

	h->pos = pos_of(n);
	h->kind = k;
	h->syscall = k == PH_KPROBE; /* TracingPolicy's default */
	for (int i = 0; i < NF; i++) {
		got[i] = NULL;
		if (!allowed[k][i])
			continue;
		f[nf].name = names[i];
		f[nf].unsupported = NULL;
		if (i == RETACT)
			f[nf].unsupported = "socket tracking";
		else if (i == DATA)
			f[nf].unsupported = "extra data arguments";
		map[nf++] = i;
	}
	if (k == PH_UPROBE) {
		h->unsupported = "uprobes: veto has no uprobe sensor yet";
		punsup(c, n, h->unsupported);
	}
	if (!fields(c, n, what[k], f, nf, v))
		return;
	for (size_t i = 0; i < nf; i++)
		got[map[i]] = v[i];

	if (k == PH_KPROBE || k == PH_LSM || k == PH_UPROBE) {
		int key = k == PH_KPROBE ? CALL : k == PH_LSM ? HOOK : PATH;
		if (!got[key]) {
			perr(c, n, "%s: missing field '%s'", what[k], names[key]);
		} else {
			h->call_pos = pos_of(got[key]);
			h->call = get_str(c, got[key], names[key]);
		}
	}
	if (k == PH_TRACEPOINT) {
		if (!got[SUBSYS])
			perr(c, n, "tracepoint: missing field 'subsystem'");
		else
			h->subsystem = get_str(c, got[SUBSYS], "subsystem");
		if (!got[EVENT])
			perr(c, n, "tracepoint: missing field 'event'");
		else
			h->event = get_str(c, got[EVENT], "event");
		h->call_pos = pos_of(got[SUBSYS] ? got[SUBSYS] : n);
	}
	if (got[SYSCALL]) {
		h->has_syscall = true;
		get_bool(c, got[SYSCALL], "syscall", &h->syscall);
	}
	if (got[RETURN])
		get_bool(c, got[RETURN], "return", &h->ret);
	if (got[RAW])
		get_bool(c, got[RAW], "raw", &h->raw);
	if (got[ARGS])
		parse_args(c, got[ARGS], h);
	if (got[RETARG]) {
		h->has_return_arg = true;
		parse_arg(c, got[RETARG], "returnArg", &h->return_arg);
	}
	if (got[SELS])
		parse_selectors(c, got[SELS], h);
	if (got[MSG])
		h->message = get_str(c, got[MSG], "message");
	if (got[TAGS])
		parse_tags(c, got[TAGS], h);
	if (got[IGNORE]) {
		static const struct fspec fi[] = { { "callNotFound", NULL } };
		const struct ynode *vi[1];
		if (fields(c, got[IGNORE], "ignore", fi, 1, vi) && vi[0])
			get_bool(c, vi[0], "callNotFound", &h->ignore_call_not_found);
	}
	if (got[SYMBOLS])
		get_seq(c, got[SYMBOLS], "symbols");
}

static void parse_hooks(struct pc *c, const struct ynode *n, const char *what, enum pol_hook_kind k)
{
	struct pol_policy *p = c->p;
	struct pol_hook *h;
	uint32_t cnt;

	if (!get_seq(c, n, what))
		return;
	cnt = seq_len(n);
	if (!cnt)
		return;
	h = realloc(p->hooks, (p->n_hooks + cnt) * sizeof(*h));
	if (!h) {
		c->nomem = true;
		return;
	}
	p->hooks = h;
	memset(&h[p->n_hooks], 0, cnt * sizeof(*h));
	for (uint32_t i = 0; i < cnt; i++)
		parse_hook(c, n->kids[i], k, &p->hooks[p->n_hooks++]);
}

static void parse_lists(struct pc *c, const struct ynode *n)
{
	static const struct fspec f[] = {
		{ "name", NULL }, { "type", NULL }, { "values", NULL }, { "pattern", NULL }, { "validated", NULL },
	};
	struct pol_policy *p = c->p;
	uint32_t k;

	if (!get_seq(c, n, "lists"))
		return;
	k = seq_len(n);
	p->lists = xcalloc(c, k, sizeof(*p->lists));
	if (!p->lists)
		return;
	for (uint32_t i = 0; i < k; i++) {
		struct pol_list *l = &p->lists[p->n_lists++];
		const struct ynode *v[N(f)];
		bool b;

		l->pos = pos_of(n->kids[i]);
		if (!fields(c, n->kids[i], "list", f, N(f), v))
			continue;
		if (!v[0])
			perr(c, n->kids[i], "list: missing field 'name'");
		else
			l->name = get_str(c, v[0], "name");
		if (!v[1]) {
			perr(c, n->kids[i], "list: missing field 'type' (syscalls, generated_syscalls or generated_ftrace)");
		} else if (v[1]->type == Y_SCALAR && !strcmp(v[1]->s, "syscalls")) {
			l->type = PLT_SYSCALLS;
		} else if (v[1]->type == Y_SCALAR && !strcmp(v[1]->s, "generated_syscalls")) {
			l->type = PLT_GENERATED_SYSCALLS;
			l->unsupported = "lists of type generated_syscalls: list the system calls by name";
			punsup(c, v[1], l->unsupported);
		} else if (v[1]->type == Y_SCALAR && !strcmp(v[1]->s, "generated_ftrace")) {
			l->type = PLT_GENERATED_FTRACE;
			l->unsupported = "lists of type generated_ftrace: list the functions by name";
			punsup(c, v[1], l->unsupported);
		} else {
			perr(c, v[1], "list type must be syscalls, generated_syscalls or generated_ftrace");
		}
		if (v[2])
			get_values(c, v[2], "values", &l->values, &l->n_values);
		if (v[3])
			l->pattern = get_str(c, v[3], "pattern");
		if (v[4])
			get_bool(c, v[4], "validated", &b);
	}
}

static void parse_options(struct pc *c, const struct ynode *n)
{
	static const struct fspec f[] = { { "name", NULL }, { "value", NULL } };
	struct pol_policy *p = c->p;
	uint32_t k;

	if (!get_seq(c, n, "options"))
		return;
	k = seq_len(n);
	p->options = xcalloc(c, k, sizeof(*p->options));
	if (!p->options)
		return;
	for (uint32_t i = 0; i < k; i++) {
		struct pol_option *o = &p->options[p->n_options];
		const struct ynode *v[2];

		o->pos = pos_of(n->kids[i]);
		if (!fields(c, n->kids[i], "option", f, 2, v))
			continue;
		if (!v[0]) {
			perr(c, n->kids[i], "option: missing field 'name'");
			continue;
		}
		if (!v[1]) {
			perr(c, n->kids[i], "option: missing field 'value'");
			continue;
		}
		o->name = get_str(c, v[0], "name");
		o->value = get_str(c, v[1], "value");
		p->n_options++;
	}
}

static struct pol_label_selector *parse_label_selector(struct pc *c, const struct ynode *n, const char *what)
{
	static const struct fspec f[] = { { "matchLabels", NULL }, { "matchExpressions", NULL } };
	static const struct fspec fe[] = { { "key", NULL }, { "operator", NULL }, { "values", NULL } };
	struct pol_label_selector *s;
	const struct ynode *v[2];

	s = xcalloc(c, 1, sizeof(*s));
	if (!s)
		return NULL;
	s->pos = pos_of(n);
	if (is_null(n) || !fields(c, n, what, f, 2, v))
		return s;
	if (v[0] && !is_null(v[0])) {
		if (v[0]->type != Y_MAP) {
			perr(c, v[0], "matchLabels must be a mapping of label to value, got %s", kind_of(v[0]));
		} else {
			s->keys = xcalloc(c, v[0]->n, sizeof(char *));
			s->vals = xcalloc(c, v[0]->n, sizeof(char *));
			for (uint32_t i = 0; s->keys && s->vals && i < v[0]->n; i++) {
				char *key = get_str(c, v[0]->kids[2 * i], "label");
				char *val = get_str(c, v[0]->kids[2 * i + 1], "label value");
				if (!key || !val) {
					free(key);
					free(val);
					continue;
				}
				s->keys[s->n_labels] = key;
				s->vals[s->n_labels++] = val;
			}
		}
	}
	if (v[1] && get_seq(c, v[1], "matchExpressions")) {
		uint32_t k = seq_len(v[1]);
		s->exprs = xcalloc(c, k, sizeof(*s->exprs));
		for (uint32_t i = 0; s->exprs && i < k; i++) {
			struct pol_label_expr *e = &s->exprs[s->n_exprs];
			const struct ynode *ve[3], *x = v[1]->kids[i];

			e->pos = pos_of(x);
			if (!fields(c, x, "matchExpressions", fe, 3, ve))
				continue;
			if (!ve[0] || !ve[1]) {
				perr(c, x, "matchExpressions: needs 'key' and 'operator'");
				continue;
			}
			e->key = get_str(c, ve[0], "key");
			if (ve[1]->type != Y_SCALAR || pol_op_from(ve[1]->s, &e->op) ||
			    (e->op != POP_IN && e->op != POP_NOT_IN && e->op != POP_EXISTS &&
			     e->op != POP_DOES_NOT_EXIST)) {
				perr(c, ve[1], "matchExpressions operator must be In, NotIn, Exists or DoesNotExist");
				e->op = POP_NONE;
			}
			if (ve[2] && get_seq(c, ve[2], "values")) {
				uint32_t nv = seq_len(ve[2]);
				e->values = xcalloc(c, nv, sizeof(char *));
				for (uint32_t j = 0; e->values && j < nv; j++) {
					char *t = get_str(c, ve[2]->kids[j], "value");
					if (t)
						e->values[e->n_values++] = t;
				}
			}
			if ((e->op == POP_IN || e->op == POP_NOT_IN) && !e->n_values)
				perr(c, x, "matchExpressions: operator %s needs values", pol_op_name(e->op));
			if ((e->op == POP_EXISTS || e->op == POP_DOES_NOT_EXIST) && e->n_values)
				perr(c, ve[2], "matchExpressions: operator %s takes no values", pol_op_name(e->op));
			s->n_exprs++;
		}
	}
	return s;
}

static void parse_spec(struct pc *c, const struct ynode *n)
{
	enum { KPROBES, LSMHOOKS, TRACEPOINTS, UPROBES, LISTS, OPTIONS, PODSEL, CONTSEL, USDTS, ENFORCERS,
	       LOADER, NF };
	static const struct fspec f[NF] = {
		[KPROBES] = { "kprobes", NULL },
		[LSMHOOKS] = { "lsmhooks", NULL },
		[TRACEPOINTS] = { "tracepoints", NULL },
		[UPROBES] = { "uprobes", NULL },
		[LISTS] = { "lists", NULL },
		[OPTIONS] = { "options", NULL },
		[PODSEL] = { "podSelector", NULL },
		[CONTSEL] = { "containerSelector", NULL },
		[USDTS] = { "usdts", "veto has no USDT sensor" },
		[ENFORCERS] = { "enforcers", "veto enforces in the hook itself: use Override or Sigkill in matchActions" },
		[LOADER] = { "loader", "events for loaded libraries" },
	};
	const struct ynode *v[NF];

	if (!fields(c, n, "spec", f, NF, v))
		return;
	if (v[LISTS])
		parse_lists(c, v[LISTS]);
	if (v[OPTIONS])
		parse_options(c, v[OPTIONS]);
	if (v[PODSEL])
		c->p->pod_selector = parse_label_selector(c, v[PODSEL], "podSelector");
	if (v[CONTSEL])
		c->p->container_selector = parse_label_selector(c, v[CONTSEL], "containerSelector");
	if (v[KPROBES])
		parse_hooks(c, v[KPROBES], "kprobes", PH_KPROBE);
	if (v[LSMHOOKS])
		parse_hooks(c, v[LSMHOOKS], "lsmhooks", PH_LSM);
	if (v[TRACEPOINTS])
		parse_hooks(c, v[TRACEPOINTS], "tracepoints", PH_TRACEPOINT);
	if (v[UPROBES])
		parse_hooks(c, v[UPROBES], "uprobes", PH_UPROBE);
}

/* DNS-1123 subdomain, what Kubernetes requires of metadata.name */
static bool valid_k8s_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 253 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-' || s[i] == '.'))
			return false;
	return true;
}

static char *name_from_file(const char *file)
{
	const char *b = strrchr(file, '/');
	char *s, *dot;

	s = strdup(b ? b + 1 : file);
	if (!s)
		return NULL;
	dot = strrchr(s, '.');
	if (dot && dot != s)
		*dot = 0;
	for (char *q = s; *q; q++) {
		*q = (char)tolower((unsigned char)*q);
		if (!isalnum((unsigned char)*q) && *q != '-' && *q != '.')
			*q = '-';
	}
	if (!*s || !isalnum((unsigned char)s[0])) {
		free(s);
		s = strdup("policy");
	}
	return s;
}

static void parse_metadata(struct pc *c, const struct ynode *n)
{
	static const struct fspec f[] = {
		{ "name", NULL }, { "namespace", NULL }, { "labels", NULL }, { "annotations", NULL },
		/* what `kubectl get -o yaml` adds: carried, not used */
		{ "uid", NULL }, { "resourceVersion", NULL }, { "generation", NULL },
		{ "creationTimestamp", NULL }, { "managedFields", NULL }, { "finalizers", NULL },
		{ "ownerReferences", NULL }, { "generateName", NULL }, { "selfLink", NULL },
		{ "deletionTimestamp", NULL }, { "deletionGracePeriodSeconds", NULL },
	};
	const struct ynode *v[N(f)];

	if (!fields(c, n, "metadata", f, N(f), v))
		return;
	if (!v[0]) {
		perr(c, n, "metadata: missing field 'name'");
	} else {
		c->p->name = get_str(c, v[0], "metadata.name");
		if (c->p->name && !valid_k8s_name(c->p->name))
			perr(c, v[0], "invalid name '%.80s': use lowercase letters, digits, '-' and '.', starting "
			     "and ending with a letter or digit (at most 253)", c->p->name);
	}
	if (v[1]) {
		c->p->namespace = get_str(c, v[1], "metadata.namespace");
		if (c->p->namespace && (!valid_k8s_name(c->p->namespace) || strchr(c->p->namespace, '.') ||
					strlen(c->p->namespace) > 63))
			perr(c, v[1], "invalid namespace '%.80s'", c->p->namespace);
	}
	if (v[2] && !is_null(v[2]) && v[2]->type != Y_MAP)
		perr(c, v[2], "metadata.labels must be a mapping");
	if (v[3] && !is_null(v[3]) && v[3]->type != Y_MAP)
		perr(c, v[3], "metadata.annotations must be a mapping");
}

static int add_policy(struct pol_set *s, struct pol_policy **out)
{
	struct pol_policy *v;

	if (pol_grow((void **)&s->v, s->n, sizeof(*v)))
		return -ENOMEM;
	v = s->v;
	memset(&v[s->n], 0, sizeof(v[s->n]));
	*out = &v[s->n++];
	return 0;
}

static int parse_doc(struct pc *c, struct pol_set *set, const struct ydoc *doc, unsigned idx)
{
	static const struct fspec f[] = {
		{ "apiVersion", NULL }, { "kind", NULL }, { "metadata", NULL }, { "spec", NULL }, { "status", NULL },
	};
	const struct ynode *root = doc->root, *av, *kind, *v[N(f)];
	struct pol_policy *p;
	int r;

	if (is_null(root))
		return 0; /* empty document, e.g. a trailing '---' */
	av = map_get(root, "apiVersion");
	kind = map_get(root, "kind");
	if (root->type == Y_MAP && av && av->type == Y_SCALAR && strncmp(av->s, "cilium.io/", 10)) {
		pwarn(c, root, "skipped document %u: kind %.64s (apiVersion %.64s) is not a TracingPolicy", idx + 1,
		      kind && kind->type == Y_SCALAR ? kind->s : "?", av->s);
		return 0;
	}
	r = add_policy(set, &p);
	if (r)
		return r;
	c->p = p;
	p->pos = (struct pol_pos){ doc->line, doc->col };
	p->doc = idx;
	if (!fields(c, root, "a policy document", f, N(f), v))
		return 0;
	if (!v[0] && !v[1] && !v[2] && v[3]) {
		p->name = name_from_file(c->file);
		if (!p->name)
			return -ENOMEM;
		p->name_from_file = true;
		pwarn(c, root, "no apiVersion, kind or metadata: treated as a TracingPolicy named '%s' "
		      "(after the file name); add them before 'kubectl apply'", p->name);
	} else {
		if (!v[0]) {
			perr(c, root, "missing apiVersion (cilium.io/v1alpha1)");
		} else if (v[0]->type != Y_SCALAR || strcmp(v[0]->s, "cilium.io/v1alpha1")) {
			perr(c, v[0], "unsupported apiVersion '%.64s' (expected cilium.io/v1alpha1)",
			     v[0]->type == Y_SCALAR ? v[0]->s : "");
		}
		if (!v[1]) {
			perr(c, root, "missing kind (TracingPolicy or TracingPolicyNamespaced)");
		} else if (v[1]->type == Y_SCALAR && !strcmp(v[1]->s, "TracingPolicy")) {
			p->kind = PK_TRACING_POLICY;
		} else if (v[1]->type == Y_SCALAR && !strcmp(v[1]->s, "TracingPolicyNamespaced")) {
			p->kind = PK_TRACING_POLICY_NAMESPACED;
		} else {
			static const char *const kinds[] = { "TracingPolicy", "TracingPolicyNamespaced" };
			const char *s = v[1]->type == Y_SCALAR ? pol_suggest(v[1]->s, kinds, 2) : NULL;
			perr(c, v[1], "unknown kind '%.64s' (expected TracingPolicy or TracingPolicyNamespaced)%s%s%s",
			     v[1]->type == Y_SCALAR ? v[1]->s : "", s ? ": did you mean '" : "", s ? s : "",
			     s ? "'?" : "");
		}
		if (!v[2])
			perr(c, root, "missing metadata (with a name)");
		else
			parse_metadata(c, v[2]);
	}
	if (!v[3])
		perr(c, root, "missing spec");
	else
		parse_spec(c, v[3]);
	c->p = NULL;
	return c->nomem ? -ENOMEM : 0;
}

static bool blank(const char *buf, size_t len)
{
	bool comment = false;

	for (size_t i = 0; i < len; i++) {
		if (comment) {
			if (buf[i] == '\n')
				comment = false;
			continue;
		}
		if (buf[i] == '#')
			comment = true;
		else if (!isspace((unsigned char)buf[i]))
			return false;
	}
	return true;
}

int pol_parse_buf(const char *file, const char *buf, size_t len, struct pol_set *out, struct diag_list *d)
{
	struct builder b;
	struct pc c = { .file = file, .d = d };
	size_t before = out->n;
	int r = 0;

	if (!out->file) {
		out->file = strdup(file);
		if (!out->file)
			return -ENOMEM;
	}
	if (len > POL_MAX_FILE_BYTES) {
		diag_add(d, file, DIAG_ERROR, 1, 1, "file is %zu bytes: a policy may be at most %u MiB", len,
			 POL_MAX_FILE_BYTES >> 20);
		return 0;
	}
	if (blank(buf, len)) {
		diag_add(d, file, DIAG_ERROR, 1, 1, "empty file: no policy document");
		return 0;
	}
	memset(&b, 0, sizeof(b));
	b.file = file;
	b.d = d;
	r = build(&b, buf, len);
	if (r == 0) {
		for (size_t i = 0; i < b.n_docs && !r; i++)
			r = parse_doc(&c, out, &b.docs[i], (unsigned)i);
		if (!r && out->n == before && !d->nerr) {
			bool skipped = false;
			for (size_t i = 0; i < b.n_docs; i++)
				if (!is_null(b.docs[i].root))
					skipped = true;
			diag_add(d, file, DIAG_ERROR, 1, 1, skipped ? "no TracingPolicy in this file"
								 : "empty file: no policy document");
		}
	}
	free(b.docs);
	arena_free(&b.arena);
	if (c.nomem)
		r = -ENOMEM;
	return r < 0 ? r : 0;
}

int pol_parse_file(const char *path, struct pol_set *out, struct diag_list *d)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int fd, r;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC) : dup(0);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return -EISDIR;
	}
	if (!S_ISREG(st.st_mode) && strcmp(path, "-")) {
		close(fd);
		if (!out->file && !(out->file = strdup(path)))
			return -ENOMEM;
		diag_add(d, path, DIAG_ERROR, 0, 0, "not a regular file (%s): policies are read from regular files or '-'",
			 S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISSOCK(st.st_mode) ? "a socket" : "a device");
		return 0;
	}
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > POL_MAX_FILE_BYTES) {
		close(fd);
		if (!out->file && !(out->file = strdup(path)))
			return -ENOMEM;
		diag_add(d, path, DIAG_ERROR, 1, 1, "file is %lld bytes: a policy may be at most %u MiB",
			 (long long)st.st_size, POL_MAX_FILE_BYTES >> 20);
		return 0;
	}
	for (;;) {
		ssize_t k;
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *nb;
			if (cap > POL_MAX_FILE_BYTES)
				break; /* enough to know it is too big */
			nb = realloc(buf, ncap + 1);
			if (!nb) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = nb;
			cap = ncap;
		}
		k = read(fd, buf + len, cap - len);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			free(buf);
			close(fd);
			return r;
		}
		if (k == 0)
			break;
		len += (size_t)k;
	}
	close(fd);
	r = pol_parse_buf(path, buf ? buf : "", len, out, d);
	free(buf);
	return r;
}

static void free_values(struct pol_value *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].raw);
	free(v);
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static void free_label_selector(struct pol_label_selector *s)
{
	if (!s)
		return;
	free_strv(s->keys, s->n_labels);
	free_strv(s->vals, s->n_labels);
	for (size_t i = 0; i < s->n_exprs; i++) {
		free(s->exprs[i].key);
		free_strv(s->exprs[i].values, s->exprs[i].n_values);
	}
	free(s->exprs);
	free(s);
}

static void free_arg(struct pol_arg *a)
{
	free(a->label);
	free(a->resolve);
}

static void free_policy(struct pol_policy *p)
{
	for (size_t i = 0; i < p->n_hooks; i++) {
		struct pol_hook *h = &p->hooks[i];
		for (size_t j = 0; j < h->n_args; j++)
			free_arg(&h->args[j]);
		free(h->args);
		free_arg(&h->return_arg);
		for (size_t j = 0; j < h->n_selectors; j++) {
			struct pol_selector *s = &h->selectors[j];
			for (size_t k = 0; k < s->n_filters; k++)
				free_values(s->filters[k].values, s->filters[k].n_values);
			free(s->filters);
			free(s->actions);
			free(s->return_actions);
		}
		free(h->selectors);
		free(h->call);
		free(h->subsystem);
		free(h->event);
		free(h->message);
		free_strv(h->tags, h->n_tags);
	}
	free(p->hooks);
	for (size_t i = 0; i < p->n_lists; i++) {
		free(p->lists[i].name);
		free(p->lists[i].pattern);
		free_values(p->lists[i].values, p->lists[i].n_values);
	}
	free(p->lists);
	for (size_t i = 0; i < p->n_options; i++) {
		free(p->options[i].name);
		free(p->options[i].value);
	}
	free(p->options);
	free_label_selector(p->pod_selector);
	free_label_selector(p->container_selector);
	for (size_t i = 0; i < p->n_unsupported; i++)
		free(p->unsupported[i].what);
	free(p->unsupported);
	free(p->name);
	free(p->namespace);
}

void pol_set_free(struct pol_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free_policy(&s->v[i]);
	free(s->v);
	free(s->file);
	memset(s, 0, sizeof(*s));
}
