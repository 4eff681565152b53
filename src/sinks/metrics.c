#include "sinks/metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct metrics_sink *of(struct sink *s)
{
	return (struct metrics_sink *)((char *)s - offsetof(struct metrics_sink, s));
}

static void take(struct sink *s, const struct ev *e)
{
	metrics_sink_count(of(s), e);
}

static int flush(struct sink *s)
{
	return 0;
}

static void close_sink(struct sink *s)
{
	metrics_sink_fini(of(s));
}

static const struct sink_ops metrics_ops = { .take = take, .flush = flush, .close = close_sink };

void metrics_sink_init(struct metrics_sink *m)
{
	memset(m, 0, sizeof(*m));
	m->s.ops = &metrics_ops;
	m->s.format = FMT_NONE;
}

void metrics_sink_fini(struct metrics_sink *m)
{
	for (size_t i = 0; i < METRICS_POLICY_ROWS; i++) {
		free(m->rows[i].policy);
		free(m->rows[i].hook);
		m->rows[i].policy = m->rows[i].hook = NULL;
	}
	m->n_rows = 0;
}

const char *metrics_type_name(enum ev_kind k)
{
	static const char *const names[EV__COUNT] = {
		[EV_PROCESS_EXEC] = "PROCESS_EXEC",	      [EV_PROCESS_EXIT] = "PROCESS_EXIT",
		[EV_PROCESS_KPROBE] = "PROCESS_KPROBE",	      [EV_PROCESS_LSM] = "PROCESS_LSM",
		[EV_PROCESS_TRACEPOINT] = "PROCESS_TRACEPOINT",
	};

	return (unsigned)k < EV__COUNT ? names[k] : NULL;
}

static uint64_t hash(const char *a, const char *b, const char *c)
{
	const char *v[3] = { a, b, c };
	uint64_t h = 1469598103934665603ull;

	for (int i = 0; i < 3; i++) {
		for (const char *p = v[i]; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ull;
		h = (h ^ 0xff) * 1099511628211ull; /* "ab"+"c" is not "a"+"bc" */
	}
	return h;
}

/* The row of a label set: found, or added while the table has room (kept
 * under 3/4 full so that a probe ends); NULL when it has none. */
static struct metrics_policy_count *row(struct metrics_sink *m, const char *policy, const char *hook,
					const char *action)
{
	size_t i = hash(policy, hook, action) % METRICS_POLICY_ROWS;

	for (;; i = (i + 1) % METRICS_POLICY_ROWS) {
		struct metrics_policy_count *r = &m->rows[i];

		if (!r->policy)
			break;
		if (r->action == action && !strcmp(r->policy, policy) && !strcmp(r->hook, hook))
			return r;
	}
	if (m->n_rows >= METRICS_POLICY_ROWS / 4 * 3)
		return NULL;
	m->rows[i].policy = strdup(policy);
	m->rows[i].hook = strdup(hook);
	if (!m->rows[i].policy || !m->rows[i].hook) {
		free(m->rows[i].policy);
		free(m->rows[i].hook);
		m->rows[i].policy = m->rows[i].hook = NULL;
		return NULL;
	}
	m->rows[i].action = action;
	m->rows[i].n = 0;
	m->n_rows++;
	return &m->rows[i];
}

/* A tracepoint is named subsys/event, a hook or kprobe by its function. */
static const char *hook_name(const struct ev *e, char *buf, size_t len)
{
	if (e->kind != EV_PROCESS_TRACEPOINT)
		return ev_function_name(e);
	snprintf(buf, len, "%s/%s", e->hook->subsys ? e->hook->subsys : "",
		 e->hook->event ? e->hook->event : "");
	return buf;
}

void metrics_sink_count(struct metrics_sink *m, const struct ev *e)
{
	struct metrics_policy_count *r;
	char buf[256];

	if ((unsigned)e->kind >= EV__COUNT)
		return;
	m->by_type[e->kind]++;
	m->s.st.queued++;
	if (!e->pol || !e->hook || !e->policy)
		return;
	r = row(m, ev_policy_name(e), hook_name(e, buf, sizeof(buf)), ev_action_name(e->pol->action));
	if (r)
		r->n++;
	else
		m->overflow++;
}
