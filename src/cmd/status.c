/* veto status: a running agent at a glance (version, the kernel's verdict,
 * policies, events, losses, uptime), from its `status` answer. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "agent/agent.h"
#include "cmd/client.h"
#include "cmd/cmd.h"
#include "util/out.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: veto status [-o text|json] [--socket PATH]\n"
		"A running agent: its version and uptime, what this kernel lets it do\n"
		"(the probe's verdict at the agent's start), its policies and their states,\n"
		"events by type and what was lost. -o json: the agent's answer as is (the\n"
		"same as `veto getevents --status`).\n"
		"  --socket PATH  the agent's control socket (default %s)\n",
		AGENT_DEFAULT_SOCKET);
}

/* An object of numbers as "k v, k v". */
static void print_counts(const char *title, const struct jr *o)
{
	printf("%-10s", title);
	for (size_t i = 0; o && i < o->n; i++)
		printf("%s%s %s", i ? ", " : " ", o->kids[i].key, o->kids[i].str ? o->kids[i].str : "");
	printf("\n");
}

static void print_text(const struct jr *a)
{
	const struct jr *k = jr_get(a, "kernel"), *p = jr_get(a, "policies"), *list = jr_get(p, "list"), *st;
	uint64_t up = jr_uint(a, "uptime_seconds");

	printf("%-10s %s\n", "version", jr_str(a, "version"));
	printf("%-10s %" PRIu64 "d %02" PRIu64 ":%02" PRIu64 ":%02" PRIu64 "\n", "uptime", up / 86400, up / 3600 % 24,
	       up / 60 % 60, up % 60);
	printf("%-10s %s: %s\n", "kernel", jr_str(k, "verdict"), jr_str(k, "why"));
	printf("%-10s %" PRIu64 " enabled, %" PRIu64 " disabled, %" PRIu64 " load_error\n", "policies",
	       jr_uint(p, "enabled"), jr_uint(p, "disabled"), jr_uint(p, "load_error"));
	for (size_t i = 0; list && i < list->n; i++) {
		const struct jr *e = &list->kids[i];
		printf("           %s: %s, %s%s%s\n", jr_str(e, "name"), jr_str(e, "state"), jr_str(e, "mode"),
		       jr_str(e, "error")[0] ? ": " : "", jr_str(e, "error"));
	}
	print_counts("events", jr_get(a, "events"));
	print_counts("lost", jr_get(a, "lost"));
	printf("%-10s %" PRIu64 " exported, %" PRIu64 " errors, %" PRIu64 " dropped\n", "export",
	       jr_uint(a, "exported"), jr_uint(a, "export_errors"), jr_uint(a, "export_dropped"));
	if ((st = jr_get(a, "store")))
		printf("%-10s %s: %" PRIu64 " written, %" PRIu64 " errors, %" PRIu64 " dropped, %" PRIu64
		       " bytes%s; %" PRIu64 " full-disk pauses; retention deleted %" PRIu64 " events, %" PRIu64
		       " processes\n",
		       "store", jr_str(st, "path"), jr_uint(st, "written"), jr_uint(st, "failed"), jr_uint(st, "dropped"),
		       jr_uint(st, "size_bytes"), jr_get(st, "disk_full") && jr_get(st, "disk_full")->b ? " (disk full: paused)" : "",
		       jr_uint(st, "full_pauses"), jr_uint(st, "retention_deleted_events"),
		       jr_uint(st, "retention_deleted_processes"));
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *sock = AGENT_DEFAULT_SOCKET;
	char *raw = NULL;
	struct jr a;
	int c, r;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		if (c == 's')
			sock = optarg;
		else if ((r = cmd_opt_rest(c, usage)) != CMD_NEXT)
			return r;
	}
	if ((r = cmd_no_args("status", argc, argv)))
		return r;
	if ((r = cmd_ask_agent("status", sock, "status", NULL, 0, &a, &raw)))
		return r;
	if (out_fmt == OUT_JSON)
		fputs(raw, stdout);
	else
		print_text(&a);
	free(raw);
	jr_free(&a);
	return 0;
}
