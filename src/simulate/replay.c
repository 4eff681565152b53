/* The replay loop. Enforce mode's consequences are carried forward: a
 * process a selector kills makes no later operations (its later events
 * are "after kill", not more matches), a process whose exec comes after
 * an ancestor's kill would not have run at all, and neither would a file
 * whose exec a selector denies. */
#include "simulate/replay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

/* The killed process that kept i from running: its parent, killed or
 * itself never run, or SIM_NONE. (A killed grandparent does not stop a
 * living parent from starting children.) */
static uint32_t dead_ancestor(const struct sim_tree *t, uint32_t i)
{
	uint32_t p = t->v[i].parent;

	if (p == SIM_NONE || p == i)
		return SIM_NONE;
	if (t->v[p].killed_by)
		return p;
	return t->v[p].never_ran ? t->v[p].killer : SIM_NONE;
}

/* Remembers that node's exec of the file e names would fail. */
static void deny_exec(struct sim_replay *x, uint32_t node, const struct sim_event *e, uint32_t by, uint32_t hook,
		      uint32_t sel, uint32_t row)
{
	struct sim_node *n = &x->t.v[node];
	const struct sim_str *path = NULL;
	char *copy;

	for (unsigned i = 0; i < e->n_args && !path; i++)
		if (e->args[i].str.s && e->args[i].str.n)
			path = &e->args[i].str;
	if (!path || !e->proc.has_pid || !(copy = strndup(path->s, path->n)))
		return;
	free(n->deny_path);
	n->deny_path = copy;
	n->deny_by = by;
	n->deny_hook = hook;
	n->deny_sel = sel;
	n->deny_row = row;
	x->denied[x->n_denied++ % SIM_DENIED] = (struct sim_denied){ e->proc.pid, node };
}

/* An exec of pid: when that pid's caller had this exec denied, the image
 * never ran; its caller (the shell) goes on. */
static uint32_t denied_caller(struct sim_replay *x, const struct sim_event *e)
{
	for (unsigned i = 0; i < SIM_DENIED && i < x->n_denied; i++) {
		uint32_t c = x->denied[i].node;
		const char *p;

		if (x->denied[i].pid != e->proc.pid || c == SIM_NONE)
			continue;
		x->denied[i].node = SIM_NONE; /* the pid's next image, whichever */
		p = x->t.v[c].deny_path;
		if (p && e->proc.binary.s && strlen(p) == e->proc.binary.n && !memcmp(p, e->proc.binary.s, e->proc.binary.n))
			return c;
	}
	return SIM_NONE;
}

static int policy_event(struct sim_replay *x, struct sim_report *r, struct sim_tree *t, uint32_t node,
			const struct sim_event *e)
{
	uint32_t deny_by = 0, deny_hook = 0, deny_sel = 0, deny_row = SIM_NONE;
	struct sim_node *n = node != SIM_NONE ? &t->v[node] : NULL;
	bool any = false;
	uint32_t kill_by = 0, kill_hook = 0, kill_sel = 0, kill_row = SIM_NONE;

	for (size_t k = 0; k < r->n_pol; k++) {
		struct sim_policy *p = &r->pol[k];
		struct sim_hook *sh = sim_hook_of(p, e);
		struct sim_follow f = { 0 };
		struct sim_verdict v;
		size_t h;

		if (!sh)
			continue;
		any = true;
		h = (size_t)(sh - p->hooks);
		sh->events++;
		if (n && (n->killed_by || n->never_ran)) {
			r->per[k].after_kill++;
			if (n->killed_by == k + 1)
				r->per[k].sel[n->kill_hook][n->kill_sel].after_kill++;
			continue;
		}
		if (n)
			sim_tree_follow(t, node, k, &f);
		sim_eval(p, sh, e, n ? &f : NULL, &v);
		if (v.sel < 0) {
			sim_report_unmatched(r, k, e);
			continue;
		}
		if (v.undecided) {
			struct sim_sel *x = &r->per[k].sel[h][v.sel];

			if (!x->undecided++) {
				x->udim = v.dim;
				x->uwhy = v.why;
			}
			continue;
		}
		uint32_t row = sim_report_match(r, k, h, (unsigned)v.sel, n, e);

		if (!deny_by && (sh->h->cfg.act[v.sel].flags & VA_OVERRIDE) && pol_hook_checks_exec(sh->h->name)) {
			deny_by = (uint32_t)k + 1;
			deny_hook = (uint32_t)h;
			deny_sel = (uint32_t)v.sel;
			deny_row = row;
		}
		if (!kill_by && (sh->h->cfg.act[v.sel].flags & VA_SIGKILL)) {
			kill_by = (uint32_t)k + 1;
			kill_hook = (uint32_t)h;
			kill_sel = (uint32_t)v.sel;
			kill_row = row;
		}
	}
	if (!any)
		r->other_hook++;
	if (n && kill_by && !n->killed_by) {
		n->killed_by = kill_by;
		n->kill_hook = kill_hook;
		n->kill_sel = kill_sel;
		n->kill_row = kill_row;
	}
	if (n && deny_by && !kill_by)
		deny_exec(x, node, e, deny_by, deny_hook, deny_sel, deny_row);
	return 0;
}

