#include "load/engine.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "engine.skel.h"
#include "load/bpffs.h"
#include "load/follow.h"
#include "util/bpf_fds.h"
#include "util/bpflog.h"
#include "util/objfd.h"

#define FOLLOW_PROGS 3
#define PCACHE_INV "veto_pcache_inv"

struct engine_policy {
	struct veto_engine *skel;
	uint32_t id;
	struct bpf_link *links[VETO_HOOK_MAX + VETO_SLOT_MAX + FOLLOW_PROGS + 1];
	size_t n_links;
	char *pin_dir; /* where it is pinned (engine_policy_pin), or NULL */
	bool adopted;  /* reopened from its pins, not loaded by this process */
};

static struct bpf_link *attach(struct bpf_program *prog, const struct c_hook *h, bool ret)
{
	if (c_hook_is_lsm(h))
		return bpf_program__attach_lsm(prog);
	if (h->cfg.slot_kind == VK_KPROBE)
		return bpf_program__attach_kprobe(prog, ret, h->attach);
	if (h->cfg.slot_kind == VK_RAWTP)
		return bpf_program__attach_raw_tracepoint(prog, h->attach);
	return bpf_program__attach_tracepoint(prog, h->src->subsystem, h->src->event);
}

static uint64_t follow_get(void *ctx, uint32_t tgid)
{
	struct engine_policy *p = ctx;
	uint64_t v;

	return bpf_map_lookup_elem(bpf_map__fd(p->skel->maps.follow), &tgid, &v) ? 0 : v;
}

static int follow_put(void *ctx, uint32_t tgid, uint64_t ids)
{
	struct engine_policy *p = ctx;

	return bpf_map_update_elem(bpf_map__fd(p->skel->maps.follow), &tgid, &ids, BPF_ANY) ? -errno : 0;
}

/* The programs that keep the follow map (bpf/engine.bpf.c). */
static const char *const follow_progs[FOLLOW_PROGS] = { "veto_follow_fork", "veto_follow_exec",
							"veto_follow_exit" };

static bool is_follow_prog(const char *name)
{
	for (size_t i = 0; i < FOLLOW_PROGS; i++)
		if (!strcmp(name, follow_progs[i]))
			return true;
	return false;
}

/* followChildren, followForks: the kernel keeps the follow map from the
 * moment its programs attach, so the running processes are read after. */
static int follow_start(struct engine_policy *p, const struct compiled *c, char *err, size_t errlen)
{
	struct follow_map m = { follow_get, follow_put, p };
	int r;

	if (!c->n_follow)
		return 0;
	for (size_t i = 0; i < FOLLOW_PROGS; i++) {
		struct bpf_program *prog = bpf_object__find_program_by_name(p->skel->obj, follow_progs[i]);
		struct bpf_link *link = prog ? bpf_program__attach(prog) : NULL;

		if (!link) {
			r = prog ? -errno : -ENOENT;
			snprintf(err, errlen, "attaching %s: %s", follow_progs[i], strerror(-r));
			return r;
		}
		p->links[p->n_links++] = link;
	}
	r = follow_prefill(c, &m);
	if (r)
		snprintf(err, errlen, "followChildren/followForks: reading the running processes: %s", strerror(-r));
	return r;
}

/* Whether a hook of the policy remembers path verdicts (cfg.pcache). */
static bool uses_pcache(const struct compiled *c)
{
	for (size_t i = 0; i < c->n_hooks; i++)
		if (c->hooks[i].cfg.pcache)
			return true;
	return false;
}

/* The program that forgets an inode's verdicts when a dentry is bound to
 * it: attached before any hook can remember one. */
static int pcache_start(struct engine_policy *p, const struct compiled *c, char *err, size_t errlen)
{
	struct bpf_program *prog;
	struct bpf_link *link;
	int r;

	if (!uses_pcache(c))
		return 0;
	prog = bpf_object__find_program_by_name(p->skel->obj, PCACHE_INV);
	link = prog ? bpf_program__attach_lsm(prog) : NULL;
	if (!link) {
		r = prog ? -errno : -ENOENT;
		snprintf(err, errlen, "attaching %s to d_instantiate: %s", PCACHE_INV, strerror(-r));
		return r;
	}
	p->links[p->n_links++] = link;
	return 0;
}

