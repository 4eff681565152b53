#include "agent/request.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsonr.h"

static int unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes %XX in place; returns -EINVAL on a broken escape or a NUL. */
static int unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '%') {
			int h = unhex(s[1]), l = h < 0 ? -1 : unhex(s[2]);
			if (h < 0 || l < 0 || (h == 0 && l == 0))
				return -EINVAL;
			*o++ = (char)(h << 4 | l);
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return 0;
}

static int fail(char *why, size_t whylen, const char *fmt, const char *arg)
{
	snprintf(why, whylen, fmt, arg);
	return -EINVAL;
}

/* filter=: one Filter object, parsed by the export filters' parser. */
static int parse_filter(char *val, struct request *r, char *why, size_t whylen)
{
	char err[300];
	struct jr obj;
	int rc;

	if (unescape(val))
		return fail(why, whylen, "bad %%-escape in '%s'", "filter");
	if (strlen(val) >= sizeof(r->filter_json))
		return fail(why, whylen, "'%s' too long", "filter");
	rc = jr_parse(val, &obj);
	if (rc == -EINVAL)
		return fail(why, whylen, "'%s' is not a JSON object", "filter");
	if (rc)
		return rc;
	rc = filter_parse_obj(&obj, &r->match, err, sizeof(err));
	jr_free(&obj);
	if (rc == -EINVAL)
		return fail(why, whylen, "bad filter: %s", err);
	if (rc)
		return rc;
	strcpy(r->filter_json, val);
	r->filter.allow = &r->match;
	r->filter.nallow = 1;
	return 0;
}

void request_free(struct request *r)
{
	if (r->filter.allow == &r->match)
		filter_matches_free(&r->match, 1);
	r->filter.allow = NULL;
	r->filter.nallow = 0;
	r->filter_json[0] = '\0';
}

static const char *const verbs[] = {
	[REQ_TP_LIST] = "list",       [REQ_TP_ADD] = "add",         [REQ_TP_DELETE] = "delete",
	[REQ_TP_ENABLE] = "enable",   [REQ_TP_DISABLE] = "disable", [REQ_TP_SET_MODE] = "set-mode",
};

const char *request_verb(enum req_op op)
{
	return op >= REQ_TP_LIST && op <= REQ_TP_SET_MODE ? verbs[op] : NULL;
}

/* One key=value of a getevents request. */
static int getevents_key(char *word, char *val, struct request *r, char *why, size_t whylen)
{
	if (!strcmp(word, "format")) {
		if (!strcmp(val, "json"))
			r->format = FMT_JSON;
		else if (!strcmp(val, "compact"))
			r->format = FMT_COMPACT;
		else
			return fail(why, whylen, "unknown format '%.64s' (expected json or compact)", val);
	} else if (!strcmp(word, "ancestors")) {
		r->ancestors = !strcmp(val, "1") || !strcmp(val, "true");
	} else if (!strcmp(word, "filter")) {
		if (r->filter.allow)
			return fail(why, whylen, "'%s' given twice", word);
		return parse_filter(val, r, why, whylen);
	} else {
		return fail(why, whylen, "unknown key '%.64s'", word);
	}
	return 0;
}

static const char *const policy_keys[4] = { "name", "file", "length", "mode" };

/* One key=value of a tracingpolicy request. seen: the keys given, a bit each. */
static int policy_key(char *word, char *val, struct request *r, unsigned *seen, char *why, size_t whylen)
{
	const char *const *keys = policy_keys;
	unsigned k = 0;

	while (k < 4 && strcmp(word, keys[k]))
		k++;
	if (k == 4)
		return fail(why, whylen, "unknown key '%.64s' (expected name, file, length or mode)", word);
	if (*seen >> k & 1)
		return fail(why, whylen, "'%s' given twice", keys[k]);
	*seen |= 1u << k;
	if (unescape(val) || !val[0])
		return fail(why, whylen, "bad or empty value for '%s'", keys[k]);
	if (k <= 1) {
		if (strlen(val) >= sizeof(r->name))
			return fail(why, whylen, "'%s' longer than 255 bytes", keys[k]);
		strcpy(r->name, val);
	} else if (k == 2) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(val, &end, 10);
		if (*end || errno || val[0] == '-' || v == 0 || v > REQ_MAX_BODY)
			return fail(why, whylen, "bad length '%.32s' (1 .. 1048576 bytes)", val);
		r->body_len = v;
	} else if (!strcmp(val, "enforce")) {
		r->mode = REQ_MODE_ENFORCE;
	} else if (!strcmp(val, "monitor")) {
		r->mode = REQ_MODE_MONITOR;
	} else {
		return fail(why, whylen, "unknown mode '%.64s' (expected enforce or monitor)", val);
	}
	return 0;
}

