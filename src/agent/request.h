/* Control socket requests: one line, words separated by spaces.
 *   getevents [format=json|compact] [types=process_exec,...] [binary=/a,/b]
 *             [pid=1,2] [ancestors=1]
 *   status
 * Values with a space, comma or '%' are percent-encoded (%20 %2C %25). The
 * agent answers one JSON line: {"error":"..."} or the reply, then for
 * getevents the events, one per line. */
#ifndef VETO_AGENT_REQUEST_H
#define VETO_AGENT_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events/encode.h"
#include "events/filter.h"

#define REQ_MAX_LINE   4096

enum req_op { REQ_GETEVENTS, REQ_STATUS };

struct request {
	enum req_op op;
	enum ev_format format;
	bool ancestors;
	struct ev_filter filter;
};

/* Parses one line (without its newline). Returns 0, or -EINVAL with a reason
 * for the client in why. */
int request_parse(const char *line, struct request *r, char *why, size_t whylen);
/* Writes a request line for r (no newline); returns 0 or -ENOSPC. */
int request_format(const struct request *r, char *out, size_t outlen);
/* The event types a request accepts, "a, b, c", from the encoder's table. */
void request_types(char *out, size_t len);

#endif