static int fill(struct engine_policy *p, const struct compiled *c, char *err, size_t errlen)
{
	struct veto_engine *skel = p->skel;
	int fd, r;

	fd = bpf_map__fd(skel->maps.str_lpm);
	for (size_t i = 0; i < c->n_strs; i++)
		if (bpf_map_update_elem(fd, &c->strs[i].key, &c->strs[i].mask, BPF_ANY))
			goto fail;
	fd = bpf_map__fd(skel->maps.num_hash);
	for (size_t i = 0; i < c->n_nums; i++)
		if (bpf_map_update_elem(fd, &c->nums[i].key, &c->nums[i].mask, BPF_ANY))
			goto fail;
	fd = bpf_map__fd(skel->maps.addr_lpm);
	for (size_t i = 0; i < c->n_addrs; i++)
		if (bpf_map_update_elem(fd, &c->addrs[i].key, &c->addrs[i].mask, BPF_ANY))
			goto fail;
	r = follow_start(p, c, err, errlen);
	if (!r)
		r = pcache_start(p, c, err, errlen);
	if (r)
		return r;
	/* configs last: a hook acts only once its values are all in place */
	fd = bpf_map__fd(skel->maps.cfg);
	for (size_t i = 0; i < c->n_hooks; i++) {
		uint32_t key = c->hooks[i].id;
		if (bpf_map_update_elem(fd, &key, &c->hooks[i].cfg, BPF_ANY))
			goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "filling the policy maps: %s", strerror(errno));
	return -errno;
}

static size_t at_least_one(size_t n)
{
	return n ? n : 1;
}

int engine_policy_load(const struct compiled *c, uint32_t id, int events_fd, struct engine_policy **out,
		    char *err, size_t errlen)
{
	struct engine_policy *p;
	struct bpf_program *prog;
	bool pcache = uses_pcache(c);
	int r;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->id = id;
	bpflog_reset();
	p->skel = veto_engine__open();
	if (!p->skel) {
		r = -errno;
		snprintf(err, errlen, "opening the policy programs: %s", strerror(-r));
		goto fail;
	}
	p->skel->rodata->policy_id = id;
	p->skel->rodata->follow_ns_pids = c->follow_ns_pids;
	if (getrandom((void *)&p->skel->rodata->pcache_key, sizeof(p->skel->rodata->pcache_key), 0) !=
	    sizeof(p->skel->rodata->pcache_key)) {
		r = -errno;
		snprintf(err, errlen, "a key for the path verdicts: %s", strerror(-r));
		goto fail;
	}
	for (size_t i = 0; i < c->n_hooks; i++)
		if (!c_hook_is_lsm(&c->hooks[i]))
			p->skel->rodata->word_top[c->hooks[i].id - VH__COUNT] = c_hook_word_top(&c->hooks[i]);
	bpf_object__for_each_program(prog, p->skel->obj) {
		bool used = false;
		for (size_t i = 0; i < c->n_hooks; i++) {
			char names[2][32];
			int n = c_hook_progs(&c->hooks[i], names);
			for (int j = 0; j < n; j++)
				used |= !strcmp(bpf_program__name(prog), names[j]);
		}
		used |= c->n_follow && is_follow_prog(bpf_program__name(prog));
		used |= pcache && !strcmp(bpf_program__name(prog), PCACHE_INV);
		bpf_program__set_autoload(prog, used);
	}
	/* the LSM programs refer to it; inode storage needs a kernel with BPF LSM */
	bpf_map__set_autocreate(p->skel->maps.pcache, compiled_has_lsm(c));
	bpf_map__set_max_entries(p->skel->maps.str_lpm, (uint32_t)at_least_one(c->n_strs));
	bpf_map__set_max_entries(p->skel->maps.num_hash, (uint32_t)at_least_one(c->n_nums));
	bpf_map__set_max_entries(p->skel->maps.addr_lpm, (uint32_t)at_least_one(c->n_addrs));
	bpf_map__set_max_entries(p->skel->maps.follow, c->n_follow ? VETO_FOLLOW_PROCS : 1);
	bpf_map__set_max_entries(p->skel->maps.bins, compiled_reads_binaries(c) ? VETO_BIN_PROCS : 1);
	if (events_fd >= 0 && (r = bpf_map__reuse_fd(p->skel->maps.policy_events, events_fd))) {
		snprintf(err, errlen, "sharing the event ring buffer: %s", strerror(-r));
		goto fail;
	}
	r = veto_engine__load(p->skel);
	if (r) {
		snprintf(err, errlen, "loading the policy programs: %s%s%s", strerror(-r), bpflog_why()[0] ? ": " : "",
			 bpflog_why());
		goto fail;
	}
	r = fill(p, c, err, errlen);
	if (r)
		goto fail;
	for (size_t i = 0; i < c->n_hooks; i++) {
		char names[2][32];
		int n = c_hook_progs(&c->hooks[i], names);

		for (int j = 0; j < n; j++) {
			struct bpf_link *link;

			prog = bpf_object__find_program_by_name(p->skel->obj, names[j]);
			link = prog ? attach(prog, &c->hooks[i], j == 1) : NULL;
			if (!link) {
				r = prog ? -errno : -ENOENT;
				snprintf(err, errlen, "attaching %s to %s: %s%s%s%s", names[j],
					 c_hook_is_lsm(&c->hooks[i]) ? c->hooks[i].name : c->hooks[i].attach, strerror(-r),
					 bpflog_why()[0] ? ": " : "", bpflog_why(),
					 c->hooks[i].cfg.slot_kind == VK_KPROBE ?
					 " (kprobes need CONFIG_KPROBES and the function in /proc/kallsyms: see 'veto probe')" : "");
				goto fail;
			}
			p->links[p->n_links++] = link;
		}
	}
	*out = p;
	return 0;
fail:
	engine_policy_unload(p);
	return r < 0 ? r : -EINVAL;
}

