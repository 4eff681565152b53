#include "sinks/fieldmask.h"

#include <stdlib.h>
#include <string.h>

#include "events/compact.h"

static void fm_queue(struct sink *s, const struct jw *w)
{
	struct fieldmask_sink *m = (struct fieldmask_sink *)s;
	static const struct compact_opts plain;
	char err[128], *line;
	struct jr ev;
	int rc = -1;

	jw_reset(&m->out);
	line = w->oom ? NULL : strndup(w->buf, w->len);
	if (line && !jr_parse(line, &ev)) {
		fields_apply(m->v, m->n, &ev);
		if (m->inner_format == FMT_COMPACT)
			rc = compact_render(&m->out, &ev, &plain, err, sizeof(err));
		else
			fields_write(&m->out, &ev), rc = 0;
		jr_free(&ev);
	}
	free(line);
	/* what could not be read back goes on as an encoding failure, counted there */
	m->out.oom |= rc != 0;
	m->inner->ops->queue(m->inner, &m->out);
	s->st.queued++;
}

static int fm_flush(struct sink *s)
{
	struct fieldmask_sink *m = (struct fieldmask_sink *)s;

	return m->inner->ops->flush(m->inner);
}

static void fm_close(struct sink *s)
{
	struct fieldmask_sink *m = (struct fieldmask_sink *)s;

	m->inner->ops->close(m->inner);
}

static const struct sink_ops fieldmask_ops = {
	.queue = fm_queue,
	.flush = fm_flush,
	.close = fm_close,
};

void fieldmask_sink_init(struct fieldmask_sink *m, struct sink *inner, const struct field_filter *v, size_t n)
{
	memset(m, 0, sizeof(*m));
	m->s.ops = &fieldmask_ops;
	m->s.filter = inner->filter;
	m->s.format = FMT_JSON;
	m->s.ancestors = inner->ancestors;
	m->s.veto_key = inner->veto_key;
	m->inner = inner;
	m->inner_format = inner->format;
	m->v = v;
	m->n = n;
	jw_init(&m->out);
}

void fieldmask_sink_fini(struct fieldmask_sink *m)
{
	jw_free(&m->out);
}
