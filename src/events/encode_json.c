/* JSON export with Tetragon's field names. Like protobuf's JSON mapping, empty
 * strings, empty lists and false booleans are left out; wrapped integers (pid,
 * uid, auid, tid) are always written. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "events/encode.h"
#include "util/timefmt.h"

static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
	"CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
	"CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
	"CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};
#define NCAPS ((int)(sizeof(cap_names) / sizeof(cap_names[0])))

const char *cap_name(int bit)
{
	return bit >= 0 && bit < NCAPS ? cap_names[bit] : NULL;
}

static const char *const kind_names[EV__COUNT] = { "process_exec", "process_exit", "process_kprobe",
						    "process_lsm", "process_tracepoint" };

const char *ev_kind_name(enum ev_kind k)
{
	return (unsigned)k < EV__COUNT ? kind_names[k] : NULL;
}

int ev_kind_parse(const char *s, enum ev_kind *k)
{
	for (int i = 0; i < EV__COUNT; i++) {
		if (!strcmp(s, kind_names[i]) || !strcasecmp(s, kind_names[i] + 8) ||
		    (i == EV_PROCESS_EXEC && !strcasecmp(s, "PROCESS_EXEC")) ||
		    (i == EV_PROCESS_EXIT && !strcasecmp(s, "PROCESS_EXIT"))) {
			*k = i;
			return 0;
		}
	}
	return -EINVAL;
}

/* A capability set as a JSON array; the same few sets recur, so remember
 * the rendering of recent ones. */
static void caps(struct jw *w, const char *key, uint64_t mask)
{
	static __thread struct {
		uint64_t mask;
		size_t len;
		char json[1024];
		int valid;
	} memo[16];
	unsigned slot = (unsigned)((mask * 0x9E3779B97F4A7C15ull) >> 60);

	if (!mask)
		return;
	if (!memo[slot].valid || memo[slot].mask != mask) {
		struct jw t;
		jw_init(&t);
		jw_arr_open(&t);
		for (int b = 0; b < 64; b++) {
			if (mask >> b & 1) {
				char unk[24];
				const char *n = cap_name(b);
				if (!n) {
					snprintf(unk, sizeof(unk), "CAP_%d", b);
					n = unk;
				}
				jw_str(&t, n);
			}
		}
		jw_arr_close(&t);
		if (t.oom || t.len >= sizeof(memo[slot].json)) {
			jw_key(w, key);
			jw_raw_value(w, t.buf ? t.buf : "[]", t.buf ? t.len : 2);
			jw_free(&t);
			return;
		}
		memcpy(memo[slot].json, t.buf, t.len);
		memo[slot].len = t.len;
		memo[slot].mask = mask;
		memo[slot].valid = 1;
		jw_free(&t);
	}
	jw_key(w, key);
	jw_raw_value(w, memo[slot].json, memo[slot].len);
}

static const char *const ns_names[PROC_NS__COUNT] = {
	[PROC_NS_UTS] = "uts", [PROC_NS_IPC] = "ipc", [PROC_NS_MNT] = "mnt", [PROC_NS_PID] = "pid",
	[PROC_NS_PID_FOR_CHILDREN] = "pid_for_children", [PROC_NS_NET] = "net",
	[PROC_NS_TIME] = "time", [PROC_NS_TIME_FOR_CHILDREN] = "time_for_children",
	[PROC_NS_CGROUP] = "cgroup", [PROC_NS_USER] = "user",
};

static void kstr_nonempty(struct jw *w, const char *key, const char *s)
{
	if (s && *s)
		jw_kstr(w, key, s);
}

