/* The kernel's matcher (bpf/engine_match.h, engine_act.h) over a recorded
 * event: each dimension's hits from the compiled map entries, applied as
 * apply_dim does, the lowest selector left firing. A dimension whose value
 * the event lacks moves the selectors that care about it to "undecided":
 * later dimensions still rule them out, and an undecided selector before
 * the first matching one makes the verdict undecided. */
#include "simulate/eval.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile/hooks.h"
#include "util/ns.h"

/* ---- lookups ---- */

static size_t key_len(const struct c_str *e)
{
	return (e->key.prefixlen - 16) / 8;
}

static int cmp_lpm(const void *a, const void *b)
{
	const struct c_str *x = *(const struct c_str *const *)a, *y = *(const struct c_str *const *)b;
	size_t lx = key_len(x), ly = key_len(y);

	if (lx != ly)
		return lx < ly ? -1 : 1;
	return memcmp(x->key.s, y->key.s, lx);
}

static int build_lpm(const struct compiled *c, uint32_t hook, unsigned d, struct sim_lpm *l)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n_strs; i++)
		n += c->strs[i].key.hook == hook && c->strs[i].key.dim == d;
	l->n = 0;
	l->n_lens = 0;
	if (!n)
		return 0;
	l->v = calloc(n, sizeof(*l->v));
	if (!l->v)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_strs; i++)
		if (c->strs[i].key.hook == hook && c->strs[i].key.dim == d)
			l->v[l->n++] = &c->strs[i];
	qsort(l->v, l->n, sizeof(*l->v), cmp_lpm);
	/* lengths, longest first: the first found is the longest prefix */
	for (size_t i = l->n; i-- > 0;) {
		uint16_t len = (uint16_t)key_len(l->v[i]);
		if (!l->n_lens || l->lens[l->n_lens - 1] != len)
			l->lens[l->n_lens++] = len;
	}
	return 0;
}

