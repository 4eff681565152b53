/* Durations in Go's syntax (time.ParseDuration), as Tetragon's flags take
 * them: "1h30m", "90s", "1.5h", "250ms", "0". */
#ifndef VETO_DURATION_H
#define VETO_DURATION_H

#include <stddef.h>
#include <stdint.h>

/* Parses s into *ns. A sign is refused (no negative durations here), as are
 * an empty string, a number without a unit (except "0"), an unknown unit and
 * an overflow. Returns 0 or -EINVAL with why (at least 64 bytes) saying what
 * is wrong and at which byte (1-based). */
int duration_parse(const char *s, uint64_t *ns, char *why, size_t whylen);

#endif