static void process(struct jw *w, const struct enc_ctx *ctx, const struct proc *p)
{
	char buf[TIMEFMT_LEN > 256 ? TIMEFMT_LEN : 256];
	bool any_ns = false;

	jw_obj_open(w);
	jw_kstr(w, "exec_id", p->exec_id);
	jw_kuint(w, "pid", p->pid);
	jw_kuint(w, "uid", p->uid);
	kstr_nonempty(w, "cwd", p->cwd);
	kstr_nonempty(w, "binary", p->binary);
	kstr_nonempty(w, "arguments", p->args);
	proc_flags_str(p->flags, buf, sizeof(buf));
	kstr_nonempty(w, "flags", buf);
	timefmt_rfc3339(p->start_wall, buf);
	jw_kstr(w, "start_time", buf);
	jw_kuint(w, "auid", p->auid);
	if (p->container.id[0]) {
		if (p->container.runtime) {
			snprintf(buf, sizeof(buf), "%s://%s", p->container.runtime, p->container.id);
			jw_key(w, "pod");
			jw_obj_open(w);
			jw_key(w, "container");
			jw_obj_open(w);
			jw_kstr(w, "id", buf);
			jw_kuint(w, "pid", p->nspid);
			jw_obj_close(w);
			jw_obj_close(w);
		}
		/* Tetragon's `docker` field: the first 31 characters of the id */
		jw_key(w, "docker");
		jw_strn(w, p->container.id, 31);
	}
	if (p->parent)
		jw_kstr(w, "parent_exec_id", p->parent->exec_id);
	if (p->cap[0] | p->cap[1] | p->cap[2]) {
		jw_key(w, "cap");
		jw_obj_open(w);
		caps(w, "permitted", p->cap[0]);
		caps(w, "effective", p->cap[1]);
		caps(w, "inheritable", p->cap[2]);
		jw_obj_close(w);
	}
	for (int i = 0; i < PROC_NS__COUNT; i++)
		any_ns |= p->ns[i] != 0;
	if (any_ns) {
		jw_key(w, "ns");
		jw_obj_open(w);
		for (int i = 0; i < PROC_NS__COUNT; i++) {
			if (!p->ns[i])
				continue;
			jw_key(w, ns_names[i]);
			jw_obj_open(w);
			jw_kuint(w, "inum", p->ns[i]);
			if (p->ns[i] == ctx->host_ns[i])
				jw_kbool(w, "is_host", true);
			jw_obj_close(w);
		}
		jw_obj_close(w);
	}
	jw_kuint(w, "tid", p->tid);
	jw_key(w, "process_credentials");
	jw_obj_open(w);
	jw_kuint(w, "uid", p->uid);
	jw_kuint(w, "gid", p->gid);
	jw_kuint(w, "euid", p->euid);
	jw_kuint(w, "egid", p->egid);
	jw_kuint(w, "suid", p->suid);
	jw_kuint(w, "sgid", p->sgid);
	jw_kuint(w, "fsuid", p->fsuid);
	jw_kuint(w, "fsgid", p->fsgid);
	jw_obj_close(w);
	jw_obj_close(w);
}

void enc_json(struct jw *w, const struct enc_ctx *ctx, const struct ev *e, bool ancestors)
{
	const struct proc *p = e->proc;
	char t[TIMEFMT_LEN];

	timefmt_rfc3339(e->time, t);
	jw_obj_open(w);
	jw_key(w, ev_kind_name(e->kind));
	jw_obj_open(w);
	jw_key(w, "process");
	process(w, ctx, p);
	if (p->parent) {
		jw_key(w, "parent");
		process(w, ctx, p->parent);
	}
	if (e->kind == EV_PROCESS_EXEC && ancestors && p->parent && p->parent->parent) {
		int n = 0;
		jw_key(w, "ancestors");
		jw_arr_open(w);
		for (const struct proc *a = p->parent->parent; a && n < ctx->max_ancestors; a = a->parent, n++)
			process(w, ctx, a);
		jw_arr_close(w);
	}
	if (e->kind == EV_PROCESS_EXIT) {
		int sig = e->exit_code & 0x7f;
		if (sig) {
			const char *abbrev = sigabbrev_np(sig);
			char name[32];
			if (abbrev)
				snprintf(name, sizeof(name), "SIG%s", abbrev);
			else
				snprintf(name, sizeof(name), "SIG%d", sig);
			jw_kstr(w, "signal", name);
		}
		jw_kuint(w, "status", (e->exit_code >> 8) & 0xff);
		jw_kstr(w, "time", t);
	}
	if (e->pol)
		enc_policy_fields(w, e);
	jw_obj_close(w);
	jw_kstr(w, "node_name", ctx->node);
	jw_kstr(w, "time", t);
	jw_obj_close(w);
}
