/* Typed reads of YAML nodes for the TracingPolicy walkers: each says what it
 * expected and what it got, at the node's line:col. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/parse.h"

void pc_err(struct pc *c, const struct ynode *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(c->d, c->file, DIAG_ERROR, n ? n->line : 0, n ? n->col : 0, fmt, ap);
	va_end(ap);
	if (c->p)
		c->p->broken = true;
}

void pc_warn(struct pc *c, const struct ynode *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(c->d, c->file, DIAG_WARNING, n ? n->line : 0, n ? n->col : 0, fmt, ap);
	va_end(ap);
}

void pc_unsup(struct pc *c, const struct ynode *n, const char *what)
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

struct pol_pos pc_pos(const struct ynode *n)
{
	return (struct pol_pos){ n ? n->line : 0, n ? n->col : 0 };
}

const struct ynode *pc_key(const struct ynode *map, const struct ynode *v)
{
	for (uint32_t i = 0; map && map->type == Y_MAP && i < map->n; i++)
		if (map->kids[2 * i + 1] == v)
			return map->kids[2 * i];
	return v;
}

bool pc_fields(struct pc *c, const struct ynode *map, const char *what, const struct fspec *f, size_t nf,
	       const struct ynode **out)
{
	const struct ynode *keys[64] = { 0 };
	const char *names[64];

	for (size_t i = 0; i < nf; i++) {
		out[i] = NULL;
		names[i] = f[i].name;
	}
	if (!map || map->type != Y_MAP) {
		pc_err(c, map, "%s must be a mapping, got %s", what, y_kind(map));
		return false;
	}
	for (uint32_t i = 0; i < map->n; i++) {
		const struct ynode *k = map->kids[2 * i], *v = map->kids[2 * i + 1];
		size_t j;

		if (k->type != Y_SCALAR) {
			pc_err(c, k, "%s: a key must be a plain name, got %s", what, y_kind(k));
			continue;
		}
		for (j = 0; j < nf; j++)
			if (!strcmp(k->s, f[j].name))
				break;
		if (j == nf) {
			const char *s = pol_suggest(k->s, names, nf);
			pc_err(c, k, "unknown field '%s' in %s%s%s%s", k->s, what, s ? " (did you mean '" : "",
			       s ? s : "", s ? "'?)" : "");
			continue;
		}
		if (keys[j]) {
			pc_err(c, k, "duplicate field '%s' in %s (first at %u:%u)", k->s, what, keys[j]->line,
			       keys[j]->col);
			continue;
		}
		keys[j] = k;
		out[j] = v;
		if (f[j].unsupported) {
			char msg[512];
			snprintf(msg, sizeof(msg), "%s: %s", f[j].name, f[j].unsupported);
			pc_unsup(c, k, msg);
		}
	}
	return true;
}

char *pc_strdup(struct pc *c, const char *s)
{
	char *r = strdup(s);
	if (!r)
		c->nomem = true;
	return r;
}

char *pc_str(struct pc *c, const struct ynode *n, const char *what)
{
	if (!n || n->type != Y_SCALAR || y_is_null(n)) {
		pc_err(c, n, "%s must be a string, got %s", what, y_kind(n));
		return NULL;
	}
	if (strlen(n->s) != n->n) {
		pc_err(c, n, "%s contains a NUL byte", what);
		return NULL;
	}
	return pc_strdup(c, n->s);
}

bool pc_bool(struct pc *c, const struct ynode *n, const char *what, bool *out)
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
		pc_err(c, n, "%s must be true or false, got the string \"%s\" (remove the quotes)", what, n->s);
	else if (n && n->type == Y_SCALAR)
		pc_err(c, n, "%s must be true or false, got '%.64s'", what, n->s);
	else
		pc_err(c, n, "%s must be true or false, got %s", what, y_kind(n));
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

bool pc_int(struct pc *c, const struct ynode *n, const char *what, int64_t min, int64_t max, int64_t *out)
{
	int64_t v;

	if (!n || n->type != Y_SCALAR || y_is_null(n)) {
		pc_err(c, n, "%s must be an integer, got %s", what, y_kind(n));
		return false;
	}
	if (!parse_i64(n->s, &v)) {
		pc_err(c, n, "%s must be an integer, got '%.64s'", what, n->s);
		return false;
	}
	if (!n->plain) {
		pc_err(c, n, "%s must be an integer, got the string \"%s\" (remove the quotes)", what, n->s);
		return false;
	}
	if (v < min || v > max) {
		pc_err(c, n, "%s %lld is out of range [%lld, %lld]", what, (long long)v, (long long)min,
		       (long long)max);
		return false;
	}
	*out = v;
	return true;
}

bool pc_seq(struct pc *c, const struct ynode *n, const char *what)
{
	if (y_is_null(n))
		return true;
	if (n->type != Y_SEQ) {
		pc_err(c, n, "%s must be a list, got %s", what, y_kind(n));
		return false;
	}
	return true;
}

void *pc_calloc(struct pc *c, size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);
	if (!p)
		c->nomem = true;
	return p;
}

bool pc_values(struct pc *c, const struct ynode *n, const char *what, struct pol_value **out, size_t *nout)
{
	uint32_t k;

	*out = NULL;
	*nout = 0;
	if (!pc_seq(c, n, what))
		return false;
	k = y_seq_len(n);
	*out = pc_calloc(c, k, sizeof(**out));
	if (!*out)
		return false;
	for (uint32_t i = 0; i < k; i++) {
		const struct ynode *v = n->kids[i];
		struct pol_value *x = &(*out)[*nout];

		if (v->type != Y_SCALAR || y_is_null(v)) {
			pc_err(c, v, "%s: each value must be a string or number, got %s", what, y_kind(v));
			continue;
		}
		x->pos = pc_pos(v);
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
