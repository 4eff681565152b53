#include "agent/clients.h"

#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/log.h"

#define CLIENTS_QUEUE_TOTAL (16u << 20) /* all streaming clients' queues together */
#define CLIENT_IDLE_S 5    /* to send a whole request */
#define CLIENT_BEHIND_S 10 /* dropping events without ever catching up: disconnected */

/* every streaming client fits on the bus, beside the export */
_Static_assert(MAX_CLIENTS < SINK_BUS_MAX, "the bus holds every client");

#define STR_(x) #x
#define STR(x) STR_(x)

void clients_init(struct clients *cs, int epfd, uint64_t tag, struct sink_bus *bus, clients_status_fn status,
		  clients_policy_fn policy, void *ctx)
{
	memset(cs, 0, sizeof(*cs));
	cs->epfd = epfd;
	cs->tag = tag;
	cs->bus = bus;
	cs->status = status;
	cs->policy = policy;
	cs->ctx = ctx;
}

/* Streaming clients share CLIENTS_QUEUE_TOTAL: however many never read,
 * their queues together stay below it. */
static void set_shares(struct clients *cs)
{
	size_t n = 0, share;

	for (int i = 0; i < MAX_CLIENTS; i++)
		n += cs->v[i].used && cs->v[i].streaming;
	share = n ? CLIENTS_QUEUE_TOTAL / n : CLIENT_QUEUE_MAX;
	for (int i = 0; i < MAX_CLIENTS; i++)
		cs->v[i].out.max = share < CLIENT_QUEUE_MAX ? share : CLIENT_QUEUE_MAX;
}

static void drop_client(struct clients *cs, struct client *c, const char *why)
{
	if (!c->used)
		return;
	if (why)
		logmsg("client %u: %s", c->id, why);
	if (c->body) {
		cs->body_bytes -= c->req.body_len;
		free(c->body);
		c->body = NULL;
	}
	epoll_ctl(cs->epfd, EPOLL_CTL_DEL, c->out.fd, NULL);
	if (c->out.cap > CLIENT_QUEUE_KEEP)
		cs->trim = true;
	sink_bus_remove(cs->bus, &c->out.s);
	request_free(&c->req); /* its filter's regexes */
	cs->dropped_gone += c->out.s.st.dropped;
	c->out.s.ops->close(&c->out.s);
	c->used = false;
	if (c->streaming)
		set_shares(cs);
}

static void want_write(struct clients *cs, struct client *c, bool on)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | (on ? EPOLLOUT : 0),
				  .data.u64 = cs->tag + (c - cs->v) };

	epoll_ctl(cs->epfd, EPOLL_CTL_MOD, c->out.fd, &ev);
}

static void flush_client(struct clients *cs, struct client *c)
{
	int err = c->out.s.ops->flush(&c->out.s);
	char why[96];

	if (err == -EAGAIN) {
		want_write(cs, c, true);
	} else if (err) {
		snprintf(why, sizeof(why), "disconnected (%s)", strerror(-err));
		drop_client(cs, c, why);
	} else {
		want_write(cs, c, false);
	}
}

/* One line, then the connection closes. */
static void reply_last(struct clients *cs, struct client *c, const struct jw *w)
{
	if (!w->oom)
		client_sink_queue(&c->out, w->buf, w->len);
	client_sink_flush(&c->out);
	drop_client(cs, c, NULL);
}

static void reply_error(struct clients *cs, struct client *c, const char *msg)
{
	struct jw w;

	jw_init(&w);
	jw_obj_open(&w);
	jw_kstr(&w, "error", msg);
	jw_obj_close(&w);
	reply_last(cs, c, &w);
	jw_free(&w);
}

/* A tracingpolicy request, its body complete. */
static void on_policy(struct clients *cs, struct client *c)
{
	struct jw w;

	jw_init(&w);
	cs->policy(cs->ctx, &c->req, c->body, &w);
	reply_last(cs, c, &w);
	jw_free(&w);
}

/* Stores what arrived of add's body: in the first read after the request
 * line (from, n), or later ones. Complete: carried out. */
