/*
 * Semantic checks: operators valid for the argument type, values that parse,
 * indexes that exist, limits the kernel design imposes. Completes the AST
 * (typed values, hook classes) for lint and compile.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/policy.h"
#include "util/caps.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct cc {
	const char *file;
	struct diag_list *d;
	struct pol_policy *p;
	bool nomem;
};

static void cerr(struct cc *c, struct pol_pos pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void cerr(struct cc *c, struct pol_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(c->d, c->file, DIAG_ERROR, pos.line, pos.col, fmt, ap);
	va_end(ap);
}

/* Refused feature found by check: recorded for compile, reported now. */
static void cunsup(struct cc *c, struct pol_pos pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void cunsup(struct cc *c, struct pol_pos pos, const char *fmt, ...)
{
	struct pol_policy *p = c->p;
	struct pol_unsupported *u;
	va_list ap;
	char *msg;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0) {
		c->nomem = true;
		return;
	}
	cerr(c, pos, "unsupported: %s", msg);
	if (pol_grow((void **)&p->unsupported, p->n_unsupported, sizeof(*u))) {
		free(msg);
		c->nomem = true;
		return;
	}
	u = p->unsupported;
	u[p->n_unsupported].pos = pos;
	u[p->n_unsupported++].what = msg;
}

/* Duplicate names in O(n log n): the first of each run is the original. */
struct named {
	const char *key1, *key2;
	size_t idx;
};

static int cmp_named(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int r = strcmp(x->key1, y->key1);

	if (!r)
		r = strcmp(x->key2, y->key2);
	if (!r)
		r = x->idx < y->idx ? -1 : x->idx > y->idx;
	return r;
}

/* Calls dup(c, i, first) for each element i whose keys an earlier element has. */
static void find_dups(struct cc *c, struct named *v, size_t n, void (*dup)(struct cc *, size_t, size_t, void *),
		      void *ctx)
{
	qsort(v, n, sizeof(*v), cmp_named);
	for (size_t i = 1, first = 0; i < n; i++) {
		if (strcmp(v[i].key1, v[first].key1) || strcmp(v[i].key2, v[first].key2)) {
			first = i;
			continue;
		}
		dup(c, v[i].idx, v[first].idx, ctx);
	}
}

static bool ident(const char *s, const char *extra)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && !strchr(extra, *s))
			return false;
	return true;
}

static const struct pol_list *find_list(const struct pol_policy *p, const char *name)
{
	for (size_t i = 0; i < p->n_lists; i++)
		if (p->lists[i].name && !strcmp(p->lists[i].name, name))
			return &p->lists[i];
	return NULL;
}

static void dup_list(struct cc *c, size_t i, size_t first, void *ctx)
{
	const struct pol_list *l = c->p->lists;

	cerr(c, l[i].pos, "duplicate list name '%s' (first at %u:%u)", l[i].name, l[first].pos.line,
	     l[first].pos.col);
}

static void dup_option(struct cc *c, size_t i, size_t first, void *ctx)
{
	const struct pol_option *o = c->p->options;

	cerr(c, o[i].pos, "option '%s' is set twice (first at %u:%u)", o[i].name, o[first].pos.line,
	     o[first].pos.col);
}

static void check_lists(struct cc *c)
{
	struct pol_policy *p = c->p;
	struct named *nv = calloc(p->n_lists + 1, sizeof(*nv));
	size_t nn = 0;

	if (!nv) {
		c->nomem = true;
		return;
	}
	for (size_t i = 0; i < p->n_lists; i++)
		if (p->lists[i].name)
			nv[nn++] = (struct named){ p->lists[i].name, "", i };
	find_dups(c, nv, nn, dup_list, NULL);
	free(nv);
	for (size_t i = 0; i < p->n_lists; i++) {
		struct pol_list *l = &p->lists[i];
		if (!l->name)
			continue;
		if (l->unsupported)
			continue;
		if (l->pattern)
			cerr(c, l->pattern_pos, "list '%s': pattern belongs to generated_ftrace lists", l->name);
		if (!l->n_values)
			cerr(c, l->values_pos, "list '%s' has no values", l->name);
		for (size_t j = 0; j < l->n_values; j++) {
			struct pol_value *v = &l->values[j];
			if (!ident(v->raw, "")) {
				cerr(c, v->pos, "list '%s': '%.64s' is not a system call name", l->name, v->raw);
				continue;
			}
			v->kind = PV_SYSCALL;
		}
	}
}

