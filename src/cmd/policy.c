/* veto policy lint|show|hooks|try|simulate: TracingPolicy files before they reach a kernel. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "compile/compile.h"
#include "compile/hooks.h"
#include "policy/policy.h"
#include "policy/show.h"
#include "util/json.h"
#include "util/out.h"

/* Each subcommand's help; `veto policy --help` prints them all. */
static const struct {
	const char *sub, *text;
} helps[] = {
	{ "lint", "veto policy lint [-o text|json] FILE|DIR...\n"
		  "    every error and warning as FILE:LINE:COL: error|warning: message;\n"
		  "    a DIR's *.yaml and *.yml files, as the agent reads them;\n"
		  "    exit 0 when every file is valid (warnings allowed), 1 otherwise.\n" },
	{ "show", "veto policy show [-o json] FILE\n"
		  "    the checked policy, normalised, as JSON.\n" },
	{ "hooks", "veto policy hooks [-o json]\n"
		   "    the LSM hooks veto enforces at, their kernel functions, programs and\n"
		   "    the argument types a policy declares for them (nop: not readable);\n"
		   "    \"(not in this kernel)\": the running kernel lacks that hook.\n" },
	{ "try", "veto policy try [-o text|json] FILE|DIR...\n"
		 "    compile, load and attach on this kernel, then detach: would the agent\n"
		 "    load it here? (root)\n" },
	{ "simulate", "veto policy simulate [-o text|json] POLICY... (--from-file EVENTS | --from-store PATH)\n"
		      "    replay recorded events through POLICY as if enforced: what it would have\n"
		      "    denied or killed, per selector; exit 1 when anything (see docs/simulate.md).\n" },
	{ "features", "veto policy features [-o text|json] [TABLE]\n"
		      "    what a policy may use, from veto's own tables: spec, filters, actions,\n"
		      "    types, options, lsmhooks (default: all), as Markdown tables.\n" },
};
static const char *cur_sub;

static void usage(FILE *f)
{
	for (size_t i = 0; i < sizeof(helps) / sizeof(helps[0]); i++)
		if (cur_sub && !strcmp(cur_sub, helps[i].sub)) {
			fprintf(f, "Usage: %s", helps[i].text);
			return;
		}
	for (size_t i = 0; i < sizeof(helps) / sizeof(helps[0]); i++)
		fprintf(f, "%s%s", i ? "       " : "Usage: ", helps[i].text);
}

static int parse_opts(int argc, char **argv, const char *sub)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c, r;

	optind = 1;
	cur_sub = sub;
	while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if ((r = cmd_opt_rest(c, usage)) != CMD_NEXT)
				return r;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			out_error("policy %s: unknown option (see 'veto policy --help')", sub);
			return 2;
		}
	}
	return 0;
}

/* Loads one file; a file that cannot be read becomes an error diagnostic. */
static int load(const char *path, struct pol_set *set, struct diag_list *d)
{
	int r = pol_load_file(path, set, d);

	if (r == -ENOMEM)
		return r;
	if (r < 0)
		diag_add(d, path, DIAG_ERROR, 0, 0, "cannot read: %s", strerror(-r));
	return 0;
}

/* The compile stage too, for what veto cannot run (unsupported features,
 * types it cannot read) whatever the kernel: lint then says what the agent
 * would refuse. */
static void compile_all(const char *file, const struct pol_set *set, struct diag_list *d)
{
	struct compile_env env;

	compile_env_portable(&env);
	for (size_t j = 0; j < set->n; j++) {
		struct compiled c;

		compile_policy(&set->v[j], file, &env, &c, d);
		compiled_free(&c);
	}
}

/* What the agent does with a file short of the kernel: parse, check, lint,
 * then compile what checked clean. lint and show agree through this one path. */
static int load_compiled(const char *path, struct pol_set *set, struct diag_list *d)
{
	int r = load(path, set, d);

	if (!r && !d->oom && !d->nerr)
		compile_all(path, set, d); /* more errors there than the first ones: noise */
	return r;
}

struct lint_totals {
	size_t files, nerr, nwarn;
};

