#include "compile/tpformat.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void trim_copy(char *dst, size_t cap, const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* "const char * filename" -> ("const char *", "filename");
 * "unsigned long args[6]" -> ("unsigned long[6]", "args") */
static int split_decl(const char *d, size_t n, struct tp_field *f)
{
	size_t end = n, arr = n, start;
	char type[96];

	while (end && isspace((unsigned char)d[end - 1]))
		end--;
	if (end && d[end - 1] == ']') {
		arr = end;
		while (arr && d[arr - 1] != '[')
			arr--;
		if (!arr)
			return -1;
		arr--;
		end = arr;
	}
	start = end;
	while (start && (isalnum((unsigned char)d[start - 1]) || d[start - 1] == '_'))
		start--;
	if (start == end)
		return -1;
	trim_copy(f->name, sizeof(f->name), d + start, end - start);
	trim_copy(type, sizeof(type), d, start);
	if (arr < n)
		snprintf(f->type, sizeof(f->type), "%s%.*s", type, (int)(n - arr), d + arr);
	else
		snprintf(f->type, sizeof(f->type), "%s", type);
	return 0;
}

static int num_after(const char *line, const char *key, long *v)
{
	const char *p = strstr(line, key);
	char *e;

	if (!p)
		return -1;
	*v = strtol(p + strlen(key), &e, 10);
	return e == p + strlen(key) || *e != ';' ? -1 : 0;
}

int tp_format_parse(const char *text, struct tp_format *out, unsigned *line)
{
	const char *p = text;
	unsigned ln = 0;

	memset(out, 0, sizeof(*out));
	while (*p) {
		const char *eol = strchr(p, '\n'), *decl, *semi;
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char buf[512];
		long off, size, sgn;
		struct tp_field *f;

		ln++;
		trim_copy(buf, sizeof(buf), p, len);
		p += len + (eol ? 1 : 0);
		if (strncmp(buf, "field:", 6))
			continue;
		decl = buf + 6;
		semi = strchr(decl, ';');
		if (!semi || num_after(semi, "offset:", &off) || num_after(semi, "size:", &size) ||
		    num_after(semi, "signed:", &sgn) || off < 0 || off > 65535 || size < 0 || size > 65535)
			goto bad;
		if (!(out->n & (out->n + 1)) || !out->f) { /* grow at 0, 1, 3, 7, ... */
			f = realloc(out->f, (out->n + 1) * 2 * sizeof(*f));
			if (!f) {
				tp_format_free(out);
				return -ENOMEM;
			}
			out->f = f;
		}
		f = &out->f[out->n];
		memset(f, 0, sizeof(*f));
		if (split_decl(decl, (size_t)(semi - decl), f))
			goto bad;
		f->off = (uint16_t)off;
		f->size = (uint16_t)size;
		f->is_signed = sgn != 0;
		out->n++;
	}
	if (!out->n) {
		*line = 1;
		return -EINVAL;
	}
	return 0;
bad:
	*line = ln;
	tp_format_free(out);
	return -EINVAL;
}

void tp_format_free(struct tp_format *f)
{
	free(f->f);
	memset(f, 0, sizeof(*f));
}

int tp_format_read(const char *subsys, const char *event, struct tp_format *out)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[512], *text = NULL;
	int r = -ENOENT;

	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		char probe[300];
		FILE *fp;
		size_t cap = 0, n = 0;

		snprintf(probe, sizeof(probe), "%s/events", roots[i]);
		if (access(probe, F_OK))
			continue; /* tracefs not mounted there */
		snprintf(path, sizeof(path), "%s/events/%s/%s/format", roots[i], subsys, event);
		fp = fopen(path, "re");
		if (!fp)
			return -errno;
		for (;;) {
			char *t;
			if (n + 4096 + 1 > cap) {
				cap = cap ? cap * 2 : 8192;
				t = realloc(text, cap);
				if (!t) {
					r = -ENOMEM;
					break;
				}
				text = t;
			}
			size_t got = fread(text + n, 1, cap - n - 1, fp);
			n += got;
			if (!got) {
				text[n] = '\0';
				r = 0;
				break;
			}
		}
		fclose(fp);
		if (!r) {
			unsigned line;
			r = tp_format_parse(text, out, &line);
		}
		free(text);
		return r;
	}
	return -ENODEV; /* no tracefs */
}
