/* veto policy try: compile, load and attach policy files on this kernel, then
 * detach: what the agent would accept here, without starting it. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "events/pipeline.h"
#include "load/registry.h"
#include "util/json.h"
#include "util/out.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: veto policy try [-o text|json] FILE|DIR...\n"
		   "Compiles, loads and attaches each FILE's policies (or a DIR's *.yaml files)\n"
		   "on this kernel, one FILE at a time, then detaches them: says whether\n"
		   "'veto agent --policy FILE' would load it here, and why not. Needs root.\n"
		   "Exit 0 when every FILE loads, 1 otherwise.\n");
}

/* What one file did: its hooks when loaded, else its errors. */
static void report(struct jw *w, const char *file, const struct registry *ps, const struct diag_list *d,
		   const char *err, bool ok)
{
	char where[192];

	if (out_fmt != OUT_JSON) {
		if (ok) {
			for (size_t k = 0; k < ps->n; k++) {
				const struct compiled *c = &ps->v[k]->c;
				printf("%s: loaded: policy %s:", file, c->src->name);
				for (size_t h = 0; h < c->n_hooks; h++)
					printf("%s %s", h ? "," : "", c_hook_where(&c->hooks[h], where, sizeof(where)));
				printf("\n");
			}
			return;
		}
		for (size_t j = 0; j < d->n; j++)
			if (d->v[j].sev == DIAG_ERROR)
				cmd_diag_text(stdout, &d->v[j]);
		printf("%s: refused%s%s\n", file, err[0] ? ": " : "", err);
		return;
	}
	jw_obj_open(w);
	jw_kstr(w, "file", file);
	jw_kbool(w, "loaded", ok);
	jw_key(w, "policies");
	jw_arr_open(w);
	for (size_t k = 0; ok && k < ps->n; k++) {
		const struct compiled *c = &ps->v[k]->c;
		jw_obj_open(w);
		jw_kstr(w, "name", c->src->name);
		jw_key(w, "hooks");
		jw_arr_open(w);
		for (size_t h = 0; h < c->n_hooks; h++)
			jw_str(w, c_hook_where(&c->hooks[h], where, sizeof(where)));
		jw_arr_close(w);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	if (err[0])
		jw_kstr(w, "error", err);
	jw_key(w, "errors");
	jw_arr_open(w);
	for (size_t j = 0; j < d->n; j++)
		if (d->v[j].sev == DIAG_ERROR)
			cmd_diag_json(w, &d->v[j]);
	jw_arr_close(w);
	jw_obj_close(w);
}

int cmd_policy_try(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "verbose", no_argument, NULL, 'v' },
		{ 0 },
	};
	uint32_t host_ns[VN__COUNT];
	size_t loaded = 0, refused = 0;
	struct jw w;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:hv", opts, NULL)) != -1)
		if ((r = cmd_opt_rest(c, usage)) != CMD_NEXT)
			return r;
	if (optind >= argc) {
		out_error("policy try: no FILE given");
		return 2;
	}
	pipeline_host_ns(host_ns);
	jw_init(&w);
	jw_obj_open(&w);
	jw_key(&w, "files");
	jw_arr_open(&w);
	for (int i = optind; i < argc; i++) {
		const char *path = argv[i];
		struct registry ps;
		struct diag_list d;
		char err[1024];

		diag_init(&d);
		reg_init(&ps, host_ns, false, -1, NULL, NULL);
		r = reg_load_paths(&ps, &path, 1, &d, err, sizeof(err));
		if (r == -ENOMEM || d.oom) {
			out_error("policy try: %s: out of memory", path);
			reg_free(&ps);
			diag_free(&d);
			jw_free(&w);
			return 1;
		}
		diag_sort(&d);
		report(&w, path, &ps, &d, r ? err : "", !r);
		r ? refused++ : loaded++;
		reg_free(&ps);
		diag_free(&d);
	}
	jw_arr_close(&w);
	jw_kuint(&w, "loaded", loaded);
	jw_kuint(&w, "refused", refused);
	jw_obj_close(&w);
	if (out_fmt == OUT_JSON)
		jw_flush_line(&w, stdout);
	else
		printf("%zu file%s: %zu loaded, %zu refused\n", loaded + refused, loaded + refused == 1 ? "" : "s",
		       loaded, refused);
	jw_free(&w);
	return refused ? 1 : 0;
}
