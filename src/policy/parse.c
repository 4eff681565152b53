/*
 * TracingPolicy YAML -> AST. The positioned YAML tree (yaml.c) is walked
 * document by document: metadata, spec, hooks with their arguments, lists,
 * options and pod selectors here, the selectors in parse_selector.c; every
 * problem is reported with its line and column.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/parse.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void parse_arg(struct pc *c, const struct ynode *n, const char *what, struct pol_arg *a)
{
	static const struct fspec f[] = {
		{ "index", NULL }, { "type", NULL }, { "label", NULL }, { "maxData", NULL },
		{ "returnCopy", NULL }, { "sizeArgIndex", NULL }, { "resolve", NULL },
		{ "btfType", "casting arguments to BTF types" },
	};
	const struct ynode *v[N(f)];
	int64_t x;

	a->pos = pc_pos(n);
	if (!pc_fields(c, n, what, f, N(f), v))
		return;
	if (!v[0] && strcmp(what, "returnArg"))
		pc_err(c, n, "%s: missing field 'index'", what);
	else if (v[0] && pc_int(c, v[0], "index", 0, UINT32_MAX, &x))
		a->index = (uint32_t)x;
	if (!v[1]) {
		pc_err(c, n, "%s: missing field 'type'", what);
	} else if (v[1]->type == Y_SCALAR && !y_is_null(v[1])) {
		if (pol_type_from(v[1]->s, &a->type)) {
			const char *cands[PT__COUNT];
			const char *s;
			for (int i = 0; i < PT__COUNT; i++)
				cands[i] = pol_type_name(i);
			s = pol_suggest(v[1]->s, cands, PT__COUNT);
			pc_err(c, v[1], "unknown argument type '%.64s'%s%s%s", v[1]->s, s ? " (did you mean '" : "",
			       s ? s : "", s ? "'?)" : "");
		}
	} else {
		pc_err(c, v[1], "type must be a string, got %s", y_kind(v[1]));
	}
	if (v[2])
		a->label = pc_str(c, v[2], "label");
	if (v[3])
		pc_bool(c, v[3], "maxData", &a->max_data);
	if (v[4])
		pc_bool(c, v[4], "returnCopy", &a->return_copy);
	if (v[5] && pc_int(c, v[5], "sizeArgIndex", 0, UINT32_MAX, &x))
		a->size_arg_index = (uint32_t)x;
	if (v[6])
		a->resolve = pc_str(c, v[6], "resolve");
}

static void parse_args(struct pc *c, const struct ynode *n, struct pol_hook *h)
{
	uint32_t k;

	if (!pc_seq(c, n, "args"))
		return;
	k = y_seq_len(n);
	h->args = pc_calloc(c, k, sizeof(*h->args));
	if (!h->args)
		return;
	for (uint32_t i = 0; i < k; i++)
		parse_arg(c, n->kids[i], "args", &h->args[i]);
	h->n_args = k;
}

static void parse_tags(struct pc *c, const struct ynode *n, struct pol_hook *h)
{
	uint32_t k;

	if (!pc_seq(c, n, "tags"))
		return;
	k = y_seq_len(n);
	h->tags = pc_calloc(c, k, sizeof(*h->tags));
	if (!h->tags)
		return;
	for (uint32_t i = 0; i < k; i++) {
		char *t = pc_str(c, n->kids[i], "tag");
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

	h->pos = pc_pos(n);
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
	if (k == PH_UPROBE) /* reported once, at the spec field */
		h->unsupported = "uprobes";
	if (!pc_fields(c, n, what[k], f, nf, v))
		return;
	for (size_t i = 0; i < nf; i++)
		got[map[i]] = v[i];

	if (k == PH_KPROBE || k == PH_LSM || k == PH_UPROBE) {
		int key = k == PH_KPROBE ? CALL : k == PH_LSM ? HOOK : PATH;
		if (!got[key]) {
			pc_err(c, n, "%s: missing field '%s'", what[k], names[key]);
		} else {
			h->call_pos = pc_pos(got[key]);
			h->call = pc_str(c, got[key], names[key]);
		}
	}
	if (k == PH_TRACEPOINT) {
		if (!got[SUBSYS])
			pc_err(c, n, "tracepoint: missing field 'subsystem'");
		else
			h->subsystem = pc_str(c, got[SUBSYS], "subsystem");
		if (!got[EVENT])
			pc_err(c, n, "tracepoint: missing field 'event'");
		else
			h->event = pc_str(c, got[EVENT], "event");
		h->call_pos = pc_pos(got[SUBSYS] ? got[SUBSYS] : n);
	}
	if (got[SYSCALL]) {
		h->has_syscall = true;
		pc_bool(c, got[SYSCALL], "syscall", &h->syscall);
	}
	if (got[RETURN])
		pc_bool(c, got[RETURN], "return", &h->ret);
	if (got[RAW])
		pc_bool(c, got[RAW], "raw", &h->raw);
	if (got[ARGS])
		parse_args(c, got[ARGS], h);
	if (got[RETARG]) {
		h->has_return_arg = true;
		parse_arg(c, got[RETARG], "returnArg", &h->return_arg);
	}
	if (got[SELS])
		parse_selectors(c, got[SELS], h);
	if (got[MSG])
		h->message = pc_str(c, got[MSG], "message");
	if (got[TAGS])
		parse_tags(c, got[TAGS], h);
	if (got[IGNORE]) {
		static const struct fspec fi[] = { { "callNotFound", NULL } };
		const struct ynode *vi[1];
		if (pc_fields(c, got[IGNORE], "ignore", fi, 1, vi) && vi[0])
			pc_bool(c, vi[0], "callNotFound", &h->ignore_call_not_found);
	}
	if (got[SYMBOLS])
		pc_seq(c, got[SYMBOLS], "symbols");
}

