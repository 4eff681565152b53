/* A selector's filters (matchArgs, matchBinaries, matchNamespaces,
 * matchPIDs, matchCapabilities, matchReturnArgs, follow filters) turned into
 * the kernel's tests: every distinct (what, how, operator) is a dimension of
 * the hook, its values map entries or per-selector thresholds. */
#include "compile/run.h"
#include "compile/syscalls.h"

#include <string.h>

/* ---- dimensions ---- */

struct dim_id {
	uint8_t src, test, arg, field, negate, equal;
};

/* Finds the dimension for id, creating it; occ counts how often the current
 * selector already used that identity (two filters on the same thing in one
 * selector are ANDed, so each needs a dimension of its own). */
static int dim_get(struct cc *c, struct c_hook *h, const struct dim_id *id, unsigned occ, struct pol_pos pos)
{
	struct veto_hook_cfg *cfg = &h->cfg;
	unsigned seen = 0;

	for (uint32_t i = 0; i < cfg->n_dims; i++) {
		struct veto_dim *d = &cfg->dims[i];
		if (d->src == id->src && d->test == id->test && d->arg == id->arg && d->field == id->field &&
		    d->negate == id->negate && h->dim_equal[i] == id->equal && seen++ == occ)
			return (int)i;
	}
	if (cfg->n_dims == VETO_DIM_MAX) {
		cerr(c, pos, "this hook needs more than %d distinct filters (argument/operator pairs, "
			     "binaries, namespaces, ...): split the policy", VETO_DIM_MAX);
		return -1;
	}
	cfg->dims[cfg->n_dims] = (struct veto_dim){ .src = id->src, .test = id->test, .arg = id->arg,
						   .field = id->field, .negate = id->negate };
	h->dim_equal[cfg->n_dims] = id->equal;
	return (int)cfg->n_dims++;
}

/* ---- map entries ---- */

static void add_str(struct cc *c, uint8_t hook, int dim, unsigned sel, const char *s, size_t len,
		    bool equal, bool reverse, struct pol_pos pos)
{
	size_t max = equal ? VETO_STR_MAX - 1 : VETO_STR_MAX;
	struct c_str *e;

	if (len > max) {
		cerr(c, pos, "value is %zu bytes: the kernel compares at most %zu, so it can never match", len, max);
		return;
	}
	e = GROW(c, c->out->strs, c->out->n_strs);
	if (!e)
		return;
	memset(e, 0, sizeof(*e));
	e->key.hook = hook;
	e->key.dim = (uint8_t)dim;
	for (size_t i = 0; i < len; i++)
		e->key.s[i] = reverse ? s[len - 1 - i] : s[i];
	/* Equal keeps the NUL so that only the whole string matches */
	e->key.prefixlen = (uint32_t)(16 + 8 * (len + (equal ? 1 : 0)));
	e->mask = 1ull << sel;
}

static struct c_num *add_num(struct cc *c, uint8_t hook, int dim, unsigned sel, uint64_t a, uint64_t b)
{
	struct c_num *e = GROW(c, c->out->nums, c->out->n_nums);

	if (!e)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->key.hook = hook;
	e->key.dim = (uint8_t)dim;
	e->key.a = a;
	e->key.b = b;
	e->mask = 1ull << sel;
	e->path = NULL;
	return e;
}

static void add_addr(struct cc *c, uint8_t hook, int dim, unsigned sel, const struct pol_value *v)
{
	struct c_addr *e = GROW(c, c->out->addrs, c->out->n_addrs);

	if (!e)
		return;
	memset(e, 0, sizeof(*e));
	e->key.hook = hook;
	e->key.dim = (uint8_t)dim;
	memcpy(e->key.addr, v->v.cidr.addr, v->v.cidr.family == 4 ? 4 : 16);
	e->key.prefixlen = 16 + v->v.cidr.prefix;
	e->mask = 1ull << sel;
}

/* ---- filters ---- */

static bool kind_is_pathlike(enum arg_kind k)
{
	return k == AK_linux_binprm || k == AK_file || k == AK_dentry || k == AK_path;
}

static bool kind_is_num(enum arg_kind k)
{
	return k == AK_int || k == AK_uint || k == AK_ulong || k == AK_flag || k == AK_umode;
}

struct sel_state {
	unsigned sel;
	struct dim_id used[VETO_DIM_MAX * 4];
	unsigned n_used;
};

