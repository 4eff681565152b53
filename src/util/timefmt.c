#include "util/timefmt.h"

#include <errno.h>

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

static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

int timefmt_parse_rfc3339(const char *s, size_t n, int64_t *ns)
{
	static const unsigned char mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, sec, off = 0;
	int64_t frac = 0, secs;
	size_t i = 19;

	if (n < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
	    s[16] != ':')
		return -EINVAL;
	y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
	h = digits(s + 11, 2), mi = digits(s + 14, 2), sec = digits(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || sec < 0 || sec > 60)
		return -EINVAL;
	if (mo == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400)))
		return -EINVAL;
	if (s[i] == '.') {
		int k = 0;

		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, k++)
			if (k < 9)
				frac = frac * 10 + (s[i] - '0');
			else
				return -EINVAL;
		if (!k)
			return -EINVAL;
		for (; k < 9; k++)
			frac *= 10;
	}
	if (i + 1 == n && (s[i] == 'Z' || s[i] == 'z')) {
		off = 0;
	} else if (i + 6 == n && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
		int oh = digits(s + i + 1, 2), om = digits(s + i + 4, 2);

		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return -EINVAL;
		off = (oh * 60 + om) * 60 * (s[i] == '-' ? -1 : 1);
	} else {
		return -EINVAL;
	}
	secs = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec - off;
	/* int64 ns: 1677-09-21 to 2262-04-11 */
	if (secs > INT64_MAX / 1000000000 - 1 || secs < INT64_MIN / 1000000000 + 1)
		return -EINVAL;
	*ns = secs * 1000000000 + frac;
	return 0;
}
