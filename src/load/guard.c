#include "load/guard.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "guard.skel.h"
#include "util/bpflog.h"
#include "util/objfd.h"
#include "util/procfs.h"

#define LSM_FILE "/sys/kernel/security/lsm"
#define GUARD_PROGS 16

/* The programs that guard pins: attached only while a pin is held or the
 * agent loads (inode_permission is on every path walk's way). */
static const char *const inode_progs[] = { "veto_guard_create", "veto_guard_mkdir", "veto_guard_unlink",
					   "veto_guard_rmdir", "veto_guard_rename", "veto_guard_umount" };
#define INODE_PROGS (sizeof(inode_progs) / sizeof(inode_progs[0]))

struct guard {
	struct veto_guard *skel;
	struct guard_hold *self; /* the guard's own programs, links and maps */
	struct bpf_link *ilinks[INODE_PROGS];
	struct guard_hold *iheld; /* their links */
	size_t n_inodes;          /* inodes held, all holders together */
	unsigned loading;         /* guard_loading(on) calls not yet turned off */
};

struct guard_hold {
	struct guard *g;
	struct guard_key *keys;
	size_t n, cap;
	int err;
};

uint32_t guard_kdev(uint64_t st_dev)
{
	return (uint32_t)(major(st_dev) << 20 | minor(st_dev));
}

/* Adds delta to key's count of holders; the entry goes at 0. */
static int count(struct guard *g, const struct guard_key *k, int delta)
{
	int fd = bpf_map__fd(g->skel->maps.guard_objs);
	uint32_t n = 0;

	if (bpf_map_lookup_elem(fd, k, &n) && errno != ENOENT)
		return -errno;
	if (delta < 0 && !n)
		return -ENOENT;
	n += delta;
	if (!n)
		return bpf_map_delete_elem(fd, k) ? -errno : 0;
	if (bpf_map_update_elem(fd, k, &n, BPF_ANY))
		return errno == E2BIG ? -ENOSPC : -errno;
	return 0;
}

/* The file systems with protected inodes: the kernel checks an inode's
 * device against them before it looks the inode up. */
static int count_dev(struct guard *g, uint32_t dev, int delta)
{
	struct guard_dev *d = g->skel->bss->pin_devs, *free_slot = NULL;

	for (size_t i = 0; i < GUARD_MAX_DEVS; i++) {
		if (d[i].count && d[i].dev == dev) {
			d[i].count += delta;
			return 0;
		}
		if (!d[i].count && !free_slot)
			free_slot = &d[i];
	}
	if (delta < 0)
		return -ENOENT;
	if (!free_slot)
		return -ENOSPC;
	free_slot->dev = dev;
	free_slot->count = 1;
	return 0;
}

static void inode_hooks_off(struct guard *g)
{
	guard_release(g->iheld);
	g->iheld = NULL;
	for (size_t i = 0; i < INODE_PROGS; i++) {
		bpf_link__destroy(g->ilinks[i]);
		g->ilinks[i] = NULL;
	}
}

static int inode_hooks_on(struct guard *g)
{
	int r;

	if (g->iheld)
		return 0;
	if ((r = guard_hold_new(g, &g->iheld)))
		return r;
	for (size_t i = 0; i < INODE_PROGS; i++) {
		struct bpf_program *p = bpf_object__find_program_by_name(g->skel->obj, inode_progs[i]);

		g->ilinks[i] = p ? bpf_program__attach_lsm(p) : NULL;
		if (!g->ilinks[i] || (r = guard_hold_fd(g->iheld, bpf_link__fd(g->ilinks[i])))) {
			r = r ? r : p ? -errno : -ENOENT;
			inode_hooks_off(g);
			return r;
		}
	}
	return 0;
}

static int unhold_key(struct guard *g, const struct guard_key *k)
{
	int r = count(g, k, -1);

	if (!r && k->kind == GK_INODE && !(r = count_dev(g, k->dev, -1)) && !--g->n_inodes &&
	    !g->skel->bss->loading)
		inode_hooks_off(g);
	return r;
}