static int use_dim(struct cc *c, struct c_hook *h, struct sel_state *st, struct dim_id id, struct pol_pos pos)
{
	unsigned occ = 0;
	int d;

	for (unsigned i = 0; i < st->n_used; i++)
		if (!memcmp(&st->used[i], &id, sizeof(id)))
			occ++;
	d = dim_get(c, h, &id, occ, pos);
	if (d < 0)
		return -1;
	if (st->n_used < sizeof(st->used) / sizeof(st->used[0]))
		st->used[st->n_used++] = id;
	h->cfg.dims[d].care |= 1ull << st->sel;
	return d;
}

/* String-valued filters: path-like arguments, kernel strings, binaries. */
static void filter_strings(struct cc *c, struct c_hook *h, struct sel_state *st, const struct pol_filter *f,
			   uint8_t src, uint8_t arg, bool paths)
{
	enum pol_op_match how = pol_op_info(f->op)->match;
	bool equal = how == POM_EXACT, post = how == POM_POSTFIX;
	struct dim_id id = { .src = src, .test = post ? VT_STR_RLPM : VT_STR_LPM, .arg = arg,
			     .negate = pol_op_negated(f->op), .equal = equal };
	int d;

	if (how == POM_NONE) {
		cerr(c, f->op_pos, "operator %s is not supported on %s", pol_op_name(f->op),
		     src == VS_ARG ? "this argument" : "binaries");
		return;
	}
	d = use_dim(c, h, st, id, f->pos);
	if (d < 0)
		return;
	for (size_t i = 0; i < f->n_values; i++) {
		const struct pol_value *v = &f->values[i];

		if (v->kind != PV_STR) {
			cerr(c, v->pos, "value '%.64s' cannot be compiled (not a string)", v->raw);
			continue;
		}
		if (paths && !post && v->len && v->raw[0] != '/')
			cwarn(c, v->pos, "'%.64s' is relative: paths are resolved from the root, so it never matches",
			      v->raw);
		add_str(c, (uint8_t)h->id, d, st->sel, v->raw, v->len, equal, post, v->pos);
	}
}

/* An inode argument: the policy's paths become (device, inode) now. */
static void filter_inode(struct cc *c, struct c_hook *h, struct sel_state *st, const struct pol_filter *f)
{
	struct dim_id id = { .src = VS_ARG, .test = VT_NUM_HASH, .arg = (uint8_t)f->index, .field = VF_INODE,
			     .negate = pol_op_negated(f->op) };
	int d;

	switch (f->op) {
	case POP_EQUAL: case POP_NOT_EQUAL: case POP_PREFIX: case POP_NOT_PREFIX:
		break;
	default:
		cerr(c, f->op_pos, "operator %s cannot match an inode: use Equal or Prefix with file paths",
		     pol_op_name(f->op));
		return;
	}
	d = use_dim(c, h, st, id, f->pos);
	if (d < 0)
		return;
	for (size_t i = 0; i < f->n_values; i++) {
		const struct pol_value *v = &f->values[i];
		uint64_t dev, ino;
		int r;

		if (v->kind != PV_STR) {
			cerr(c, v->pos, "value '%.64s' cannot be compiled (not a path)", v->raw);
			continue;
		}
		r = c->env->stat_path ? c->env->stat_path(v->raw, &dev, &ino) : -ENOSYS;
		if (r) {
			/* a file that does not exist here cannot be opened either */
			cwarn(c, v->pos, "'%.64s': %s: an inode filter matches existing files only, this value is "
			      "left out", v->raw, strerror(-r));
			continue;
		}
		struct c_num *e = add_num(c, (uint8_t)h->id, d, st->sel, dev, ino);
		if (e)
			e->path = v->raw;
	}
}

static uint64_t value_u64(const struct pol_value *v)
{
	return v->kind == PV_INT ? (uint64_t)v->v.i : v->v.u;
}

static bool value_is_num(const struct pol_value *v)
{
	return v->kind == PV_INT || v->kind == PV_UINT;
}

/* Per-selector thresholds: GT/LT/Mask on numbers, capability sets. */
static void filter_threshold(struct cc *c, struct c_hook *h, struct sel_state *st, const struct pol_filter *f,
			     struct dim_id id, uint64_t t)
{
	int d = use_dim(c, h, st, id, f->pos);

	if (d >= 0)
		h->cfg.num[d][st->sel] = t;
}

