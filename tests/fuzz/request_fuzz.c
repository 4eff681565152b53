/* libFuzzer target: the control socket's request parser (src/agent/request.c),
 * what any client of the socket sends: getevents, status and every
 * tracingpolicy verb (list, add with its length, delete, enable, disable,
 * set-mode). A request that parses must format
 * back to a line that parses to the same request, and filter_match must
 * take any event the request could be applied to. The filter engine
 * (events/filter.c) is built in here; tests/fuzz/run names the other files. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/request.h"
#include "events/filter.c"

static bool same(const struct request *a, const struct request *b)
{
	if (a->op != b->op)
		return false;
	if (a->op == REQ_STATUS)
		return true;
	if (request_verb(a->op))
		return !strcmp(a->name, b->name) && a->body_len == b->body_len && a->mode == b->mode &&
		       (a->op != REQ_TP_ADD || (a->body_len >= 1 && a->body_len <= REQ_MAX_BODY));
	if (a->format != b->format || a->ancestors != b->ancestors || strcmp(a->filter_json, b->filter_json) ||
	    a->filter.nallow != b->filter.nallow)
		return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char line[REQ_MAX_LINE + 64], again[REQ_MAX_LINE * 4];
	struct request r, r2;
	struct proc p = { .pid = 1, .binary = (char *)"/bin/sh" };
	struct ev e = { .kind = EV_PROCESS_EXEC, .proc = &p };
	char why[256];
	size_t n = size < sizeof(line) - 1 ? size : sizeof(line) - 1;

	memcpy(line, data, n);
	line[n] = '\0';
	why[0] = '\0';
	if (request_parse(line, &r, why, sizeof(why))) {
		assert(why[0] && strlen(why) < sizeof(why));
		return 0;
	}
	filter_match(&r.filter, &e);
	/* escapes can make a formatted line longer than any parsed one */
	if (request_format(&r, again, sizeof(again)) || strlen(again) >= REQ_MAX_LINE) {
		request_free(&r);
		return 0;
	}
	if (request_parse(again, &r2, why, sizeof(why)) || !same(&r, &r2))
		abort();
	request_free(&r2);
	request_free(&r);
	return 0;
}
