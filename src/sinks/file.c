#include "sinks/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sinks/gzbackups.h"

int file_open_safe(const char *path, bool truncate)
{
	struct stat st;
	int fd, err = 0;

	/* O_NONBLOCK: a FIFO without a reader fails (ENXIO) instead of hanging */
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st))
		err = -errno;
	else if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
		err = -EINVAL;
	else if (st.st_uid != 0 && st.st_uid != geteuid())
		err = -EPERM;
	else if (S_ISREG(st.st_mode) && st.st_nlink > 1)
		err = -EMLINK;
	/* nobody else may append forged lines */
	else if (S_ISREG(st.st_mode) && (st.st_mode & 022) && fchmod(fd, st.st_mode & 0755))
		err = -errno;
	else if (S_ISREG(st.st_mode) && truncate && ftruncate(fd, 0))
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

const char *file_open_why(int err)
{
	switch (err) {
	case -ELOOP:
		return "it is a symbolic link (refused: write to the real path)";
	case -EPERM:
		return "it belongs to another user (refused: remove it or write elsewhere)";
	case -EMLINK:
		return "it has more than one hard link (refused)";
	case -EINVAL:
		return "not a regular file";
	case -ENXIO:
		return "a FIFO with no reader (refused: not a regular file)";
	default:
		return strerror(-err);
	}
}

static int open_file(struct file_sink *s)
{
	struct stat st;
	int fd = file_open_safe(s->path, false);

	if (fd < 0)
		return fd;
	s->fd = fd;
	s->size = fstat(s->fd, &st) ? 0 : (uint64_t)st.st_size;
	s->device = !fstat(s->fd, &st) && S_ISCHR(st.st_mode);
	return 0;
}

int file_sink_reopen(struct file_sink *s)
{
	if (!s->path)
		return 0;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	return open_file(s);
}

int file_sink_check(struct file_sink *s)
{
	struct stat st;
	int err;

	if (!s->path || s->fd < 0 || fstat(s->fd, &st) || st.st_nlink > 0)
		return 0;
	err = file_sink_reopen(s);
	return err ? err : 1;
}

/* A reader of stdout must never stall the agent. A regular file does not
 * wait for anyone; a pipe or a terminal is reopened, so that the shell
 * sharing its description keeps blocking writes; a socket cannot be. */
static int stdout_nonblock(struct file_sink *s)
{
	struct stat st;
	int fd, fl;

	if (fstat(STDOUT_FILENO, &st))
		return -errno;
	if (S_ISREG(st.st_mode))
		return 0;
	fd = open("/proc/self/fd/1", O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0) {
		s->fd = fd;
		s->own_fd = true;
		return 0;
	}
	fl = fcntl(STDOUT_FILENO, F_GETFL);
	if (fl < 0 || fcntl(STDOUT_FILENO, F_SETFL, fl | O_NONBLOCK))
		return -errno;
	return 0;
}

int file_sink_open(struct file_sink *s, const char *path, uint64_t max_size, int backups)
{
	memset(s, 0, sizeof(*s));
	s->fd = STDOUT_FILENO;
	s->max_size = max_size;
	s->backups = backups < 0 ? 0 : backups;
	if (!path)
		return stdout_nonblock(s);
	s->path = strdup(path);
	if (!s->path)
		return -ENOMEM;
	return open_file(s);
}

/* path.N-1 -> path.N ... path -> path.1, then a fresh path. */
static int rotate(struct file_sink *s)
{
	size_t n = strlen(s->path) + 32;
	char *from = malloc(n), *to = malloc(n);
	int err = 0, r;

	if (!from || !to) {
		err = -ENOMEM;
		goto out;
	}
	close(s->fd);
	s->fd = -1;
	if (s->gz) {
		/* the thread shifts the backups once this one is compressed */
		gz_backups_staging(s->path, s->rotations, to, n);
		if (!rename(s->path, to))
			gz_backups_add(s->gz, s->rotations); /* a full queue is counted there */
		else if (errno != ENOENT)
			err = -errno;
	} else if (s->backups == 0) {
		unlink(s->path);
	} else {
		for (int i = s->backups - 1; i >= 1; i--) {
			snprintf(from, n, "%s.%d", s->path, i);
			snprintf(to, n, "%s.%d", s->path, i + 1);
			rename(from, to); /* missing backups are fine */
		}
		snprintf(to, n, "%s.1", s->path);
		if (rename(s->path, to) && errno != ENOENT)
			err = -errno;
	}
	s->rotations++;
	r = open_file(s);
	if (r && !err)
		err = r;
out:
	free(from);
	free(to);
	return err;
}

int file_sink_compress(struct file_sink *s)
{
	if (!s->path || s->backups == 0 || s->gz)
		return 0;
	return gz_backups_start(&s->gz, s->path, s->backups);
}

int file_sink_rotate(struct file_sink *s)
{
	struct file_sink_result r;
	int err;

	if (!s->path || s->device)
		return 0;
	file_sink_flush(s, &r);
	if (s->size == 0 || r.queued)
		return 0;
	err = rotate(s);
	return err ? err : 1;
}

/* p with room for `need` elements of `size` bytes (capacity *cap), or NULL. */
static void *reserve(void *p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 64;

	if (need <= *cap)
		return p;
	while (n < need)
		n *= 2;
	p = realloc(p, n * size);
	if (p)
		*cap = n;
	return p;
}

