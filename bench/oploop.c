/* oploop open PATH N | openeach DIR N | exec PATH N | getpid - N: runs N
 * open()+close() of PATH, or of DIR/0 .. DIR/N-1 once each, N fork+exec+wait
 * of PATH, or N getpid system calls, and prints the mean ns per operation.
 * The benchmarks run it under each configuration in the same boot. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n;
	double t0;

	if (argc != 4 || (strcmp(argv[1], "open") && strcmp(argv[1], "openeach") && strcmp(argv[1], "exec") &&
			  strcmp(argv[1], "getpid")) ||
	    (n = atol(argv[3])) <= 0) {
		fprintf(stderr, "Usage: oploop open|exec PATH N\n       oploop openeach DIR N\n       oploop getpid - N\n");
		return 2;
	}
	t0 = now_ns();
	for (long i = 0; i < n; i++) {
		if (argv[1][0] == 'g') {
			syscall(SYS_getpid); /* the real call: libc may not cache it, but be sure */
		} else if (argv[1][0] == 'o') {
			char each[4096];
			const char *path = argv[2];
			int fd;

			if (argv[1][4]) { /* openeach: a file not opened before */
				snprintf(each, sizeof(each), "%s/%ld", argv[2], i);
				path = each;
			}
			fd = open(path, O_RDONLY);
			if (fd < 0) {
				perror(path);
				return 1;
			}
			close(fd);
		} else {
			int st;
			pid_t pid = fork();
			if (pid == 0) {
				execl(argv[2], argv[2], (char *)NULL);
				_exit(127);
			}
			if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
				fprintf(stderr, "exec of %s failed\n", argv[2]);
				return 1;
			}
		}
	}
	printf("%.0f\n", (now_ns() - t0) / n);
	return 0;
}
