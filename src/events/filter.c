#include "events/filter.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/regex.h"

void filter_view_of_ev(struct ev_view *v, const struct ev *e)
{
	const struct proc *p = e->proc;

	v->kind = e->kind;
	v->pid = p->pid;
	v->binary = p->binary ? p->binary : "";
	v->parent_binary = p->parent && p->parent->binary ? p->parent->binary : "";
	v->arguments = p->args ? p->args : "";
	/* Tetragon matches container_id against the process's `docker` field */
	snprintf(v->docker_buf, sizeof(v->docker_buf), "%s", p->container.id);
	v->docker = v->docker_buf;
	v->pod_namespace = v->pod_name = "";
	v->policy_name = e->pol ? ev_policy_name(e) : "";
}

/* One of the patterns matches s. A match that gives up (see util/regex.h)
 * is no match. */
static bool any_re(struct regex *const *re, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (regex_match(re[i], s, strlen(s)) == 1)
			return true;
	return false;
}

static bool any_str(const char (*v)[FILTER_STR], int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

static bool match_one(const struct ev_match *m, const struct ev_view *v)
{
	bool ok = !m->npids;

	if (m->health_only)
		return false;
	if (m->kinds && (v->kind < 0 || !(m->kinds >> v->kind & 1)))
		return false;
	for (int i = 0; i < m->npids && !ok; i++)
		ok = m->pids[i] == v->pid;
	if (!ok)
		return false;
	if (m->nbin && !any_re(m->bin, m->nbin, v->binary))
		return false;
	if (m->nparent && !any_re(m->parent, m->nparent, v->parent_binary))
		return false;
	if (m->nargs && !any_re(m->args, m->nargs, v->arguments))
		return false;
	if (m->ncont && !any_re(m->cont, m->ncont, v->docker))
		return false;
	/* a process outside any pod never matches a pod or namespace filter */
	if (m->npod && (!v->pod_name[0] || !any_re(m->pod, m->npod, v->pod_name)))
		return false;
	if (m->nns && (!v->pod_name[0] || !any_str(m->ns, m->nns, v->pod_namespace)))
		return false;
	if (m->npol && !any_str(m->pol, m->npol, v->policy_name))
		return false;
	return true;
}

bool filter_view_match(const struct ev_filter *f, const struct ev_view *v)
{
	bool ok;

	if (!f)
		return true;
	ok = !f->nallow;
	for (size_t i = 0; i < f->nallow && !ok; i++)
		ok = match_one(&f->allow[i], v);
	for (size_t i = 0; i < f->ndeny && ok; i++)
		ok = !match_one(&f->deny[i], v);
	return ok;
}

bool filter_match(const struct ev_filter *f, const struct ev *e)
{
	struct ev_view v;

	if (!f || (!f->nallow && !f->ndeny))
		return true;
	filter_view_of_ev(&v, e);
	return filter_view_match(f, &v);
}

int filter_kind_parse(const char *s, enum ev_kind *k)
{
	for (int i = 0; i < EV__COUNT; i++) {
		if (!strcasecmp(s, ev_kind_name(i))) {
			*k = i;
			return 0;
		}
	}
	return ev_kind_parse(s, k);
}

void filter_kinds_list(char *out, size_t len)
{
	size_t o = 0;

	out[0] = '\0';
	for (int k = 0; k < EV__COUNT && o < len; k++) {
		const char *n = ev_kind_name(k);
		int w = snprintf(out + o, len - o, "%s", k ? (k == EV__COUNT - 1 ? " or " : ", ") : "");

		for (o += w > 0 ? (size_t)w : 0; *n && o + 1 < len; n++)
			out[o++] = (char)toupper((unsigned char)*n);
		out[o < len ? o : len - 1] = '\0';
	}
}

void filter_regex_quote(const char *s, char *out, size_t outlen)
{
	size_t o = 0;

	if (outlen < 3) {
		if (outlen)
			out[0] = '\0';
		return;
	}
	out[o++] = '^';
	for (; *s && o + 3 < outlen; s++) {
		/* a backslash before ASCII punctuation makes it literal */
		if (strchr("\\^$.|?*+()[]{}-/#", *s))
			out[o++] = '\\';
		out[o++] = *s;
	}
	out[o++] = '$';
	out[o] = '\0';
}

enum fkey { K_EVENT_SET, K_PID, K_BIN, K_PARENT, K_ARGS, K_POD, K_CONT, K_NS, K_POL, K_HEALTH };

static const struct {
	const char *snake, *camel;
	enum fkey k;
} keys[] = {
	{ "event_set", "eventSet", K_EVENT_SET },
	{ "pid", "pid", K_PID },
	{ "binary_regex", "binaryRegex", K_BIN },
	{ "parent_binary_regex", "parentBinaryRegex", K_PARENT },
	{ "arguments_regex", "argumentsRegex", K_ARGS },
	{ "pod_regex", "podRegex", K_POD },
	{ "container_id", "containerId", K_CONT },
	{ "namespace", "namespace", K_NS },
	{ "policy_names", "policyNames", K_POL },
	{ "health_check", "healthCheck", K_HEALTH },
};

/* Tetragon's Filter keys veto has no data for. */
static const char *const unsupported[] = {
	"pid_set", "pidSet", "labels", "capabilities", "in_init_tree", "inInitTree",
	"ancestor_binary_regex", "ancestorBinaryRegex", "parent_arguments_regex",
	"parentArgumentsRegex", "cel_expression", "celExpression", "parent_pod_regex",
};

static int bad(char *err, size_t errlen, const char *key, const char *why)
{
	snprintf(err, errlen, "'%s': %s", key, why);
	return -EINVAL;
}

static int add_regex(struct regex **v, int *n, const char *key, const char *pat, char *err, size_t errlen)
{
	char why[200];
	int rc;

	if (*n >= FILTER_MAX)
		return bad(err, errlen, key, "too many values (at most 16)");
	rc = regex_compile(&v[*n], pat, why, sizeof(why));
	if (rc == -EINVAL)
		return bad(err, errlen, key, why);
	if (rc)
		return rc;
	(*n)++;
	return 0;
}

static int add_str(char (*v)[FILTER_STR], int *n, const char *key, const char *s, char *err, size_t errlen)
{
	if (*n >= FILTER_MAX)
		return bad(err, errlen, key, "too many values (at most 16)");
	if (strlen(s) >= FILTER_STR)
		return bad(err, errlen, key, "value longer than 255 bytes");
	strcpy(v[(*n)++], s);
	return 0;
}

static int add_pid(struct ev_match *m, const struct jr *v, const char *key, char *err, size_t errlen)
{
	char *end;
	unsigned long long pid;

	if (v->type != JR_NUM || v->str[0] == '-')
		return bad(err, errlen, key, "expected a list of process ids");
	errno = 0;
	pid = strtoull(v->str, &end, 10);
	if (*end || errno || pid > UINT32_MAX)
		return bad(err, errlen, key, "expected a list of process ids");
	if (m->npids >= FILTER_MAX)
		return bad(err, errlen, key, "too many values (at most 16)");
	m->pids[m->npids++] = (uint32_t)pid;
	return 0;
}

/* One value of a list key. */
static int add_value(struct ev_match *m, enum fkey k, const char *key, const struct jr *v, char *err,
		     size_t errlen)
{
	enum ev_kind kind;
	char kinds[160];

	if (k == K_PID)
		return add_pid(m, v, key, err, errlen);
	if (v->type != JR_STR)
		return bad(err, errlen, key, "expected a list of strings");
	switch (k) {
	case K_EVENT_SET:
		if (filter_kind_parse(v->str, &kind)) {
			filter_kinds_list(kinds, sizeof(kinds));
			snprintf(err, errlen, "'%s': unknown event type '%.64s' (expected %s)", key, v->str, kinds);
			return -EINVAL;
		}
		m->kinds |= 1u << kind;
		return 0;
	case K_BIN:
		return add_regex(m->bin, &m->nbin, key, v->str, err, errlen);
	case K_PARENT:
		return add_regex(m->parent, &m->nparent, key, v->str, err, errlen);
	case K_ARGS:
		return add_regex(m->args, &m->nargs, key, v->str, err, errlen);
	case K_POD:
		return add_regex(m->pod, &m->npod, key, v->str, err, errlen);
	case K_CONT:
		return add_regex(m->cont, &m->ncont, key, v->str, err, errlen);
	case K_NS:
		return add_str(m->ns, &m->nns, key, v->str, err, errlen);
	default:
		return add_str(m->pol, &m->npol, key, v->str, err, errlen);
	}
}

static void match_free(struct ev_match *m)
{
	struct regex **all[] = { m->bin, m->parent, m->args, m->pod, m->cont };
	int n[] = { m->nbin, m->nparent, m->nargs, m->npod, m->ncont };

	for (size_t i = 0; i < 5; i++)
		for (int j = 0; j < n[i]; j++)
			regex_free(all[i][j]);
}

static int parse_key(const struct jr *kv, struct ev_match *m, char *err, size_t errlen)
{
	size_t i = 0;

	while (i < sizeof(keys) / sizeof(keys[0]) && strcmp(kv->key, keys[i].snake) &&
	       strcmp(kv->key, keys[i].camel))
		i++;
	if (i == sizeof(keys) / sizeof(keys[0])) {
		for (size_t u = 0; u < sizeof(unsupported) / sizeof(unsupported[0]); u++)
			if (!strcmp(kv->key, unsupported[u]))
				return bad(err, errlen, kv->key, "not supported: veto has no data for it");
		return bad(err, errlen, kv->key, "unknown key of a filter");
	}
	if (keys[i].k == K_HEALTH) {
		if (kv->type != JR_BOOL)
			return bad(err, errlen, kv->key, "expected true or false");
		m->health_only = kv->b;
		return 0;
	}
	if (kv->type == JR_NULL)
		return 0;
	if (kv->type != JR_ARR)
		return bad(err, errlen, kv->key, "expected a list");
	for (size_t j = 0; j < kv->n; j++) {
		int rc = add_value(m, keys[i].k, kv->key, &kv->kids[j], err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

int filter_parse_obj(const struct jr *obj, struct ev_match *m, char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	if (obj->type != JR_OBJ) {
		snprintf(err, errlen, "a filter is a JSON object");
		return -EINVAL;
	}
	for (size_t i = 0; i < obj->n; i++) {
		int rc = parse_key(&obj->kids[i], m, err, errlen);
		if (rc) {
			match_free(m);
			memset(m, 0, sizeof(*m));
			return rc;
		}
	}
	return 0;
}

/* One line of filter_parse_lines: appended to *list. */
static int parse_line(char *line, struct ev_match **list, size_t *n, char *err, size_t errlen)
{
	struct ev_match *grown;
	struct jr obj;
	int rc;

	rc = jr_parse(line, &obj);
	if (rc == -EINVAL)
		snprintf(err, errlen, "not a JSON object");
	if (rc)
		return rc;
	grown = realloc(*list, (*n + 1) * sizeof(**list));
	if (!grown) {
		jr_free(&obj);
		return -ENOMEM;
	}
	*list = grown;
	rc = filter_parse_obj(&obj, &grown[*n], err, errlen);
	jr_free(&obj);
	if (!rc)
		(*n)++;
	return rc;
}

int filter_parse_lines(const char *text, struct ev_match **list, size_t *n, char *err, size_t errlen)
{
	char *dup = strdup(text), *save = NULL, why[300];
	size_t n0 = *n, lineno = 0;
	int rc = 0;

	if (!dup)
		return -ENOMEM;
	for (char *p = dup, *line; !rc && p; p = save) {
		save = strchr(p, '\n');
		if (save)
			*save++ = '\0';
		line = p;
		lineno++;
		if (!line[strspn(line, " \t\r")])
			continue;
		rc = parse_line(line, list, n, why, sizeof(why));
		if (rc == -EINVAL)
			snprintf(err, errlen, "%zu: %s", lineno, why);
	}
	free(dup);
	if (rc) {
		filter_matches_free(*list + n0, *n - n0);
		*n = n0;
		if (!n0) {
			free(*list);
			*list = NULL;
		}
	}
	return rc;
}

void filter_matches_free(struct ev_match *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		match_free(&list[i]);
}

void filter_free(struct ev_filter *f)
{
	if (!f)
		return;
	filter_matches_free(f->allow, f->nallow);
	filter_matches_free(f->deny, f->ndeny);
	free(f->allow);
	free(f->deny);
	memset(f, 0, sizeof(*f));
}
