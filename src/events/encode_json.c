/* JSON export: Tetragon's GetEventsResponse as protojson writes it, its
 * fields in the messages' order. As the proto3 JSON mapping does, zero values
 * (empty strings and lists, 0, false) are left out; wrapped values (pid, uid,
 * auid, tid, the credentials, in_init_tree) are always written. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events/encode.h"
#include "util/caps.h"
#include "util/ns.h"
#include "util/timefmt.h"

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

/* Fixed keys and separators are written as they are. */
#define LIT(w, s) jw_raw(w, s, sizeof(s) - 1)

/* "name": of an object's member, after a comma unless it is the first */
static void member(struct jw *w, const char *name, bool *first)
{
	if (!*first)
		LIT(w, ",");
	LIT(w, "\"");
	jw_raw(w, name, strlen(name));
	LIT(w, "\":");
	*first = false;
}

static void cap_list(struct jw *w, const char *name, uint64_t mask, bool *first)
{
	char unk[24];

	if (!mask)
		return;
	member(w, name, first);
	for (int b = 0, n = 0; b < 64; b++) {
		if (!(mask >> b & 1))
			continue;
		const char *s = cap_export_name(b);
		jw_raw(w, n++ ? "," : "[", 1);
		if (s) {
			jw_raw_str(w, s, strlen(s));
		} else {
			/* a bit past Tetragon's enum: its number, as proto JSON reads enums */
			size_t k = snprintf(unk, sizeof(unk), "%d", b);
			jw_raw(w, unk, k);
		}
	}
	LIT(w, "]");
}

#define MEMO_KEY 6 /* words: 3 capability sets, or 10 namespaces + is_host bits */

/* ,"cap":{...} of key[0..2] (permitted, effective, inheritable); "" if none */
static void cap_fragment(struct jw *w, const uint64_t key[MEMO_KEY])
{
	bool first = true;

	if (!(key[0] | key[1] | key[2]))
		return;
	LIT(w, ",\"cap\":{");
	cap_list(w, "permitted", key[0], &first);
	cap_list(w, "effective", key[1], &first);
	cap_list(w, "inheritable", key[2], &first);
	LIT(w, "}");
}

/* key[0..4]: the inode numbers, two a word; key[5]: which are the host's */
static void ns_key(const struct enc_ctx *ctx, const struct proc *p, uint64_t key[MEMO_KEY])
{
	memset(key, 0, MEMO_KEY * sizeof(key[0]));
	for (int i = 0; i < VN__COUNT; i++) {
		key[i / 2] |= (uint64_t)p->ns[i] << (i % 2 * 32);
		key[5] |= (uint64_t)(p->ns[i] == ctx->host_ns[i]) << i;
	}
}

/* ,"ns":{...} of ns_key(); "" if none */
static void ns_fragment(struct jw *w, const uint64_t key[MEMO_KEY])
{
	bool first = true;

	for (int i = 0; i < VN__COUNT; i++) {
		uint32_t inum = (uint32_t)(key[i / 2] >> (i % 2 * 32));
		if (!inum)
			continue;
		if (first)
			LIT(w, ",\"ns\":{");
		member(w, ns_name(i), &first);
		LIT(w, "{\"inum\":");
		jw_raw_uint(w, inum);
		if (key[5] >> i & 1)
			LIT(w, ",\"is_host\":true}");
		else
			LIT(w, "}");
	}
	if (!first)
		LIT(w, "}");
}

/* The cap and ns parts are most of a process object and the same few recur
 * (every root process has the same 40-name lists): remember their encoding
 * by value, so no entry can go stale, and in a fixed number of slots. */
#define MEMO_SLOTS 64

struct memo {
	uint64_t key[MEMO_KEY];
	char *json; /* NULL when empty */
	size_t len;
	bool used;
};

static __thread struct memo cap_memo[MEMO_SLOTS], ns_memo[MEMO_SLOTS];
static __thread bool memo_off;

void enc_json_memo(bool on)
{
	memo_off = !on;
}

