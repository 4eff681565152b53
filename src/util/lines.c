#include "util/lines.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define CHUNK (64u << 10)

struct lines {
	gzFile gz;
	char *chunk; /* what zlib gave, not yet taken */
	size_t pos, len;
	bool eof;
	char *buf; /* the object being gathered: LINES_MAX + 1 */
	size_t n;
	unsigned long lineno;
	bool joined;
};

int lines_open(struct lines **out, int fd)
{
	struct lines *l = calloc(1, sizeof(*l));

	*out = NULL;
	if (l) {
		l->chunk = malloc(CHUNK);
		l->buf = malloc(LINES_MAX + 1);
		/* zlib reads a file without the gzip magic as it is */
		l->gz = l->chunk && l->buf ? gzdopen(fd, "rb") : NULL;
	}
	if (!l || !l->gz) {
		if (l) {
			free(l->chunk);
			free(l->buf);
		}
		free(l);
		close(fd);
		return -ENOMEM;
	}
	*out = l;
	return 0;
}

void lines_close(struct lines *l)
{
	if (!l)
		return;
	gzclose(l->gz);
	free(l->chunk);
	free(l->buf);
	free(l);
}

bool lines_joined(const struct lines *l)
{
	return l->joined;
}

unsigned long lines_count(const struct lines *l)
{
	return l->lineno;
}

/* Appends the next line, without its newline, to buf. 1 a line, 0 the end,
 * -EIO. *over when it did not fit: the rest of the line is read and dropped. */
static int next_line(struct lines *l, bool *over, char *why, size_t whylen)
{
	bool any = false;
	int n, zerr;

	*over = false;
	for (;;) {
		char *p, *nl;
		size_t take;

		if (l->pos == l->len) {
			n = l->eof ? 0 : gzread(l->gz, l->chunk, CHUNK);
			/* a cut gzip member ends as the end with Z_BUF_ERROR set */
			if (n < 0 || (n == 0 && !l->eof && (gzerror(l->gz, &zerr), zerr != Z_OK))) {
				const char *msg = gzerror(l->gz, &zerr);
				if (zerr == Z_ERRNO)
					snprintf(why, whylen, "%s", strerror(errno));
				else if (zerr == Z_BUF_ERROR)
					snprintf(why, whylen, "gzip data cut short (a truncated file)");
				else
					snprintf(why, whylen, "damaged gzip data: %s", msg);
				l->eof = true;
				return -EIO;
			}
			if (n == 0) {
				l->eof = true;
				if (any)
					l->lineno++; /* the last line, without a newline */
				return any;
			}
			l->pos = 0;
			l->len = (size_t)n;
		}
		any = true;
		p = l->chunk + l->pos;
		nl = memchr(p, '\n', l->len - l->pos);
		take = nl ? (size_t)(nl - p) : l->len - l->pos;
		if (!*over && l->n + take <= LINES_MAX) {
			memcpy(l->buf + l->n, p, take);
			l->n += take;
		} else {
			*over = true;
		}
		l->pos += take + (nl != NULL);
		if (nl) {
			l->lineno++;
			return 1;
		}
	}
}

/* The text from..n without trailing blanks (and a CR) is exactly s. */
static bool line_is(const struct lines *l, size_t from, const char *s)
{
	size_t end = l->n, len = strlen(s);

	while (end > from && memchr(" \t\r", l->buf[end - 1], 3))
		end--;
	return end - from == len && !memcmp(l->buf + from, s, len);
}

/* A pretty-printed object made one line, in place: the blanks and newlines
 * outside strings go (inside them, JSON has no raw newline to keep). */
static void one_line(struct lines *l)
{
	bool in_str = false, esc = false;
	size_t o = 0;

	for (size_t i = 0; i < l->n; i++) {
		char c = l->buf[i];

		if (in_str) {
			in_str = esc || c != '"';
			esc = !esc && c == '\\';
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			continue;
		} else {
			in_str = c == '"';
		}
		l->buf[o++] = c;
	}
	l->n = o;
}

/* Drops the lines up to a line "}" (or the end): what is left of an object
 * that cannot be taken. */
static int skip_object(struct lines *l, char *why, size_t whylen)
{
	bool over;
	int rc;

	for (;;) {
		l->n = 0;
		rc = next_line(l, &over, why, whylen);
		if (rc <= 0)
			return rc;
		if (!over && line_is(l, 0, "}"))
			return 1;
	}
}

int lines_next(struct lines *l, const char **text, size_t *len, unsigned long *lineno, char *why,
	       size_t whylen)
{
	bool over;
	size_t from, nul;
	int rc;

	l->joined = false;
	for (;;) {
		l->n = 0;
		rc = next_line(l, &over, why, whylen);
		if (rc <= 0)
			return rc;
		*lineno = l->lineno;
		if (over) {
			snprintf(why, whylen, "line longer than %u bytes", LINES_MAX);
			return -EINVAL;
		}
		l->buf[l->n] = '\0';
		if (l->n != strspn(l->buf, " \t\r"))
			break;
		/* a blank line: nothing */
	}
	if (line_is(l, 0, "{")) {
		/* pretty-printed: the object ends at a "}" at the start of a line */
		do {
			if (l->n == LINES_MAX) {
				over = true;
			} else {
				l->buf[l->n++] = '\n';
				from = l->n;
				rc = next_line(l, &over, why, whylen);
				if (rc < 0)
					return rc;
				if (rc == 0) {
					snprintf(why, whylen, "the object opened on this line is not closed at the end");
					return -EINVAL;
				}
			}
			if (over) {
				snprintf(why, whylen, "object longer than %u bytes", LINES_MAX);
				rc = skip_object(l, why, whylen);
				return rc < 0 ? rc : -EINVAL;
			}
		} while (!line_is(l, from, "}"));
		one_line(l);
		l->joined = true;
	}
	nul = strnlen(l->buf, l->n);
	if (nul < l->n) {
		snprintf(why, whylen, "a NUL byte at byte %zu", nul + 1);
		return -EINVAL;
	}
	l->buf[l->n] = '\0';
	*text = l->buf;
	*len = l->n;
	return 1;
}