/* Reports one file's diagnostics. */
static void report_file(const char *file, const struct pol_set *set, struct diag_list *d, struct jw *w,
			struct lint_totals *t)
{
	diag_sort(d);
	t->files++;
	t->nerr += d->nerr;
	t->nwarn += d->nwarn;
	if (out_fmt == OUT_JSON) {
		jw_obj_open(w);
		jw_kstr(w, "file", file);
		jw_kbool(w, "valid", d->nerr == 0);
		jw_key(w, "policies");
		jw_arr_open(w);
		for (size_t j = 0; j < set->n; j++)
			if (set->v[j].name)
				jw_str(w, set->v[j].name);
		jw_arr_close(w);
		jw_kuint(w, "errors", d->nerr);
		jw_kuint(w, "warnings", d->nwarn);
		jw_key(w, "diagnostics");
		jw_arr_open(w);
		for (size_t j = 0; j < d->n; j++)
			cmd_diag_json(w, &d->v[j]);
		jw_arr_close(w);
		jw_obj_close(w);
	} else {
		for (size_t j = 0; j < d->n; j++)
			cmd_diag_text(stdout, &d->v[j]);
		if (d->dropped)
			printf("%s: error: %zu more problems not shown\n", file, d->dropped);
	}
}

/* Lints one file and reports it. 0 or -ENOMEM. */
static int lint_file(const char *file, struct jw *w, struct lint_totals *t)
{
	struct pol_set set = { 0 };
	struct diag_list d;
	int r;

	diag_init(&d);
	r = load_compiled(file, &set, &d);
	if (!r && !d.oom)
		report_file(file, &set, &d, w, t);
	r = r ? r : d.oom ? -ENOMEM : 0;
	pol_set_free(&set);
	diag_free(&d);
	return r;
}

/* A path as the agent reads it: a file, or a folder's policy files. A path
 * that names no file (missing, an empty folder) is reported with its error. */
static int lint_path(const char *path, struct jw *w, struct lint_totals *t)
{
	struct pol_set none = { 0 };
	struct diag_list d;
	char **files;
	size_t n;
	int r;

	diag_init(&d);
	r = pol_expand(path, &files, &n, &d);
	for (size_t i = 0; i < n && !r; i++)
		r = lint_file(files[i], w, t);
	pol_files_free(files, n);
	if (!r && !d.oom && d.n)
		report_file(path, &none, &d, w, t);
	r = r ? r : d.oom ? -ENOMEM : 0;
	diag_free(&d);
	return r;
}

static int cmd_lint(int argc, char **argv)
{
	struct lint_totals t = { 0 };
	struct jw w;
	int r;

	r = parse_opts(argc, argv, "lint");
	if (r)
		return r < 0 ? 0 : r;
	if (optind >= argc) {
		out_error("policy lint: no FILE given");
		return 2;
	}
	if (out_fmt == OUT_JSON) {
		jw_init(&w);
		jw_obj_open(&w);
		jw_key(&w, "files");
		jw_arr_open(&w);
	}
	for (int i = optind; i < argc; i++) {
		if (lint_path(argv[i], &w, &t)) {
			if (out_fmt == OUT_JSON)
				jw_free(&w);
			out_error("policy lint: %s: out of memory", argv[i]);
			return 1;
		}
	}
	if (out_fmt == OUT_JSON) {
		jw_arr_close(&w);
		jw_kbool(&w, "valid", t.nerr == 0);
		jw_kuint(&w, "errors", t.nerr);
		jw_kuint(&w, "warnings", t.nwarn);
		jw_obj_close(&w);
		r = jw_flush_line(&w, stdout);
		jw_free(&w);
		if (r)
			return 1;
	} else {
		printf("%zu file%s: %zu error%s, %zu warning%s\n", t.files, t.files == 1 ? "" : "s", t.nerr,
		       t.nerr == 1 ? "" : "s", t.nwarn, t.nwarn == 1 ? "" : "s");
	}
	return t.nerr ? 1 : 0;
}

/* ---- show ---- */

