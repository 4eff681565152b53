#include "util/json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/decimal.h"

void jw_init(struct jw *w)
{
	memset(w, 0, sizeof(*w));
	w->first[0] = true;
}

void jw_free(struct jw *w)
{
	if (!w)
		return;
	free(w->buf);
	jw_init(w);
}

void jw_reset(struct jw *w)
{
	w->len = 0;
	w->depth = 0;
	w->first[0] = true;
	w->oom = false;
}

void jw_raw_slow(struct jw *w, const char *s, size_t n)
{
	if (w->oom)
		return;
	size_t cap = w->cap ? w->cap : 256;
	while (cap < w->len + n + 1)
		cap *= 2;
	char *b = realloc(w->buf, cap);
	if (!b) {
		w->oom = true;
		return;
	}
	w->buf = b;
	w->cap = cap;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static inline void putc_(struct jw *w, char c)
{
	jw_raw(w, &c, 1);
}

/* Separator before a value or key at the current depth. */
static void sep(struct jw *w)
{
	if (!w->first[w->depth])
		putc_(w, ',');
	w->first[w->depth] = false;
}

static void open_(struct jw *w, char c)
{
	sep(w);
	putc_(w, c);
	if (w->depth + 1 < JW_MAX_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
}

static void close_(struct jw *w, char c)
{
	if (w->depth > 0)
		w->depth--;
	putc_(w, c);
}

void jw_obj_open(struct jw *w) { open_(w, '{'); }
void jw_obj_close(struct jw *w) { close_(w, '}'); }
void jw_arr_open(struct jw *w) { open_(w, '['); }
void jw_arr_close(struct jw *w) { close_(w, ']'); }

size_t utf8_seq(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	/* RFC 3629's table: the second byte's range excludes overlong forms,
	 * surrogates (ED A0..BF) and code points above U+10FFFF */
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* 1 for the bytes a JSON string cannot hold as they are, 2 for the first
 * byte of what must be checked as UTF-8 */
static const unsigned char esc[256] = {
	[0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xff] = 2,
};

/* Whether one of the 8 bytes at s needs a look: strings are mostly ASCII
 * with nothing to escape, so they are checked a word at a time (bit tricks
 * for "a byte < n" and "a zero byte"; a false alarm only costs the
 * byte-wise check). */
static inline bool word_needs_escape(const char *s)
{
	const uint64_t ones = 0x0101010101010101ull, high = ones * 0x80;
	uint64_t v, q, b;

	memcpy(&v, s, 8);
	q = v ^ (ones * '"');
	b = v ^ (ones * '\\');
	return (v | ((v - ones * 0x20) & ~v) | ((q - ones) & ~q) | ((b - ones) & ~b)) & high;
}

/* Always valid JSON in valid UTF-8, whatever the bytes: each run of bytes
 * that start no valid sequence becomes one U+FFFD, as Tetragon writes what
 * it reads from the kernel (Go's strings.ToValidUTF8). */
static void quoted(struct jw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0, bad_end = (size_t)-1; /* just after the last invalid byte */

	putc_(w, '"');
	for (size_t i = 0; i < n; i++) {
		while (i + 8 <= n && !word_needs_escape(s + i))
			i += 8;
		if (i >= n)
			break;
		unsigned char c = (unsigned char)s[i];
		if (!esc[c])
			continue;
		if (esc[c] == 2) {
			size_t k = utf8_seq(s + i, n - i);
			if (k) {
				i += k - 1;
				continue;
			}
		}
		jw_raw(w, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': jw_raw(w, "\\\"", 2); break;
		case '\\': jw_raw(w, "\\\\", 2); break;
		case '\n': jw_raw(w, "\\n", 2); break;
		case '\t': jw_raw(w, "\\t", 2); break;
		case '\r': jw_raw(w, "\\r", 2); break;
		default:
			if (c >= 0x80) {
				if (bad_end != i)
					jw_raw(w, "\\ufffd", 6);
				bad_end = i + 1;
			} else {
				char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
				jw_raw(w, u, 6);
			}
		}
	}
	jw_raw(w, s + run, n - run);
	putc_(w, '"');
}

void jw_key(struct jw *w, const char *key)
{
	sep(w);
	quoted(w, key, strlen(key));
	putc_(w, ':');
	/* the value that follows needs no separator */
	w->first[w->depth] = true;
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
	sep(w);
	quoted(w, s, n);
}

void jw_str(struct jw *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	jw_strn(w, s, strlen(s));
}

void jw_int(struct jw *w, int64_t v)
{
	char b[DECIMAL_MAX + 1], *p = decimal(b + sizeof(b), v < 0 ? -(uint64_t)v : (uint64_t)v);

	if (v < 0)
		*--p = '-';
	sep(w);
	jw_raw(w, p, b + sizeof(b) - p);
}

void jw_uint(struct jw *w, uint64_t v)
{
	sep(w);
	jw_raw_uint(w, v);
}

void jw_bool(struct jw *w, bool v)
{
	sep(w);
	if (v)
		jw_raw(w, "true", 4);
	else
		jw_raw(w, "false", 5);
}

void jw_null(struct jw *w)
{
	sep(w);
	jw_raw(w, "null", 4);
}

void jw_kstr(struct jw *w, const char *key, const char *s) { jw_key(w, key); jw_str(w, s); }
void jw_kint(struct jw *w, const char *key, int64_t v) { jw_key(w, key); jw_int(w, v); }
void jw_kuint(struct jw *w, const char *key, uint64_t v) { jw_key(w, key); jw_uint(w, v); }
void jw_kbool(struct jw *w, const char *key, bool v) { jw_key(w, key); jw_bool(w, v); }

void jw_raw_value(struct jw *w, const char *json, size_t n)
{
	sep(w);
	jw_raw(w, json, n);
}

void jw_raw_str(struct jw *w, const char *s, size_t n)
{
	quoted(w, s, n);
}

void jw_raw_uint(struct jw *w, uint64_t v)
{
	char b[DECIMAL_MAX], *p = decimal(b + sizeof(b), v);

	jw_raw(w, p, b + sizeof(b) - p);
}

int jw_flush_line(struct jw *w, FILE *f)
{
	if (w->oom)
		return -ENOMEM;
	if (fwrite(w->buf ? w->buf : "", 1, w->len, f) != w->len || fputc('\n', f) == EOF)
		return -EIO;
	return fflush(f) ? -errno : 0;
}
