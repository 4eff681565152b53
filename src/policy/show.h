/* A checked policy as normalised TracingPolicy JSON: what 'veto policy
 * show' prints, typed values written back in their canonical form. */
#ifndef VETO_POLICY_SHOW_H
#define VETO_POLICY_SHOW_H

#include "policy/policy.h"

struct jw;

/* One policy as a JSON object. */
void pol_show_json(struct jw *w, const struct pol_policy *p);

#endif
