/* Event lines from a file or stdin, through the one reader of exported
 * events (util/lines: plain or gzip-compressed, one object a line or
 * pretty-printed, each bounded), copied where the parser may rewrite them. */
#include "simulate/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/lines.h"

_Static_assert(SIM_LINE_MAX == LINES_MAX, "one bound on an event's length");

struct file_src {
	struct lines *l;
	char *buf;
};

static int file_next(struct sim_source *s, char **line, size_t *len)
{
	struct file_src *f = s->priv;
	unsigned long no;
	const char *text;
	char why[160];
	int r;

	r = lines_next(f->l, &text, len, &no, why, sizeof(why));
	if (r <= 0) {
		if (r < 0)
			snprintf(s->err, sizeof(s->err), "%s:%lu: %s", s->name, r == -EIO ? lines_count(f->l) : no, why);
		return r;
	}
	s->lineno = no;
	memcpy(f->buf, text, *len);
	f->buf[*len] = '\0';
	*line = f->buf;
	return 1;
}

static void file_close(struct sim_source *s)
{
	struct file_src *f = s->priv;

	if (!f)
		return;
	lines_close(f->l);
	free(f->buf);
	free(f);
	s->priv = NULL;
}

int sim_source_file(struct sim_source *s, const char *path)
{
	struct file_src *f = calloc(1, sizeof(*f));
	bool in = !strcmp(path, "-");
	int fd;

	memset(s, 0, sizeof(*s));
	s->name = in ? "stdin" : path;
	if (!f || !(f->buf = malloc(SIM_LINE_MAX + 1))) {
		free(f);
		snprintf(s->err, sizeof(s->err), "%s: out of memory", s->name);
		return -ENOMEM;
	}
	fd = in ? dup(0) : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		free(f->buf);
		free(f);
		snprintf(s->err, sizeof(s->err), "%s: %s", path, strerror(e));
		return -e;
	}
	if (lines_open(&f->l, fd)) {
		free(f->buf);
		free(f);
		snprintf(s->err, sizeof(s->err), "%s: out of memory", s->name);
		return -ENOMEM;
	}
	s->priv = f;
	s->next = file_next;
	s->close = file_close;
	return 0;
}
