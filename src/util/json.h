/* Minimal streaming JSON writer into a growable buffer (one for every output). */
#ifndef VETO_JSON_H
#define VETO_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define JW_MAX_DEPTH 32

struct jw {
	char *buf;
	size_t len, cap;
	int depth;
	bool first[JW_MAX_DEPTH]; /* no member written yet at this depth */
	bool oom;
};

void jw_init(struct jw *w);
void jw_free(struct jw *w);
void jw_reset(struct jw *w);
void jw_obj_open(struct jw *w);
void jw_obj_close(struct jw *w);
void jw_arr_open(struct jw *w);
void jw_arr_close(struct jw *w);
void jw_key(struct jw *w, const char *key);
void jw_str(struct jw *w, const char *s);
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_int(struct jw *w, int64_t v);
void jw_uint(struct jw *w, uint64_t v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* key + value shorthands */
void jw_kstr(struct jw *w, const char *key, const char *s);
void jw_kint(struct jw *w, const char *key, int64_t v);
void jw_kuint(struct jw *w, const char *key, uint64_t v);
void jw_kbool(struct jw *w, const char *key, bool v);
/* jw_raw's way when the buffer must grow. */
void jw_raw_slow(struct jw *w, const char *s, size_t n);
/* Appends text as is: already-encoded JSON (or, for the compact format, plain
 * text). Inline: every byte of every event goes through here. */
static inline void jw_raw(struct jw *w, const char *s, size_t n)
{
	if (w->len + n + 1 > w->cap || w->oom) {
		jw_raw_slow(w, s, n);
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}
/* A value that is already-encoded JSON. */
void jw_raw_value(struct jw *w, const char *json, size_t n);
/* A quoted string or a number, appended as is (no separator): for encoders
 * that write their fixed keys and separators with jw_raw. */
void jw_raw_str(struct jw *w, const char *s, size_t n);
void jw_raw_uint(struct jw *w, uint64_t v);
/* Length (1-4) of the valid UTF-8 sequence at s (n bytes), or 0 when s[0]
 * starts none: overlong, surrogate, above U+10FFFF, truncated or stray. */
size_t utf8_seq(const char *s, size_t n);
/* Writes code point c (at most U+10FFFF) as UTF-8 at o; returns its length (1-4). */
size_t utf8_put(char *o, unsigned c);
/* Writes the buffer plus a newline; returns 0 or -errno. */
int jw_flush_line(struct jw *w, FILE *f);

#endif