static bool boolish(const char *s)
{
	static const char *const ok[] = { "true", "false", "True", "False", "TRUE", "FALSE", "1", "0" };
	for (size_t i = 0; i < N(ok); i++)
		if (!strcmp(s, ok[i]))
			return true;
	return false;
}

static const char *const known_options[] = { "policy-mode", "disable-kprobe-multi", "disable-uprobe-multi",
					     "uprobe-heap-size" };

const char *pol_option_name(size_t i)
{
	return i < N(known_options) ? known_options[i] : NULL;
}

static void check_options(struct cc *c)
{
	struct pol_policy *p = c->p;
	struct named *nv = calloc(p->n_options + 1, sizeof(*nv));
	size_t nn = 0;

	if (!nv) {
		c->nomem = true;
		return;
	}
	for (size_t i = 0; i < p->n_options; i++)
		if (p->options[i].name)
			nv[nn++] = (struct named){ p->options[i].name, "", i };
	find_dups(c, nv, nn, dup_option, NULL);
	free(nv);
	for (size_t i = 0; i < p->n_options; i++) {
		struct pol_option *o = &p->options[i];
		if (!o->name || !o->value)
			continue;
		if (!strcmp(o->name, "policy-mode")) {
			if (!strcmp(o->value, "enforce"))
				p->mode = PM_ENFORCE;
			else if (!strcmp(o->value, "monitor"))
				p->mode = PM_MONITOR;
			else
				cerr(c, o->value_pos, "policy-mode must be enforce or monitor, got '%.64s'", o->value);
		} else if (!strcmp(o->name, "disable-kprobe-multi") || !strcmp(o->name, "disable-uprobe-multi")) {
			if (!boolish(o->value))
				cerr(c, o->value_pos, "option %s takes true or false, got '%.64s'", o->name, o->value);
		} else if (!strcmp(o->name, "uprobe-heap-size")) {
			char *end;
			unsigned long long v = strtoull(o->value, &end, 10);
			if (*end || !v || v > UINT32_MAX)
				cerr(c, o->value_pos, "uprobe-heap-size must be a positive number");
		} else {
			const char *s = pol_suggest(o->name, known_options, N(known_options));
			cerr(c, o->pos, "unknown option '%.64s'%s%s%s", o->name, s ? " (did you mean '" : "",
			     s ? s : "", s ? "'?)" : "");
		}
	}
}

/* ---- values ---- */

static bool value_int(struct cc *c, struct pol_value *v, enum pol_type t)
{
	const struct pol_type_info *ti = pol_type_info(t);
	int64_t min = ti->min;
	uint64_t max = ti->max;
	bool sign = ti->sign;
	char *end;

	if (t == PT_CAPABILITY) {
		unsigned cap;
		if (!cap_from(v->raw, &cap)) {
			v->kind = PV_INT;
			v->v.i = cap;
			return true;
		}
	}
	if (!v->len || isspace((unsigned char)v->raw[0]) || strlen(v->raw) != v->len)
		goto bad;
	errno = 0;
	if (v->raw[0] == '-') {
		long long x = strtoll(v->raw, &end, 0);
		if (errno || *end)
			goto bad;
		if (!sign || x < min) {
			cerr(c, v->pos, "value %s is out of range for %s", v->raw, pol_type_name(t));
			return false;
		}
		v->kind = PV_INT;
		v->v.i = x;
		return true;
	}
	{
		unsigned long long x = strtoull(v->raw, &end, 0);
		if (errno || *end)
			goto bad;
		if (x > max) {
			cerr(c, v->pos, "value %s is out of range for %s", v->raw, pol_type_name(t));
			return false;
		}
		v->kind = sign ? PV_INT : PV_UINT;
		if (sign)
			v->v.i = (int64_t)x;
		else
			v->v.u = x;
	}
	return true;
bad:
	cerr(c, v->pos, "'%.64s' is not a number (argument type %s)%s", v->raw, pol_type_name(t),
	     t == PT_CAPABILITY ? ": use a number or a CAP_ name" : "");
	return false;
}