/* The keys each verb needs (bits of policy_keys) and allows. */
static int policy_check(const struct request *r, unsigned seen, char *why, size_t whylen)
{
	static const struct { unsigned need, allow; } rule[] = {
		[REQ_TP_LIST] = { 0, 0 },          [REQ_TP_ADD] = { 2 | 4, 2 | 4 | 8 },
		[REQ_TP_DELETE] = { 1, 1 },        [REQ_TP_ENABLE] = { 1, 1 },
		[REQ_TP_DISABLE] = { 1, 1 },       [REQ_TP_SET_MODE] = { 1 | 8, 1 | 8 },
	};
	unsigned need = rule[r->op].need, allow = rule[r->op].allow;

	for (unsigned k = 0; k < 4; k++) {
		if ((seen & ~allow) >> k & 1) {
			snprintf(why, whylen, "'tracingpolicy %s' takes no '%s'", verbs[r->op], policy_keys[k]);
			return -EINVAL;
		}
		if ((need & ~seen) >> k & 1) {
			snprintf(why, whylen, "'tracingpolicy %s' needs %s=", verbs[r->op], policy_keys[k]);
			return -EINVAL;
		}
	}
	return 0;
}

int request_parse(const char *line, struct request *r, char *why, size_t whylen)
{
	char buf[REQ_MAX_LINE], *save = NULL, *word;
	size_t n = strlen(line);
	unsigned seen = 0;
	bool tp = false;

	memset(r, 0, sizeof(*r));
	if (n >= sizeof(buf))
		return fail(why, whylen, "request longer than %s bytes", "4095");
	memcpy(buf, line, n + 1);
	word = strtok_r(buf, " \t\r", &save);
	if (!word)
		return fail(why, whylen, "empty request%s", "");
	if (!strcmp(word, "status")) {
		r->op = REQ_STATUS;
	} else if (!strcmp(word, "getevents")) {
		r->op = REQ_GETEVENTS;
	} else if (!strcmp(word, "tracingpolicy")) {
		word = strtok_r(NULL, " \t\r", &save);
		for (int k = REQ_TP_LIST; word && k <= REQ_TP_SET_MODE && !tp; k++)
			if (!strcmp(word, verbs[k])) {
				r->op = k;
				tp = true;
			}
		if (!tp)
			return fail(why, whylen, "unknown tracingpolicy verb '%.64s' (expected list, add, delete, "
				    "enable, disable or set-mode)", word ? word : "");
	} else {
		return fail(why, whylen, "unknown request '%.64s' (expected getevents, status or tracingpolicy)", word);
	}
	while ((word = strtok_r(NULL, " \t\r", &save))) {
		char *eq = strchr(word, '=');
		int err;

		if (r->op == REQ_STATUS)
			return fail(why, whylen, "'status' takes no argument, got '%.64s'", word);
		if (!eq || eq == word) {
			err = fail(why, whylen, "expected key=value, got '%.64s'", word);
		} else {
			*eq = '\0';
			err = tp ? policy_key(word, eq + 1, r, &seen, why, whylen) :
				   getevents_key(word, eq + 1, r, why, whylen);
		}
		if (err) {
			request_free(r); /* a filter parsed before the fault */
			return err;
		}
	}
	return tp ? policy_check(r, seen, why, whylen) : 0;
}

static int put_escaped(char *out, size_t outlen, size_t *o, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int n = (c == ' ' || c == ',' || c == '%' || c < 0x20)
				? snprintf(out + *o, outlen - *o, "%%%02X", c)
				: snprintf(out + *o, outlen - *o, "%c", c);
		if (n < 0 || (size_t)n >= outlen - *o)
			return -ENOSPC;
		*o += n;
	}
	return 0;
}

#define APPEND(...)                                                      \
	do {                                                             \
		int n_ = snprintf(out + o, outlen - o, __VA_ARGS__);    \
		if (n_ < 0 || (size_t)n_ >= outlen - o)                  \
			return -ENOSPC;                                  \
		o += n_;                                                 \
	} while (0)

int request_format(const struct request *r, char *out, size_t outlen)
{
	size_t o = 0;

	if (r->op == REQ_STATUS) {
		APPEND("status");
		return 0;
	}
	if (request_verb(r->op)) {
		APPEND("tracingpolicy %s", verbs[r->op]);
		if (r->op == REQ_TP_ADD)
			APPEND(" length=%zu file=", r->body_len);
		else if (r->op != REQ_TP_LIST)
			APPEND(" name=");
		if (r->op != REQ_TP_LIST && put_escaped(out, outlen, &o, r->name))
			return -ENOSPC;
		if (r->mode)
			APPEND(" mode=%s", r->mode == REQ_MODE_MONITOR ? "monitor" : "enforce");
		return 0;
	}
	APPEND("getevents format=%s", r->format == FMT_COMPACT ? "compact" : "json");
	if (r->ancestors)
		APPEND(" ancestors=1");
	if (r->filter_json[0]) {
		APPEND(" filter=");
		if (put_escaped(out, outlen, &o, r->filter_json))
			return -ENOSPC;
	}
	return 0;
}
