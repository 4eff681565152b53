/* Line sink to a file descriptor: stdout, or a file rotated by size. Lines
 * are queued and written together by file_sink_flush: one write per batch
 * instead of one per line (each write to ext4 costs more than its bytes). */
#ifndef VETO_SINKS_FILE_H
#define VETO_SINKS_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gz_backups;

/* Bytes queued at most: a reader of stdout that does not keep up costs this
 * much memory, then its events are dropped (counted). */
#define FILE_QUEUE_MAX (4u << 20)

struct file_sink {
	char *path;         /* NULL: stdout */
	int fd;
	bool own_fd;        /* stdout reopened non-blocking: ours to close */
	uint64_t size;      /* bytes in the current file */
	bool device;        /* a character device (/dev/null): never rotated, never renamed */
	uint64_t max_size;  /* rotate before exceeding it (0: never) */
	int backups;        /* path.1 .. path.N kept */
	uint64_t written;   /* lines written */
	uint64_t failed;    /* lines that could not be written (counted, not silent) */
	uint64_t dropped;   /* lines refused because the queue was full */
	uint64_t rotations;
	struct gz_backups *gz; /* compresses the rotated files (file_sink_compress) */
	char *buf;          /* queued lines, each ending in '\n' */
	size_t len, cap;
	size_t *ends;       /* end offset in buf of each queued line */
	size_t nlines, lines_cap;
};

/* What one file_sink_flush did. */
struct file_sink_result {
	uint64_t written, failed; /* lines */
	int err;                  /* -errno of the last failed line, or 0 */
	bool last_ok;             /* the last line was written */
	size_t queued;            /* lines left for the next flush (stdout is slow) */
};

/* Opens path for appending (truncated first if asked), created 0600. Refuses
 * what another user could have planted or could read: a symbolic link
 * (-ELOOP), a file of another owner than root or the euid (-EPERM), a file
 * with other hard links (-EMLINK), what is neither a regular file nor a
 * character device (-EINVAL; a FIFO without reader: -ENXIO). Group and other
 * write permission are taken away. Returns the fd or -errno. */
int file_open_safe(const char *path, bool truncate);
/* Why file_open_safe refused, for a message. */
const char *file_open_why(int err);

/* path NULL writes to stdout, without ever waiting for its reader (a pipe,
 * a terminal or a socket gets a non-blocking description of its own where
 * it can be reopened, else stdout is made non-blocking). Returns 0 or -errno
 * (see file_open_safe). */
int file_sink_open(struct file_sink *s, const char *path, uint64_t max_size, int backups);
/* Rotated files are gzip-compressed from now on, off the caller's thread
 * (sinks/gzbackups.h): PATH.1.gz .. PATH.N.gz. Nothing to do for stdout or
 * without backups. 0 or -errno. */
int file_sink_compress(struct file_sink *s);
/* Rotates now when the file holds anything (the rotation interval): queued
 * lines are written first. 1 when rotated, 0 when the file was empty, or
 * -errno. */
int file_sink_rotate(struct file_sink *s);
/* Queues one line (a newline is added) for the next flush. Returns 0,
 * -ENOBUFS when FILE_QUEUE_MAX bytes are queued (counted in dropped), or
 * -ENOMEM (counted as failed). */
int file_sink_add(struct file_sink *s, const char *line, size_t len);
/* Writes the queued lines, one write per run of lines that fits before the
 * next rotation. Each line is written whole or not at all: a failed write
 * (disk full) takes back its partial line and the next lines still get
 * their try. Rotation happens between lines, as with file_sink_write. What
 * a reader is not ready for (EAGAIN) stays queued, a partial line included. */
void file_sink_flush(struct file_sink *s, struct file_sink_result *r);
/* Writes one line now (file_sink_add + file_sink_flush). Returns 0 or the
 * line's -errno. Lines queued before it are written first. */
int file_sink_write(struct file_sink *s, const char *line, size_t len);
/* Closes and opens path again (after logrotate renamed it: SIGHUP). 0 or -errno. */
int file_sink_reopen(struct file_sink *s);
/* Reopens the file when it was deleted (no link left). 1 when reopened, 0
 * when nothing was to do, or -errno. */
int file_sink_check(struct file_sink *s);
/* Flushes what is queued, then closes; compression of what was rotated
 * is finished first. */
void file_sink_close(struct file_sink *s);

#endif
