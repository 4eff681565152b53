/* The replay's process tree: processes by exec_id in an open-addressing
 * table, each created from the first event that names it (its exec, or any
 * event's process or parent), its follow ids taken as the kernel takes
 * them: its parent's at fork, its binary's and its pid's added. */
#include "simulate/tree.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* seeded per run: exec ids in an imported file are anyone's text */
static uint64_t seed;

static uint64_t hash(const char *s, size_t n)
{
	return sim_hash(s, n, seed);
}

int sim_tree_init(struct sim_tree *t, const struct sim_policy *pol, size_t n)
{
	memset(t, 0, sizeof(*t));
	if (!seed && getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = (uint64_t)(uintptr_t)t ^ 0x9e3779b97f4a7c15ull;
	t->pol = pol;
	t->n_policies = n;
	t->nslots = 1024;
	t->slots = calloc(t->nslots, sizeof(*t->slots));
	return t->slots ? 0 : -ENOMEM;
}

void sim_tree_free(struct sim_tree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].exec_id);
		free(t->v[i].binary);
		free(t->v[i].container);
		free(t->v[i].follow);
		free(t->v[i].deny_path);
	}
	free(t->v);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

static uint32_t *slot(const struct sim_tree *t, const char *s, size_t n)
{
	uint64_t h = hash(s, n);
	size_t m = t->nslots - 1, i = h & m;

	for (;; i = (i + 1) & m) {
		uint32_t k = t->slots[i];
		const struct sim_node *x;

		if (!k)
			return &t->slots[i];
		x = &t->v[k - 1];
		if (x->hash == h && x->id_len == n && !memcmp(x->exec_id, s, n))
			return &t->slots[i];
	}
}

static uint32_t find(const struct sim_tree *t, const struct sim_str *id)
{
	uint32_t k;

	if (!id->s || !id->n)
		return SIM_NONE;
	k = *slot(t, id->s, id->n);
	return k ? k - 1 : SIM_NONE;
}

static int grow_slots(struct sim_tree *t)
{
	uint32_t *old = t->slots;
	size_t n = t->nslots;

	t->slots = calloc(n * 2, sizeof(*t->slots));
	if (!t->slots) {
		t->slots = old;
		return -ENOMEM;
	}
	t->nslots = n * 2;
	for (size_t i = 0; i < t->n; i++)
		*slot(t, t->v[i].exec_id, strlen(t->v[i].exec_id)) = (uint32_t)i + 1;
	free(old);
	return 0;
}

static char *dup(const struct sim_str *s)
{
	char *p = malloc(s->s ? s->n + 1 : 1);

	if (p) {
		if (s->s)
			memcpy(p, s->s, s->n);
		p[s->s ? s->n : 0] = '\0';
	}
	return p;
}

/* (Re)computes i's follow ids from its binary, pid and parent. */
static void follow(struct sim_tree *t, uint32_t i)
{
	struct sim_node *n = &t->v[i];
	const struct sim_node *p = n->parent != SIM_NONE ? &t->v[n->parent] : NULL;

	for (size_t k = 0; k < t->n_policies; k++) {
		const struct compiled *c = &t->pol[k].c;

		if (!c->n_follow)
			continue;
		n->follow[k] = (p ? p->follow[k] : 0) | compiled_follow_binary(c, n->binary) |
			       compiled_follow_pid(c, n->pid, VP_HOST);
	}
}

static uint32_t add(struct sim_tree *t, const struct sim_str *id, const struct sim_str *bin, uint32_t pid,
		    uint32_t parent)
{
	struct sim_node *n;

	if ((t->n + 1) * 2 > t->nslots && grow_slots(t))
		return SIM_NOMEM;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct sim_node *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return SIM_NOMEM;
		t->v = v;
		t->cap = cap;
	}
	n = &t->v[t->n];
	memset(n, 0, sizeof(*n));
	n->exec_id = dup(id);
	n->binary = dup(bin);
	n->container = dup(&(struct sim_str){ 0 });
	n->follow = calloc(t->n_policies ? t->n_policies : 1, sizeof(*n->follow));
	if (!n->exec_id || !n->binary || !n->container || !n->follow) {
		free(n->exec_id);
		free(n->binary);
		free(n->container);
		free(n->follow);
		return SIM_NOMEM;
	}
	n->hash = hash(id->s, id->n);
	n->id_len = id->n;
	n->pid = pid;
	n->parent = parent;
	n->complete = parent != SIM_NONE && t->v[parent].complete;
	*slot(t, id->s, id->n) = (uint32_t)t->n + 1;
	follow(t, (uint32_t)t->n);
	return (uint32_t)t->n++;
}

