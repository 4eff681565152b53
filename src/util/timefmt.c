#include "util/timefmt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

size_t timefmt_rfc3339(uint64_t ns, char out[TIMEFMT_LEN])
{
	/* gmtime_r per event is the costly part: remember the last second */
	static __thread time_t last_sec = -1;
	static __thread char last_date[24];
	time_t sec = (time_t)(ns / 1000000000ull);
	unsigned frac = (unsigned)(ns % 1000000000ull);
	size_t n;

	if (sec != last_sec) {
		struct tm tm;
		gmtime_r(&sec, &tm);
		strftime(last_date, sizeof(last_date), "%Y-%m-%dT%H:%M:%S", &tm);
		last_sec = sec;
	}
	n = strlen(last_date);
	memcpy(out, last_date, n);
	if (frac == 0)
		n += snprintf(out + n, TIMEFMT_LEN - n, "Z");
	else if (frac % 1000000 == 0)
		n += snprintf(out + n, TIMEFMT_LEN - n, ".%03uZ", frac / 1000000);
	else if (frac % 1000 == 0)
		n += snprintf(out + n, TIMEFMT_LEN - n, ".%06uZ", frac / 1000);
	else
		n += snprintf(out + n, TIMEFMT_LEN - n, ".%09uZ", frac);
	return n;
}
