/* veto policy simulate: recorded events replayed through candidate
 * policies as if they were enforced, to see what enforce mode would have
 * denied or killed before turning it on. The policies go through the same
 * parse, check and compile as the agent's; the compiled form is evaluated
 * as the kernel evaluates it (src/simulate). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "compile/compile.h"
#include "policy/policy.h"
#include "simulate/replay.h"
#include "util/out.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: veto policy simulate [-o text|json] POLICY... (--from-file EVENTS | --from-store PATH)\n"
		   "Replays recorded events (exported JSON lines, the agent's or Tetragon's; EVENTS\n"
		   "may be - for stdin) through each POLICY file (or DIR of *.yaml) as if it were\n"
		   "loaded in enforce mode, and reports per policy and selector what enforce would\n"
		   "have done: would deny, would kill, would signal or post only, the processes\n"
		   "(binary, container, count, first and last time), the processes a kill would\n"
		   "have kept from running, the events no selector matched, and the filters the\n"
		   "recording cannot decide (a field the events lack) as not evaluable.\n"
		   "  --from-file EVENTS  JSON lines: veto agent --export-file, tetra getevents -o json\n"
		   "                      (gzip-compressed or not, pretty-printed objects too)\n"
		   "  --from-store PATH   the event store a veto agent --store PATH wrote\n"
		   "Exit 0: nothing would have been denied or killed; 1: something would have;\n"
		   "2: bad usage, a policy that does not compile, or a line that is not an event.\n");
}

struct pols {
	struct pol_set *sets;
	size_t n_sets;
	struct sim_policy *v;
	size_t n;
};

static void pols_free(struct pols *p)
{
	for (size_t i = 0; i < p->n; i++)
		sim_policy_free(&p->v[i]);
	for (size_t i = 0; i < p->n_sets; i++)
		pol_set_free(&p->sets[i]);
	free(p->v);
	free(p->sets);
}

/* One policy file: parsed, checked and compiled as the agent would, its
 * diagnostics printed as lint prints them. 0, 2 (invalid) or -ENOMEM. */
static int load_file(const char *file, struct pols *p)
{
	struct compile_env env;
	struct diag_list d;
	struct pol_set *set;
	void *nv;
	int r;

	nv = realloc(p->sets, (p->n_sets + 1) * sizeof(*p->sets));
	if (!nv)
		return -ENOMEM;
	p->sets = nv;
	set = &p->sets[p->n_sets++];
	memset(set, 0, sizeof(*set));
	diag_init(&d);
	r = pol_load_file(file, set, &d);
	if (r == -ENOMEM || d.oom) {
		diag_free(&d);
		return -ENOMEM;
	}
	if (r < 0)
		diag_add(&d, file, DIAG_ERROR, 0, 0, "cannot read: %s", strerror(-r));
	nv = realloc(p->v, (p->n + set->n + 1) * sizeof(*p->v));
	if (!nv) {
		diag_free(&d);
		return -ENOMEM;
	}
	p->v = nv;
	compile_env_portable(&env);
	/* host_ns values compile as 0: the recording's host is not this one
	 * (see src/simulate/eval.c) */
	memset(env.host_ns, 0, sizeof(env.host_ns));
	for (size_t j = 0; !d.nerr && j < set->n; j++) {
		struct sim_policy *sp = &p->v[p->n];

		memset(sp, 0, sizeof(*sp));
		sp->file = set->file ? set->file : file;
		if (compile_policy(&set->v[j], file, &env, &sp->c, &d))
			continue;
		p->n++;
		if (sim_policy_index(sp)) {
			diag_free(&d);
			return -ENOMEM;
		}
	}
	diag_sort(&d);
	for (size_t j = 0; j < d.n; j++)
		cmd_diag_text(stderr, &d.v[j]);
	r = d.oom ? -ENOMEM : d.nerr ? 2 : 0;
	if (r == 2)
		out_error("policy simulate: %s is not valid: %zu error%s (see 'veto policy lint %s')", file, d.nerr,
			  d.nerr == 1 ? "" : "s", file);
	diag_free(&d);
	return r;
}

static int load_path(const char *path, struct pols *p)
{
	struct diag_list d;
	char **files;
	size_t n;
	int r;

	diag_init(&d);
	r = pol_expand(path, &files, &n, &d);
	if (!r && d.nerr) {
		for (size_t j = 0; j < d.n; j++)
			cmd_diag_text(stderr, &d.v[j]);
		out_error("policy simulate: %s: no policy file", path);
		r = 2;
	}
	for (size_t i = 0; i < n && !r; i++)
		r = load_file(files[i], p);
	pol_files_free(files, n);
	diag_free(&d);
	return r;
}

int cmd_policy_simulate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "from-file", required_argument, NULL, 'f' },
		{ "from-store", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *file = NULL, *store = NULL;
	struct pols pols = { 0 };
	struct sim_source src;
	struct sim_report rep;
	char err[512];
	int c, r;

	optind = 0; /* a full restart: options may follow the POLICY arguments */
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		case 's':
			store = optarg;
			break;
		default:
			if ((r = cmd_opt_rest(c, usage)) != CMD_NEXT)
				return r;
		}
	}
	if (optind >= argc) {
		out_error("policy simulate: no POLICY given (see 'veto policy simulate --help')");
		return 2;
	}
	if (!file == !store) {
		out_error("policy simulate: give one of --from-file EVENTS or --from-store PATH");
		return 2;
	}
	for (int i = optind; i < argc; i++) {
		r = load_path(argv[i], &pols);
		if (r) {
			if (r == -ENOMEM)
				out_error("policy simulate: %s: out of memory", argv[i]);
			pols_free(&pols);
			return 2;
		}
	}
	if (!pols.n) {
		out_error("policy simulate: the files hold no policy");
		pols_free(&pols);
		return 2;
	}
	if (store) {
		if (sim_report_init(&rep, pols.v, pols.n, store)) {
			out_error("policy simulate: out of memory");
			pols_free(&pols);
			return 2;
		}
		r = sim_replay_store(store, &rep, err, sizeof(err));
	} else {
		r = sim_source_file(&src, file);
		if (r) {
			out_error("policy simulate: %s", src.err);
			pols_free(&pols);
			return 2;
		}
		if (sim_report_init(&rep, pols.v, pols.n, src.name)) {
			out_error("policy simulate: out of memory");
			src.close(&src);
			pols_free(&pols);
			return 2;
		}
		r = sim_replay(&src, &rep, err, sizeof(err));
		src.close(&src);
	}
	if (r) {
		out_error("policy simulate: %s", err);
		r = 2;
	} else {
		r = out_fmt == OUT_JSON ? sim_report_json(&rep, stdout) : sim_report_text(&rep, stdout);
		r = r ? 2 : sim_report_stops(&rep) ? 1 : 0;
	}
	sim_report_free(&rep);
	pols_free(&pols);
	return r;
}
