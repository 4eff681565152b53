/* bench/lineage's timer: runs `veto lineage ARGS...` in this process RUNS
 * times (the command's own code: store open, queries, rendering, output to
 * OUT) and prints each run's milliseconds on stderr, one a line: the wall
 * clock's, then this process's CPU time (which other work on the machine
 * changes less). Without the exec and dynamic loading of a new process,
 * which the script times apart.
 *   lineage-bench RUNS OUT ARGS...   (ARGS as for `veto lineage`) */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "util/out.h"

int main(int argc, char **argv)
{
	char *args[64];
	FILE *out;
	int runs, n = argc - 2;

	if (argc < 4 || argc - 2 >= 64 || (runs = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: lineage-bench RUNS OUT ARGS...\n");
		return 2;
	}
	out = fopen(argv[2], "w");
	if (!out || dup2(fileno(out), 1) < 0) {
		perror(argv[2]);
		return 1;
	}
	for (int r = 0; r < runs; r++) {
		struct timespec a, b, ca, cb;
		int rc;

		/* getopt permutes argv: a fresh copy each run */
		args[0] = "lineage";
		memcpy(args + 1, argv + 3, (size_t)(n - 1) * sizeof(*args));
		args[n] = NULL;
		optind = 0;
		out_fmt = OUT_TEXT;
		if (ftruncate(1, 0) || lseek(1, 0, SEEK_SET))
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &a);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ca);
		rc = cmd_lineage(n, args);
		fflush(stdout);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cb);
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (rc) {
			fprintf(stderr, "lineage failed: %d\n", rc);
			return 1;
		}
		fprintf(stderr, "%.3f %.3f\n", (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6,
			(double)(cb.tv_sec - ca.tv_sec) * 1e3 + (double)(cb.tv_nsec - ca.tv_nsec) / 1e6);
	}
	return 0;
}
