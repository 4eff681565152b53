/* The selectors of a hook: its filters (matchArgs, matchBinaries, ...) and
 * actions, walked from YAML into the AST. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/parse.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const unsupported_ops[] = {
	"CapabilitiesGained", "SubString", "SubStringIgnCase", "FileType", "NotFileType", "InRange", "NotInRange",
};

static bool get_op(struct pc *c, const struct ynode *n, const char *what, enum pol_op *out)
{
	const char *cands[POP__COUNT + N(unsupported_ops)];
	size_t nc = 0;
	const char *s;

	if (!n || n->type != Y_SCALAR || y_is_null(n)) {
		pc_err(c, n, "%s: operator must be a string, got %s", what, y_kind(n));
		return false;
	}
	if (!pol_op_from(n->s, out))
		return true;
	for (size_t i = 0; i < N(unsupported_ops); i++)
		if (!strcasecmp(n->s, unsupported_ops[i])) {
			char msg[128];
			snprintf(msg, sizeof(msg), "operator %s", unsupported_ops[i]);
			pc_unsup(c, n, msg);
			*out = POP_NONE;
			return true;
		}
	for (int i = 1; i < POP__COUNT; i++)
		cands[nc++] = pol_op_name(i);
	s = pol_suggest(n->s, cands, nc);
	pc_err(c, n, "%s: unknown operator '%.64s'%s%s%s", what, n->s, s ? " (did you mean '" : "", s ? s : "",
	       s ? "'?)" : "");
	return false;
}

static void parse_filter(struct pc *c, const struct ynode *n, enum pol_filter_kind k, struct pol_filter *fl)
{
	/* columns: which filter kinds accept the field */
	enum { A = 1, B = 2, NS = 4, NSC = 8, P = 16, CAP = 32 };
	static const struct {
		struct fspec f;
		int kinds;
	} all[] = {
		{ { "index", NULL }, A }, { { "operator", NULL }, A | B | NS | NSC | P | CAP },
		{ { "values", NULL }, A | B | NS | NSC | P | CAP }, { { "followChildren", NULL }, B },
		{ { "namespace", NULL }, NS }, { { "followForks", NULL }, P },
		{ { "isNamespacePID", NULL }, P }, { { "type", NULL }, CAP },
		{ { "isNamespaceCapability", NULL }, CAP },
		{ { "args", "one filter over several arguments (write one filter per index)" }, A },
	};
	static const int kind_bit[PF__COUNT] = {
		[PF_ARGS] = A, [PF_RETURN_ARGS] = A, [PF_BINARIES] = B, [PF_PARENT_BINARIES] = B,
		[PF_NAMESPACES] = NS, [PF_NAMESPACE_CHANGES] = NSC, [PF_PIDS] = P,
		[PF_CAPABILITIES] = CAP, [PF_CAPABILITY_CHANGES] = CAP,
	};
	struct fspec f[N(all)];
	const struct ynode *v[N(all)], *byname[N(all)];
	const char *what = pol_filter_name(k);
	size_t nf = 0;
	int64_t x;

	for (size_t i = 0; i < N(all); i++)
		if (all[i].kinds & kind_bit[k])
			f[nf++] = all[i].f;
	fl->pos = pc_pos(n);
	fl->kind = k;
	fl->follow_forks = false;
	if (!pc_fields(c, n, what, f, nf, v))
		return;
	/* back to fixed slots by name */
	for (size_t i = 0; i < N(all); i++) {
		byname[i] = NULL;
		for (size_t j = 0; j < nf; j++)
			if (!strcmp(f[j].name, all[i].f.name))
				byname[i] = v[j];
	}
	if (byname[0] && pc_int(c, byname[0], "index", 0, UINT32_MAX, &x))
		fl->index = (uint32_t)x;
	else if (!byname[0] && k == PF_ARGS)
		pc_err(c, n, "%s: missing field 'index'", what);
	if (!byname[1]) {
		pc_err(c, n, "%s: missing field 'operator'", what);
	} else {
		fl->op_pos = pc_pos(byname[1]);
		get_op(c, byname[1], what, &fl->op);
	}
	if (byname[2]) /* check says which operators need values */
		pc_values(c, byname[2], "values", &fl->values, &fl->n_values);
	if (byname[3]) {
		fl->follow_children_pos = pc_pos(pc_key(n, byname[3]));
		pc_bool(c, byname[3], "followChildren", &fl->follow_children);
	}
	if (byname[4]) {
		if (byname[4]->type != Y_SCALAR || y_is_null(byname[4])) {
			pc_err(c, byname[4], "namespace must be a string, got %s", y_kind(byname[4]));
		} else if (ns_policy_from(byname[4]->s, &fl->ns)) {
			const char *cands[VN__COUNT], *s;
			for (int i = 0; i < VN__COUNT; i++)
				cands[i] = ns_policy_name(i);
			s = pol_suggest(byname[4]->s, cands, VN__COUNT);
			pc_err(c, byname[4], "unknown namespace '%.64s'%s%s%s (one of %s)", byname[4]->s,
			       s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "", ns_policy_list());
		}
	} else if (k == PF_NAMESPACES) {
		pc_err(c, n, "%s: missing field 'namespace'", what);
	}
	if (byname[5])
		pc_bool(c, byname[5], "followForks", &fl->follow_forks);
	if (byname[6])
		pc_bool(c, byname[6], "isNamespacePID", &fl->is_namespace_pid);
	if (byname[7]) {
		if (byname[7]->type != Y_SCALAR || pol_capset_from(byname[7]->s, &fl->capset))
			pc_err(c, byname[7], "type must be Effective, Inheritable or Permitted");
	} else if (k == PF_CAPABILITIES || k == PF_CAPABILITY_CHANGES) {
		pc_err(c, n, "%s: missing field 'type' (Effective, Inheritable or Permitted)", what);
	}
	if (byname[8] && pc_bool(c, byname[8], "isNamespaceCapability", &fl->is_namespace_capability) &&
	    fl->is_namespace_capability)
		pc_unsup(c, pc_key(n, byname[8]), "isNamespaceCapability: veto matches the capabilities a "
			 "process holds, whatever user namespace it is in; leave it out");
}

