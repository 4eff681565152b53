/* Raw records as the sensor writes them (bpf/process.h layout) pushed through
 * decode + cache + encoders. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "events/decode.h"
#include "events/pipeline.h"
#include "util/base64.h"

struct rec {
	struct veto_proc_event h;
	char data[PROC_DATA_MAX];
};

/* Sections: binary and cwd as plain paths, argv NUL-separated, cgroup leaf first. */
static size_t mk(struct rec *r, uint32_t type, uint32_t pid, uint32_t ppid, uint64_t ktime, const char *bin,
		 const char *argv, size_t argv_len, const char *cwd, size_t cwd_len, const char *cg_rev,
		 size_t cg_len)
{
	size_t o = 0;

	memset(r, 0, sizeof(*r));
	r->h.type = type;
	r->h.pid = r->h.tid = r->h.nspid = pid;
	r->h.ppid = ppid;
	r->h.ktime = r->h.start_ktime = ktime;
	r->h.auid = 1000;
	r->h.uid = r->h.euid = 1000;
	r->h.cap_effective = 1ull << 21; /* CAP_SYS_ADMIN */
	r->h.ns[VN_PID] = 4026531836u;
	r->h.ns[VN_NET] = 4026532000u;
	if (bin) {
		r->h.flags |= PROC_F_PATH_PLAIN;
		r->h.path_len = strlen(bin) + 1;
		memcpy(r->data, bin, r->h.path_len);
		o += r->h.path_len;
	}
	r->h.args_len = argv_len;
	memcpy(r->data + o, argv, argv_len);
	o += argv_len;
	r->h.cwd_len = cwd_len;
	memcpy(r->data + o, cwd, cwd_len);
	o += cwd_len;
	r->h.cgrp_len = cg_len;
	memcpy(r->data + o, cg_rev, cg_len);
	o += cg_len;
	r->h.size = sizeof(r->h) + o;
	return r->h.size;
}

static size_t mk_exec(struct rec *r, uint32_t pid, uint32_t ppid, uint64_t t, const char *bin, const char *argv,
		      size_t n)
{
	return mk(r, PROC_EV_EXEC, pid, ppid, t, bin, argv, n, "/tmp", 5, "", 0);
}

static size_t mk_simple(struct rec *r, uint32_t type, uint32_t pid, uint32_t ppid, uint64_t t)
{
	return mk(r, type, pid, ppid, t, NULL, "", 0, "", 0, "", 0);
}

#define MAXEV 16
struct sink {
	int n;
	char json[MAXEV][8192];
	char compact[MAXEV][512];
	struct pipeline *pl;
};

static void emit(void *ctx, const struct ev *e)
{
	struct sink *s = ctx;
	struct jw w;

	assert_true(s->n < MAXEV);
	jw_init(&w);
	enc_json(&w, &s->pl->enc, e, ENC_ANCESTORS);
	assert_false(w.oom);
	snprintf(s->json[s->n], sizeof(s->json[0]), "%s", w.buf);
	/* what the encoder remembered must be what it would write afresh */
	jw_reset(&w);
	enc_json_memo(false);
	enc_json(&w, &s->pl->enc, e, ENC_ANCESTORS);
	enc_json_memo(true);
	assert_string_equal(w.buf, s->json[s->n]);
	jw_reset(&w);
	enc_compact(&w, &s->pl->enc, e);
	snprintf(s->compact[s->n], sizeof(s->compact[0]), "%s", w.buf);
	jw_free(&w);
	s->n++;
}

static void setup_pl(struct pipeline *pl, struct sink *s)
{
	memset(s, 0, sizeof(*s));
	s->pl = pl;
	assert_int_equal(pipeline_init(pl, "node1", emit, s), 0);
	/* fixed clocks: monotonic 0 is 2023-10-06T22:00:00Z */
	pl->mono_to_wall = 1696629600ll * 1000000000ll;
	proc_cache_set_clocks(pl->cache, pl->mono_to_wall, pl->mono_to_wall);
	pl->enc.host_ns[VN_PID] = 4026531836u;
	pl->enc.host_ns[VN_NET] = 1;
	/* what these tests check: everything a process object can hold */
	pl->enc.cred = pl->enc.ns = true;
}

/* The name as exec'd is exported only when it is absolute and normal. */
static void exec_names_normal(void **state)
{
	static const char *const normal[] = { "/", "/usr/bin/true", "/a/.b/..c/c.", "/a/b..", "/a/b/..." };
	static const char *const not_normal[] = { "", "true", "./true", "/usr/bin/../../tmp/x", "/usr//bin",
						  "/usr/bin/.", "/usr/bin/..", "/./x", "/usr/bin/" "/" };

	(void)state;
	for (size_t i = 0; i < sizeof(normal) / sizeof(normal[0]); i++)
		assert_true(proc_path_normal(normal[i]));
	for (size_t i = 0; i < sizeof(not_normal) / sizeof(not_normal[0]); i++)
		assert_false(proc_path_normal(not_normal[i]));
}

static void join_reversed_and_args(void **state)
{
	char out[256];

	proc_join_reversed("sh\0bin\0usr\0", 11, out, sizeof(out));
	assert_string_equal(out, "/usr/bin/sh");
	proc_join_reversed("", 0, out, sizeof(out));
	assert_string_equal(out, "/");
	proc_format_args("sh\0-c\0exit 7\0", 13, 1, out, sizeof(out));
	assert_string_equal(out, "-c \"exit 7\"");
	proc_format_args("a\0\0say \"hi\"\0", 12, 0, out, sizeof(out));
	assert_string_equal(out, "a \"\" \"say \\\"hi\\\"\"");
	/* truncated: the last argument has no NUL */
	proc_format_args("x\0abc", 5, 1, out, sizeof(out));
	assert_string_equal(out, "abc");
}

