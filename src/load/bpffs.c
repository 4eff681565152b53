#include "load/bpffs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

bool bpffs_is(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && (unsigned long)st.f_type == BPF_FS_MAGIC;
}

static bool below_mount(const char *dir)
{
	size_t n = strlen(BPFFS_MOUNT);

	return !strncmp(dir, BPFFS_MOUNT, n) && (dir[n] == '/' || !dir[n]);
}

/* mkdir -p, 0700 for what it makes */
static int make_dirs(const char *dir)
{
	char p[PATH_MAX];
	size_t n = strlen(dir);

	if (n >= sizeof(p))
		return -ENAMETOOLONG;
	memcpy(p, dir, n + 1);
	for (char *s = p + 1;; s++) {
		if (*s && *s != '/')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, 0700) && errno != EEXIST)
			return -errno;
		*s = c;
		if (!c)
			return 0;
	}
}

/* The deepest folder of dir that exists: nothing is made off bpffs. */
static const char *existing(const char *dir, char *buf, size_t n)
{
	char *slash;

	snprintf(buf, n, "%s", dir);
	while (!bpffs_exists(buf) && (slash = strrchr(buf, '/')) && slash != buf)
		*slash = '\0';
	return bpffs_exists(buf) ? buf : "/";
}

int bpffs_prepare(const char *dir, char *err, size_t errlen)
{
	char p[PATH_MAX];
	struct stat st;
	int r;

	if (dir[0] != '/') {
		snprintf(err, errlen, "%s: not an absolute path", dir);
		return -EINVAL;
	}
	if (below_mount(dir) && !bpffs_is(BPFFS_MOUNT)) {
		if (mount("bpf", BPFFS_MOUNT, "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700")) {
			r = -errno;
			snprintf(err, errlen, "no BPF file system at %s, and mounting one failed: %s", BPFFS_MOUNT,
				 strerror(-r));
			return r;
		}
	}
	if (!bpffs_is(existing(dir, p, sizeof(p)))) {
		snprintf(err, errlen, "%s is not on a BPF file system (mount one: mount -t bpf bpf DIR)", dir);
		return -EINVAL;
	}
	r = make_dirs(dir);
	if (r) {
		snprintf(err, errlen, "%s: %s%s", dir, strerror(-r),
			 r == -EPERM && strchr(dir, '.') ? " (the BPF file system refuses names with a dot)" : "");
		return r;
	}
	if (!bpffs_is(dir)) {
		snprintf(err, errlen, "%s is not on a BPF file system (mount one: mount -t bpf bpf DIR)", dir);
		return -EINVAL;
	}
	if (lstat(dir, &st)) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(-r));
		return r;
	}
	/* whoever else can write here can swap a pin for their own program */
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022)) {
		snprintf(err, errlen, "%s: refused: not a folder that root owns alone (owner %u, mode %03o)", dir,
			 (unsigned)st.st_uid, (unsigned)(st.st_mode & 0777));
		return -EPERM;
	}
	return 0;
}

static int remove_at(const char *path, int depth)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int r = 0;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) && errno != ENOENT ? -errno : 0;
	if (depth > 2)
		return -ELOOP;
	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		char sub[PATH_MAX];
		int x;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) >= (int)sizeof(sub))
			x = -ENAMETOOLONG;
		else
			x = remove_at(sub, depth + 1);
		if (x && !r)
			r = x;
	}
	closedir(d);
	if (rmdir(path) && errno != ENOENT && !r)
		r = -errno;
	return r;
}

int bpffs_remove(const char *path)
{
	return remove_at(path, 0);
}

int bpffs_count(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && !strncmp(e->d_name, prefix, strlen(prefix));
	closedir(d);
	return n;
}

bool bpffs_exists(const char *path)
{
	struct stat st;

	return !lstat(path, &st);
}
