#include "sinks/bus.h"

#include <errno.h>
#include <string.h>

void sink_bus_init(struct sink_bus *b, const struct enc_ctx *ctx)
{
	memset(b, 0, sizeof(*b));
	b->ctx = ctx;
	jw_init(&b->json);
	jw_init(&b->json_anc);
	jw_init(&b->compact);
}

void sink_bus_fini(struct sink_bus *b)
{
	jw_free(&b->json);
	jw_free(&b->json_anc);
	jw_free(&b->compact);
	b->n = 0;
}

int sink_bus_add(struct sink_bus *b, struct sink *s)
{
	if (b->n >= SINK_BUS_MAX)
		return -ENOSPC;
	b->v[b->n++] = s;
	return 0;
}

void sink_bus_remove(struct sink_bus *b, struct sink *s)
{
	for (size_t i = 0; i < b->n; i++) {
		if (b->v[i] != s)
			continue;
		memmove(&b->v[i], &b->v[i + 1], (b->n - i - 1) * sizeof(b->v[0]));
		b->n--;
		return;
	}
}

/* The event in a format, encoded at its first use. */
static const struct jw *encoded(struct sink_bus *b, const struct ev *e, enum ev_format fmt, bool anc)
{
	if (fmt == FMT_COMPACT) {
		if (!b->have_compact) {
			jw_reset(&b->compact);
			enc_compact(&b->compact, b->ctx, e);
			b->have_compact = true;
		}
		return &b->compact;
	}
	if (anc && e->kind == EV_PROCESS_EXEC) {
		if (!b->have_json_anc) {
			jw_reset(&b->json_anc);
			enc_json(&b->json_anc, b->ctx, e, true);
			b->have_json_anc = true;
		}
		return &b->json_anc;
	}
	if (!b->have_json) {
		jw_reset(&b->json);
		enc_json(&b->json, b->ctx, e, false);
		b->have_json = true;
	}
	return &b->json;
}

void sink_bus_emit(struct sink_bus *b, const struct ev *e)
{
	b->have_json = b->have_json_anc = b->have_compact = false;
	for (size_t i = 0; i < b->n; i++) {
		struct sink *s = b->v[i];
		if (s->filter && !filter_match(s->filter, e))
			continue;
		if (s->format == FMT_NONE) {
			s->ops->take(s, e);
			continue;
		}
		s->ops->queue(s, encoded(b, e, s->format, s->ancestors));
	}
}
