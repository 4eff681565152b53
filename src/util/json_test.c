#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "util/json.h"

static void nested_objects_and_arrays(void **state)
{
	struct jw w;

	jw_init(&w);
	jw_obj_open(&w);
	jw_kstr(&w, "a", "x");
	jw_key(&w, "b");
	jw_arr_open(&w);
	jw_int(&w, -1);
	jw_uint(&w, 18446744073709551615ull);
	jw_bool(&w, true);
	jw_null(&w);
	jw_obj_open(&w);
	jw_obj_close(&w);
	jw_arr_close(&w);
	jw_kbool(&w, "c", false);
	jw_obj_close(&w);
	assert_string_equal(w.buf, "{\"a\":\"x\",\"b\":[-1,18446744073709551615,true,null,{}],\"c\":false}");
	jw_free(&w);
}

static void escapes_control_and_quotes(void **state)
{
	struct jw w;
	const char s[] = "q\"b\\n\n\x01\x7f\xc3\xa9";

	jw_init(&w);
	jw_strn(&w, s, sizeof(s) - 1);
	assert_string_equal(w.buf, "\"q\\\"b\\\\n\\n\\u0001\x7f\xc3\xa9\"");
	jw_free(&w);
}

/* Strings are scanned a word at a time: a byte to escape at any offset of
 * any length is found. */
static void escapes_at_every_offset(void **state)
{
	static const char *const esc[][2] = {
		{ "\"", "\\\"" }, { "\\", "\\\\" }, { "\n", "\\n" }, { "\x01", "\\u0001" },
		{ "\x1f", "\\u001f" }, { " ", " " }, { "\x7f", "\x7f" }, { "\x80", "\\ufffd" }, { "\xff", "\\ufffd" },
	};
	char in[40], want[64];
	struct jw w;

	jw_init(&w);
	for (size_t len = 1; len < sizeof(in); len++) {
		for (size_t at = 0; at < len; at++) {
			for (size_t e = 0; e < sizeof(esc) / sizeof(esc[0]); e++) {
				memset(in, 'a', len);
				in[at] = esc[e][0][0];
				snprintf(want, sizeof(want), "\"%.*s%s%.*s\"", (int)at, in, esc[e][1], (int)(len - at - 1),
					 in + at + 1);
				jw_reset(&w);
				jw_raw_str(&w, in, len);
				assert_string_equal(w.buf, want);
			}
		}
	}
	jw_free(&w);
}

/* Valid sequences pass as they are; each run of bytes that start no valid
 * sequence is one U+FFFD, as Tetragon writes them (Go's strings.ToValidUTF8). */
static void invalid_utf8_replaced_per_run(void **state)
{
	static const char *const cases[][2] = {
		{ "\xc3\xa9", "\xc3\xa9" },                     /* U+00E9 */
		{ "\xe2\x80\xae", "\xe2\x80\xae" },             /* U+202E, valid UTF-8 */
		{ "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf" },     /* U+10FFFF, the last */
		{ "\xed\x9f\xbf", "\xed\x9f\xbf" },             /* U+D7FF, below the surrogates */
		{ "a\x80" "b", "a\\ufffdb" },                 /* stray continuation */
		{ "\xc0\xaf", "\\ufffd" },                      /* overlong '/' */
		{ "\xc1\xbf", "\\ufffd" },                      /* overlong */
		{ "\xe0\x80\xaf", "\\ufffd" },                  /* overlong, 3 bytes */
		{ "\xf0\x80\x80\xaf", "\\ufffd" },              /* overlong, 4 bytes */
		{ "\xed\xa0\x80", "\\ufffd" },                  /* U+D800, a surrogate */
		{ "\xed\xbf\xbf", "\\ufffd" },                  /* U+DFFF */
		{ "\xf4\x90\x80\x80", "\\ufffd" },              /* U+110000 */
		{ "\xf5\x80\x80\x80", "\\ufffd" },              /* no such lead byte */
		{ "\xe2\x82", "\\ufffd" },                      /* truncated at the end */
		{ "\xe2\x82x", "\\ufffdx" },                    /* cut short by ASCII: x kept */
		{ "\xf0\x9f\x9a", "\\ufffd" },                  /* truncated 4-byte */
		{ "\xc3\xc3\xa9", "\\ufffd\xc3\xa9" },          /* a lead byte, then a valid one */
		{ "\xff\xfe", "\\ufffd" },
		{ "\xff" "a\xfe", "\\ufffda\\ufffd" },          /* runs apart: one each */
		{ "\xff\xef\xbf\xbd\xff", "\\ufffd\xef\xbf\xbd\\ufffd" }, /* a real U+FFFD ends a run */
	};
	char want[96], in[64];
	struct jw w;

	jw_init(&w);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* alone, and past the word-at-a-time scan's first word */
		for (int pad = 0; pad <= 9; pad += 9) {
			snprintf(in, sizeof(in), "%.*s%s", pad, "012345678", cases[i][0]);
			snprintf(want, sizeof(want), "\"%.*s%s\"", pad, "012345678", cases[i][1]);
			jw_reset(&w);
			jw_raw_str(&w, in, strlen(in));
			assert_string_equal(w.buf, want);
		}
	}
	jw_free(&w);
}

static void numbers(void **state)
{
	struct jw w;

	jw_init(&w);
	jw_raw_uint(&w, 0);
	jw_raw(&w, " ", 1);
	jw_raw_uint(&w, 10);
	jw_arr_open(&w);
	jw_int(&w, INT64_MIN);
	jw_int(&w, 0);
	jw_uint(&w, 4294967295u);
	jw_arr_close(&w);
	assert_string_equal(w.buf, "0 10[-9223372036854775808,0,4294967295]");
	jw_free(&w);
}

static void reset_reuses_buffer(void **state)
{
	struct jw w;

	jw_init(&w);
	jw_obj_open(&w);
	jw_kint(&w, "n", 1);
	jw_obj_close(&w);
	jw_reset(&w);
	jw_arr_open(&w);
	jw_arr_close(&w);
	assert_string_equal(w.buf, "[]");
	jw_free(&w);
	jw_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nested_objects_and_arrays),
		cmocka_unit_test(escapes_control_and_quotes),
		cmocka_unit_test(escapes_at_every_offset),
		cmocka_unit_test(invalid_utf8_replaced_per_run),
		cmocka_unit_test(numbers),
		cmocka_unit_test(reset_reuses_buffer),
	};
	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
