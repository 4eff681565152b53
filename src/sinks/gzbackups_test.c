#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "sinks/file.h"
#include "sinks/gzbackups.h"

static char dir[64];

static int make_dir(void **state)
{
	strcpy(dir, "/tmp/veto-gz-test.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void name(char *out, size_t n, const char *suffix)
{
	snprintf(out, n, "%s/events.log%s", dir, suffix);
}

static bool exists(const char *suffix)
{
	char p[128];
	struct stat st;

	name(p, sizeof(p), suffix);
	return lstat(p, &st) == 0;
}

/* The decompressed content of a backup, in buf; its length or -1. */
static long gunzip(const char *suffix, char *buf, size_t n)
{
	char p[128];
	gzFile z;
	int len;

	name(p, sizeof(p), suffix);
	z = gzopen(p, "rb");
	if (!z)
		return -1;
	len = gzread(z, buf, (unsigned)n);
	gzclose(z);
	return len;
}

/* lines tagged with their number, 100 bytes each with the newline */
static void write_lines(struct file_sink *s, int from, int to)
{
	char line[100];

	for (int i = from; i < to; i++) {
		snprintf(line, sizeof(line), "%04d", i);
		memset(line + 4, 'x', sizeof(line) - 5);
		line[sizeof(line) - 1] = '\0';
		assert_int_equal(file_sink_write(s, line, strlen(line)), 0);
	}
}

static void open_compressed(struct file_sink *s, uint64_t max, int backups)
{
	char p[128];

	name(p, sizeof(p), "");
	assert_int_equal(file_sink_open(s, p, max, backups), 0);
	assert_int_equal(file_sink_compress(s), 0);
}

/* 35 lines in files of 1000 bytes, 2 backups kept: .1.gz and .2.gz hold
 * the newest whole files, the oldest went, nothing else is left */
static void rotated_files_are_gzipped(void **state)
{
	struct file_sink s;
	char buf[4096];
	struct dirent *d;
	DIR *dp;
	int n = 0;

	open_compressed(&s, 1000, 2);
	write_lines(&s, 0, 35);
	file_sink_close(&s); /* waits for the thread */
	assert_int_equal(gunzip(".1.gz", buf, sizeof(buf)), 1000);
	assert_true(!strncmp(buf, "0020", 4)); /* lines 20..29 */
	assert_int_equal(gunzip(".2.gz", buf, sizeof(buf)), 1000);
	assert_true(!strncmp(buf, "0010", 4));
	assert_false(exists(".3.gz"));
	assert_false(exists(".1"));
	assert_int_equal(s.rotations, 3);
	dp = opendir(dir);
	while ((d = readdir(dp)))
		n += d->d_name[0] != '.';
	closedir(dp);
	assert_int_equal(n, 3); /* events.log, .1.gz, .2.gz: no staging file left */
}

/* the interval's rotation: nothing when empty, the whole file otherwise;
 * an uncompressed backup of an earlier run shifts with the rest */
static void rotate_now(void **state)
{
	struct file_sink s;
	char p[128], buf[4096];
	FILE *f;

	name(p, sizeof(p), ".1");
	f = fopen(p, "w");
	fputs("old\n", f);
	fclose(f);
	open_compressed(&s, 0, 3);
	assert_int_equal(file_sink_rotate(&s), 0);
	write_lines(&s, 0, 3);
	assert_int_equal(file_sink_rotate(&s), 1);
	assert_int_equal(file_sink_rotate(&s), 0);
	file_sink_close(&s);
	assert_int_equal(gunzip(".1.gz", buf, sizeof(buf)), 300);
	assert_int_equal(gunzip(".2", buf, sizeof(buf)), 4); /* gzread passes plain files through */
	assert_true(!strncmp(buf, "old\n", 4));
	assert_false(exists(".1"));
}

/* a link planted at the thread's work file is not followed: the backup is
 * kept uncompressed and counted, the link's target untouched */
static void planted_link_is_not_followed(void **state)
{
	struct file_sink s;
	struct gz_stats st;
	char p[128], target[128];
	struct stat sb;

	snprintf(target, sizeof(target), "%s/target", dir);
	close(open(target, O_WRONLY | O_CREAT, 0600));
	name(p, sizeof(p), ".1.gz.part");
	assert_int_equal(symlink(target, p), 0);
	open_compressed(&s, 0, 2);
	write_lines(&s, 0, 2);
	assert_int_equal(file_sink_rotate(&s), 1);
	/* the thread's verdict, once it has one */
	for (int i = 0; i < 5000; i++) {
		gz_backups_stats(s.gz, &st);
		if (st.failed + st.compressed)
			break;
		usleep(1000);
	}
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.compressed, 0);
	assert_int_equal(st.last_err, -ELOOP);
	file_sink_close(&s);
	assert_int_equal(stat(target, &sb), 0);
	assert_int_equal(sb.st_size, 0);
	assert_true(exists(".1"));
	assert_false(exists(".1.gz"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(rotated_files_are_gzipped, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(rotate_now, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(planted_link_is_not_followed, make_dir, remove_dir),
	};
	return cmocka_run_group_tests_name("gzbackups", tests, NULL, NULL);
}
