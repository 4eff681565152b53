#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "sinks/client.h"
#include "sinks/file.h"

static off_t size_of(const char *p)
{
	struct stat st;
	return stat(p, &st) ? -1 : st.st_size;
}

static void rotates_by_size(void **state)
{
	char dir[] = "/tmp/veto-file-test.XXXXXX", path[128], b[160];
	struct file_sink s;
	char line[100];

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/events.log", dir);
	assert_int_equal(file_sink_open(&s, path, 1000, 2), 0);
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	for (int i = 0; i < 35; i++) /* 3500 bytes: 3 rotations of 1000 */
		assert_int_equal(file_sink_write(&s, line, strlen(line)), 0);
	file_sink_close(&s);
	assert_true(size_of(path) > 0 && size_of(path) <= 1000);
	snprintf(b, sizeof(b), "%s.1", path);
	assert_int_equal(size_of(b), 1000);
	snprintf(b, sizeof(b), "%s.2", path);
	assert_int_equal(size_of(b), 1000);
	snprintf(b, sizeof(b), "%s.3", path); /* only 2 backups kept */
	assert_int_equal(size_of(b), -1);
	assert_int_equal(s.written, 35);
	snprintf(b, sizeof(b), "rm -rf %s", dir);
	assert_int_equal(system(b), 0);
}

static void full_disk_is_counted(void **state)
{
	struct file_sink s;

	if (access("/dev/full", W_OK))
		skip();
	assert_int_equal(file_sink_open(&s, "/dev/full", 0, 0), 0);
	assert_int_equal(file_sink_write(&s, "{}", 2), -ENOSPC);
	assert_int_equal(s.failed, 1);
	assert_int_equal(s.written, 0);
	file_sink_close(&s);
}

static void client_queue_is_bounded(void **state)
{
	int sv[2];
	struct client_sink c;
	static char big[65536];
	int full = 0;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	client_sink_init(&c, sv[0]);
	memset(big, 'a', sizeof(big) - 1);
	for (int i = 0; i < 200; i++)
		full += client_sink_queue(&c, big, sizeof(big) - 1) == -ENOBUFS;
	assert_true(full > 0);
	assert_int_equal(c.dropped, (uint64_t)full);
	assert_true(c.len <= CLIENT_QUEUE_MAX);
	/* the reader is gone: the next flush says so */
	close(sv[1]);
	{
		int err;
		while ((err = client_sink_flush(&c)) == -EAGAIN && c.len)
			;
		assert_true(err == -EPIPE || err == -ECONNRESET);
	}
	client_sink_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rotates_by_size),
		cmocka_unit_test(full_disk_is_counted),
		cmocka_unit_test(client_queue_is_bounded),
	};
	return cmocka_run_group_tests_name("file", tests, NULL, NULL);
}
