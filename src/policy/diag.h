/* Diagnostics: located errors and warnings, collected by library code, printed by commands. */
#ifndef VETO_POLICY_DIAG_H
#define VETO_POLICY_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A file with errors this bad is not worth reading further: stop collecting. */
#define DIAG_MAX_PER_FILE 200

enum diag_sev { DIAG_ERROR, DIAG_WARNING };

struct diag {
	char *file;
	uint32_t line, col; /* 1-based; 0 when the problem concerns the whole file */
	enum diag_sev sev;
	char *msg;
};

struct diag_list {
	struct diag *v;
	size_t n, cap;
	size_t nerr, nwarn;
	size_t dropped; /* beyond DIAG_MAX_PER_FILE */
	bool oom;
};

void diag_init(struct diag_list *d);
void diag_free(struct diag_list *d);
/* Adds one diagnostic; on allocation failure sets d->oom and drops it. */
void diag_add(struct diag_list *d, const char *file, enum diag_sev sev, uint32_t line, uint32_t col,
	      const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void diag_vadd(struct diag_list *d, const char *file, enum diag_sev sev, uint32_t line, uint32_t col,
	       const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));
/* Stable order by file (first appearance), line, column. */
void diag_sort(struct diag_list *d);
const char *diag_sev_name(enum diag_sev s);
/* Index of the first diagnostic whose message contains needle, or -1 (for tests). */
long diag_find(const struct diag_list *d, const char *needle);

#endif
