/* Learns the processes that existed before the agent started, from /proc. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "events/cache.h"
#include "events/redact.h"
#include "events/decode.h"
#include "util/ns.h"
#include "util/procfs.h"

static void ids(const char *status, const char *key, uint32_t v[4])
{
	const char *s = strstr(status, key);

	if (s)
		sscanf(s + strlen(key), "%u %u %u %u", &v[0], &v[1], &v[2], &v[3]);
}

static uint64_t hex_field(const char *status, const char *key)
{
	const char *s = strstr(status, key);

	return s ? strtoull(s + strlen(key), NULL, 16) : 0;
}

int proc_read_ns(const char *root, uint32_t pid, uint32_t ns[VN__COUNT])
{
	char path[128];
	struct stat st;
	int found = 0;

	for (int i = 0; i < VN__COUNT; i++) {
		snprintf(path, sizeof(path), "%s/%u/ns/%s", root, pid, ns_name(i));
		ns[i] = stat(path, &st) ? 0 : (uint32_t)st.st_ino;
		found += ns[i] != 0;
	}
	return found ? 0 : -ENOENT;
}

static char cgroup2_root[256] = "";

static void find_cgroup2(void)
{
	char dev[256], dir[256], type[64];
	FILE *f;

	if (cgroup2_root[0])
		return;
	f = fopen("/proc/self/mounts", "re");
	if (!f)
		return;
	while (fscanf(f, "%255s %255s %63s %*[^\n]", dev, dir, type) == 3) {
		if (!strcmp(type, "cgroup2")) {
			snprintf(cgroup2_root, sizeof(cgroup2_root), "%s", dir);
			break;
		}
	}
	fclose(f);
}

/* Reads one /proc/<pid>; returns 0 or -errno (the process may be gone). */
static int scan_one(struct proc_cache *c, const char *root, uint32_t pid, long tick_ns, char *big)
{
	char path[128], stat_buf[1024], binary[PROC_PATH_MAX], cwd[PROC_CWD_MAX], cgroup[PROC_CGRP_MAX];
	char *args = big;           /* PROC_ARGS_MAX * 3 + 8 bytes */
	char *raw = big + PROC_ARGS_MAX * 3 + 8; /* PROC_ARGS_MAX */
	const char *rest;
	size_t rest_len;
	struct proc p;
	uint32_t u[4] = { 0 }, g[4] = { 0 };
	unsigned long long start = 0;
	char *status;
	ssize_t n;

	memset(&p, 0, sizeof(p));
	p.pid = p.tid = pid;
	if ((n = procfs_stat(root, pid, &p.ppid, &start)) < 0)
		return n;
	p.ktime = start * (unsigned long long)tick_ns;

	status = malloc(4096);
	if (!status)
		return -ENOMEM;
	if ((n = procfs_read(root, pid, "status", status, 4096)) < 0) {
		free(status);
		return n;
	}
	ids(status, "\nUid:", u);
	ids(status, "\nGid:", g);
	p.uid = u[0], p.euid = u[1], p.suid = u[2], p.fsuid = u[3];
	p.gid = g[0], p.egid = g[1], p.sgid = g[2], p.fsgid = g[3];
	p.cap[0] = hex_field(status, "\nCapPrm:");
	p.cap[1] = hex_field(status, "\nCapEff:");
	p.cap[2] = hex_field(status, "\nCapInh:");
	p.nspid = procfs_nspid(status);
	if (!p.nspid)
		p.nspid = pid;
	free(status);
	p.auid = procfs_read(root, pid, "loginuid", stat_buf, 32) > 0 ? strtoul(stat_buf, NULL, 10) : (uint32_t)-1;

	procfs_link(root, pid, "exe", binary, sizeof(binary));
	procfs_link(root, pid, "cwd", cwd, sizeof(cwd));
	n = procfs_read(root, pid, "cmdline", raw, PROC_ARGS_MAX);
	proc_format_args(raw, n > 0 ? n : 0, 1, args, PROC_ARGS_MAX * 3 + 8);
	rest_len = proc_argv_rest(raw, n > 0 ? n : 0, &rest);
	if (n >= PROC_ARGS_MAX - 1)
		p.flags |= PF_TRUNC_ARGS;
	/* in the buffer that holds it: the room after it is raw's */
	if (proc_cache_redactor(c) &&
	    redact_proc(proc_cache_redactor(c), binary, (char *)rest, &rest_len, PROC_ARGS_MAX - (size_t)(rest - raw),
			args, PROC_ARGS_MAX * 3 + 8) & REDACT_CUT)
		p.flags |= PF_TRUNC_ARGS;
	proc_read_ns(root, pid, p.ns);

	cgroup[0] = '\0';
	if (procfs_read(root, pid, "cgroup", stat_buf, sizeof(stat_buf)) > 0) {
		char *l = strstr(stat_buf, "0::");
		if (l && (l == stat_buf || l[-1] == '\n')) {
			struct stat st;
			l += 3;
			l[strcspn(l, "\n")] = '\0';
			snprintf(cgroup, sizeof(cgroup), "%s", l);
			snprintf(path, sizeof(path), "%s%s", cgroup2_root, cgroup);
			if (cgroup2_root[0] && !stat(path, &st))
				p.cgroup_id = st.st_ino;
		}
	}
	return proc_cache_insert_procfs(c, &p, binary, args, rest, rest_len, cwd, cgroup);
}

int proc_cache_scan(struct proc_cache *c, const char *root)
{
	long hz = sysconf(_SC_CLK_TCK);
	DIR *d = opendir(root);
	struct dirent *de;
	char *big;
	int n = 0;

	if (!d)
		return -errno;
	big = malloc(PROC_ARGS_MAX * 4 + 8);
	if (!big) {
		closedir(d);
		return -ENOMEM;
	}
	find_cgroup2();
	while ((de = readdir(d))) {
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);

		if (*end || !pid)
			continue;
		if (scan_one(c, root, pid, 1000000000L / (hz > 0 ? hz : 100), big) == 0)
			n++;
	}
	free(big);
	closedir(d);
	proc_cache_link_procfs(c);
	return n;
}
