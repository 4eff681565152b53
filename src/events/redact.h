/* --redaction-filters: secrets taken out of process arguments once, where
 * they are decoded (exec records, /proc at start), so that no sink, client
 * or later event (exit, a child's parent) ever holds them. The filters are
 * Tetragon's RedactionFilter objects, one after another:
 *   {"redact": ["(?:--password|-p)(?:\\s+|=)(\\S*)"], "binary_regex": ["^/usr/bin/mysql$"]}
 * Each capture group of a `redact` match becomes "*****"; `binary_regex`,
 * when given, limits the filter to the binaries it matches. */
#ifndef VETO_EVENTS_REDACT_H
#define VETO_EVENTS_REDACT_H

#include <stddef.h>
#include <stdint.h>

#define REDACT_MASK "*****"
/* Matches of one pattern in one process's arguments, at most: past it, as
 * when the regex engine gives up, the arguments are all masked (a crafted
 * command line must cost bounded time, and must not leak by doing so). */
#define REDACT_MAX_MATCHES 32
/* CPU time one process's arguments may cost, all patterns together:
 * checked after each search (the regex engine bounds each one on its own);
 * the thread's own CPU time, so that being scheduled out costs nothing. */
#define REDACT_BUDGET_NS 20000000ull

struct redactor;

struct redact_stats {
	uint64_t redacted; /* processes whose arguments were changed */
	uint64_t gave_up;  /* ... masked whole: too many matches or too costly a match */
};

/* Parses the filters (JSON objects, whitespace between them). 0, -EINVAL
 * with why saying what and where (line:col of the text), or -ENOMEM. No
 * filter at all is an error too: the flag would protect nothing. */
int redact_parse(struct redactor **out, const char *text, char *why, size_t whylen);
void redact_free(struct redactor *r);

/* What redact_proc did. */
#define REDACT_CHANGED 1u
#define REDACT_CUT 2u /* the masks made the arguments longer than argv_cap: cut */

/* Redacts one process's arguments: argv[0, *argv_len) (argv[1..], each
 * ending in NUL) is matched as Tetragon's joined arguments (one space
 * between words) and rewritten in place; args (args_cap bytes) is formatted
 * again from it. Returns REDACT_* bits. */
unsigned redact_proc(struct redactor *r, const char *binary, char *argv, size_t *argv_len, size_t argv_cap,
		     char *args, size_t args_cap);
void redact_stats(const struct redactor *r, struct redact_stats *st);

#endif
