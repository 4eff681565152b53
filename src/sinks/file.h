/* Line sink to a file descriptor: stdout, or a file rotated by size. */
#ifndef VETO_SINKS_FILE_H
#define VETO_SINKS_FILE_H

#include <stddef.h>
#include <stdint.h>

struct file_sink {
	char *path;         /* NULL: stdout */
	int fd;
	uint64_t size;      /* bytes in the current file */
	uint64_t max_size;  /* rotate before exceeding it (0: never) */
	int backups;        /* path.1 .. path.N kept */
	uint64_t written;   /* lines written */
	uint64_t failed;    /* lines that could not be written (counted, not silent) */
	uint64_t rotations;
};

/* path NULL writes to stdout. Returns 0 or -errno. */
int file_sink_open(struct file_sink *s, const char *path, uint64_t max_size, int backups);
/* Writes one line (a newline is added). A failed write (disk full) leaves
 * the file as it was before the line and returns -errno. */
int file_sink_write(struct file_sink *s, const char *line, size_t len);
void file_sink_close(struct file_sink *s);

#endif
