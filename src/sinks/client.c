#include "sinks/client.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/clock.h"

static struct client_sink *of(struct sink *s)
{
	return (struct client_sink *)((char *)s - offsetof(struct client_sink, s));
}

/* An event: what does not fit is counted; a client whose encoding failed
 * misses it silently (the export counts it). */
static void queue(struct sink *s, const struct jw *w)
{
	struct client_sink *c = of(s);

	if (w->oom)
		return;
	if (client_sink_queue(c, w->buf, w->len)) {
		s->st.dropped++;
		if (!c->behind_since)
			c->behind_since = mono_ns();
		return;
	}
	s->st.queued++;
}

static int flush(struct sink *s)
{
	return client_sink_flush(of(s));
}

static void close_sink(struct sink *s)
{
	client_sink_close(of(s));
}

static const struct sink_ops client_ops = { .queue = queue, .flush = flush, .close = close_sink };

void client_sink_init(struct client_sink *c, int fd)
{
	memset(c, 0, sizeof(*c));
	c->s.ops = &client_ops;
	c->fd = fd;
}

static int reserve(struct client_sink *c, size_t more)
{
	size_t cap = c->cap ? c->cap : 16384;
	char *b;

	if (c->len + more <= c->cap)
		return 0;
	while (cap < c->len + more)
		cap *= 2;
	b = realloc(c->buf, cap);
	if (!b)
		return -ENOMEM;
	c->buf = b;
	c->cap = cap;
	return 0;
}

static int append(struct client_sink *c, const char *line, size_t len)
{
	if (reserve(c, len + 1))
		return -ENOMEM;
	memcpy(c->buf + c->len, line, len);
	c->buf[c->len + len] = '\n';
	c->len += len + 1;
	return 0;
}

int client_sink_queue(struct client_sink *c, const char *line, size_t len)
{
	if (c->len + len + 1 > (c->max ? c->max : CLIENT_QUEUE_MAX)) {
		c->dropped++;
		return -ENOBUFS;
	}
	/* the client learns how many it missed once there is room again */
	if (c->dropped > c->dropped_reported) {
		char note[96];
		int n = snprintf(note, sizeof(note), "{\"veto_lost\":{\"count\":%llu,\"reason\":\"client too slow\"}}",
				 (unsigned long long)(c->dropped - c->dropped_reported));
		if (append(c, note, n))
			return -ENOMEM;
		c->dropped_reported = c->dropped;
	}
	if (append(c, line, len)) {
		c->dropped++;
		return -ENOMEM;
	}
	c->sent++;
	return 0;
}

int client_sink_flush(struct client_sink *c)
{
	size_t off = 0;
	int err = 0;

	while (off < c->len) {
		ssize_t n = send(c->fd, c->buf + off, c->len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = (errno == EAGAIN || errno == EWOULDBLOCK) ? -EAGAIN : -errno;
			break;
		}
		off += n;
	}
	memmove(c->buf, c->buf + off, c->len - off);
	c->len -= off;
	if (!c->len)
		c->behind_since = 0; /* caught up */
	if (!c->len && c->cap > CLIENT_QUEUE_KEEP) {
		/* a burst is over: its memory goes back */
		free(c->buf);
		c->buf = NULL;
		c->cap = 0;
	}
	return err ? err : (c->len ? -EAGAIN : 0);
}

void client_sink_close(struct client_sink *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	c->buf = NULL;
	c->fd = -1;
	c->len = c->cap = 0;
}