/* The trie's answer for key[0..keep): the entry with the longest prefix. */
static const struct c_str *lpm_find(const struct sim_lpm *l, const char *key, size_t keep)
{
	for (unsigned i = 0; i < l->n_lens; i++) {
		size_t len = l->lens[i], lo = 0, hi = l->n;

		if (len > keep)
			continue;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			const struct c_str *e = l->v[mid];
			size_t el = key_len(e);
			int r = el != len ? (el < len ? -1 : 1) : memcmp(e->key.s, key, len);

			if (!r)
				return e;
			if (r < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return NULL;
}

static uint64_t num_find(const struct compiled *c, uint8_t hook, uint8_t dim, uint64_t a, uint64_t b)
{
	struct veto_num_key k = { .hook = hook, .dim = dim, .a = a, .b = b };
	size_t lo = 0, hi = c->n_nums;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int r = memcmp(&c->nums[mid].key, &k, sizeof(k));

		if (!r)
			return c->nums[mid].mask;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static uint64_t addr_find(const struct compiled *c, uint8_t hook, uint8_t dim, const uint8_t *addr,
			  uint32_t prefixlen)
{
	const struct c_addr *best = NULL;

	for (size_t i = 0; i < c->n_addrs; i++) {
		const struct c_addr *e = &c->addrs[i];
		unsigned bits, full, rest;

		if (e->key.hook != hook || e->key.dim != dim || e->key.prefixlen > prefixlen)
			continue;
		bits = e->key.prefixlen - 16;
		full = bits / 8;
		rest = bits % 8;
		if (memcmp(e->key.addr, addr, full) ||
		    (rest && ((e->key.addr[full] ^ addr[full]) & (0xff << (8 - rest)) & 0xff)))
			continue;
		if (!best || e->key.prefixlen > best->key.prefixlen)
			best = e;
	}
	return best ? best->mask : 0;
}

/* ---- policies ---- */

int sim_policy_index(struct sim_policy *p)
{
	p->n_hooks = p->c.n_hooks;
	p->hooks = calloc(p->n_hooks ? p->n_hooks : 1, sizeof(*p->hooks));
	if (!p->hooks)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_hooks; i++) {
		struct sim_hook *sh = &p->hooks[i];

		sh->h = &p->c.hooks[i];
		for (unsigned d = 0; d < sh->h->cfg.n_dims; d++)
			if (build_lpm(&p->c, sh->h->id, d, &sh->lpm[d]))
				return -ENOMEM;
	}
	return 0;
}

void sim_policy_free(struct sim_policy *p)
{
	for (size_t i = 0; p->hooks && i < p->n_hooks; i++)
		for (unsigned d = 0; d < VETO_DIM_MAX; d++)
			free(p->hooks[i].lpm[d].v);
	free(p->hooks);
	p->hooks = NULL;
	compiled_free(&p->c);
}

static bool streq(const struct sim_str *s, const char *t)
{
	size_t n = t ? strlen(t) : 0;

	return t && s->s && s->n == n && !memcmp(s->s, t, n);
}

/* A kprobe's function as events name it may carry the syscall wrapper's
 * architecture prefix the policy left out. */
static bool same_function(const struct sim_str *f, const char *name)
{
	static const char *const pre[] = { "__x64_", "__ia32_", "__arm64_" };

	if (streq(f, name))
		return true;
	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		size_t n = strlen(pre[i]);
		struct sim_str rest = { f->s + n, f->n - n };

		if (f->s && f->n > n && !memcmp(f->s, pre[i], n) && streq(&rest, name))
			return true;
	}
	return false;
}

struct sim_hook *sim_hook_of(struct sim_policy *p, const struct sim_event *e)
{
	for (size_t i = 0; i < p->n_hooks; i++) {
		const struct c_hook *h = p->hooks[i].h;

		if (c_hook_is_lsm(h)) {
			/* the operation, whether recorded from lsmhooks or a kprobe on security_* */
			if ((e->kind == SK_LSM && streq(&e->function, hook_table[h->id].name)) ||
			    (e->kind == SK_KPROBE && streq(&e->function, hook_table[h->id].func)))
				return &p->hooks[i];
			continue;
		}
		switch (h->cfg.slot_kind) {
		case VK_KPROBE:
			if (e->kind == SK_KPROBE && (same_function(&e->function, h->attach) ||
						     same_function(&e->function, h->name)))
				return &p->hooks[i];
			break;
		case VK_TRACEPOINT:
			if (e->kind == SK_TRACEPOINT && h->src && streq(&e->subsys, h->src->subsystem) &&
			    streq(&e->event, h->src->event))
				return &p->hooks[i];
			break;
		case VK_RAWTP:
			if (e->kind == SK_TRACEPOINT && streq(&e->event, h->name))
				return &p->hooks[i];
			break;
		}
	}
	return NULL;
}

unsigned sim_wants(const struct sim_policy *v, size_t n)
{
	unsigned w = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < v[i].c.n_hooks; k++) {
			const struct veto_hook_cfg *c = &v[i].c.hooks[k].cfg;

			for (unsigned d = 0; d < c->n_dims; d++) {
				if (c->dims[d].src == VS_NS)
					w |= SIM_WANT_NS;
				if (c->dims[d].src >= VS_CAP_EFF && c->dims[d].src <= VS_CAP_INH)
					w |= SIM_WANT_CAPS;
			}
		}
	return w;
}

/* ---- arguments ---- */

/* Whether an exported argument of type t is what the hook reads as kind k. */
static bool arg_fits(enum arg_kind k, uint8_t t)
{
	switch (k) {
	case AK_linux_binprm: return t == SA_BINPRM;
	case AK_file: return t == SA_FILE;
	case AK_inode: case AK_dentry: case AK_path: return t == SA_PATH;
	case AK_socket: return t == SA_SOCK;
	case AK_sockaddr: return t == SA_SOCKADDR;
	case AK_cred: return t == SA_CRED;
	case AK_userns: return t == SA_USER_NS;
	case AK_kstr: return t == SA_STRING;
	case AK_int: case AK_uint: case AK_ulong: case AK_flag: case AK_umode:
		return t == SA_INT || t == SA_UINT || t == SA_SIZE || t == SA_LONG || t == SA_CAPABILITY;
	default: return false;
	}
}

