/* The simulation's findings: per policy, hook and selector what enforce
 * mode would have done and to which processes, what could not be decided
 * and why, the events no selector matched, and the processes a kill would
 * have kept from running. Bounded: a few hundred rows per selector, the
 * rest counted. */
#include "simulate/report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile/hooks.h"
#include "events/compact.h"
#include "util/json.h"

static void copy(char *dst, size_t n, const struct sim_str *s)
{
	size_t k = s->s ? (s->n < n - 1 ? s->n : n - 1) : 0;

	if (k)
		memcpy(dst, s->s, k);
	dst[k] = '\0';
}

int sim_report_init(struct sim_report *r, struct sim_policy *pol, size_t n, const char *source)
{
	memset(r, 0, sizeof(*r));
	r->source = source;
	r->pol = pol;
	r->n_pol = n;
	r->per = calloc(n ? n : 1, sizeof(*r->per));
	if (!r->per)
		return -ENOMEM;
	for (size_t k = 0; k < n; k++) {
		r->per[k].sel = calloc(pol[k].n_hooks ? pol[k].n_hooks : 1, sizeof(*r->per[k].sel));
		if (!r->per[k].sel)
			return -ENOMEM;
	}
	return 0;
}

void sim_report_free(struct sim_report *r)
{
	for (size_t k = 0; r->per && k < r->n_pol; k++) {
		for (size_t h = 0; r->per[k].sel && h < r->pol[k].n_hooks; h++)
			for (unsigned s = 0; s < VETO_SEL_MAX; s++) {
				struct sim_sel *x = &r->per[k].sel[h][s];

				for (size_t i = 0; i < x->n_rows; i++) {
					free(x->rows[i].binary);
					free(x->rows[i].container);
				}
				free(x->rows);
			}
		free(r->per[k].sel);
	}
	free(r->per);
	for (unsigned i = 0; i < r->n_lost; i++) {
		free(r->lost[i].binary);
		free(r->lost[i].exec_id);
		free(r->lost[i].killer_binary);
	}
	memset(r, 0, sizeof(*r));
}

uint32_t sim_report_match(struct sim_report *r, size_t k, size_t h, unsigned sel, const struct sim_node *node,
			  const struct sim_event *e)
{
	struct sim_sel *x = &r->per[k].sel[h][sel];
	const char *bin = node ? node->binary : "", *cont = node ? node->container : "";
	struct sim_row *row;

	x->matched++;
	for (size_t i = 0; i < x->n_rows; i++) {
		row = &x->rows[i];
		if (!strcmp(row->binary, bin) && !strcmp(row->container, cont)) {
			row->count++;
			copy(row->last, sizeof(row->last), &e->time);
			return (uint32_t)i;
		}
	}
	if (x->n_rows == SIM_ROWS) {
		x->rows_more++;
		return SIM_NONE;
	}
	if (!(x->n_rows & (x->n_rows - 1))) {
		struct sim_row *v = realloc(x->rows, (x->n_rows ? x->n_rows * 2 : 4) * sizeof(*v));

		if (!v)
			return SIM_NONE;
		x->rows = v;
	}
	row = &x->rows[x->n_rows];
	memset(row, 0, sizeof(*row));
	row->binary = strdup(bin);
	row->container = strdup(cont);
	if (!row->binary || !row->container) {
		free(row->binary);
		free(row->container);
		return SIM_NONE;
	}
	row->count = 1;
	copy(row->first, sizeof(row->first), &e->time);
	copy(row->last, sizeof(row->last), &e->time);
	return (uint32_t)x->n_rows++;
}

void sim_report_unmatched(struct sim_report *r, size_t k, const struct sim_event *e)
{
	struct sim_pol_report *p = &r->per[k];
	struct sim_example *x;

	p->unmatched++;
	if (p->n_ex == SIM_EXAMPLES)
		return;
	x = &p->ex[p->n_ex++];
	copy(x->time, sizeof(x->time), &e->time);
	copy(x->binary, sizeof(x->binary), &e->proc.binary);
	if (e->kind == SK_TRACEPOINT) {
		char sub[32], ev[32];

		copy(sub, sizeof(sub), &e->subsys);
		copy(ev, sizeof(ev), &e->event);
		snprintf(x->hook, sizeof(x->hook), "%s/%s", sub, ev);
	} else {
		copy(x->hook, sizeof(x->hook), &e->function);
	}
	x->arg[0] = '\0';
	for (unsigned i = 0; i < e->n_args; i++)
		if (e->args[i].str.s) {
			copy(x->arg, sizeof(x->arg), &e->args[i].str);
			break;
		}
}

