/* pipeline RECORDS [PASSES]: replays raw ring buffer records written by
 * `veto agent --record FILE` ([u32 len][record] pairs) through the agent's
 * userspace pipeline on one thread: decode, process cache, and the JSON
 * encoding of every event into one reused buffer (what the agent's export
 * does, minus the write(2)). Prints one markdown table row per pass (records/s,
 * events/s, cache entries and RSS after the pass, to show that replaying over
 * and over stays bounded), then the median pass.
 *
 * Exited entries are released the way the agent's 1 s timer releases them
 * (proc_cache_reap), once at the end of each pass, inside the timed part, with
 * a clock past every grace period. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "events/pipeline.h"
#include "util/json.h"

struct bench {
	struct pipeline pl;
	struct jw w;
	uint64_t bytes; /* JSON bytes produced: keeps the encoding observable */
	uint64_t oom;
};

static void on_event(void *ctx, const struct ev *e)
{
	struct bench *b = ctx;

	jw_reset(&b->w);
	enc_json(&b->w, &b->pl.enc, e, 0);
	b->bytes += b->w.len;
	b->oom += b->w.oom;
}

static void on_event_count(void *ctx, const struct ev *e)
{
}

/* The compact form as the agent makes it: the JSON, read back, rendered. */
static void on_event_compact(void *ctx, const struct ev *e)
{
	struct bench *b = ctx;

	jw_reset(&b->w);
	enc_compact(&b->w, &b->pl.enc, e);
	b->oom += b->w.oom;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long rss_kib(const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = atol(line + strlen(key));
	fclose(f);
	return v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static struct bench b;
	const char *path;
	unsigned char *data = NULL;
	size_t size = 0, cap = 0, nrec = 0, *off, *len;
	long passes = 10;
	double *rate;
	FILE *f;
	int err;

	if (argc < 2 || argc > 3 || (argc == 3 && (passes = atol(argv[2])) <= 0)) {
		fprintf(stderr, "Usage: pipeline RECORDS [PASSES]\n");
		return 2;
	}
	path = argv[1];
	f = fopen(path, "re");
	if (!f) {
		fprintf(stderr, "Error: %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (;;) {
		if (size == cap) {
			cap = cap ? cap * 2 : 1 << 20;
			data = realloc(data, cap);
			if (!data) {
				fprintf(stderr, "Error: out of memory\n");
				return 1;
			}
		}
		size_t n = fread(data + size, 1, cap - size, f);
		if (!n)
			break;
		size += n;
	}
	fclose(f);

	/* index the records, validating the framing */
	for (size_t p = 0; p + 4 <= size;) {
		uint32_t l;
		memcpy(&l, data + p, 4);
		if (p + 4 + l > size) {
			fprintf(stderr, "Error: %s: record %zu is cut (%u bytes at offset %zu)\n", path, nrec, l, p);
			return 1;
		}
		p += 4 + l;
		nrec++;
	}
	if (!nrec) {
		fprintf(stderr, "Error: %s: no records\n", path);
		return 1;
	}
	off = calloc(nrec, sizeof(*off));
	len = calloc(nrec, sizeof(*len));
	rate = calloc(passes, sizeof(*rate));
	if (!off || !len || !rate) {
		fprintf(stderr, "Error: out of memory\n");
		return 1;
	}
	/* records at 8-byte aligned offsets of one buffer, as the ring buffer
	 * hands them out */
	size_t total = 0;
	for (size_t p = 0, i = 0; i < nrec; i++) {
		uint32_t l;
		memcpy(&l, data + p, 4);
		off[i] = total;
		len[i] = l;
		total += (l + 7) & ~(size_t)7;
		p += 4 + l;
	}
	unsigned char *recs = aligned_alloc(64, (total + 63) & ~(size_t)63);
	if (!recs) {
		fprintf(stderr, "Error: out of memory\n");
		return 1;
	}
	for (size_t p = 0, i = 0; i < nrec; i++) {
		memcpy(recs + off[i], data + p + 4, len[i]);
		p += 4 + len[i];
	}
	free(data);

	jw_init(&b.w);
	char node[256] = "localhost";
	gethostname(node, sizeof(node) - 1);
	err = pipeline_init(&b.pl, node, on_event, &b);
	if (err) {
		fprintf(stderr, "Error: pipeline_init: %s\n", strerror(-err));
		return 1;
	}
	pipeline_set_host(&b.pl);
	/* VETO_BENCH_CRED_NS=1: the agent's --enable-process-cred and
	 * --enable-process-ns, the largest events (what every event was before
	 * those flags) */
	if (getenv("VETO_BENCH_CRED_NS") && !strcmp(getenv("VETO_BENCH_CRED_NS"), "1"))
		b.pl.enc.cred = b.pl.enc.ns = true;

	printf("%zu records (%zu bytes) from %s, %ld passes, one thread\n\n", nrec, size, path, passes);
	printf("| pass | records | events (exec+exit) | seconds | records/s | events/s | cache live / entries after | RSS KiB |\n");
	printf("|---|---|---|---|---|---|---|---|\n");
	uint64_t first_entries = 0, last_entries = 0;
	long first_rss = 0, last_rss = 0;
	for (long pass = 0; pass < passes; pass++) {
		uint64_t ev0 = b.pl.events[EV_PROCESS_EXEC] + b.pl.events[EV_PROCESS_EXIT];
		struct proc_cache_stats cs;
		double t0 = now_s(), dt;

		for (size_t i = 0; i < nrec; i++)
			pipeline_push(&b.pl, recs + off[i], len[i]);
		proc_cache_reap(b.pl.cache, UINT64_MAX, false);
		dt = now_s() - t0;

		uint64_t ev = b.pl.events[EV_PROCESS_EXEC] + b.pl.events[EV_PROCESS_EXIT] - ev0;
		proc_cache_stats(b.pl.cache, &cs);
		long rss = rss_kib("VmRSS:");
		rate[pass] = ev / dt;
		if (!pass) {
			first_entries = cs.entries;
			first_rss = rss;
		}
		last_entries = cs.entries;
		last_rss = rss;
		if (passes <= 12 || pass < 2 || (pass + 1) % (passes / 10) == 0)
			printf("| %ld | %zu | %" PRIu64 " | %.3f | %.0f | %.0f | %" PRIu64 " / %" PRIu64 " | %ld |\n", pass + 1,
			       nrec, ev, dt, nrec / dt, ev / dt, cs.live, cs.entries, rss);
	}
	qsort(rate, passes, sizeof(*rate), cmp_double);
	double med = rate[(passes - 1) / 2], lo = rate[0], hi = rate[passes - 1];
	uint64_t evs = b.pl.events[EV_PROCESS_EXEC] + b.pl.events[EV_PROCESS_EXIT];

	/* the same passes without the JSON encoding: what decode + cache cost */
	b.pl.emit = on_event_count;
	for (long pass = 0; pass < passes; pass++) {
		uint64_t ev0 = b.pl.events[EV_PROCESS_EXEC] + b.pl.events[EV_PROCESS_EXIT];
		double t0 = now_s(), dt;

		for (size_t i = 0; i < nrec; i++)
			pipeline_push(&b.pl, recs + off[i], len[i]);
		proc_cache_reap(b.pl.cache, UINT64_MAX, false);
		dt = now_s() - t0;
		rate[pass] = (b.pl.events[EV_PROCESS_EXEC] + b.pl.events[EV_PROCESS_EXIT] - ev0) / dt;
	}
	qsort(rate, passes, sizeof(*rate), cmp_double);
	double bare = rate[(passes - 1) / 2];

	/* and with the compact form instead of the JSON */
	b.pl.emit = on_event_compact;
	for (long pass = 0; pass < passes; pass++) {
		uint64_t ev0 = b.pl.events[EV_PROCESS_EXEC] + b.pl.events[EV_PROCESS_EXIT];
		double t0 = now_s(), dt;

		for (size_t i = 0; i < nrec; i++)
			pipeline_push(&b.pl, recs + off[i], len[i]);
		proc_cache_reap(b.pl.cache, UINT64_MAX, false);
		dt = now_s() - t0;
		rate[pass] = (b.pl.events[EV_PROCESS_EXEC] + b.pl.events[EV_PROCESS_EXIT] - ev0) / dt;
	}
	qsort(rate, passes, sizeof(*rate), cmp_double);
	printf("\nevents/s, decode + cache + JSON: median %.0f, min %.0f, max %.0f (target >= 1,000,000 on one core: %s)\n",
	       med, lo, hi, med >= 1e6 ? "met" : "MISSED");
	printf("events/s, decode + cache only (no encoding): median %.0f; the JSON encoding takes %.0f%% of the time\n",
	       bare, 100.0 * (1 - med / bare));
	printf("events/s, decode + cache + compact (JSON, read back, rendered): median %.0f\n",
	       rate[(passes - 1) / 2]);
	printf("JSON: %.0f bytes per event on average (%.0f MB/s at the median rate)\n", (double)b.bytes / evs,
	       med * b.bytes / evs / 1e6);
	printf("bad records %" PRIu64 ", encoder out of memory %" PRIu64 ", JSON bytes %" PRIu64 "\n",
	       b.pl.bad_records, b.oom, b.bytes);
	printf("cache entries after pass 1: %" PRIu64 ", after pass %ld: %" PRIu64 " (+%.1f per pass); RSS %ld -> %ld KiB, peak %ld KiB\n",
	       first_entries, passes, last_entries,
	       passes > 1 ? ((double)last_entries - first_entries) / (passes - 1) : 0.0, first_rss, last_rss,
	       rss_kib("VmHWM:"));
	err = b.pl.bad_records || b.oom ? 1 : 0;
	pipeline_fini(&b.pl);
	jw_free(&b.w);
	free(recs);
	free(off);
	free(len);
	free(rate);
	return err;
}
