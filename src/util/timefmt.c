#include "util/timefmt.h"

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
