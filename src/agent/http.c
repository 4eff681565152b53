#include "agent/http.h"

#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/prom.h"

#define ACCEPT_MAX 32 /* connections taken per wake-up: the loop has other work */

/* host: an IPv4 or IPv6 address, "localhost", or "" (every interface). */
static int host_addr(const char *host, bool v6, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (!v6 && (!*host || !strcmp(host, "localhost") || inet_pton(AF_INET, host, &in->sin_addr) == 1)) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		if (!*host)
			in->sin_addr.s_addr = htonl(INADDR_ANY);
		else if (!strcmp(host, "localhost"))
			in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*len = sizeof(*in);
		return 0;
	}
	if (v6 && inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
		return 0;
	}
	return -EINVAL;
}

int http_parse_address(const char *s, struct sockaddr_storage *ss, socklen_t *len, char *err, size_t errlen)
{
	const char *colon, *port, *h = s;
	char host[64], *end;
	bool v6 = s[0] == '[';
	size_t hlen;
	long pn;

	if (v6) {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':') {
			snprintf(err, errlen, "'%s': expected [IPV6]:PORT", s);
			return -EINVAL;
		}
		h = s + 1;
		hlen = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || memchr(s, ':', (size_t)(colon - s))) {
			snprintf(err, errlen, "'%s': expected HOST:PORT, [IPV6]:PORT or :PORT", s);
			return -EINVAL;
		}
		hlen = (size_t)(colon - s);
	}
	port = colon + 1;
	errno = 0;
	pn = strtol(port, &end, 10);
	if (!*port || *end || errno || pn < 1 || pn > 65535 || port[0] == '+' || port[0] == '-') {
		snprintf(err, errlen, "'%s': the port must be a number from 1 to 65535", s);
		return -EINVAL;
	}
	if (hlen < sizeof(host)) {
		memcpy(host, h, hlen);
		host[hlen] = '\0';
	}
	if (hlen >= sizeof(host) || host_addr(host, v6, (uint16_t)pn, ss, len)) {
		snprintf(err, errlen, "'%s': the host must be an IP address or localhost (no name is looked up)", s);
		return -EINVAL;
	}
	return 0;
}

void http_init(struct http_server *h)
{
	memset(h, 0, sizeof(*h));
	h->lfd = h->epfd = -1;
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++)
		h->c[i].fd = -1;
}

int http_open(struct http_server *h, const char *addr, int epfd, uint64_t tag, http_body_fn body, void *ctx,
	      char *err, size_t errlen)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, r;

	http_init(h);
	r = http_parse_address(addr, &ss, &len, err, errlen);
	if (r)
		return r;
	h->lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->lfd < 0 || setsockopt(h->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(h->lfd, (struct sockaddr *)&ss, len) || listen(h->lfd, 64) ||
	    epoll_ctl(epfd, EPOLL_CTL_ADD, h->lfd, &ev)) {
		r = -errno;
		snprintf(err, errlen, "listening on %s: %s", addr, strerror(-r));
		http_close(h);
		return r;
	}
	h->epfd = epfd;
	h->tag = tag;
	h->body = body;
	h->ctx = ctx;
	return 0;
}

static void conn_close(struct http_server *h, struct http_conn *c)
{
	if (c->fd < 0)
		return;
	close(c->fd); /* also leaves the epoll set */
	c->fd = -1;
	jw_free(&c->out);
}

/* A free slot; when none, a connection gives its place: the oldest whose
 * answer is all written (the kernel delivers it), else the oldest still
 * sending its request, so that clients that send slowly or never read
 * cannot keep others out. NULL when every slot is writing an answer. */
static struct http_conn *slot(struct http_server *h)
{
	struct http_conn *done = NULL, *reading = NULL;

	for (size_t i = 0; i < HTTP_MAX_CONNS; i++) {
		struct http_conn *c = &h->c[i];
		if (c->fd < 0)
			return c;
		if (c->done && (!done || c->since < done->since))
			done = c;
		if (!c->answering && (!reading || c->since < reading->since))
			reading = c;
	}
	if (!done)
		done = reading;
	if (done) {
		conn_close(h, done);
		h->evicted++;
	}
	return done;
}

static void accept_some(struct http_server *h)
{
	for (int n = 0; n < ACCEPT_MAX; n++) {
		int fd = accept4(h->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct http_conn *c;
		struct epoll_event ev = { .events = EPOLLIN };

		if (fd < 0)
			return; /* EAGAIN, or the client gave up: nothing to do */
		c = slot(h);
		ev.data.u64 = h->tag + 1 + (uint64_t)(c ? c - h->c : 0);
		if (!c || epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			h->refused++;
			close(fd);
			continue;
		}
		c->fd = fd;
		c->since = mono_ns();
		c->answering = c->done = false;
		c->inlen = c->off = 0;
		jw_init(&c->out);
	}
}

static void reply(struct jw *out, const char *status, const char *extra, const char *body)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %s\r\nContent-Type: text/plain; charset=utf-8\r\n%sContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n",
			 status, extra, strlen(body));

	jw_raw(out, head, (size_t)n);
	jw_raw(out, body, strlen(body));
}

