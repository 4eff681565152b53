/* veto: the kernel says no. Dispatches git-style subcommands. */
#include <getopt.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "util/out.h"
#include "util/version.h"

static const struct cmd cmds[] = {
	{ "probe", cmd_probe, "what this kernel can do: BPF LSM, program types, verdict" },
	{ "policy", cmd_policy, "check TracingPolicy files: lint, show" },
	{ "agent", cmd_agent, "observe processes, export events, serve getevents (foreground)" },
	{ "getevents", cmd_getevents, "stream events from a running agent, filtered in the agent" },
	{ "reset", cmd_reset, "remove what veto left in the kernel: its pinned policies" },
	{ "tracingpolicy", cmd_tracingpolicy, "add, delete, enable, disable, set-mode, list a running agent's policies" },
	{ "tp", cmd_tracingpolicy, "short for tracingpolicy" },
	{ "status", cmd_status, "a running agent: version, kernel verdict, policies, events, losses" },
	{ "store", cmd_store, "the event store: import exported events (Tetragon's, veto's) into it" },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: veto [-o text|json] [-v] COMMAND [ARGS]\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-13s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "\nRun 'veto COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	const struct cmd *cmd;
	int c;

	/* '+' stops at the first non-option: the rest belongs to the command */
	while ((c = getopt_long(argc, argv, "+o:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (out_parse(optarg, &out_fmt)) {
				out_error("unknown output format '%s' (expected text or json)", optarg);
				return 2;
			}
			break;
		case 'v':
			out_verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("veto %s\n", VETO_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = cmd_find(cmds, sizeof(cmds) / sizeof(cmds[0]), argv[optind]);
	if (cmd) {
		argv += optind;
		argc -= optind;
		optind = 0; /* reset getopt for the command's own flags */
		return cmd->run(argc, argv);
	}
	out_error("unknown command '%s' (see 'veto --help')", argv[optind]);
	return 2;
}
