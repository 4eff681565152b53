/* libFuzzer entry: arbitrary ring buffer records through decode, the process
 * cache and both encoders, with the example policies loaded so that policy
 * records reach their argument encoders. Input: records, each
 *   u8 mode, u16 length, that many bytes
 * copied to a buffer of exactly that length (so ASan sees any read past it).
 * mode bit 0 makes a process record's size and section lengths add up (a
 * short one gets a header from its first bytes, then all of them), bit 1
 * makes it a policy record of a loaded policy and hook (a short one is
 * zero-padded, its last bytes giving the arguments' lengths), bit 2 keeps its
 * string lengths inside their buffers, bit 4 takes the NULs out of its
 * strings (a length that lies then reads on), bit 3 runs a sweep after it:
 * the checks past the first are reached too. Every line written must be valid
 * UTF-8, and the compact one free of control characters. The policies reach
 * the encoders as the agent's loader copies them (load/event_meta.c, built
 * in here: tests/fuzz/run builds events, util, compile and policy only). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile/compile.h"
#include "events/pipeline.h"
#include "load/event_meta.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct compiled pols[32];
static struct ev_policy metas[32];
static size_t npols;
static struct pol_set sets[32];

/* Every argument slot, the last one a string: a length that lies there
 * reads past the record. */
static const char five_args[] = "apiVersion: cilium.io/v1alpha1\n"
				"kind: TracingPolicy\n"
				"metadata:\n"
				"  name: fuzz-five-args\n"
				"spec:\n"
				"  kprobes:\n"
				"  - call: fuzz_five\n"
				"    syscall: false\n"
				"    args:\n"
				"    - { index: 0, type: string }\n"
				"    - { index: 1, type: int }\n"
				"    - { index: 2, type: sock }\n"
				"    - { index: 3, type: file }\n"
				"    - { index: 4, type: string }\n";

/* Compiles the policy of s, parsed already; keeps it when it compiles. */
static void add_policy(struct pol_set *s, const char *file, const struct compile_env *env, struct diag_list *dl,
		       int parse_err)
{
	if (!parse_err && !pol_check(s, dl) && !dl->nerr && s->n &&
	    !compile_policy(&s->v[0], file, env, &pols[npols], dl) && !event_meta_fill(&pols[npols], &metas[npols]))
		npols++;
	else
		pol_set_free(s);
	diag_free(dl);
}

/* The example policies that compile here and five_args (a policy set lives
 * as long as its compiled form: hooks point into it). */
