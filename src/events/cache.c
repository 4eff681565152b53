/* The process cache. Lifetime rules:
 *  - an entry is "current" while its image runs under its pid: it is in the
 *    pid hash and holds one reference on itself;
 *  - exec replaces the current entry of the pid (the old image becomes the
 *    new one's parent when it had exec'd, the fork's parent otherwise);
 *  - exit moves the entry to a queue; after the grace period (or when the
 *    queue is full) its own reference is dropped, and an entry with no
 *    reference left is freed, which drops the reference it held on its
 *    parent; a replaced image drops its own reference at once;
 *  - a new entry keeps PROC_KEEP_ANCESTORS ancestors that have ended, no
 *    more: what one process tree makes the cache hold is bounded. */
#include "events/cache.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/base64.h"
#include "util/decimal.h"

struct proc_cache {
	char node[65];
	uint64_t grace_ns;
	int64_t mono_to_wall, boot_to_wall;
	struct proc **buckets;
	size_t nbuckets; /* power of two */
	struct proc *dhead, *dtail; /* deferred releases, in release_at order */
	size_t ndeferred;
	struct proc_cache_stats st;
};

static const char *const flag_names[] = {
	"execve", "procFS", "truncFilename", "truncArgs", "taskWalk", "miss", "needsAUID",
	"errorFilename", "errorArgs", "needsCWD", "noCWDsupport", "rootcwd", "errorCWD", "clone",
};

size_t proc_flags_str(uint32_t flags, char *out, size_t outlen)
{
	size_t o = 0;

	if (outlen)
		out[0] = '\0';
	for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
		if (!(flags & (1u << i)))
			continue;
		size_t sp = o ? 1 : 0, n = strlen(flag_names[i]);
		if (sp + n >= outlen - o)
			break;
		out[o] = ' ';
		memcpy(out + o + sp, flag_names[i], n + 1);
		o += sp + n;
	}
	return o;
}

int proc_cache_new(struct proc_cache **out, const char *node, uint64_t grace_ns)
{
	struct proc_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	snprintf(c->node, sizeof(c->node), "%s", node);
	c->grace_ns = grace_ns;
	c->nbuckets = 4096;
	c->buckets = calloc(c->nbuckets, sizeof(*c->buckets));
	if (!c->buckets) {
		free(c);
		return -ENOMEM;
	}
	*out = c;
	return 0;
}

void proc_cache_set_clocks(struct proc_cache *c, int64_t mono_to_wall, int64_t boot_to_wall)
{
	c->mono_to_wall = mono_to_wall;
	c->boot_to_wall = boot_to_wall;
}

static size_t slot(const struct proc_cache *c, uint32_t pid)
{
	return (pid * 2654435761u) & (c->nbuckets - 1);
}

struct proc *proc_cache_find(struct proc_cache *c, uint32_t pid)
{
	for (struct proc *p = c->buckets[slot(c, pid)]; p; p = p->hnext)
		if (p->pid == pid)
			return p;
	return NULL;
}

static void grow(struct proc_cache *c)
{
	size_t n = c->nbuckets * 2;
	struct proc **b = calloc(n, sizeof(*b));

	if (!b)
		return; /* longer chains, still correct */
	for (size_t i = 0; i < c->nbuckets; i++) {
		for (struct proc *p = c->buckets[i], *next; p; p = next) {
			size_t s = (p->pid * 2654435761u) & (n - 1);
			next = p->hnext;
			p->hnext = b[s];
			b[s] = p;
		}
	}
	free(c->buckets);
	c->buckets = b;
	c->nbuckets = n;
}

static void hash_add(struct proc_cache *c, struct proc *p)
{
	size_t s;

	if (c->st.live >= c->nbuckets * 2)
		grow(c);
	s = slot(c, p->pid);
	p->hnext = c->buckets[s];
	c->buckets[s] = p;
	p->current = true;
	c->st.live++;
}

static void hash_del(struct proc_cache *c, struct proc *p)
{
	for (struct proc **pp = &c->buckets[slot(c, p->pid)]; *pp; pp = &(*pp)->hnext) {
		if (*pp == p) {
			*pp = p->hnext;
			p->hnext = NULL;
			p->current = false;
			c->st.live--;
			return;
		}
	}
}

/* Drops one reference; frees entries (and then their parents) that reach 0. */
static void put(struct proc_cache *c, struct proc *p)
{
	while (p && --p->refs == 0) {
		struct proc *parent = p->parent;
		free(p);
		c->st.entries--;
		c->st.reaped++;
		p = parent;
	}
}

