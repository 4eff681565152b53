/* Part of bpf/engine.bpf.c, the selector matcher: each dimension of a hook's configuration yields
 * the mask of selectors its values satisfy (one map lookup, or per-selector
 * thresholds); the masks are ANDed, the caller's dimensions first. */
#ifndef VETO_BPF_ENGINE_MATCH_H
#define VETO_BPF_ENGINE_MATCH_H

#include "engine_args.h"
#include "engine_caller.h"

/* The string a dimension looks at, copied (or reversed) into s->key; the
 * lookup's result, or NULL. *cut: the path is not whole, nothing looked up. */
static __always_inline __u64 *lookup_str(struct scratch *s, __u8 hook, __u8 d, const struct veto_dim *dm,
					 bool *cut)
{
	const char *str;
	__u32 len, keep, slot;
	__u16 flags;

	if (dm->src == VS_BINARY) {
		str = s->ev.binary;
		len = s->ev.bin_len;
		flags = s->ev.bin_flags;
		slot = SLOT_BINARY;
	} else {
		struct veto_ev_arg *a = dm->src == VS_PARENT_BINARY ? &s->parent : ARG(s, dm->arg);

		str = a->str;
		len = a->len;
		flags = a->flags;
		slot = dm->src == VS_PARENT_BINARY ? SLOT_PARENT : dm->arg;
	}
	if (flags & VETO_ARG_NOPATH)
		return NULL;
	if (flags & VETO_ARG_CUT) {
		*cut = true;
		return NULL;
	}
	s->key.hook = hook;
	s->key.dim = d;
	if (dm->test == VT_STR_RLPM) {
		/* a path longer than str: its end was kept apart */
		if (flags & VETO_ARG_TRUNC)
			str = s->tails[slot & 7];
		/* from the last byte back, as many as a key holds */
		for (__u32 i = 0; i < VETO_STR_MAX; i++) {
			if (i >= len)
				break;
			s->key.s[i] = str[(len - 1 - i) & BUFM];
		}
		keep = len < VETO_STR_MAX ? len : VETO_STR_MAX;
	} else {
		if (len > VETO_STR_MAX)
			len = VETO_STR_MAX;
		/* with the NUL, so that Equal values (stored with theirs) match whole;
		 * the trie reads no further than the prefix length */
		keep = len < VETO_STR_MAX ? len + 1 : VETO_STR_MAX;
		barrier_var(keep);
		if (keep > VETO_STR_MAX)
			keep = VETO_STR_MAX;
		bpf_probe_read_kernel(s->key.s, keep, str);
	}
	s->key.prefixlen = 16 + 8 * keep;
	return bpf_map_lookup_elem(&str_lpm, &s->key);
}

static __always_inline __u64 arg_num(struct scratch *s, const struct veto_dim *dm, __u64 *b)
{
	struct veto_ev_arg *a = ARG(s, dm->arg);

	*b = 0;
	switch (dm->field) {
	case VF_INODE: *b = a->num[1]; return a->num[0];
	case VF_FAMILY: return a->family;
	case VF_PROTO: return a->proto;
	case VF_SPORT: return a->sport;
	case VF_DPORT: return a->dport;
	}
	return a->num[0];
}

static __always_inline __u64 dim_value(struct scratch *s, const struct veto_dim *dm, __u64 *b)
{
	*b = 0;
	switch (dm->src) {
	case VS_FOLLOW: return caller_follow_ids(dm->arg);
	case VS_ARG: return arg_num(s, dm, b);
	case VS_NS: return current_ns(dm->arg);
	case VS_PID:
		if (dm->arg == VP_NS)
			return veto_ns_tgid((void *)bpf_get_current_task());
		return bpf_get_current_pid_tgid() >> 32;
	case VS_RET: return s->ev.retval;
	}
	return current_caps(dm->src);
}

/* The mask of selectors dimension d's values match, into s->hits. Global:
 * checked once by the verifier, whatever the number of hooks and dimensions. */
