/* Field filters, as Tetragon's FieldFilter: an INCLUDE or EXCLUDE mask of
 * dotted paths ("process.binary,parent") over the event's own object
 * (process_exec, ...), for the event types of event_set (all when empty;
 * the others when invert_event_set). node_name, time and veto stay. */
#ifndef VETO_EVENTS_FIELDS_H
#define VETO_EVENTS_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/json.h"
#include "util/jsonr.h"

#define FIELDS_MAX 32     /* paths in one filter */
#define FIELDS_PATH 128   /* a path, with its NUL */

struct field_filter {
	uint32_t kinds;   /* bit per enum ev_kind; 0 = every type */
	bool invert;      /* apply to the types not in kinds */
	bool include;     /* keep only the paths; else drop them */
	int n;
	char path[FIELDS_MAX][FIELDS_PATH];
};

/* "process.binary,process.pid" into f's paths. 0 or -EINVAL (err). */
int fields_parse_paths(struct field_filter *f, const char *csv, char *err, size_t errlen);
/* Appends the FieldFilter objects of text (one JSON object per line, as
 * Tetragon's --field-filters) to *v; on error err is "LINE: why" and *v as
 * before. */
int fields_parse_lines(const char *text, struct field_filter **v, size_t *n, char *err, size_t errlen);
/* Applies every filter, in order, to the parsed event ev; true when it
 * removed something. */
bool fields_apply(const struct field_filter *v, size_t n, struct jr *ev);
/* Writes a parsed value back as JSON. */
void fields_write(struct jw *w, const struct jr *v);

#endif
