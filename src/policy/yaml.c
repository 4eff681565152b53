/*
 * The positioned YAML tree: libyaml's event API walked into nodes that keep
 * their line:col, bounded in depth and size so hostile input stays cheap.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "policy/policy.h"
#include "policy/yaml.h"

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

int ytree_build(struct ytree *t, const char *file, const char *buf, size_t len, struct diag_list *d)
{
	struct builder b;
	int r;

	memset(&b, 0, sizeof(b));
	b.file = file;
	b.d = d;
	r = build(&b, buf, len);
	t->arena = b.arena.head;
	t->docs = b.docs;
	t->n_docs = b.n_docs;
	return r;
}

void ytree_free(struct ytree *t)
{
	struct arena a = { t->arena };

	free(t->docs);
	arena_free(&a);
	memset(t, 0, sizeof(*t));
}

bool y_is_null(const struct ynode *n)
{
	if (!n)
		return true;
	if (n->type != Y_SCALAR || !n->plain)
		return false;
	return n->n == 0 || !strcmp(n->s, "~") || !strcmp(n->s, "null") || !strcmp(n->s, "Null") ||
	       !strcmp(n->s, "NULL");
}

const char *y_kind(const struct ynode *n)
{
	if (y_is_null(n))
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

const struct ynode *y_map_get(const struct ynode *map, const char *key)
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

uint32_t y_seq_len(const struct ynode *n)
{
	return y_is_null(n) || n->type != Y_SEQ ? 0 : n->n;
}