static bool value_cidr(struct cc *c, struct pol_value *v)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long pfx;
	int max;

	if (v->len >= sizeof(buf) || strlen(v->raw) != v->len)
		goto bad;
	memcpy(buf, v->raw, v->len + 1);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = 0;
	if (inet_pton(AF_INET, buf, v->v.cidr.addr) == 1) {
		v->v.cidr.family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, v->v.cidr.addr) == 1) {
		v->v.cidr.family = 6;
		max = 128;
	} else {
		goto bad;
	}
	pfx = (unsigned long)max;
	if (slash) {
		errno = 0;
		pfx = strtoul(slash, &end, 10);
		if (!*slash || *end || errno || pfx > (unsigned long)max)
			goto bad;
	}
	v->v.cidr.prefix = (uint8_t)pfx;
	v->kind = PV_CIDR;
	return true;
bad:
	cerr(c, v->pos, "'%.64s' is not an IPv4/IPv6 address or CIDR (like 10.0.0.0/8 or fd00::/8)", v->raw);
	return false;
}

static bool value_ports(struct cc *c, struct pol_value *v)
{
	char *end, *colon;
	unsigned long lo, hi;

	if (!isdigit((unsigned char)v->raw[0]))
		goto bad;
	errno = 0;
	lo = strtoul(v->raw, &end, 10);
	hi = lo;
	colon = end;
	if (*colon == ':') {
		if (!isdigit((unsigned char)colon[1]))
			goto bad;
		hi = strtoul(colon + 1, &end, 10);
	}
	if (errno || *end || (size_t)(end - v->raw) != v->len)
		goto bad;
	if (lo > 65535 || hi > 65535 || lo > hi) {
		cerr(c, v->pos, "port range '%.64s' is out of 0..65535 or reversed", v->raw);
		return false;
	}
	v->kind = PV_PORTS;
	v->v.ports.lo = (uint16_t)lo;
	v->v.ports.hi = (uint16_t)hi;
	return true;
bad:
	cerr(c, v->pos, "'%.64s' is not a port or a port range (like 443 or 8000:8999)", v->raw);
	return false;
}

static bool value_named(struct cc *c, struct pol_value *v, int (*fn)(const char *, uint64_t *), const char *what)
{
	if (strlen(v->raw) != v->len || fn(v->raw, &v->v.u)) {
		cerr(c, v->pos, "'%.64s' is not a %s", v->raw, what);
		return false;
	}
	v->kind = PV_UINT;
	return true;
}

static bool value_list_ref(struct cc *c, struct pol_value *v, bool syscalls_only)
{
	const struct pol_list *l;

	if (strncmp(v->raw, "list:", 5))
		return false;
	v->list = v->raw + 5;
	v->kind = PV_LIST;
	l = find_list(c->p, v->list);
	if (!l)
		cerr(c, v->pos, "no list named '%.64s' in spec.lists", v->list);
	else if (syscalls_only && l->type != PLT_SYSCALLS && !l->unsupported)
		cerr(c, v->pos, "list '%s' is not a list of system calls", v->list);
	return true;
}

static bool template_var(struct cc *c, struct pol_value *v)
{
	const char *s = strstr(v->raw, "${");

	if (!s || !strchr(s, '}'))
		return false;
	cunsup(c, v->pos, "template variable '%.64s': veto does not expand variables; substitute them "
	       "before loading (e.g. with envsubst)", v->raw);
	return true;
}

/* Whether the filter's operator is one of sets (enum pol_op_set). */
static bool check_op(struct cc *c, struct pol_filter *f, unsigned sets, const char *what)
{
	char buf[512];

	if (pol_op_info(f->op)->sets & sets)
		return true;
	pol_ops_list(buf, sizeof(buf), sets);
	cerr(c, f->op_pos, "operator %s is not valid for %s (valid: %s)", pol_op_name(f->op), what, buf);
	return false;
}

