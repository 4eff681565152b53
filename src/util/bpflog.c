#include "util/bpflog.h"

#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/out.h"

static char first[256], verifier[256], why[520];

/* The verifier log comes in one message; keep the line that says why (the
 * one before "processed N insns" and the timing lines). */
static void keep_verifier(char *log)
{
	char *end = strstr(log, "-- END PROG LOAD LOG --"), *start;

	while (end > log && end[-1] == '\n')
		end--;
	*end = '\0';
	for (int i = 0; i < 4 && (start = strrchr(log, '\n')); i++) {
		if (strncmp(start + 1, "processed ", 10) && strncmp(start + 1, "verification time", 17) &&
		    strncmp(start + 1, "stack depth", 11)) {
			snprintf(verifier, sizeof(verifier), "verifier: %s", start + 1);
			return;
		}
		*start = '\0';
	}
}

static int print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static char line[1 << 20];
	va_list copy;

	va_copy(copy, ap);
	vsnprintf(line, sizeof(line), fmt, copy);
	va_end(copy);
	if (out_verbose)
		fputs(line, stderr);
	if (level == LIBBPF_DEBUG)
		return 0;
	if (strstr(line, "-- END PROG LOAD LOG --")) {
		if (!verifier[0])
			keep_verifier(line);
		return 0;
	}
	line[strcspn(line, "\n")] = '\0';
	if (line[0] && !first[0])
		snprintf(first, sizeof(first), "%s", strncmp(line, "libbpf: ", 8) ? line : line + 8);
	return 0;
}

void bpflog_reset(void)
{
	static int installed;

	if (!installed) {
		libbpf_set_print(print);
		installed = 1;
	}
	first[0] = verifier[0] = '\0';
}

const char *bpflog_why(void)
{
	snprintf(why, sizeof(why), "%s%s%s", first, first[0] && verifier[0] ? ": " : "", verifier);
	return why;
}
