#include "load/engine.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "engine.skel.h"
#include "load/follow.h"
#include "util/bpflog.h"
#include "util/objfd.h"

#define FOLLOW_PROGS 3
#define PCACHE_INV "veto_pcache_inv"

struct engine_policy {
	struct veto_engine *skel;
	uint32_t id;
	struct bpf_link *links[VETO_HOOK_MAX + VETO_SLOT_MAX + FOLLOW_PROGS + 1];
	size_t n_links;
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

void engine_policy_unload(struct engine_policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_links; i++)
		bpf_link__destroy(p->links[i]);
	veto_engine__destroy(p->skel);
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

int engine_policy_each_fd(const struct engine_policy *p, objfd_fn fn, void *ctx)
{
	return objfd_each(p->skel->obj, p->links, p->n_links, fn, ctx);
}