static bool parse_rate(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return false;
	if (*end == 's')
		end++;
	else if (*end == 'm')
		mul = 60, end++;
	else if (*end == 'h')
		mul = 3600, end++;
	if (*end || v == 0 || v > UINT64_MAX / mul)
		return false;
	*out = v * mul;
	return true;
}

#define NO_STACKS "veto's events carry no stack traces"

/* A flag of an action veto refuses when true: reported at its key. */
static void refused_flag(struct pc *c, const struct ynode *map, const struct ynode *v, const char *what, bool *out,
			 const char *why)
{
	if (pc_bool(c, v, what, out) && *out) {
		char msg[160];
		snprintf(msg, sizeof(msg), "%s: %s", what, why);
		pc_unsup(c, pc_key(map, v), msg);
	}
}

static void parse_action(struct pc *c, const struct ynode *n, const char *what, struct pol_action *a)
{
	static const struct fspec f[] = {
		{ "action", NULL }, { "argError", NULL }, { "argSig", NULL }, { "rateLimit", NULL },
		{ "rateLimitScope", NULL }, { "kernelStackTrace", NULL }, { "userStackTrace", NULL },
		{ "imaHash", NULL }, { "argFd", NULL }, { "argName", NULL }, { "argUrl", NULL },
		{ "argFqdn", NULL }, { "argSock", NULL }, { "argIndex", NULL }, { "argValue", NULL },
	};
	const struct ynode *v[N(f)];
	int64_t x;

	a->pos = pc_pos(n);
	if (!pc_fields(c, n, what, f, N(f), v))
		return;
	if (!v[0]) {
		pc_err(c, n, "%s: missing field 'action'", what);
		return;
	}
	if (v[0]->type != Y_SCALAR || y_is_null(v[0]) || pol_action_from(v[0]->s, &a->kind)) {
		const char *cands[PA__COUNT], *s = NULL;
		for (int i = 0; i < PA__COUNT; i++)
			cands[i] = pol_action_name(i);
		if (v[0]->type == Y_SCALAR)
			s = pol_suggest(v[0]->s, cands, PA__COUNT);
		pc_err(c, v[0], "unknown action '%.64s'%s%s%s", v[0]->type == Y_SCALAR ? v[0]->s : "",
		       s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
		return;
	}
	a->unsupported = pol_action_unsupported(a->kind);
	if (a->unsupported) {
		char msg[512];
		snprintf(msg, sizeof(msg), "action %s: %s", pol_action_name(a->kind), a->unsupported);
		pc_unsup(c, v[0], msg);
		return; /* its arguments belong to what is refused */
	}
	if (v[1]) {
		a->arg_error_pos = pc_pos(pc_key(n, v[1]));
		if (pc_int(c, v[1], "argError", INT32_MIN, INT32_MAX, &x)) {
			a->has_arg_error = true;
			a->arg_error = (int32_t)x;
		}
	}
	if (v[2]) {
		a->arg_sig_pos = pc_pos(v[2]);
		if (pc_int(c, v[2], "argSig", 1, 64, &x)) {
			a->has_arg_sig = true;
			a->arg_sig = (int32_t)x;
		}
	}
	if (v[3]) {
		a->rate_limit_pos = pc_pos(v[3]);
		if (v[3]->type != Y_SCALAR || !parse_rate(v[3]->s, &a->rate_limit_sec))
			pc_err(c, v[3], "rateLimit must be a positive duration like 30, 30s, 5m or 1h");
	}
	if (v[4]) {
		if (v[4]->type == Y_SCALAR && !strcmp(v[4]->s, "thread"))
			a->rate_scope = PRS_THREAD;
		else if (v[4]->type == Y_SCALAR && !strcmp(v[4]->s, "process"))
			a->rate_scope = PRS_PROCESS;
		else if (v[4]->type == Y_SCALAR && !strcmp(v[4]->s, "global"))
			a->rate_scope = PRS_GLOBAL;
		else
			pc_err(c, v[4], "rateLimitScope must be thread, process or global");
	}
	if (v[5])
		refused_flag(c, n, v[5], "kernelStackTrace", &a->kernel_stack_trace, NO_STACKS);
	if (v[6])
		refused_flag(c, n, v[6], "userStackTrace", &a->user_stack_trace, NO_STACKS);
	if (v[7]) {
		bool ima = false;
		refused_flag(c, n, v[7], "imaHash", &ima, "IMA file hashes in events");
	}
	for (size_t i = 8; i < N(f); i++)
		if (v[i])
			pc_warn(c, v[i], "%s has no effect on action %s: it belongs to other actions", f[i].name,
				pol_action_name(a->kind));
}

static void parse_actions(struct pc *c, const struct ynode *n, const char *what, struct pol_action **out,
			  size_t *nout)
{
	uint32_t k;

	if (!pc_seq(c, n, what))
		return;
	k = y_seq_len(n);
	*out = pc_calloc(c, k, sizeof(**out));
	if (!*out)
		return;
	for (uint32_t i = 0; i < k; i++)
		parse_action(c, n->kids[i], what, &(*out)[i]);
	*nout = k;
}

static void parse_selector(struct pc *c, const struct ynode *n, struct pol_selector *s)
{
	/* the filters first, each field named as its kind (pol_filter_name) */
	enum { ACTIONS = PF__COUNT, RETURN_ACTIONS, DATA, NF };
	struct fspec f[NF] = {
		[ACTIONS] = { "matchActions", NULL },
		[RETURN_ACTIONS] = { "matchReturnActions", "veto acts once per call: put the actions in "
						  "matchActions; with return: true they run when the call returns" },
		[DATA] = { "matchData", "filters on data arguments" },
	};
	const struct ynode *v[NF];
	size_t total = 0;

	for (int k = 0; k < PF__COUNT; k++)
		f[k] = (struct fspec){ pol_filter_name(k), pol_filter_unsupported(k) };
	s->pos = pc_pos(n);
	if (y_is_null(n))
		return; /* an empty selector matches everything */
	if (!pc_fields(c, n, "selector", f, NF, v))
		return;
	for (int k = 0; k < PF__COUNT; k++)
		if (v[k] && pc_seq(c, v[k], f[k].name))
			total += y_seq_len(v[k]);
	s->filters = pc_calloc(c, total, sizeof(*s->filters));
	if (!s->filters)
		return;
	for (int k = 0; k < PF__COUNT; k++)
		for (uint32_t j = 0; j < y_seq_len(v[k]); j++)
			parse_filter(c, v[k]->kids[j], k, &s->filters[s->n_filters++]);
	if (v[ACTIONS]) {
		s->actions_pos = pc_pos(pc_key(n, v[ACTIONS]));
		parse_actions(c, v[ACTIONS], "matchActions", &s->actions, &s->n_actions);
	}
	if (v[RETURN_ACTIONS]) {
		s->return_actions_pos = pc_pos(pc_key(n, v[RETURN_ACTIONS]));
		parse_actions(c, v[RETURN_ACTIONS], "matchReturnActions", &s->return_actions,
			      &s->n_return_actions);
	}
}

void parse_selectors(struct pc *c, const struct ynode *n, struct pol_hook *h)
{
	uint32_t k;

	if (!pc_seq(c, n, "selectors"))
		return;
	k = y_seq_len(n);
	h->selectors = pc_calloc(c, k, sizeof(*h->selectors));
	if (!h->selectors)
		return;
	for (uint32_t i = 0; i < k; i++)
		parse_selector(c, n->kids[i], &h->selectors[i]);
	h->n_selectors = k;
}