static void check_arg_values(struct cc *c, struct pol_filter *f, const struct pol_arg *a)
{
	enum pol_type t = a->type;
	unsigned sets = pol_type_info(t)->ops;
	char what[96];

	snprintf(what, sizeof(what), "argument %u of type %s", a->index, pol_type_name(t));
	if (!sets) {
		cerr(c, f->pos, "argument %u has type %s: veto reads it for events but cannot filter on it",
		     a->index, pol_type_name(t));
		return;
	}
	if (!check_op(c, f, sets, what))
		return;
	if (pol_op_info(f->op)->values == POV_NONE) {
		if (f->n_values)
			cerr(c, f->values[0].pos, "operator %s takes no values (it means ports 0-1023)",
			     pol_op_name(f->op));
		return;
	}
	if (!f->n_values) {
		cerr(c, f->pos, "%s: operator %s needs at least one value", pol_filter_name(f->kind),
		     pol_op_name(f->op));
		return;
	}
	for (size_t i = 0; i < f->n_values; i++) {
		struct pol_value *v = &f->values[i];
		if (template_var(c, v))
			continue;
		switch (pol_op_info(f->op)->values) {
		case POV_CIDR:
			value_cidr(c, v);
			break;
		case POV_PORTS:
			value_ports(c, v);
			break;
		case POV_PROTOCOL:
			value_named(c, v, pol_proto_from, "protocol (a number or IPPROTO_TCP, IPPROTO_UDP, ...)");
			break;
		case POV_FAMILY:
			value_named(c, v, pol_family_from, "family (a number or AF_INET, AF_INET6, ...)");
			break;
		case POV_STATE:
			value_named(c, v, pol_tcp_state_from, "TCP state (a number or TCP_ESTABLISHED, ...)");
			break;
		default:
			if (pol_type_class(t) == PTC_SYSCALL) {
				if (value_list_ref(c, v, true))
					break;
				if (f->op == POP_IN_MAP || f->op == POP_NOT_IN_MAP || !isdigit((unsigned char)v->raw[0])) {
					if (ident(v->raw, ""))
						v->kind = PV_SYSCALL;
					else
						cerr(c, v->pos, "'%.64s' is not a system call name, number or list:NAME", v->raw);
					break;
				}
				value_int(c, v, PT_UINT64);
			} else if (pol_type_class(t) == PTC_INT || pol_type_class(t) == PTC_CAPS) {
				/* a syscall list fits an integer argument holding a syscall number */
				if ((f->op == POP_IN_MAP || f->op == POP_NOT_IN_MAP) && value_list_ref(c, v, true))
					break;
				value_int(c, v, t);
			} else {
				v->kind = PV_STR;
			}
		}
	}
}

static const struct pol_arg *find_arg(const struct pol_hook *h, const struct pol_arg *const *by_index,
				      uint32_t index)
{
	if (h->kind == PH_TRACEPOINT) /* tracepoints count positions in args */
		return index < h->n_args ? &h->args[index] : NULL;
	return index < POL_MAX_FUNC_ARGS ? by_index[index] : NULL;
}

static void declared(const struct pol_hook *h, char *buf, size_t sz)
{
	size_t o = 0;

	buf[0] = 0;
	if (!h->n_args) {
		snprintf(buf, sz, "none declared");
		return;
	}
	o += (size_t)snprintf(buf, sz, "declared: ");
	for (size_t i = 0; i < h->n_args && o < sz; i++)
		o += (size_t)snprintf(buf + o, sz - o, "%s%u", i ? ", " : "", h->args[i].index);
}

static void check_filter(struct cc *c, struct pol_hook *h, const struct pol_arg *const *by_index,
			 struct pol_filter *f)
{
	char buf[256];

