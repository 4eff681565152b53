/* The Prometheus text exposition format (version 0.0.4), written into a jw
 * buffer: a family's HELP and TYPE lines, then its samples with their
 * labels escaped. */
#ifndef VETO_UTIL_PROM_H
#define VETO_UTIL_PROM_H

#include <stddef.h>
#include <stdint.h>

#include "util/json.h"

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* "# HELP name help" and "# TYPE name type" (counter, gauge). */
void prom_family(struct jw *w, const char *name, const char *type, const char *help);
/* One sample: name{k1="v1",...} value. labels: n key, value pairs (keys
 * are the writer's own, values anything: escaped). */
void prom_sample(struct jw *w, const char *name, const char *const *labels, size_t n, uint64_t value);
/* The same with a value that is no whole number (seconds). */
void prom_sample_f(struct jw *w, const char *name, const char *const *labels, size_t n, double value);
/* A label value's escaping: \ as \\, " as \", a newline as \n. */
void prom_label_value(struct jw *w, const char *s);

#endif
