/* libFuzzer target: what any local user can send to the metrics endpoint
 * (src/agent/http.c): a request is answered 200, 400, 404 or 405 with a
 * whole head and a Content-Length that is the body's; the address parser
 * takes any string, accepting it or saying why. */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/http.h"

static void body(void *ctx, struct jw *w)
{
	jw_raw(w, "veto_x 1\n", 9);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[HTTP_MAX_REQUEST + 1];
	size_t n = size < HTTP_MAX_REQUEST ? size : HTTP_MAX_REQUEST;
	struct sockaddr_storage ss;
	const char *head_end, *cl;
	char why[256];
	socklen_t len;
	unsigned long want;
	struct jw out;
	int code;

	memcpy(text, data, n);
	text[n] = '\0';
	jw_init(&out);
	http_answer(text, n, &out, body, NULL);
	assert(!out.oom && out.len > 12 && !memcmp(out.buf, "HTTP/1.1 ", 9));
	code = atoi(out.buf + 9);
	assert(code == 200 || code == 400 || code == 404 || code == 405);
	head_end = strstr(out.buf, "\r\n\r\n");
	assert(head_end);
	cl = strstr(out.buf, "Content-Length: ");
	assert(cl && cl < head_end);
	want = strtoul(cl + 16, NULL, 10);
	/* HEAD: the length of the body it did not send */
	assert((size_t)(out.buf + out.len - (head_end + 4)) == want || (code == 200 && !memcmp(text, "HEAD", 4)));
	jw_free(&out);

	why[0] = '\0';
	if (http_parse_address(text, &ss, &len, why, sizeof(why)))
		assert(why[0] && strlen(why) < sizeof(why));
	else
		assert(len > 0 && len <= sizeof(ss));
	return 0;
}