void sim_report_kind(struct sim_report *r, const struct sim_str *name)
{
	char n[48];

	r->not_simulated++;
	copy(n, sizeof(n), name);
	for (unsigned i = 0; i < r->n_kinds; i++)
		if (!strcmp(r->kinds[i].name, n)) {
			r->kinds[i].n++;
			return;
		}
	if (r->n_kinds == SIM_KINDS)
		return;
	memcpy(r->kinds[r->n_kinds].name, n, sizeof(n));
	r->kinds[r->n_kinds++].n = 1;
}

void sim_report_lost(struct sim_report *r, const struct sim_tree *t, uint32_t node, const struct sim_event *e)
{
	const struct sim_node *n = &t->v[node], *killer = &t->v[n->killer];
	struct sim_lost *l;

	bool denied = !killer->killed_by && killer->deny_by;

	r->lost_total++;
	if (killer->killed_by && killer->kill_row != SIM_NONE)
		r->per[killer->killed_by - 1].sel[killer->kill_hook][killer->kill_sel].rows[killer->kill_row].lost++;
	else if (denied && killer->deny_row != SIM_NONE)
		r->per[killer->deny_by - 1].sel[killer->deny_hook][killer->deny_sel].rows[killer->deny_row].lost++;
	if (r->n_lost == SIM_LOST)
		return;
	l = &r->lost[r->n_lost];
	l->binary = strdup(n->binary);
	l->exec_id = strdup(n->exec_id);
	l->killer_binary = strdup(killer->binary);
	if (!l->binary || !l->exec_id || !l->killer_binary) {
		free(l->binary);
		free(l->exec_id);
		free(l->killer_binary);
		return;
	}
	l->policy = n->never_ran - 1;
	l->denied = denied;
	copy(l->time, sizeof(l->time), &e->time);
	r->n_lost++;
}

const char *sim_sel_action(const struct sim_hook *sh, unsigned sel)
{
	uint32_t f = sh->h->cfg.act[sel].flags;

	if (f & VA_SIGKILL)
		return "kill";
	if ((f & VA_OVERRIDE) && c_hook_is_lsm(sh->h))
		return "deny";
	if (f & VA_SIGNAL)
		return "signal";
	return "post";
}

static bool stops(const struct sim_hook *sh, unsigned sel)
{
	const char *a = sim_sel_action(sh, sel);

	return !strcmp(a, "kill") || !strcmp(a, "deny");
}

bool sim_report_stops(const struct sim_report *r)
{
	for (size_t k = 0; k < r->n_pol; k++)
		for (size_t h = 0; h < r->pol[k].n_hooks; h++)
			for (unsigned s = 0; s < VETO_SEL_MAX; s++)
				if (r->per[k].sel[h][s].matched && stops(&r->pol[k].hooks[h], s))
					return true;
	return false;
}

/* Events a selector that denies or kills could not decide. */
static uint64_t undecided_stops(const struct sim_report *r)
{
	uint64_t n = 0;

	for (size_t k = 0; k < r->n_pol; k++)
		for (size_t h = 0; h < r->pol[k].n_hooks; h++)
			for (unsigned s = 0; s < VETO_SEL_MAX; s++)
				if (stops(&r->pol[k].hooks[h], s))
					n += r->per[k].sel[h][s].undecided;
	return n;
}

static int sel_count(const struct sim_hook *sh)
{
	return 64 - __builtin_clzll(sh->h->cfg.all | 1);
}

static const char *policy_name(const struct sim_policy *p)
{
	return p->c.src && p->c.src->name ? p->c.src->name : "";
}

/* ---- text ---- */

struct tx {
	struct jw w;
	FILE *f;
	int err;
};

static void put(struct tx *t, const char *s)
{
	jw_raw(&t->w, s, strlen(s));
}

static void putf(struct tx *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct tx *t, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	put(t, buf);
}

/* an event's string: escaped */
static void esc(struct tx *t, const char *s)
{
	compact_str(&t->w, s);
}

static void eol(struct tx *t)
{
	if (!t->err)
		t->err = jw_flush_line(&t->w, t->f);
	jw_reset(&t->w);
}

static const char *verb(const char *action)
{
	return !strcmp(action, "kill") ? "would kill" : !strcmp(action, "deny") ? "would deny" :
	       !strcmp(action, "signal") ? "would signal" : "post only";
}