static void decode_rejects_bad_sizes(void **state)
{
	struct rec r;
	struct proc_decoded *d = malloc(sizeof(*d));
	size_t n = mk_exec(&r, 10, 1, 5, "/bin/true", "true\0", 5);

	assert_int_equal(proc_decode(&r, n, d), 0);
	assert_string_equal(d->binary, "/bin/true");
	assert_string_equal(d->cwd, "/tmp");
	assert_int_equal(proc_decode(&r, sizeof(r.h) - 1, d), -EINVAL);
	r.h.args_len = 60000;
	assert_int_equal(proc_decode(&r, n, d), -EINVAL);
	mk_exec(&r, 10, 1, 5, "/bin/true", "true\0", 5);
	r.h.size = n + 100; /* says more than was received */
	assert_int_equal(proc_decode(&r, n, d), -EINVAL);
	mk_exec(&r, 10, 1, 5, "/bin/true", "true\0", 5);
	r.h.type = 99;
	assert_int_equal(proc_decode(&r, n, d), -EINVAL);
	free(d);
}

/* bash (from /proc) forks 200, which execs /bin/sh -c "exit 7", which exits 7. */
static void fork_exec_exit_lineage(void **state)
{
	struct pipeline pl;
	struct sink s;
	struct rec r;
	struct proc tmpl = { .pid = 100, .tid = 100, .ppid = 1, .ktime = 1000, .auid = 1000 };
	char raw[128], id[256];

	setup_pl(&pl, &s);
	assert_int_equal(proc_cache_insert_procfs(pl.cache, &tmpl, "/usr/bin/bash", "-i", "-i", 2, "/root", ""), 0);
	proc_cache_link_procfs(pl.cache);

	assert_int_equal(pipeline_push(&pl, &r, mk_simple(&r, PROC_EV_FORK, 200, 100, 2000)), 0);
	assert_int_equal(s.n, 0); /* forks are not exported */
	assert_int_equal(pipeline_push(&pl, &r, mk_exec(&r, 200, 100, 3000, "/bin/sh", "sh\0-c\0exit 7\0", 13)), 0);
	r.h.type = PROC_EV_EXIT;
	mk_simple(&r, PROC_EV_EXIT, 200, 100, 4000);
	r.h.exit_code = 7 << 8;
	assert_int_equal(pipeline_push(&pl, &r, r.h.size), 0);
	assert_int_equal(s.n, 2);

	snprintf(raw, sizeof(raw), "node1:3000:200");
	base64_encode(raw, strlen(raw), id);
	assert_non_null(strstr(s.json[0], "{\"process_exec\":{\"process\":{\"exec_id\":\""));
	assert_non_null(strstr(s.json[0], id));
	assert_non_null(strstr(s.json[0], "\"binary\":\"/bin/sh\",\"arguments\":\"-c \\\"exit 7\\\"\""));
	assert_non_null(strstr(s.json[0], "\"flags\":\"execve clone\""));
	assert_non_null(strstr(s.json[0], "\"cwd\":\"/tmp\""));
	assert_non_null(strstr(s.json[0], "\"start_time\":\"2023-10-06T22:00:00.000003Z\""));
	assert_non_null(strstr(s.json[0], "\"auid\":1000"));
	assert_non_null(strstr(s.json[0], "\"cap\":{\"effective\":[\"CAP_SYS_ADMIN\"]}"));
	assert_non_null(strstr(s.json[0], "\"pid\":{\"inum\":4026531836,\"is_host\":true}"));
	assert_non_null(strstr(s.json[0], "\"net\":{\"inum\":4026532000}"));
	/* the parent is bash from /proc, not the fork */
	base64_encode("node1:1000:100", 14, id);
	assert_non_null(strstr(s.json[0], "\"parent_exec_id\":\""));
	assert_non_null(strstr(s.json[0], id));
	assert_non_null(strstr(s.json[0], "\"parent\":{\"exec_id\":\""));
	assert_non_null(strstr(s.json[0], "\"binary\":\"/usr/bin/bash\""));
	assert_non_null(strstr(s.json[0], "\"flags\":\"procFS\""));
	assert_non_null(strstr(s.json[0], "\"node_name\":\"node1\",\"time\":\"2023-10-06T22:00:00.000003Z\"}"));

	assert_non_null(strstr(s.json[1], "{\"process_exit\":{\"process\":{"));
	assert_non_null(strstr(s.json[1], "\"status\":7"));
	assert_null(strstr(s.json[1], "\"signal\""));
	assert_string_equal(s.compact[0], "\xf0\x9f\x9a\x80 process node1 /bin/sh \"-c \\\"exit 7\\\"\"");
	assert_string_equal(s.compact[1], "\xf0\x9f\x92\xa5 exit    node1 /bin/sh \"-c \\\"exit 7\\\"\" 7");
	pipeline_fini(&pl);
}