void http_answer(const char *req, size_t len, struct jw *out, http_body_fn body, void *ctx)
{
	const char *sp1 = memchr(req, ' ', len), *sp2, *eol = memchr(req, '\n', len);
	size_t mlen, plen, start;
	bool get, head;
	char hdr[160];
	struct jw b;

	if (!eol || !sp1 || sp1 > eol || !(sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1))) ||
	    (size_t)(eol - sp2) < 9 || memcmp(sp2 + 1, "HTTP/1.", 7)) {
		reply(out, "400 Bad Request", "", "bad request\n");
		return;
	}
	mlen = (size_t)(sp1 - req);
	get = mlen == 3 && !memcmp(req, "GET", 3);
	head = mlen == 4 && !memcmp(req, "HEAD", 4);
	plen = (size_t)(sp2 - sp1 - 1);
	for (size_t i = 0; i < plen; i++)
		if (sp1[1 + i] == '?') /* a query string changes nothing */
			plen = i;
	if (plen != 8 || memcmp(sp1 + 1, "/metrics", 8)) {
		reply(out, "404 Not Found", "", "not found: veto serves /metrics\n");
		return;
	}
	if (!get && !head) {
		reply(out, "405 Method Not Allowed", "Allow: GET, HEAD\r\n", "method not allowed\n");
		return;
	}
	jw_init(&b);
	body(ctx, &b);
	if (b.oom) {
		jw_free(&b);
		reply(out, "503 Service Unavailable", "", "out of memory\n");
		return;
	}
	snprintf(hdr, sizeof(hdr), "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
		 PROM_CONTENT_TYPE, b.len);
	start = out->len;
	jw_raw(out, hdr, strlen(hdr));
	if (get && b.len)
		jw_raw(out, b.buf, b.len);
	if (out->oom) { /* nothing half-written: a short answer instead */
		out->len = start;
		out->oom = false;
	}
	jw_free(&b);
}

static void recent_body(void *ctx, struct jw *w)
{
	struct http_server *h = ctx;
	uint64_t now = mono_ns();

	if (!h->last_at || now - h->last_at >= HTTP_FRESH_MS * 1000000ull || h->last.oom) {
		jw_reset(&h->last);
		h->body(h->ctx, &h->last);
		h->last_at = now;
		h->bodies++;
	}
	if (h->last.oom)
		w->oom = true;
	else if (h->last.len)
		jw_raw(w, h->last.buf, h->last.len);
}

/* The end of the headers: a blank line. */
static bool complete(const struct http_conn *c)
{
	for (size_t i = 0; i + 1 < c->inlen; i++) {
		if (c->in[i] == '\n' && c->in[i + 1] == '\n')
			return true;
		if (i + 3 < c->inlen && !memcmp(c->in + i, "\r\n\r\n", 4))
			return true;
	}
	return false;
}

/* Writes what it can; once all is out, the write side closes and the
 * connection reads until the client closes (closing at once with unread
 * input would reset the connection and could lose the answer). */
static void write_some(struct http_server *h, struct http_conn *c)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = h->tag + 1 + (uint64_t)(c - h->c) };

	while (c->off < c->out.len) {
		ssize_t n = send(c->fd, c->out.buf + c->off, c->out.len - c->off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			ev.events = EPOLLOUT;
			epoll_ctl(h->epfd, EPOLL_CTL_MOD, c->fd, &ev);
			return;
		}
		if (n <= 0) {
			conn_close(h, c);
			return;
		}
		c->off += (size_t)n;
	}
	jw_free(&c->out);
	c->done = true;
	shutdown(c->fd, SHUT_WR);
	epoll_ctl(h->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void read_some(struct http_server *h, struct http_conn *c)
{
	char sink[512];
	ssize_t n;

	if (c->answering) { /* after the answer: what comes is discarded */
		while ((n = recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT)) > 0)
			;
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			conn_close(h, c);
		return;
	}
	n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(h, c);
		return;
	}
	c->inlen += (size_t)n;
	if (complete(c)) {
		h->requests++;
		http_answer(c->in, c->inlen, &c->out, recent_body, h);
	} else if (c->inlen == sizeof(c->in)) {
		reply(&c->out, "431 Request Header Fields Too Large", "", "request too large\n");
	} else {
		return;
	}
	c->answering = true;
	c->since = mono_ns();
	write_some(h, c);
}

void http_ready(struct http_server *h, uint64_t which, uint32_t events)
{
	struct http_conn *c;

	if (which == 0) {
		accept_some(h);
		return;
	}
	if (which > HTTP_MAX_CONNS || (c = &h->c[which - 1])->fd < 0)
		return;
	if (c->answering && !c->done && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
		write_some(h, c);
	else if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		read_some(h, c);
}

void http_check(struct http_server *h, uint64_t now)
{
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++) {
		struct http_conn *c = &h->c[i];
		uint64_t limit = (c->answering ? HTTP_ANSWER_MS : HTTP_REQUEST_MS) * 1000000ull;

		if (c->fd >= 0 && now - c->since >= limit) {
			conn_close(h, c);
			h->timed_out++;
		}
	}
}

void http_close(struct http_server *h)
{
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++)
		conn_close(h, &h->c[i]);
	if (h->lfd >= 0)
		close(h->lfd);
	h->lfd = -1;
	jw_free(&h->last);
}