int file_sink_add(struct file_sink *s, const char *line, size_t len)
{
	char *b;
	size_t *e;

	if (s->len + len + 1 > FILE_QUEUE_MAX) {
		s->dropped++;
		return -ENOBUFS;
	}
	b = reserve(s->buf, &s->cap, s->len + len + 1, 1);
	e = b ? reserve(s->ends, &s->lines_cap, s->nlines + 1, sizeof(*e)) : NULL;
	if (b)
		s->buf = b;
	if (!e) {
		s->failed++;
		return -ENOMEM;
	}
	s->ends = e;
	memcpy(s->buf + s->len, line, len);
	s->len += len;
	s->buf[s->len++] = '\n';
	s->ends[s->nlines++] = s->len;
	return 0;
}

static size_t line_start(const struct file_sink *s, size_t i)
{
	return i ? s->ends[i - 1] : 0;
}

/* bytes more in the current file would pass the size limit */
static bool too_big(const struct file_sink *s, uint64_t bytes)
{
	return s->path && !s->device && s->max_size && s->size + bytes > s->max_size;
}

static void line_ok(struct file_sink *s, struct file_sink_result *r, size_t i)
{
	s->size += s->ends[i] - line_start(s, i);
	s->written++;
	r->written++;
	r->last_ok = true;
}

static void line_failed(struct file_sink *s, struct file_sink_result *r, int err)
{
	s->failed++;
	r->failed++;
	r->err = err;
	r->last_ok = false;
}

/* Writes queued lines [i, j) in one write when the kernel takes it all.
 * Returns the first line not yet tried. A reader that is not ready (EAGAIN)
 * sets *kept to the bytes written so far: the rest waits in the queue. */
static size_t write_lines(struct file_sink *s, size_t i, size_t j, struct file_sink_result *r, size_t *kept)
{
	size_t done = line_start(s, i), end = s->ends[j - 1];

	while (done < end) {
		ssize_t n = write(s->fd, s->buf + done, end - done);
		int err;

		if (n >= 0) {
			done += n;
			continue;
		}
		if (errno == EINTR)
			continue;
		err = -errno;
		for (; s->ends[i] <= done; i++)
			line_ok(s, r, i);
		if (err == -EAGAIN) {
			*kept = done;
			return i;
		}
		/* keep the file made of whole lines: with O_APPEND the partial
		 * line is the file's last bytes */
		if (done > line_start(s, i) && s->path) {
			uint64_t part = done - line_start(s, i);
			struct stat st;
			if (!fstat(s->fd, &st) && (uint64_t)st.st_size >= part && ftruncate(s->fd, st.st_size - part)) {
			}
		}
		line_failed(s, r, err);
		return i + 1; /* a nearly full disk may still take the next, smaller lines */
	}
	for (; i < j; i++)
		line_ok(s, r, i);
	return j;
}

/* Keeps lines [i, nlines) queued, minus their first `from` bytes of buf,
 * already written. */
static void keep_from(struct file_sink *s, size_t i, size_t from)
{
	memmove(s->buf, s->buf + from, s->len - from);
	for (size_t k = i; k < s->nlines; k++)
		s->ends[k - i] = s->ends[k] - from;
	s->nlines -= i;
	s->len -= from;
}

void file_sink_flush(struct file_sink *s, struct file_sink_result *r)
{
	size_t i = 0, kept = SIZE_MAX;

	memset(r, 0, sizeof(*r));
	while (i < s->nlines && kept == SIZE_MAX) {
		size_t start = line_start(s, i), j = i + 1;
		int err;

		if (s->size > 0 && too_big(s, s->ends[i] - start)) {
			err = rotate(s);
			if (err && s->fd < 0) {
				line_failed(s, r, err);
				i++;
				continue;
			}
		}
		if (s->fd < 0 && s->path && (err = open_file(s))) {
			line_failed(s, r, err);
			i++;
			continue;
		}
		/* every line that fits before the next rotation, in one write */
		while (j < s->nlines && !too_big(s, s->ends[j] - start))
			j++;
		i = write_lines(s, i, j, r, &kept);
	}
	if (kept != SIZE_MAX) {
		keep_from(s, i, kept);
		r->queued = s->nlines;
		return;
	}
	s->len = s->nlines = 0;
}

int file_sink_write(struct file_sink *s, const char *line, size_t len)
{
	struct file_sink_result r;
	int err = file_sink_add(s, line, len);

	file_sink_flush(s, &r);
	return err ? err : r.last_ok ? 0 : r.err;
}

void file_sink_close(struct file_sink *s)
{
	struct file_sink_result r;

	if (!s)
		return;
	file_sink_flush(s, &r);
	s->failed += r.queued; /* the reader did not take them before the end */
	if ((s->path || s->own_fd) && s->fd >= 0)
		close(s->fd);
	gz_backups_stop(s->gz);
	s->gz = NULL;
	free(s->path);
	free(s->buf);
	free(s->ends);
	s->path = s->buf = NULL;
	s->ends = NULL;
	s->len = s->cap = s->nlines = s->lines_cap = 0;
	s->fd = -1;
}
