/* The registry's rows for the metrics (metrics_policies_fn). */
#ifndef VETO_AGENT_METRICS_POLICIES_H
#define VETO_AGENT_METRICS_POLICIES_H

#include "agent/metrics_text.h"

/* src: a struct registry. */
void metrics_registry_rows(void *src, metrics_row_fn row, void *ctx);

#endif