static void load_policies(void)
{
	struct compile_env env;
	struct diag_list dl;
	struct dirent *de;
	char path[512];
	DIR *d;

	compile_env_portable(&env);
	diag_init(&dl);
	add_policy(&sets[npols], "five.yaml", &env, &dl,
		   pol_parse_buf("five.yaml", five_args, sizeof(five_args) - 1, &sets[npols], &dl));
	d = opendir(VETO_EXAMPLES);
	while (d && (de = readdir(d)) && npols < 32) {
		if (!strstr(de->d_name, ".yaml"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", VETO_EXAMPLES, de->d_name);
		diag_init(&dl);
		add_policy(&sets[npols], path, &env, &dl, pol_parse_file(path, &sets[npols], &dl));
	}
	if (d)
		closedir(d);
	if (npols < 2 || strcmp(pols[0].src->name, "fuzz-five-args")) {
		fprintf(stderr, "events_fuzz: the policies did not compile (%zu)\n", npols);
		abort();
	}
}

static void check_utf8(const struct jw *w, bool compact)
{
	for (size_t i = 0, k; i < w->len; i += k) {
		k = utf8_seq(w->buf + i, w->len - i);
		if (!k || (compact && k == 1 && ((unsigned char)w->buf[i] < 0x20 || w->buf[i] == 0x7f)))
			abort();
	}
}

static void emit(void *ctx, const struct ev *e)
{
	struct pipeline *p = ctx;
	struct jw w;

	jw_init(&w);
	enc_json(&w, &p->enc, e, ENC_ANCESTORS | ENC_VETO);
	check_utf8(&w, false);
	jw_reset(&w);
	enc_compact(&w, &p->enc, e);
	check_utf8(&w, true);
	jw_free(&w);
}

static bool exists(uint32_t pid, void *ctx)
{
	return pid & 1;
}

static void drain(void *ctx)
{
}

/* Sections that add up, with the fuzzer's bytes as their lengths' seeds. */
static void fix_proc(uint8_t *r, size_t len)
{
	struct veto_proc_event h;
	size_t avail;
	__u16 *lens[] = { &h.path_len, &h.args_len, &h.cwd_len, &h.cgrp_len };
	const uint32_t max[] = { PROC_PATH_MAX, PROC_ARGS_MAX, PROC_CWD_MAX, PROC_CGRP_MAX };

	memcpy(&h, r, sizeof(h));
	avail = len - sizeof(h);
	h.size = len;
	h.type = PROC_EV_EXEC + h.type % 3;
	for (int i = 0; i < 4; i++) {
		size_t top = avail < max[i] - 1 ? avail : max[i] - 1;
		*lens[i] %= top + 1;
		avail -= *lens[i];
	}
	memcpy(r, &h, sizeof(h));
}

/* NULs in s become 'x' */
static void no_nul(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!s[i])
			s[i] = 'x';
}

static void fix_policy(uint8_t *r, bool fit, bool unended)
{
	struct veto_policy_event pe;
	const struct compiled *c;

	memcpy(&pe, r, sizeof(pe));
	pe.type = VETO_EV_POLICY;
	pe.size = sizeof(pe);
	pe.policy_id %= npols;
	c = &pols[pe.policy_id];
	if (c->n_hooks)
		pe.hook = c->hooks[pe.selector % c->n_hooks].id;
	pe.comm[sizeof(pe.comm) - 1] = '\0';
	if (unended) {
		no_nul(pe.binary, sizeof(pe.binary));
		for (int i = 0; i < VETO_ARG_MAX; i++)
			no_nul(pe.args[i].str, sizeof(pe.args[i].str));
	}
	if (fit) {
		pe.bin_len %= VETO_STR_BUF;
		for (int i = 0; i < VETO_ARG_MAX; i++)
			pe.args[i].len %= VETO_STR_BUF;
	}
	memcpy(r, &pe, sizeof(pe));
}

/* The record for a chunk: as it is, or grown to what its mode needs. */
static uint8_t *record(uint8_t mode, const uint8_t *d, size_t len, size_t *rlen)
{
	const size_t hs = sizeof(struct veto_proc_event), ps = sizeof(struct veto_policy_event);
	size_t n = len;
	uint8_t *r;

	if (mode & 2)
		n = len > ps ? len : ps;
	else if ((mode & 1) && len < hs)
		n = hs + len;
	r = calloc(1, n ? n : 1);
	if (!r)
		return NULL;
	memcpy(r, d, len);
	if ((mode & 2) && len < ps && len >= 2 * VETO_ARG_MAX) {
		struct veto_policy_event pe;

		memcpy(&pe, r, ps);
		for (int i = 0; i < VETO_ARG_MAX; i++)
			pe.args[i].len = d[len - 2 * VETO_ARG_MAX + 2 * i] | d[len - 2 * VETO_ARG_MAX + 2 * i + 1] << 8;
		memcpy(r, &pe, ps);
	} else if (n == hs + len) {
		memcpy(r + hs, d, len);
	}
	*rlen = n;
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pipeline pl;
	uint64_t now = 0;

	if (!npols)
		load_policies();
	if (pipeline_init(&pl, "fuzz", emit, &pl))
		return 0;
	pipeline_set_policies(&pl, metas, npols);
	while (size >= 3) {
		uint8_t mode = data[0];
		size_t len = data[1] | (size_t)data[2] << 8;
		uint8_t *r;
		size_t rlen;

		data += 3, size -= 3;
		if (len > size)
			len = size;
		r = record(mode, data, len, &rlen);
		data += len, size -= len;
		if (!r)
			break;
		if (mode & 2)
			fix_policy(r, mode & 4, mode & 16);
		else if (mode & 1)
			fix_proc(r, rlen);
		pipeline_push(&pl, r, rlen);
		free(r);
		if (mode & 8)
			pipeline_sweep(&pl, now += 5000000000ull, exists, drain, NULL);
	}
	pipeline_fini(&pl);
	return 0;
}