/* Waits until the kernel has freed each program (a link's release puts its
 * program only once the program is detached): a link a pin held is put
 * after an RCU grace period and released from a work queue on some kernels
 * (5.10), and an unload returns only once the policy is out of force.
 * Bounded. */
static void wait_progs_gone(const uint32_t *ids, size_t n)
{
	for (int tries = 0; tries < 400; tries++) {
		size_t left = 0;

		for (size_t i = 0; i < n; i++) {
			int fd = ids[i] ? bpf_prog_get_fd_by_id(ids[i]) : -1;

			if (fd >= 0) {
				close(fd);
				left++;
			}
		}
		if (!left)
			return;
		usleep(5000);
	}
}

void engine_policy_unload(struct engine_policy *p)
{
	uint32_t ids[sizeof(p->links) / sizeof(p->links[0])];
	size_t n;

	if (!p)
		return;
	n = p->n_links;
	for (size_t i = 0; i < p->n_links; i++)
		ids[i] = bpf_fd_prog_id(bpf_link__fd(p->links[i]));
	/* the pins hold the links too: without them, closing detaches */
	if (p->pin_dir && engine_policy_owns_pins(p))
		bpffs_remove(p->pin_dir);
	free(p->pin_dir);
	for (size_t i = 0; i < p->n_links; i++)
		bpf_link__destroy(p->links[i]);
	veto_engine__destroy(p->skel);
	wait_progs_gone(ids, n);
	free(p);
}

uint64_t engine_policy_lost(const struct engine_policy *p, enum veto_lost what)
{
	int ncpu = libbpf_num_possible_cpus();
	uint32_t key = what;
	uint64_t sum = 0, *v;

	if (ncpu <= 0)
		return 0;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (v && !bpf_map_lookup_elem(bpf_map__fd(p->skel->maps.policy_lost), &key, v))
		for (int i = 0; i < ncpu; i++)
			sum += v[i];
	free(v);
	return sum;
}

/* Pinning: the instance outlives the agent. src/load/pin.c decides what
 * is pinned where and when an instance is adopted. */

#define PIN_LINK "link_"
#define PIN_MAP "map_"

/* The ring's name is the map it reuses: pinned under one name of its own. */
static const char *map_pin_name(const struct engine_policy *p, const struct bpf_map *m)
{
	return m == p->skel->maps.policy_events ? "ring" : bpf_map__name(m);
}

static int pin_path(char *buf, const char *dir, const char *kind, const char *name, size_t i)
{
	int n = name ? snprintf(buf, PATH_MAX, "%s/%s%s", dir, kind, name) :
		       snprintf(buf, PATH_MAX, "%s/%s%02zu", dir, kind, i);

	return n < PATH_MAX ? 0 : -ENAMETOOLONG;
}