static void take_body(struct clients *cs, struct client *c, const char *from, size_t n)
{
	if (n > c->req.body_len - c->body_got) {
		reply_error(cs, c, "more bytes than the request's length");
		return;
	}
	memcpy(c->body + c->body_got, from, n);
	c->body_got += n;
	if (c->body_got == c->req.body_len)
		on_policy(cs, c);
}

static void on_request(struct clients *cs, struct client *c, const char *line, size_t rest)
{
	char why[256];
	struct jw w;

	if (request_parse(line, &c->req, why, sizeof(why))) {
		logmsg("client %u: bad request: %s", c->id, why);
		reply_error(cs, c, why);
		return;
	}
	if (c->req.op == REQ_TP_ADD) {
		/* bounded in all: clients that send slowly cannot fill the memory */
		if (cs->body_bytes + c->req.body_len > CLIENTS_BODY_TOTAL) {
			reply_error(cs, c, "busy: other policies are being received, try again");
			return;
		}
		c->body = malloc(c->req.body_len + 1);
		if (!c->body) {
			reply_error(cs, c, "out of memory");
			return;
		}
		cs->body_bytes += c->req.body_len;
		c->body[c->req.body_len] = '\0';
		take_body(cs, c, line + strlen(line) + 1, rest);
		return;
	}
	if (request_verb(c->req.op)) {
		if (rest) {
			reply_error(cs, c, "bytes after the request line: only 'add' has a body");
			return;
		}
		on_policy(cs, c);
		return;
	}
	jw_init(&w);
	if (c->req.op == REQ_STATUS) {
		cs->status(cs->ctx, &w);
		client_sink_queue(&c->out, w.buf, w.len);
		jw_free(&w);
		client_sink_flush(&c->out);
		drop_client(cs, c, NULL);
		return;
	}
	jw_obj_open(&w);
	jw_kbool(&w, "ok", true);
	jw_kstr(&w, "request", "getevents");
	jw_obj_close(&w);
	client_sink_queue(&c->out, w.buf, w.len);
	jw_free(&w);
	c->out.s.filter = &c->req.filter;
	c->out.s.format = c->req.format;
	/* the agent's --enable-ancestors, and exec and exit with ancestors=1 */
	c->out.s.ancestors = cs->bus->ctx->ancestors | (c->req.ancestors ? ENC_ANC_BASE : 0);
	c->out.s.veto_key = true; /* getevents always gets what enforcement did */
	sink_bus_add(cs->bus, &c->out.s);
	c->streaming = true;
	set_shares(cs);
	logmsg("client %u: streaming events (%s)", c->id, line);
	flush_client(cs, c);
}

static void on_input(struct clients *cs, struct client *c)
{
	char junk[REQ_MAX_LINE];
	ssize_t n;
	char *nl;

	/* after its request a client has nothing to say: read and ignore, a
	 * bounded amount per round */
	if (c->streaming)
		n = recv(c->out.fd, junk, sizeof(junk), MSG_DONTWAIT);
	else if (c->body)
		n = recv(c->out.fd, c->body + c->body_got, c->req.body_len - c->body_got + 1, MSG_DONTWAIT);
	else
		n = recv(c->out.fd, c->in + c->inlen, sizeof(c->in) - 1 - c->inlen, MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		drop_client(cs, c, c->streaming ? "disconnected" : "closed before a request");
		return;
	}
	if (n < 0 || c->streaming)
		return;
	if (c->body) {
		/* one byte more than it misses: a longer body is an error */
		c->body_got += (size_t)n;
		if (c->body_got > c->req.body_len)
			reply_error(cs, c, "more bytes than the request's length");
		else if (c->body_got == c->req.body_len)
			on_policy(cs, c);
		return;
	}
	c->inlen += n;
	c->in[c->inlen] = '\0';
	nl = memchr(c->in, '\n', c->inlen);
	if (!nl) {
		if (c->inlen >= sizeof(c->in) - 1) {
			logmsg("client %u: bad request: longer than %zu bytes", c->id, sizeof(c->in) - 1);
			reply_error(cs, c, "request too long (no newline in 4095 bytes)");
		}
		return;
	}
	*nl = '\0';
	on_request(cs, c, c->in, c->inlen - (size_t)(nl + 1 - c->in));
}