__noinline int veto_dim(__u32 hook, __u32 d)
{
	struct scratch *s = get_scratch();
	struct veto_hook_cfg *c = bpf_map_lookup_elem(&cfg, &hook);
	const struct veto_dim *dm;
	__u64 *v = NULL, x, b, hits = 0, care;

	if (!s || !c)
		return 0;
	s->hits = 0;
	dm = &c->dims[d & (VETO_DIM_MAX - 1)];

	switch (dm->test) {
	case VT_STR_LPM:
	case VT_STR_RLPM: {
		bool cut = false;

		v = lookup_str(s, hook, d, dm, &cut);
		if (cut) {
			/* undecided: satisfied where the selector denies or kills */
			s->hits = dm->negate ? ~c->undecided : c->undecided;
			return 0;
		}
		break;
	}
	case VT_NUM_HASH:
		s->nkey.hook = hook;
		s->nkey.dim = d;
		s->nkey.a = dim_value(s, dm, &b);
		s->nkey.b = b;
		v = bpf_map_lookup_elem(&num_hash, &s->nkey);
		break;
	case VT_ADDR_LPM: {
		struct veto_ev_arg *a = ARG(s, dm->arg);

		s->akey.hook = hook;
		s->akey.dim = d;
		bpf_probe_read_kernel(s->akey.addr, 16, dm->field == VF_DADDR ? a->daddr : a->saddr);
		s->akey.prefixlen = 16 + (a->family == 10 ? 128 : 32);
		if (a->family == 2 || a->family == 10)
			v = bpf_map_lookup_elem(&addr_lpm, &s->akey);
		break;
	}
	default:
		x = dim_value(s, dm, &b);
		care = dm->care;
		/* up to the last selector with this filter: usually the first few */
		for (__u32 i = 0; i < VETO_SEL_MAX; i++) {
			__u64 t = c->num[d & (VETO_DIM_MAX - 1)][i];
			bool ok;

			if (!(care >> i))
				break; /* no later selector has this filter */
			if (!(care >> i & 1))
				continue;
			ok = veto_threshold_ok(dm->test, x, t);
			if (ok)
				hits |= 1ull << i;
		}
		if (dm->src == VS_FOLLOW && dm->field == VF_FOLLOW_BIN && (x & VETO_FOLLOW_CUT))
			hits |= dm->negate ? ~c->undecided : c->undecided;
		s->hits = hits;
		return 0;
	}
	s->hits = v ? *v : 0;
	return 0;
}

/* The hook's configuration, if the policy uses the hook. */
static __always_inline struct veto_hook_cfg *hook_cfg(__u32 hook)
{
	struct veto_hook_cfg *c = bpf_map_lookup_elem(&cfg, &hook);

	return c && c->all ? c : NULL;
}

static __always_inline struct scratch *begin(__u32 hook, struct veto_hook_cfg **cp)
{
	struct veto_hook_cfg *c = hook_cfg(hook);
	struct scratch *s;

	if (!c)
		return NULL;
	s = get_scratch();
	if (!s)
		return NULL;
	*cp = c;
	return s;
}

/* m after one dimension's hits: a selector without its filter keeps its bit. */
static __always_inline __u64 apply_dim(__u64 m, const struct veto_dim *dm, __u64 hits)
{
	return veto_apply_dim(m, dm->negate, dm->care, hits);
}

/* A dimension's phase: the caller's own (binaries, namespaces, pids,
 * capabilities, follow ids: cheap, and read before any argument), the
 * call's arguments, or a kprobe's return value. */
#define PH_PROC 1
#define PH_ARGS 2
#define PH_RET  4
static __always_inline __u32 dim_phase(const struct veto_dim *dm)
{
	return dm->src == VS_ARG ? PH_ARGS : dm->src == VS_RET ? PH_RET : PH_PROC;
}

/* The selectors m still matching after the dimensions of the phases in
 * `want`. */
static __always_inline __u64 match(struct scratch *s, struct veto_hook_cfg *c, __u8 hook, __u64 m, __u32 want)
{
	for (__u32 d = 0; d < VETO_DIM_MAX; d++) {
		const struct veto_dim *dm;
		__u64 hits;

		if (d >= c->n_dims)
			break;
		dm = &c->dims[d & (VETO_DIM_MAX - 1)];
		if (!(dim_phase(dm) & want))
			continue;
		if (dm->test == VT_EQ && dm->care == 1 && dm->src == VS_ARG && dm->field == VF_VALUE) {
			/* the commonest filter, one value in the first selector: no call */
			hits = arg_at(s, dm->arg)->num[0] == c->num[d & (VETO_DIM_MAX - 1)][0];
		} else {
			veto_dim(hook, d);
			hits = s->hits;
		}
		s->dhits[d & (VETO_DIM_MAX - 1)] = hits;
		s->dseen |= 1u << d;
		m = apply_dim(m, dm, hits);
		if (!m)
			return 0;
	}
	return m;
}

/* The selectors the caller itself leaves, before any argument is read: a
 * caller every selector rules out pays for no path walk. Starts a call's
 * record of the dimensions seen (dseen). */
static __always_inline __u64 match_caller(struct scratch *s, struct veto_hook_cfg *c, __u8 hook)
{
	s->dseen = 0;
	if (!c->proc_dims)
		return c->all;
	take_binaries(s, c);
	return match(s, c, hook, c->all, PH_PROC);
}

#endif
