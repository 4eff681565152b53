/* tpcycle VETO SOCKET POLICY NAME TARGET N: N rounds of
 *   veto tp add POLICY --mode enforce; write TARGET (must fail: EPERM)
 *   veto tp set-mode NAME monitor;     write TARGET (must succeed)
 *   veto tp set-mode NAME enforce;     write TARGET (must fail)
 *   veto tp delete NAME;               write TARGET (must succeed)
 *   veto policy try POLICY             (load, attach, detach without an agent)
 * The write right after each command returns is the question "is it in force
 * now?". Prints the median ms of each command and how many writes went the
 * wrong way (0 is the claim). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { ADD, MONITOR, ENFORCE, DELETE, TRY, NSTEP };
/* what a write right after each step must see */
static const int want_refused[NSTEP] = { [ADD] = 1, [ENFORCE] = 1 };
static const char *const step_name[NSTEP] = { "tp add (enforce)", "tp set-mode monitor", "tp set-mode enforce",
					      "tp delete", "policy try (no agent)" };

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* runs argv quietly; its run time in ms, or -1 when it failed */
static double run(char *const argv[])
{
	double t0 = now_ms();
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "tpcycle: %s %s ... failed\n", argv[1], argv[argv[2][0] == '-' ? 4 : 2]);
		return -1;
	}
	return now_ms() - t0;
}

/* 1 when a write to path is refused by the policy (EPERM), 0 when it went through */
static int refused(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND);

	if (fd < 0)
		return errno == EPERM || errno == EACCES;
	if (write(fd, "", 0) < 0 && errno == EPERM) {
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	char *veto, *sock, *policy, *name, *target;
	double *t[NSTEP];
	long n, wrong = 0, bad[NSTEP] = { 0 };

	if (argc != 7 || (n = atol(argv[6])) <= 0) {
		fprintf(stderr, "Usage: tpcycle VETO SOCKET POLICY NAME TARGET N\n");
		return 2;
	}
	veto = argv[1], sock = argv[2], policy = argv[3], name = argv[4], target = argv[5];
	for (int s = 0; s < NSTEP; s++)
		t[s] = calloc((size_t)n, sizeof(double));
	for (long i = 0; i < n; i++) {
		char *argv_of[NSTEP][9] = {
			[ADD] = { veto, "tp", "--socket", sock, "add", policy, "--mode", "enforce", NULL },
			[MONITOR] = { veto, "tp", "--socket", sock, "set-mode", name, "monitor", NULL },
			[ENFORCE] = { veto, "tp", "--socket", sock, "set-mode", name, "enforce", NULL },
			[DELETE] = { veto, "tp", "--socket", sock, "delete", name, NULL },
			[TRY] = { veto, "policy", "try", policy, NULL },
		};

		for (int s = 0; s < NSTEP; s++) {
			if ((t[s][i] = run(argv_of[s])) < 0)
				return 1;
			if (s != TRY)
				bad[s] += refused(target) != want_refused[s];
		}
	}
	printf("| step | median ms | / policy try | writes right after it that went the wrong way |\n|---|---|---|---|\n");
	for (int s = 0; s < NSTEP; s++)
		qsort(t[s], (size_t)n, sizeof(double), cmp);
	for (int s = 0; s < NSTEP; s++) {
		wrong += bad[s];
		if (s == TRY)
			printf("| %s | %.1f | %.2f | |\n", step_name[s], t[s][n / 2], t[s][n / 2] / t[TRY][n / 2]);
		else
			printf("| %s | %.1f | %.2f | %ld of %ld |\n", step_name[s], t[s][n / 2],
			       t[s][n / 2] / t[TRY][n / 2], bad[s], n);
	}
	printf("writes right after a command that went the wrong way: %ld of %ld\n", wrong, 4 * n);
	return wrong ? 1 : 0;
}
