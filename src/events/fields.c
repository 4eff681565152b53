#include "events/fields.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events/evjson.h"
#include "events/filter.h"

int fields_parse_paths(struct field_filter *f, const char *csv, char *err, size_t errlen)
{
	for (const char *p = csv; *p;) {
		size_t n = strcspn(p, ",");

		if (n == 0 || n >= FIELDS_PATH || p[0] == '.' || p[n - 1] == '.') {
			snprintf(err, errlen, "bad field path '%.*s'", (int)(n > 64 ? 64 : n), p);
			return -EINVAL;
		}
		if (f->n >= FIELDS_MAX) {
			snprintf(err, errlen, "too many field paths (at most %d)", FIELDS_MAX);
			return -EINVAL;
		}
		memcpy(f->path[f->n], p, n);
		f->path[f->n++][n] = '\0';
		p += n + (p[n] == ',');
	}
	return 0;
}

static int parse_obj(const struct jr *o, struct field_filter *f, char *err, size_t errlen)
{
	memset(f, 0, sizeof(*f));
	if (o->type != JR_OBJ) {
		snprintf(err, errlen, "a field filter is a JSON object");
		return -EINVAL;
	}
	for (size_t i = 0; i < o->n; i++) {
		const struct jr *m = &o->kids[i];
		enum ev_kind k;

		if (!strcmp(m->key, "event_set") || !strcmp(m->key, "eventSet")) {
			for (size_t j = 0; m->type == JR_ARR && j < m->n; j++) {
				if (m->kids[j].type != JR_STR || filter_kind_parse(m->kids[j].str, &k)) {
					snprintf(err, errlen, "'%s': unknown event type", m->key);
					return -EINVAL;
				}
				f->kinds |= 1u << k;
			}
			if (m->type != JR_ARR)
				goto type;
		} else if (!strcmp(m->key, "fields")) {
			if (m->type != JR_STR)
				goto type;
			if (fields_parse_paths(f, m->str, err, errlen))
				return -EINVAL;
		} else if (!strcmp(m->key, "action")) {
			if (m->type != JR_STR || (strcmp(m->str, "INCLUDE") && strcmp(m->str, "EXCLUDE"))) {
				snprintf(err, errlen, "'action': expected INCLUDE or EXCLUDE");
				return -EINVAL;
			}
			f->include = !strcmp(m->str, "INCLUDE");
		} else if (!strcmp(m->key, "invert_event_set") || !strcmp(m->key, "invertEventSet")) {
			if (m->type != JR_BOOL)
				goto type;
			f->invert = m->b;
		} else {
			snprintf(err, errlen, "'%s': unknown key of a field filter", m->key);
			return -EINVAL;
		}
		continue;
type:
		snprintf(err, errlen, "'%s': wrong type", m->key);
		return -EINVAL;
	}
	if (!jr_get(o, "action")) {
		snprintf(err, errlen, "'action' missing (INCLUDE or EXCLUDE)");
		return -EINVAL;
	}
	return 0;
}

int fields_parse_lines(const char *text, struct field_filter **v, size_t *n, char *err, size_t errlen)
{
	size_t n0 = *n, lineno = 0;
	const char *p = text;
	char why[200];
	int rc = 0;

	while (!rc && *p) {
		size_t len = strcspn(p, "\n");
		char *line = strndup(p, len);
		struct field_filter *grown;
		struct jr o;

		p += len + (p[len] == '\n');
		lineno++;
		if (!line)
			return -ENOMEM;
		if (!line[strspn(line, " \t\r")]) {
			free(line);
			continue;
		}
		rc = jr_parse(line, &o);
		free(line);
		if (rc == -EINVAL)
			snprintf(why, sizeof(why), "not a JSON object");
		if (!rc) {
			grown = realloc(*v, (*n + 1) * sizeof(**v));
			rc = grown ? parse_obj(&o, &grown[*n], why, sizeof(why)) : -ENOMEM;
			if (grown)
				*v = grown;
			if (!rc)
				(*n)++;
			jr_free(&o);
		}
		if (rc == -EINVAL)
			snprintf(err, errlen, "%zu: %s", lineno, why);
	}
	if (rc)
		*n = n0;
	return rc;
}

/* Drops o's member i (its value freed). */
static void drop(struct jr *o, size_t i)
{
	jr_free(&o->kids[i]);
	memmove(&o->kids[i], &o->kids[i + 1], (o->n - i - 1) * sizeof(o->kids[0]));
	o->n--;
}

/* How path relates to prefix.key: 2 it names it, 1 it names something
 * inside it, 0 neither. */
static int relation(const char *path, const char *prefix, const char *key)
{
	size_t pl = strlen(prefix), kl = strlen(key);

	if (pl && (strncmp(path, prefix, pl) || path[pl] != '.'))
		return 0;
	path += pl ? pl + 1 : 0;
	if (strncmp(path, key, kl))
		return 0;
	return path[kl] == '\0' ? 2 : path[kl] == '.' ? 1 : 0;
}

static bool mask(const struct field_filter *f, struct jr *o, const char *prefix)
{
	bool changed = false;

	for (size_t i = 0; i < o->n;) {
		int best = 0;
		for (int p = 0; p < f->n && best < 2; p++) {
			int r = relation(f->path[p], prefix, o->kids[i].key);
			best = r > best ? r : best;
		}
		if (best == 1 && o->kids[i].type == JR_OBJ) {
			char sub[FIELDS_PATH * 2];
			snprintf(sub, sizeof(sub), "%s%s%s", prefix, prefix[0] ? "." : "", o->kids[i].key);
			changed |= mask(f, &o->kids[i], sub);
		}
		/* include keeps what a path names or leads into; exclude drops what one names */
		if (f->include ? best == 0 : best == 2) {
			drop(o, i);
			changed = true;
		} else {
			i++;
		}
	}
	return changed;
}

bool fields_apply(const struct field_filter *v, size_t n, struct jr *ev)
{
	bool changed = false;
	const char *name;
	int kind;
	struct jr *in = (struct jr *)evjson_inner(ev, &kind, &name);

	if (!in)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool member = v[i].kinds >> kind & 1;
		if (v[i].invert ? !member : !v[i].kinds || member)
			changed |= mask(&v[i], in, "");
	}
	return changed;
}

void fields_write(struct jw *w, const struct jr *v)
{
	switch (v->type) {
	case JR_NULL:
		jw_null(w);
		break;
	case JR_BOOL:
		jw_bool(w, v->b);
		break;
	case JR_NUM:
		jw_raw_value(w, v->str, strlen(v->str));
		break;
	case JR_STR:
		jw_str(w, v->str);
		break;
	case JR_ARR:
	case JR_OBJ:
		v->type == JR_ARR ? jw_arr_open(w) : jw_obj_open(w);
		for (size_t i = 0; i < v->n; i++) {
			if (v->type == JR_OBJ)
				jw_key(w, v->kids[i].key);
			fields_write(w, &v->kids[i]);
		}
		v->type == JR_ARR ? jw_arr_close(w) : jw_obj_close(w);
	}
}
