#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "agent/http.h"
#include "util/clock.h"

static void parses_addresses(void **state)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	char why[256], text[64];
	socklen_t len;

	assert_int_equal(http_parse_address("127.0.0.1:2112", &ss, &len, why, sizeof(why)), 0);
	assert_int_equal(in->sin_family, AF_INET);
	assert_int_equal(ntohs(in->sin_port), 2112);
	assert_int_equal(ntohl(in->sin_addr.s_addr), INADDR_LOOPBACK);
	assert_int_equal(http_parse_address(":9", &ss, &len, why, sizeof(why)), 0);
	assert_int_equal(ntohl(in->sin_addr.s_addr), INADDR_ANY);
	assert_int_equal(http_parse_address("localhost:65535", &ss, &len, why, sizeof(why)), 0);
	assert_int_equal(ntohl(in->sin_addr.s_addr), INADDR_LOOPBACK);
	assert_int_equal(http_parse_address("[::1]:2112", &ss, &len, why, sizeof(why)), 0);
	assert_int_equal(in6->sin6_family, AF_INET6);
	assert_int_equal(len, sizeof(*in6));
	inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
	assert_string_equal(text, "::1");
}

static void rejects_addresses(void **state)
{
	static const char *const bad[] = {
		"", "2112", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:-1",
		"127.0.0.1:+80", "127.0.0.1:80x", "::1:2112", "[::1]2112", "[::1:2112", "example.com:80",
		"[127.0.0.1]:80", "300.1.1.1:80",
	};
	struct sockaddr_storage ss;
	char why[256];
	socklen_t len;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(http_parse_address(bad[i], &ss, &len, why, sizeof(why)), -EINVAL);
		assert_non_null(strstr(why, bad[i])); /* the error names the value */
	}
}

static void body(void *ctx, struct jw *w)
{
	jw_raw(w, "veto_a 1\n", 9);
	(*(int *)ctx)++;
}

/* The answer to req: its status line, and the body after the headers. */
static const char *answer(const char *req, struct jw *out, int *calls)
{
	jw_reset(out);
	http_answer(req, strlen(req), out, body, calls);
	return out->buf;
}

static void answers(void **state)
{
	struct jw out;
	int calls = 0;
	const char *a;

	jw_init(&out);
	a = answer("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", &out, &calls);
	assert_true(!strncmp(a, "HTTP/1.1 200 OK\r\n", 17));
	assert_non_null(strstr(a, "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
	assert_non_null(strstr(a, "Content-Length: 9\r\n"));
	assert_string_equal(strstr(a, "\r\n\r\n") + 4, "veto_a 1\n");
	assert_int_equal(calls, 1);
	a = answer("GET /metrics?name[]=x HTTP/1.0\n\n", &out, &calls);
	assert_true(!strncmp(a, "HTTP/1.1 200 OK\r\n", 17));
	a = answer("HEAD /metrics HTTP/1.1\r\n\r\n", &out, &calls);
	assert_non_null(strstr(a, "Content-Length: 9\r\n"));
	assert_string_equal(strstr(a, "\r\n\r\n") + 4, ""); /* no body */
	a = answer("GET / HTTP/1.1\r\n\r\n", &out, &calls);
	assert_true(!strncmp(a, "HTTP/1.1 404 ", 13));
	a = answer("GET /metricsx HTTP/1.1\r\n\r\n", &out, &calls);
	assert_true(!strncmp(a, "HTTP/1.1 404 ", 13));
	a = answer("POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\n", &out, &calls);
	assert_true(!strncmp(a, "HTTP/1.1 405 ", 13));
	assert_non_null(strstr(a, "Allow: GET, HEAD\r\n"));
	a = answer("get /metrics HTTP/1.1\r\n\r\n", &out, &calls);
	assert_true(!strncmp(a, "HTTP/1.1 405 ", 13));
	assert_int_equal(calls, 3); /* only GET and HEAD of /metrics wrote a body */
	jw_free(&out);
}

static void bad_requests(void **state)
{
	static const char *const bad[] = {
		"\r\n\r\n", "GET\r\n\r\n", "GET /metrics\r\n\r\n", "GET /metrics HTTP/2\r\n\r\n",
		"GET /metrics FTP/1.1\r\n\r\n", "GET  HTTP/1.1\n\n", "\x01\x02 \x03 \x04\n\n",
	};
	struct jw out;
	int calls = 0;

	jw_init(&out);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *a = answer(bad[i], &out, &calls);
		if (strncmp(a, "HTTP/1.1 400 ", 13) && strncmp(a, "HTTP/1.1 404 ", 13))
			fail_msg("'%s' answered: %s", bad[i], a);
	}
	assert_int_equal(calls, 0);
	jw_free(&out);
}

#define BIG (4u << 20)
static size_t body_size = BIG;

static void big_body(void *ctx, struct jw *w)
{
	static char chunk[4096];

	memset(chunk, '#', sizeof(chunk));
	for (size_t i = 0; i < body_size / sizeof(chunk); i++)
		jw_raw(w, chunk, sizeof(chunk));
}

/* A server on a free loopback port, and its epoll set. */
static void serve(struct http_server *h, int *epfd)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(in);
	int probe = socket(AF_INET, SOCK_STREAM, 0);
	char addr[64], why[256];

	assert_int_equal(bind(probe, (struct sockaddr *)&in, sizeof(in)), 0);
	assert_int_equal(getsockname(probe, (struct sockaddr *)&in, &len), 0);
	close(probe);
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", ntohs(in.sin_port));
	*epfd = epoll_create1(EPOLL_CLOEXEC);
	assert_int_equal(http_open(h, addr, *epfd, 100, big_body, NULL, why, sizeof(why)), 0);
}