/* exec without fork: the old image is the parent; a signal death names it. */
static void exec_in_place_and_signal(void **state)
{
	struct pipeline pl;
	struct sink s;
	struct rec r;

	setup_pl(&pl, &s);
	pipeline_push(&pl, &r, mk_simple(&r, PROC_EV_FORK, 300, 1, 10));
	pipeline_push(&pl, &r, mk_exec(&r, 300, 1, 20, "/bin/bash", "bash\0-c\0curl x\0", 15));
	pipeline_push(&pl, &r, mk_exec(&r, 300, 1, 30, "/usr/bin/curl", "curl\0x\0", 7));
	mk_simple(&r, PROC_EV_EXIT, 300, 1, 40);
	r.h.exit_code = 9; /* SIGKILL */
	pipeline_push(&pl, &r, r.h.size);
	assert_int_equal(s.n, 3);
	assert_non_null(strstr(s.json[1], "\"binary\":\"/usr/bin/curl\",\"arguments\":\"x\",\"flags\":\"execve rootcwd\"") ||
			strstr(s.json[1], "\"binary\":\"/usr/bin/curl\",\"arguments\":\"x\",\"flags\":\"execve\""));
	assert_non_null(strstr(s.json[1], "\"parent\":{\"exec_id\":"));
	assert_non_null(strstr(s.json[1], "\"arguments\":\"-c \\\"curl x\\\"\",\"flags\":\"execve clone\""));
	/* status 0 is left out, as proto JSON does */
	assert_non_null(strstr(s.json[2], "\"signal\":\"SIGKILL\",\"time\":"));
	assert_string_equal(s.compact[2], "\xf0\x9f\x92\xa5 exit    node1 /usr/bin/curl x SIGKILL");
	pipeline_fini(&pl);
}

static void ancestors_listed(void **state)
{
	struct pipeline pl;
	struct sink s;
	struct rec r;

	setup_pl(&pl, &s);
	pipeline_push(&pl, &r, mk_exec(&r, 10, 1, 10, "/a", "a\0", 2));
	pipeline_push(&pl, &r, mk_simple(&r, PROC_EV_FORK, 11, 10, 11));
	pipeline_push(&pl, &r, mk_exec(&r, 11, 10, 12, "/b", "b\0", 2));
	pipeline_push(&pl, &r, mk_simple(&r, PROC_EV_FORK, 12, 11, 13));
	pipeline_push(&pl, &r, mk_exec(&r, 12, 11, 14, "/c", "c\0", 2));
	assert_int_equal(s.n, 3);
	assert_non_null(strstr(s.json[2], "\"ancestors\":[{\"exec_id\""));
	assert_non_null(strstr(s.json[2], "\"binary\":\"/a\""));
	assert_null(strstr(s.json[1], "\"ancestors\""));
	pipeline_fini(&pl);
}

static bool none_exist(uint32_t pid, void *ctx)
{
	return false;
}

/* Exited entries go after the grace period, parents once no child holds them. */
static void reaping_bounds_memory(void **state)
{
	struct pipeline pl;
	struct sink s;
	struct rec r;
	struct proc_cache_stats st;

	setup_pl(&pl, &s);
	pipeline_push(&pl, &r, mk_exec(&r, 10, 1, 10, "/parent", "p\0", 2));
	pipeline_push(&pl, &r, mk_simple(&r, PROC_EV_FORK, 11, 10, 11));
	pipeline_push(&pl, &r, mk_exec(&r, 11, 10, 12, "/child", "c\0", 2));
	proc_cache_stats(pl.cache, &st);
	assert_int_equal(st.entries, 2); /* the fork's entry went at its exec */
	pipeline_push(&pl, &r, mk_simple(&r, PROC_EV_EXIT, 10, 1, 13));
	proc_cache_reap(pl.cache, 13 + 20000000000ull, false);
	proc_cache_stats(pl.cache, &st);
	assert_int_equal(st.live, 1);
	assert_int_equal(st.entries, 2); /* the exited parent is still referred to */
	pipeline_push(&pl, &r, mk_simple(&r, PROC_EV_EXIT, 11, 10, 14));
	proc_cache_reap(pl.cache, 14 + 5000000000ull, false);
	proc_cache_stats(pl.cache, &st);
	assert_int_equal(st.entries, 2); /* grace period not over */
	proc_cache_reap(pl.cache, 14 + 20000000000ull, false);
	proc_cache_stats(pl.cache, &st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.live, 0);

	pipeline_fini(&pl);
}

static void drain_nothing(void *ctx)
{
}

/* A lost exit: the sweep finds the pid gone and nothing queued for it. */
static void sweep_retires_lost_exits(void **state)
{
	struct pipeline pl;
	struct sink s;
	struct rec r;
	struct proc_cache_stats st;

	setup_pl(&pl, &s);
	pipeline_push(&pl, &r, mk_exec(&r, 20, 1, 100, "/x", "x\0", 2));
	pipeline_sweep(&pl, 200, none_exist, drain_nothing, NULL);
	proc_cache_stats(pl.cache, &st);
	assert_int_equal(st.entries, 0);
	pipeline_fini(&pl);
}

struct queued {
	struct pipeline *pl;
	struct rec r;
	size_t len;
};

static void drain_queued(void *ctx)
{
	struct queued *q = ctx;

	pipeline_push(q->pl, &q->r, q->len);
	q->len = 0;
}

/* The sweep runs while the exit of a process that just ended is still
 * queued: the exit is read before the entry is dropped, and carries its
 * process (binary, the exec's exec_id), not a "miss". */
