#include "policy/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void diag_init(struct diag_list *d)
{
	memset(d, 0, sizeof(*d));
}

void diag_free(struct diag_list *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

static size_t count_for_file(const struct diag_list *d, const char *file)
{
	size_t n = 0;

	/* only the tail can belong to the file being processed */
	for (size_t i = d->n; i > 0; i--) {
		if (strcmp(d->v[i - 1].file, file))
			break;
		n++;
	}
	return n;
}

void diag_add(struct diag_list *d, const char *file, enum diag_sev sev, uint32_t line, uint32_t col,
	      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, file, sev, line, col, fmt, ap);
	va_end(ap);
}

void diag_vadd(struct diag_list *d, const char *file, enum diag_sev sev, uint32_t line, uint32_t col,
	       const char *fmt, va_list ap)
{
	struct diag *x;
	char *msg;
	int r;

	if (!file)
		file = "-";
	if (count_for_file(d, file) >= DIAG_MAX_PER_FILE) {
		d->dropped++;
		if (sev == DIAG_ERROR)
			d->nerr++;
		return;
	}
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct diag *v = realloc(d->v, cap * sizeof(*v));
		if (!v) {
			d->oom = true;
			return;
		}
		d->v = v;
		d->cap = cap;
	}
	r = vasprintf(&msg, fmt, ap);
	if (r < 0) {
		d->oom = true;
		return;
	}
	x = &d->v[d->n];
	x->file = strdup(file);
	if (!x->file) {
		free(msg);
		d->oom = true;
		return;
	}
	x->line = line;
	x->col = col;
	x->sev = sev;
	x->msg = msg;
	d->n++;
	if (sev == DIAG_ERROR)
		d->nerr++;
	else
		d->nwarn++;
}

static int cmp_pos(const struct diag *a, const struct diag *b)
{
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return 0;
}

void diag_sort(struct diag_list *d)
{
	/* insertion sort within runs of one file: stable, lists are short */
	for (size_t i = 1; i < d->n; i++) {
		struct diag x = d->v[i];
		size_t j = i;
		while (j > 0 && !strcmp(d->v[j - 1].file, x.file) && cmp_pos(&d->v[j - 1], &x) > 0) {
			d->v[j] = d->v[j - 1];
			j--;
		}
		d->v[j] = x;
	}
}

const char *diag_sev_name(enum diag_sev s)
{
	return s == DIAG_ERROR ? "error" : "warning";
}

long diag_find(const struct diag_list *d, const char *needle)
{
	for (size_t i = 0; i < d->n; i++)
		if (strstr(d->v[i].msg, needle))
			return (long)i;
	return -1;
}