static int client(const struct http_server *h, int rcvbuf)
{
	struct sockaddr_in in;
	socklen_t len = sizeof(in);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	assert_int_equal(getsockname(h->lfd, (struct sockaddr *)&in, &len), 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&in, len), 0);
	return fd;
}

/* One round of the agent's loop, for the server only. */
static void round_(struct http_server *h, int epfd, int ms)
{
	struct epoll_event evs[32];
	int n = epoll_wait(epfd, evs, 32, ms);

	for (int i = 0; i < n; i++)
		http_ready(h, evs[i].data.u64 - 100, evs[i].events);
}

/* A 4 MiB answer to a client that reads slowly: the server writes what
 * fits and returns, and the whole answer arrives once the client reads. */
static void writes_without_blocking(void **state)
{
	struct http_server h;
	int epfd, c;
	size_t got = 0;
	char buf[65536];
	ssize_t n;

	serve(&h, &epfd);
	c = client(&h, 4096);
	assert_int_equal(send(c, "GET /metrics HTTP/1.1\r\n\r\n", 25, 0), 25);
	for (int i = 0; i < 20 && !h.requests; i++)
		round_(&h, epfd, 50);
	assert_int_equal(h.requests, 1);
	for (int i = 0; i < 5; i++)
		round_(&h, epfd, 10); /* nothing read: the server waits, it does not block */
	assert_true(h.c[0].answering && !h.c[0].done);
	assert_true(h.c[0].off < h.c[0].out.len);
	fcntl(c, F_SETFL, O_NONBLOCK);
	for (int i = 0; i < 100000; i++) {
		round_(&h, epfd, 0);
		n = recv(c, buf, sizeof(buf), 0);
		if (n == 0)
			break;
		if (n > 0)
			got += (size_t)n;
		else
			usleep(100);
	}
	assert_int_equal(n, 0); /* the server closed after the answer */
	assert_true(got > BIG && got < BIG + 256);

	close(c);
	http_close(&h);
	close(epfd);
}

/* However often clients ask, the body is written once per HTTP_FRESH_MS. */
static void bodies_are_reused(void **state)
{
	struct http_server h;
	int epfd, c[8];

	body_size = 4096;
	serve(&h, &epfd);
	for (size_t i = 0; i < 8; i++) {
		c[i] = client(&h, 0);
		assert_int_equal(send(c[i], "GET /metrics HTTP/1.1\r\n\r\n", 25, 0), 25);
	}
	for (int i = 0; i < 40 && h.requests < 8; i++)
		round_(&h, epfd, 5);
	assert_int_equal(h.requests, 8);
	assert_true(h.bodies >= 1 && h.bodies <= 2); /* 200 ms at most: one window, or two */
	usleep(HTTP_FRESH_MS * 1000);
	close(c[0]);
	c[0] = client(&h, 0);
	send(c[0], "GET /metrics HTTP/1.1\r\n\r\n", 25, 0);
	for (int i = 0; i < 40 && h.requests < 9; i++)
		round_(&h, epfd, 5);
	assert_int_equal(h.requests, 9);
	assert_true(h.bodies >= 2); /* past the window: written again */
	for (size_t i = 0; i < 8; i++)
		close(c[i]);
	http_close(&h);
	close(epfd);
	body_size = BIG;
}

/* More connections than slots: those still sending their request make
 * room; the deadline closes the rest. */
static void bounded_connections(void **state)
{
	struct http_server h;
	int epfd, c[HTTP_MAX_CONNS + 4];
	unsigned open = 0;

	serve(&h, &epfd);
	for (size_t i = 0; i < HTTP_MAX_CONNS + 4; i++) {
		c[i] = client(&h, 0);
		round_(&h, epfd, 50);
	}
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++)
		open += h.c[i].fd >= 0;
	assert_int_equal(open, HTTP_MAX_CONNS);
	assert_int_equal(h.evicted, 4);
	http_check(&h, mono_ns());
	assert_int_equal(h.timed_out, 0);
	/* answered clients that do not close make room before readers */
	body_size = 4096;
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(send(c[HTTP_MAX_CONNS + 2 + i], "GET /metrics HTTP/1.1\r\n\r\n", 25, 0), 25);
	for (int i = 0; i < 10; i++)
		round_(&h, epfd, 10);
	assert_int_equal(h.requests, 2);
	open = 0;
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++)
		open += h.c[i].done;
	assert_int_equal(open, 2);
	{
		int extra = client(&h, 0);
		round_(&h, epfd, 50);
		assert_int_equal(h.evicted, 5);
		open = 0;
		for (size_t i = 0; i < HTTP_MAX_CONNS; i++)
			open += h.c[i].done;
		assert_int_equal(open, 1); /* an answered one gave its place */
		close(extra);
	}
	body_size = BIG;
	http_check(&h, mono_ns() + HTTP_REQUEST_MS * 1000000ull);
	assert_int_equal(h.timed_out, HTTP_MAX_CONNS - 1); /* the answered one has longer */
	http_check(&h, mono_ns() + HTTP_ANSWER_MS * 1000000ull);
	assert_int_equal(h.timed_out, HTTP_MAX_CONNS);
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++)
		assert_int_equal(h.c[i].fd, -1);
	for (size_t i = 0; i < HTTP_MAX_CONNS + 4; i++)
		close(c[i]);
	http_close(&h);
	close(epfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_addresses),
		cmocka_unit_test(rejects_addresses),
		cmocka_unit_test(answers),
		cmocka_unit_test(bad_requests),
		cmocka_unit_test(writes_without_blocking),
		cmocka_unit_test(bodies_are_reused),
		cmocka_unit_test(bounded_connections),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
