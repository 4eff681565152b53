#include "sinks/gzbackups.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

struct gz_backups {
	char *path;
	int backups;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	uint64_t queue[GZ_QUEUE_MAX]; /* staging sequence numbers, oldest first */
	size_t head, n;
	bool stop;
	struct gz_stats st; /* under lock */
};

void gz_backups_staging(const char *path, uint64_t seq, char *out, size_t n)
{
	snprintf(out, n, "%s.rotated-%llu", path, (unsigned long long)seq);
}

/* src gzipped into dst (created, never through a link). 0 or -errno. */
static int compress_file(const char *src, const char *dst)
{
	char buf[65536];
	int in, out, zerr, err = 0;
	gzFile z;
	ssize_t n;

	in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		err = -errno;
		close(in);
		return err;
	}
	z = gzdopen(out, "wb6");
	if (!z) {
		close(out);
		close(in);
		return -ENOMEM;
	}
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (gzwrite(z, buf, (unsigned)n) != (int)n) {
			gzerror(z, &zerr);
			err = zerr == Z_ERRNO && errno ? -errno : -EIO;
			break;
		}
	}
	zerr = gzclose(z); /* closes out; a full disk shows here too */
	if (!err && zerr != Z_OK)
		err = zerr == Z_ERRNO && errno ? -errno : -EIO;
	close(in);
	return err;
}

/* PATH.i(.gz) -> PATH.i+1(.gz) from the oldest; PATH.N(.gz) goes first. */
static void shift(const struct gz_backups *g, char *from, char *to, size_t n)
{
	static const char *const ext[] = { "", ".gz" };

	for (int e = 0; e < 2; e++) {
		snprintf(to, n, "%s.%d%s", g->path, g->backups, ext[e]);
		unlink(to);
	}
	for (int i = g->backups - 1; i >= 1; i--) {
		for (int e = 0; e < 2; e++) {
			snprintf(from, n, "%s.%d%s", g->path, i, ext[e]);
			snprintf(to, n, "%s.%d%s", g->path, i + 1, ext[e]);
			rename(from, to); /* missing backups are fine */
		}
	}
}

/* One rotated file: compressed aside, then the backups shift and it takes
 * PATH.1.gz. When it cannot be compressed it is kept as PATH.1. */
static void one(struct gz_backups *g, uint64_t seq)
{
	size_t n = strlen(g->path) + 32;
	char *staging = malloc(n), *part = malloc(n), *from = malloc(n), *to = malloc(n);
	int err = -ENOMEM;

	if (staging && part && from && to) {
		gz_backups_staging(g->path, seq, staging, n);
		snprintf(part, n, "%s.1.gz.part", g->path);
		err = compress_file(staging, part);
		shift(g, from, to, n);
		snprintf(to, n, "%s.1%s", g->path, err ? "" : ".gz");
		if (rename(err ? staging : part, to) && !err)
			err = -errno;
		unlink(err ? part : staging);
	}
	pthread_mutex_lock(&g->lock);
	if (err) {
		g->st.failed++;
		g->st.last_err = err;
	} else {
		g->st.compressed++;
	}
	pthread_mutex_unlock(&g->lock);
	free(staging);
	free(part);
	free(from);
	free(to);
}

static void *run(void *arg)
{
	struct gz_backups *g = arg;

	pthread_mutex_lock(&g->lock);
	for (;;) {
		uint64_t seq;

		while (!g->n && !g->stop)
			pthread_cond_wait(&g->wake, &g->lock);
		if (!g->n)
			break;
		seq = g->queue[g->head];
		pthread_mutex_unlock(&g->lock);
		one(g, seq);
		pthread_mutex_lock(&g->lock);
		/* taken off only now: the loop counts it as waiting until done */
		g->head = (g->head + 1) % GZ_QUEUE_MAX;
		g->n--;
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

int gz_backups_start(struct gz_backups **out, const char *path, int backups)
{
	struct gz_backups *g = calloc(1, sizeof(*g));
	int err;

	if (!g || !(g->path = strdup(path))) {
		free(g);
		return -ENOMEM;
	}
	g->backups = backups < 1 ? 1 : backups;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->wake, NULL);
	err = pthread_create(&g->thread, NULL, run, g);
	if (err) {
		free(g->path);
		free(g);
		return -err;
	}
	*out = g;
	return 0;
}

int gz_backups_add(struct gz_backups *g, uint64_t seq)
{
	char name[PATH_MAX + 32];
	bool full;

	pthread_mutex_lock(&g->lock);
	full = g->n == GZ_QUEUE_MAX;
	if (full) {
		g->st.lost++;
	} else {
		g->queue[(g->head + g->n) % GZ_QUEUE_MAX] = seq;
		g->n++;
		pthread_cond_signal(&g->wake);
	}
	pthread_mutex_unlock(&g->lock);
	if (!full)
		return 0;
	gz_backups_staging(g->path, seq, name, sizeof(name));
	unlink(name);
	return -ENOBUFS;
}

void gz_backups_stats(struct gz_backups *g, struct gz_stats *st)
{
	pthread_mutex_lock(&g->lock);
	*st = g->st;
	pthread_mutex_unlock(&g->lock);
}

void gz_backups_stop(struct gz_backups *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	g->stop = true;
	pthread_cond_signal(&g->wake);
	pthread_mutex_unlock(&g->lock);
	pthread_join(g->thread, NULL);
	pthread_mutex_destroy(&g->lock);
	pthread_cond_destroy(&g->wake);
	free(g->path);
	free(g);
}
