/*
 * compile: checked AST -> hook configs and map entries for bpf/engine.bpf.c.
 *
 * Every selector of a hook is a bit. Every distinct (what, how, operator)
 * a filter looks at becomes a dimension; its values become map entries whose
 * value is the mask of selectors that listed them. Prefix tries only return
 * the longest match, so each entry also carries the bits of the shorter
 * entries it extends.
 */
#include "compile/compile.h"
#include "compile/syscalls.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

struct cc {
	const struct pol_policy *policy;
	const char *file;
	struct diag_list *d;
	const struct compile_env *env;
	struct compiled *out;
	int err;
};

static void cerr(struct cc *c, struct pol_pos pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void cerr(struct cc *c, struct pol_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(c->d, c->file, DIAG_ERROR, pos.line, pos.col, fmt, ap);
	va_end(ap);
	if (!c->err)
		c->err = -EINVAL;
}

static void cwarn(struct cc *c, struct pol_pos pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void cwarn(struct cc *c, struct pol_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(c->d, c->file, DIAG_WARNING, pos.line, pos.col, fmt, ap);
	va_end(ap);
}

#define GROW(c, arr, n)                                                                \
	({                                                                             \
		void *p_ = NULL;                                                       \
		if (!((n) & ((n) - 1)) || !(n)) { /* at powers of two */               \
			p_ = realloc((arr), ((n) ? (n) * 2 : 16) * sizeof(*(arr)));    \
			if (p_)                                                        \
				(arr) = p_;                                            \
		} else {                                                               \
			p_ = (arr);                                                    \
		}                                                                      \
		if (!p_)                                                               \
			(c)->err = -ENOMEM;                                            \
		p_ ? &(arr)[(n)++] : NULL;                                             \
	})

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

/* Does a policy type read a hook argument of this kind? */
static bool type_fits(enum pol_type t, enum arg_kind k)
{
	if (t == PT_NOP) /* declared so that later indexes line up: never read */
		return true;
	switch (k) {
	case AK_linux_binprm: return t == PT_LINUX_BINPRM || t == PT_FILE;
	case AK_file: return t == PT_FILE || t == PT_PATH;
	case AK_inode: return t == PT_INODE;
	case AK_dentry: return t == PT_DENTRY || t == PT_PATH;
	case AK_path: return t == PT_PATH;
	case AK_socket: return t == PT_SOCKET || t == PT_SOCK;
	case AK_sockaddr: return t == PT_SOCKADDR;
	case AK_cred: return t == PT_CRED;
	case AK_userns: return t == PT_USER_NAMESPACE;
	case AK_kstr: return t == PT_STRING || t == PT_CHAR_BUF || t == PT_FILENAME;
	case AK_task: return t == PT_NOP;
	case AK_ptr: return t == PT_NOP || t == PT_BPF_ATTR;
	case AK_int: case AK_uint: case AK_ulong: case AK_flag: case AK_umode:
		return pol_type_class(t) == PTC_INT;
	default: return false;
	}
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
	bool equal = f->op == POP_EQUAL || f->op == POP_NOT_EQUAL || f->op == POP_IN || f->op == POP_NOT_IN;
	bool post = f->op == POP_POSTFIX || f->op == POP_NOT_POSTFIX;
	struct dim_id id = { .src = src, .test = post ? VT_STR_RLPM : VT_STR_LPM, .arg = arg,
			     .negate = pol_op_negated(f->op), .equal = equal };
	int d;

	if (!equal && !post && f->op != POP_PREFIX && f->op != POP_NOT_PREFIX) {
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

static uint64_t kernel_dev(uint64_t st_dev)
{
	/* the kernel's s_dev packs major:minor as 12:20 bits */
	return ((uint64_t)major(st_dev) << 20) | minor(st_dev);
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

static bool type_signed(enum pol_type t);

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
		uint8_t field;

		switch (f->op) {
		case POP_SADDR: case POP_NOT_SADDR:
			filter_addrs(c, h, st, f, VF_SADDR);
			return;
		case POP_DADDR: case POP_NOT_DADDR:
			if (k == AK_sockaddr)
				goto sockaddr_only;
			filter_addrs(c, h, st, f, VF_DADDR);
			return;
		case POP_SPORT: case POP_NOT_SPORT: case POP_SPORT_PRIV: case POP_NOT_SPORT_PRIV:
			field = VF_SPORT;
			break;
		case POP_DPORT: case POP_NOT_DPORT: case POP_DPORT_PRIV: case POP_NOT_DPORT_PRIV:
			if (k == AK_sockaddr)
				goto sockaddr_only;
			field = VF_DPORT;
			break;
		case POP_FAMILY:
			field = VF_FAMILY;
			break;
		case POP_PROTOCOL:
			if (k == AK_sockaddr)
				goto sockaddr_only;
			field = VF_PROTO;
			break;
		default:
			cerr(c, f->op_pos, "operator %s is not supported on a %s argument", pol_op_name(f->op),
			     arg_kind_name(k));
			return;
		}
		filter_numbers(c, h, st, f, VS_ARG, (uint8_t)f->index, field);
		return;
sockaddr_only:
		cerr(c, f->op_pos, "a sockaddr argument is the one address the call names: match it with SAddr, "
			     "SPort or Family (%s is for sock/socket arguments)", pol_op_name(f->op));
	} else {
		cerr(c, f->pos, "unsupported: matchArgs on a %s argument of %s", arg_kind_name(k), h->name);
	}
}

static void filter_caps(struct cc *c, struct c_hook *h, struct sel_state *st, const struct pol_filter *f)
{
	static const uint8_t src[PCS__COUNT] = { [PCS_EFFECTIVE] = VS_CAP_EFF, [PCS_INHERITABLE] = VS_CAP_INH,
						 [PCS_PERMITTED] = VS_CAP_PRM };
	struct dim_id id = { .src = src[f->capset], .test = VT_CAPS, .negate = f->op == POP_NOT_IN };
	uint64_t t = 0;

	if (f->is_namespace_capability) {
		cerr(c, f->pos, "unsupported: isNamespaceCapability");
		return;
	}
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
		if (pa->kernel_stack_trace || pa->user_stack_trace)
			cerr(c, pa->pos, "unsupported: stack traces on Post");
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
	if (s->n_return_actions)
		cerr(c, s->return_actions_pos, "unsupported: matchReturnActions (veto acts once per call: put the "
			     "actions in matchActions; with return: true they run when the call returns)");
	if (a->err > 0 || a->err < -4095) {
		cerr(c, s->actions_pos, "argError %d is not a negative errno (-4095..-1)%s", a->err,
		     a->err > 0 && a->err <= 4095 ? ": a hook denies with -errno, e.g. -1 for EPERM" : "");
		a->err = 0;
	}
	if (post)
		a->flags |= VA_POST;
}

/* An LSM hook (lsmhooks:, or a kprobe on its security_* function): the
 * arguments are the hook's own, read as bpf/hooks.def says. */
static bool no_resolve(struct cc *c, const struct pol_arg *a)
{
	if (a->resolve)
		cerr(c, a->pos, "unsupported: resolve: %.64s (veto reads an argument as its declared type and does "
			     "not follow BTF field paths)", a->resolve);
	return !a->resolve;
}

static bool setup_lsm(struct cc *c, struct c_hook *h, const struct pol_hook *ph, int id)
{
	const struct hook_info *hi = &hook_table[id];
	bool ok = true;

	h->id = (uint32_t)id;
	h->name = hi->name;
	h->nargs = hi->nargs;
	memcpy(h->kind, hi->args, sizeof(h->kind));
	h->cfg.kprobe = ph->kind == PH_KPROBE;
	for (size_t i = 0; i < ph->n_args; i++) {
		const struct pol_arg *a = &ph->args[i];

		if (!no_resolve(c, a)) {
			ok = false;
			continue;
		}

		if (a->index >= hi->nargs) {
			cerr(c, a->pos, "argument index %u: %s has %u arguments", a->index, hi->name, hi->nargs);
			ok = false;
			continue;
		}
		if (!type_fits(a->type, hi->args[a->index])) {
			cerr(c, a->pos, "argument %u of %s is a %s: type '%s' cannot read it", a->index, hi->name,
			     arg_kind_name(hi->args[a->index]), pol_type_name(a->type));
			ok = false;
			continue;
		}
		h->arg_type[a->index] = a->type;
		h->arg_label[a->index] = a->label;
		if (a->type != PT_NOP)
			h->cfg.need_args |= 1u << a->index;
	}
	return ok;
}

static bool type_signed(enum pol_type t)
{
	return t == PT_INT8 || t == PT_INT16 || t == PT_INT32 || t == PT_INT64 || t == PT_INT || t == PT_LONG ||
	       t == PT_FD || t == PT_CAPABILITY;
}

static unsigned type_size(enum pol_type t)
{
	switch (t) {
	case PT_INT8: case PT_UINT8: return 1;
	case PT_INT16: case PT_UINT16: return 2;
	case PT_INT32: case PT_UINT32: case PT_INT: case PT_FD: case PT_CAPABILITY: return 4;
	default: return 8;
	}
}

/* How a slot reads an argument of this policy type, and how matchArgs
 * treats it. false: veto cannot read it. */
static bool slot_reader(enum pol_type t, struct veto_arg_read *rd, enum arg_kind *k)
{
	static const struct { enum pol_type t; uint8_t how; enum arg_kind k; } ptrs[] = {
		{ PT_FILE, VR_FILE, AK_file }, { PT_PATH, VR_PATH, AK_path }, { PT_DENTRY, VR_DENTRY, AK_dentry },
		{ PT_INODE, VR_INODE, AK_inode }, { PT_LINUX_BINPRM, VR_BINPRM, AK_linux_binprm },
		{ PT_SOCKET, VR_SOCKET, AK_socket }, { PT_SOCK, VR_SOCK, AK_socket },
		{ PT_SOCKADDR, VR_SOCKADDR, AK_sockaddr }, { PT_CRED, VR_CRED, AK_cred },
	};

	if (t == PT_SYSCALL64) {
		rd->how = VR_SYSCALL64;
		*k = AK_ulong;
		return true;
	}
	if (pol_type_class(t) == PTC_INT || t == PT_FD) {
		rd->how = type_signed(t) ? VR_SINT : VR_UINT;
		rd->size = (uint8_t)type_size(t);
		*k = AK_ulong;
		return true;
	}
	if (t == PT_STRING || t == PT_CHAR_BUF || t == PT_FILENAME || t == PT_DATA_LOC) {
		rd->how = VR_KSTR;
		*k = AK_kstr;
		return true;
	}
	if (t == PT_NOP) {
		rd->how = VR_NONE;
		*k = AK_ptr;
		return true;
	}
	for (size_t i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++)
		if (ptrs[i].t == t) {
			rd->how = ptrs[i].how;
			rd->size = 8;
			*k = ptrs[i].k;
			return true;
		}
	return false;
}

/* A tracepoint argument: the record field its index names, read by the
 * field's layout and the policy's type. */
static bool tp_field_reader(struct cc *c, const struct pol_hook *ph, const struct pol_arg *a,
			    const struct tp_format *fmt, struct veto_arg_read *rd)
{
	const struct tp_field *f;
	bool syscalls = !strcmp(ph->subsystem, "syscalls") || !strcmp(ph->subsystem, "raw_syscalls");

	if (a->index >= fmt->n) {
		cerr(c, a->pos, "argument index %u: %s/%s has %zu fields (0 to %zu, common_* included: see its "
			     "format file in tracefs)", a->index, ph->subsystem, ph->event, fmt->n, fmt->n - 1);
		return false;
	}
	f = &fmt->f[a->index];
	rd->off = f->off;
	if (rd->how == VR_KSTR) {
		if (!strncmp(f->type, "__data_loc", 10)) {
			rd->how = VR_DATALOC;
			rd->size = 4;
		} else if (strchr(f->type, '[')) {
			rd->how = VR_CHARS;
			rd->size = (uint8_t)(f->size < VETO_STR_BUF - 1 ? f->size : VETO_STR_BUF - 1);
		} else if (strchr(f->type, '*')) {
			/* a syscall's string arguments point into the caller's memory */
			rd->how = syscalls || strstr(f->type, "__user") ? VR_USTR : VR_KSTR;
			rd->size = 8;
		} else {
			cerr(c, a->pos, "field %u (%s %s) is not a string: type '%s' cannot read it", a->index, f->type,
			     f->name, pol_type_name(a->type));
			return false;
		}
		return true;
	}
	if (rd->how == VR_NONE)
		return true;
	if (f->size > 8 || strchr(f->type, '[')) {
		cerr(c, a->pos, "field %u (%s %s) is %u bytes: veto reads integers and pointers of up to 8", a->index,
		     f->type, f->name, f->size);
		return false;
	}
	if (rd->how == VR_SINT || rd->how == VR_UINT)
		rd->how = f->is_signed || type_signed(a->type) ? VR_SINT : VR_UINT;
	rd->size = (uint8_t)f->size;
	return true;
}

/* raw_syscalls/sys_enter read only by its id runs as the raw tracepoint,
 * whose second argument is the id: the same value without the kernel
 * filling a record first (a cost on every system call). */
static void sys_enter_raw(struct c_hook *h, const struct pol_hook *ph)
{
	if (strcmp(ph->subsystem, "raw_syscalls") || strcmp(ph->event, "sys_enter"))
		return;
	for (unsigned i = 0; i < VETO_ARG_MAX; i++) {
		const struct veto_arg_read *rd = &h->cfg.rd[i];

		if ((h->cfg.need_args >> i & 1) && (rd->off != 8 || rd->size != 8 ||
		    (rd->how != VR_SINT && rd->how != VR_UINT && rd->how != VR_SYSCALL64)))
			return;
	}
	for (unsigned i = 0; i < VETO_ARG_MAX; i++)
		if (h->cfg.need_args >> i & 1)
			h->cfg.rd[i].off = 1;
	h->cfg.slot_kind = VK_RAWTP;
	snprintf(h->attach, sizeof(h->attach), "%s", ph->event);
}

/* A tracepoint or a kprobe on a function that is not an LSM hook: its own
 * slot program, told where each argument is. */
static bool setup_slot(struct cc *c, struct c_hook *h, const struct pol_hook *ph, unsigned slot)
{
	struct tp_format fmt = { 0 };
	bool tp = ph->kind == PH_TRACEPOINT, ok = true, fields = tp && !ph->raw;
	int r;

	if (slot >= VETO_SLOT_MAX) {
		cerr(c, ph->pos, "more than %d tracepoints and kprobes in one policy: split it", VETO_SLOT_MAX);
		return false;
	}
	h->id = VH__COUNT + slot;
	h->cfg.slot_kind = !tp ? VK_KPROBE : ph->raw ? VK_RAWTP : VK_TRACEPOINT;
	h->cfg.kprobe = !tp;
	if (tp && ph->raw) {
		/* arguments are the tracepoint's own (TP_PROTO), by index */
		h->name = ph->event;
		snprintf(h->attach, sizeof(h->attach), "%s", ph->event);
		h->nargs = ph->n_args < VETO_ARG_MAX ? (unsigned)ph->n_args : VETO_ARG_MAX;
	} else if (tp) {
		h->name = ph->event;
		snprintf(h->attach, sizeof(h->attach), "%s/%s", ph->subsystem, ph->event);
		r = c->env->tp_format ? c->env->tp_format(ph->subsystem, ph->event, &fmt) : -ENOSYS;
		if (r && c->env->portable) {
			fields = false; /* this machine's kernel says nothing about the target's */
		} else if (r) {
			cerr(c, ph->call_pos, "tracepoint %s/%s: %s%s", ph->subsystem, ph->event,
			     r == -ENOENT ? "this kernel has no such tracepoint" : strerror(-r),
			     r == -ENODEV ? " (tracefs is not mounted: mount -t tracefs nodev /sys/kernel/tracing)" : "");
			return false;
		}
		h->nargs = ph->n_args < VETO_ARG_MAX ? (unsigned)ph->n_args : VETO_ARG_MAX;
	} else {
		if (ph->call_list) {
			cerr(c, ph->call_pos, "unsupported: a kprobe on list:%s: write one kprobe per function",
			     ph->call_list);
			return false;
		}
		h->name = ph->call;
		/* syscall wrappers take the caller's registers; x86-64 names them __x64_sys_* */
		h->cfg.syscall = ph->syscall && (!strncmp(ph->call, "sys_", 4) || strstr(ph->call, "_sys_"));
		snprintf(h->attach, sizeof(h->attach), "%s%s", h->cfg.syscall && !strncmp(ph->call, "sys_", 4) ?
			 "__x64_" : "", ph->call);
		h->cfg.ret_probe = ph->ret;
		h->nargs = VETO_ARG_MAX;
	}
	for (size_t i = 0; i < ph->n_args; i++) {
		const struct pol_arg *a = &ph->args[i];
		unsigned slot_i = tp ? (unsigned)i : a->index;
		struct veto_arg_read rd = { 0 };
		enum arg_kind k;

		if (!no_resolve(c, a)) {
			ok = false;
			continue;
		}
		if (slot_i >= VETO_ARG_MAX) {
			cerr(c, a->pos, "unsupported: %s %u: veto reads the first %d arguments", tp ? "argument" :
			     "argument index", tp ? (unsigned)i + 1 : a->index, VETO_ARG_MAX);
			ok = false;
			continue;
		}
		if (!slot_reader(a->type, &rd, &k)) {
			cerr(c, a->pos, "unsupported: veto cannot read a %s argument on %s", pol_type_name(a->type),
			     tp ? "a tracepoint" : "a kprobe");
			ok = false;
			continue;
		}
		if (tp && ph->raw) {
			if (a->index >= 12) {
				cerr(c, a->pos, "argument index %u: a tracepoint has at most 12 arguments", a->index);
				ok = false;
				continue;
			}
			rd.off = (uint16_t)a->index;
			if (rd.how == VR_SINT || rd.how == VR_UINT)
				rd.size = (uint8_t)type_size(a->type);
		} else if (tp) {
			if (fields && !tp_field_reader(c, ph, a, &fmt, &rd)) {
				ok = false;
				continue;
			}
		} else {
			rd.off = (uint16_t)a->index;
			if (rd.how == VR_KSTR && h->cfg.syscall)
				rd.how = VR_USTR; /* a syscall's strings are the caller's */
		}
		h->cfg.rd[slot_i] = rd;
		h->kind[slot_i] = k;
		h->arg_type[slot_i] = a->type;
		h->arg_label[slot_i] = a->label;
		if (rd.how != VR_NONE)
			h->cfg.need_args |= 1u << slot_i;
	}
	tp_format_free(&fmt);
	if (ok && tp && !ph->raw)
		sys_enter_raw(h, ph);
	return ok;
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
			if ((dm->care >> sel & 1) && h->cfg.num[d][sel] > 0x7fffffff)
				return false;
		for (size_t i = 0; dm->test == VT_NUM_HASH && i < o->n_nums; i++)
			if (o->nums[i].key.hook == h->id && o->nums[i].key.dim == d && o->nums[i].key.a > 0x7fffffff)
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
		struct sel_state st = { .sel = (unsigned)s };

		for (size_t f = 0; f < ps->n_filters; f++)
			filter(c, h, &st, &ps->filters[f]);
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

/* ---- finishing the entries ---- */

static int cmp_str(const void *a, const void *b)
{
	const struct c_str *x = a, *y = b;
	int r = memcmp(&x->key.hook, &y->key.hook, 2);

	if (r)
		return r;
	r = memcmp(x->key.s, y->key.s, sizeof(x->key.s));
	return r ? r : (int)x->key.prefixlen - (int)y->key.prefixlen;
}

static bool str_extends(const struct c_str *longer, const struct c_str *pfx)
{
	size_t n = (pfx->key.prefixlen - 16) / 8;

	return longer->key.hook == pfx->key.hook && longer->key.dim == pfx->key.dim &&
	       longer->key.prefixlen >= pfx->key.prefixlen && !memcmp(longer->key.s, pfx->key.s, n);
}

static int cmp_addr(const void *a, const void *b)
{
	const struct c_addr *x = a, *y = b;
	int r = memcmp(&x->key.hook, &y->key.hook, 2 + 16);

	return r ? r : (int)x->key.prefixlen - (int)y->key.prefixlen;
}

static bool addr_extends(const struct c_addr *longer, const struct c_addr *pfx)
{
	unsigned bits = pfx->key.prefixlen - 16, full = bits / 8, rest = bits % 8;

	if (longer->key.hook != pfx->key.hook || longer->key.dim != pfx->key.dim ||
	    longer->key.prefixlen < pfx->key.prefixlen || memcmp(longer->key.addr, pfx->key.addr, full))
		return false;
	return !rest || ((longer->key.addr[full] ^ pfx->key.addr[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

static int cmp_num(const void *a, const void *b)
{
	return memcmp(&((const struct c_num *)a)->key, &((const struct c_num *)b)->key, sizeof(struct veto_num_key));
}

/* Sorted so that a prefix comes right before what extends it: one pass with
 * a stack of open prefixes merges duplicates and inherits shorter masks. */
#define FINISH_LPM(c, arr, n, cmp, extends, type)                                               \
	do {                                                                                    \
		size_t out_ = 0, depth_ = 0;                                                    \
		size_t *stack_;                                                                 \
		if (!(n))                                                                       \
			break;                                                                  \
		qsort(arr, n, sizeof(type), cmp);                                               \
		stack_ = calloc(n, sizeof(*stack_));                                            \
		if (!stack_) {                                                                  \
			(c)->err = -ENOMEM;                                                     \
			break;                                                                  \
		}                                                                               \
		for (size_t i_ = 0; i_ < (n); i_++) {                                           \
			if (out_ && !cmp(&(arr)[out_ - 1], &(arr)[i_])) {                       \
				(arr)[out_ - 1].mask |= (arr)[i_].mask;                         \
				continue;                                                       \
			}                                                                       \
			(arr)[out_++] = (arr)[i_];                                              \
		}                                                                               \
		(n) = out_;                                                                     \
		for (size_t i_ = 0; i_ < (n); i_++) {                                           \
			while (depth_ && !extends(&(arr)[i_], &(arr)[stack_[depth_ - 1]]))      \
				depth_--;                                                       \
			if (depth_)                                                             \
				(arr)[i_].mask |= (arr)[stack_[depth_ - 1]].mask;               \
			stack_[depth_++] = i_;                                                  \
		}                                                                               \
		free(stack_);                                                                   \
	} while (0)

static void finish_nums(struct compiled *o)
{
	size_t out = 0;

	if (!o->n_nums)
		return;
	qsort(o->nums, o->n_nums, sizeof(*o->nums), cmp_num);
	for (size_t i = 0; i < o->n_nums; i++) {
		if (out && !cmp_num(&o->nums[out - 1], &o->nums[i])) {
			o->nums[out - 1].mask |= o->nums[i].mask;
			continue;
		}
		o->nums[out++] = o->nums[i];
	}
	o->n_nums = out;
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
	if (p->kind == PK_TRACING_POLICY_NAMESPACED || p->pod_selector || p->container_selector)
		cerr(&c, p->pos, "unsupported: %s: veto cannot tell pods apart on this node yet, and will not "
			     "apply a namespaced policy to the whole node",
		     p->pod_selector ? "podSelector" : p->container_selector ? "containerSelector" :
		     "TracingPolicyNamespaced");
	for (size_t i = 0; i < p->n_hooks && c.err != -ENOMEM; i++)
		compile_hook(&c, p, &p->hooks[i], &slots);
	if (!c.err)
		FINISH_LPM(&c, out->strs, out->n_strs, cmp_str, str_extends, struct c_str);
	if (!c.err)
		FINISH_LPM(&c, out->addrs, out->n_addrs, cmp_addr, addr_extends, struct c_addr);
	if (!c.err)
		finish_nums(out);
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

uint64_t compiled_follow_binary(const struct compiled *c, const char *path)
{
	struct c_str k = { .key = { .hook = VETO_FOLLOW_HOOK } };
	size_t len = strlen(path);
	const struct c_str *e;

	if (len >= sizeof(k.key.s))
		return 0;
	memcpy(k.key.s, path, len);
	k.key.prefixlen = (uint32_t)(16 + 8 * (len + 1));
	e = c->n_strs ? bsearch(&k, c->strs, c->n_strs, sizeof(k), cmp_str) : NULL;
	return e ? e->mask : 0;
}

uint64_t compiled_follow_pid(const struct compiled *c, uint32_t pid, enum veto_pid_view view)
{
	struct c_num k = { .key = { .hook = VETO_FOLLOW_HOOK, .dim = (uint8_t)view, .a = pid } };
	const struct c_num *e = c->n_nums ? bsearch(&k, c->nums, c->n_nums, sizeof(k), cmp_num) : NULL;

	return e ? e->mask : 0;
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

static int host_stat(const char *path, uint64_t *dev, uint64_t *ino)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	*dev = kernel_dev(st.st_dev);
	*ino = st.st_ino;
	return 0;
}

/* Any path exists, at (0, 0): lint does not know the target's files. */
static int any_stat(const char *path, uint64_t *dev, uint64_t *ino)
{
	(void)path;
	*dev = *ino = 0;
	return 0;
}

void compile_env_portable(struct compile_env *env)
{
	memset(env, 0, sizeof(*env));
	env->portable = true;
	env->stat_path = any_stat;
	env->tp_format = tp_format_read;
}

void compile_env_host(struct compile_env *env, const uint32_t host_ns[VN__COUNT])
{
	memset(env, 0, sizeof(*env));
	env->stat_path = host_stat;
	env->tp_format = tp_format_read;
	env->hook_in_kernel = hook_in_kernel;
	memcpy(env->host_ns, host_ns, sizeof(env->host_ns));
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

int c_hook_progs(const struct c_hook *h, char names[2][32])
{
	unsigned slot = h->id - VH__COUNT;

	if (c_hook_is_lsm(h)) {
		snprintf(names[0], 32, "%s", hook_table[h->id].prog);
		return 1;
	}
	snprintf(names[0], 32, "veto_%s_%u", h->cfg.slot_kind == VK_TRACEPOINT ? "tp" :
		 h->cfg.slot_kind == VK_RAWTP ? "rt" : "kp", slot);
	if (!h->cfg.ret_probe)
		return 1;
	snprintf(names[1], 32, "veto_kr_%u", slot);
	return 2;
}

const char *c_hook_where(const struct c_hook *h, char *buf, size_t n)
{
	if (c_hook_is_lsm(h))
		snprintf(buf, n, "lsm/%s", h->name);
	else
		snprintf(buf, n, "%s/%s", h->cfg.slot_kind == VK_TRACEPOINT ? "tracepoint" :
			 h->cfg.slot_kind == VK_RAWTP ? "raw_tp" : h->cfg.ret_probe ? "kprobe+kretprobe" : "kprobe",
			 h->attach);
	return buf;
}

uint8_t c_hook_word_top(const struct c_hook *h)
{
	uint8_t top = 0;

	for (unsigned a = 0; a < VETO_ARG_MAX; a++) {
		const struct veto_arg_read *rd = &h->cfg.rd[a];
		unsigned k;

		if (!(h->cfg.need_args & (1u << a)))
			continue;
		if (h->cfg.slot_kind == VK_RAWTP)
			k = rd->off;
		else if (h->cfg.slot_kind == VK_TRACEPOINT && !(rd->off & 7) && rd->size == 8 && rd->how != VR_CHARS)
			k = rd->off / 8u;
		else
			continue;
		if (k + 1 > top && k < 16)
			top = (uint8_t)(k + 1);
	}
	return top;
}
