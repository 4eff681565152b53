#include "util/timefmt.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/duration.h"

static void two(char *o, unsigned v)
{
	o[0] = (char)('0' + v / 10);
	o[1] = (char)('0' + v % 10);
}

/* "YYYY-MM-DDTHH:MM:SS" of a UTC time (days to civil date: H. Hinnant's
 * algorithm): what gmtime_r + strftime gave, without their cost per event. */
static void date_time(uint64_t sec, char out[19])
{
	uint64_t z = sec / 86400 + 719468, s = sec % 86400;
	uint64_t era = z / 146097, doe = z - era * 146097;
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	unsigned m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	unsigned y = (unsigned)(yoe + era * 400 + (m <= 2));

	two(out, y / 100 % 100);
	two(out + 2, y % 100);
	out[4] = '-';
	two(out + 5, m);
	out[7] = '-';
	two(out + 8, (unsigned)(doy - (153 * mp + 2) / 5 + 1));
	out[10] = 'T';
	two(out + 11, (unsigned)(s / 3600));
	out[13] = ':';
	two(out + 14, (unsigned)(s / 60 % 60));
	out[16] = ':';
	two(out + 17, (unsigned)(s % 60));
}

size_t timefmt_rfc3339(uint64_t ns, char out[TIMEFMT_LEN])
{
	unsigned frac = (unsigned)(ns % 1000000000ull), ndig = 9;
	size_t n = 19;

	date_time(ns / 1000000000ull, out);
	/* as few digits as the value needs: 0, 3, 6 or 9 */
	if (frac) {
		while (ndig > 3 && frac % 1000 == 0) {
			frac /= 1000;
			ndig -= 3;
		}
		out[n++] = '.';
		for (unsigned i = ndig; i-- > 0; frac /= 10)
			out[n + i] = (char)('0' + frac % 10);
		n += ndig;
	}
	out[n++] = 'Z';
	out[n] = '\0';
	return n;
}

/* The text being parsed: n bytes, not NUL-terminated; past them, '\0'. */
struct text {
	const char *s;
	size_t n;
	char *why; /* NULL: no message wanted */
	size_t whylen;
};

static char at(const struct text *t, size_t i)
{
	return i < t->n ? t->s[i] : '\0';
}

static int bad(const struct text *t, size_t i, const char *what)
{
	if (t->why)
		snprintf(t->why, t->whylen, "%s at byte %zu of '%.*s'", what, i + 1, (int)(t->n > 64 ? 64 : t->n),
			 t->s);
	return -EINVAL;
}

/* n decimal digits at *i into *v; -1 when one is not a digit (*i is then
 * that byte). */
static int digits(const struct text *t, size_t *i, unsigned n, unsigned *v)
{
	*v = 0;
	for (unsigned k = 0; k < n; k++, (*i)++) {
		if (at(t, *i) < '0' || at(t, *i) > '9')
			return -1;
		*v = *v * 10 + (unsigned)(at(t, *i) - '0');
	}
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static unsigned month_days(unsigned y, unsigned m)
{
	static const unsigned char mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return mdays[m - 1];
}

static int parse(const struct text *t, int64_t *ns)
{
	/* the fixed part: where each field starts, its width, what follows it */
	static const struct {
		unsigned at, width, max;
		char sep;
		const char *name;
	} f[] = {
		{ 0, 4, 9999, '-', "year" },	{ 5, 2, 12, '-', "month" },  { 8, 2, 31, 'T', "day" },
		{ 11, 2, 23, ':', "hour" },	{ 14, 2, 59, ':', "minute" }, { 17, 2, 59, 0, "second" },
	};
	unsigned v[6], frac = 0, ndig = 0, oh, om;
	int64_t secs, off = 0, r;
	size_t i = 0;
	char what[64];

	*ns = 0;
	for (size_t k = 0; k < 6; k++) {
		i = f[k].at;
		if (digits(t, &i, f[k].width, &v[k])) {
			snprintf(what, sizeof(what), "expected the %s (YYYY-MM-DDTHH:MM:SS)", f[k].name);
			return bad(t, i, what);
		}
		if ((k != 0 && v[k] > f[k].max) || ((k == 1 || k == 2) && v[k] == 0) ||
		    (k == 2 && v[k] > month_days(v[0], v[1]))) {
			snprintf(what, sizeof(what), "%s out of range", f[k].name);
			return bad(t, f[k].at, what);
		}
		/* RFC 3339 allows a lowercase t (and z) */
		if (f[k].sep && at(t, i) != f[k].sep && !(f[k].sep == 'T' && at(t, i) == 't')) {
			snprintf(what, sizeof(what), "expected '%c' after the %s", f[k].sep, f[k].name);
			return bad(t, i, what);
		}
	}
	i = 19;
	if (at(t, i) == '.') {
		for (i++; at(t, i) >= '0' && at(t, i) <= '9'; i++) {
			if (++ndig > 9)
				return bad(t, i, "more than 9 fraction digits");
			frac = frac * 10 + (unsigned)(at(t, i) - '0');
		}
		if (!ndig)
			return bad(t, i, "expected fraction digits after '.'");
		for (unsigned k = ndig; k < 9; k++)
			frac *= 10;
	}
	if (at(t, i) == 'Z' || at(t, i) == 'z') {
		i++;
	} else if (at(t, i) == '+' || at(t, i) == '-') {
		size_t sign = i++;
		if (digits(t, &i, 2, &oh) || at(t, i++) != ':' || digits(t, &i, 2, &om))
			return bad(t, sign, "expected an offset as +HH:MM or -HH:MM");
		if (oh > 23 || om > 59)
			return bad(t, sign, "offset out of range");
		off = (int64_t)(oh * 3600 + om * 60) * (at(t, sign) == '-' ? -1 : 1);
	} else {
		return bad(t, i, "expected Z or an offset (+HH:MM) after the time");
	}
	if (i != t->n)
		return bad(t, i, "unexpected text after the time");
	secs = days_from_civil(v[0], v[1], v[2]) * 86400 + v[3] * 3600 + v[4] * 60 + v[5] - off;
	if (__builtin_mul_overflow(secs, (int64_t)1000000000, &r) || __builtin_add_overflow(r, (int64_t)frac, &r))
		return bad(t, 0, "out of range (1678 to 2262)");
	*ns = r;
	return 0;
}

int timefmt_parse_rfc3339(const char *s, size_t n, int64_t *ns)
{
	const struct text t = { s, n, NULL, 0 };

	return parse(&t, ns);
}

int timefmt_parse(const char *s, int64_t *ns, char *why, size_t whylen)
{
	const struct text t = { s, strlen(s), why, whylen };

	return parse(&t, ns);
}

int timefmt_parse_arg(const char *s, int64_t now, int64_t *ns, char *why, size_t whylen)
{
	uint64_t ago;
	char dwhy[200];

	*ns = 0;
	/* a year and its dash: meant as a time, so its errors are a time's */
	if (strlen(s) >= 5 && strspn(s, "0123456789") == 4 && s[4] == '-')
		return timefmt_parse(s, ns, why, whylen);
	if (duration_parse(s, &ago, dwhy, sizeof(dwhy))) {
		snprintf(why, whylen, "neither an RFC 3339 time (2026-12-01T23:46:08Z) nor a duration (90m, 2h): %s",
			 dwhy);
		return -EINVAL;
	}
	if (ago > (uint64_t)INT64_MAX || __builtin_sub_overflow(now, (int64_t)ago, ns)) {
		*ns = 0;
		snprintf(why, whylen, "'%s' ago is before 1678", s);
		return -EINVAL;
	}
	return 0;
}