static void memoized(struct jw *w, struct memo *tab, const uint64_t key[MEMO_KEY],
		     void (*build)(struct jw *, const uint64_t[MEMO_KEY]))
{
	uint64_t h = 0;
	struct memo *m;
	struct jw t;

	if (memo_off) {
		build(w, key);
		return;
	}
	/* not the is_host bits: they follow from the inode numbers as long as
	 * the host's stay, and when those change, the old entry is replaced */
	for (int i = 0; i < MEMO_KEY - 1; i++)
		h = (h ^ key[i]) * 0x9E3779B97F4A7C15ull;
	m = &tab[h >> 58];
	if (!m->used || memcmp(m->key, key, sizeof(m->key))) {
		jw_init(&t);
		build(&t, key);
		if (t.oom) {
			jw_free(&t);
			build(w, key);
			return;
		}
		free(m->json);
		memcpy(m->key, key, sizeof(m->key));
		m->json = t.buf;
		m->len = t.len;
		m->used = true;
	}
	if (m->len)
		jw_raw(w, m->json, m->len);
}

static void kstr_nonempty(struct jw *w, const char *key, size_t klen, const char *s)
{
	if (s && *s) {
		jw_raw(w, key, klen);
		jw_raw_str(w, s, strlen(s));
	}
}

static void kuint(struct jw *w, const char *key, size_t klen, uint64_t v)
{
	jw_raw(w, key, klen);
	jw_raw_uint(w, v);
}

/* buf[1..n] between quotes, written in buf[0] and buf[n + 1] */
static void plain(struct jw *w, char *buf, size_t n)
{
	buf[0] = buf[n + 1] = '"';
	jw_raw(w, buf, n + 2);
}

#define KSTR(w, key, s) kstr_nonempty(w, key, sizeof(key) - 1, s)
#define KUINT(w, key, v) kuint(w, key, sizeof(key) - 1, v)

/* Tetragon's in_init_tree: a process of a container's pid namespace that
 * descends, within it, from that namespace's pid 1 (kubectl exec and nsenter
 * start outside that tree). Host processes are never in it. */
static bool in_init_tree(const struct enc_ctx *ctx, const struct proc *p)
{
	for (const struct proc *q = p; q; q = q->parent) {
		if (!q->ns[VN_PID] || q->ns[VN_PID] == ctx->host_ns[VN_PID])
			return false;
		if (q->nspid == 1)
			return true;
		if (!q->parent || q->parent->ns[VN_PID] != q->ns[VN_PID])
			return false;
	}
	return false;
}

/* refcnt: Tetragon's count of references to the process in its cache, which
 * its events show for the process of a policy event; 0 elsewhere. */
static void process(struct jw *w, const struct enc_ctx *ctx, const struct proc *p, uint32_t refcnt)
{
	char buf[TIMEFMT_LEN > 256 ? TIMEFMT_LEN : 256];
	uint64_t key[MEMO_KEY] = { p->cap[0], p->cap[1], p->cap[2] };
	size_t n;

	/* one value, then raw text: the writer's state stays "a value was written" */
	jw_raw_value(w, "{", 1);
	if (p->exec_id[0]) {
		LIT(w, "\"exec_id\":");
		jw_raw_str(w, p->exec_id, strlen(p->exec_id));
		LIT(w, ",");
	}
	KUINT(w, "\"pid\":", p->pid);
	KUINT(w, ",\"uid\":", p->euid); /* the effective uid, as Tetragon (and ps) */
	KSTR(w, ",\"cwd\":", p->cwd);
	KSTR(w, ",\"binary\":", p->binary);
	KSTR(w, ",\"arguments\":", p->args);
	/* flag names and times need no escaping */
	n = proc_flags_str(p->flags, buf + 1, sizeof(buf) - 2);
	if (n) {
		LIT(w, ",\"flags\":");
		plain(w, buf, n);
	}
	if (p->start_wall) {
		LIT(w, ",\"start_time\":");
		plain(w, buf, timefmt_rfc3339(p->start_wall, buf + 1));
	}
	KUINT(w, ",\"auid\":", p->auid);
	if (p->container.id[0]) {
		if (p->container.runtime) {
			n = snprintf(buf, sizeof(buf), "%s://%s", p->container.runtime, p->container.id);
			LIT(w, ",\"pod\":{\"container\":{\"id\":");
			jw_raw_str(w, buf, n < sizeof(buf) ? n : sizeof(buf) - 1);
			KUINT(w, ",\"pid\":", p->nspid);
			LIT(w, "}}");
		}
		/* Tetragon's `docker` field: the first 31 characters of the id */
		LIT(w, ",\"docker\":");
		jw_raw_str(w, p->container.id, 31);
	}
	if (p->parent && p->parent->exec_id[0]) {
		LIT(w, ",\"parent_exec_id\":");
		jw_raw_str(w, p->parent->exec_id, strlen(p->parent->exec_id));
	}
	if (refcnt)
		KUINT(w, ",\"refcnt\":", refcnt);
	if (ctx->cred)
		memoized(w, cap_memo, key, cap_fragment);
	if (ctx->ns) {
		ns_key(ctx, p, key);
		memoized(w, ns_memo, key, ns_fragment);
	}
	KUINT(w, ",\"tid\":", p->tid);
	if (ctx->cred) {
		KUINT(w, ",\"process_credentials\":{\"uid\":", p->uid);
		KUINT(w, ",\"gid\":", p->gid);
		KUINT(w, ",\"euid\":", p->euid);
		KUINT(w, ",\"egid\":", p->egid);
		KUINT(w, ",\"suid\":", p->suid);
		KUINT(w, ",\"sgid\":", p->sgid);
		KUINT(w, ",\"fsuid\":", p->fsuid);
		KUINT(w, ",\"fsgid\":", p->fsgid);
		LIT(w, "}");
	}
	if (in_init_tree(ctx, p))
		LIT(w, ",\"in_init_tree\":true}");
	else
		LIT(w, ",\"in_init_tree\":false}");
}

