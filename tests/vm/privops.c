/* VM test tool: the privileged operations busybox has no applet for, each
 * one system call, so a test knows which hook it crosses.
 *   privops setuid UID CMD...  setresuid(UID, UID, UID), then exec CMD
 *   privops finit FILE         finit_module(FILE): the kernel reads it as a module
 *   privops init FILE          init_module(FILE's bytes): a module from memory
 * Loading a file that is no module fails after the hook ran: the status is
 * 0 when the call ran to the kernel's verdict (any errno but ENOSYS and
 * EPERM), 1 otherwise, with the errno on stderr. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "Usage: privops setuid UID CMD...\n       privops finit|init FILE\n");
	return 2;
}

/* The kernel looked at the module and refused or took it. */
static int verdict(const char *what, long rc)
{
	if (rc == 0)
		return 0;
	fprintf(stderr, "%s: %s\n", what, strerror(errno));
	return errno == ENOSYS || errno == EPERM ? 1 : 0;
}

static int load(const char *how, const char *path)
{
	struct stat st;
	char *buf;
	long rc;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		perror(path);
		return 1;
	}
	if (!strcmp(how, "finit"))
		return verdict("finit_module", syscall(SYS_finit_module, fd, "", 0));
	if (fstat(fd, &st) || st.st_size <= 0 || st.st_size > (64 << 20) || !(buf = malloc(st.st_size))) {
		fprintf(stderr, "%s: not a file of 1 byte to 64 MiB\n", path);
		return 1;
	}
	if (read(fd, buf, st.st_size) != st.st_size) {
		perror(path);
		return 1;
	}
	rc = syscall(SYS_init_module, buf, (unsigned long)st.st_size, "");
	return verdict("init_module", rc);
}

int main(int argc, char **argv)
{
	char *end;
	long uid;

	if (argc >= 4 && !strcmp(argv[1], "setuid")) {
		errno = 0;
		uid = strtol(argv[2], &end, 10);
		if (errno || *end || end == argv[2] || uid < 0 || uid > 0xfffffffeL)
			return usage();
		if (setresuid(uid, uid, uid)) {
			perror("setresuid");
			return 1;
		}
		execvp(argv[3], argv + 3);
		perror(argv[3]);
		return 127;
	}
	if (argc == 3 && (!strcmp(argv[1], "finit") || !strcmp(argv[1], "init")))
		return load(argv[1], argv[2]);
	return usage();
}
