/* oploop open PATH N | openeach DIR N | exec PATH N | getpid - N: runs N
 * open()+close() of PATH, or of DIR/0 .. DIR/N-1 once each, N fork+exec+wait
 * of PATH, or N getpid system calls, and prints the mean ns per operation.
 * Also: read PATH N (open, read of 1 byte, close), write PATH N (open for
 * writing, truncated, write of 1 byte, close), connect PORT N (a TCP socket,
 * connect to 127.0.0.1:PORT where nothing listens, close).
 * The benchmarks run it under each configuration in the same boot. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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

/* One open (O_RDONLY, or for writing), read or write of 1 byte, close. */
static int rw_once(const char *path, int write_it)
{
	char c = 'x';
	int fd = open(path, write_it ? O_WRONLY | O_CREAT | O_TRUNC : O_RDONLY, 0644);

	if (fd < 0 || (write_it ? write(fd, &c, 1) : read(fd, &c, 1)) != 1) {
		perror(path);
		return 1;
	}
	close(fd);
	return 0;
}

/* One connect to a closed local port: refused, after the hooks ran. */
static int connect_once(const struct sockaddr_in *sa)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		perror("socket");
		return 1;
	}
	if (!connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) || errno != ECONNREFUSED) {
		fprintf(stderr, "connect to 127.0.0.1:%u: %s\n", ntohs(sa->sin_port),
			errno == ECONNREFUSED ? "something listens there" : strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	const char *mode = argc == 4 ? argv[1] : "";
	long n;
	double t0;

	if (argc != 4 || (strcmp(mode, "open") && strcmp(mode, "openeach") && strcmp(mode, "exec") &&
			  strcmp(mode, "getpid") && strcmp(mode, "read") && strcmp(mode, "write") &&
			  strcmp(mode, "connect")) ||
	    (n = atol(argv[3])) <= 0) {
		fprintf(stderr, "Usage: oploop open|read|write|exec PATH N\n       oploop openeach DIR N\n"
				"       oploop connect PORT N\n       oploop getpid - N\n");
		return 2;
	}
	if (mode[0] == 'c') {
		long port = atol(argv[2]);

		if (port <= 0 || port > 65535) {
			fprintf(stderr, "oploop: not a port: %s\n", argv[2]);
			return 2;
		}
		sa.sin_port = htons(port);
	}
	t0 = now_ns();
	for (long i = 0; i < n; i++) {
		if (mode[0] == 'r' || mode[0] == 'w') {
			if (rw_once(argv[2], mode[0] == 'w'))
				return 1;
		} else if (mode[0] == 'c') {
			if (connect_once(&sa))
				return 1;
		} else if (argv[1][0] == 'g') {
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