static void sweep_reads_queued_exits_first(void **state)
{
	struct pipeline pl;
	struct sink s;
	struct rec r;
	struct queued q = { .pl = &pl };
	struct proc_cache_stats st;
	const char *id;

	setup_pl(&pl, &s);
	pipeline_push(&pl, &r, mk_exec(&r, 20, 1, 100, "/bin/x", "x\0a\0", 4));
	assert_int_equal(s.n, 1);
	q.len = mk_simple(&q.r, PROC_EV_EXIT, 20, 1, 150);
	pipeline_sweep(&pl, 200, none_exist, drain_queued, &q);
	assert_int_equal(q.len, 0);
	assert_int_equal(s.n, 2);
	assert_non_null(strstr(s.json[1], "\"process_exit\""));
	assert_non_null(strstr(s.json[1], "\"binary\":\"/bin/x\""));
	assert_null(strstr(s.json[1], "miss"));
	/* the process's exec_id, the first in both (the exit has no parent) */
	id = strstr(s.json[0], "\"exec_id\":\"");
	assert_non_null(id);
	assert_memory_equal(strstr(s.json[1], "\"exec_id\":\""), id, strchr(id + 11, '"') - id + 1);
	proc_cache_stats(pl.cache, &st);
	assert_int_equal(st.live, 0);
	assert_int_equal(st.misses, 0);
	pipeline_fini(&pl);
}

struct last_exec {
	struct pipeline *pl;
	uint64_t execs;
	struct jw prev, last; /* the last two exec events */
	int ancestors;        /* in the last one */
};

static void keep_last_exec(void *ctx, const struct ev *e)
{
	struct last_exec *l = ctx;
	struct jw t;
	const char *a;

	if (e->kind != EV_PROCESS_EXEC)
		return;
	l->execs++;
	t = l->prev, l->prev = l->last, l->last = t;
	jw_reset(&l->last);
	enc_json(&l->last, &l->pl->enc, e, ENC_ANCESTORS);
	assert_false(l->last.oom);
	l->ancestors = 0;
	a = strstr(l->last.buf, "\"ancestors\":[");
	for (const char *q = a; q && (q = strstr(q + 1, "\"exec_id\":")); )
		l->ancestors++;
}

/* The exec_id of a process event's process (its first exec_id). */
static void exec_id_of(const char *json, const char *key, char *out, size_t n)
{
	const char *k = strstr(json, key), *v;

	assert_non_null(k);
	v = k + strlen(key);
	assert_true((size_t)(strchr(v, '"') - v) < n);
	snprintf(out, n, "%.*s", (int)(strchr(v, '"') - v), v);
}

/* A process re-execs itself 10,000 times: the cache holds the image that runs
 * and PROC_KEEP_ANCESTORS ended ones above it, not 10,000; each exec still
 * names the image it replaced as its parent, and lists 64 ancestors. */
static void exec_chain_is_bounded(void **state)
{
	struct pipeline pl;
	struct last_exec l = { .pl = &pl };
	struct proc_cache_stats st;
	char want[EXEC_ID_MAX], got[EXEC_ID_MAX];
	struct rec r;

	jw_init(&l.prev);
	jw_init(&l.last);
	assert_int_equal(pipeline_init(&pl, "node1", keep_last_exec, &l), 0);
	for (uint64_t i = 0; i < 10000; i++)
		assert_int_equal(pipeline_push(&pl, &r, mk_exec(&r, 40, 1, 100 + i, "/bin/again", "again\0", 6)), 0);
	assert_int_equal(l.execs, 10000);
	proc_cache_stats(pl.cache, &st);
	assert_int_equal(st.live, 1);
	assert_int_equal(st.entries, 1 + PROC_KEEP_ANCESTORS);
	exec_id_of(l.prev.buf, "\"exec_id\":\"", want, sizeof(want));
	exec_id_of(l.last.buf, "\"parent_exec_id\":\"", got, sizeof(got));
	assert_string_equal(got, want);
	assert_int_equal(l.ancestors, pl.enc.max_ancestors);
	pipeline_fini(&pl);
	jw_free(&l.prev);
	jw_free(&l.last);
}

/* Generations that fork and exit, 10,000 deep, with one alive at the end:
 * ended entries beyond PROC_KEEP_ANCESTORS go, and the grace queue never
 * holds more than PROC_DEFER_MAX. */
static void fork_exit_generations_are_bounded(void **state)
{
	struct pipeline pl;
	struct last_exec l = { .pl = &pl };
	struct proc_cache_stats st;
	struct rec r;
	uint32_t pid = 1000;

	jw_init(&l.prev);
	jw_init(&l.last);
	assert_int_equal(pipeline_init(&pl, "node1", keep_last_exec, &l), 0);
	pipeline_push(&pl, &r, mk_exec(&r, pid, 1, 1, "/bin/gen", "gen\0", 4));
	for (uint64_t i = 0; i < 10000; i++, pid++) {
		pipeline_push(&pl, &r, mk_simple(&r, PROC_EV_FORK, pid + 1, pid, 10 + 3 * i));
		pipeline_push(&pl, &r, mk_exec(&r, pid + 1, pid, 11 + 3 * i, "/bin/gen", "gen\0", 4));
		pipeline_push(&pl, &r, mk_simple(&r, PROC_EV_EXIT, pid, 1, 12 + 3 * i));
		proc_cache_stats(pl.cache, &st);
		assert_true(st.entries <= 1 + PROC_KEEP_ANCESTORS + PROC_DEFER_MAX);
	}
	proc_cache_reap(pl.cache, UINT64_MAX / 2, false);
	proc_cache_stats(pl.cache, &st);
	assert_int_equal(st.live, 1);
	assert_int_equal(st.entries, 1 + PROC_KEEP_ANCESTORS);
	assert_int_equal(l.ancestors, pl.enc.max_ancestors);
	pipeline_fini(&pl);
	jw_free(&l.prev);
	jw_free(&l.last);
}

