/* The AST's lifetime: growing its arrays, freeing a parsed set. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

int pol_grow(void **v, size_t n, size_t sz)
{
	void *x;

	if (n & (n - 1))
		return 0; /* capacity left */
	x = realloc(*v, (n ? 2 * n : 1) * sz);
	if (!x)
		return -ENOMEM;
	*v = x;
	return 0;
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