/* Drops the oldest deferred release's reference. */
static void release_first(struct proc_cache *c)
{
	struct proc *p = c->dhead;

	c->dhead = p->dnext;
	if (!c->dhead)
		c->dtail = NULL;
	c->ndeferred--;
	put(c, p);
}

/* The pid no longer runs this image: release it after the grace period, or
 * earlier when too many wait (a storm of exits must not grow the queue). */
static void retire(struct proc_cache *c, struct proc *p, uint64_t now)
{
	if (!p->current)
		return;
	hash_del(c, p);
	p->release_at = now + c->grace_ns;
	p->dnext = NULL;
	if (c->dtail)
		c->dtail->dnext = p;
	else
		c->dhead = p;
	c->dtail = p;
	if (++c->ndeferred > PROC_DEFER_MAX)
		release_first(c);
}

/* A new entry keeps PROC_KEEP_ANCESTORS ancestors: the link above the last
 * is cut when both ends have ended (a live entry keeps its parent). */
static void trim_lineage(struct proc_cache *c, struct proc *p)
{
	struct proc *x = p, *y;

	for (int i = 0; i < PROC_KEEP_ANCESTORS && x; i++)
		x = x->parent;
	if (!x || x->current || !x->parent || x->parent->current)
		return;
	y = x->parent;
	x->parent = NULL;
	put(c, y);
}

static size_t append_decimal(char *out, uint64_t v)
{
	char num[DECIMAL_MAX], *d = decimal(num + sizeof(num), v);

	memcpy(out, d, num + sizeof(num) - d);
	return num + sizeof(num) - d;
}

/* base64("node:ktime:pid") into out (EXEC_ID_MAX bytes); without printf, as
 * it runs for every exec and fork. Returns its length. */
static size_t make_exec_id(const struct proc_cache *c, uint32_t pid, uint64_t ktime, char *out)
{
	char raw[sizeof(c->node) + 2 * DECIMAL_MAX + 2];
	size_t n = strlen(c->node);

	_Static_assert(EXEC_ID_MAX >= 4 * ((sizeof(raw) + 2) / 3) + 1, "EXEC_ID_MAX holds the longest");
	memcpy(raw, c->node, n);
	raw[n++] = ':';
	n += append_decimal(raw + n, ktime);
	raw[n++] = ':';
	n += append_decimal(raw + n, pid);
	return base64_encode(raw, n, out);
}

/* An entry with its strings and exec_id in one allocation. */
static struct proc *alloc_proc(const struct proc_cache *c, uint32_t pid, uint64_t ktime, const char *binary,
			       const char *args, const char *argv, size_t argv_len, const char *cwd,
			       const char *cgroup)
{
	char id[EXEC_ID_MAX];
	size_t li = make_exec_id(c, pid, ktime, id) + 1;
	size_t lb = strlen(binary) + 1, la = strlen(args) + 1, lc = strlen(cwd) + 1, lg = strlen(cgroup) + 1;
	struct proc *p = malloc(sizeof(*p) + lb + la + lc + lg + li + argv_len);
	char *s;

	if (!p)
		return NULL;
	memset(p, 0, sizeof(*p));
	s = (char *)(p + 1);
	p->binary = memcpy(s, binary, lb);
	p->args = memcpy(s + lb, args, la);
	p->cwd = memcpy(s + lb + la, cwd, lc);
	p->cgroup = memcpy(s + lb + la + lc, cgroup, lg);
	p->exec_id = memcpy(s + lb + la + lc + lg, id, li);
	p->argv = memcpy(s + lb + la + lc + lg + li, argv, argv_len);
	p->argv_len = argv_len;
	p->pid = pid;
	p->ktime = ktime;
	container_from_cgroup(p->cgroup, &p->container);
	return p;
}

static void from_header(struct proc *p, const struct veto_proc_event *h)
{
	p->pid = h->pid;
	p->tid = h->tid;
	p->ppid = h->ppid;
	p->nspid = h->nspid;
	p->uid = h->uid;
	p->gid = h->gid;
	p->euid = h->euid;
	p->egid = h->egid;
	p->suid = h->suid;
	p->sgid = h->sgid;
	p->fsuid = h->fsuid;
	p->fsgid = h->fsgid;
	p->auid = h->auid;
	p->cap[0] = h->cap_permitted;
	p->cap[1] = h->cap_effective;
	p->cap[2] = h->cap_inheritable;
	memcpy(p->ns, h->ns, sizeof(p->ns));
	p->cgroup_id = h->cgroup_id;
}

