#include "events/redact.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpf/process.h"
#include "events/decode.h"
#include "util/json.h"
#include "util/regex.h"

#define REDACT_GROUPS 16 /* capture groups of a pattern that are masked, at most */

struct rfilter {
	struct regex **redact, **binary;
	size_t nredact, nbinary;
};

struct redactor {
	struct rfilter *f;
	size_t n;
	struct redact_stats st;
};

/* ---- the filters' JSON, read with line:col for every error ---- */

struct rd {
	const char *s;
	size_t i;
	char *why;
	size_t whylen;
};

static int fail(struct rd *p, size_t at, const char *fmt, ...)
{
	unsigned line = 1, col = 1;
	size_t o;
	va_list ap;

	for (size_t k = 0; k < at && p->s[k]; k++) {
		if (p->s[k] == '\n')
			line++, col = 1;
		else
			col++;
	}
	o = (size_t)snprintf(p->why, p->whylen, "%u:%u: ", line, col);
	if (o < p->whylen) {
		va_start(ap, fmt);
		vsnprintf(p->why + o, p->whylen - o, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static void ws(struct rd *p)
{
	while (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r')
		p->i++;
}

static int hex4(const char *s, unsigned *v)
{
	*v = 0;
	for (int k = 0; k < 4; k++) {
		char c = s[k];
		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (unsigned)(c - '0');
		else if ((c | 32) >= 'a' && (c | 32) <= 'f')
			*v |= (unsigned)((c | 32) - 'a' + 10);
		else
			return -1;
	}
	return 0;
}

/* A JSON string at p->i, unescaped into *out (malloc'd). */
static int string(struct rd *p, char **out)
{
	size_t start = p->i, o = 0;
	char *b;

	if (p->s[p->i] != '"')
		return fail(p, p->i, "expected a string");
	b = malloc(strlen(p->s + p->i) + 1); /* unescaping never grows */
	if (!b)
		return -ENOMEM;
	for (p->i++; p->s[p->i] != '"'; p->i++) {
		unsigned char c = (unsigned char)p->s[p->i];
		size_t esc = p->i;
		unsigned cp, lo;

		if (!c || c < 0x20) {
			free(b);
			return fail(p, c ? p->i : start, c ? "control character in a string" : "unterminated string");
		}
		if (c != '\\') {
			b[o++] = (char)c;
			continue;
		}
		c = (unsigned char)p->s[++p->i];
		switch (c) {
		case '"': case '\\': case '/':
			b[o++] = (char)c;
			break;
		case 'b': b[o++] = '\b'; break;
		case 'f': b[o++] = '\f'; break;
		case 'n': b[o++] = '\n'; break;
		case 'r': b[o++] = '\r'; break;
		case 't': b[o++] = '\t'; break;
		case 'u':
			if (hex4(p->s + p->i + 1, &cp)) {
				free(b);
				return fail(p, esc, "bad escape in a string");
			}
			p->i += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && p->s[p->i + 1] == '\\' && p->s[p->i + 2] == 'u' &&
			    !hex4(p->s + p->i + 3, &lo) && lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p->i += 6;
			} else if (cp >= 0xd800 && cp < 0xe000) {
				cp = 0xfffd; /* a lone surrogate, as Go reads it */
			}
			if (!cp) {
				free(b); /* a NUL would cut the pattern short */
				return fail(p, esc, "bad escape in a string");
			}
			o += utf8_put(b + o, cp);
			break;
		default:
			free(b);
			return fail(p, esc, "bad escape in a string");
		}
	}
	p->i++;
	b[o] = '\0';
	*out = b;
	return 0;
}

/* "key": null or an array of patterns, each compiled. */
static int patterns(struct rd *p, const char *key, struct regex ***v, size_t *n)
{
	if (!strncmp(p->s + p->i, "null", 4)) {
		p->i += 4;
		return 0;
	}
	if (p->s[p->i] != '[')
		return fail(p, p->i, "%s: expected an array of regular expressions", key);
	p->i++;
	ws(p);
	if (p->s[p->i] == ']') {
		p->i++;
		return 0;
	}
	for (;;) {
		size_t at = p->i;
		struct regex **nv;
		char *pat, err[256];
		int rc;

		if ((rc = string(p, &pat)))
			return rc;
		nv = realloc(*v, (*n + 1) * sizeof(**v));
		if (!nv) {
			free(pat);
			return -ENOMEM;
		}
		*v = nv;
		rc = regex_compile(&(*v)[*n], pat, err, sizeof(err));
		free(pat);
		if (rc)
			return rc == -ENOMEM ? rc : fail(p, at, "%s[%zu]: %s", key, *n, err);
		(*n)++;
		ws(p);
		if (p->s[p->i] == ']') {
			p->i++;
			return 0;
		}
		if (p->s[p->i] != ',')
			return fail(p, p->i, "%s: expected ',' or ']'", key);
		p->i++;
		ws(p);
	}
}

static int filter(struct rd *p, struct rfilter *f)
{
	if (p->s[p->i] != '{')
		return fail(p, p->i, "expected a RedactionFilter object '{'");
	p->i++;
	ws(p);
	if (p->s[p->i] == '}') {
		p->i++;
		return 0;
	}
	for (;;) {
		size_t at = p->i;
		char *key;
		int rc;

		if ((rc = string(p, &key)))
			return rc;
		ws(p);
		if (p->s[p->i] != ':') {
			free(key);
			return fail(p, p->i, "expected ':'");
		}
		p->i++;
		ws(p);
		if (!strcmp(key, "redact"))
			rc = patterns(p, "redact", &f->redact, &f->nredact);
		else if (!strcmp(key, "binary_regex"))
			rc = patterns(p, "binary_regex", &f->binary, &f->nbinary);
		else if (!strcmp(key, "match"))
			rc = fail(p, at, "'match' (an event filter) is not supported: use binary_regex");
		else
			rc = fail(p, at, "unknown key '%s' (expected redact or binary_regex)", key);
		free(key);
		if (rc)
			return rc;
		ws(p);
		if (p->s[p->i] == '}') {
			p->i++;
			return 0;
		}
		if (p->s[p->i] != ',')
			return fail(p, p->i, "expected ',' or '}'");
		p->i++;
		ws(p);
	}
}

static void free_filter(struct rfilter *f)
{
	for (size_t i = 0; i < f->nredact; i++)
		regex_free(f->redact[i]);
	for (size_t i = 0; i < f->nbinary; i++)
		regex_free(f->binary[i]);
	free(f->redact);
	free(f->binary);
}

void redact_free(struct redactor *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		free_filter(&r->f[i]);
	free(r->f);
	free(r);
}

int redact_parse(struct redactor **out, const char *text, char *why, size_t whylen)
{
	struct rd p = { .s = text, .why = why, .whylen = whylen };
	struct redactor *r = calloc(1, sizeof(*r));
	int rc = 0;

	*out = NULL;
	if (!r)
		return -ENOMEM;
	for (ws(&p); text[p.i]; ws(&p)) {
		struct rfilter *nf = realloc(r->f, (r->n + 1) * sizeof(*nf));

		if (!nf) {
			rc = -ENOMEM;
			break;
		}
		r->f = nf;
		memset(&r->f[r->n], 0, sizeof(*nf));
		rc = filter(&p, &r->f[r->n++]);
		if (rc)
			break;
	}
	if (!rc && !r->n)
		rc = fail(&p, p.i, "no RedactionFilter object");
	if (rc) {
		redact_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

void redact_stats(const struct redactor *r, struct redact_stats *st)
{
	*st = r->st;
}

/* ---- applying them ---- */

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Appends n bytes to out (cap bytes); false when they did not all fit. */
static bool put(char *out, size_t cap, size_t *o, const char *s, size_t n)
{
	bool fits = *o + n <= cap;

	if (!fits)
		n = cap - *o;
	memcpy(out + *o, s, n);
	*o += n;
	return fits;
}

/* One pattern over buf[0, len) (words ending in NUL, matched as if each NUL
 * but the last were a space), into out. Returns 1 when something was
 * masked, 0 when not, -ERANGE when it must give up; *cut when out was
 * too small. */
static int one_pattern(const struct regex *re, const char *buf, size_t len, char *subj, char *out, size_t cap,
		       size_t *olen, bool *cut, uint64_t deadline)
{
	struct regex_span sp[REDACT_GROUPS + 1];
	size_t from = 0, copied = 0, o = 0, matches = 0;
	size_t slen = len && !buf[len - 1] ? len - 1 : len; /* the last NUL ends it */
	int changed = 0;

	for (size_t k = 0; k < slen; k++)
		subj[k] = buf[k] ? buf[k] : ' ';
	while (from <= slen) {
		int n = regex_search(re, subj, slen, from, sp, REDACT_GROUPS + 1);
		size_t last;

		if (n == 0)
			break;
		if (n < 0 || ++matches > REDACT_MAX_MATCHES || cpu_ns() > deadline)
			return -ERANGE;
		last = (size_t)sp[0].start;
		for (int g = 1; g < n && g <= REDACT_GROUPS; g++) {
			/* a group inside one already masked, or that took no part */
			if (sp[g].start < 0 || (size_t)sp[g].start < last)
				continue;
			*cut |= !put(out, cap, &o, buf + copied, (size_t)sp[g].start - copied);
			*cut |= !put(out, cap, &o, REDACT_MASK, strlen(REDACT_MASK));
			copied = last = (size_t)sp[g].end;
			changed = 1;
		}
		/* an empty match moves on by one byte, as Go's ReplaceAll */
		from = (size_t)sp[0].end + (sp[0].end == sp[0].start);
	}
	*cut |= !put(out, cap, &o, buf + copied, len - copied);
	*olen = o;
	return changed;
}

static bool binary_matches(const struct rfilter *f, const char *binary)
{
	if (!f->nbinary)
		return true;
	for (size_t i = 0; i < f->nbinary; i++)
		if (regex_match(f->binary[i], binary, strlen(binary)) == 1)
			return true; /* one that gives up matches nothing */
	return false;
}

unsigned redact_proc(struct redactor *r, const char *binary, char *argv, size_t *argv_len, size_t argv_cap,
		     char *args, size_t args_cap)
{
	char out[PROC_ARGS_MAX * 2], subj[PROC_ARGS_MAX * 2];
	size_t cap = argv_cap < sizeof(out) ? argv_cap : sizeof(out), len = *argv_len;
	bool cut = false, changed = false;
	uint64_t deadline = cpu_ns() + REDACT_BUDGET_NS;

	if (len > cap)
		return 0; /* not an argv this agent decoded */
	for (size_t i = 0; i < r->n; i++) {
		const struct rfilter *f = &r->f[i];

		if (!binary_matches(f, binary))
			continue;
		for (size_t k = 0; k < f->nredact; k++) {
			size_t olen = 0;
			int rc = one_pattern(f->redact[k], argv, len, subj, out, cap, &olen, &cut, deadline);

			if (rc < 0) {
				/* fail closed: mask it all rather than leak */
				r->st.gave_up++;
				len = strlen(REDACT_MASK) + 1;
				memcpy(argv, REDACT_MASK, len);
				cut = false;
				changed = true;
				goto done;
			}
			if (rc) {
				memcpy(argv, out, olen);
				len = olen;
				changed = true;
			}
		}
	}
done:
	if (!changed)
		return 0;
	if (cut && len)
		argv[len - 1] = '\0'; /* the last word still ends */
	*argv_len = len;
	r->st.redacted++;
	proc_format_args(argv, len, 0, args, args_cap);
	return REDACT_CHANGED | (cut ? REDACT_CUT : 0);
}
