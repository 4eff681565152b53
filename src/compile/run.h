/* One compile run's state, and how the files of src/compile call each other:
 * compile.c runs the policy's hooks through arg_slots.c (where each argument
 * is), filters.c (selectors into dimensions and map entries) and then
 * prefixes.c (the entries finished); all report through diag.c. Calls go
 * one way, from compile.c down. Private to src/compile. */
#ifndef VETO_COMPILE_RUN_H
#define VETO_COMPILE_RUN_H

#include <errno.h>
#include <stdlib.h>

#include "compile/compile.h"

struct cc {
	const struct pol_policy *policy;
	const char *file;
	struct diag_list *d;
	const struct compile_env *env;
	struct compiled *out;
	int err;
};

/* diag.c: an error (the run fails) or a warning at pos */
void cerr(struct cc *c, struct pol_pos pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void cwarn(struct cc *c, struct pol_pos pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

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

/* arg_slots.c: a hook's arguments, what each is and how the kernel reads it */
bool setup_lsm(struct cc *c, struct c_hook *h, const struct pol_hook *ph, int id);
bool setup_slot(struct cc *c, struct c_hook *h, const struct pol_hook *ph, unsigned slot);
bool type_signed(enum pol_type t);

/* filters.c: selector sel's filters, into the hook's dimensions and map entries */
void compile_filters(struct cc *c, struct c_hook *h, unsigned sel, const struct pol_selector *ps);

/* prefixes.c: the map entries sorted, merged and closed over their prefixes */
void finish_entries(struct cc *c);

#endif