static void parse_hooks(struct pc *c, const struct ynode *n, const char *what, enum pol_hook_kind k)
{
	struct pol_policy *p = c->p;
	struct pol_hook *h;
	uint32_t cnt;

	if (!pc_seq(c, n, what))
		return;
	cnt = y_seq_len(n);
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

	if (!pc_seq(c, n, "lists"))
		return;
	k = y_seq_len(n);
	p->lists = pc_calloc(c, k, sizeof(*p->lists));
	if (!p->lists)
		return;
	for (uint32_t i = 0; i < k; i++) {
		struct pol_list *l = &p->lists[p->n_lists++];
		const struct ynode *v[N(f)];
		bool b;

		l->pos = pc_pos(n->kids[i]);
		if (!pc_fields(c, n->kids[i], "list", f, N(f), v))
			continue;
		if (!v[0])
			pc_err(c, n->kids[i], "list: missing field 'name'");
		else
			l->name = pc_str(c, v[0], "name");
		if (!v[1]) {
			pc_err(c, n->kids[i], "list: missing field 'type' (syscalls, generated_syscalls or generated_ftrace)");
		} else if (v[1]->type == Y_SCALAR && !strcmp(v[1]->s, "syscalls")) {
			l->type = PLT_SYSCALLS;
		} else if (v[1]->type == Y_SCALAR && !strcmp(v[1]->s, "generated_syscalls")) {
			l->type = PLT_GENERATED_SYSCALLS;
			l->unsupported = "lists of type generated_syscalls: list the system calls by name";
			pc_unsup(c, v[1], l->unsupported);
		} else if (v[1]->type == Y_SCALAR && !strcmp(v[1]->s, "generated_ftrace")) {
			l->type = PLT_GENERATED_FTRACE;
			l->unsupported = "lists of type generated_ftrace: list the functions by name";
			pc_unsup(c, v[1], l->unsupported);
		} else {
			pc_err(c, v[1], "list type must be syscalls, generated_syscalls or generated_ftrace");
		}
		l->values_pos = pc_pos(v[2] ? pc_key(n->kids[i], v[2]) : n->kids[i]);
		if (v[2])
			pc_values(c, v[2], "values", &l->values, &l->n_values);
		if (v[3]) {
			l->pattern_pos = pc_pos(pc_key(n->kids[i], v[3]));
			l->pattern = pc_str(c, v[3], "pattern");
		}
		if (v[4])
			pc_bool(c, v[4], "validated", &b);
	}
}

static void parse_options(struct pc *c, const struct ynode *n)
{
	static const struct fspec f[] = { { "name", NULL }, { "value", NULL } };
	struct pol_policy *p = c->p;
	uint32_t k;

	if (!pc_seq(c, n, "options"))
		return;
	k = y_seq_len(n);
	p->options = pc_calloc(c, k, sizeof(*p->options));
	if (!p->options)
		return;
	for (uint32_t i = 0; i < k; i++) {
		struct pol_option *o = &p->options[p->n_options];
		const struct ynode *v[2];

		o->pos = pc_pos(n->kids[i]);
		if (!pc_fields(c, n->kids[i], "option", f, 2, v))
			continue;
		if (!v[0]) {
			pc_err(c, n->kids[i], "option: missing field 'name'");
			continue;
		}
		if (!v[1]) {
			pc_err(c, n->kids[i], "option: missing field 'value'");
			continue;
		}
		o->value_pos = pc_pos(pc_key(n->kids[i], v[1]));
		o->name = pc_str(c, v[0], "name");
		o->value = pc_str(c, v[1], "value");
		p->n_options++;
	}
}

