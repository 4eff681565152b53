#include "sinks/store.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store.h"
#include "util/clock.h"
#include "util/log.h"

#define BATCH_LINES 4096          /* lines a transaction at most */
#define BATCH_WAIT_MS 100         /* a line waits this long at most before its batch */
#define FULL_RETRY_MS 1000        /* a full disk: the batch is tried again this often */
#define RETAIN_EVERY_NS 1000000000ull
#define RETAIN_CHUNK 5000         /* rows retention deletes a step at most */
#define LOG_EVERY_NS 10000000000ull

static struct store_sink *of(struct sink *s)
{
	return (struct store_sink *)((char *)s - offsetof(struct store_sink, s));
}

static void queue(struct sink *s, const struct jw *w)
{
	struct store_sink *x = of(s);
	size_t need = sizeof(uint32_t) + w->len;
	uint32_t n = (uint32_t)w->len;

	pthread_mutex_lock(&x->mu);
	if (w->oom) {
		x->stats.st.failed++;
		goto out;
	}
	if (x->in.len + need > x->o.queue_bytes) {
		x->stats.st.dropped++;
		goto out;
	}
	if (x->in.len + need > x->in.cap) {
		size_t cap = x->in.cap ? x->in.cap : 1 << 20;
		char *p;

		while (cap < x->in.len + need)
			cap *= 2;
		if (cap > x->o.queue_bytes)
			cap = x->o.queue_bytes;
		if (!(p = realloc(x->in.p, cap))) {
			x->stats.st.dropped++;
			goto out;
		}
		x->in.p = p;
		x->in.cap = cap;
	}
	memcpy(x->in.p + x->in.len, &n, sizeof(n));
	memcpy(x->in.p + x->in.len + sizeof(n), w->buf, w->len);
	x->in.len += need;
	x->in.lines++;
	x->stats.st.queued++;
	/* a storm: wake the writer before its timer */
	if (x->in.len >= x->o.queue_bytes / 8 && x->in.len - need < x->o.queue_bytes / 8)
		pthread_cond_signal(&x->cv);
out:
	pthread_mutex_unlock(&x->mu);
}

static int flush(struct sink *s)
{
	return 0; /* the writer takes the queue on its own */
}

static void close_sink(struct sink *s)
{
	store_sink_close(of(s));
}

static const struct sink_ops store_ops = { .queue = queue, .flush = flush, .close = close_sink };

static void counted(struct store_sink *x, uint64_t written, uint64_t failed)
{
	pthread_mutex_lock(&x->mu);
	x->stats.st.written += written;
	x->stats.st.failed += failed;
	pthread_mutex_unlock(&x->mu);
}

/* Once per reason and at most every 10 s, not per line or batch. */
static void log_err(struct store_sink *x, int err, const char *what, const char *why)
{
	uint64_t now = mono_ns();

	if (err == x->last_err && now - x->logged_at < LOG_EVERY_NS)
		return;
	logmsg("Error: store %s: %s: %s", x->o.path, what, why);
	x->last_err = err;
	x->logged_at = now;
}

/* Waits up to ms on the condition; true when the agent asks to stop. */
static bool wait_ms(struct store_sink *x, unsigned ms, bool unless_queued)
{
	struct timespec ts;
	bool stop;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	ts.tv_sec += ms / 1000 + ts.tv_nsec / 1000000000;
	ts.tv_nsec %= 1000000000;
	pthread_mutex_lock(&x->mu);
	if (!x->stop && !(unless_queued && x->in.len))
		pthread_cond_timedwait(&x->cv, &x->mu, &ts);
	stop = x->stop;
	pthread_mutex_unlock(&x->mu);
	return stop;
}

static void set_paused(struct store_sink *x, bool paused)
{
	pthread_mutex_lock(&x->mu);
	if (paused && !x->stats.paused)
		x->stats.full_pauses++;
	x->stats.paused = paused;
	pthread_mutex_unlock(&x->mu);
}

/* Writes the taken lines, BATCH_LINES a transaction. A full disk keeps the
 * batch and tries it again every FULL_RETRY_MS until it fits (or the agent
 * stops: then the rest is counted failed). */
static void write_out(struct store_sink *x)
{
	struct store_buf *b = &x->out;
	size_t off = 0, left = b->lines;
	char err[256];

	while (off < b->len) {
		size_t end = off, n = 0, bad = 0;
		int rc = store_begin(x->db);

		while (!rc && end < b->len && n < BATCH_LINES) {
			uint32_t len;

			memcpy(&len, b->p + end, sizeof(len));
			rc = store_put_json(x->db, b->p + end + sizeof(len), len, err, sizeof(err));
			if (rc == -EINVAL) {
				log_err(x, rc, "an event refused", err);
				bad++;
				rc = 0;
			}
			end += sizeof(len) + len;
			n++;
		}
		if (!rc)
			rc = store_commit(x->db);
		else
			store_rollback(x->db);
		if (!rc) {
			if (x->stats.paused) {
				logmsg("store %s: writes resumed", x->o.path);
				set_paused(x, false);
				x->last_err = 0;
			}
			counted(x, n - bad, bad);
			left -= n;
			off = end;
			continue;
		}
		if (rc == -ENOSPC) {
			if (!x->stats.paused) {
				logmsg("Error: store %s: the disk is full: writes paused, the batch is kept and tried "
				       "again every %d ms (events past the queue are counted as dropped)",
				       x->o.path, FULL_RETRY_MS);
				set_paused(x, true);
			}
			if (!wait_ms(x, FULL_RETRY_MS, false))
				continue;
			counted(x, 0, left); /* stopping on a full disk: what is left is lost */
			break;
		}
		log_err(x, rc, "a batch lost", strerror(-rc));
		counted(x, 0, n);
		left -= n;
		off = end;
	}
	b->len = b->lines = 0;
}

