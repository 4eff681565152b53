#include "sinks/export.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "util/clock.h"
#include "util/log.h"

#define EXPORT_BATCH (256 * 1024) /* bytes of queued events written at once at most */

static struct export_sink *of(struct sink *s)
{
	return (struct export_sink *)((char *)s - offsetof(struct export_sink, s));
}

static void failed(struct export_sink *x, int err, uint64_t n)
{
	uint64_t now;

	if (!n)
		return;
	now = mono_ns();
	if (err == -ENOBUFS)
		x->s.st.dropped += n;
	else
		x->s.st.failed += n;
	/* once per reason and at most every 10 s, not per event: a nearly
	 * full disk takes small events and refuses big ones */
	if (err != x->last_err && (err != x->logged_err || now - x->logged_at >= 10000000000ull)) {
		logmsg("Error: export to %s failed: %s (events are counted as %s until it works again)", x->name,
		       err == -ENOBUFS ? "its reader does not keep up (its queue is full)" : strerror(-err),
		       err == -ENOBUFS ? "export_dropped" : "export_errors");
		x->logged_err = err;
		x->logged_at = now;
	}
	x->last_err = err;
}

static void written(struct export_sink *x, uint64_t n)
{
	if (!n)
		return;
	x->s.st.written += n;
	if (x->last_err) {
		if (x->logged_at && mono_ns() - x->logged_at >= 1000000000ull)
			logmsg("export to %s works again (%" PRIu64 " events not exported so far)", x->name,
			       x->s.st.failed + x->s.st.dropped);
		x->last_err = 0;
	}
}

/* Writes the events queued since the last call: once per round of the event
 * loop, so a drain of the ring costs one write, not one per event. */
int export_sink_flush(struct export_sink *x)
{
	struct file_sink_result r;

	if (!x->f.nlines)
		return 0;
	file_sink_flush(&x->f, &r);
	x->blocked = r.queued != 0;
	x->s.st.rotations = x->f.rotations;
	/* in the batch's order as far as it matters: its last state wins */
	if (r.last_ok) {
		failed(x, r.err, r.failed);
		written(x, r.written);
	} else {
		written(x, r.written);
		failed(x, r.err, r.failed);
	}
	return x->blocked ? -EAGAIN : 0;
}

static void queue(struct sink *s, const struct jw *w)
{
	struct export_sink *x = of(s);
	int err = w->oom ? -ENOMEM : file_sink_add(&x->f, w->buf, w->len);

	if (err) {
		failed(x, err, 1);
		return;
	}
	s->st.queued++;
	if (x->f.len >= EXPORT_BATCH && !x->blocked)
		export_sink_flush(x);
}

static int flush(struct sink *s)
{
	return export_sink_flush(of(s));
}

static void close_sink(struct sink *s)
{
	file_sink_close(&of(s)->f);
}

static const struct sink_ops export_ops = { .queue = queue, .flush = flush, .close = close_sink };

int export_sink_open(struct export_sink *x, const char *path, uint64_t max_size, int backups, enum ev_format fmt,
		     uint32_t ancestors)
{
	memset(x, 0, sizeof(*x));
	x->s.ops = &export_ops;
	x->s.format = fmt;
	x->s.ancestors = ancestors;
	x->name = path ? path : "stdout";
	return file_sink_open(&x->f, path, max_size, backups);
}

uint64_t export_sink_queued(const struct export_sink *x)
{
	return x->f.nlines;
}
