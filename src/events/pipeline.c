#include "events/pipeline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define GRACE_NS (10ull * 1000000000ull)

int pipeline_init(struct pipeline *p, const char *node, pipeline_emit_fn emit, void *ctx)
{
	int err;

	memset(p, 0, sizeof(*p));
	p->dec = malloc(sizeof(*p->dec));
	p->pol = malloc(sizeof(*p->pol));
	err = p->dec && p->pol ? proc_cache_new(&p->cache, node, GRACE_NS) : -ENOMEM;
	if (err) {
		free(p->dec);
		free(p->pol);
		p->dec = NULL;
		p->pol = NULL;
		return err;
	}
	snprintf(p->enc.node, sizeof(p->enc.node), "%s", node);
	p->enc.max_ancestors = PROC_KEEP_ANCESTORS - 1; /* the parent and these are kept */
	p->emit = emit;
	p->emit_ctx = ctx;
	return 0;
}

void pipeline_fini(struct pipeline *p)
{
	proc_cache_free(p->cache);
	free(p->dec);
	free(p->pol);
	memset(p, 0, sizeof(*p));
}

static int64_t ns_of(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void pipeline_set_host(struct pipeline *p)
{
	int64_t wall = ns_of(CLOCK_REALTIME);

	p->mono_to_wall = wall - ns_of(CLOCK_MONOTONIC);
	proc_cache_set_clocks(p->cache, p->mono_to_wall, wall - ns_of(CLOCK_BOOTTIME));
	pipeline_host_ns(p->enc.host_ns);
}

void pipeline_host_ns(uint32_t ns[VN__COUNT])
{
	/* the kernel's initial namespaces have fixed inode numbers, except mnt
	 * and net; used when pid 1 cannot be inspected (a sandboxed agent) */
	static const uint32_t init_ino[VN__COUNT] = {
		[VN_UTS] = 0xEFFFFFFEu, [VN_IPC] = 0xEFFFFFFFu, [VN_USER] = 0xEFFFFFFDu,
		[VN_PID] = 0xEFFFFFFCu, [VN_PID_FOR_CHILDREN] = 0xEFFFFFFCu,
		[VN_CGROUP] = 0xEFFFFFFBu, [VN_TIME] = 0xEFFFFFFAu,
		[VN_TIME_FOR_CHILDREN] = 0xEFFFFFFAu,
	};
	uint32_t self[VN__COUNT] = { 0 };

	if (proc_read_ns("/proc", 1, ns) == 0)
		return;
	proc_read_ns("/proc", (uint32_t)getpid(), self);
	for (int i = 0; i < VN__COUNT; i++) {
		ns[i] = init_ino[i];
		/* mnt, net: ours, when we run in the initial pid namespace */
		if (!ns[i] && self[VN_PID] == init_ino[VN_PID])
			ns[i] = self[i];
	}
}

void pipeline_set_policies(struct pipeline *p, const struct ev_policy *v, size_t n)
{
	p->policies = v;
	p->n_policies = n;
}

/* A policy matched: the process comes from the cache (it is the caller, so it
 * is current), or, for one the cache missed, from the event itself. */
static int push_policy(struct pipeline *p, const void *data, size_t len)
{
	const struct veto_policy_event *pe = &p->pol->r;
	struct proc miss, *proc;
	struct ev e = { 0 };

	if (policy_decode(data, len, p->policies, p->n_policies, p->pol)) {
		p->bad_records++;
		return -EINVAL;
	}
	proc = proc_cache_find(p->cache, pe->pid);
	if (!proc) {
		memset(&miss, 0, sizeof(miss));
		miss.pid = pe->pid;
		miss.tid = pe->tid;
		miss.uid = pe->uid;
		miss.flags = PF_MISS;
		miss.binary = pe->bin_len ? pe->binary : pe->comm;
		miss.args = miss.cwd = miss.exec_id = miss.argv = "";
		proc = &miss;
	}
	e.hook = p->pol->hook;
	if (e.hook->kind == EH_TRACEPOINT)
		e.kind = EV_PROCESS_TRACEPOINT;
	else
		e.kind = pe->kprobe ? EV_PROCESS_KPROBE : EV_PROCESS_LSM;
	e.time = pe->ktime + p->mono_to_wall;
	e.proc = proc;
	e.pol = pe;
	e.policy = p->pol->policy;
	p->events[e.kind]++;
	if (p->emit)
		p->emit(p->emit_ctx, &e);
	return 0;
}

void pipeline_sweep(struct pipeline *p, uint64_t now, bool (*exists)(uint32_t pid, void *ctx),
		    void (*drain)(void *ctx), void *ctx)
{
	/* the kernel queues a process's exit before it frees its pid: a pid
	 * found gone has its exit, unless lost, among the records read now */
	if (proc_cache_mark_gone(p->cache, exists, ctx))
		drain(ctx);
	proc_cache_reap(p->cache, now, true);
}

ssize_t pipeline_announce_procfs(struct pipeline *p, void (*flush)(void *ctx), void *ctx)
{
	struct proc **v;
	ssize_t n = proc_cache_procfs_list(p->cache, &v);

	if (n < 0)
		return n;
	for (ssize_t i = 0; i < n; i++) {
		/* dated when it started: the exec it stands for */
		struct ev e = { .kind = EV_PROCESS_EXEC, .time = v[i]->start_wall, .proc = v[i] };

		p->events[e.kind]++;
		if (p->emit)
			p->emit(p->emit_ctx, &e);
		if (flush && (i + 1) % PIPELINE_PROCFS_BATCH == 0)
			flush(ctx);
	}
	if (flush && n % PIPELINE_PROCFS_BATCH)
		flush(ctx);
	free(v);
	return n;
}

int pipeline_push(struct pipeline *p, const void *data, size_t len)
{
	struct proc *proc;
	struct ev e = { 0 };
	uint32_t type = 0;
	int err;

	p->records++;
	if (len >= sizeof(type))
		memcpy(&type, data, sizeof(type));
	if (type == VETO_EV_POLICY)
		return push_policy(p, data, len);
	err = proc_decode(data, len, p->dec);
	if (err) {
		p->bad_records++;
		return err;
	}
	err = proc_cache_apply(p->cache, p->dec, &proc);
	if (err) {
		p->oom++;
		return err;
	}
	if (p->dec->h.type == PROC_EV_FORK) {
		p->forks++;
		return 0;
	}
	e.kind = p->dec->h.type == PROC_EV_EXEC ? EV_PROCESS_EXEC : EV_PROCESS_EXIT;
	e.time = p->dec->h.ktime + p->mono_to_wall;
	e.proc = proc;
	e.exit_code = p->dec->h.exit_code;
	p->events[e.kind]++;
	if (p->emit)
		p->emit(p->emit_ctx, &e);
	return 0;
}