void clients_accept(struct clients *cs, int lfd)
{
	struct ucred cred = { .uid = (uid_t)-1 };
	socklen_t len = sizeof(cred);
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	struct client *c = NULL;
	bool free_slot;

	if (fd < 0)
		return;
	for (int i = 0; i < MAX_CLIENTS && !c; i++)
		if (!cs->v[i].used)
			c = &cs->v[i];
	free_slot = c != NULL;
	/* full: the oldest client still without a request makes room, so idle
	 * connections cannot lock the others out */
	for (int i = 0; i < MAX_CLIENTS && !free_slot; i++) {
		struct client *o = &cs->v[i];
		if (!o->streaming && (!c || o->since < c->since))
			c = o;
	}
	if (c && !free_slot)
		drop_client(cs, c, "no request yet and every slot is taken: closed for a new client");
	if (!c) {
		static const char busy[] = "{\"error\":\"too many clients\"}\n";
		if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		}
		close(fd);
		return;
	}
	memset(c, 0, sizeof(*c));
	c->used = true;
	c->id = ++cs->next_id;
	c->since = mono_ns();
	client_sink_init(&c->out, fd);
	/* the socket is root-only (0600); check the peer anyway */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || cred.uid != 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = cs->tag + (c - cs->v) };
		epoll_ctl(cs->epfd, EPOLL_CTL_ADD, fd, &ev);
		cs->refused++;
		logmsg("client %u: refused: uid %u is not root", c->id, (unsigned)cred.uid);
		reply_error(cs, c, "permission denied: the control socket is for root only");
		return;
	}
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.u64 = cs->tag + (c - cs->v) };
	if (epoll_ctl(cs->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		client_sink_close(&c->out);
		c->used = false;
	}
}

void clients_ready(struct clients *cs, unsigned slot, uint32_t events)
{
	struct client *c;

	if (slot >= MAX_CLIENTS || !(c = &cs->v[slot])->used)
		return;
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		on_input(cs, c);
	if (c->used && (events & EPOLLOUT))
		flush_client(cs, c);
}

void clients_flush(struct clients *cs)
{
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (cs->v[i].used && cs->v[i].out.len)
			flush_client(cs, &cs->v[i]);
}

void clients_check(struct clients *cs)
{
	uint64_t now = mono_ns();
	char why[96];

	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &cs->v[i];
		if (!c->used)
			continue;
		if (!c->streaming && now - c->since >= CLIENT_IDLE_S * 1000000000ull) {
			cs->timed_out++;
			drop_client(cs, c, "no request within " STR(CLIENT_IDLE_S) " s: closed");
		} else if (c->out.behind_since && now - c->out.behind_since >= CLIENT_BEHIND_S * 1000000000ull) {
			cs->too_slow++;
			snprintf(why, sizeof(why), "too slow: %" PRIu64 " events dropped in " STR(CLIENT_BEHIND_S)
				 " s without catching up: disconnected", c->out.dropped);
			drop_client(cs, c, why);
		}
	}
	if (cs->trim) {
		malloc_trim(0);
		cs->trim = false;
	}
}

void clients_close(struct clients *cs)
{
	for (int i = 0; i < MAX_CLIENTS; i++) {
		if (!cs->v[i].used)
			continue;
		if (cs->v[i].out.len)
			client_sink_flush(&cs->v[i].out);
		drop_client(cs, &cs->v[i], NULL);
	}
}

unsigned clients_count(const struct clients *cs)
{
	unsigned n = 0;

	for (int i = 0; i < MAX_CLIENTS; i++)
		n += cs->v[i].used;
	return n;
}

uint64_t clients_dropped(const struct clients *cs)
{
	uint64_t n = cs->dropped_gone;

	for (int i = 0; i < MAX_CLIENTS; i++)
		if (cs->v[i].used)
			n += cs->v[i].out.s.st.dropped;
	return n;
}
