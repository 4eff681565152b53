#include "load/follow.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/procfs.h"

static int cmp_pid(const void *a, const void *b)
{
	uint32_t x = ((const struct follow_proc *)a)->pid, y = ((const struct follow_proc *)b)->pid;

	return x < y ? -1 : x > y;
}

static const struct follow_proc *find(const struct follow_proc *p, size_t n, uint32_t pid)
{
	struct follow_proc k = { .pid = pid };

	return bsearch(&k, p, n, sizeof(*p), cmp_pid);
}

/* 1 for a process whose parent is not in the table, its parent's + 1 else. */
static unsigned depth(const struct follow_proc *p, size_t n, size_t i, unsigned *memo, size_t hops)
{
	const struct follow_proc *par;

	if (memo[i])
		return memo[i];
	par = p[i].ppid != p[i].pid ? find(p, n, p[i].ppid) : NULL;
	/* hops: a cycle cannot happen, but must not recurse forever either */
	memo[i] = par && hops < n ? depth(p, n, (size_t)(par - p), memo, hops + 1) + 1 : 1;
	return memo[i];
}

struct ord {
	unsigned depth;
	size_t i;
};

static int cmp_ord(const void *a, const void *b)
{
	const struct ord *x = a, *y = b;

	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

long follow_pass(const struct compiled *c, struct follow_proc *procs, size_t n, const struct follow_map *m)
{
	unsigned *memo = calloc(n ? n : 1, sizeof(*memo));
	struct ord *ord = calloc(n ? n : 1, sizeof(*ord));
	long changed = 0;

	if (!memo || !ord) {
		free(memo);
		free(ord);
		return -ENOMEM;
	}
	qsort(procs, n, sizeof(*procs), cmp_pid);
	for (size_t i = 0; i < n; i++)
		ord[i] = (struct ord){ depth(procs, n, i, memo, 0), i };
	qsort(ord, n, sizeof(*ord), cmp_ord);
	for (size_t k = 0; k < n; k++) {
		const struct follow_proc *q = &procs[ord[k].i];
		uint64_t had = m->get(m->ctx, q->pid), ids = had;
		int r;

		const struct follow_proc *par = find(procs, n, q->ppid);

		ids |= m->get(m->ctx, q->ppid) | compiled_follow_pid(c, q->ppid, VP_HOST);
		if (par && par->nspid)
			ids |= compiled_follow_pid(c, par->nspid, VP_NS);
		if (q->exe && !*q->exe)
			ids |= VETO_FOLLOW_CUT; /* as the kernel marks a binary it cannot name whole */
		else if (q->exe)
			ids |= compiled_follow_binary(c, q->exe);
		if (ids == had)
			continue;
		r = m->set(m->ctx, q->pid, ids);
		if (r) {
			changed = r;
			break;
		}
		changed++;
	}
	free(memo);
	free(ord);
	return changed;
}

void follow_procs_free(struct follow_proc *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++)
		free(p[i].exe);
	free(p);
}

/* The executable as the kernel walks it, NULL when unreadable, "" when its
 * path is longer than the kernel names. */
static char *read_exe(const char *proc, uint32_t pid)
{
	char buf[PATH_MAX];

	if (procfs_link(proc, pid, "exe", buf, sizeof(buf)))
		return strdup(buf);
	return errno == ENAMETOOLONG ? strdup("") : NULL;
}

/* The pid in the process's own pid namespace, 0 when unknown. */
static uint32_t read_nspid(const char *proc, uint32_t pid)
{
	char status[4096];

	return procfs_read(proc, pid, "status", status, sizeof(status)) > 0 ? procfs_nspid(status) : 0;
}

int follow_procs_read(const char *proc, bool nspid, struct follow_proc **out, size_t *n)
{
	struct follow_proc *v = NULL;
	size_t cap = 0;
	struct dirent *de;
	DIR *d = opendir(proc);

	*out = NULL;
	*n = 0;
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		unsigned long long start;
		uint32_t pid, ppid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = (uint32_t)strtoul(de->d_name, NULL, 10);
		if (procfs_stat(proc, pid, &ppid, &start))
			continue; /* gone already */
		if (*n == cap) {
			struct follow_proc *w = realloc(v, (cap ? cap * 2 : 256) * sizeof(*v));

			if (!w) {
				closedir(d);
				follow_procs_free(v, *n);
				*n = 0;
				return -ENOMEM;
			}
			v = w;
			cap = cap ? cap * 2 : 256;
		}
		v[*n] = (struct follow_proc){ pid, ppid, read_exe(proc, pid), nspid ? read_nspid(proc, pid) : 0 };
		(*n)++;
	}
	closedir(d);
	*out = v;
	return 0;
}

int follow_prefill(const struct compiled *c, const struct follow_map *m)
{
	/* a process forked between a read and its parent's update is caught by
	 * the next read; a few passes settle even a busy node */
	for (int pass = 0; pass < 8; pass++) {
		struct follow_proc *p;
		size_t n;
		long r = follow_procs_read("/proc", c->follow_ns_pids, &p, &n);

		if (r)
			return (int)r;
		r = follow_pass(c, p, n, m);
		follow_procs_free(p, n);
		if (r <= 0)
			return (int)r;
	}
	return 0;
}
