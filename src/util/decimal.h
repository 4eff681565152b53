/* Unsigned decimals without printf, for what is formatted per event. */
#ifndef VETO_DECIMAL_H
#define VETO_DECIMAL_H

#include <stdint.h>

#define DECIMAL_MAX 20 /* digits of UINT64_MAX */

/* Writes the digits of v so that they end just before end; returns where
 * they start (at least end - DECIMAL_MAX). */
static inline char *decimal(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

#endif
