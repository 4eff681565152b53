/* One exported event line into struct sim_event: a single pass that keeps
 * the members a selector or the report reads and skips the rest without
 * building a tree (a recording holds millions of lines). Nesting is
 * bounded, strings are unescaped in place, and every value is checked for
 * JSON syntax, so a line that is not JSON fails at its column. */
#include "simulate/event.h"

#include <arpa/inet.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events/encode.h"
#include "util/caps.h"
#include "util/json.h"
#include "util/ns.h"

#define MAX_DEPTH 64

struct jp {
	char *p, *end, *start;
	const char *err;
	char *at;
	unsigned want;
	bool rewrote; /* a string was unescaped: the text is no longer as written */
	struct sim_parser *ps;
};

static bool fail(struct jp *j, const char *why)
{
	if (!j->err) {
		j->err = why;
		j->at = j->p;
	}
	return false;
}

static inline void ws(struct jp *j)
{
	/* the agent writes no spaces, Tetragon one after ',' and ':' */
	while (j->p < j->end && (unsigned char)*j->p <= ' ' &&
	       (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static inline bool lit(struct jp *j, char c)
{
	ws(j);
	if (j->p >= j->end || *j->p != c)
		return false;
	j->p++;
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool hex4(struct jp *j, const char *s, unsigned *out)
{
	unsigned v = 0;

	if (j->end - s < 4)
		return fail(j, "\\u needs four hex digits");
	for (int i = 0; i < 4; i++) {
		int h = hexval(s[i]);
		if (h < 0)
			return fail(j, "\\u needs four hex digits");
		v = v << 4 | (unsigned)h;
	}
	*out = v;
	return true;
}

/* The first byte from p on that ends a string's plain run: a quote, a
 * backslash or a control character (end if none). Sixteen bytes a step
 * where SSE2 is there: this scan is most of the reading. */
static inline __attribute__((always_inline)) char *scan(char *p, const char *end)
{
#ifdef __SSE2__
	const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), ctl = _mm_set1_epi8(0x1f);

	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(void *)p);
		__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs)),
					 _mm_cmpeq_epi8(_mm_max_epu8(v, ctl), ctl));
		int mask = _mm_movemask_epi8(m);

		if (mask)
			return p + __builtin_ctz((unsigned)mask);
		p += 16;
	}
#endif
	while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
		p++;
	return p;
}

/* A string at j->p, unescaped in place (never longer than written); out
 * may be NULL to check and skip it. */
static bool unescape(struct jp *j, char *s, struct sim_str *out);

static inline __attribute__((always_inline)) bool str(struct jp *j, struct sim_str *out)
{
	char *s;

	ws(j);
	if (j->p >= j->end || *j->p != '"')
		return fail(j, "expected a string");
	s = ++j->p;
	j->p = scan(j->p, j->end);
	if (j->p >= j->end)
		return fail(j, "unterminated string");
	if ((unsigned char)*j->p < 0x20)
		return fail(j, "control character in a string");
	if (*j->p == '"') {
		/* the common case: no escapes */
		if (out) {
			out->s = s;
			out->n = (size_t)(j->p - s);
		}
		j->p++;
		return true;
	}
	return unescape(j, s, out);
}

/* The rest of a string from its first backslash (j->p), rewritten in place. */
static __attribute__((noinline)) bool unescape(struct jp *j, char *s, struct sim_str *out)
{
	char *o;

	j->rewrote = true;
	/* escapes: rewrite from the first one on */
	o = j->p;
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = (unsigned char)*j->p;

		if (c < 0x20)
			return fail(j, "control character in a string");
		if (c != '\\') {
			*o++ = *j->p++;
			continue;
		}
		if (j->end - j->p < 2)
			break;
		j->p++;
		switch (*j->p) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u': {
			unsigned u, lo;

			if (!hex4(j, j->p + 1, &u))
				return false;
			j->p += 4;
			if (u >= 0xd800 && u < 0xdc00 && j->end - j->p >= 7 && j->p[1] == '\\' && j->p[2] == 'u' &&
			    hex4(j, j->p + 3, &lo) && lo >= 0xdc00 && lo < 0xe000) {
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
				j->p += 6;
			} else if (u >= 0xd800 && u < 0xe000) {
				u = 0xfffd; /* a lone surrogate */
			}
			j->err = NULL; /* hex4's probe of a second half may have failed */
			o += utf8_put(o, u);
			break;
		}
		default:
			return fail(j, "invalid escape in a string");
		}
		j->p++;
	}
	if (j->p >= j->end)
		return fail(j, "unterminated string");
	j->p++;
	if (out) {
		out->s = s;
		out->n = (size_t)(o - s);
	}
	return true;
}