	if (f->op == POP_NONE)
		return; /* reported by parse */
	switch (f->kind) {
	case PF_ARGS:
		f->arg = find_arg(h, by_index, f->index);
		if (!f->arg) {
			declared(h, buf, sizeof(buf));
			if (h->kind == PH_TRACEPOINT)
				cerr(c, f->pos, "matchArgs index %u: on a tracepoint the index counts the entries of "
				     "args, and there are %zu", f->index, h->n_args);
			else
				cerr(c, f->pos, "matchArgs index %u: no argument with that index in args (%s)",
				     f->index, buf);
			return;
		}
		check_arg_values(c, f, f->arg);
		return;
	case PF_RETURN_ARGS:
		if (h->kind != PH_KPROBE || !h->ret) {
			cerr(c, f->pos, "matchReturnArgs needs 'return: true' on the hook");
			return;
		}
		if (!h->has_return_arg) {
			cerr(c, f->pos, "matchReturnArgs needs a returnArg saying the type of the return value");
			return;
		}
		if (f->index) {
			cerr(c, f->pos, "matchReturnArgs index must be 0: there is one return value");
			return;
		}
		f->arg = &h->return_arg;
		check_arg_values(c, f, f->arg);
		return;
	case PF_BINARIES:
	case PF_PARENT_BINARIES:
		if (!check_op(c, f, POS_BIN, pol_filter_name(f->kind)))
			return;
		if (f->follow_children && f->op != POP_IN && f->op != POP_NOT_IN)
			cerr(c, f->follow_children_pos, "followChildren works only with operators In and NotIn");
		break;
	case PF_NAMESPACES:
	case PF_NAMESPACE_CHANGES:
	case PF_PIDS:
	case PF_CAPABILITIES:
	case PF_CAPABILITY_CHANGES:
		if (!check_op(c, f, POS_SET, pol_filter_name(f->kind)))
			return;
		break;
	default:
		return;
	}
	if (!f->n_values) {
		cerr(c, f->pos, "%s: operator %s needs at least one value", pol_filter_name(f->kind), pol_op_name(f->op));
		return;
	}
	for (size_t i = 0; i < f->n_values; i++) {
		struct pol_value *v = &f->values[i];
		enum veto_ns ns;
		unsigned cap;

		if (template_var(c, v))
			continue;
		switch (f->kind) {
		case PF_BINARIES:
		case PF_PARENT_BINARIES:
			v->kind = PV_STR;
			break;
		case PF_NAMESPACES:
			if (!strcmp(v->raw, "host_ns")) {
				v->kind = PV_HOST_NS;
				break;
			}
			if (!isdigit((unsigned char)v->raw[0]))
				cerr(c, v->pos, "'%.64s' is not a namespace inode number or host_ns", v->raw);
			else
				value_int(c, v, PT_UINT32);
			break;
		case PF_NAMESPACE_CHANGES:
			if (ns_policy_from(v->raw, &ns))
				cerr(c, v->pos, "'%.64s' is not a namespace (%s)", v->raw, ns_policy_list());
			else {
				v->kind = PV_UINT;
				v->v.u = ns;
			}
			break;
		case PF_PIDS:
			if (!isdigit((unsigned char)v->raw[0]))
				cerr(c, v->pos, "'%.64s' is not a PID", v->raw);
			else
				value_int(c, v, PT_UINT32);
			break;
		default:
			if (cap_from(v->raw, &cap)) {
				cerr(c, v->pos, "'%.64s' is not a capability (like CAP_SYS_ADMIN)", v->raw);
			} else {
				v->kind = PV_UINT;
				v->v.u = cap;
			}
		}
	}
}

/* return: true on a security_* function that enforces and filters nothing on
 * the value: the LSM hook denies, and its verdict is the function's return. */
static bool lsm_return(const struct pol_hook *h)
{
	bool enforces = false;

	for (size_t i = 0; i < h->n_selectors; i++) {
		const struct pol_selector *s = &h->selectors[i];

		for (size_t f = 0; f < s->n_filters; f++)
			if (s->filters[f].kind == PF_RETURN_ARGS)
				return false;
		for (size_t a = 0; a < s->n_actions; a++)
			enforces |= pol_action_enforces(s->actions[a].kind);
	}
	return enforces;
}

static void check_action(struct cc *c, struct pol_hook *h, struct pol_action *a)
{
	if (a->unsupported)
		return;
	/* the hook returns it (Override; Sigkill at an LSM hook): only -errno denies */
	if (a->has_arg_error && (a->kind == PA_OVERRIDE || a->kind == PA_SIGKILL) &&
	    (a->arg_error > 0 || a->arg_error < -4095))
		cerr(c, a->arg_error_pos, "argError %d is not a negative errno (-4095..-1)%s", a->arg_error,
		     a->arg_error > 0 && a->arg_error <= 4095 ? ": a hook denies with -errno, e.g. -1 for EPERM" : "");
	switch (a->kind) {
	case PA_OVERRIDE:
		if (!a->has_arg_error)
			cerr(c, a->pos, "Override needs argError: the value the call returns instead (e.g. -1 for EPERM)");
		if (h->kind == PH_TRACEPOINT)
			cerr(c, a->pos, "Override cannot work on a tracepoint: a tracepoint only observes; deny at an "
			     "LSM hook (lsmhooks) instead");
		else if (h->kind == PH_KPROBE && h->cls != PHC_LSM)
			cunsup(c, a->pos, "Override on a kprobe of %s: veto denies at LSM hooks only (kprobe error "
			       "injection is off in common kernels); deny at an LSM hook%s%s%s, or Sigkill the caller",
			       h->call, h->lsm_hook ? " (lsmhooks: " : "", h->lsm_hook ? h->lsm_hook : "",
			       h->lsm_hook ? ", without return: true)" : "");
		break;
	case PA_SIGNAL:
		if (!a->has_arg_sig)
			cerr(c, a->pos, "Signal needs argSig: the signal number (e.g. 9 for SIGKILL)");
		break;
	default:
		break;
	}
}