static int64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One retention step when it is due; true when there is more to delete. */
static bool retain(struct store_sink *x)
{
	struct store_retained r = { 0 };
	uint64_t now = mono_ns();
	int64_t min_time = 0;
	int rc;

	/* by size: after every round of batches, the file must not overshoot;
	 * by age alone: once a second is enough */
	if ((!x->o.max_age_ns && !x->o.max_bytes) || (!x->o.max_bytes && now < x->retain_at))
		return false;
	if (x->o.max_age_ns)
		min_time = real_ns() - (int64_t)x->o.max_age_ns;
	rc = store_retain(x->db, min_time > 0 ? min_time : 0, x->o.max_bytes, RETAIN_CHUNK, &r);
	if (rc < 0)
		log_err(x, rc, "retention", strerror(-rc));
	pthread_mutex_lock(&x->mu);
	x->stats.retention_events += r.events;
	x->stats.retention_processes += r.processes;
	pthread_mutex_unlock(&x->mu);
	x->retain_at = rc == 1 ? now : now + RETAIN_EVERY_NS;
	return rc == 1;
}

static void *writer(void *arg)
{
	struct store_sink *x = arg;
	uint64_t dropped_logged = 0, dropped_at = 0;

	for (;;) {
		struct store_buf t;
		uint64_t file, used, dropped;
		bool stop, more;

		pthread_mutex_lock(&x->mu);
		stop = x->stop;
		t = x->in, x->in = x->out, x->out = t;
		x->stats.queue_bytes = x->out.len; /* the writer's now */
		dropped = x->stats.st.dropped;
		pthread_mutex_unlock(&x->mu);
		if (x->out.len)
			write_out(x);
		more = retain(x);
		if (store_size(x->db, &file, &used))
			file = x->stats.file_bytes;
		pthread_mutex_lock(&x->mu);
		x->stats.queue_bytes = 0;
		x->stats.file_bytes = file;
		pthread_mutex_unlock(&x->mu);
		if (dropped > dropped_logged && mono_ns() - dropped_at >= LOG_EVERY_NS) {
			logmsg("Warning: store %s: %" PRIu64 " events dropped (its queue is full: the store does not "
			       "keep up); total %" PRIu64, x->o.path, dropped - dropped_logged, dropped);
			dropped_logged = dropped;
			dropped_at = mono_ns();
		}
		if (stop) {
			pthread_mutex_lock(&x->mu);
			stop = !x->in.len;
			pthread_mutex_unlock(&x->mu);
			if (stop)
				break;
			continue;
		}
		if (!more)
			wait_ms(x, BATCH_WAIT_MS, true);
	}
	return NULL;
}

int store_sink_open(struct store_sink *x, const struct store_sink_opts *o, char *err, size_t errlen)
{
	int rc;

	memset(x, 0, sizeof(*x));
	x->s.ops = &store_ops;
	x->s.format = FMT_JSON;
	x->s.veto_key = true; /* the store keeps what enforcement did */
	x->o = *o;
	if (!x->o.queue_bytes)
		x->o.queue_bytes = STORE_QUEUE_DEFAULT;
	rc = store_open(&x->db, o->path, false, err, errlen);
	if (rc)
		return rc;
	pthread_mutex_init(&x->mu, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&x->cv, &ca);
		pthread_condattr_destroy(&ca);
	}
	return 0;
}

int store_sink_start(struct store_sink *x)
{
	int rc = pthread_create(&x->thread, NULL, writer, x);

	if (rc)
		return -rc;
	x->started = true;
	return 0;
}

void store_sink_close(struct store_sink *x)
{
	if (!x->db)
		return;
	if (x->started) {
		pthread_mutex_lock(&x->mu);
		x->stop = true;
		pthread_cond_signal(&x->cv);
		pthread_mutex_unlock(&x->mu);
		pthread_join(x->thread, NULL);
		x->started = false;
		logmsg("store %s: %" PRIu64 " events written, %" PRIu64 " dropped (queue full), %" PRIu64
		       " failed; retention deleted %" PRIu64 " events", x->o.path, x->stats.st.written,
		       x->stats.st.dropped, x->stats.st.failed, x->stats.retention_events);
	}
	store_close(x->db);
	x->db = NULL;
	free(x->in.p);
	free(x->out.p);
	memset(&x->in, 0, sizeof(x->in));
	memset(&x->out, 0, sizeof(x->out));
	pthread_mutex_destroy(&x->mu);
	pthread_cond_destroy(&x->cv);
}

void store_sink_stats(struct store_sink *x, struct store_sink_stats *out)
{
	pthread_mutex_lock(&x->mu);
	*out = x->stats;
	out->queue_bytes += x->in.len; /* waiting, and taken by the writer */
	pthread_mutex_unlock(&x->mu);
}