int sim_report_text(const struct sim_report *r, FILE *f)
{
	struct tx t = { .f = f };
	char where[192], dn[96];

	jw_init(&t.w);
	putf(&t, "%llu events from ", (unsigned long long)r->events);
	esc(&t, r->source);
	putf(&t, ": %llu exec, %llu exit", (unsigned long long)r->exec, (unsigned long long)r->exit);
	eol(&t);
	for (size_t k = 0; k < r->n_pol; k++) {
		const struct sim_policy *p = &r->pol[k];
		const struct sim_pol_report *pr = &r->per[k];

		put(&t, "\npolicy ");
		esc(&t, policy_name(p));
		put(&t, " (");
		esc(&t, p->file);
		put(&t, ")");
		eol(&t);
		for (size_t h = 0; h < p->n_hooks; h++) {
			const struct sim_hook *sh = &p->hooks[h];

			putf(&t, "  %s: %llu event%s", c_hook_where(sh->h, where, sizeof(where)),
			     (unsigned long long)sh->events, sh->events == 1 ? "" : "s");
			if (!sh->events)
				put(&t, ": not evaluable: the recording has no events of this hook");
			eol(&t);
			for (int s = 0; s < sel_count(sh); s++) {
				const struct sim_sel *x = &pr->sel[h][s];
				const char *a = sim_sel_action(sh, (unsigned)s);

				putf(&t, "    selector %d: %s: %llu %s", s + 1, verb(a), (unsigned long long)x->matched,
				     x->matched == 1 ? "event" : "events");
				if (x->after_kill)
					putf(&t, " (%llu more after kill)", (unsigned long long)x->after_kill);
				eol(&t);
				if (x->undecided) {
					putf(&t, "      not evaluable for %llu events: %s: %s", (unsigned long long)x->undecided,
					     sim_dim_name(sh, x->udim, dn, sizeof(dn)), x->uwhy ? x->uwhy : "");
					eol(&t);
				}
				for (size_t i = 0; i < x->n_rows; i++) {
					const struct sim_row *row = &x->rows[i];

					put(&t, "      ");
					esc(&t, row->binary[0] ? row->binary : "(unknown binary)");
					if (row->container[0]) {
						put(&t, " container ");
						esc(&t, row->container);
					}
					putf(&t, ": %llu, first ", (unsigned long long)row->count);
					esc(&t, row->first);
					put(&t, ", last ");
					esc(&t, row->last);
					if (row->lost)
						putf(&t, "; %llu descendants would not have run", (unsigned long long)row->lost);
					eol(&t);
				}
				if (x->rows_more) {
					putf(&t, "      and %llu events of other processes", (unsigned long long)x->rows_more);
					eol(&t);
				}
			}
		}
		putf(&t, "  unmatched: %llu event%s", (unsigned long long)pr->unmatched, pr->unmatched == 1 ? "" : "s");
		eol(&t);
		for (unsigned i = 0; i < pr->n_ex; i++) {
			const struct sim_example *x = &pr->ex[i];

			put(&t, "    ");
			esc(&t, x->time);
			put(&t, " ");
			esc(&t, x->binary);
			put(&t, " ");
			esc(&t, x->hook);
			if (x->arg[0]) {
				put(&t, " ");
				esc(&t, x->arg);
			}
			eol(&t);
		}
		if (pr->after_kill) {
			putf(&t, "  after kill: %llu events of processes it would have killed (or whose exec it denies) would not have happened",
			     (unsigned long long)pr->after_kill);
			eol(&t);
		}
	}
	if (r->lost_total) {
		putf(&t, "\nwould not have run: %llu processes started after an ancestor's kill or a denied exec",
		     (unsigned long long)r->lost_total);
		eol(&t);
		for (unsigned i = 0; i < r->n_lost; i++) {
			put(&t, "  ");
			esc(&t, r->lost[i].time);
			put(&t, " ");
			esc(&t, r->lost[i].binary);
			if (r->lost[i].denied) {
				put(&t, " (an exec by ");
				esc(&t, r->lost[i].killer_binary);
				put(&t, " denied by ");
			} else {
				put(&t, " (ancestor ");
				esc(&t, r->lost[i].killer_binary);
				put(&t, " killed by ");
			}
			esc(&t, policy_name(&r->pol[r->lost[i].policy]));
			put(&t, ")");
			eol(&t);
		}
	}
	if (r->other_hook || r->not_simulated) {
		putf(&t, "\nnot simulated: %llu events of hooks no candidate has, %llu of other types",
		     (unsigned long long)r->other_hook, (unsigned long long)r->not_simulated);
		for (unsigned i = 0; i < r->n_kinds; i++) {
			put(&t, i ? ", " : " (");
			esc(&t, r->kinds[i].name);
			putf(&t, ": %llu", (unsigned long long)r->kinds[i].n);
		}
		if (r->n_kinds)
			put(&t, ")");
		eol(&t);
	}
	putf(&t, "\n%s", sim_report_stops(r) ? "enforce mode would have stopped operations above" :
		 "enforce mode would have stopped nothing");
	if (undecided_stops(r))
		putf(&t, "; %llu events the recording cannot decide for selectors that deny or kill",
		     (unsigned long long)undecided_stops(r));
	eol(&t);
	jw_free(&t.w);
	return t.err;
}

/* ---- JSON ---- */