/* Policy records: a length past its buffer, a wrong size or type, a comm
 * without its NUL are refused and counted; a record allocated to its exact
 * size is never read past (ASan), whatever its lengths say. */
static void policy_record_lengths_checked(void **state)
{
	struct ev_hook h = { .id = VH_file_open, .kind = EH_LSM, .func = "file_open", .nargs = VETO_ARG_MAX };
	struct ev_policy c = { .name = "p", .hooks = &h, .n_hooks = 1 };
	struct veto_policy_event *pe = malloc(sizeof(*pe)), good;
	struct pipeline pl;
	struct sink s;

	assert_non_null(pe);
	h.args[VETO_ARG_MAX - 1].type = EA_STRING;
	h.args[VETO_ARG_MAX - 1].read = true;
	setup_pl(&pl, &s);
	pipeline_set_policies(&pl, &c, 1);
	memset(&good, 0, sizeof(good));
	good.type = VETO_EV_POLICY;
	good.size = sizeof(good);
	good.hook = VH_file_open;
	good.pid = 77;
	good.ret = INT32_MIN; /* no errno: written as a number only */
	strcpy(good.comm, "cat");
	good.bin_len = 8;
	strcpy(good.binary, "/bin/cat");
	good.args[VETO_ARG_MAX - 1].len = 3;
	strcpy(good.args[VETO_ARG_MAX - 1].str, "abc");
	memcpy(pe, &good, sizeof(good));
	assert_int_equal(pipeline_push(&pl, pe, sizeof(*pe)), 0);
	assert_int_equal(s.n, 1);
	assert_non_null(strstr(s.json[0], "\"string_arg\":\"abc\""));
	assert_non_null(strstr(s.compact[0], "\xf0\x9f\x94\x92 LSM     node1 /bin/cat file_open"));

	/* each lie alone: nothing emitted, each counted */
	for (int lie = 0; lie < 7; lie++) {
		memcpy(pe, &good, sizeof(good));
		switch (lie) {
		case 0: /* past the last argument's buffer, and the record's end */
			pe->args[VETO_ARG_MAX - 1].len = 65535;
			memset(pe->args[VETO_ARG_MAX - 1].str, 'a', VETO_STR_BUF);
			break;
		case 1: pe->args[0].len = VETO_STR_BUF; break;
		case 2:
			pe->bin_len = VETO_STR_BUF;
			memset(pe->binary, 'b', VETO_STR_BUF);
			break;
		case 3: memset(pe->comm, 'c', sizeof(pe->comm)); break;
		case 4: pe->size = sizeof(*pe) + 8; break;
		case 5: pe->size = 8; break;
		case 6: pe->hook = VETO_HOOK_MAX; break;
		}
		assert_int_equal(pipeline_push(&pl, pe, sizeof(*pe)), -EINVAL);
		assert_int_equal(pl.bad_records, (uint64_t)lie + 1);
	}
	assert_int_equal(pipeline_push(&pl, pe, sizeof(*pe) - 1), -EINVAL);
	/* a hook its policy does not have, a policy not loaded */
	memcpy(pe, &good, sizeof(good));
	pe->hook = VH_file_open + 1;
	assert_int_equal(pipeline_push(&pl, pe, sizeof(*pe)), -EINVAL);
	memcpy(pe, &good, sizeof(good));
	pe->policy_id = 1;
	assert_int_equal(pipeline_push(&pl, pe, sizeof(*pe)), -EINVAL);
	assert_int_equal(pl.bad_records, 10);
	assert_int_equal(s.n, 1);
	pipeline_fini(&pl);
	free(pe);
}

/* Arguments reach terminals in the compact form: no escape sequence passes. */
static void compact_cleans_control_characters(void **state)
{
	struct pipeline pl;
	struct sink s;
	struct rec r;

	setup_pl(&pl, &s);
	pipeline_push(&pl, &r, mk_exec(&r, 30, 1, 10, "/bin/e\ncho", "echo\0\x1b[2Jhi\0", 12));
	assert_int_equal(s.n, 1);
	assert_string_equal(s.compact[0], "\xf0\x9f\x9a\x80 process node1 \"/bin/e\\ncho\" \"\\x1b[2Jhi\"");
	/* JSON keeps them, escaped */
	assert_non_null(strstr(s.json[0], "\\u001b[2Jhi"));
	pipeline_fini(&pl);
}

/* C1 controls (U+009B is CSI), every bidi control, other format
 * characters, spaces other than U+0020, C0 and DEL are escaped as Go's %q
 * does; invalid bytes reach the compact form as U+FFFD (the JSON's); other
 * UTF-8 passes. */
