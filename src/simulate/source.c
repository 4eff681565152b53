/* Event lines from a file or stdin: read in large blocks, split at
 * newlines in place, each line bounded (SIM_LINE_MAX), so a file without
 * newlines costs a bounded buffer and an error, not all memory. */
#include "simulate/source.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLOCK (SIM_LINE_MAX * 2)

struct file_src {
	int fd;
	bool own;
	char *buf;
	size_t start, end;
	bool eof;
};

static int file_next(struct sim_source *s, char **line, size_t *len)
{
	struct file_src *f = s->priv;

	for (;;) {
		char *nl = memchr(f->buf + f->start, '\n', f->end - f->start);
		ssize_t r;

		if (nl || (f->eof && f->end > f->start)) {
			size_t n = nl ? (size_t)(nl - (f->buf + f->start)) : f->end - f->start;

			*line = f->buf + f->start;
			*len = n;
			f->start += n + (nl ? 1 : 0);
			s->lineno++;
			if (n > SIM_LINE_MAX) {
				snprintf(s->err, sizeof(s->err), "%s:%zu: line longer than %u bytes", s->name, s->lineno,
					 SIM_LINE_MAX);
				return -E2BIG;
			}
			if (n && (*line)[n - 1] == '\r')
				*len = n - 1;
			return 1;
		}
		if (f->eof)
			return 0;
		if (f->end - f->start > SIM_LINE_MAX) {
			snprintf(s->err, sizeof(s->err), "%s:%zu: line longer than %u bytes", s->name, s->lineno + 1,
				 SIM_LINE_MAX);
			return -E2BIG;
		}
		if (f->start) {
			memmove(f->buf, f->buf + f->start, f->end - f->start);
			f->end -= f->start;
			f->start = 0;
		}
		r = read(f->fd, f->buf + f->end, BLOCK - f->end);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			snprintf(s->err, sizeof(s->err), "%s: %s", s->name, strerror(e));
			return -e;
		}
		if (!r)
			f->eof = true;
		f->end += (size_t)r;
	}
}

static void file_close(struct sim_source *s)
{
	struct file_src *f = s->priv;

	if (!f)
		return;
	if (f->own)
		close(f->fd);
	free(f->buf);
	free(f);
	s->priv = NULL;
}

int sim_source_file(struct sim_source *s, const char *path)
{
	struct file_src *f = calloc(1, sizeof(*f));
	bool in = !strcmp(path, "-");

	memset(s, 0, sizeof(*s));
	s->name = in ? "stdin" : path;
	if (!f || !(f->buf = malloc(BLOCK))) {
		free(f);
		snprintf(s->err, sizeof(s->err), "%s: out of memory", s->name);
		return -ENOMEM;
	}
	f->fd = in ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	f->own = !in;
	if (f->fd < 0) {
		int e = errno;

		free(f->buf);
		free(f);
		snprintf(s->err, sizeof(s->err), "%s: %s", path, strerror(e));
		return -e;
	}
	s->priv = f;
	s->next = file_next;
	s->close = file_close;
	return 0;
}
