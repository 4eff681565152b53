/* Control socket requests: one line, words separated by spaces.
 *   getevents [format=json|compact] [ancestors=1] [filter=JSON]
 *       JSON: one Tetragon Filter object (events/filter.h), the same the
 *       export's --export-allowlist takes
 *   status
 *   tracingpolicy list
 *   tracingpolicy add file=NAME length=N [mode=enforce|monitor]
 *       then exactly N bytes (at most REQ_MAX_BODY): the policy's YAML;
 *       NAME (the client's file name) is what diagnostics cite
 *   tracingpolicy delete|enable|disable name=POLICY
 *   tracingpolicy set-mode name=POLICY mode=enforce|monitor
 * Values with a space, comma or '%' are percent-encoded (%20 %2C %25). The
 * agent answers one JSON line: {"error":"..."} or the reply, then for
 * getevents the events, one per line. A connection carries one request. */
#ifndef VETO_AGENT_REQUEST_H
#define VETO_AGENT_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events/encode.h"
#include "events/filter.h"

#define REQ_MAX_LINE   4096
#define REQ_MAX_BODY   (1u << 20) /* a policy sent with add */
#define REQ_MAX_NAME   256 /* with its NUL; policy names have at most 253 bytes */

enum req_op {
	REQ_GETEVENTS,
	REQ_STATUS,
	REQ_TP_LIST,
	REQ_TP_ADD,
	REQ_TP_DELETE,
	REQ_TP_ENABLE,
	REQ_TP_DISABLE,
	REQ_TP_SET_MODE,
};

enum req_mode { REQ_MODE_NONE, REQ_MODE_ENFORCE, REQ_MODE_MONITOR };

struct request {
	enum req_op op;
	enum ev_format format;
	bool ancestors;
	char filter_json[REQ_MAX_LINE]; /* getevents: "" for every event */
	struct ev_match match;           /* filter_json, parsed */
	struct ev_filter filter;         /* allow: match, when filter_json is set */
	char name[REQ_MAX_NAME]; /* the policy; for add the file name */
	size_t body_len;         /* add: bytes after the line */
	enum req_mode mode;
};

/* Parses one line (without its newline) into r (overwritten: free it
 * first). Returns 0, or -EINVAL with a reason for the client in why, or
 * -ENOMEM. */
int request_parse(const char *line, struct request *r, char *why, size_t whylen);
/* Frees what a parsed request holds (its filter's regexes). */
void request_free(struct request *r);
/* Writes a request line for r (no newline); returns 0 or -ENOSPC. */
int request_format(const struct request *r, char *out, size_t outlen);
/* The tracingpolicy verb of op ("add", ...), or NULL. */
const char *request_verb(enum req_op op);

#endif
