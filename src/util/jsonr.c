#include "util/jsonr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

struct rd {
	const char *p;
	int depth;
};

static void skip(struct rd *r)
{
	while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')
		r->p++;
}

static int hex4(const char *p, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -EINVAL;
		*v = *v << 4 | (unsigned)d;
	}
	return 0;
}

/* A string at r->p (its opening quote), unescaped into *out. */
static int string(struct rd *r, char **out)
{
	const char *p = r->p + 1, *end = p;
	char *o;
	size_t k = 0;

	while (*end && *end != '"')
		end += *end == '\\' && end[1] ? 2 : 1;
	if (*end != '"')
		return -EINVAL;
	/* escapes never grow: \uXXXX (6 bytes) is at most 4 */
	o = malloc((size_t)(end - p) + 1);
	if (!o)
		return -ENOMEM;
	while (p < end) {
		unsigned c;

		if (*p != '\\') {
			o[k++] = *p++;
			continue;
		}
		p++;
		switch (*p) {
		case 'n': o[k++] = '\n'; break;
		case 't': o[k++] = '\t'; break;
		case 'r': o[k++] = '\r'; break;
		case 'b': o[k++] = '\b'; break;
		case 'f': o[k++] = '\f'; break;
		case '"': case '\\': case '/': o[k++] = *p; break;
		case 'u':
			if (end - p < 5 || hex4(p + 1, &c)) {
				free(o);
				return -EINVAL;
			}
			p += 4;
			k += utf8_put(o + k, c);
			break;
		default:
			free(o);
			return -EINVAL;
		}
		p++;
	}
	o[k] = '\0';
	*out = o;
	r->p = end + 1;
	return 0;
}

static int value(struct rd *r, struct jr *v);

/* Members or elements up to close; obj: each with a key. */
static int items(struct rd *r, struct jr *v, char close, bool obj)
{
	r->p++;
	skip(r);
	if (*r->p == close) {
		r->p++;
		return 0;
	}
	for (;;) {
		struct jr *kid, *nk;
		char *key = NULL;
		int rc;

		skip(r);
		if (obj) {
			if (*r->p != '"' || (rc = string(r, &key)))
				return *r->p != '"' ? -EINVAL : rc;
			skip(r);
			if (*r->p++ != ':') {
				free(key);
				return -EINVAL;
			}
		}
		nk = realloc(v->kids, (v->n + 1) * sizeof(*nk));
		if (!nk) {
			free(key);
			return -ENOMEM;
		}
		v->kids = nk;
		kid = &v->kids[v->n++];
		memset(kid, 0, sizeof(*kid));
		kid->key = key;
		if ((rc = value(r, kid)))
			return rc;
		skip(r);
		if (*r->p == ',') {
			r->p++;
			continue;
		}
		if (*r->p++ != close)
			return -EINVAL;
		return 0;
	}
}

static int value(struct rd *r, struct jr *v)
{
	const char *start;
	int rc;

	skip(r);
	switch (*r->p) {
	case '{':
	case '[':
		if (++r->depth > JR_MAX_DEPTH)
			return -EINVAL;
		v->type = *r->p == '{' ? JR_OBJ : JR_ARR;
		rc = items(r, v, *r->p == '{' ? '}' : ']', *r->p == '{');
		r->depth--;
		return rc;
	case '"':
		v->type = JR_STR;
		return string(r, &v->str);
	}
	if (!strncmp(r->p, "true", 4) || !strncmp(r->p, "false", 5) || !strncmp(r->p, "null", 4)) {
		v->type = *r->p == 'n' ? JR_NULL : JR_BOOL;
		v->b = *r->p == 't';
		r->p += *r->p == 'f' ? 5 : 4;
		return 0;
	}
	start = r->p;
	while (*r->p == '-' || *r->p == '+' || *r->p == '.' || *r->p == 'e' || *r->p == 'E' ||
	       (*r->p >= '0' && *r->p <= '9'))
		r->p++;
	if (r->p == start)
		return -EINVAL;
	v->type = JR_NUM;
	v->str = strndup(start, (size_t)(r->p - start));
	return v->str ? 0 : -ENOMEM;
}

int jr_parse(const char *s, struct jr *out)
{
	struct rd r = { s, 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	rc = value(&r, out);
	skip(&r);
	if (!rc && *r.p)
		rc = -EINVAL;
	if (rc)
		jr_free(out);
	return rc;
}

void jr_free(struct jr *v)
{
	for (size_t i = 0; i < v->n; i++)
		jr_free(&v->kids[i]);
	free(v->kids);
	free(v->key);
	free(v->str);
	memset(v, 0, sizeof(*v));
}

const struct jr *jr_get(const struct jr *obj, const char *key)
{
	for (size_t i = 0; obj && obj->type == JR_OBJ && i < obj->n; i++)
		if (!strcmp(obj->kids[i].key, key))
			return &obj->kids[i];
	return NULL;
}

const char *jr_str(const struct jr *obj, const char *key)
{
	const struct jr *v = jr_get(obj, key);

	return v && v->type == JR_STR ? v->str : "";
}

uint64_t jr_uint(const struct jr *obj, const char *key)
{
	const struct jr *v = jr_get(obj, key);

	return v && v->type == JR_NUM ? strtoull(v->str, NULL, 10) : 0;
}
