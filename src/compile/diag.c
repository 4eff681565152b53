/* A compile run's errors and warnings, at the policy's line and column:
 * an error fails the run (-EINVAL), a warning does not. */
#include "compile/run.h"

#include <stdarg.h>

void cerr(struct cc *c, struct pol_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(c->d, c->file, DIAG_ERROR, pos.line, pos.col, fmt, ap);
	va_end(ap);
	if (!c->err)
		c->err = -EINVAL;
}

void cwarn(struct cc *c, struct pol_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(c->d, c->file, DIAG_WARNING, pos.line, pos.col, fmt, ap);
	va_end(ap);
}