static void check_actions(struct cc *c, struct pol_hook *h, struct pol_action *v, size_t n)
{
	const struct pol_action *post = NULL, *nopost = NULL;

	for (size_t i = 0; i < n; i++) {
		check_action(c, h, &v[i]);
		if (v[i].kind == PA_POST)
			post = &v[i];
		if (v[i].kind == PA_NOPOST)
			nopost = &v[i];
	}
	if (post && nopost)
		cerr(c, nopost->pos, "NoPost contradicts the Post at %u:%u: choose one", post->pos.line, post->pos.col);
}

static void check_arg_decl(struct cc *c, struct pol_hook *h, struct pol_arg *a, bool is_return)
{
	unsigned flags = pol_type_info(a->type)->flags;
	bool buf = flags & PTF_SIZED;

	if (!is_return && h->kind != PH_TRACEPOINT && a->index >= POL_MAX_FUNC_ARGS)
		cerr(c, a->pos, "argument index %u is out of range: a hook can read arguments 0 to %d "
		     "(x86-64 passes six in registers)", a->index, POL_MAX_FUNC_ARGS - 1);
	if (a->size_arg_index) {
		if (!buf)
			cerr(c, a->pos, "sizeArgIndex applies to char_buf and char_iovec, not %s", pol_type_name(a->type));
		else if (a->size_arg_index > POL_MAX_FUNC_ARGS)
			cerr(c, a->pos, "sizeArgIndex %u is out of range 1..%d (it counts from 1)", a->size_arg_index,
			     POL_MAX_FUNC_ARGS);
		else if (a->size_arg_index == a->index + 1)
			cerr(c, a->pos, "sizeArgIndex %u points at this argument itself (it counts from 1)",
			     a->size_arg_index);
	}
	if (a->return_copy) {
		if (!buf)
			cerr(c, a->pos, "returnCopy applies to char_buf and char_iovec, not %s", pol_type_name(a->type));
		else if (!h->ret)
			cerr(c, a->pos, "returnCopy needs 'return: true' on the hook: the data is read on return");
	}
	if (a->max_data && !(flags & PTF_MAX_DATA))
		cerr(c, a->pos, "maxData applies to char_buf, char_iovec and iov_iter, not %s", pol_type_name(a->type));
	if (a->resolve && !ident(a->resolve, ".[]"))
		cerr(c, a->pos, "resolve '%.64s' is not a field path like mm.owner.comm", a->resolve);
}

