/* Store ingest throughput: a realistic mix of exported lines (each process
 * an exec, policy events and an exit, shaped like the corpus's lines, with
 * its own exec_id) put into a fresh store in batches, one thread; side by
 * side in the same process, the same lines appended to a file (what the
 * export's file sink does) and inserted unparsed into a one-column SQLite
 * table (the database's own cost). Prints a markdown table and the ratios.
 *   store-ingest DIR [EVENTS [BATCH]]   (defaults 1,000,000 events, 4096 a batch)
 * STORE_INGEST_MEMORY=1: the store in memory (":memory:"), its CPU cost
 * without the disk's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store.h"
#include "util/base64.h"
#include "util/timefmt.h"

struct lines {
	char *buf;
	size_t *off, n, len, cap;
};

static void add(struct lines *l, const char *s, int n)
{
	while (l->len + (size_t)n > l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1 << 20;
		if (!(l->buf = realloc(l->buf, l->cap))) {
			fprintf(stderr, "Error: out of memory\n");
			exit(1);
		}
	}
	memcpy(l->buf + l->len, s, (size_t)n);
	l->off[l->n++] = l->len;
	l->len += (size_t)n;
}

static void exec_id(char out[64], unsigned pid, uint64_t ktime)
{
	char raw[64];
	int n = snprintf(raw, sizeof(raw), "bench-node:%llu:%u", (unsigned long long)ktime, pid);
	base64_encode(raw, (size_t)n, out);
}

static int proc_obj(char *o, size_t cap, const char *id, const char *pid_id, unsigned pid, const char *bin,
		    const char *args, const char *start)
{
	return snprintf(o, cap,
			"{\"exec_id\":\"%s\", \"pid\":%u, \"uid\":1000, \"cwd\":\"/home/user/src\", \"binary\":\"%s\", "
			"\"arguments\":\"%s\", \"flags\":\"execve clone\", \"start_time\":\"%s\", "
			"\"auid\":1000, \"parent_exec_id\":\"%s\", \"tid\":%u, \"in_init_tree\":false}",
			id, pid, bin, args, start, pid_id, pid);
}

/* n events: per process an exec, two policy events (an LSM file_open denied
 * in enforce, a kprobe connect seen in monitor) and an exit. */
static void make_lines(struct lines *l, size_t n)
{
	static const char *bins[] = { "/usr/bin/cat", "/usr/bin/curl", "/bin/sh", "/usr/bin/python3" };
	char line[4096], proc[1024], parent[1024], id[64], pid_id[64], gid[64], t[TIMEFMT_LEN], st[TIMEFMT_LEN];
	uint64_t now = 1764632768000000000ull;
	unsigned pid = 1000;

	l->off = malloc(n * sizeof(*l->off));
	exec_id(pid_id, 1, 1000);
	exec_id(gid, 0, 0);
	proc_obj(parent, sizeof(parent), pid_id, gid, 1, "/usr/sbin/sshd", "-D -R", "2026-12-01T23:35:43.520745501Z");
	while (l->n < n) {
		const char *bin = bins[pid % 4];
		int k;

		pid++;
		now += 13457;
		exec_id(id, pid, now);
		timefmt_rfc3339(now, st);
		proc_obj(proc, sizeof(proc), id, pid_id, pid, bin, "--config /etc/app/config.yaml \\\"two words\\\"", st);
		k = snprintf(line, sizeof(line),
			     "{\"process_exec\":{\"process\":%s, \"parent\":%s}, \"node_name\":\"bench-node\", "
			     "\"time\":\"%s\"}", proc, parent, st);
		add(l, line, k);
		for (int e = 0; e < 2 && l->n < n; e++) {
			now += 2011;
			timefmt_rfc3339(now, t);
			if (e == 0)
				k = snprintf(line, sizeof(line),
					     "{\"process_lsm\":{\"process\":%s, \"parent\":%s, \"function_name\":"
					     "\"file_open\", \"policy_name\":\"sensitive-files\", \"args\":[{\"file_arg\":"
					     "{\"path\":\"/etc/shadow\", \"permission\":\"-rw-r-----\"}}], \"action\":"
					     "\"KPROBE_ACTION_OVERRIDE\"}, \"node_name\":\"bench-node\", \"time\":\"%s\", "
					     "\"veto\":{\"mode\":\"enforce\",\"denied\":true,\"errno\":\"EPERM\","
					     "\"killed\":false,\"return\":-1}}", proc, parent, t);
			else
				k = snprintf(line, sizeof(line),
					     "{\"process_kprobe\":{\"process\":%s, \"parent\":%s, \"function_name\":"
					     "\"tcp_connect\", \"args\":[{\"sock_arg\":{\"family\":\"AF_INET\", \"type\":"
					     "\"SOCK_STREAM\", \"protocol\":\"IPPROTO_TCP\", \"saddr\":\"10.0.0.5\", "
					     "\"daddr\":\"93.184.216.34\", \"sport\":43122, \"dport\":443}}], \"action\":"
					     "\"KPROBE_ACTION_POST\", \"policy_name\":\"connects\"}, \"node_name\":"
					     "\"bench-node\", \"time\":\"%s\", \"veto\":{\"mode\":\"monitor\","
					     "\"would_deny\":false,\"would_kill\":false,\"call_completes\":true}}",
					     proc, parent, t);
			add(l, line, k);
		}
		if (l->n < n) {
			now += 50311;
			timefmt_rfc3339(now, t);
			k = snprintf(line, sizeof(line),
				     "{\"process_exit\":{\"process\":%s, \"parent\":%s, \"status\":%u, \"time\":\"%s\"}, "
				     "\"node_name\":\"bench-node\", \"time\":\"%s\"}", proc, parent, pid % 3, t, t);
			add(l, line, k);
		}
	}
}

