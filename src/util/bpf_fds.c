#include "util/bpf_fds.h"

#include <bpf/bpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The value of "key:\t123" in fd's fdinfo; 0 when it is not there. */
static uint64_t fdinfo_u64(int fd, const char *key)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	uint64_t v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = strtoull(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

uint64_t bpf_fd_memlock(int fd)
{
	return fdinfo_u64(fd, "memlock");
}

uint32_t bpf_fd_prog_id(int fd)
{
	return (uint32_t)fdinfo_u64(fd, "prog_id");
}

uint32_t bpf_fd_map_id(int fd)
{
	return (uint32_t)fdinfo_u64(fd, "map_id");
}

uint32_t bpf_fd_link_id(int fd)
{
	return (uint32_t)fdinfo_u64(fd, "link_id");
}

static bool is_prog(int dfd, const char *name)
{
	char target[64];
	ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);

	if (n <= 0)
		return false;
	target[n] = '\0';
	return !strcmp(target, "anon_inode:bpf-prog");
}

int bpf_self_progs(struct bpf_prog_stat *out, size_t max)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	size_t n = 0;

	if (!d)
		return -errno;
	while (n < max && (de = readdir(d))) {
		struct bpf_prog_info info;
		uint32_t len = sizeof(info);
		bool seen = false;
		int fd;

		if (de->d_name[0] == '.' || !is_prog(dirfd(d), de->d_name))
			continue;
		fd = atoi(de->d_name);
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			continue;
		for (size_t i = 0; i < n && !seen; i++)
			seen = out[i].id == info.id;
		if (seen)
			continue;
		out[n].id = info.id;
		memcpy(out[n].name, info.name, sizeof(out[n].name));
		out[n].name[sizeof(out[n].name) - 1] = '\0';
		out[n].run_cnt = info.run_cnt;
		out[n].run_time_ns = info.run_time_ns;
		n++;
	}
	closedir(d);
	return (int)n;
}

int bpf_stats_enabled(void)
{
	char c = 0;
	int fd = open("/proc/sys/kernel/bpf_stats_enabled", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, &c, 1);
	close(fd);
	return n == 1 ? c == '1' : -EIO;
}