static void set_parent(struct proc *p, struct proc *parent)
{
	p->parent = parent;
	if (parent)
		parent->refs++;
}

static void add(struct proc_cache *c, struct proc *p)
{
	p->refs = 1;
	c->st.entries++;
	hash_add(c, p);
}

static uint32_t kernel_flags(uint32_t kf)
{
	uint32_t f = 0;

	if (kf & PROC_F_TRUNC_PATH)
		f |= PF_TRUNC_PATH;
	if (kf & PROC_F_TRUNC_ARGS)
		f |= PF_TRUNC_ARGS;
	if (kf & PROC_F_ERR_PATH)
		f |= PF_ERR_PATH;
	if (kf & PROC_F_ERR_ARGS)
		f |= PF_ERR_ARGS;
	if (kf & (PROC_F_ERR_CWD | PROC_F_TRUNC_CWD))
		f |= PF_ERR_CWD; /* a cwd not whole is exported as its leaf end only */
	return f;
}

static int on_exec(struct proc_cache *c, const struct proc_decoded *d, struct proc **out)
{
	const struct veto_proc_event *h = &d->h;
	struct proc *old = proc_cache_find(c, h->pid);
	struct proc *p = alloc_proc(c, h->pid, h->ktime, d->binary, d->args, d->argv, d->argv_len, d->cwd,
				    d->cgroup);

	if (!p)
		return -ENOMEM;
	from_header(p, h);
	p->start_wall = h->ktime + c->mono_to_wall;
	p->flags = PF_EXECVE | kernel_flags(h->flags);
	if (!strcmp(d->cwd, "/"))
		p->flags |= PF_ROOTCWD;
	if (old && (old->flags & (PF_EXECVE | PF_PROCFS))) {
		/* exec without fork: the old image spawned it. Nothing finds
		 * the old image but its children: it goes with its last */
		set_parent(p, old);
		hash_del(c, old);
		put(c, old);
	} else if (old) {
		set_parent(p, old->parent);
		p->flags |= PF_CLONE;
		/* the fork's entry is found by pid no more and is no one's parent
		 * unless it forked: free it now, not after the grace period (kept,
		 * it would leave a hole beside every exec's entry in the heap) */
		hash_del(c, old);
		put(c, old);
	} else {
		set_parent(p, proc_cache_find(c, h->ppid));
	}
	add(c, p);
	trim_lineage(c, p);
	*out = p;
	return 0;
}

static int on_fork(struct proc_cache *c, const struct proc_decoded *d, struct proc **out)
{
	const struct veto_proc_event *h = &d->h;
	struct proc *parent = proc_cache_find(c, h->ppid);
	struct proc *old = proc_cache_find(c, h->pid);
	struct proc *p;

	if (parent)
		p = alloc_proc(c, h->pid, h->ktime, parent->binary, parent->args, parent->argv, parent->argv_len,
			       parent->cwd, parent->cgroup);
	else
		p = alloc_proc(c, h->pid, h->ktime, "", "", "", 0, "", d->cgroup);
	if (!p)
		return -ENOMEM;
	from_header(p, h);
	p->start_wall = h->ktime + c->mono_to_wall;
	p->flags = PF_CLONE;
	if (parent)
		p->flags |= parent->flags & (PF_ROOTCWD | PF_TRUNC_ARGS | PF_TRUNC_PATH);
	else
		p->flags |= PF_MISS;
	set_parent(p, parent);
	if (old) /* pid reused: its exit was lost */
		retire(c, old, h->ktime);
	add(c, p);
	trim_lineage(c, p);
	*out = p;
	return 0;
}

static int on_proc_exit(struct proc_cache *c, const struct proc_decoded *d, struct proc **out)
{
	const struct veto_proc_event *h = &d->h;
	struct proc *p = proc_cache_find(c, h->pid);

	if (!p) {
		/* started before we looked, or its fork was lost: say so */
		c->st.misses++;
		p = alloc_proc(c, h->pid, h->start_ktime, "", "", "", 0, "", "");
		if (!p)
			return -ENOMEM;
		from_header(p, h);
		p->start_wall = h->start_ktime + c->mono_to_wall;
		p->flags = PF_MISS;
		set_parent(p, proc_cache_find(c, h->ppid));
		add(c, p);
	}
	p->exited = true;
	retire(c, p, h->ktime);
	*out = p;
	return 0;
}