static int cmd_show(int argc, char **argv)
{
	struct pol_set set = { 0 };
	struct diag_list d;
	struct jw w;
	int r;

	r = parse_opts(argc, argv, "show");
	if (r)
		return r < 0 ? 0 : r;
	if (optind >= argc) {
		out_error("policy show: no FILE given");
		return 2;
	}
	if (optind + 1 < argc) {
		out_error("policy show: one FILE at a time ('%s' is one too many)", argv[optind + 1]);
		return 2;
	}
	diag_init(&d);
	r = load_compiled(argv[optind], &set, &d);
	if (r || d.oom) {
		pol_set_free(&set);
		diag_free(&d);
		out_error("policy show: out of memory");
		return 1;
	}
	diag_sort(&d);
	for (size_t j = 0; j < d.n; j++)
		cmd_diag_text(stderr, &d.v[j]);
	if (d.nerr) {
		out_error("policy show: %s is not valid: %zu error%s (see 'veto policy lint %s')", argv[optind],
			  d.nerr, d.nerr == 1 ? "" : "s", argv[optind]);
		pol_set_free(&set);
		diag_free(&d);
		return 1;
	}
	jw_init(&w);
	jw_obj_open(&w);
	jw_kstr(&w, "file", argv[optind]);
	jw_key(&w, "policies");
	jw_arr_open(&w);
	for (size_t i = 0; i < set.n; i++)
		pol_show_json(&w, &set.v[i]);
	jw_arr_close(&w);
	jw_obj_close(&w);
	r = jw_flush_line(&w, stdout);
	jw_free(&w);
	pol_set_free(&set);
	diag_free(&d);
	return r ? 1 : 0;
}

/* The hook table of bpf/hooks.def, for people and for tests. */
static int cmd_hooks(int argc, char **argv)
{
	struct jw w;
	int r;

	r = parse_opts(argc, argv, "hooks");
	if (r)
		return r < 0 ? 0 : r;
	if (optind < argc) {
		out_error("policy hooks: unexpected argument '%s'", argv[optind]);
		return 2;
	}
	if (out_fmt != OUT_JSON) {
		for (int i = 0; i < VH__COUNT; i++) {
			const struct hook_info *h = &hook_table[i];
			printf("%-24s %-32s %-20s", h->name, h->func, h->prog);
			for (unsigned a = 0; a < h->nargs; a++)
				printf("%s%s", a ? ", " : "", arg_kind_type(h->args[a]));
			printf("%s\n", hook_in_kernel(i) == 0 ? "  (not in this kernel)" : "");
		}
		return 0;
	}
	jw_init(&w);
	jw_arr_open(&w);
	for (int i = 0; i < VH__COUNT; i++) {
		const struct hook_info *h = &hook_table[i];
		jw_obj_open(&w);
		jw_kstr(&w, "hook", h->name);
		jw_kstr(&w, "function", h->func);
		jw_kstr(&w, "program", h->prog);
		r = hook_in_kernel(i);
		if (r >= 0)
			jw_kbool(&w, "in_kernel", r);
		jw_key(&w, "args");
		jw_arr_open(&w);
		for (unsigned a = 0; a < h->nargs; a++)
			jw_str(&w, arg_kind_type(h->args[a]));
		jw_arr_close(&w);
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	r = jw_flush_line(&w, stdout);
	jw_free(&w);
	return r ? 1 : 0;
}

static const struct cmd subs[] = {
	{ "lint", cmd_lint, "every error and warning of policy files" },
	{ "show", cmd_show, "the checked policy, normalised, as JSON" },
	{ "hooks", cmd_hooks, "the LSM hooks veto enforces at" },
	{ "try", cmd_policy_try, "compile, load and attach on this kernel, then detach" },
	{ "features", cmd_policy_features, "what a policy may use, from veto's own tables" },
	{ "simulate", cmd_policy_simulate, "replay recorded events through policies as if enforced" },
};

int cmd_policy(int argc, char **argv)
{
	return cmd_dispatch("policy", subs, sizeof(subs) / sizeof(subs[0]), argc, argv, usage);
}
