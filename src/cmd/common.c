/* Option handling shared by the subcommands. */
#include <getopt.h>
#include <stdbool.h>

#include "cmd/cmd.h"
#include "util/out.h"

int cmd_opt_rest(int c, void (*usage)(FILE *))
{
	switch (c) {
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
