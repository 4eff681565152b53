/* The metrics endpoint: a small HTTP/1.1 server on the agent's epoll loop.
 * GET (or HEAD) /metrics answers what the body callback writes; any other
 * path 404, any other method 405. One request per connection. Everything is
 * bounded so that no client holds the loop, a slot or memory: a request's
 * size, the connections open (one answered already, or else the oldest
 * still sending its request, makes room for a new one), the time to send a request and to take the answer;
 * every socket is non-blocking. */
#ifndef VETO_AGENT_HTTP_H
#define VETO_AGENT_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "util/json.h"

#define HTTP_DEFAULT_ADDRESS "127.0.0.1:2112"
#define HTTP_MAX_CONNS 16
#define HTTP_MAX_REQUEST 4096         /* request line and headers */
#define HTTP_REQUEST_MS 5000          /* from the accept to the whole request */
#define HTTP_ANSWER_MS 10000          /* from the request to the answer taken */
#define HTTP_FRESH_MS 500             /* a body this recent is answered again */

/* Writes the body of GET /metrics. */
typedef void (*http_body_fn)(void *ctx, struct jw *w);

struct http_conn {
	int fd;                /* -1: free */
	uint64_t since;        /* mono_ns of the accept, then of the request */
	bool answering;        /* the request is in: writing, then closing */
	bool done;             /* all written: reading until the client closes */
	char in[HTTP_MAX_REQUEST];
	size_t inlen;
	struct jw out;
	size_t off;
};

struct http_server {
	int lfd, epfd;
	uint64_t tag;          /* epoll data of the listener; connection i: tag + 1 + i */
	http_body_fn body;
	void *ctx;
	struct http_conn c[HTTP_MAX_CONNS];
	/* the last body: however often clients ask, it is written at most
	 * once per HTTP_FRESH_MS (each costs reads of /proc and the kernel) */
	struct jw last;
	uint64_t last_at;
	uint64_t requests, bodies, evicted, refused, timed_out;
};

/* HOST:PORT, [V6]:PORT or :PORT (every interface) into ss; HOST is an
 * address or localhost (no lookup: nothing blocks, the static build needs no
 * resolver). 0, or -EINVAL with why in err. */
int http_parse_address(const char *s, struct sockaddr_storage *ss, socklen_t *len, char *err, size_t errlen);
/* No listener, no connection: http_close is then a no-op. */
void http_init(struct http_server *h);
/* Listens on addr and adds the listener to epfd. 0 or -errno (why in err). */
int http_open(struct http_server *h, const char *addr, int epfd, uint64_t tag, http_body_fn body, void *ctx,
	      char *err, size_t errlen);
/* epoll said tag - h->tag is ready (0: the listener). */
void http_ready(struct http_server *h, uint64_t which, uint32_t events);
/* Closes the connections past their time (once a second). */
void http_check(struct http_server *h, uint64_t now);
void http_close(struct http_server *h);
/* Answer to one whole request (exposed for the unit tests): the status line,
 * headers and, for GET /metrics, the body. */
void http_answer(const char *req, size_t len, struct jw *out, http_body_fn body, void *ctx);

#endif
