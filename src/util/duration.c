#include "util/duration.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	uint64_t ns;
} units[] = {
	/* the longest name that matches wins: "ms" over "m" */
	{ "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 }, { "\xce\xbcs", 1000 }, { "ms", 1000000 },
	{ "s", 1000000000ull }, { "m", 60000000000ull }, { "h", 3600000000000ull },
};

static int bad(char *why, size_t whylen, const char *s, const char *p, const char *what)
{
	snprintf(why, whylen, "%s at byte %zu of '%s'", what, (size_t)(p - s) + 1, s);
	return -EINVAL;
}

/* The unit at p, its length in *len, or 0 when none. */
static uint64_t unit_at(const char *p, size_t *len)
{
	size_t best = 0;
	uint64_t ns = 0;

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t n = strlen(units[i].name);
		if (n > best && !strncmp(p, units[i].name, n)) {
			best = n;
			ns = units[i].ns;
		}
	}
	*len = best;
	return ns;
}

int duration_parse(const char *s, uint64_t *ns, char *why, size_t whylen)
{
	const char *p = s;
	uint64_t total = 0;

	*ns = 0;
	if (!*s)
		return bad(why, whylen, s, s, "empty duration");
	if (*p == '-' || *p == '+')
		return bad(why, whylen, s, p, "a sign (a duration here is 0 or more)");
	if (!strcmp(s, "0"))
		return 0;
	while (*p) {
		uint64_t whole = 0, frac = 0, scale = 1, unit, part;
		bool digits = false;
		size_t ulen;

		for (; *p >= '0' && *p <= '9'; p++, digits = true) {
			if (whole > (UINT64_MAX - 9) / 10)
				return bad(why, whylen, s, p, "too large");
			whole = whole * 10 + (uint64_t)(*p - '0');
		}
		if (*p == '.') {
			p++;
			for (; *p >= '0' && *p <= '9'; p++, digits = true) {
				/* digits past nanoseconds change nothing */
				if (scale < 1000000000000000000ull) {
					frac = frac * 10 + (uint64_t)(*p - '0');
					scale *= 10;
				}
			}
		}
		if (!digits)
			return bad(why, whylen, s, p, "expected a number");
		unit = unit_at(p, &ulen);
		if (!unit)
			return bad(why, whylen, s, p, *p ? "unknown unit (ns, us, ms, s, m, h)" : "missing unit (ns, us, ms, s, m, h)");
		p += ulen;
		if (whole > UINT64_MAX / unit)
			return bad(why, whylen, s, p - ulen, "too large");
		part = whole * unit + (uint64_t)((double)frac * ((double)unit / (double)scale));
		if (part < whole * unit || total > UINT64_MAX - part)
			return bad(why, whylen, s, p - ulen, "too large");
		total += part;
	}
	*ns = total;
	return 0;
}