int sim_report_json(const struct sim_report *r, FILE *f)
{
	struct jw w;
	char where[192], dn[96];
	int err;

	jw_init(&w);
	jw_obj_open(&w);
	jw_kstr(&w, "source", r->source);
	jw_kuint(&w, "events", r->events);
	jw_kuint(&w, "exec", r->exec);
	jw_kuint(&w, "exit", r->exit);
	jw_kbool(&w, "would_stop", sim_report_stops(r));
	jw_kuint(&w, "undecided_stops", undecided_stops(r));
	jw_key(&w, "policies");
	jw_arr_open(&w);
	for (size_t k = 0; k < r->n_pol; k++) {
		const struct sim_policy *p = &r->pol[k];
		const struct sim_pol_report *pr = &r->per[k];

		jw_obj_open(&w);
		jw_kstr(&w, "policy", policy_name(p));
		jw_kstr(&w, "file", p->file);
		jw_key(&w, "hooks");
		jw_arr_open(&w);
		for (size_t h = 0; h < p->n_hooks; h++) {
			const struct sim_hook *sh = &p->hooks[h];

			jw_obj_open(&w);
			jw_kstr(&w, "hook", c_hook_where(sh->h, where, sizeof(where)));
			jw_kuint(&w, "events", sh->events);
			jw_kbool(&w, "recorded", sh->events != 0);
			jw_key(&w, "selectors");
			jw_arr_open(&w);
			for (int s = 0; s < sel_count(sh); s++) {
				const struct sim_sel *x = &pr->sel[h][s];

				jw_obj_open(&w);
				jw_kuint(&w, "selector", (uint64_t)s + 1);
				jw_kstr(&w, "action", sim_sel_action(sh, (unsigned)s));
				jw_kuint(&w, "matched", x->matched);
				jw_kuint(&w, "after_kill", x->after_kill);
				jw_kuint(&w, "not_evaluable", x->undecided);
				if (x->undecided) {
					jw_kstr(&w, "filter", sim_dim_name(sh, x->udim, dn, sizeof(dn)));
					jw_kstr(&w, "why", x->uwhy ? x->uwhy : "");
				}
				jw_key(&w, "processes");
				jw_arr_open(&w);
				for (size_t i = 0; i < x->n_rows; i++) {
					jw_obj_open(&w);
					jw_kstr(&w, "binary", x->rows[i].binary);
					jw_kstr(&w, "container", x->rows[i].container);
					jw_kuint(&w, "count", x->rows[i].count);
					jw_kstr(&w, "first", x->rows[i].first);
					jw_kstr(&w, "last", x->rows[i].last);
					jw_kuint(&w, "descendants_not_run", x->rows[i].lost);
					jw_obj_close(&w);
				}
				jw_arr_close(&w);
				jw_kuint(&w, "other_processes_events", x->rows_more);
				jw_obj_close(&w);
			}
			jw_arr_close(&w);
			jw_obj_close(&w);
		}
		jw_arr_close(&w);
		jw_kuint(&w, "unmatched", pr->unmatched);
		jw_key(&w, "unmatched_examples");
		jw_arr_open(&w);
		for (unsigned i = 0; i < pr->n_ex; i++) {
			jw_obj_open(&w);
			jw_kstr(&w, "time", pr->ex[i].time);
			jw_kstr(&w, "binary", pr->ex[i].binary);
			jw_kstr(&w, "hook", pr->ex[i].hook);
			jw_kstr(&w, "arg", pr->ex[i].arg);
			jw_obj_close(&w);
		}
		jw_arr_close(&w);
		jw_kuint(&w, "after_kill", pr->after_kill);
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	jw_kuint(&w, "not_run_total", r->lost_total);
	jw_key(&w, "not_run");
	jw_arr_open(&w);
	for (unsigned i = 0; i < r->n_lost; i++) {
		jw_obj_open(&w);
		jw_kstr(&w, "time", r->lost[i].time);
		jw_kstr(&w, "binary", r->lost[i].binary);
		jw_kstr(&w, "exec_id", r->lost[i].exec_id);
		jw_kstr(&w, "cause", r->lost[i].denied ? "exec_denied" : "ancestor_killed");
		jw_kstr(&w, r->lost[i].denied ? "exec_caller" : "killed_ancestor", r->lost[i].killer_binary);
		jw_kstr(&w, "policy", policy_name(&r->pol[r->lost[i].policy]));
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	jw_kuint(&w, "other_hook_events", r->other_hook);
	jw_key(&w, "not_simulated");
	jw_obj_open(&w);
	for (unsigned i = 0; i < r->n_kinds; i++)
		jw_kuint(&w, r->kinds[i].name, r->kinds[i].n);
	jw_obj_close(&w);
	jw_obj_close(&w);
	err = jw_flush_line(&w, f);
	jw_free(&w);
	return err;
}