static void compact_escapes_c1_and_bidi(void **state)
{
	static const char *const cases[][2] = {
		{ "a\xc2\x9b" "2J", "\"a\\u009b2J\"" },
		{ "\xc2\x80", "\"\\u0080\"" },
		{ "\xc2\x9f", "\"\\u009f\"" },
		{ "\xc2\xa0", "\"\\u00a0\"" }, /* NBSP: a space Go does not print */
		{ "\xd8\x9c", "\"\\u061c\"" },
		{ "\xe2\x80\x8e", "\"\\u200e\"" },
		{ "\xe2\x80\x8f", "\"\\u200f\"" },
		{ "\xe2\x80\xaa", "\"\\u202a\"" },
		{ "\xe2\x80\xab", "\"\\u202b\"" },
		{ "\xe2\x80\xac", "\"\\u202c\"" },
		{ "\xe2\x80\xad", "\"\\u202d\"" },
		{ "txt\xe2\x80\xaegnp.exe", "\"txt\\u202egnp.exe\"" },
		{ "\xe2\x81\xa6", "\"\\u2066\"" },
		{ "\xe2\x81\xa7", "\"\\u2067\"" },
		{ "\xe2\x81\xa8", "\"\\u2068\"" },
		{ "\xe2\x81\xa9", "\"\\u2069\"" },
		{ "\xe2\x80\xaf", "\"\\u202f\"" },
		{ "\xc2\xad", "\"\\u00ad\"" },  /* soft hyphen: a format character */
		{ "\xef\xbb\xbf", "\"\\ufeff\"" },
		{ "\xf3\xa0\x80\x81", "\"\\U000e0001\"" }, /* a tag character */
		{ "\x01\x7f\x1b", "\"\\x01\\x7f\\x1b\"" },
		{ "\xff\xc3", "\xef\xbf\xbd" }, /* a run of invalid bytes: one U+FFFD */
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
	};
	char argv[64], want[128];
	struct pipeline pl;
	struct sink s;
	struct rec r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = snprintf(argv, sizeof(argv), "x%c%s", 0, cases[i][0]) + 1;

		setup_pl(&pl, &s);
		pipeline_push(&pl, &r, mk_exec(&r, 30, 1, 10, "/bin/x", argv, n));
		assert_int_equal(s.n, 1);
		snprintf(want, sizeof(want), "\xf0\x9f\x9a\x80 process node1 /bin/x %s", cases[i][1]);
		assert_string_equal(s.compact[0], want);
		pipeline_fini(&pl);
	}
}

/* The compact form prints Tetragon's arguments (argv joined, an argument
 * with a blank in "..."), quoted as a whole when it holds a blank, as tetra
 * does. */
static void compact_arguments_as_tetragon(void **state)
{
	static const struct {
		const char *argv;
		size_t n;
		const char *want;
	} cases[] = {
		{ "x\0\"a\0b\"\0", 7, "\"\\\"a b\\\"\"" },
		{ "x\0a b\0", 6, "\"\\\"a b\\\"\"" },
		{ "x\0a\0b\0", 6, "\"a b\"" },
		{ "x\0\0", 3, "\"\"" },
		{ "x\0a\0\0", 5, "\"a \\\"\\\"\"" },
		{ "x\0a\\\0", 5, "a\\" },
		{ "x\0it's\0", 7, "it's" },
		{ "x\0", 2, "" },
	};
	char want[128];
	struct pipeline pl;
	struct sink s;
	struct rec r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setup_pl(&pl, &s);
		pipeline_push(&pl, &r, mk_exec(&r, 30, 1, 10, "/bin/x", cases[i].argv, cases[i].n));
		assert_int_equal(s.n, 1);
		snprintf(want, sizeof(want), "\xf0\x9f\x9a\x80 process node1 /bin/x %s", cases[i].want);
		assert_string_equal(s.compact[0], want);
		pipeline_fini(&pl);
	}
}

static void exit_of_unknown_is_marked(void **state)
{
	struct pipeline pl;
	struct sink s;
	struct rec r;
	struct proc_cache_stats st;

	setup_pl(&pl, &s);
	pipeline_push(&pl, &r, mk_simple(&r, PROC_EV_EXIT, 77, 1, 5));
	assert_int_equal(s.n, 1);
	assert_non_null(strstr(s.json[0], "\"flags\":\"miss\""));
	proc_cache_stats(pl.cache, &st);
	assert_int_equal(st.misses, 1);
	pipeline_fini(&pl);
}

#define ALL_CAPS 0x1ffffffffffull /* CAP_CHOWN .. CAP_CHECKPOINT_RESTORE */
/* pieces of the expected JSON below */
#define ALL_CAP_NAMES                                                                                          \
	"[\"CAP_CHOWN\",\"DAC_OVERRIDE\",\"CAP_DAC_READ_SEARCH\",\"CAP_FOWNER\",\"CAP_FSETID\","             \
	"\"CAP_KILL\",\"CAP_SETGID\",\"CAP_SETUID\",\"CAP_SETPCAP\",\"CAP_LINUX_IMMUTABLE\","                    \
	"\"CAP_NET_BIND_SERVICE\",\"CAP_NET_BROADCAST\",\"CAP_NET_ADMIN\",\"CAP_NET_RAW\",\"CAP_IPC_LOCK\","      \
	"\"CAP_IPC_OWNER\",\"CAP_SYS_MODULE\",\"CAP_SYS_RAWIO\",\"CAP_SYS_CHROOT\",\"CAP_SYS_PTRACE\","           \
	"\"CAP_SYS_PACCT\",\"CAP_SYS_ADMIN\",\"CAP_SYS_BOOT\",\"CAP_SYS_NICE\",\"CAP_SYS_RESOURCE\","             \
	"\"CAP_SYS_TIME\",\"CAP_SYS_TTY_CONFIG\",\"CAP_MKNOD\",\"CAP_LEASE\",\"CAP_AUDIT_WRITE\","                \
	"\"CAP_AUDIT_CONTROL\",\"CAP_SETFCAP\",\"CAP_MAC_OVERRIDE\",\"CAP_MAC_ADMIN\",\"CAP_SYSLOG\","            \
	"\"CAP_WAKE_ALARM\",\"CAP_BLOCK_SUSPEND\",\"CAP_AUDIT_READ\",\"CAP_PERFMON\",\"CAP_BPF\","                \
	"\"CAP_CHECKPOINT_RESTORE\"]"
