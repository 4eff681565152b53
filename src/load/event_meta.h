/* load: what the event encoders need of a compiled policy, copied when the
 * policy is loaded (events/meta.h), so events never see compile/. */
#ifndef VETO_LOAD_EVENT_META_H
#define VETO_LOAD_EVENT_META_H

#include "compile/compile.h"
#include "events/meta.h"

/* Fills out from c; its strings point into c and c's policy. 0 or -ENOMEM
 * (out is then empty). */
int event_meta_fill(const struct compiled *c, struct ev_policy *out);
void event_meta_free(struct ev_policy *m);

#endif
