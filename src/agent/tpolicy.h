/* The control socket's tracingpolicy requests, carried out on the
 * registry: each answered with one JSON object. */
#ifndef VETO_AGENT_TPOLICY_H
#define VETO_AGENT_TPOLICY_H

#include "agent/request.h"
#include "load/registry.h"
#include "util/json.h"

/* req: a tracingpolicy request; body: add's policy (req->body_len bytes). */
void tp_request(struct registry *r, const struct request *req, const char *body, struct jw *w);
/* Every policy, as list shows them: an array. */
void tp_list_json(const struct registry *r, struct jw *w);

#endif