static void check_hook(struct cc *c, struct pol_hook *h)
{
	const struct pol_arg *by_index[POL_MAX_FUNC_ARGS] = { 0 };

	if (h->unsupported)
		return; /* reported; its details belong to what is refused */
	switch (h->kind) {
	case PH_KPROBE:
		if (!h->call)
			break;
		if (!strncmp(h->call, "list:", 5)) {
			const struct pol_list *l;
			h->call_list = h->call + 5;
			l = find_list(c->p, h->call_list);
			if (!l)
				cerr(c, h->call_pos, "no list named '%.64s' in spec.lists", h->call_list);
			h->cls = l && l->type == PLT_SYSCALLS ? PHC_SYSCALL : PHC_KFUNC;
			break;
		}
		if (!ident(h->call, ".")) {
			cerr(c, h->call_pos, "'%.64s' is not a kernel function name", h->call);
			break;
		}
		h->lsm_hook = pol_lsm_for_kprobe(h->call);
		/* security_* runs as its LSM hook, unless only a return probe sees what the
		 * policy asks: the value for matchReturnArgs, or for events alone */
		h->cls = h->lsm_hook && (!h->ret || lsm_return(h)) ? PHC_LSM : h->syscall ? PHC_SYSCALL : PHC_KFUNC;
		break;
	case PH_LSM:
		h->cls = PHC_LSM;
		if (!h->call)
			break;
		if (!pol_lsm_hook_known(h->call)) {
			const char *s = pol_suggest_lsm_hook(h->call);
			cerr(c, h->call_pos, "unknown LSM hook '%.64s'%s%s%s", h->call, s ? " (did you mean '" : "",
			     s ? s : "", s ? "'?)" : "");
			break;
		}
		h->lsm_hook = h->call;
		break;
	case PH_TRACEPOINT:
		h->cls = PHC_TRACEPOINT;
		if (h->subsystem && !ident(h->subsystem, ""))
			cerr(c, h->call_pos, "'%.64s' is not a tracepoint subsystem name", h->subsystem);
		if (h->event && !ident(h->event, ""))
			cerr(c, h->call_pos, "'%.64s' is not a tracepoint event name", h->event);
		break;
	case PH_UPROBE:
		h->cls = PHC_UPROBE;
		break;
	}
	for (size_t i = 0; i < h->n_args; i++) {
		const struct pol_arg *a = &h->args[i];
		if (h->kind != PH_TRACEPOINT && a->index < POL_MAX_FUNC_ARGS) {
			const struct pol_arg *first = by_index[a->index];
			if (first)
				cerr(c, a->pos, "argument index %u is declared twice (first at %u:%u)", a->index,
				     first->pos.line, first->pos.col);
			else
				by_index[a->index] = a;
		}
		check_arg_decl(c, h, &h->args[i], false);
	}
	if (h->has_return_arg)
		check_arg_decl(c, h, &h->return_arg, true);
	if (h->n_selectors > POL_MAX_SELECTORS)
		cerr(c, h->selectors[POL_MAX_SELECTORS].pos, "more than %d selectors on one hook: each selector is "
		     "one bit of a 64-bit mask in the kernel; split the hook", POL_MAX_SELECTORS);
	for (size_t i = 0; i < h->n_selectors; i++) {
		struct pol_selector *s = &h->selectors[i];
		for (size_t j = 0; j < s->n_filters; j++)
			check_filter(c, h, by_index, &s->filters[j]);
		check_actions(c, h, s->actions, s->n_actions); /* matchReturnActions: refused by parse */
	}
}

static int check_policy(struct cc *c)
{
	struct pol_policy *p = c->p;
	size_t n0 = p->n_unsupported;

	for (size_t i = 0; i < n0; i++)
		cerr(c, p->unsupported[i].pos, "unsupported: %s", p->unsupported[i].what);
	check_lists(c);
	check_options(c);
	for (size_t i = 0; i < p->n_hooks; i++)
		check_hook(c, &p->hooks[i]);
	return c->nomem ? -ENOMEM : 0;
}

static void dup_policy(struct cc *c, size_t i, size_t first, void *ctx)
{
	const struct pol_set *s = ctx;

	cerr(c, s->v[i].pos, "duplicate policy name '%s' (first at %u:%u)", s->v[i].name, s->v[first].pos.line,
	     s->v[first].pos.col);
}

int pol_check(struct pol_set *s, struct diag_list *d)
{
	struct named *nv = calloc(s->n + 1, sizeof(*nv));
	struct cc c0 = { .file = s->file, .d = d };
	size_t nn = 0;

	if (!nv)
		return -ENOMEM;
	/* one name per kind and namespace, as Kubernetes keys them */
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].name && !s->v[i].broken)
			nv[nn++] = (struct named){ s->v[i].name,
						   s->v[i].kind == PK_TRACING_POLICY ? "" :
						   s->v[i].namespace ? s->v[i].namespace : "-", i };
	find_dups(&c0, nv, nn, dup_policy, s);
	free(nv);
	for (size_t i = 0; i < s->n; i++) {
		struct pol_policy *p = &s->v[i];
		struct cc c = { .file = s->file, .d = d, .p = p };
		int r;

		if (p->broken)
			continue;
		r = check_policy(&c);
		if (r)
			return r;
	}
	return 0;
}
