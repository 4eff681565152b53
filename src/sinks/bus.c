#include "sinks/bus.h"

#include <errno.h>
#include <string.h>

void sink_bus_init(struct sink_bus *b, const struct enc_ctx *ctx)
{
	memset(b, 0, sizeof(*b));
	b->ctx = ctx;
	for (int i = 0; i < 4; i++)
		jw_init(&b->json[i]);
	jw_init(&b->compact);
}

void sink_bus_fini(struct sink_bus *b)
{
	for (int i = 0; i < 4; i++)
		jw_free(&b->json[i]);
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

/* The event in a sink's format, encoded at its first use. */
static const struct jw *encoded(struct sink_bus *b, const struct ev *e, const struct sink *s)
{
	unsigned opts;

	if (s->format == FMT_COMPACT) {
		if (!b->have_compact) {
			jw_reset(&b->compact);
			enc_compact(&b->compact, b->ctx, e);
			b->have_compact = true;
		}
		return &b->compact;
	}
	/* the options that change this event's encoding */
	opts = (s->ancestors >> e->kind & 1 ? ENC_ANCESTORS : 0) | (s->veto_key && e->pol ? ENC_VETO : 0);
	if (!b->have_json[opts]) {
		jw_reset(&b->json[opts]);
		enc_json(&b->json[opts], b->ctx, e, opts);
		b->have_json[opts] = true;
	}
	return &b->json[opts];
}

void sink_bus_emit(struct sink_bus *b, const struct ev *e)
{
	memset(b->have_json, 0, sizeof(b->have_json));
	b->have_compact = false;
	for (size_t i = 0; i < b->n; i++) {
		struct sink *s = b->v[i];
		if (s->filter && !filter_match(s->filter, e))
			continue;
		if (s->format == FMT_NONE) {
			s->ops->take(s, e);
			continue;
		}
		s->ops->queue(s, encoded(b, e, s));
	}
}
