/*
 * Inside the TracingPolicy walkers: the walk's context, the typed reads of
 * YAML nodes that report each problem at the node's line:col
 * (parse_read.c), and the selector walker (parse_selector.c).
 */
#ifndef VETO_POLICY_PARSE_H
#define VETO_POLICY_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"
#include "policy/yaml.h"

struct pc {
	const char *file;
	struct diag_list *d;
	struct pol_policy *p; /* the document being walked; NULL between documents */
	bool nomem;
};

/* An error at n (the whole file when NULL): the document is broken. */
void pc_err(struct pc *c, const struct ynode *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void pc_warn(struct pc *c, const struct ynode *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Recognised, but veto cannot enforce it: recorded in the AST, reported by check. */
void pc_unsup(struct pc *c, const struct ynode *n, const char *what);
struct pol_pos pc_pos(const struct ynode *n);
/* The key node of value v in mapping map (v itself when not found): errors about
 * a field point at its name. */
const struct ynode *pc_key(const struct ynode *map, const struct ynode *v);

struct fspec {
	const char *name;
	const char *unsupported; /* non-NULL: recognised, refused with this reason */
};

/*
 * Matches the keys of a mapping against the fields of `what`; out[i] gets the
 * value of fields[i] (NULL when absent). Unknown and duplicate keys are errors.
 */
bool pc_fields(struct pc *c, const struct ynode *map, const char *what, const struct fspec *f, size_t nf,
	       const struct ynode **out);
char *pc_strdup(struct pc *c, const char *s);
/* A name-like string (no NUL bytes inside). */
char *pc_str(struct pc *c, const struct ynode *n, const char *what);
bool pc_bool(struct pc *c, const struct ynode *n, const char *what, bool *out);
bool pc_int(struct pc *c, const struct ynode *n, const char *what, int64_t min, int64_t max, int64_t *out);
/* A list (null counts as empty). */
bool pc_seq(struct pc *c, const struct ynode *n, const char *what);
void *pc_calloc(struct pc *c, size_t n, size_t sz);
/* A list of scalars as raw values, for check to interpret. */
bool pc_values(struct pc *c, const struct ynode *n, const char *what, struct pol_value **out, size_t *nout);

/* parse_selector.c: a hook's selectors (filters and actions). */
void parse_selectors(struct pc *c, const struct ynode *n, struct pol_hook *h);

#endif
