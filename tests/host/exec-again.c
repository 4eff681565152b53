/* Helper of agent-exec-chain.sh: exec-again PREFIX N PAD re-execs itself N
 * times (same pid; argv[2] counts down), then waits for a byte on stdin. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char n[24];

	if (argc != 4)
		return 2;
	if (atol(argv[2]) > 0) {
		snprintf(n, sizeof(n), "%ld", atol(argv[2]) - 1);
		argv[2] = n;
		execv(argv[0], argv);
		return 1;
	}
	return read(0, n, 1) < 0;
}
