#include "sinks/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static int open_file(struct file_sink *s)
{
	struct stat st;

	s->fd = open(s->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (s->fd < 0)
		return -errno;
	s->size = fstat(s->fd, &st) ? 0 : (uint64_t)st.st_size;
	return 0;
}

int file_sink_open(struct file_sink *s, const char *path, uint64_t max_size, int backups)
{
	memset(s, 0, sizeof(*s));
	s->fd = STDOUT_FILENO;
	s->max_size = max_size;
	s->backups = backups < 0 ? 0 : backups;
	if (!path)
		return 0;
	s->path = strdup(path);
	if (!s->path)
		return -ENOMEM;
	return open_file(s);
}

/* path.N-1 -> path.N ... path -> path.1, then a fresh path. */
static int rotate(struct file_sink *s)
{
	size_t n = strlen(s->path) + 16;
	char *from = malloc(n), *to = malloc(n);
	int err = 0;

	if (!from || !to) {
		err = -ENOMEM;
		goto out;
	}
	close(s->fd);
	s->fd = -1;
	if (s->backups == 0) {
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
	if (open_file(s) && !err)
		err = -errno;
out:
	free(from);
	free(to);
	return err;
}

int file_sink_write(struct file_sink *s, const char *line, size_t len)
{
	struct iovec iov[2] = { { (void *)line, len }, { "\n", 1 } };
	size_t want = len + 1, done = 0;
	int err;

	if (s->path && s->max_size && s->size > 0 && s->size + want > s->max_size) {
		err = rotate(s);
		if (err && s->fd < 0) {
			s->failed++;
			return err;
		}
	}
	if (s->fd < 0 && s->path && (err = open_file(s))) {
		s->failed++;
		return err;
	}
	while (done < want) {
		ssize_t n = writev(s->fd, iov, 2);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			/* keep the file made of whole lines: with O_APPEND the
			 * partial line is the last `done` bytes */
			if (done && s->path) {
				struct stat st;
				if (!fstat(s->fd, &st) && (uint64_t)st.st_size >= done && ftruncate(s->fd, st.st_size - done)) {
				}
			}
			s->failed++;
			return err;
		}
		done += n;
		/* advance the iovecs past what was written */
		while (n > 0) {
			struct iovec *v = iov[0].iov_len ? &iov[0] : &iov[1];
			size_t k = (size_t)n < v->iov_len ? (size_t)n : v->iov_len;
			v->iov_base = (char *)v->iov_base + k;
			v->iov_len -= k;
			n -= k;
		}
	}
	s->size += want;
	s->written++;
	return 0;
}

void file_sink_close(struct file_sink *s)
{
	if (!s)
		return;
	if (s->path && s->fd >= 0)
		close(s->fd);
	free(s->path);
	s->path = NULL;
	s->fd = -1;
}