static void add_syscall(struct cc *c, struct c_hook *h, int d, unsigned sel, const struct pol_value *v)
{
	uint64_t nr;

	if (syscall_nr(v->raw, &nr))
		cerr(c, v->pos, "'%.64s' is not a system call of this architecture (x86-64, or i386 as "
			     "__ia32_sys_NAME)", v->raw);
	else
		add_num(c, (uint8_t)h->id, d, sel, nr, 0);
}

/* A syscall name, or list:NAME of the policy's syscall lists. */
static void add_syscalls(struct cc *c, struct c_hook *h, int d, unsigned sel, const struct pol_value *v)
{
	const struct pol_policy *p = c->policy;

	if (v->kind == PV_SYSCALL) {
		add_syscall(c, h, d, sel, v);
		return;
	}
	for (size_t i = 0; i < p->n_lists; i++) {
		const struct pol_list *l = &p->lists[i];

		if (strcmp(l->name, v->list))
			continue;
		if (l->type != PLT_SYSCALLS) {
			cerr(c, v->pos, "list '%s' is not a list of system calls", l->name);
			return;
		}
		for (size_t j = 0; j < l->n_values; j++)
			add_syscall(c, h, d, sel, &l->values[j]);
		return;
	}
	cerr(c, v->pos, "no list named '%s' in this policy", v->list);
}

static void filter_numbers(struct cc *c, struct c_hook *h, struct sel_state *st, const struct pol_filter *f,
			   uint8_t src, uint8_t arg, uint8_t field)
{
	struct dim_id id = { .src = src, .arg = arg, .field = field, .negate = pol_op_negated(f->op) };
	uint64_t t = 0;
	int d;

	switch (f->op) {
	case POP_GT: case POP_LT: {
		bool sgn = f->arg && type_signed(f->arg->type);

		id.test = f->op == POP_GT ? (sgn ? VT_SGT : VT_GT) : (sgn ? VT_SLT : VT_LT);
		/* ORed values: x > any means x > the smallest */
		t = f->op == POP_GT ? (sgn ? (uint64_t)INT64_MAX : UINT64_MAX) : (sgn ? (uint64_t)INT64_MIN : 0);
		for (size_t i = 0; i < f->n_values; i++) {
			uint64_t x = value_u64(&f->values[i]);
			bool less = sgn ? (int64_t)x < (int64_t)t : x < t, more = sgn ? (int64_t)x > (int64_t)t : x > t;

			if (!value_is_num(&f->values[i]))
				cerr(c, f->values[i].pos, "'%.64s' is not a number", f->values[i].raw);
			else if (f->op == POP_GT ? less : more)
				t = x;
		}
		filter_threshold(c, h, st, f, id, t);
		return;
	}
	case POP_MASK:
		id.test = VT_MASK;
		for (size_t i = 0; i < f->n_values; i++)
			t |= value_u64(&f->values[i]);
		filter_threshold(c, h, st, f, id, t);
		return;
	case POP_EQUAL: case POP_NOT_EQUAL: case POP_IN: case POP_NOT_IN: case POP_IN_MAP: case POP_NOT_IN_MAP:
	case POP_SPORT: case POP_NOT_SPORT: case POP_DPORT: case POP_NOT_DPORT:
	case POP_PROTOCOL: case POP_FAMILY:
		break;
	case POP_SPORT_PRIV: case POP_NOT_SPORT_PRIV: case POP_DPORT_PRIV: case POP_NOT_DPORT_PRIV:
		/* privileged ports: below 1024; the Not form is its negation */
		id.test = VT_LT;
		id.negate = 0;
		if (pol_op_negated(f->op)) {
			id.test = VT_GT;
			filter_threshold(c, h, st, f, id, 1023);
		} else {
			filter_threshold(c, h, st, f, id, 1024);
		}
		return;
	default:
		cerr(c, f->op_pos, "operator %s is not supported here", pol_op_name(f->op));
		return;
	}
	/* one value: compared in a register, no hash lookup per call */
	if (f->n_values == 1 && (value_is_num(&f->values[0]) ||
				 (f->values[0].kind == PV_SYSCALL && !syscall_nr(f->values[0].raw, &t)))) {
		id.test = VT_EQ;
		filter_threshold(c, h, st, f, id, value_is_num(&f->values[0]) ? value_u64(&f->values[0]) : t);
		return;
	}
	id.test = VT_NUM_HASH;
	d = use_dim(c, h, st, id, f->pos);
	if (d < 0)
		return;
	for (size_t i = 0; i < f->n_values; i++) {
		const struct pol_value *v = &f->values[i];

		if (v->kind == PV_PORTS) {
			for (uint32_t p = v->v.ports.lo; p <= v->v.ports.hi; p++)
				add_num(c, (uint8_t)h->id, d, st->sel, p, 0);
		} else if (v->kind == PV_HOST_NS) {
			add_num(c, (uint8_t)h->id, d, st->sel, c->env->host_ns[arg], 0);
		} else if (value_is_num(v)) {
			add_num(c, (uint8_t)h->id, d, st->sel, value_u64(v), 0);
		} else if (v->kind == PV_SYSCALL || v->kind == PV_LIST) {
			add_syscalls(c, h, d, st->sel, v);
		} else {
			cerr(c, v->pos, "value '%.64s' cannot be compiled here", v->raw);
		}
	}
}