/* The recorded argument at hook index i. LSM hooks: the arguments are
 * written in index order, those not read left out: each is matched to the
 * next index of its kind. Tracepoints and kprobes: by position. */
static const struct sim_arg *arg_at(const struct sim_hook *sh, const struct sim_event *e, unsigned i)
{
	const struct c_hook *h = sh->h;
	unsigned k = 0;

	if (!c_hook_is_lsm(h))
		return i < e->n_args ? &e->args[i] : NULL;
	for (unsigned a = 0; a < e->n_args; a++) {
		while (k < hook_table[h->id].nargs && !arg_fits(hook_table[h->id].args[k], e->args[a].type))
			k++;
		if (k >= hook_table[h->id].nargs)
			return NULL;
		if (k == i)
			return &e->args[a];
		k++;
	}
	return NULL;
}

/* ---- dimensions ---- */

enum { HIT, UNKNOWN };

struct dimv {
	uint64_t hits;
	uint64_t unk;    /* UNKNOWN: the selectors left undecided */
	const char *why;
};

static int str_dim(const struct sim_hook *sh, unsigned d, const struct veto_dim *dm, const struct sim_str *s,
		   uint8_t flags, struct dimv *r)
{
	const struct veto_hook_cfg *c = &sh->h->cfg;
	char key[VETO_STR_MAX];
	size_t len, keep;
	const struct c_str *hit;

	if (flags & SIM_ARG_NOPATH || !s->s) {
		r->hits = 0; /* no path: the kernel's lookup finds nothing */
		return HIT;
	}
	if (flags & SIM_ARG_CUT) {
		/* undecided in the kernel too: satisfied where the selector denies or kills */
		r->hits = dm->negate ? ~c->undecided : c->undecided;
		return HIT;
	}
	len = s->n;
	if (dm->test == VT_STR_RLPM) {
		keep = len < VETO_STR_MAX ? len : VETO_STR_MAX;
		for (size_t i = 0; i < keep; i++)
			key[i] = s->s[len - 1 - i];
	} else {
		if (len > VETO_STR_MAX)
			len = VETO_STR_MAX;
		keep = len < VETO_STR_MAX ? len + 1 : VETO_STR_MAX;
		memcpy(key, s->s, len);
		if (keep > len)
			key[len] = '\0';
	}
	hit = lpm_find(&sh->lpm[d], key, keep);
	r->hits = hit ? hit->mask : 0;
	return HIT;
}

static uint64_t arg_field(const struct veto_dim *dm, const struct sim_arg *a)
{
	switch (dm->field) {
	case VF_FAMILY: return a->family;
	case VF_PROTO: return a->proto;
	case VF_SPORT: return a->sport;
	case VF_DPORT: return a->dport;
	}
	return a->num;
}

static int thresholds(const struct veto_hook_cfg *c, unsigned d, const struct veto_dim *dm, uint64_t x,
		      struct dimv *r)
{
	uint64_t hits = 0;

	for (unsigned i = 0; i < VETO_SEL_MAX; i++) {
		uint64_t t = c->num[d][i];

		if (!(dm->care >> i))
			break;
		if (!(dm->care >> i & 1))
			continue;
		if (veto_threshold_ok(dm->test, x, t))
			hits |= 1ull << i;
	}
	r->hits = hits;
	return HIT;
}