uint32_t sim_tree_proc(struct sim_tree *t, const struct sim_event *e)
{
	const struct sim_proc *p = &e->proc;
	uint32_t i, parent = SIM_NONE;

	if (!p->exec_id.s || !p->exec_id.n)
		return SIM_NONE;
	/* the parser's memo of this process's text may know its index */
	i = e->proc_hint && *e->proc_hint < t->n ? *e->proc_hint : SIM_NONE;
	if (i == SIM_NONE || t->v[i].id_len != p->exec_id.n || memcmp(t->v[i].exec_id, p->exec_id.s, p->exec_id.n))
		i = find(t, &p->exec_id);
	if (i != SIM_NONE && (e->kind != SK_EXEC || t->v[i].exec_seen)) {
		if (e->proc_hint)
			*e->proc_hint = i;
		return i;
	}
	/* the ancestors the event lists, farthest first, then its parent */
	for (unsigned a = e->n_ancestors; a-- > 0;) {
		uint32_t k = find(t, &e->anc_exec_id[a]);

		if (k == SIM_NONE) {
			k = add(t, &e->anc_exec_id[a], &e->anc_binary[a], 0, parent);
			if (k == SIM_NOMEM)
				return k;
			/* the list ends where Tetragon's does: at the first process */
			if (a == e->n_ancestors - 1)
				t->v[k].complete = true;
		}
		parent = k;
	}
	if (e->has_parent && e->parent_exec_id.s && e->parent_exec_id.n) {
		uint32_t k = find(t, &e->parent_exec_id);

		if (k == SIM_NONE)
			k = add(t, &e->parent_exec_id, &e->parent_binary, 0, parent);
		if (k == SIM_NOMEM)
			return k;
		parent = k;
	} else if (!p->parent_exec_id.s || !p->parent_exec_id.n) {
		parent = SIM_NONE; /* the first process: nothing above it */
	} else {
		parent = find(t, &p->parent_exec_id);
	}
	if (i == SIM_NONE) {
		i = add(t, &p->exec_id, &p->binary, p->pid, parent);
		if (i == SIM_NOMEM)
			return i;
		if (!p->parent_exec_id.s || !p->parent_exec_id.n)
			t->v[i].complete = true;
	} else if (t->v[i].parent == SIM_NONE && parent != SIM_NONE) {
		t->v[i].parent = parent;
		t->v[i].complete = t->v[parent].complete;
	}
	if (p->container.s && !t->v[i].container[0]) {
		char *c = dup(&p->container);

		if (!c)
			return SIM_NOMEM;
		free(t->v[i].container);
		t->v[i].container = c;
	}
	if (e->proc_hint)
		*e->proc_hint = i;
	if (e->kind == SK_EXEC) {
		t->v[i].exec_seen = true;
		t->v[i].pid = p->pid;
		follow(t, i);
	}
	return i;
}

void sim_tree_follow(const struct sim_tree *t, uint32_t i, size_t k, struct sim_follow *f)
{
	const struct sim_node *n = &t->v[i];

	f->ids[0] = n->follow[k];
	f->known[0] = n->complete;
	if (n->parent != SIM_NONE) {
		f->ids[1] = t->v[n->parent].follow[k];
		f->known[1] = t->v[n->parent].complete;
		f->parent_binary = t->v[n->parent].binary;
	} else {
		f->ids[1] = 0;
		f->known[1] = n->complete;
		f->parent_binary = NULL;
	}
}
