#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cmocka.h>

#include "sinks/client.h"
#include "sinks/file.h"

static off_t size_of(const char *p)
{
	struct stat st;
	return stat(p, &st) ? -1 : st.st_size;
}

static char dir[64];

static int make_dir(void **state)
{
	strcpy(dir, "/tmp/veto-file-test.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* dir/events.log, or its backup .N */
static void file_name(char *out, size_t n, int backup)
{
	if (backup)
		snprintf(out, n, "%s/events.log.%d", dir, backup);
	else
		snprintf(out, n, "%s/events.log", dir);
}

static off_t size_in_dir(int backup)
{
	char p[128];

	file_name(p, sizeof(p), backup);
	return size_of(p);
}

static void open_in_dir(struct file_sink *s, uint64_t max_size, int backups)
{
	char p[128];

	file_name(p, sizeof(p), 0);
	assert_int_equal(file_sink_open(s, p, max_size, backups), 0);
}

static void expect_result(const struct file_sink_result *r, uint64_t written, uint64_t failed, int err,
			  bool last_ok)
{
	assert_int_equal(r->written, written);
	assert_int_equal(r->failed, failed);
	assert_int_equal(r->err, err);
	assert_int_equal(r->last_ok, last_ok);
}

/* 35 lines of 100 bytes into files of at most 1000 bytes, line by line or
 * in one batch: the same 3 rotations, 2 backups of 10 whole lines kept */
static void rotate_35_lines(bool batched)
{
	struct file_sink s;
	struct file_sink_result r;
	char line[100];

	open_in_dir(&s, 1000, 2);
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	for (int i = 0; i < 35; i++)
		assert_int_equal((batched ? file_sink_add : file_sink_write)(&s, line, strlen(line)), 0);
	if (batched) {
		assert_int_equal(s.written, 0); /* queued, not written yet */
		file_sink_flush(&s, &r);
		expect_result(&r, 35, 0, 0, true);
		assert_int_equal(s.nlines, 0);
	}
	file_sink_close(&s);
	assert_true(size_in_dir(0) > 0 && size_in_dir(0) <= 1000);
	assert_int_equal(size_in_dir(1), 1000);
	assert_int_equal(size_in_dir(2), 1000);
	assert_int_equal(size_in_dir(3), -1); /* only 2 backups kept */
	assert_int_equal(s.written, 35);
	assert_int_equal(s.rotations, 3);
}

/* A character device (an export to /dev/null) is written, never rotated:
 * renaming it would put a regular file where the device was. Needs root
 * for mknod; a device of our own, so a regression cannot break /dev/null. */
static void device_is_never_rotated(void **state)
{
	struct file_sink s;
	struct stat st;
	char p[128], line[100];

	file_name(p, sizeof(p), 0);
	if (mknod(p, S_IFCHR | 0600, makedev(1, 3))) {
		skip();
		return;
	}
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	assert_int_equal(file_sink_open(&s, p, 1000, 2), 0);
	for (int i = 0; i < 35; i++)
		assert_int_equal(file_sink_write(&s, line, strlen(line)), 0);
	assert_int_equal(file_sink_rotate(&s), 0);
	file_sink_close(&s);
	assert_int_equal(s.rotations, 0);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(size_in_dir(1), -1);
}

/* links planted at the rotated names are replaced, never followed */
static void rotation_never_follows_links(void **state)
{
	char target[128], p[128];
	struct file_sink s;
	struct stat st;
	char line[100];

	snprintf(target, sizeof(target), "%s/target", dir);
	assert_int_equal(close(open(target, O_WRONLY | O_CREAT, 0600)), 0);
	for (int b = 1; b <= 2; b++) {
		file_name(p, sizeof(p), b);
		assert_int_equal(symlink(target, p), 0);
	}
	open_in_dir(&s, 1000, 2);
	memset(line, 'x', sizeof(line));
	for (int i = 0; i < 35; i++)
		assert_int_equal(file_sink_write(&s, line, sizeof(line) - 1), 0);
	file_sink_close(&s);
	assert_int_equal(size_of(target), 0);
	for (int b = 1; b <= 2; b++) {
		file_name(p, sizeof(p), b);
		assert_int_equal(lstat(p, &st), 0);
		assert_true(S_ISREG(st.st_mode));
	}
}

static void rotates_by_size(void **state)
{
	rotate_35_lines(false);
}

static void batch_rotates_between_lines(void **state)
{
	rotate_35_lines(true);
}

/* the size limit holds per line: a batch that reaches it exactly stays in
 * one file, the next line starts the next file; a line bigger than the
 * limit goes alone into a file of its own */
static void batch_respects_the_limit_per_line(void **state)
{
	struct file_sink s;
	struct file_sink_result r;
	char big[300];

	open_in_dir(&s, 200, 3);
	for (int i = 0; i < 4; i++)
		file_sink_add(&s, "0123456789012345678901234567890123456789012345678", 49); /* 50 bytes each */
	file_sink_add(&s, "a", 1);
	memset(big, 'b', sizeof(big));
	file_sink_add(&s, big, sizeof(big));
	file_sink_add(&s, "c", 1);
	file_sink_flush(&s, &r);
	expect_result(&r, 7, 0, 0, true);
	file_sink_close(&s);
	assert_int_equal(size_in_dir(3), 200);
	assert_int_equal(size_in_dir(2), 2);
	assert_int_equal(size_in_dir(1), 301);
	assert_int_equal(size_in_dir(0), 2);
	assert_int_equal(s.rotations, 3);
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

/* every line of a batch that meets a full disk is counted as failed */
static void full_disk_fails_each_line_of_a_batch(void **state)
{
	struct file_sink s;
	struct file_sink_result r;

	if (access("/dev/full", W_OK))
		skip();
	assert_int_equal(file_sink_open(&s, "/dev/full", 0, 0), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(file_sink_add(&s, "{}", 2), 0);
	file_sink_flush(&s, &r);
	expect_result(&r, 0, 5, -ENOSPC, false);
	assert_int_equal(s.failed, 5);
	file_sink_close(&s);
}

/* A file size limit (RLIMIT_FSIZE) stands in for a disk that fills up in
 * the middle of a batch: the kernel writes part of it, then refuses (EFBIG).
 * The file keeps whole lines, lines that fit are written, the others are
 * counted, and a small line after them still gets in. */
static void batch_cut_short_keeps_whole_lines(void **state)
{
	struct rlimit old, lim;
	struct file_sink s;
	struct file_sink_result r;
	char path[128], line[100], buf[512];
	FILE *f;
	size_t n;

	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_IGN);
	open_in_dir(&s, 0, 0);
	memset(line, 'x', sizeof(line));
	for (int i = 0; i < 4; i++)
		file_sink_add(&s, line, sizeof(line)); /* 101 bytes each */
	file_sink_add(&s, "small", 5);
	lim = old;
	lim.rlim_cur = 250;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	file_sink_flush(&s, &r);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	expect_result(&r, 3, 2, -EFBIG, true);
	assert_int_equal(s.size, 208);
	file_sink_close(&s);
	file_name(path, sizeof(path), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(n, 208); /* 2 long lines and the small one, nothing partial */
	assert_memory_equal(buf + 202, "small\n", 6);
	for (int i = 0; i < 2; i++)
		assert_int_equal(buf[101 * i + 100], '\n');
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

/* stdout's reader is slow (a small pipe): what it is not ready for stays
 * queued, a partial line included, and arrives whole and in order later */
static void slow_reader_keeps_lines(void **state)
{
	struct file_sink s;
	struct file_sink_result r;
	static char got[16384];
	char line[100];
	size_t n = 0;
	uint64_t written = 0;
	int p[2];

	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	assert_true(fcntl(p[1], F_SETPIPE_SZ, 4096) >= 4096);
	assert_int_equal(file_sink_open(&s, NULL, 0, 0), 0);
	if (s.own_fd)
		close(s.fd);
	s.fd = p[1];
	s.own_fd = true;
	memset(line, 'x', sizeof(line));
	for (int i = 0; i < 100; i++) {
		line[0] = (char)('0' + i % 10);
		assert_int_equal(file_sink_add(&s, line, sizeof(line)), 0);
	}
	file_sink_flush(&s, &r);
	assert_true(r.queued > 0 && r.written < 100);
	assert_int_equal(r.failed, 0);
	for (int k = 0; k < 1000 && s.nlines; k++) {
		ssize_t m = read(p[0], got + n, sizeof(got) - n);
		if (m > 0)
			n += m;
		file_sink_flush(&s, &r);
		written += r.written;
	}
	for (ssize_t m; (m = read(p[0], got + n, sizeof(got) - n)) > 0;)
		n += m;
	assert_int_equal(s.nlines, 0);
	assert_int_equal(s.written, 100);
	assert_int_equal(n, 100 * 101);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(got[101 * i], '0' + i % 10);
		assert_int_equal(got[101 * i + 100], '\n');
	}
	file_sink_close(&s);
	close(p[0]);
}

/* a reader that never reads costs FILE_QUEUE_MAX at most; the rest is
 * dropped and counted */
static void stdout_queue_is_bounded(void **state)
{
	struct file_sink s;
	static char big[65536];
	uint64_t full = 0;

	assert_int_equal(file_sink_open(&s, NULL, 0, 0), 0);
	memset(big, 'a', sizeof(big));
	for (int i = 0; i < 100; i++)
		full += file_sink_add(&s, big, sizeof(big)) == -ENOBUFS;
	assert_true(full > 0);
	assert_int_equal(s.dropped, full);
	assert_true(s.len <= FILE_QUEUE_MAX);
	s.nlines = s.len = 0; /* not for the test's stdout */
	file_sink_close(&s);
}

/* what another user could plant is refused, whatever it points to */
static void open_safe_refuses_planted_files(void **state)
{
	char path[128], target[128];
	int fd;

	snprintf(target, sizeof(target), "%s/target", dir);
	snprintf(path, sizeof(path), "%s/link", dir);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(file_open_safe(path, false), -ELOOP);
	assert_int_equal(access(target, F_OK), -1); /* not created through the link */
	fd = file_open_safe(target, false);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/hard", dir);
	assert_int_equal(link(target, path), 0);
	assert_int_equal(file_open_safe(path, false), -EMLINK);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(chmod(target, 0666), 0);
	fd = file_open_safe(target, true);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(size_of(target), 0);
	{
		struct stat st;
		assert_int_equal(stat(target, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0644); /* no one else may write */
	}
	if (geteuid() == 0) {
		assert_int_equal(chown(target, 65534, 65534), 0);
		assert_int_equal(file_open_safe(target, false), -EPERM);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(rotates_by_size, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(device_is_never_rotated, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(batch_rotates_between_lines, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(batch_respects_the_limit_per_line, make_dir, remove_dir),
		cmocka_unit_test(full_disk_is_counted),
		cmocka_unit_test(full_disk_fails_each_line_of_a_batch),
		cmocka_unit_test_setup_teardown(batch_cut_short_keeps_whole_lines, make_dir, remove_dir),
		cmocka_unit_test(client_queue_is_bounded),
		cmocka_unit_test(slow_reader_keeps_lines),
		cmocka_unit_test(stdout_queue_is_bounded),
		cmocka_unit_test_setup_teardown(open_safe_refuses_planted_files, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(rotation_never_follows_links, make_dir, remove_dir),
	};
	return cmocka_run_group_tests_name("file", tests, NULL, NULL);
}
