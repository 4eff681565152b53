/* SHA-256 (FIPS 180-4), incremental: the fingerprint of what a pinned
 * policy was compiled from. */
#ifndef VETO_UTIL_SHA256_H
#define VETO_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

struct sha256 {
	uint32_t h[8];
	uint64_t len;      /* bytes so far */
	uint8_t buf[64];
	size_t n;          /* bytes in buf */
};

void sha256_init(struct sha256 *s);
void sha256_add(struct sha256 *s, const void *data, size_t len);
void sha256_end(struct sha256 *s, uint8_t out[SHA256_LEN]);

#endif
