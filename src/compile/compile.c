/*
 * compile: checked AST -> hook configs and map entries for bpf/engine.bpf.c.
 *
 * Every selector of a hook is a bit. Every distinct (what, how, operator)
 * a filter looks at becomes a dimension; its values become map entries whose
 * value is the mask of selectors that listed them. Prefix tries only return
 * the longest match, so each entry also carries the bits of the shorter
 * entries it extends.
 *
 * This file runs it: each hook's arguments (arg_slots.c), its selectors'
 * filters (filters.c) and actions, then the entries finished (prefixes.c).
 */
#include "compile/run.h"
#include "compile/syscalls.h"

#include <string.h>

static void actions(struct cc *c, struct c_hook *h, unsigned sel, const struct pol_selector *s)
{
	struct veto_sel_action *a = &h->cfg.act[sel];
	bool post = true;

	memset(a, 0, sizeof(*a));
	for (size_t i = 0; i < s->n_actions; i++) {
		const struct pol_action *pa = &s->actions[i];

		if (pa->unsupported) {
			cerr(c, pa->pos, "unsupported: action %s", pol_action_name(pa->kind));
			continue;
		}
		if (pa->rate_limit_sec) {
			a->rate_sec = pa->rate_limit_sec > UINT32_MAX ? UINT32_MAX : (uint32_t)pa->rate_limit_sec;
			a->flags |= pa->rate_scope == PRS_GLOBAL ? VA_RATE_GLOBAL :
				    pa->rate_scope == PRS_PROCESS ? VA_RATE_PROCESS : 0;
		}
		switch (pa->kind) {
		case PA_POST:
			break;
		case PA_NOPOST:
			post = false;
			break;
		case PA_SIGKILL:
			a->flags |= VA_SIGKILL;
			if (pa->has_arg_error)
				a->err = pa->arg_error;
			break;
		case PA_SIGNAL:
			a->flags |= VA_SIGNAL;
			a->sig = (uint32_t)pa->arg_sig;
			break;
		case PA_OVERRIDE:
			a->flags |= VA_OVERRIDE;
			a->err = pa->arg_error;
			break;
		default:
			cerr(c, pa->pos, "unsupported: action %s", pol_action_name(pa->kind));
		}
	}
	if (post)
		a->flags |= VA_POST;
}

/* Whether a 32-bit caller's syscall numbers may be tagged after matching: yes
 * when every filter on one is a positive lookup of untagged (x86-64) numbers,
 * since a tagged number then matches nothing an untagged one did not. */
static bool abi_late(const struct compiled *o, const struct c_hook *h)
{
	for (unsigned d = 0; d < h->cfg.n_dims; d++) {
		const struct veto_dim *dm = &h->cfg.dims[d];

		if (dm->src != VS_ARG || dm->arg >= VETO_ARG_MAX || h->cfg.rd[dm->arg].how != VR_SYSCALL64)
			continue;
		if (dm->negate || (dm->test != VT_EQ && dm->test != VT_NUM_HASH))
			return false;
		for (unsigned sel = 0; dm->test == VT_EQ && sel < VETO_SEL_MAX; sel++)
			if ((dm->care >> sel & 1) && h->cfg.num[d][sel] >= SYSCALL_IA32)
				return false;
		for (size_t i = 0; dm->test == VT_NUM_HASH && i < o->n_nums; i++)
			if (o->nums[i].key.hook == h->id && o->nums[i].key.dim == d && o->nums[i].key.a >= SYSCALL_IA32)
				return false;
	}
	return true;
}

/* 1 + the file argument of an LSM hook whose path every selector filters
 * on, so that the path alone may rule them all out (cfg.pcache); else 0. */
static uint8_t pcache_arg(const struct c_hook *h)
{
	if (!c_hook_is_lsm(h))
		return 0; /* slots get no typed file to find the inode by */
	for (unsigned i = 0; i < h->nargs && i < VETO_ARG_MAX; i++) {
		uint64_t filtered = 0;

		if (h->kind[i] != AK_file && h->kind[i] != AK_linux_binprm)
			continue;
		for (unsigned d = 0; d < h->cfg.n_dims; d++)
			if (veto_dim_on_path(&h->cfg.dims[d], i))
				filtered |= h->cfg.dims[d].care;
		return (h->cfg.all & ~filtered) ? 0 : (uint8_t)(i + 1);
	}
	return 0;
}