#define ROOT_CAPS "\"cap\":{\"permitted\":" ALL_CAP_NAMES ",\"effective\":" ALL_CAP_NAMES "}"
#define NS_HOST(name, inum) "\"" name "\":{\"inum\":" inum ",\"is_host\":true}"
#define NS_WITH_NET(net)                                                                                       \
	"\"ns\":{" NS_HOST("uts", "4026531830") "," NS_HOST("ipc", "4026531831") "," NS_HOST("mnt", "4026531832") \
	"," NS_HOST("pid", "4026531833") "," NS_HOST("pid_for_children", "4026531834") "," net ","               \
	NS_HOST("time", "4026531836") "," NS_HOST("time_for_children", "4026531837") ","                        \
	NS_HOST("cgroup", "4026531838") "," NS_HOST("user", "4026531839") "}"
#define CREDS(uid)                                                                                             \
	"\"process_credentials\":{\"uid\":" uid ",\"gid\":0,\"euid\":" uid ",\"egid\":0,\"suid\":0,\"sgid\":0,"   \
	"\"fsuid\":0,\"fsgid\":0},\"in_init_tree\":false"

/* Capabilities and namespaces are encoded once per distinct value: a new
 * image in the same pid with other ones, a change of the host's namespaces,
 * more distinct sets than remembered, all show at once (and emit() checks
 * every event against a fresh encoding). */
static void memo_follows_changes(void **state)
{
	struct pipeline pl;
	struct sink s;
	struct rec r;
	struct proc tmpl = { .pid = 100, .tid = 100, .ppid = 1, .ktime = 1000, .cap = { ALL_CAPS, ALL_CAPS } };

	setup_pl(&pl, &s);
	for (int i = 0; i < VN__COUNT; i++)
		tmpl.ns[i] = pl.enc.host_ns[i] = 4026531830u + i;
	assert_int_equal(proc_cache_insert_procfs(pl.cache, &tmpl, "/usr/bin/bash", "", "", 0, "/", ""), 0);
	pipeline_push(&pl, &r, mk_simple(&r, PROC_EV_FORK, 200, 100, 2000));
	mk_exec(&r, 200, 100, 3000, "/bin/sh", "sh\0", 3);
	r.h.cap_permitted = r.h.cap_effective = ALL_CAPS;
	memcpy(r.h.ns, tmpl.ns, sizeof(r.h.ns));
	pipeline_push(&pl, &r, r.h.size);
	/* the same pid drops its capabilities and enters a new network namespace */
	mk_exec(&r, 200, 100, 4000, "/bin/ping", "ping\0", 5);
	r.h.cap_permitted = r.h.cap_effective = 0;
	r.h.cap_inheritable = 1ull << 13;
	memcpy(r.h.ns, tmpl.ns, sizeof(r.h.ns));
	r.h.ns[VN_NET] = 4026532999u;
	pipeline_push(&pl, &r, r.h.size);
	assert_int_equal(s.n, 2);
	assert_non_null(strstr(s.json[0], "\"cap\":{\"permitted\":[\"CAP_CHOWN\",\"DAC_OVERRIDE\","));
	assert_non_null(strstr(s.json[0], "\"net\":{\"inum\":4026531835,\"is_host\":true}"));
	/* the whole event, as the encoder wrote it before it remembered anything */
	assert_string_equal(s.json[1],
		"{\"process_exec\":{\"process\":{\"exec_id\":\"bm9kZTE6NDAwMDoyMDA=\",\"pid\":200,\"uid\":1000,"
		"\"cwd\":\"/tmp\",\"binary\":\"/bin/ping\",\"flags\":\"execve\","
		"\"start_time\":\"2023-10-06T22:00:00.000004Z\",\"auid\":1000,"
		"\"parent_exec_id\":\"bm9kZTE6MzAwMDoyMDA=\",\"cap\":{\"inheritable\":[\"CAP_NET_RAW\"]},"
		NS_WITH_NET("\"net\":{\"inum\":4026532999}") ",\"tid\":200," CREDS("1000") "},"
		"\"parent\":{\"exec_id\":\"bm9kZTE6MzAwMDoyMDA=\",\"pid\":200,\"uid\":1000,\"cwd\":\"/tmp\","
		"\"binary\":\"/bin/sh\",\"flags\":\"execve clone\",\"start_time\":\"2023-10-06T22:00:00.000003Z\","
		"\"auid\":1000,\"parent_exec_id\":\"bm9kZTE6MTAwMDoxMDA=\"," ROOT_CAPS ","
		NS_WITH_NET(NS_HOST("net", "4026531835")) ",\"tid\":200," CREDS("1000") "},"
		"\"ancestors\":[{\"exec_id\":\"bm9kZTE6MTAwMDoxMDA=\",\"pid\":100,\"uid\":0,\"cwd\":\"/\","
		"\"binary\":\"/usr/bin/bash\",\"flags\":\"procFS rootcwd\","
		"\"start_time\":\"2023-10-06T22:00:00.000001Z\",\"auid\":0," ROOT_CAPS ","
		NS_WITH_NET(NS_HOST("net", "4026531835")) ",\"tid\":100," CREDS("0") "}]},"
		"\"node_name\":\"node1\",\"time\":\"2023-10-06T22:00:00.000004Z\"}");

	/* the host moves to that namespace: is_host follows */
	pl.enc.host_ns[VN_NET] = 4026532999u;
	pipeline_push(&pl, &r, mk_simple(&r, PROC_EV_EXIT, 200, 100, 5000));
	assert_non_null(strstr(s.json[2], "\"cap\":{\"inheritable\":[\"CAP_NET_RAW\"]},\"ns\":{"));
	assert_non_null(strstr(s.json[2], "\"net\":{\"inum\":4026532999,\"is_host\":true}"));
	assert_non_null(strstr(s.json[2], "\"net\":{\"inum\":4026531835}"));

	/* more distinct sets than the encoder remembers, differing in one part
	 * only (inheritable set, user namespace, is_host): twice the same, then
	 * with the mount namespace no longer the host's */
	for (uint32_t i = 0; i < 600; i++) {
		s.n = 0;
		mk_exec(&r, 300 + i, 1, 6000 + i, "/bin/true", "true\0", 5);
		r.h.cap_permitted = r.h.cap_effective = ALL_CAPS;
		r.h.cap_inheritable = i % 200;
		memcpy(r.h.ns, tmpl.ns, sizeof(r.h.ns));
		r.h.ns[VN_USER] = 4026540000u + i % 200;
		pl.enc.host_ns[VN_MNT] = i < 400 ? tmpl.ns[VN_MNT] : 1;
		pipeline_push(&pl, &r, r.h.size);
		assert_int_equal(s.n, 1);
	}
	pipeline_fini(&pl);
}

