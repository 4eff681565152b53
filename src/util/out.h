/* Output format and error reporting shared by every subcommand. */
#ifndef VETO_OUT_H
#define VETO_OUT_H

#include <stdbool.h>

enum out_fmt { OUT_TEXT, OUT_JSON };

extern enum out_fmt out_fmt;
extern bool out_verbose;

/* Parses "text" or "json"; returns 0 or -EINVAL. */
int out_parse(const char *s, enum out_fmt *fmt);
/* "Error: ..." on stderr, or {"error": "..."} on stdout in JSON mode. */
void out_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void out_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