static void compile_hook(struct cc *c, const struct pol_policy *p, const struct pol_hook *ph, unsigned *slots)
{
	const char *name = ph->kind == PH_LSM ? ph->call : (ph->lsm_hook ? ph->lsm_hook : ph->call);
	struct c_hook *h;
	int id = -1;
	bool ok;

	if (ph->kind == PH_UPROBE) {
		cerr(c, ph->pos, "unsupported: uprobes");
		return;
	}
	/* check decided: a kprobe on security_* runs as its LSM hook, or as a kprobe */
	if (ph->kind == PH_LSM || (ph->kind == PH_KPROBE && ph->cls == PHC_LSM)) {
		id = hook_find(name);
		if (id < 0 && ph->kind == PH_KPROBE)
			id = hook_find(ph->call);
		if (id < 0 && ph->kind == PH_LSM) {
			cerr(c, ph->call_pos, "unsupported: %s is not an LSM hook veto can attach to (veto has: %s)",
			     ph->call, hook_list());
			return;
		}
		if (id >= 0 && c->env->hook_in_kernel && !c->env->hook_in_kernel(id)) {
			cerr(c, ph->call_pos, "unsupported on this kernel: it has no LSM hook %s (no bpf_lsm_%s in its "
				     "BTF; hooks come and go between kernel versions)", hook_table[id].name,
			     hook_table[id].name);
			return;
		}
	}
	for (size_t i = 0; id >= 0 && i < c->out->n_hooks; i++) {
		if (c->out->hooks[i].id == (uint32_t)id) {
			cerr(c, ph->pos, "unsupported: a second entry for %s in one policy: merge their selectors",
			     hook_table[id].name);
			return;
		}
	}
	if (ph->n_selectors > VETO_SEL_MAX) {
		cerr(c, ph->selectors[VETO_SEL_MAX].pos, "more than %d selectors on one hook", VETO_SEL_MAX);
		return;
	}
	h = GROW(c, c->out->hooks, c->out->n_hooks);
	if (!h)
		return;
	memset(h, 0, sizeof(*h));
	h->src = ph;
	h->cfg.monitor = p->mode == PM_MONITOR;
	ok = id >= 0 ? setup_lsm(c, h, ph, id) : setup_slot(c, h, ph, (*slots)++);
	if (!ok)
		return;
	/* no selectors: every call matches, with the default action (Post) */
	if (!ph->n_selectors) {
		h->cfg.all = 1;
		h->cfg.act[0].flags = VA_POST;
		return;
	}
	for (size_t s = 0; s < ph->n_selectors; s++) {
		const struct pol_selector *ps = &ph->selectors[s];

		compile_filters(c, h, (unsigned)s, ps);
		actions(c, h, (unsigned)s, ps);
		h->cfg.all |= 1ull << s;
		if (h->cfg.act[s].flags & (VA_SIGKILL | VA_OVERRIDE) ||
		    (h->cfg.act[s].flags & VA_SIGNAL && h->cfg.act[s].sig == 9))
			h->cfg.undecided |= 1ull << s;
	}
	for (uint32_t d = 0; d < h->cfg.n_dims; d++)
		h->cfg.proc_dims |= h->cfg.dims[d].src != VS_ARG && h->cfg.dims[d].src != VS_RET;
	h->cfg.abi_late = abi_late(c->out, h);
	h->cfg.pcache = c->env->walk_every_path ? 0 : pcache_arg(h);
}

int compile_policy(const struct pol_policy *p, const char *file, const struct compile_env *env,
		   struct compiled *out, struct diag_list *d)
{
	struct cc c = { .policy = p, .file = file, .d = d, .env = env, .out = out };
	unsigned slots = 0;

	memset(out, 0, sizeof(*out));
	out->src = p;
	if (p->broken) {
		diag_add(d, file, DIAG_ERROR, p->pos.line, p->pos.col, "policy %s has errors: not compiled",
			 p->name ? p->name : "?");
		return -EINVAL;
	}
	for (size_t i = 0; i < p->n_unsupported; i++)
		cerr(&c, p->unsupported[i].pos, "unsupported: %s", p->unsupported[i].what);
	for (size_t i = 0; i < p->n_hooks && c.err != -ENOMEM; i++)
		compile_hook(&c, p, &p->hooks[i], &slots);
	finish_entries(&c);
	if (!c.err && !out->n_hooks) {
		diag_add(d, file, DIAG_ERROR, p->pos.line, p->pos.col, "policy %s has no hooks to enforce",
			 p->name ? p->name : "?");
		c.err = -EINVAL;
	}
	if (c.err) {
		compiled_free(out);
		out->src = p;
	}
	return c.err;
}

void compiled_free(struct compiled *c)
{
	if (!c)
		return;
	free(c->hooks);
	free(c->strs);
	free(c->nums);
	free(c->addrs);
	memset(c, 0, sizeof(*c));
}

bool compiled_has_lsm(const struct compiled *c)
{
	for (size_t i = 0; i < c->n_hooks; i++)
		if (c_hook_is_lsm(&c->hooks[i]))
			return true;
	return false;
}

bool compiled_reads_binaries(const struct compiled *c)
{
	for (size_t i = 0; i < c->n_hooks; i++)
		if (c->hooks[i].cfg.need_binary || c->hooks[i].cfg.need_parent)
			return true;
	return c->n_follow > 0; /* followChildren reads the binary at exec */
}