int proc_cache_apply(struct proc_cache *c, const struct proc_decoded *d, struct proc **out)
{
	*out = NULL;
	switch (d->h.type) {
	case PROC_EV_EXEC:
		return on_exec(c, d, out);
	case PROC_EV_FORK:
		return on_fork(c, d, out);
	case PROC_EV_EXIT:
		return on_proc_exit(c, d, out);
	}
	return -EINVAL;
}

int proc_cache_insert_procfs(struct proc_cache *c, const struct proc *tmpl, const char *binary,
			     const char *args, const char *argv, size_t argv_len, const char *cwd,
			     const char *cgroup)
{
	struct proc *old = proc_cache_find(c, tmpl->pid);
	struct proc *p;

	if (old)
		return -EEXIST;
	p = alloc_proc(c, tmpl->pid, tmpl->ktime, binary, args, argv, argv_len, cwd, cgroup);
	if (!p)
		return -ENOMEM;
	{
		/* the template's numbers, the entry's own strings */
		const char *b = p->binary, *a = p->args, *w = p->cwd, *g = p->cgroup, *id = p->exec_id;
		const char *av = p->argv;
		uint32_t avl = p->argv_len;
		struct container_id ct = p->container;
		*p = *tmpl;
		p->binary = b;
		p->args = a;
		p->cwd = w;
		p->cgroup = g;
		p->exec_id = id;
		p->argv = av;
		p->argv_len = avl;
		p->container = ct;
	}
	p->parent = NULL;
	p->hnext = p->dnext = NULL;
	p->exited = false;
	p->start_wall = p->ktime + c->boot_to_wall;
	p->flags |= PF_PROCFS;
	if (!strcmp(cwd, "/"))
		p->flags |= PF_ROOTCWD;
	add(c, p);
	return 0;
}

void proc_cache_link_procfs(struct proc_cache *c)
{
	for (size_t i = 0; i < c->nbuckets; i++)
		for (struct proc *p = c->buckets[i]; p; p = p->hnext)
			if ((p->flags & PF_PROCFS) && !p->parent && p->ppid && p->ppid != p->pid)
				set_parent(p, proc_cache_find(c, p->ppid));
}

/* A child starts after its parent: start order is a parent-first order. */
static int by_start(const void *a, const void *b)
{
	const struct proc *x = *(const struct proc *const *)a, *y = *(const struct proc *const *)b;

	if (x->ktime != y->ktime)
		return x->ktime < y->ktime ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

ssize_t proc_cache_procfs_list(struct proc_cache *c, struct proc ***out)
{
	struct proc **v = malloc((c->st.live ? c->st.live : 1) * sizeof(*v));
	size_t n = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < c->nbuckets; i++)
		for (struct proc *p = c->buckets[i]; p; p = p->hnext)
			if (p->flags & PF_PROCFS && n < c->st.live)
				v[n++] = p;
	qsort(v, n, sizeof(*v), by_start);
	*out = v;
	return n;
}

size_t proc_cache_mark_gone(struct proc_cache *c, bool (*exists)(uint32_t pid, void *ctx), void *ctx)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nbuckets; i++) {
		for (struct proc *p = c->buckets[i]; p; p = p->hnext) {
			p->gone = !exists(p->pid, ctx);
			n += p->gone;
		}
	}
	return n;
}

size_t proc_cache_reap(struct proc_cache *c, uint64_t now, bool sweep)
{
	uint64_t before = c->st.reaped;

	for (size_t i = 0; sweep && i < c->nbuckets; i++) {
		struct proc *p = c->buckets[i];
		while (p) {
			struct proc *next = p->hnext;
			if (p->gone) {
				p->exited = true;
				retire(c, p, now - c->grace_ns);
			}
			p = next;
		}
	}
	while (c->dhead && c->dhead->release_at <= now)
		release_first(c);
	return c->st.reaped - before;
}

void proc_cache_stats(const struct proc_cache *c, struct proc_cache_stats *s)
{
	*s = c->st;
}

void proc_cache_free(struct proc_cache *c)
{
	if (!c)
		return;
	/* retire everything, then release it all */
	for (size_t i = 0; i < c->nbuckets; i++)
		while (c->buckets[i])
			retire(c, c->buckets[i], 0);
	while (c->dhead)
		release_first(c);
	free(c->buckets);
	free(c);
}