static bool is_num_char(char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/* A number's text, checked for JSON's grammar. */
static bool numtext(struct jp *j, const char **s, size_t *n)
{
	const char *b;
	char *p;

	ws(j);
	b = p = j->p;
	if (p < j->end && *p == '-')
		p++;
	if (p >= j->end || *p < '0' || *p > '9')
		return fail(j, "expected a value");
	if (*p == '0')
		p++;
	else
		while (p < j->end && *p >= '0' && *p <= '9')
			p++;
	if (p < j->end && *p == '.') {
		p++;
		if (p >= j->end || *p < '0' || *p > '9')
			return j->p = p, fail(j, "invalid number");
		while (p < j->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < j->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < j->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= j->end || *p < '0' || *p > '9')
			return j->p = p, fail(j, "invalid number");
		while (p < j->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < j->end && is_num_char(*p))
		return j->p = p, fail(j, "invalid number");
	j->p = p;
	*s = b;
	*n = (size_t)(p - b);
	return true;
}

/* An integer: a JSON number, or a string of digits (proto JSON's 64-bit
 * integers); *neg for a leading minus. Values past 64 bits saturate. */
static bool integer(struct jp *j, uint64_t *v, bool *neg)
{
	struct sim_str t;
	const char *s;
	size_t n;
	uint64_t x = 0;

	ws(j);
	if (j->p < j->end && *j->p == '"') {
		if (!str(j, &t))
			return false;
		s = t.s;
		n = t.n;
	} else if (!numtext(j, &s, &n)) {
		return false;
	}
	*neg = n && *s == '-';
	for (size_t i = *neg; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		x = x > (UINT64_MAX - 9) / 10 ? UINT64_MAX : x * 10 + (uint64_t)(s[i] - '0');
	*v = *neg ? (uint64_t)-(int64_t)x : x;
	return true;
}

static bool value(struct jp *j, int depth);

static bool skip_word(struct jp *j, const char *w, size_t n)
{
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n))
		return fail(j, "expected a value");
	j->p += n;
	return true;
}

/* Any value, checked and skipped. */
static bool value(struct jp *j, int depth)
{
	const char *s;
	size_t n;

	ws(j);
	if (j->p >= j->end)
		return fail(j, "expected a value");
	switch (*j->p) {
	case '"':
		return str(j, NULL);
	case '{':
	case '[': {
		char close = *j->p == '{' ? '}' : ']';
		bool obj = close == '}';

		if (depth >= MAX_DEPTH)
			return fail(j, "nested too deep");
		j->p++;
		if (lit(j, close))
			return true;
		do {
			if (obj && (!str(j, NULL) || (!lit(j, ':') && fail(j, "expected ':'"))))
				return false;
			if (!value(j, depth + 1))
				return false;
		} while (lit(j, ','));
		return lit(j, close) || fail(j, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
	case 't': return skip_word(j, "true", 4);
	case 'f': return skip_word(j, "false", 5);
	case 'n': return skip_word(j, "null", 4);
	}
	return numtext(j, &s, &n);
}

/* a member's name against a literal: its length known at compile time */
#define KEYIS(k, lit) ((k)->n == sizeof(lit) - 1 && !memcmp((k)->s, lit, sizeof(lit) - 1))

static bool keyis(const struct sim_str *k, const char *s)
{
	size_t n = strlen(s);

	return k->n == n && !memcmp(k->s, s, n);
}

/* Walks an object: for each member, cb reads it (or returns 0 to have it
 * skipped); false on a syntax error. */
typedef int (*member_fn)(struct jp *j, const struct sim_str *key, void *ctx, int depth);

static bool object(struct jp *j, member_fn cb, void *ctx, int depth)
{
	struct sim_str k;

	if (depth >= MAX_DEPTH)
		return fail(j, "nested too deep");
	if (!lit(j, '{'))
		return fail(j, "expected an object");
	if (lit(j, '}'))
		return true;
	do {
		int r;

		if (!str(j, &k))
			return false;
		if (!lit(j, ':'))
			return fail(j, "expected ':'");
		r = cb(j, &k, ctx, depth + 1);
		if (r < 0)
			return false;
		if (!r && !value(j, depth + 1))
			return false;
	} while (lit(j, ','));
	return lit(j, '}') || fail(j, "expected ',' or '}'");
}

static inline bool peek(struct jp *j, char c)
{
	ws(j);
	return j->p < j->end && *j->p == c;
}

/* ---- members ---- */

static int cap_list(struct jp *j, uint64_t *set, int depth)
{
	struct sim_str s;
	char name[40];

	*set = 0;
	if (!lit(j, '['))
		return fail(j, "expected a list of capabilities") ? 1 : -1;
	if (lit(j, ']'))
		return 1;
	do {
		unsigned bit;
		uint64_t v;
		bool neg;

		if (!peek(j, '"')) {
			if (!integer(j, &v, &neg))
				return -1;
			if (!neg && v < 64)
				*set |= 1ull << v;
			continue;
		}
		if (!str(j, &s))
			return -1;
		if (s.n + 5 > sizeof(name))
			continue;
		/* Tetragon spells bit 1 DAC_OVERRIDE, the others CAP_* */
		snprintf(name, sizeof(name), "%s%.*s", s.n >= 4 && !memcmp(s.s, "CAP_", 4) ? "" : "CAP_", (int)s.n,
			 s.s);
		if (!cap_from(name, &bit))
			*set |= 1ull << (bit & 63);
	} while (lit(j, ','));
	return lit(j, ']') || fail(j, "expected ',' or ']'") ? 1 : -1;
}

static int caps_member(struct jp *j, const struct sim_str *k, void *ctx, int depth)
{
	struct sim_proc *p = ctx;
	int i = KEYIS(k, "effective") ? 0 : KEYIS(k, "permitted") ? 1 : KEYIS(k, "inheritable") ? 2 : -1;

	if (i < 0)
		return 0;
	return cap_list(j, &p->caps[i], depth);
}

struct ns_ctx {
	struct sim_proc *p;
	int which;
};

static int ns_inner(struct jp *j, const struct sim_str *k, void *ctx, int depth)
{
	struct ns_ctx *n = ctx;
	uint64_t v;
	bool neg;

	if (KEYIS(k, "inum")) {
		if (!integer(j, &v, &neg))
			return -1;
		n->p->ns[n->which] = (uint32_t)v;
		return 1;
	}
	if (KEYIS(k, "is_host") && peek(j, 't')) {
		n->p->ns_host |= (uint16_t)(1u << n->which);
		return 0;
	}
	return 0;
}

static int ns_member(struct jp *j, const struct sim_str *k, void *ctx, int depth)
{
	struct ns_ctx n = { .p = ctx, .which = -1 };

	for (int i = 0; i < VN__COUNT; i++)
		if (keyis(k, ns_name(i)))
			n.which = i;
	if (n.which < 0 || !peek(j, '{'))
		return 0;
	return object(j, ns_inner, &n, depth) ? 1 : -1;
}

static int container_member(struct jp *j, const struct sim_str *k, void *ctx, int depth)
{
	struct sim_proc *p = ctx;

	if ((KEYIS(k, "id") || (KEYIS(k, "name") && !p->container.s)) && peek(j, '"'))
		return str(j, &p->container) ? 1 : -1;
	return 0;
}

static int pod_member(struct jp *j, const struct sim_str *k, void *ctx, int depth)
{
	if (KEYIS(k, "container") && peek(j, '{'))
		return object(j, container_member, ctx, depth) ? 1 : -1;
	return 0;
}

static int proc_member(struct jp *j, const struct sim_str *k, void *ctx, int depth)
{
	struct sim_proc *p = ctx;
	struct sim_str *s = NULL;
	uint64_t v;
	bool neg;

	if (k->n < 2)
		return 0;
	switch (k->s[0]) {
	case 'e': if (KEYIS(k, "exec_id")) s = &p->exec_id; break;
	case 'b': if (KEYIS(k, "binary")) s = &p->binary; break;
	case 'a': if (KEYIS(k, "arguments")) s = &p->arguments; break;
	case 's': if (KEYIS(k, "start_time")) s = &p->start_time; break;
	case 'd': if (KEYIS(k, "docker")) s = &p->container; break;
	case 'p':
		if (KEYIS(k, "parent_exec_id")) {
			s = &p->parent_exec_id;
		} else if (KEYIS(k, "pid")) {
			if (!integer(j, &v, &neg))
				return -1;
			p->pid = (uint32_t)v;
			p->has_pid = true;
			return 1;
		} else if (KEYIS(k, "pod") && peek(j, '{')) {
			return object(j, pod_member, p, depth) ? 1 : -1;
		}
		break;
	case 'c':
		if (KEYIS(k, "cap") && (j->want & SIM_WANT_CAPS) && peek(j, '{')) {
			p->has_caps = true;
			return object(j, caps_member, p, depth) ? 1 : -1;
		}
		break;
	case 'n':
		if (KEYIS(k, "ns") && (j->want & SIM_WANT_NS) && peek(j, '{')) {
			p->has_ns = true;
			return object(j, ns_member, p, depth) ? 1 : -1;
		}
		break;
	}
	if (!s || !peek(j, '"'))
		return 0;
	return str(j, s) ? 1 : -1;
}

/* ---- arguments ---- */

static const struct {
	const char *key;
	enum sim_arg_type type;
} arg_types[] = {
	{ "file_arg", SA_FILE }, { "path_arg", SA_PATH }, { "linux_binprm_arg", SA_BINPRM },
	{ "int_arg", SA_INT }, { "size_arg", SA_SIZE }, { "long_arg", SA_LONG }, { "uint_arg", SA_UINT },
	{ "string_arg", SA_STRING }, { "sock_arg", SA_SOCK }, { "sockaddr_arg", SA_SOCKADDR },
	{ "syscall_id", SA_SYSCALL }, { "process_credentials_arg", SA_CRED },
	{ "capability_arg", SA_CAPABILITY }, { "user_ns_arg", SA_USER_NS }, { "bytes_arg", SA_BYTES },
	{ "truncated_bytes_arg", SA_BYTES },
};

static void sock_name(const struct sim_str *s, enum ev_sock_field f, uint16_t *out)
{
	unsigned v;

	if (s->s && !ev_sock_value(f, s->s, s->n, &v))
		*out = (uint16_t)v;
}

static void ip(const struct sim_str *s, uint8_t *out)
{
	char buf[64];

	if (!s->s || s->n >= sizeof(buf))
		return;
	memcpy(buf, s->s, s->n);
	buf[s->n] = '\0';
	if (inet_pton(AF_INET, buf, out) != 1)
		inet_pton(AF_INET6, buf, out);
}

struct obj_arg {
	struct sim_arg *a;
	struct sim_str family, proto, saddr, daddr, abi;
};

static int arg_obj_member(struct jp *j, const struct sim_str *k, void *ctx, int depth)
{
	struct obj_arg *o = ctx;
	struct sim_arg *a = o->a;
	struct sim_str *s = NULL, fl;
	uint64_t v;
	bool neg;

	if (KEYIS(k, "path")) {
		if (!str(j, &a->str))
			return -1;
		a->flags &= (uint8_t)~SIM_ARG_NOPATH;
		return 1;
	}
	if (KEYIS(k, "flags") && peek(j, '"')) {
		if (!str(j, &fl))
			return -1;
		if (fl.n)
			a->flags |= SIM_ARG_CUT;
		return 1;
	}
	if (KEYIS(k, "family")) s = &o->family;
	else if (KEYIS(k, "protocol")) s = &o->proto;
	else if (KEYIS(k, "saddr") || KEYIS(k, "addr")) s = &o->saddr;
	else if (KEYIS(k, "daddr")) s = &o->daddr;
	else if (KEYIS(k, "abi")) s = &o->abi;
	if (s && peek(j, '"'))
		return str(j, s) ? 1 : -1;
	if (KEYIS(k, "sport") || KEYIS(k, "port") || KEYIS(k, "dport") || KEYIS(k, "id") || KEYIS(k, "euid") ||
	    KEYIS(k, "value")) {
		if (!integer(j, &v, &neg))
			return -1;
		if (k->s[0] == 'd')
			a->dport = (uint16_t)v;
		else if (k->s[0] == 's' || k->s[0] == 'p')
			a->sport = (uint16_t)v;
		else
			a->num = v;
		return 1;
	}
	if (KEYIS(k, "ns") && peek(j, '{'))
		return object(j, arg_obj_member, ctx, depth) ? 1 : -1;
	if (KEYIS(k, "inum")) {
		if (!integer(j, &v, &neg))
			return -1;
		a->num = v;
		return 1;
	}
	return 0;
}

/* One {"file_arg":{...},"label":"..."} object. */
static int arg_member(struct jp *j, const struct sim_str *k, void *ctx, int depth)
{
	struct sim_arg *a = ctx;
	struct obj_arg o = { .a = a };
	uint64_t v;
	bool neg;

	for (size_t i = 0; i < sizeof(arg_types) / sizeof(arg_types[0]); i++) {
		if (!keyis(k, arg_types[i].key))
			continue;
		a->type = (uint8_t)arg_types[i].type;
		switch (a->type) {
		case SA_INT: case SA_SIZE: case SA_LONG: case SA_UINT:
			if (!integer(j, &v, &neg))
				return -1;
			a->num = a->type == SA_INT && !neg ? (uint64_t)(int64_t)(int32_t)v : v;
			return 1;
		case SA_STRING:
			return str(j, &a->str) ? 1 : -1;
		case SA_BYTES:
			return 0;
		}
		if (!peek(j, '{'))
			return 0;
		if (a->type == SA_FILE || a->type == SA_PATH || a->type == SA_BINPRM)
			a->flags |= SIM_ARG_NOPATH;
		if (!object(j, arg_obj_member, &o, depth))
			return -1;
		sock_name(&o.family, EVS_FAMILY, &a->family);
		sock_name(&o.proto, EVS_PROTOCOL, &a->proto);
		if (a->family == 2 || a->family == 10) {
			ip(&o.saddr, a->saddr);
			ip(&o.daddr, a->daddr);
		}
		if (a->type == SA_SYSCALL && o.abi.s && o.abi.n == 4 && !memcmp(o.abi.s, "i386", 4))
			a->num |= VETO_SYSCALL_IA32;
		return 1;
	}
	if (!a->type)
		a->type = SA_OTHER;
	return 0;
}

uint64_t sim_hash(const void *p, size_t n, uint64_t seed)
{
	const char *c = p;
	uint64_t h = seed ^ n, w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, c + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, c + i, n - i);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	return h ^ h >> 32;
}

static uint64_t memo_hash(const char *p, size_t left, bool parent)
{
	return sim_hash(p, left < 72 ? left : 72, parent);
}

static void rebase(struct sim_str *s, const char *from, size_t n, const char *to)
{
	if (s->s && s->s >= from && s->s < from + n)
		s->s = to + (s->s - from);
}

/* A process (or parent) object: from the memo when its text was read
 * before, else read and remembered. */
static int proc_obj(struct jp *j, struct sim_proc *p, bool parent, int depth, uint32_t **hint)
{
	struct sim_memo *set, *m = NULL;
	bool rewrote = j->rewrote;
	char *start;
	size_t n, left;

	ws(j);
	start = j->p;
	left = (size_t)(j->end - j->p);
	set = &j->ps->memo[(memo_hash(start, left, parent) % (SIM_MEMO / 2)) * 2];
	for (int w = 0; w < 2; w++) {
		struct sim_memo *x = &set[w];

		if (x->len && x->parent == parent && x->len <= left && !memcmp(start, x->raw, x->len)) {
			set->recent = (uint8_t)w;
			*p = x->p;
			j->p += x->len;
			if (hint)
				*hint = &x->hint;
			return 1;
		}
	}
	j->rewrote = false;
	if (!object(j, proc_member, p, depth))
		return -1;
	n = (size_t)(j->p - start);
	if (!j->rewrote && n <= SIM_MEMO_BYTES) {
		/* an empty way, else the one not used last */
		int w = !set[0].len ? 0 : !set[1].len ? 1 : !set->recent;

		m = &set[w];
		if (!m->raw)
			m->raw = malloc(SIM_MEMO_BYTES);
		if (!m->raw)
			m = NULL;
		else
			set->recent = (uint8_t)w;
	}
	if (m) {
		memcpy(m->raw, start, n);
		m->len = (uint32_t)n;
		m->parent = parent;
		m->hint = UINT32_MAX;
		if (hint)
			*hint = &m->hint;
		m->p = *p;
		rebase(&m->p.exec_id, start, n, m->raw);
		rebase(&m->p.parent_exec_id, start, n, m->raw);
		rebase(&m->p.binary, start, n, m->raw);
		rebase(&m->p.arguments, start, n, m->raw);
		rebase(&m->p.container, start, n, m->raw);
		rebase(&m->p.start_time, start, n, m->raw);
	}
	j->rewrote |= rewrote;
	return 1;
}

void sim_parser_free(struct sim_parser *ps)
{
	for (size_t i = 0; i < SIM_MEMO; i++) {
		free(ps->memo[i].raw);
		ps->memo[i].raw = NULL;
		ps->memo[i].len = 0;
	}
}

struct inner {
	struct sim_event *e;
	struct sim_proc parent;
};

static int anc_member(struct jp *j, const struct sim_str *k, void *ctx, int depth)
{
	struct sim_event *e = ctx;
	unsigned i = e->n_ancestors;

	if (KEYIS(k, "exec_id") && peek(j, '"'))
		return str(j, &e->anc_exec_id[i]) ? 1 : -1;
	if (KEYIS(k, "binary") && peek(j, '"'))
		return str(j, &e->anc_binary[i]) ? 1 : -1;
	return 0;
}

static int inner_member(struct jp *j, const struct sim_str *k, void *ctx, int depth)
{
	struct inner *in = ctx;
	struct sim_event *e = in->e;
	struct sim_str *s = NULL;

	if (KEYIS(k, "process") && peek(j, '{'))
		return proc_obj(j, &e->proc, false, depth, &e->proc_hint);
	if (KEYIS(k, "parent") && peek(j, '{')) {
		unsigned want = j->want;
		int r;

		j->want = 0;
		r = proc_obj(j, &in->parent, true, depth, NULL);
		j->want = want;
		e->has_parent = true;
		e->parent_binary = in->parent.binary;
		e->parent_exec_id = in->parent.exec_id;
		return r;
	}
	if (KEYIS(k, "args") && peek(j, '[')) {
		j->p++;
		if (lit(j, ']'))
			return 1;
		do {
			struct sim_arg scratch, *a = e->n_args < VETO_ARG_MAX ? &e->args[e->n_args] : &scratch;

			memset(a, 0, sizeof(*a));
			if (!peek(j, '{')) {
				if (!value(j, depth + 1))
					return -1;
				a->type = SA_OTHER;
			} else if (!object(j, arg_member, a, depth + 1)) {
				return -1;
			}
			if (e->n_args < VETO_ARG_MAX)
				e->n_args++;
		} while (lit(j, ','));
		return lit(j, ']') || fail(j, "expected ',' or ']'") ? 1 : -1;
	}
	if (KEYIS(k, "return") && peek(j, '{')) {
		memset(&e->ret, 0, sizeof(e->ret));
		e->has_return = true;
		return object(j, arg_member, &e->ret, depth) ? 1 : -1;
	}
	if (KEYIS(k, "ancestors") && peek(j, '[')) {
		j->p++;
		if (lit(j, ']'))
			return 1;
		do {
			if (e->n_ancestors >= SIM_ANCESTORS || !peek(j, '{')) {
				if (!value(j, depth + 1))
					return -1;
				continue;
			}
			e->anc_exec_id[e->n_ancestors] = (struct sim_str){ 0 };
			e->anc_binary[e->n_ancestors] = (struct sim_str){ 0 };
			if (!object(j, anc_member, e, depth + 1))
				return -1;
			e->n_ancestors++;
		} while (lit(j, ','));
		return lit(j, ']') || fail(j, "expected ',' or ']'") ? 1 : -1;
	}
	if (KEYIS(k, "function_name")) s = &e->function;
	else if (KEYIS(k, "subsys")) s = &e->subsys;
	else if (KEYIS(k, "event")) s = &e->event;
	else if (KEYIS(k, "policy_name")) s = &e->policy;
	else if (KEYIS(k, "action")) s = &e->action;
	if (s && peek(j, '"'))
		return str(j, s) ? 1 : -1;
	return 0;
}

static const struct {
	const char *key;
	enum sim_kind kind;
} kinds[] = {
	{ "process_exec", SK_EXEC }, { "process_exit", SK_EXIT }, { "process_kprobe", SK_KPROBE },
	{ "process_lsm", SK_LSM }, { "process_tracepoint", SK_TRACEPOINT },
};

static int top_member(struct jp *j, const struct sim_str *k, void *ctx, int depth)
{
	struct sim_event *e = ctx;
	struct inner in = { .e = e };

	if (KEYIS(k, "time") && peek(j, '"'))
		return str(j, &e->time) ? 1 : -1;
	if (KEYIS(k, "node_name") || KEYIS(k, "veto"))
		return 0;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (keyis(k, kinds[i].key) && peek(j, '{') && e->kind == SK_OTHER) {
			e->kind = kinds[i].kind;
			e->kind_name = *k;
			return object(j, inner_member, &in, depth) ? 1 : -1;
		}
	if (!e->kind_name.s)
		e->kind_name = *k;
	return 0;
}

int sim_event_parse(struct sim_parser *ps, char *line, size_t len, struct sim_event *e, size_t *col, char *err,
		    size_t errlen)
{
	struct jp j = { .p = line, .end = line + len, .start = line, .want = ps->want, .ps = ps };

	e->kind = SK_OTHER;
	e->proc_hint = NULL;
	e->kind_name = e->time = (struct sim_str){ 0 };
	memset(&e->proc, 0, sizeof(e->proc));
	e->has_parent = false;
	e->parent_binary = e->parent_exec_id = (struct sim_str){ 0 };
	e->function = e->subsys = e->event = e->policy = e->action = (struct sim_str){ 0 };
	e->n_args = 0;
	e->has_return = false;
	e->n_ancestors = 0;
	if (object(&j, top_member, e, 0)) {
		ws(&j);
		if (j.p == j.end)
			return 0;
		fail(&j, "text after the event's object");
	}
	*col = (size_t)((j.at ? j.at : j.p) - line) + 1;
	snprintf(err, errlen, "%s", j.err ? j.err : "not JSON");
	return -EINVAL;
}

bool sim_arg_is_path(const struct sim_arg *a)
{
	return a->type == SA_FILE || a->type == SA_PATH || a->type == SA_BINPRM;
}
