/* RFC 3339 UTC timestamps the way protobuf's JSON mapping writes them, and
 * read back (exports' times, --since/--until). */
#ifndef VETO_TIMEFMT_H
#define VETO_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#define TIMEFMT_LEN 40

/* ns since the epoch -> "2023-10-06T22:03:57.700327580Z": 0, 3, 6 or 9
 * fraction digits, as few as represent the value. Returns the length. */
size_t timefmt_rfc3339(uint64_t ns, char out[TIMEFMT_LEN]);

/* "2026-12-01T23:46:08.772716476Z", or with an offset ("+02:00") instead of
 * Z; 0 to 9 fraction digits; years 1678 to 2262 (int64 ns) -> ns since the
 * epoch. 0, or -EINVAL with why (at least 64 bytes): what is wrong and at
 * which byte (1-based). */
int timefmt_parse(const char *s, int64_t *ns, char *why, size_t whylen);
/* A time as the commands take it: RFC 3339 as above, or a duration in Go's
 * syntax ("90m", "2h", util/duration.c) meaning that long before now (ns
 * since the epoch). 0, or -EINVAL with why. */
int timefmt_parse_arg(const char *s, int64_t now, int64_t *ns, char *why, size_t whylen);

#endif