static void ancestors(struct jw *w, const struct enc_ctx *ctx, const struct proc *p)
{
	int n = 0;

	if (!p->parent || !p->parent->parent)
		return;
	jw_key(w, "ancestors");
	jw_arr_open(w);
	for (const struct proc *a = p->parent->parent; a && n < ctx->max_ancestors; a = a->parent, n++)
		process(w, ctx, a, 0);
	jw_arr_close(w);
}

static void exit_fields(struct jw *w, const struct ev *e, const char *t)
{
	int sig = e->exit_code & 0x7f, status = (e->exit_code >> 8) & 0xff;

	if (sig) {
		const char *abbrev = sigabbrev_np(sig);
		char name[32];
		if (abbrev)
			snprintf(name, sizeof(name), "SIG%s", abbrev);
		else
			snprintf(name, sizeof(name), "SIG%d", sig);
		jw_kstr(w, "signal", name);
	}
	if (status)
		jw_kuint(w, "status", status);
	jw_kstr(w, "time", t);
}

void enc_json(struct jw *w, const struct enc_ctx *ctx, const struct ev *e, unsigned opts)
{
	const struct proc *p = e->proc;
	bool anc = opts & ENC_ANCESTORS;
	char t[TIMEFMT_LEN];

	timefmt_rfc3339(e->time, t);
	jw_obj_open(w);
	jw_key(w, ev_kind_name(e->kind));
	jw_obj_open(w);
	jw_key(w, "process");
	process(w, ctx, p, e->pol ? p->refs : 0);
	if (p->parent) {
		jw_key(w, "parent");
		process(w, ctx, p->parent, 0);
	}
	if (e->kind == EV_PROCESS_EXIT)
		exit_fields(w, e, t);
	if (e->pol)
		enc_policy_fields(w, e);
	if (anc)
		ancestors(w, ctx, p);
	jw_obj_close(w);
	jw_kstr(w, "node_name", ctx->node);
	jw_kstr(w, "time", t);
	if (opts & ENC_VETO && e->pol)
		enc_veto_key(w, e);
	jw_obj_close(w);
}

int enc_ancestors_parse(const char *list, uint32_t *kinds, const char **bad)
{
	static const struct {
		const char *name;
		uint32_t kinds;
	} types[] = {
		{ "base", ENC_ANC_BASE },
		{ "kprobe", 1u << EV_PROCESS_KPROBE },
		{ "tracepoint", 1u << EV_PROCESS_TRACEPOINT },
		{ "lsm", 1u << EV_PROCESS_LSM },
	};
	const char *s = list;

	*kinds = 0;
	while (*s) {
		size_t n = strcspn(s, ","), i;

		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (n == strlen(types[i].name) && !strncmp(s, types[i].name, n))
				break;
		if (i == sizeof(types) / sizeof(types[0])) {
			*bad = s;
			return -ENOENT;
		}
		*kinds |= types[i].kinds;
		s += n + (s[n] == ',');
	}
	/* as Tetragon: the other types need base (a process's ancestors are
	 * those its exec listed) */
	if (*kinds && !(*kinds & ENC_ANC_BASE)) {
		*bad = list;
		return -EINVAL;
	}
	return 0;
}