static double now_s(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t line_len(const struct lines *l, size_t i)
{
	return (i + 1 < l->n ? l->off[i + 1] : l->len) - l->off[i];
}

struct run {
	double wall, cpu;
};

static void timed_start(struct run *r)
{
	r->wall = -now_s(CLOCK_MONOTONIC);
	r->cpu = -now_s(CLOCK_THREAD_CPUTIME_ID);
}

static void timed_end(struct run *r)
{
	r->wall += now_s(CLOCK_MONOTONIC);
	r->cpu += now_s(CLOCK_THREAD_CPUTIME_ID);
}

static void rm_db(const char *p)
{
	char q[4200];
	unlink(p);
	snprintf(q, sizeof(q), "%s-wal", p);
	unlink(q);
	snprintf(q, sizeof(q), "%s-shm", p);
	unlink(q);
}

static int run_store(const struct lines *l, const char *path, size_t batch, struct run *r)
{
	struct store *s;
	char err[256];

	rm_db(path);
	if (getenv("STORE_INGEST_MEMORY")) /* the CPU's part alone: no file, no I/O */
		path = ":memory:";
	if (store_open(&s, path, false, err, sizeof(err))) {
		fprintf(stderr, "Error: %s\n", err);
		return -1;
	}
	timed_start(r);
	for (size_t i = 0; i < l->n; i += batch) {
		store_begin(s);
		for (size_t j = i; j < i + batch && j < l->n; j++)
			if (store_put_json(s, l->buf + l->off[j], line_len(l, j), err, sizeof(err))) {
				fprintf(stderr, "Error: line %zu: %s\n", j + 1, err);
				return -1;
			}
		if (store_commit(s)) {
			fprintf(stderr, "Error: commit failed\n");
			return -1;
		}
	}
	timed_end(r);
	store_close(s);
	return 0;
}

/* The database alone: each line into a one-column table, same pragmas. */
static int run_raw(const struct lines *l, const char *path, size_t batch, struct run *r)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	rm_db(path);
	if (sqlite3_open(path, &db) ||
	    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE raw(json TEXT)",
			 NULL, NULL, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO raw(json) VALUES(?1)", -1, &st, NULL))
		return -1;
	timed_start(r);
	for (size_t i = 0; i < l->n; i += batch) {
		sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
		for (size_t j = i; j < i + batch && j < l->n; j++) {
			sqlite3_bind_text(st, 1, l->buf + l->off[j], (int)line_len(l, j), SQLITE_STATIC);
			sqlite3_step(st);
			sqlite3_reset(st);
		}
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	}
	timed_end(r);
	sqlite3_finalize(st);
	sqlite3_close(db);
	rm_db(path);
	return 0;
}

/* The export's file sink: lines appended through stdio, flushed each batch. */
static int run_file(const struct lines *l, const char *path, size_t batch, struct run *r)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	timed_start(r);
	for (size_t i = 0; i < l->n; i += batch) {
		for (size_t j = i; j < i + batch && j < l->n; j++) {
			fwrite(l->buf + l->off[j], 1, line_len(l, j), f);
			fputc('\n', f);
		}
		fflush(f);
	}
	timed_end(r);
	fclose(f);
	unlink(path);
	return 0;
}

int main(int argc, char **argv)
{
	size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000, batch = argc > 3 ? strtoul(argv[3], NULL, 10) : 4096;
	struct lines l = { 0 };
	struct run st, raw, file;
	char db[4096], rawdb[4096], out[4096];

	if (argc < 2 || !n || !batch) {
		fprintf(stderr, "usage: store-ingest DIR [EVENTS [BATCH]]\n");
		return 2;
	}
	snprintf(db, sizeof(db), "%s/store.db", argv[1]);
	snprintf(rawdb, sizeof(rawdb), "%s/raw.db", argv[1]);
	snprintf(out, sizeof(out), "%s/export.json", argv[1]);
	make_lines(&l, n);
	printf("%zu events (exec, lsm file_open, kprobe tcp_connect, exit per process; %zu processes), "
	       "%.0f bytes a line on average, %zu a batch\n\n",
	       l.n, (l.n + 3) / 4, (double)l.len / (double)l.n, batch);
	if (run_file(&l, out, batch, &file) || run_raw(&l, rawdb, batch, &raw) || run_store(&l, db, batch, &st))
		return 1;
	printf("| run | events/s (wall) | events/s (CPU) | ns/event (CPU) |\n|---|---|---|---|\n");
	printf("| file: lines appended (the export's way) | %.0f | %.0f | %.0f |\n", n / file.wall, n / file.cpu,
	       file.cpu * 1e9 / n);
	printf("| sqlite: lines into a one-column table | %.0f | %.0f | %.0f |\n", n / raw.wall, n / raw.cpu,
	       raw.cpu * 1e9 / n);
	printf("| store: store_put_json (parse, processes, events) | %.0f | %.0f | %.0f |\n", n / st.wall, n / st.cpu,
	       st.cpu * 1e9 / n);
	printf("\nstore / one-column table: %.2f of its throughput; store / file: %.2f (wall)\n", raw.wall / st.wall,
	       file.wall / st.wall);
	printf("store ingest: %.0f events/s on one core (target >= 500,000)\n", n / st.wall);
	return 0;
}
