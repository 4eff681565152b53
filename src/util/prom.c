#include "util/prom.h"

#include <stdio.h>
#include <string.h>

static void put(struct jw *w, const char *s)
{
	jw_raw(w, s, strlen(s));
}

/* HELP text escapes \ and newline; a label value also ". */
static void escaped(struct jw *w, const char *s, bool quote)
{
	for (const char *p = s; *p; p++) {
		if (*p == '\\')
			jw_raw(w, "\\\\", 2);
		else if (*p == '\n')
			jw_raw(w, "\\n", 2);
		else if (*p == '"' && quote)
			jw_raw(w, "\\\"", 2);
		else
			jw_raw(w, p, 1);
	}
}

void prom_family(struct jw *w, const char *name, const char *type, const char *help)
{
	put(w, "# HELP ");
	put(w, name);
	put(w, " ");
	escaped(w, help, false);
	put(w, "\n# TYPE ");
	put(w, name);
	put(w, " ");
	put(w, type);
	put(w, "\n");
}

void prom_label_value(struct jw *w, const char *s)
{
	escaped(w, s, true);
}

static void head(struct jw *w, const char *name, const char *const *labels, size_t n)
{
	put(w, name);
	if (!n) {
		put(w, " ");
		return;
	}
	put(w, "{");
	for (size_t i = 0; i < n; i++) {
		if (i)
			put(w, ",");
		put(w, labels[2 * i]);
		put(w, "=\"");
		prom_label_value(w, labels[2 * i + 1] ? labels[2 * i + 1] : "");
		put(w, "\"");
	}
	put(w, "} ");
}

void prom_sample(struct jw *w, const char *name, const char *const *labels, size_t n, uint64_t value)
{
	head(w, name, labels, n);
	jw_raw_uint(w, value);
	put(w, "\n");
}

void prom_sample_f(struct jw *w, const char *name, const char *const *labels, size_t n, double value)
{
	char b[64];

	head(w, name, labels, n);
	snprintf(b, sizeof(b), "%.9g\n", value);
	put(w, b);
}
