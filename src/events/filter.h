/* Which events a reader wants, as Tetragon's Filter messages say it: the one
 * filter engine of the export's allowlist and denylist, of each getevents
 * client (in the agent) and of getevents reading an export on stdin. A
 * filter looks at a small view of the event, filled from the agent's struct
 * ev or from an exported JSON line, so both paths match alike. */
#ifndef VETO_EVENTS_FILTER_H
#define VETO_EVENTS_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events/encode.h"
#include "util/jsonr.h"

#define FILTER_MAX 16   /* values of one key */
#define FILTER_STR 256  /* a namespace, policy name: with its NUL */

struct regex;

/* What a filter looks at; strings are "" when the event has none. */
struct ev_view {
	int kind;               /* enum ev_kind; -1: none of veto's */
	uint32_t pid;
	const char *binary, *parent_binary, *arguments;
	const char *docker;     /* the container id's first 31 characters */
	char docker_buf[32];
	const char *pod_namespace, *pod_name; /* from an export only: veto knows no pods */
	const char *policy_name;
};

/* One Filter: every key given must match (a key matches when one of its
 * values does). */
struct ev_match {
	uint32_t kinds;         /* event_set: bit per enum ev_kind; 0 = all */
	bool health_only;       /* health_check: true (veto has no such events) */
	int npids;
	uint32_t pids[FILTER_MAX];
	int nbin, nparent, nargs, npod, ncont;
	struct regex *bin[FILTER_MAX], *parent[FILTER_MAX], *args[FILTER_MAX];
	struct regex *pod[FILTER_MAX], *cont[FILTER_MAX];
	int nns, npol;
	char ns[FILTER_MAX][FILTER_STR], pol[FILTER_MAX][FILTER_STR];
};

/* A reader's filters: an event passes when it matches one of allow (or
 * allow is empty) and none of deny. */
struct ev_filter {
	struct ev_match *allow, *deny;
	size_t nallow, ndeny;
};

/* Does the event pass? (A NULL filter passes everything.) */
bool filter_match(const struct ev_filter *f, const struct ev *e);
bool filter_view_match(const struct ev_filter *f, const struct ev_view *v);
void filter_view_of_ev(struct ev_view *v, const struct ev *e);

/* Parses one Filter object (Tetragon's JSON, snake_case or lowerCamelCase
 * keys) into m. 0, or -EINVAL with err naming the key and the reason. */
int filter_parse_obj(const struct jr *obj, struct ev_match *m, char *err, size_t errlen);
/* Appends to *list the Filter objects of text, one JSON object per line
 * (blank lines skipped): Tetragon's --export-allowlist form. On error,
 * err is "LINE: why" and *list is as before. */
int filter_parse_lines(const char *text, struct ev_match **list, size_t *n, char *err, size_t errlen);
/* Frees what the matches hold (regexes) and the array. */
void filter_matches_free(struct ev_match *list, size_t n);
void filter_free(struct ev_filter *f);

/* An event type by Tetragon's name (PROCESS_KPROBE) or veto's
 * (process_kprobe, kprobe); 0 or -EINVAL. */
int filter_kind_parse(const char *s, enum ev_kind *k);
/* "PROCESS_EXEC, ..., or PROCESS_LSM": the types veto has, from the
 * encoder's table, for messages. */
void filter_kinds_list(char *out, size_t len);
/* Appends to out a pattern matching exactly s (for veto's --binary). */
void filter_regex_quote(const char *s, char *out, size_t outlen);

#endif
