#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>

void logmsg(const char *fmt, ...)
{
	va_list ap;

	fputs("veto: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