/* The value a number dimension compares, or UNKNOWN with why. */
static int dim_number(const struct sim_hook *sh, const struct veto_dim *dm, const struct sim_event *e,
		      const struct sim_follow *f, uint64_t *x, uint64_t *b, struct dimv *r)
{
	const struct sim_arg *a;

	*b = 0;
	switch (dm->src) {
	case VS_ARG:
		a = arg_at(sh, e, dm->arg);
		if (!a) {
			r->why = "the recording did not read this argument";
			return UNKNOWN;
		}
		if (dm->field == VF_INODE) {
			r->why = "inode filters compare (device, inode), which events do not carry";
			return UNKNOWN;
		}
		*x = arg_field(dm, a);
		return HIT;
	case VS_RET:
		if (!e->has_return) {
			r->why = "the recording has no return value";
			return UNKNOWN;
		}
		*x = e->ret.num;
		return HIT;
	case VS_NS:
		if (!e->proc.has_ns) {
			r->why = "the events carry no namespaces (record with --enable-process-ns)";
			return UNKNOWN;
		}
		*x = e->proc.ns[dm->arg < VN__COUNT ? dm->arg : 0];
		return HIT;
	case VS_PID:
		if (dm->arg == VP_NS) {
			r->why = "isNamespacePID: the events carry host pids";
			return UNKNOWN;
		}
		if (!e->proc.has_pid) {
			r->why = "the event has no pid";
			return UNKNOWN;
		}
		*x = e->proc.pid;
		return HIT;
	case VS_CAP_EFF: case VS_CAP_PRM: case VS_CAP_INH:
		if (!e->proc.has_caps) {
			r->why = "the events carry no capabilities (record with --enable-process-cred)";
			return UNKNOWN;
		}
		*x = e->proc.caps[dm->src - VS_CAP_EFF];
		return HIT;
	case VS_FOLLOW:
		if (!f) {
			r->why = "the event names no process (no exec_id)";
			return UNKNOWN;
		}
		*x = f->ids[dm->arg ? 1 : 0];
		return HIT;
	}
	r->why = "this filter is not simulated";
	return UNKNOWN;
}

static int dim_eval(const struct sim_policy *p, const struct sim_hook *sh, unsigned d, const struct sim_event *e,
		    const struct sim_follow *f, struct dimv *r)
{
	const struct veto_hook_cfg *c = &sh->h->cfg;
	const struct veto_dim *dm = &c->dims[d];
	const struct sim_arg *a;
	uint64_t x, b;
	int st;

	r->why = NULL;
	r->hits = 0;
	r->unk = dm->care;
	switch (dm->test) {
	case VT_STR_LPM:
	case VT_STR_RLPM:
		if (dm->src == VS_BINARY) {
			if (!e->proc.binary.s) {
				r->why = "the event names no binary";
				return UNKNOWN;
			}
			return str_dim(sh, d, dm, &e->proc.binary, 0, r);
		}
		if (dm->src == VS_PARENT_BINARY) {
			struct sim_str pb = e->parent_binary;

			if (!e->has_parent && f && f->parent_binary && f->parent_binary[0])
				pb = (struct sim_str){ f->parent_binary, strlen(f->parent_binary) };
			else if (!e->has_parent) {
				r->why = "the event has no parent, and the recording no exec of it";
				return UNKNOWN;
			}
			return str_dim(sh, d, dm, &pb, pb.s ? 0 : SIM_ARG_NOPATH, r);
		}
		a = arg_at(sh, e, dm->arg);
		if (!a) {
			r->why = "the recording did not read this argument";
			return UNKNOWN;
		}
		return str_dim(sh, d, dm, &a->str, a->flags, r);
	case VT_NUM_HASH:
		st = dim_number(sh, dm, e, f, &x, &b, r);
		if (st != HIT)
			return st;
		r->hits = num_find(&p->c, (uint8_t)sh->h->id, (uint8_t)d, x, b);
		/* host_ns values were compiled as 0 (the recording's host is not
		 * this one): the event says which of its namespaces are the host's */
		if (dm->src == VS_NS && (e->proc.ns_host >> dm->arg & 1))
			r->hits |= num_find(&p->c, (uint8_t)sh->h->id, (uint8_t)d, 0, 0);
		return HIT;
	case VT_ADDR_LPM:
		a = arg_at(sh, e, dm->arg);
		if (!a) {
			r->why = "the recording did not read this argument";
			return UNKNOWN;
		}
		r->hits = 0;
		if (a->family == 2 || a->family == 10)
			r->hits = addr_find(&p->c, (uint8_t)sh->h->id, (uint8_t)d,
					    dm->field == VF_DADDR ? a->daddr : a->saddr, 16 + (a->family == 10 ? 128 : 32));
		return HIT;
	}
	st = dim_number(sh, dm, e, f, &x, &b, r);
	if (st != HIT)
		return st;
	thresholds(c, d, dm, x, r);
	if (dm->src == VS_FOLLOW && f && !f->known[dm->arg ? 1 : 0]) {
		/* an ancestor the recording never saw may have run a followed binary */
		uint64_t missing = dm->care & ~r->hits;

		if (missing) {
			r->unk = missing;
			r->why = "a process whose ancestors the recording does not show (record from boot, or "
				 "with --enable-ancestors)";
			return UNKNOWN;
		}
	}
	return HIT;
}