static void count_flush(void *ctx)
{
	(*(int *)ctx)++;
}

/* What ran before the agent is announced, one procFS exec each, parents
 * first (a child can have the lower pid), flushed in bounded batches. */
static void procfs_announced_parents_first(void **state)
{
	struct pipeline pl;
	struct sink s;
	struct proc t = { .pid = 50, .tid = 50, .ppid = 0, .ktime = 100 };
	int flushes = 0;

	setup_pl(&pl, &s);
	assert_int_equal(proc_cache_insert_procfs(pl.cache, &t, "/sbin/init", "", "", 0, "/", ""), 0);
	t = (struct proc){ .pid = 7, .tid = 7, .ppid = 50, .ktime = 200 }; /* pid wrapped */
	assert_int_equal(proc_cache_insert_procfs(pl.cache, &t, "/bin/sh", "", "", 0, "/", ""), 0);
	proc_cache_link_procfs(pl.cache);
	assert_int_equal(pipeline_announce_procfs(&pl, count_flush, &flushes), 2);
	assert_int_equal(s.n, 2);
	assert_int_equal(flushes, 1);
	assert_non_null(strstr(s.json[0], "{\"process_exec\":{\"process\":{\"exec_id\":"));
	assert_non_null(strstr(s.json[0], "\"pid\":50,"));
	assert_non_null(strstr(s.json[0], "\"flags\":\"procFS rootcwd\""));
	assert_non_null(strstr(s.json[1], "\"pid\":7,"));
	assert_non_null(strstr(s.json[1], "\"parent\":{"));
	assert_int_equal(pl.events[EV_PROCESS_EXEC], 2);
	/* many: one flush per batch, none of the events held back */
	pl.emit = NULL;
	for (uint32_t i = 0; i < 600; i++) {
		t = (struct proc){ .pid = 1000 + i, .tid = 1000 + i, .ppid = 50, .ktime = 300 + i };
		assert_int_equal(proc_cache_insert_procfs(pl.cache, &t, "/bin/sleep", "", "", 0, "/", ""), 0);
	}
	flushes = 0;
	assert_int_equal(pipeline_announce_procfs(&pl, count_flush, &flushes), 602);
	assert_int_equal(flushes, (602 + PIPELINE_PROCFS_BATCH - 1) / PIPELINE_PROCFS_BATCH);
	pipeline_fini(&pl);
}

static void many_processes(void **state)
{
	struct pipeline pl;
	struct sink s;
	struct rec r;
	struct proc_cache_stats st;

	setup_pl(&pl, &s);
	pl.emit = NULL;
	for (uint32_t i = 0; i < 20000; i++) {
		pipeline_push(&pl, &r, mk_simple(&r, PROC_EV_FORK, 1000 + i, 1, 10 + i));
		pipeline_push(&pl, &r, mk_exec(&r, 1000 + i, 1, 10 + i, "/bin/true", "true\0", 5));
	}
	proc_cache_stats(pl.cache, &st);
	assert_int_equal(st.live, 20000);
	for (uint32_t i = 0; i < 20000; i++)
		assert_non_null(proc_cache_find(pl.cache, 1000 + i));
	pipeline_fini(&pl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(join_reversed_and_args),
		cmocka_unit_test(decode_rejects_bad_sizes),
		cmocka_unit_test(fork_exec_exit_lineage),
		cmocka_unit_test(exec_in_place_and_signal),
		cmocka_unit_test(ancestors_listed),
		cmocka_unit_test(reaping_bounds_memory),
		cmocka_unit_test(policy_record_lengths_checked),
		cmocka_unit_test(sweep_retires_lost_exits),
		cmocka_unit_test(exec_chain_is_bounded),
		cmocka_unit_test(fork_exit_generations_are_bounded),
		cmocka_unit_test(sweep_reads_queued_exits_first),
		cmocka_unit_test(compact_cleans_control_characters),
		cmocka_unit_test(compact_escapes_c1_and_bidi),
		cmocka_unit_test(compact_arguments_as_tetragon),
		cmocka_unit_test(exit_of_unknown_is_marked),
		cmocka_unit_test(memo_follows_changes),
		cmocka_unit_test(many_processes),
		cmocka_unit_test(procfs_announced_parents_first),
		cmocka_unit_test(exec_names_normal),
	};
	return cmocka_run_group_tests_name("pipeline", tests, NULL, NULL);
}
