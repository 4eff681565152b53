#include "util/procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ssize_t procfs_read(const char *root, uint32_t pid, const char *file, char *buf, size_t len)
{
	char path[128];
	ssize_t n, total = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%u/%s", root, pid, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((size_t)total < len - 1 && (n = read(fd, buf + total, len - 1 - total)) > 0)
		total += n;
	close(fd);
	buf[total] = '\0';
	return total;
}

size_t procfs_link(const char *root, uint32_t pid, const char *file, char *buf, size_t len)
{
	static const char del[] = " (deleted)";
	char path[128];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%u/%s", root, pid, file);
	n = readlink(path, buf, len - 1);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	if ((size_t)n > sizeof(del) - 1 && !strcmp(buf + n - (sizeof(del) - 1), del)) {
		n -= sizeof(del) - 1;
		buf[n] = '\0';
	}
	return (size_t)n;
}

int procfs_stat(const char *root, uint32_t pid, uint32_t *ppid, unsigned long long *start)
{
	char buf[1024];
	const char *e;
	ssize_t n = procfs_read(root, pid, "stat", buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	/* "pid (comm) state ppid ... starttime": field 22 */
	e = strrchr(buf, ')');
	if (!e || sscanf(e + 2, "%*c %u %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu",
			 ppid, start) != 2)
		return -EINVAL;
	return 0;
}

uint32_t procfs_nspid(const char *status)
{
	const char *s = strstr(status, "\nNSpid:"), *e;

	if (!s)
		return 0;
	e = strchr(s + 1, '\n');
	if (!e)
		e = s + strlen(s);
	while (e > s && (e[-1] < '0' || e[-1] > '9'))
		e--;
	while (e > s && e[-1] >= '0' && e[-1] <= '9')
		e--;
	return (uint32_t)strtoul(e, NULL, 10);
}
