/* RFC 3339 UTC timestamps the way protobuf's JSON mapping writes them. */
#ifndef VETO_TIMEFMT_H
#define VETO_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#define TIMEFMT_LEN 40

/* ns since the epoch -> "2023-10-06T22:03:57.700327580Z": 0, 3, 6 or 9
 * fraction digits, as few as represent the value. Returns the length. */
size_t timefmt_rfc3339(uint64_t ns, char out[TIMEFMT_LEN]);
/* The reverse, for times read back from exports: "YYYY-MM-DDTHH:MM:SS",
 * an optional fraction (1-9 digits), then "Z" or "+hh:mm"/"-hh:mm"; the n
 * bytes at s exactly. 0 with *ns since the epoch (negative before 1970), or
 * -EINVAL for anything else, an impossible date or a time int64 ns cannot hold. */
int timefmt_parse_rfc3339(const char *s, size_t n, int64_t *ns);

#endif