int engine_policy_pin(struct engine_policy *p, const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct bpf_map *m;
	int r;

	for (size_t i = 0; i < p->n_links; i++) {
		r = pin_path(path, dir, PIN_LINK, NULL, i);
		if (!r && bpf_obj_pin(bpf_link__fd(p->links[i]), path))
			r = -errno;
		if (r) {
			snprintf(err, errlen, "pinning its link %zu: %s%s", i, strerror(-r),
				 r == -EINVAL ? " (a tracepoint or kprobe attachment is a BPF link, which can be pinned, from kernel 5.15)" : "");
			return r;
		}
	}
	bpf_object__for_each_map(m, p->skel->obj) {
		if (bpf_map__is_internal(m) || bpf_map__fd(m) < 0)
			continue;
		r = pin_path(path, dir, PIN_MAP, map_pin_name(p, m), 0);
		if (!r && bpf_obj_pin(bpf_map__fd(m), path))
			r = -errno;
		if (r) {
			snprintf(err, errlen, "pinning its map %s: %s", bpf_map__name(m), strerror(-r));
			return r;
		}
	}
	free(p->pin_dir);
	p->pin_dir = strdup(dir);
	return p->pin_dir ? 0 : -ENOMEM;
}

/* The pinned maps in place of the object's: the object is opened, never
 * loaded, so its maps' fds are the pinned ones. */
static int adopt_maps(struct engine_policy *p, const struct compiled *c, const char *dir, int events_fd, char *err,
		      size_t errlen)
{
	char path[PATH_MAX];
	struct bpf_map *m;
	int fd, r;

	bpf_object__for_each_map(m, p->skel->obj) {
		if (bpf_map__is_internal(m))
			continue;
		r = pin_path(path, dir, PIN_MAP, map_pin_name(p, m), 0);
		fd = r ? r : bpf_obj_get(path);
		if (fd < 0) {
			r = r ? r : -errno;
			/* load makes it only for a policy with an LSM hook */
			if (r == -ENOENT && m == p->skel->maps.pcache && !compiled_has_lsm(c))
				continue;
			snprintf(err, errlen, "its map %s: %s", bpf_map__name(m), strerror(-r));
			return r;
		}
		r = bpf_map__reuse_fd(m, fd);
		close(fd);
		if (r) {
			snprintf(err, errlen, "its map %s: %s", bpf_map__name(m), strerror(-r));
			return r;
		}
	}
	if (events_fd >= 0 && bpf_fd_map_id(bpf_map__fd(p->skel->maps.policy_events)) != bpf_fd_map_id(events_fd)) {
		snprintf(err, errlen, "its events go to another ring buffer than the agent's");
		return -ESTALE;
	}
	return 0;
}

/* The compiled policy's mode where the pinned one differs: the instance
 * is the same policy but for that (the caller compared their hashes). */
static int adopt_mode(struct engine_policy *p, const struct compiled *c)
{
	int fd = bpf_map__fd(p->skel->maps.cfg);

	for (size_t i = 0; i < c->n_hooks; i++) {
		struct veto_hook_cfg now;
		uint32_t key = c->hooks[i].id;

		if (bpf_map_lookup_elem(fd, &key, &now))
			return -errno;
		if (now.monitor != c->hooks[i].cfg.monitor && bpf_map_update_elem(fd, &key, &c->hooks[i].cfg, BPF_ANY))
			return -errno;
	}
	return 0;
}

int engine_policy_adopt(const struct compiled *c, uint32_t id, const char *dir, int events_fd,
			struct engine_policy **out, char *err, size_t errlen)
{
	struct engine_policy *p;
	char path[PATH_MAX];
	int r;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->id = id;
	p->adopted = true;
	p->skel = veto_engine__open();
	if (!p->skel) {
		r = -errno;
		snprintf(err, errlen, "opening the policy programs: %s", strerror(-r));
		goto fail;
	}
	r = adopt_maps(p, c, dir, events_fd, err, errlen);
	if (r)
		goto fail;
	while (p->n_links < sizeof(p->links) / sizeof(p->links[0])) {
		struct bpf_link *link;

		r = pin_path(path, dir, PIN_LINK, NULL, p->n_links);
		if (r || !bpffs_exists(path))
			break;
		link = bpf_link__open(path);
		if (!link) {
			r = -errno;
			snprintf(err, errlen, "its link %zu: %s", p->n_links, strerror(-r));
			goto fail;
		}
		p->links[p->n_links++] = link;
	}
	if (!p->n_links) {
		r = r ? r : -ENOENT;
		snprintf(err, errlen, "no pinned link");
		goto fail;
	}
	r = adopt_mode(p, c);
	if (r) {
		snprintf(err, errlen, "setting its mode: %s", strerror(-r));
		goto fail;
	}
	p->pin_dir = strdup(dir);
	if (!p->pin_dir) {
		r = -ENOMEM;
		goto fail;
	}
	*out = p;
	return 0;
fail:
	/* what is pinned stays: not this process's to remove */
	engine_policy_release(p);
	return r < 0 ? r : -EINVAL;
}