static int hold_key(struct guard_hold *h, const struct guard_key *k)
{
	int r;

	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 16;
		struct guard_key *v = realloc(h->keys, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		h->keys = v;
		h->cap = cap;
	}
	if (k->kind == GK_INODE && (r = inode_hooks_on(h->g)))
		return r;
	r = count(h->g, k, 1);
	if (!r && k->kind == GK_INODE && (r = count_dev(h->g, k->dev, 1)))
		count(h->g, k, -1);
	if (!r && k->kind == GK_INODE)
		h->g->n_inodes++;
	if (!r)
		h->keys[h->n++] = *k;
	return r;
}

/* all or nothing: a failed hold gives back what it had */
static int hold_failed(struct guard_hold *h, int err)
{
	while (h->n)
		unhold_key(h->g, &h->keys[--h->n]);
	h->err = err;
	return err;
}

/* Which BPF object fd is (its anon inode's name) and its id. 1: a perf
 * event, which has no id. */
static int fd_key(int fd, struct guard_key *k)
{
	char path[64], name[64];
	union {
		struct bpf_prog_info prog;
		struct bpf_map_info map;
		struct bpf_link_info link;
	} info;
	uint32_t len = sizeof(info);
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, name, sizeof(name) - 1);
	if (n < 0)
		return -errno;
	name[n] = '\0';
	memset(k, 0, sizeof(*k));
	memset(&info, 0, sizeof(info));
	if (!strcmp(name, "anon_inode:[perf_event]"))
		return 1;
	if (!strcmp(name, "anon_inode:bpf-prog"))
		k->kind = GK_PROG;
	else if (!strcmp(name, "anon_inode:bpf-map"))
		k->kind = GK_MAP;
	/* a link reopened from its pin is "bpf-link" (6.x), a new one "bpf_link" */
	else if (!strcmp(name, "anon_inode:bpf_link") || !strcmp(name, "anon_inode:bpf-link"))
		k->kind = GK_LINK;
	else
		return -EBADF;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	k->id = k->kind == GK_PROG ? info.prog.id : k->kind == GK_MAP ? info.map.id : info.link.id;
	return k->id ? 0 : -EBADF;
}

int guard_hold_new(struct guard *g, struct guard_hold **out)
{
	*out = NULL;
	if (!g)
		return 0;
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	(*out)->g = g;
	return 0;
}

int guard_hold_fd(void *hold, int fd)
{
	struct guard_hold *h = hold;
	struct guard_key k;
	int r;

	if (!h)
		return 0;
	if (h->err)
		return h->err;
	r = fd_key(fd, &k);
	if (r > 0)
		return 0;
	if (!r)
		r = hold_key(h, &k);
	return r ? hold_failed(h, r) : 0;
}

int guard_hold_path(struct guard_hold *h, const char *path)
{
	struct guard_key k = { .kind = GK_INODE };
	struct stat st;
	int r;

	if (!h)
		return 0;
	if (h->err)
		return h->err;
	if (lstat(path, &st))
		return hold_failed(h, -errno);
	k.dev = guard_kdev(st.st_dev);
	k.id = st.st_ino;
	r = hold_key(h, &k);
	return r ? hold_failed(h, r) : 0;
}

int guard_loading(struct guard *g, bool on)
{
	int r = 0;

	if (!g)
		return 0;
	/* nested: the agent's start wraps each policy's own load */
	if (on && g->loading++)
		return 0;
	if (!on && (!g->loading || --g->loading))
		return 0;
	if (on)
		r = inode_hooks_on(g);
	if (r)
		g->loading = 0;
	g->skel->bss->loading = on && !r;
	if (!on && !g->n_inodes)
		inode_hooks_off(g);
	return r;
}

int guard_hold_err(const struct guard_hold *h)
{
	return h ? h->err : 0;
}

void guard_release(struct guard_hold *h)
{
	if (!h)
		return;
	hold_failed(h, 0);
	free(h->keys);
	free(h);
}

/* BPF LSM is active: the file lists the LSMs the kernel runs. Unreadable
 * (securityfs not mounted): loading will tell. */
static bool lsm_inactive(char *why, size_t whylen)
{
	char line[256] = "";
	FILE *f = fopen(LSM_FILE, "re");
	bool off;

	if (!f)
		return false;
	off = fgets(line, sizeof(line), f) && !strstr(line, "bpf");
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	if (off)
		snprintf(why, whylen, "BPF LSM is not active (%s lists %s; boot with lsm=...,bpf)", LSM_FILE, line);
	return off;
}