void sim_eval(const struct sim_policy *p, const struct sim_hook *sh, const struct sim_event *e,
	      const struct sim_follow *f, struct sim_verdict *v)
{
	const struct veto_hook_cfg *c = &sh->h->cfg;
	uint64_t m = c->all, u = 0;
	uint8_t udim[VETO_SEL_MAX];
	const char *uwhy[VETO_SEL_MAX];

	v->sel = -1;
	v->undecided = false;
	v->why = NULL;
	for (unsigned d = 0; d < c->n_dims && (m | u); d++) {
		const struct veto_dim *dm = &c->dims[d];
		uint64_t care = dm->care;
		struct dimv r;

		if (dim_eval(p, sh, d, e, f, &r) == UNKNOWN) {
			/* these selectors hang on what the event lacks */
			for (unsigned s = 0; s < VETO_SEL_MAX; s++)
				if ((m & r.unk) >> s & 1) {
					udim[s] = (uint8_t)d;
					uwhy[s] = r.why;
				}
			u |= m & r.unk;
			m &= ~r.unk;
			care &= ~r.unk;
		}
		/* apply_dim, on the matching and the undecided alike */
		m = veto_apply_dim(m, dm->negate, care, r.hits);
		u = veto_apply_dim(u, dm->negate, care, r.hits);
	}
	if (!(m | u))
		return;
	v->sel = __builtin_ctzll(m | u);
	if (u >> v->sel & 1) {
		v->undecided = true;
		v->dim = udim[v->sel];
		v->why = uwhy[v->sel];
	}
}

const char *sim_dim_name(const struct sim_hook *sh, unsigned d, char *buf, size_t n)
{
	const struct veto_dim *dm = &sh->h->cfg.dims[d];
	static const char *const fields[] = { [VF_FAMILY] = "family", [VF_PROTO] = "protocol",
					      [VF_SPORT] = "source port", [VF_DPORT] = "destination port",
					      [VF_SADDR] = "source address", [VF_DADDR] = "destination address",
					      [VF_INODE] = "inode" };

	switch (dm->src) {
	case VS_ARG:
		snprintf(buf, n, "matchArgs index %u%s%s", dm->arg, dm->field && dm->field < VF_FOLLOW_BIN ? " " : "",
			 dm->field && dm->field < VF_FOLLOW_BIN ? fields[dm->field] : "");
		break;
	case VS_BINARY: snprintf(buf, n, "matchBinaries"); break;
	case VS_PARENT_BINARY: snprintf(buf, n, "matchParentBinaries"); break;
	case VS_NS: snprintf(buf, n, "matchNamespaces %s", ns_policy_name(dm->arg)); break;
	case VS_PID: snprintf(buf, n, "matchPIDs%s", dm->arg == VP_NS ? " isNamespacePID" : ""); break;
	case VS_CAP_EFF: snprintf(buf, n, "matchCapabilities Effective"); break;
	case VS_CAP_PRM: snprintf(buf, n, "matchCapabilities Permitted"); break;
	case VS_CAP_INH: snprintf(buf, n, "matchCapabilities Inheritable"); break;
	case VS_RET: snprintf(buf, n, "matchReturnArgs"); break;
	case VS_FOLLOW:
		snprintf(buf, n, "%s followChildren", dm->field == VF_FOLLOW_BIN ?
			 (dm->arg ? "matchParentBinaries" : "matchBinaries") : "matchPIDs");
		if (dm->field != VF_FOLLOW_BIN)
			snprintf(buf, n, "matchPIDs followForks");
		break;
	default: snprintf(buf, n, "filter %u", d);
	}
	return buf;
}
