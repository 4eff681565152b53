/*
 * veto policy features: what a policy may use, printed from the tables parse,
 * check and compile decide by, as the Markdown tables docs/policy.md holds
 * (a test diffs them), or as JSON. Nothing here is a list of its own.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "compile/compile.h"
#include "compile/hooks.h"
#include "policy/policy.h"
#include "util/json.h"
#include "util/out.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: veto policy features [-o text|json] [TABLE]\n"
		   "    what a policy may use, from veto's own tables: TABLE is spec, filters,\n"
		   "    actions, types, options or lsmhooks (default: all), as Markdown tables.\n");
}

/* One table: a name, a header, and its rows by index (false past the last). */
struct table {
	const char *name, *head;
	bool (*row)(size_t i, struct jw *w, char *buf, size_t sz);
};

/* "loads" or "refused: why", the veto column of the name tables */
static void verdict(char *buf, size_t sz, const char *name, const char *unsupported)
{
	snprintf(buf, sz, "| `%s` | %s%s |", name, unsupported ? "refused: " : "loads",
		 unsupported ? unsupported : "");
}

static void json_verdict(struct jw *w, const char *name, const char *unsupported)
{
	jw_obj_open(w);
	jw_kstr(w, "name", name);
	jw_kbool(w, "loads", !unsupported);
	if (unsupported)
		jw_kstr(w, "unsupported", unsupported);
	jw_obj_close(w);
}

static bool row_spec(size_t i, struct jw *w, char *buf, size_t sz)
{
	const char *why = NULL, *name = pol_spec_field(i, &why);

	if (!name)
		return false;
	if (w)
		json_verdict(w, name, why);
	else
		verdict(buf, sz, name, why);
	return true;
}

static bool row_filter(size_t i, struct jw *w, char *buf, size_t sz)
{
	if (i >= PF__COUNT)
		return false;
	if (w)
		json_verdict(w, pol_filter_name(i), pol_filter_unsupported(i));
	else
		verdict(buf, sz, pol_filter_name(i), pol_filter_unsupported(i));
	return true;
}

static bool row_action(size_t i, struct jw *w, char *buf, size_t sz)
{
	if (i >= PA__COUNT)
		return false;
	if (w)
		json_verdict(w, pol_action_name(i), pol_action_unsupported(i));
	else
		verdict(buf, sz, pol_action_name(i), pol_action_unsupported(i));
	return true;
}

/* Whether some LSM hook veto attaches to has an argument of type t. */
static bool lsm_has_type(enum pol_type t)
{
	for (int i = 0; i < VH__COUNT; i++)
		for (unsigned a = 0; a < hook_table[i].nargs; a++)
			if (!strcmp(arg_kind_type(hook_table[i].args[a]), pol_type_name(t)))
				return true;
	return false;
}

static bool row_type(size_t i, struct jw *w, char *buf, size_t sz)
{
	const struct pol_type_info *ti;
	char ops[512];
	enum type_readers probe;
	bool lsm;

	if (i >= PT__COUNT)
		return false;
	ti = pol_type_info(i);
	probe = compile_type_readable(i);
	lsm = lsm_has_type(i);
	pol_ops_list(ops, sizeof(ops), ti->ops);
	if (w) {
		jw_obj_open(w);
		jw_kstr(w, "name", ti->name);
		jw_key(w, "operators");
		jw_arr_open(w);
		for (int op = 0; op < POP__COUNT; op++)
			if (pol_op_info(op)->sets & ti->ops)
				jw_str(w, pol_op_name(op));
		jw_arr_close(w);
		jw_kbool(w, "kprobes_tracepoints", probe == TR_BOTH);
		jw_kbool(w, "kprobes_only", probe == TR_KPROBES);
		jw_kbool(w, "lsmhooks", lsm);
		jw_obj_close(w);
		return true;
	}
	snprintf(buf, sz, "| `%s` | %s | %s | %s |", ti->name, ti->ops ? ops : "none: read for events only",
		 probe == TR_BOTH ? "loads" : probe == TR_KPROBES ? "kprobes only" : "refused: veto cannot read it", lsm ? "where the hook has it" : "no hook has it");
	return true;
}

static bool row_option(size_t i, struct jw *w, char *buf, size_t sz)
{
	const char *name = pol_option_name(i);

	if (!name)
		return false;
	if (w)
		jw_str(w, name);
	else
		snprintf(buf, sz, "| `%s` |", name);
	return true;
}

static bool row_lsmhook(size_t i, struct jw *w, char *buf, size_t sz)
{
	const struct hook_info *h;
	size_t o;

	if (i >= VH__COUNT)
		return false;
	h = &hook_table[i];
	if (w) {
		jw_obj_open(w);
		jw_kstr(w, "hook", h->name);
		jw_kstr(w, "function", h->func);
		jw_key(w, "args");
		jw_arr_open(w);
		for (unsigned a = 0; a < h->nargs; a++)
			jw_str(w, arg_kind_type(h->args[a]));
		jw_arr_close(w);
		jw_obj_close(w);
		return true;
	}
	o = (size_t)snprintf(buf, sz, "| `%s` | `%s` |", h->name, h->func);
	for (unsigned a = 0; a < h->nargs && o < sz; a++)
		o += (size_t)snprintf(buf + o, sz - o, "%s%u: %s", a ? ", " : " ", a, arg_kind_type(h->args[a]));
	if (o < sz)
		snprintf(buf + o, sz - o, " |");
	return true;
}

static const struct table tables[] = {
	{ "spec", "| spec field | veto |\n|---|---|", row_spec },
	{ "filters", "| selector filter | veto |\n|---|---|", row_filter },
	{ "actions", "| action | veto |\n|---|---|", row_action },
	{ "types", "| argument type | matchArgs operators | kprobes, tracepoints | lsmhooks |\n|---|---|---|---|",
	  row_type },
	{ "options", "| option |\n|---|", row_option },
	{ "lsmhooks", "| LSM hook | kernel function | arguments |\n|---|---|---|", row_lsmhook },
};

static void print_table(const struct table *t)
{
	char buf[1024];

	printf("%s\n", t->head);
	for (size_t i = 0; t->row(i, NULL, buf, sizeof(buf)); i++)
		printf("%s\n", buf);
}

int cmd_policy_features(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const struct table *only = NULL;
	struct jw w;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1)
		if ((r = cmd_opt_rest(c, usage)) != CMD_NEXT)
			return r;
	if (optind < argc) {
		for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
			if (!strcmp(argv[optind], tables[i].name))
				only = &tables[i];
		if (!only) {
			out_error("policy features: unknown table '%s' (spec, filters, actions, types, options or "
				  "lsmhooks)", argv[optind]);
			return 2;
		}
		optind++;
		if ((r = cmd_no_args("policy features", argc, argv)))
			return r;
	}
	if (out_fmt != OUT_JSON) {
		for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
			if (only && only != &tables[i])
				continue;
			if (!only)
				printf("%s### %s\n\n", i ? "\n" : "", tables[i].name);
			print_table(&tables[i]);
		}
		return 0;
	}
	jw_init(&w);
	jw_obj_open(&w);
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		if (only && only != &tables[i])
			continue;
		jw_key(&w, tables[i].name);
		jw_arr_open(&w);
		for (size_t j = 0; tables[i].row(j, &w, NULL, 0); j++)
			;
		jw_arr_close(&w);
	}
	jw_obj_close(&w);
	r = jw_flush_line(&w, stdout);
	jw_free(&w);
	return r ? 1 : 0;
}