/* The agent sees its own pid as the kernel's programs do: no pid namespace
 * (NSpid lists one pid per namespace level). */
static bool in_pid_ns(void)
{
	char buf[2048];
	unsigned int a, b;
	const char *s;

	if (procfs_read("/proc", (uint32_t)getpid(), "status", buf, sizeof(buf)) < 0)
		return false;
	s = strstr(buf, "\nNSpid:");
	return s && sscanf(s + 7, "%u %u", &a, &b) == 2;
}

static int set_signallers(struct veto_guard *skel, const struct guard_opts *o, char *why, size_t whylen)
{
	if (o->n_signallers > GUARD_MAX_SIGNALLERS) {
		snprintf(why, whylen, "more than %d processes allowed to signal", GUARD_MAX_SIGNALLERS);
		return -E2BIG;
	}
	for (size_t i = 0; i < o->n_signallers; i++) {
		struct guard_signaller *s = (struct guard_signaller *)&skel->rodata->signallers[i];
		unsigned long long start;
		uint32_t ppid;
		int r = procfs_stat("/proc", o->signallers[i], &ppid, &start);

		if (r) {
			snprintf(why, whylen, "the process allowed to signal, pid %u: %s", o->signallers[i],
				 r == -ENOENT ? "no such process" : strerror(-r));
			return r;
		}
		s->tgid = o->signallers[i];
		s->start_ticks = start;
	}
	skel->rodata->n_signallers = (uint32_t)o->n_signallers;
	return 0;
}

int guard_open(struct guard **out, const struct guard_opts *o, char *why, size_t whylen)
{
	struct guard *g;
	struct bpf_link *links[GUARD_PROGS];
	size_t n = 0;
	int r;

	*out = NULL;
	why[0] = '\0';
	if (lsm_inactive(why, whylen))
		return -EOPNOTSUPP;
	if (in_pid_ns()) {
		snprintf(why, whylen, "the agent runs in a pid namespace; the guard needs the host's");
		return -EOPNOTSUPP;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	bpflog_reset();
	g->skel = veto_guard__open();
	if (!g->skel) {
		r = -errno;
		snprintf(why, whylen, "opening: %s", strerror(-r));
		goto fail;
	}
	g->skel->rodata->agent_tgid = (uint32_t)getpid();
	for (size_t i = 0; i < INODE_PROGS; i++) {
		struct bpf_program *p = bpf_object__find_program_by_name(g->skel->obj, inode_progs[i]);

		if (p)
			bpf_program__set_autoattach(p, false);
	}
	r = set_signallers(g->skel, o, why, whylen);
	if (r)
		goto fail;
	r = veto_guard__load(g->skel);
	if (r) {
		snprintf(why, whylen, "%sloading: %s%s%s", r == -EPERM ? "this kernel refuses BPF LSM programs: " : "",
			 strerror(-r), bpflog_why()[0] ? ": " : "", bpflog_why());
		if (r == -EPERM)
			r = -EOPNOTSUPP;
		goto fail;
	}
	r = veto_guard__attach(g->skel);
	if (r) {
		snprintf(why, whylen, "attaching: %s%s%s", strerror(-r), bpflog_why()[0] ? ": " : "", bpflog_why());
		goto fail;
	}
	for (size_t i = 0; i < (size_t)g->skel->skeleton->prog_cnt && n < GUARD_PROGS; i++)
		if (*g->skel->skeleton->progs[i].link)
			links[n++] = *g->skel->skeleton->progs[i].link;
	if ((r = guard_hold_new(g, &g->self)) || (r = objfd_each(g->skel->obj, links, n, guard_hold_fd, g->self))) {
		snprintf(why, whylen, "protecting its own objects: %s", strerror(-r));
		goto fail;
	}
	*out = g;
	return 0;
fail:
	guard_close(g);
	return r < 0 ? r : -EINVAL;
}

void guard_close(struct guard *g)
{
	if (!g)
		return;
	inode_hooks_off(g);
	guard_release(g->self);
	veto_guard__destroy(g->skel);
	free(g);
}
