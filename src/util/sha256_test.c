#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "util/sha256.h"

static void hex(const uint8_t d[SHA256_LEN], char out[2 * SHA256_LEN + 1])
{
	for (int i = 0; i < SHA256_LEN; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/* FIPS 180-4's examples, a message whose padding needs a second block, and
 * the same input fed in uneven pieces. */
static void known_digests(void **state)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	struct sha256 s;
	uint8_t d[SHA256_LEN];
	char h[2 * SHA256_LEN + 1];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = strlen(cases[i].in);

		sha256_init(&s);
		sha256_add(&s, cases[i].in, n / 3);
		sha256_add(&s, cases[i].in + n / 3, n - n / 3);
		sha256_end(&s, d);
		hex(d, h);
		assert_string_equal(h, cases[i].want);
	}
}

static void million_a(void **state)
{
	char a[1000];
	struct sha256 s;
	uint8_t d[SHA256_LEN];
	char h[2 * SHA256_LEN + 1];

	memset(a, 'a', sizeof(a));
	sha256_init(&s);
	for (int i = 0; i < 1000; i++)
		sha256_add(&s, a, sizeof(a));
	sha256_end(&s, d);
	hex(d, h);
	assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(known_digests),
		cmocka_unit_test(million_a),
	};
	return cmocka_run_group_tests_name("sha256", tests, NULL, NULL);
}
