#include "util/out.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/json.h"

enum out_fmt out_fmt = OUT_TEXT;
bool out_verbose;

int out_parse(const char *s, enum out_fmt *fmt)
{
	if (!strcmp(s, "text"))
		*fmt = OUT_TEXT;
	else if (!strcmp(s, "json"))
		*fmt = OUT_JSON;
	else
		return -EINVAL;
	return 0;
}

void out_error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (out_fmt == OUT_JSON) {
		struct jw w;
		jw_init(&w);
		jw_obj_open(&w);
		jw_kstr(&w, "error", msg);
		jw_obj_close(&w);
		jw_flush_line(&w, stdout);
		jw_free(&w);
	} else {
		fprintf(stderr, "Error: %s\n", msg);
	}
}

void out_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("Warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