int sim_replay_begin(struct sim_replay *x, struct sim_report *r)
{
	memset(x, 0, sizeof(*x));
	x->r = r;
	x->ps = calloc(1, sizeof(*x->ps));
	if (!x->ps || sim_tree_init(&x->t, r->pol, r->n_pol)) {
		free(x->ps);
		x->ps = NULL;
		return -ENOMEM;
	}
	x->ps->want = sim_wants(r->pol, r->n_pol);
	return 0;
}

void sim_replay_end(struct sim_replay *x)
{
	if (x->ps) {
		sim_tree_free(&x->t);
		sim_parser_free(x->ps);
	}
	free(x->ps);
	x->ps = NULL;
}

int sim_replay_line(struct sim_replay *x, char *line, size_t len, size_t *col, char *why, size_t whylen)
{
	struct sim_report *r = x->r;
	struct sim_tree *t = &x->t;
	struct sim_event e;
	uint32_t node, dead;

	r->lines++;
	/* blank lines between events carry nothing */
	if (!len || strspn(line, " \t") >= len)
		return 0;
	if (sim_event_parse(x->ps, line, len, &e, col, why, whylen))
		return -EINVAL;
	if (e.kind == SK_OTHER) {
		sim_report_kind(r, &e.kind_name);
		return 0;
	}
	r->events++;
	node = sim_tree_proc(t, &e);
	if (node == SIM_NOMEM)
		return -ENOMEM;
	if (e.kind == SK_EXIT) {
		r->exit++;
		return 0;
	}
	if (e.kind != SK_EXEC)
		return policy_event(x, r, t, node, &e);
	r->exec++;
	if (node == SIM_NONE || t->v[node].never_ran || t->v[node].killed_by)
		return 0;
	dead = denied_caller(x, &e);
	if (dead != SIM_NONE) {
		t->v[node].never_ran = t->v[dead].deny_by;
		t->v[node].killer = dead;
		sim_report_lost(r, t, node, &e);
		return 0;
	}
	dead = dead_ancestor(t, node);
	if (dead != SIM_NONE) {
		t->v[node].never_ran = t->v[dead].killed_by;
		t->v[node].killer = dead;
		sim_report_lost(r, t, node, &e);
	}
	return 0;
}

int sim_replay(struct sim_source *src, struct sim_report *r, char *err, size_t errlen)
{
	struct sim_replay x;
	char *line, why[96];
	size_t len, col;
	int ret;

	if (sim_replay_begin(&x, r))
		return -ENOMEM;
	while ((ret = src->next(src, &line, &len)) > 0) {
		ret = sim_replay_line(&x, line, len, &col, why, sizeof(why));
		if (ret == -EINVAL)
			snprintf(err, errlen, "%s:%zu:%zu: not an event: %s", src->name, src->lineno, col, why);
		else if (ret == -ENOMEM)
			snprintf(err, errlen, "%s: out of memory", src->name);
		if (ret)
			goto out;
	}
	/* the source's own error: a line too long, unreadable data */
	if (ret < 0)
		snprintf(err, errlen, "%s", src->err);
out:
	sim_replay_end(&x);
	return ret < 0 ? ret : 0;
}
