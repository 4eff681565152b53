/* Rotated export files, gzip-compressed on a thread of their own so the
 * event loop never waits for zlib: the loop renames the full file to a
 * staging name and hands it over; the thread compresses it, shifts
 * PATH.1.gz .. PATH.N.gz up by one (the oldest goes) and puts the new one
 * at PATH.1.gz. */
#ifndef VETO_SINKS_GZBACKUPS_H
#define VETO_SINKS_GZBACKUPS_H

#include <stddef.h>
#include <stdint.h>

/* Rotated files waiting for the thread, at most: past this, one more is
 * removed uncompressed and counted in lost (a disk slower than the events). */
#define GZ_QUEUE_MAX 8

struct gz_backups;

struct gz_stats {
	uint64_t compressed; /* backups written as PATH.1.gz */
	uint64_t failed;     /* could not be compressed: kept uncompressed as PATH.1 */
	uint64_t lost;       /* removed: the queue was full */
	int last_err;        /* -errno of the last failure */
};

/* Starts the thread for the export file path, keeping backups (>= 1) files. */
int gz_backups_start(struct gz_backups **out, const char *path, int backups);
/* The staging name of rotation seq into out (room for strlen(path) + 32). */
void gz_backups_staging(const char *path, uint64_t seq, char *out, size_t n);
/* Hands over the file renamed to seq's staging name. 0, or -ENOBUFS when
 * GZ_QUEUE_MAX wait (the file is removed, counted in lost). */
int gz_backups_add(struct gz_backups *g, uint64_t seq);
void gz_backups_stats(struct gz_backups *g, struct gz_stats *st);
/* Compresses what is queued, then ends the thread and frees g. NULL is fine. */
void gz_backups_stop(struct gz_backups *g);

#endif
