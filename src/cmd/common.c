/* Option handling shared by the subcommands. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "policy/policy.h"
#include "util/json.h"
#include "util/out.h"

const struct cmd *cmd_find(const struct cmd *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(name, v[i].name))
			return &v[i];
	return NULL;
}

void cmd_names(char *buf, size_t sz, const struct cmd *v, size_t n)
{
	size_t o = 0;

	buf[0] = 0;
	for (size_t i = 0; i < n && o < sz; i++)
		o += (size_t)snprintf(buf + o, sz - o, "%s%s", i == 0 ? "" : i + 1 < n ? ", " : " or ", v[i].name);
}

int cmd_dispatch(const char *group, const struct cmd *v, size_t n, int argc, char **argv, void (*usage)(FILE *))
{
	const struct cmd *sub;
	char names[128];

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	sub = cmd_find(v, n, argv[1]);
	if (sub)
		return sub->run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	cmd_names(names, sizeof(names), v, n);
	out_error("%s: unknown subcommand '%s' (expected %s)", group, argv[1], names);
	return 2;
}

int cmd_opt_rest(int c, void (*usage)(FILE *))
{
	switch (c) {
	case 'o':
		if (out_parse(optarg, &out_fmt)) {
			out_error("unknown output format '%s' (expected text or json)", optarg);
			return 2;
		}
		return CMD_NEXT;
	case 'v':
		out_verbose = true;
		return CMD_NEXT;
	case 'h':
		usage(stdout);
		return 0;
	default:
		usage(stderr);
		return 2;
	}
}

int cmd_no_args(const char *cmd, int argc, char **argv)
{
	if (optind < argc) {
		out_error("%s: unexpected argument '%s'", cmd, argv[optind]);
		return 2;
	}
	return 0;
}

void cmd_diag_text(FILE *f, const struct diag *x)
{
	if (x->line)
		fprintf(f, "%s:%u:%u: %s: %s\n", x->file, x->line, x->col, diag_sev_name(x->sev), x->msg);
	else
		fprintf(f, "%s: %s: %s\n", x->file, diag_sev_name(x->sev), x->msg);
}

void cmd_diag_json(struct jw *w, const struct diag *x)
{
	jw_obj_open(w);
	jw_kstr(w, "file", x->file);
	jw_kuint(w, "line", x->line);
	jw_kuint(w, "column", x->col);
	jw_kstr(w, "severity", diag_sev_name(x->sev));
	jw_kstr(w, "message", x->msg);
	jw_obj_close(w);
}
