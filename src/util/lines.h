/* Exported JSON events read back from a file or a pipe, one at a time:
 * plain or gzip-compressed (told by the gzip magic; several members one
 * after another, as concatenated backups are, read as one), one object a
 * line (given as written), or pretty-printed objects (a line "{" to a line
 * "}", as jq and Tetragon's documentation print them: given as one line).
 * Memory stays constant: an object is at most LINES_MAX bytes. */
#ifndef VETO_UTIL_LINES_H
#define VETO_UTIL_LINES_H

#include <stdbool.h>
#include <stddef.h>

#define LINES_MAX (1u << 20)

struct lines;

/* Reads fd (its own from now on: closed by lines_close). 0 or -ENOMEM. */
int lines_open(struct lines **out, int fd);
/* The next object: 1 with *text (NUL-terminated, valid until the next
 * call), *len and *lineno (its first line, 1-based); 0 at the end; -EINVAL
 * for a bad one (longer than LINES_MAX, a NUL byte, an object left open),
 * skipped so that the next call goes on after it; -EIO when the rest cannot
 * be read (damaged or truncated gzip data, a read error). why says what. */
int lines_next(struct lines *l, const char **text, size_t *len, unsigned long *lineno, char *why,
	       size_t whylen);
/* The last object came pretty-printed, over several lines. */
bool lines_joined(const struct lines *l);
/* Lines read so far. */
unsigned long lines_count(const struct lines *l);
void lines_close(struct lines *l);

#endif