void engine_policy_release(struct engine_policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_links; i++) {
		/* libbpf's detach would disable a tracepoint's perf event,
		 * which the pinned link still uses: only close */
		bpf_link__disconnect(p->links[i]);
		close(bpf_link__fd(p->links[i]));
		bpf_link__destroy(p->links[i]);
	}
	veto_engine__destroy(p->skel);
	free(p->pin_dir);
	free(p);
}

bool engine_policy_owns_pins(const struct engine_policy *p)
{
	char path[PATH_MAX];
	uint32_t id;
	int fd;

	if (!p->pin_dir || !p->n_links || pin_path(path, p->pin_dir, PIN_LINK, NULL, 0))
		return false;
	fd = bpf_obj_get(path);
	id = bpf_fd_link_id(fd);
	if (fd >= 0)
		close(fd);
	return id && id == bpf_fd_link_id(bpf_link__fd(p->links[0]));
}

const char *engine_policy_dir(const struct engine_policy *p)
{
	return p->pin_dir;
}

int engine_policy_moved(struct engine_policy *p, const char *dir)
{
	char *d = dir ? strdup(dir) : NULL;

	if (dir && !d)
		return -ENOMEM;
	free(p->pin_dir);
	p->pin_dir = d;
	return 0;
}

bool engine_policy_adopted(const struct engine_policy *p)
{
	return p->adopted;
}

int engine_policy_stats(const struct engine_policy *p, uint64_t out[VETO_STAT__COUNT])
{
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(p->skel->maps.policy_stats), r = 0;
	uint64_t *v;

	memset(out, 0, VETO_STAT__COUNT * sizeof(out[0]));
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (uint32_t k = 0; k < VETO_STAT__COUNT && !r; k++) {
		if (bpf_map_lookup_elem(fd, &k, v)) {
			r = -errno;
			break;
		}
		for (int i = 0; i < ncpu; i++)
			out[k] += v[i];
	}
	free(v);
	return r;
}

/* Each update rewrites one hook's whole entry with only monitor changed:
 * a program sees the old entry or the new one, so every hook is in one
 * mode or the other at every instant (bpf/engine_act.h reads it once). */
static int write_mode(struct engine_policy *p, const struct compiled *c, size_t n, bool monitor)
{
	int fd = bpf_map__fd(p->skel->maps.cfg);

	for (size_t i = 0; i < n; i++) {
		struct veto_hook_cfg cfg = c->hooks[i].cfg;
		uint32_t key = c->hooks[i].id;

		cfg.monitor = monitor;
		if (bpf_map_update_elem(fd, &key, &cfg, BPF_EXIST))
			return -errno;
	}
	return 0;
}

int engine_policy_set_mode(struct engine_policy *p, const struct compiled *c, bool monitor)
{
	int r = write_mode(p, c, c->n_hooks, monitor);

	/* back to what c says: the policy stays in one mode */
	if (r)
		write_mode(p, c, c->n_hooks, c->n_hooks && c->hooks[0].cfg.monitor);
	return r;
}

/* The "memlock:" line of /proc/self/fdinfo/FD: what the kernel charges for
 * a map or program. */
uint64_t engine_policy_memlock(const struct engine_policy *p)
{
	struct engine_obj objs[256];
	size_t n = engine_policy_objs(p, objs, sizeof(objs) / sizeof(objs[0]));
	uint64_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += bpf_fd_memlock(objs[i].fd);
	return sum;
}

size_t engine_policy_objs(const struct engine_policy *p, struct engine_obj *out, size_t max)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	size_t n = 0;

	bpf_object__for_each_map(map, p->skel->obj) {
		if (n < max && map != p->skel->maps.policy_events && bpf_map__fd(map) >= 0)
			out[n++] = (struct engine_obj){ bpf_map__fd(map), false, bpf_map__name(map) };
	}
	bpf_object__for_each_program(prog, p->skel->obj) {
		if (n < max && bpf_program__fd(prog) >= 0)
			out[n++] = (struct engine_obj){ bpf_program__fd(prog), true, bpf_program__name(prog) };
	}
	return n;
}

int engine_policy_each_fd(const struct engine_policy *p, objfd_fn fn, void *ctx)
{
	return objfd_each(p->skel->obj, p->links, p->n_links, fn, ctx);
}
