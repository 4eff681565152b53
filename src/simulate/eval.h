/* A compiled policy evaluated in userspace against recorded events, the
 * way bpf/engine_match.h evaluates it in the kernel: the same struct
 * veto_hook_cfg, the same map entries (LPM longest prefix, hashes,
 * thresholds), per-dimension hit masks ANDed, the lowest selector left
 * firing. What the events cannot tell leaves a selector undecided instead
 * of unmatched. */
#ifndef VETO_SIMULATE_EVAL_H
#define VETO_SIMULATE_EVAL_H

#include "compile/compile.h"
#include "simulate/event.h"

/* One dimension's string entries, by length: LPM lookups in userspace. */
struct sim_lpm {
	const struct c_str **v; /* sorted by (bytes, prefixlen) */
	size_t n;
	uint16_t lens[VETO_STR_MAX + 1]; /* distinct key lengths, longest first */
	unsigned n_lens;
};

struct sim_hook {
	const struct c_hook *h;
	struct sim_lpm lpm[VETO_DIM_MAX];
	uint64_t events; /* recorded events of this hook */
};

struct sim_policy {
	const char *file;
	struct compiled c;    /* c.src: the parsed policy, kept by the caller */
	struct sim_hook *hooks;
	size_t n_hooks;
};

/* The caller's follow ids (VS_FOLLOW), from the process tree the replay
 * rebuilds; known: every ancestor's binary was seen. */
struct sim_follow {
	uint64_t ids[2]; /* the process's, its parent's */
	bool known[2];
	const char *parent_binary; /* from the tree, for events without "parent" */
};

struct sim_verdict {
	int sel;          /* selector that fires, or -1 */
	bool undecided;   /* sel's filters could not all be evaluated */
	uint8_t dim;      /* undecided: the dimension */
	const char *why;  /* undecided: what the recording lacks */
};

/* Builds the lookups of a compiled policy; 0 or -ENOMEM. */
int sim_policy_index(struct sim_policy *p);
void sim_policy_free(struct sim_policy *p);
/* The hook of p an event belongs to, or NULL. */
struct sim_hook *sim_hook_of(struct sim_policy *p, const struct sim_event *e);
/* Evaluates e at hook sh. */
void sim_eval(const struct sim_policy *p, const struct sim_hook *sh, const struct sim_event *e,
	      const struct sim_follow *f, struct sim_verdict *v);
/* What a dimension filters, for people: "matchArgs index 0 (Prefix)". */
const char *sim_dim_name(const struct sim_hook *sh, unsigned d, char *buf, size_t n);
/* The parser's wants for these policies (SIM_WANT_*). */
unsigned sim_wants(const struct sim_policy *v, size_t n);

#endif
