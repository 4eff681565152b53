#include "agent/request.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void request_types(char *out, size_t len)
{
	size_t o = 0;

	out[0] = '\0';
	for (int k = 0; k < EV__COUNT && o < len; k++) {
		int n = snprintf(out + o, len - o, "%s%s", k ? ", " : "", ev_kind_name(k));
		if (n < 0)
			return;
		o += n;
	}
}

static int parse_list(char *val, const char *key, struct request *r, char *why, size_t whylen)
{
	char *save = NULL;

	for (char *item = strtok_r(val, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		if (unescape(item))
			return fail(why, whylen, "bad %%-escape in '%s'", key);
		if (!strcmp(key, "types")) {
			enum ev_kind k;
			if (ev_kind_parse(item, &k)) {
				char types[256];
				request_types(types, sizeof(types));
				snprintf(why, whylen, "unknown event type '%.64s' (expected one of %s)", item, types);
				return -EINVAL;
			}
			r->filter.kinds |= 1u << k;
		} else if (!strcmp(key, "binary")) {
			if (r->filter.nbinaries >= FILTER_MAX)
				return fail(why, whylen, "too many values for '%s' (at most 16)", key);
			if (strlen(item) >= sizeof(r->filter.binaries[0]))
				return fail(why, whylen, "binary too long: '%.64s...'", item);
			strcpy(r->filter.binaries[r->filter.nbinaries++], item);
		} else if (!strcmp(key, "pid")) {
			char *end;
			unsigned long v;
			errno = 0;
			v = strtoul(item, &end, 10);
			if (*end || errno || v == 0 || v > UINT32_MAX || item[0] == '-')
				return fail(why, whylen, "bad pid '%s'", item);
			if (r->filter.npids >= FILTER_MAX)
				return fail(why, whylen, "too many values for '%s' (at most 16)", key);
			r->filter.pids[r->filter.npids++] = v;
		}
	}
	return 0;
}

int request_parse(const char *line, struct request *r, char *why, size_t whylen)
{
	char buf[REQ_MAX_LINE], *save = NULL, *word;
	size_t n = strlen(line);

	memset(r, 0, sizeof(*r));
	if (n >= sizeof(buf))
		return fail(why, whylen, "request longer than %s bytes", "4095");
	memcpy(buf, line, n + 1);
	word = strtok_r(buf, " \t\r", &save);
	if (!word)
		return fail(why, whylen, "empty request%s", "");
	if (!strcmp(word, "status"))
		r->op = REQ_STATUS;
	else if (!strcmp(word, "getevents"))
		r->op = REQ_GETEVENTS;
	else
		return fail(why, whylen, "unknown request '%.64s' (expected getevents or status)", word);
	while ((word = strtok_r(NULL, " \t\r", &save))) {
		char *eq = strchr(word, '=');
		int err;

		if (r->op != REQ_GETEVENTS)
			return fail(why, whylen, "'status' takes no argument, got '%.64s'", word);
		if (!eq || eq == word)
			return fail(why, whylen, "expected key=value, got '%.64s'", word);
		*eq = '\0';
		if (!strcmp(word, "format")) {
			if (!strcmp(eq + 1, "json"))
				r->format = FMT_JSON;
			else if (!strcmp(eq + 1, "compact"))
				r->format = FMT_COMPACT;
			else
				return fail(why, whylen, "unknown format '%.64s' (expected json or compact)", eq + 1);
		} else if (!strcmp(word, "ancestors")) {
			r->ancestors = !strcmp(eq + 1, "1") || !strcmp(eq + 1, "true");
		} else if (!strcmp(word, "types") || !strcmp(word, "binary") || !strcmp(word, "pid")) {
			if (!eq[1])
				return fail(why, whylen, "empty value for '%s'", word);
			if ((err = parse_list(eq + 1, word, r, why, whylen)))
				return err;
		} else {
			return fail(why, whylen, "unknown key '%.64s'", word);
		}
	}
	return 0;
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
	APPEND("getevents format=%s", r->format == FMT_COMPACT ? "compact" : "json");
	if (r->ancestors)
		APPEND(" ancestors=1");
	if (r->filter.kinds) {
		APPEND(" types=");
		for (int k = 0, first = 1; k < EV__COUNT; k++)
			if (r->filter.kinds >> k & 1) {
				APPEND("%s%s", first ? "" : ",", ev_kind_name(k));
				first = 0;
			}
	}
	for (int i = 0; i < r->filter.nbinaries; i++) {
		APPEND(i ? "," : " binary=");
		if (put_escaped(out, outlen, &o, r->filter.binaries[i]))
			return -ENOSPC;
	}
	for (int i = 0; i < r->filter.npids; i++)
		APPEND("%s%u", i ? "," : " pid=", r->filter.pids[i]);
	return 0;
}
