/* Standard base64 (RFC 4648, with padding). */
#ifndef VETO_BASE64_H
#define VETO_BASE64_H

#include <stddef.h>

/* Encodes n bytes; out must hold 4 * ((n + 2) / 3) + 1 bytes. Returns the length. */
size_t base64_encode(const void *in, size_t n, char *out);

#endif
