#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "util/lines.h"

/* A reader over these bytes (a file of its own), gzip-compressed in two
 * members (split at half) when gz. */
static struct lines *reader(const char *data, size_t n, bool gz)
{
	FILE *f = tmpfile();
	struct lines *l;
	int fd;

	assert_non_null(f);
	if (gz) {
		for (int half = 0; half < 2; half++) {
			gzFile z = gzdopen(dup(fileno(f)), "ab");
			size_t from = half ? n / 2 : 0, to = half ? n : n / 2;

			assert_non_null(z);
			assert_int_equal(gzwrite(z, data + from, (unsigned)(to - from)), (int)(to - from));
			assert_int_equal(gzclose(z), Z_OK);
		}
	} else {
		assert_int_equal(fwrite(data, 1, n, f), n);
	}
	fflush(f);
	fd = dup(fileno(f));
	fclose(f);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(lines_open(&l, fd), 0);
	return l;
}

static void expect(struct lines *l, int rc, unsigned long lineno, const char *text)
{
	const char *t = NULL;
	unsigned long at = 0;
	char why[200] = "";
	size_t len = 0;

	assert_int_equal(lines_next(l, &t, &len, &at, why, sizeof(why)), rc);
	if (rc == 1) {
		assert_int_equal(len, strlen(text));
		assert_memory_equal(t, text, len);
	} else if (rc < 0) {
		assert_non_null(strstr(why, text));
	}
	if (rc)
		assert_int_equal(at, lineno);
}

/* One object a line: blank lines and CRs passed over, the last line counts
 * without its newline, bytes that are no UTF-8 kept; the same gzipped. */
static void plain_and_gzip(void **state)
{
	static const char data[] = "{\"a\":1}\n\n  \r\n{\"b\":\"\xff\xfe\"}\r\n{\"c\":3}";

	for (int gz = 0; gz < 2; gz++) {
		struct lines *l = reader(data, sizeof(data) - 1, gz);

		expect(l, 1, 1, "{\"a\":1}");
		expect(l, 1, 4, "{\"b\":\"\xff\xfe\"}\r");
		expect(l, 1, 5, "{\"c\":3}");
		expect(l, 0, 0, NULL);
		expect(l, 0, 0, NULL);
		assert_int_equal(lines_count(l), 5);
		lines_close(l);
	}
}

/* jq's and the documentation's form: an object from "{" to "}" lines. */
static void pretty_printed(void **state)
{
	static const char data[] = "{\n  \"a\": {\n    \"b\": \"x y\\\" \\\\\",\r\n \"c\" : [ 1, 2 ]\n  }\n}\n"
				   "{\"c\":2}\n{\n  \"d\": 3\n";
	struct lines *l = reader(data, sizeof(data) - 1, false);

	/* one line: blanks outside strings go, those inside (and escapes) stay */
	expect(l, 1, 1, "{\"a\":{\"b\":\"x y\\\" \\\\\",\"c\":[1,2]}}");
	expect(l, 1, 7, "{\"c\":2}");
	expect(l, -EINVAL, 8, "not closed at the end");
	expect(l, 0, 0, NULL);
	lines_close(l);
}

/* Bad lines are said with their line and passed over: the next is read. */
static void bad_lines(void **state)
{
	size_t big = LINES_MAX + 10, n = 0;
	char *data = malloc(2 * LINES_MAX);
	struct lines *l;

	assert_non_null(data);
	n += (size_t)sprintf(data, "{\"a\":1}\n");
	memset(data + n, 'x', big);
	n += big;
	data[n++] = '\n';
	memcpy(data + n, "{\"b\0\":1}\n{\"c\":2}\n{\n", 19);
	n += 19;
	memset(data + n, ' ', 50);
	n += 50;
	for (int gz = 0; gz < 2; gz++) {
		l = reader(data, n, gz);
		expect(l, 1, 1, "{\"a\":1}");
		expect(l, -EINVAL, 2, "line longer than 1048576 bytes");
		expect(l, -EINVAL, 3, "a NUL byte at byte 4");
		expect(l, 1, 4, "{\"c\":2}");
		expect(l, -EINVAL, 5, "not closed");
		expect(l, 0, 0, NULL);
		lines_close(l);
	}
	/* a pretty-printed object too long: dropped up to its "}" */
	n = (size_t)sprintf(data, "{\n");
	for (size_t i = 0; i < 40000; i++)
		n += (size_t)sprintf(data + n, "  \"k%05zu\": 12345678901234567890,\n", i);
	n += (size_t)sprintf(data + n, "  \"z\": 1\n}\n{\"after\":1}\n");
	assert_true(n > LINES_MAX && n < 2 * LINES_MAX);
	l = reader(data, n, false);
	expect(l, -EINVAL, 1, "object longer than 1048576 bytes");
	expect(l, 1, 40004, "{\"after\":1}");
	lines_close(l);
	free(data);
}

/* A truncated gzip file: what came before is read, then the cut is said. */
static void truncated_gzip(void **state)
{
	char data[4096], why[200];
	const char *t;
	unsigned long at, got = 0;
	struct lines *l;
	size_t n = 0, len;
	uLongf zlen;
	Bytef *z;
	gzFile gz;
	FILE *f = tmpfile();
	int rc;

	for (int i = 0; i < 100; i++)
		n += (size_t)sprintf(data + n, "{\"n\":%d}\n", i);
	/* the gzip file, then its bytes but the last 12 (its trailer and some) */
	gz = gzdopen(dup(fileno(f)), "wb");
	assert_int_equal(gzwrite(gz, data, (unsigned)n), (int)n);
	assert_int_equal(gzclose(gz), Z_OK);
	zlen = (uLongf)ftell(f);
	fseek(f, 0, SEEK_END);
	zlen = (uLongf)ftell(f);
	z = malloc(zlen);
	rewind(f);
	assert_int_equal(fread(z, 1, zlen, f), zlen);
	fclose(f);
	l = reader((const char *)z, zlen - 12, false);
	while ((rc = lines_next(l, &t, &len, &at, why, sizeof(why))) == 1)
		got++;
	assert_int_equal(rc, -EIO);
	assert_non_null(strstr(why, "cut short"));
	assert_true(got < 100);
	assert_int_equal(lines_next(l, &t, &len, &at, why, sizeof(why)), 0);
	lines_close(l);
	free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_and_gzip),
		cmocka_unit_test(pretty_printed),
		cmocka_unit_test(bad_lines),
		cmocka_unit_test(truncated_gzip),
	};
	return cmocka_run_group_tests_name("lines", tests, NULL, NULL);
}