static void filter_addrs(struct cc *c, struct c_hook *h, struct sel_state *st, const struct pol_filter *f,
			 uint8_t field)
{
	struct dim_id id = { .src = VS_ARG, .test = VT_ADDR_LPM, .arg = (uint8_t)f->index, .field = field,
			     .negate = pol_op_negated(f->op) };
	int d = use_dim(c, h, st, id, f->pos);

	if (d < 0)
		return;
	for (size_t i = 0; i < f->n_values; i++) {
		if (f->values[i].kind != PV_CIDR)
			cerr(c, f->values[i].pos, "'%.64s' is not an address", f->values[i].raw);
		else
			add_addr(c, (uint8_t)h->id, d, st->sel, &f->values[i]);
	}
}

static void filter_arg(struct cc *c, struct c_hook *h, struct sel_state *st, const struct pol_filter *f)
{
	enum arg_kind k;

	if (f->index >= h->nargs) {
		cerr(c, f->pos, "matchArgs index %u: %s has %u arguments", f->index, h->name, h->nargs);
		return;
	}
	k = h->kind[f->index];
	h->cfg.need_args |= 1u << f->index;
	if (kind_is_pathlike(k) || k == AK_kstr) {
		filter_strings(c, h, st, f, VS_ARG, (uint8_t)f->index, k != AK_kstr);
	} else if (k == AK_inode) {
		filter_inode(c, h, st, f);
	} else if (kind_is_num(k)) {
		filter_numbers(c, h, st, f, VS_ARG, (uint8_t)f->index, VF_VALUE);
	} else if (k == AK_socket || k == AK_sockaddr) {
		/* the kernel field each socket operator compares */
		static const uint8_t field[] = { [POK_SADDR] = VF_SADDR, [POK_DADDR] = VF_DADDR, [POK_SPORT] = VF_SPORT,
						 [POK_DPORT] = VF_DPORT, [POK_FAMILY] = VF_FAMILY,
						 [POK_PROTOCOL] = VF_PROTO };
		const struct pol_op_info *op = pol_op_info(f->op);

		if (op->sock == POK_NONE || op->sock == POK_STATE) {
			cerr(c, f->op_pos, "operator %s is not supported on a %s argument", pol_op_name(f->op),
			     arg_kind_name(k));
			return;
		}
		if (k == AK_sockaddr && !(op->sets & POS_SOCKADDR))
			goto sockaddr_only;
		if (op->values == POV_CIDR)
			filter_addrs(c, h, st, f, field[op->sock]);
		else
			filter_numbers(c, h, st, f, VS_ARG, (uint8_t)f->index, field[op->sock]);
		return;
sockaddr_only:
		cerr(c, f->op_pos, "a sockaddr argument is the one address the call names: match it with SAddr, "
			     "SPort or Family (%s is for sock/socket arguments)", pol_op_name(f->op));
	} else {
		cerr(c, f->pos, "unsupported: matchArgs on a %s argument of %s", arg_kind_name(k), h->name);
	}
}

/* one VS_CAP_* source of the kernel's for each capability set */
_Static_assert(PCS__COUNT == 3, "a VS_CAP_* for every enum pol_capset");