static struct pol_label_selector *parse_label_selector(struct pc *c, const struct ynode *n, const char *what)
{
	static const struct fspec f[] = { { "matchLabels", NULL }, { "matchExpressions", NULL } };
	static const struct fspec fe[] = { { "key", NULL }, { "operator", NULL }, { "values", NULL } };
	struct pol_label_selector *s;
	const struct ynode *v[2];

	s = pc_calloc(c, 1, sizeof(*s));
	if (!s)
		return NULL;
	s->pos = pc_pos(n);
	if (y_is_null(n) || !pc_fields(c, n, what, f, 2, v))
		return s;
	if (v[0] && !y_is_null(v[0])) {
		if (v[0]->type != Y_MAP) {
			pc_err(c, v[0], "matchLabels must be a mapping of label to value, got %s", y_kind(v[0]));
		} else {
			s->keys = pc_calloc(c, v[0]->n, sizeof(char *));
			s->vals = pc_calloc(c, v[0]->n, sizeof(char *));
			for (uint32_t i = 0; s->keys && s->vals && i < v[0]->n; i++) {
				char *key = pc_str(c, v[0]->kids[2 * i], "label");
				char *val = pc_str(c, v[0]->kids[2 * i + 1], "label value");
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
	if (v[1] && pc_seq(c, v[1], "matchExpressions")) {
		uint32_t k = y_seq_len(v[1]);
		s->exprs = pc_calloc(c, k, sizeof(*s->exprs));
		for (uint32_t i = 0; s->exprs && i < k; i++) {
			struct pol_label_expr *e = &s->exprs[s->n_exprs];
			const struct ynode *ve[3], *x = v[1]->kids[i];
			const struct pol_op_info *op;

			e->pos = pc_pos(x);
			if (!pc_fields(c, x, "matchExpressions", fe, 3, ve))
				continue;
			if (!ve[0] || !ve[1]) {
				pc_err(c, x, "matchExpressions: needs 'key' and 'operator'");
				continue;
			}
			e->key = pc_str(c, ve[0], "key");
			if (ve[1]->type != Y_SCALAR || pol_op_from(ve[1]->s, &e->op) ||
			    !(pol_op_info(e->op)->sets & POS_LABEL)) {
				pc_err(c, ve[1], "matchExpressions operator must be In, NotIn, Exists or DoesNotExist");
				e->op = POP_NONE;
			}
			if (ve[2] && pc_seq(c, ve[2], "values")) {
				uint32_t nv = y_seq_len(ve[2]);
				e->values = pc_calloc(c, nv, sizeof(char *));
				for (uint32_t j = 0; e->values && j < nv; j++) {
					char *t = pc_str(c, ve[2]->kids[j], "value");
					if (t)
						e->values[e->n_values++] = t;
				}
			}
			op = pol_op_info(e->op);
			if ((op->sets & POS_LABEL) && op->values != POV_NONE && !e->n_values)
				pc_err(c, x, "matchExpressions: operator %s needs values", op->name);
			if ((op->sets & POS_LABEL) && op->values == POV_NONE && e->n_values)
				pc_err(c, ve[2], "matchExpressions: operator %s takes no values", op->name);
			s->n_exprs++;
		}
	}
	return s;
}

enum { KPROBES, LSMHOOKS, TRACEPOINTS, UPROBES, LISTS, OPTIONS, PODSEL, CONTSEL, USDTS, ENFORCERS, LOADER,
       SPEC_NF };
static const struct fspec spec_fields[SPEC_NF] = {
	[KPROBES] = { "kprobes", NULL },
	[LSMHOOKS] = { "lsmhooks", NULL },
	[TRACEPOINTS] = { "tracepoints", NULL },
	[UPROBES] = { "uprobes", "veto has no uprobe sensor yet" },
	[LISTS] = { "lists", NULL },
	[OPTIONS] = { "options", NULL },
	[PODSEL] = { "podSelector", POL_NO_PODS },
	[CONTSEL] = { "containerSelector", POL_NO_PODS },
	[USDTS] = { "usdts", "veto has no USDT sensor" },
	[ENFORCERS] = { "enforcers", "veto enforces in the hook itself: use Override or Sigkill in matchActions" },
	[LOADER] = { "loader", "events for loaded libraries" },
};

const char *pol_spec_field(size_t i, const char **unsupported)
{
	if (i >= SPEC_NF)
		return NULL;
	*unsupported = spec_fields[i].unsupported;
	return spec_fields[i].name;
}

static void parse_spec(struct pc *c, const struct ynode *n)
{
	const struct ynode *v[SPEC_NF];

	if (!pc_fields(c, n, "spec", spec_fields, SPEC_NF, v))
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

	if (!pc_fields(c, n, "metadata", f, N(f), v))
		return;
	if (!v[0]) {
		pc_err(c, n, "metadata: missing field 'name'");
	} else {
		c->p->name = pc_str(c, v[0], "metadata.name");
		if (c->p->name && !valid_k8s_name(c->p->name))
			pc_err(c, v[0], "invalid name '%.80s': use lowercase letters, digits, '-' and '.', starting "
			       "and ending with a letter or digit (at most 253)", c->p->name);
	}
	if (v[1]) {
		c->p->namespace = pc_str(c, v[1], "metadata.namespace");
		if (c->p->namespace && (!valid_k8s_name(c->p->namespace) || strchr(c->p->namespace, '.') ||
					strlen(c->p->namespace) > 63))
			pc_err(c, v[1], "invalid namespace '%.80s'", c->p->namespace);
	}
	if (v[2] && !y_is_null(v[2]) && v[2]->type != Y_MAP)
		pc_err(c, v[2], "metadata.labels must be a mapping");
	if (v[3] && !y_is_null(v[3]) && v[3]->type != Y_MAP)
		pc_err(c, v[3], "metadata.annotations must be a mapping");
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

	if (y_is_null(root))
		return 0; /* empty document, e.g. a trailing '---' */
	av = y_map_get(root, "apiVersion");
	kind = y_map_get(root, "kind");
	if (root->type == Y_MAP && av && av->type == Y_SCALAR && strncmp(av->s, "cilium.io/", 10)) {
		pc_warn(c, root, "skipped document %u: kind %.64s (apiVersion %.64s) is not a TracingPolicy", idx + 1,
			kind && kind->type == Y_SCALAR ? kind->s : "?", av->s);
		return 0;
	}
	r = add_policy(set, &p);
	if (r)
		return r;
	c->p = p;
	p->pos = (struct pol_pos){ doc->line, doc->col };
	p->doc = idx;
	if (!pc_fields(c, root, "a policy document", f, N(f), v))
		return 0;
	if (!v[0] && !v[1] && !v[2] && v[3]) {
		p->name = name_from_file(c->file);
		if (!p->name)
			return -ENOMEM;
		p->name_from_file = true;
		pc_warn(c, root, "no apiVersion, kind or metadata: treated as a TracingPolicy named '%s' "
			"(after the file name); add them before 'kubectl apply'", p->name);
	} else {
		if (!v[0]) {
			pc_err(c, root, "missing apiVersion (cilium.io/v1alpha1)");
		} else if (v[0]->type != Y_SCALAR || strcmp(v[0]->s, "cilium.io/v1alpha1")) {
			pc_err(c, v[0], "unsupported apiVersion '%.64s' (expected cilium.io/v1alpha1)",
			       v[0]->type == Y_SCALAR ? v[0]->s : "");
		}
		if (!v[1]) {
			pc_err(c, root, "missing kind (TracingPolicy or TracingPolicyNamespaced)");
		} else if (v[1]->type == Y_SCALAR && !strcmp(v[1]->s, "TracingPolicy")) {
			p->kind = PK_TRACING_POLICY;
		} else if (v[1]->type == Y_SCALAR && !strcmp(v[1]->s, "TracingPolicyNamespaced")) {
			p->kind = PK_TRACING_POLICY_NAMESPACED;
			pc_unsup(c, v[1], "TracingPolicyNamespaced: " POL_NO_PODS);
		} else {
			static const char *const kinds[] = { "TracingPolicy", "TracingPolicyNamespaced" };
			const char *s = v[1]->type == Y_SCALAR ? pol_suggest(v[1]->s, kinds, 2) : NULL;
			pc_err(c, v[1], "unknown kind '%.64s' (expected TracingPolicy or TracingPolicyNamespaced)%s%s%s",
			       v[1]->type == Y_SCALAR ? v[1]->s : "", s ? ": did you mean '" : "", s ? s : "",
			       s ? "'?" : "");
		}
		if (!v[2])
			pc_err(c, root, "missing metadata (with a name)");
		else
			parse_metadata(c, v[2]);
	}
	if (!v[3])
		pc_err(c, root, "missing spec");
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
	struct ytree t = { 0 };
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
	r = ytree_build(&t, file, buf, len, d);
	if (r == 0) {
		for (size_t i = 0; i < t.n_docs && !r; i++)
			r = parse_doc(&c, out, &t.docs[i], (unsigned)i);
		if (!r && out->n == before && !d->nerr) {
			bool skipped = false;
			for (size_t i = 0; i < t.n_docs; i++)
				if (!y_is_null(t.docs[i].root))
					skipped = true;
			diag_add(d, file, DIAG_ERROR, 1, 1, skipped ? "no TracingPolicy in this file"
								 : "empty file: no policy document");
		}
	}
	ytree_free(&t);
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
