/* VM test tool for suite/args-bytes.sh: writes and reads on descriptor 77
 * (FILE, created) whose buffers a char_buf policy reports byte for byte:
 * NULs and bytes that are not UTF-8, a buffer longer than an event carries,
 * a size that is negative as a signed number, a read that fails. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	/* on the stack, so its page is present: a probe cannot fault one in */
	const char hostile[] = { 'a', 0, (char)0xff, (char)0xfe, 'b' };
	char big[300], back[16];
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: bufio FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || dup2(fd, 77) != 77) {
		perror(argv[1]);
		return 1;
	}
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = 'y';
	if (write(77, hostile, sizeof(hostile)) != sizeof(hostile) || write(77, big, sizeof(big)) != sizeof(big))
		return 1;
	/* the kernel refuses it (EFAULT); the policy still sees the call */
	if (syscall(SYS_write, 77, big, (size_t)-1) != -1)
		return 1;
	if (lseek(77, 0, SEEK_SET) != 0 || read(77, back, sizeof(hostile)) != sizeof(hostile))
		return 1;
	if (syscall(SYS_read, 77, NULL, 10) != -1)
		return 1;
	return memcmp(back, hostile, sizeof(hostile)) != 0;
}