static void filter_caps(struct cc *c, struct c_hook *h, struct sel_state *st, const struct pol_filter *f)
{
	static const uint8_t src[PCS__COUNT] = { [PCS_EFFECTIVE] = VS_CAP_EFF, [PCS_INHERITABLE] = VS_CAP_INH,
						 [PCS_PERMITTED] = VS_CAP_PRM };
	struct dim_id id = { .src = src[f->capset], .test = VT_CAPS, .negate = f->op == POP_NOT_IN };
	uint64_t t = 0;

	for (size_t i = 0; i < f->n_values; i++)
		t |= 1ull << (value_u64(&f->values[i]) & 63);
	filter_threshold(c, h, st, f, id, t);
}

_Static_assert(VETO_HOOK_MAX <= VETO_FOLLOW_HOOK, "the follow pseudo-hook is no hook's id");

/* followChildren and followForks: the filter gets a follow id; the selector
 * wants the process (or, for matchParentBinaries, its parent) to carry it. */
static void filter_follow(struct cc *c, struct c_hook *h, struct sel_state *st, const struct pol_filter *f)
{
	struct dim_id id = { .src = VS_FOLLOW, .test = VT_MASK, .arg = f->kind == PF_PARENT_BINARIES,
			     .field = f->kind == PF_PIDS ? VF_VALUE : VF_FOLLOW_BIN,
			     .negate = pol_op_negated(f->op) };
	unsigned fid = c->out->n_follow;

	if (fid == VETO_FOLLOW_MAX) {
		cerr(c, f->pos, "more than %d followChildren and followForks filters in one policy: split it",
		     VETO_FOLLOW_MAX);
		return;
	}
	c->out->n_follow++;
	c->out->follow_ns_pids |= f->kind == PF_PIDS && f->is_namespace_pid;
	filter_threshold(c, h, st, f, id, 1ull << fid);
	for (size_t i = 0; i < f->n_values; i++) {
		const struct pol_value *v = &f->values[i];

		/* pids by view (enum veto_pid_view) in the follow pseudo-hook's dims */
		if (f->kind == PF_PIDS && value_is_num(v))
			add_num(c, VETO_FOLLOW_HOOK, f->is_namespace_pid ? VP_NS : VP_HOST, fid, value_u64(v), 0);
		else if (f->kind != PF_PIDS && v->kind == PV_STR)
			add_str(c, VETO_FOLLOW_HOOK, 0, fid, v->raw, v->len, true, false, v->pos);
		else
			cerr(c, v->pos, "value '%.64s' cannot be compiled here", v->raw);
	}
}

static void filter(struct cc *c, struct c_hook *h, struct sel_state *st, const struct pol_filter *f)
{
	switch (f->kind) {
	case PF_ARGS:
		filter_arg(c, h, st, f);
		return;
	case PF_BINARIES:
	case PF_PARENT_BINARIES:
		if (f->follow_children) {
			filter_follow(c, h, st, f);
			return;
		}
		if (f->kind == PF_PARENT_BINARIES)
			h->cfg.need_parent = 1;
		else
			h->cfg.need_binary = 1;
		filter_strings(c, h, st, f, f->kind == PF_PARENT_BINARIES ? VS_PARENT_BINARY : VS_BINARY, 0, true);
		return;
	case PF_NAMESPACES:
		if (f->op != POP_IN && f->op != POP_NOT_IN) {
			cerr(c, f->op_pos, "matchNamespaces takes In or NotIn");
			return;
		}
		filter_numbers(c, h, st, f, VS_NS, (uint8_t)f->ns, VF_VALUE);
		return;
	case PF_PIDS:
		if (f->follow_forks)
			filter_follow(c, h, st, f);
		else
			filter_numbers(c, h, st, f, VS_PID, f->is_namespace_pid ? VP_NS : VP_HOST, VF_VALUE);
		return;
	case PF_CAPABILITIES:
		filter_caps(c, h, st, f);
		return;
	case PF_RETURN_ARGS:
		if (pol_type_class(h->src->return_arg.type) != PTC_INT) {
			cerr(c, f->pos, "unsupported: matchReturnArgs on a %s return value (integers only)",
			     pol_type_name(h->src->return_arg.type));
			return;
		}
		filter_numbers(c, h, st, f, VS_RET, 0, VF_VALUE);
		return;
	default:
		cerr(c, f->pos, "unsupported: %s", pol_filter_name(f->kind));
	}
}


void compile_filters(struct cc *c, struct c_hook *h, unsigned sel, const struct pol_selector *ps)
{
	struct sel_state st = { .sel = sel };

	for (size_t f = 0; f < ps->n_filters; f++)
		filter(c, h, &st, &ps->filters[f]);
}
