/* VM test tool: what a root process tries against a running agent, one
 * attack per call. Prints the result (OK, or the errno's name) and exits 0;
 * the script checks the result and the effect (the agent still alive and
 * enforcing). Usage: guard-attack ATTACK [PID]
 *   attach seize mem-write vm-write pidfd-getfd fd-link   (ptrace and its kin)
 *   tgkill sigqueue pidfd-kill sigio nice ioprio sched prlimit
 *   links-get links-detach: every link id: "N refused R got G detached D"
 *   maps: every map id: "N write-refused W read-only R write-through-rdonly X"
 *   progs: every program id: "N info I"
 *   pins: opens a guard of its own, holds a pinned map and its folder, and a
 *     child tries them: "held ATTEMPT RESULT" lines, then "released ..."; and
 *     a writable fd of a map not held, while the guard is loading and not
 *   pin-detach PATH: a link fd from its pin, detached and replaced: "detach E update E" */
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ioprio.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "load/guard.h"

static const char *res(long r)
{
	return r < 0 ? strerrorname_np(errno) : "OK";
}

/* On success the tracee is let go again: detaching needs it stopped. */
static long ptrace_op(pid_t pid, int op)
{
	long r = ptrace(op, pid, 0, 0);
	int st;

	if (r)
		return r;
	if (op == PTRACE_SEIZE)
		ptrace(PTRACE_INTERRUPT, pid, 0, 0);
	waitpid(pid, &st, __WALL);
	ptrace(PTRACE_DETACH, pid, 0, 0);
	return 0;
}

static long vm_write(pid_t pid)
{
	static char buf[8];
	struct iovec l = { buf, sizeof(buf) }, rem = { (void *)0x400000, sizeof(buf) };

	return process_vm_writev(pid, &l, 1, &rem, 1, 0);
}

static long open_path(const char *fmt, pid_t pid, int flags)
{
	char path[64];
	long fd;

	snprintf(path, sizeof(path), fmt, pid);
	fd = open(path, flags);
	if (fd >= 0)
		close(fd);
	return fd;
}

/* Through a pidfd: take its fd 0 (pidfd_getfd), or send SIGKILL. */
static long via_pidfd(pid_t pid, bool getfd)
{
	long pfd = syscall(SYS_pidfd_open, pid, 0), r;

	if (pfd < 0)
		return pfd;
	r = getfd ? syscall(SYS_pidfd_getfd, pfd, 0, 0) : syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0);
	close(pfd);
	return r;
}

static long sigqueue_kill(pid_t pid)
{
	siginfo_t si = { .si_signo = SIGKILL, .si_code = SI_QUEUE, .si_pid = getpid(), .si_uid = getuid() };

	return syscall(SYS_rt_sigqueueinfo, pid, SIGKILL, &si);
}

/* The pipe's owner is pid, its signal SIGKILL: a write sends it. The
 * caller learns nothing (the kernel does not say): the script checks pid. */
static long sigio(pid_t pid)
{
	int p[2];
	long r;

	if (pipe(p))
		return -1;
	if (fcntl(p[0], F_SETOWN, pid) || fcntl(p[0], F_SETSIG, SIGKILL) ||
	    fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK))
		return -1;
	r = write(p[1], "x", 1) == 1 ? 0 : -1;
	close(p[0]);
	close(p[1]);
	return r;
}

static long prlimit_nofile(pid_t pid)
{
	struct rlimit rl = { 0, 0 };

	return prlimit(pid, RLIMIT_NOFILE, &rl, NULL);
}

static long sched_idle(pid_t pid)
{
	struct sched_param sp = { 0 };

	return sched_setscheduler(pid, SCHED_IDLE, &sp);
}

static int links(int detach)
{
	unsigned int id = 0, n = 0, refused = 0, got = 0, detached = 0;

	while (!bpf_link_get_next_id(id, &id)) {
		int fd = bpf_link_get_fd_by_id(id);

		n++;
		if (fd < 0) {
			refused += errno == EPERM;
			continue;
		}
		got++;
		if (detach && !bpf_link_detach(fd))
			detached++;
		close(fd);
	}
	printf("%u refused %u got %u detached %u\n", n, refused, got, detached);
	return 0;
}

static int maps(void)
{
	unsigned int id = 0, n = 0, wref = 0, ro = 0, through = 0;
	LIBBPF_OPTS(bpf_get_fd_by_id_opts, rdonly, .open_flags = BPF_F_RDONLY);

	while (!bpf_map_get_next_id(id, &id)) {
		struct bpf_map_info info = { 0 };
		uint32_t len = sizeof(info);
		char key[512] = { 0 }, val[4096] = { 0 };
		int fd = bpf_map_get_fd_by_id(id);

		n++;
		if (fd >= 0) {
			close(fd);
		} else if (errno == EPERM) {
			wref++;
		}
		fd = bpf_map_get_fd_by_id_opts(id, &rdonly);
		if (fd < 0)
			continue;
		ro++;
		/* a read-only fd must not write either */
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.key_size <= sizeof(key) &&
		    info.value_size <= sizeof(val) && info.type == BPF_MAP_TYPE_HASH &&
		    !bpf_map_update_elem(fd, key, val, BPF_ANY))
			through++;
		close(fd);
	}
	printf("%u write-refused %u read-only %u write-through-rdonly %u\n", n, wref, ro, through);
	return 0;
}

static int progs(void)
{
	unsigned int id = 0, n = 0, info_ok = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info = { 0 };
		uint32_t len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		n++;
		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.id == id)
			info_ok++;
		close(fd);
	}
	printf("%u info %u\n", n, info_ok);
	return 0;
}

#define PIN_DIR "/sys/fs/bpf/guard-test"
#define PIN PIN_DIR "/m"

/* What another process gets, one line each. */
static void try_pins(const char *when)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		long fd = bpf_obj_get(PIN);
		struct stat st;

		printf("%s obj-get %s\n", when, res(fd));
		if (fd >= 0)
			close(fd);
		printf("%s rename %s\n", when, res(rename(PIN, PIN_DIR "/moved")));
		printf("%s mkdir-in %s\n", when, res(mkdir(PIN_DIR "/new", 0700)));
		printf("%s list %s\n", when, res(open(PIN_DIR, O_RDONLY | O_DIRECTORY)));
		/* once released, bpffs would go: only while held */
		if (!strcmp(when, "held"))
			printf("%s umount %s\n", when, res(umount2("/sys/fs/bpf", MNT_DETACH)));
		printf("%s unlink %s\n", when, res(unlink(lstat(PIN, &st) ? PIN_DIR "/moved" : PIN)));
		rmdir(PIN_DIR "/new");
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &st, 0);
}

#define FREE_PIN "/sys/fs/bpf/guard-free"

/* Another process's writable fd of an unprotected map, by id and from its
 * pin (not held either). */
static void try_map(const char *when, int map_fd)
{
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info);
	pid_t pid;
	int st;

	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return;
	pid = fork();
	if (pid == 0) {
		printf("%s map-write %s\n", when, res(bpf_map_get_fd_by_id(info.id)));
		printf("%s pin-get %s\n", when, res(bpf_obj_get(FREE_PIN)));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &st, 0);
}

/* pin-detach PATH: a link's fd from its pin, then detaching and replacing
 * it (with its own program): "detach E update E". */
static int pin_detach(const char *path)
{
	struct bpf_link_info info = { 0 };
	uint32_t len = sizeof(info);
	int fd = bpf_obj_get(path), pfd;

	if (fd < 0) {
		printf("get %s\n", res(fd));
		return 0;
	}
	pfd = bpf_obj_get_info_by_fd(fd, &info, &len) ? -1 : bpf_prog_get_fd_by_id(info.prog_id);
	printf("detach %s", res(bpf_link_detach(fd)));
	printf(" update %s\n", pfd < 0 ? "NOPROG" : res(bpf_link_update(fd, pfd, NULL)));
	return 0;
}

static int pins(void)
{
	struct guard *g;
	struct guard_hold *h;
	struct guard_opts o = { 0 };
	char why[512];
	int r, fd, free_fd;

	r = guard_open(&g, &o, why, sizeof(why));
	if (r) {
		printf("guard: %s\n", why);
		return 1;
	}
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "guard_test", 4, 4, 1, NULL);
	if (fd < 0 || mkdir(PIN_DIR, 0700) || bpf_obj_pin(fd, PIN) || guard_hold_new(g, &h) ||
	    guard_hold_fd(h, fd) || guard_hold_path(h, PIN) || guard_hold_path(h, PIN_DIR)) {
		printf("setting up: %s\n", strerror(errno));
		return 1;
	}
	try_pins("held");
	/* while loading, even objects not held yet: another map */
	free_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "guard_free", 4, 4, 1, NULL);
	if (free_fd < 0 || bpf_obj_pin(free_fd, FREE_PIN)) {
		printf("setting up: %s\n", strerror(errno));
		return 1;
	}
	guard_loading(g, true);
	try_map("loading", free_fd);
	guard_loading(g, false);
	try_map("idle", free_fd);
	unlink(FREE_PIN);
	/* the holder itself may */
	r = bpf_obj_get(PIN);
	printf("owner obj-get %s\n", res(r));
	guard_release(h);
	try_pins("released");
	rmdir(PIN_DIR);
	guard_close(g);
	return 0;
}

int main(int argc, char **argv)
{
	const char *a = argc > 1 ? argv[1] : "";
	pid_t pid = argc > 2 ? (pid_t)atoi(argv[2]) : 0;
	long r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(a, "links-get") || !strcmp(a, "links-detach"))
		return links(!strcmp(a, "links-detach"));
	if (!strcmp(a, "maps"))
		return maps();
	if (!strcmp(a, "progs"))
		return progs();
	if (!strcmp(a, "pins"))
		return pins();
	if (!strcmp(a, "pin-detach") && argc > 2)
		return pin_detach(argv[2]);
	if (pid <= 0) {
		fprintf(stderr, "usage: guard-attack ATTACK [PID] (see the source)\n");
		return 2;
	}
	if (!strcmp(a, "attach"))
		r = ptrace_op(pid, PTRACE_ATTACH);
	else if (!strcmp(a, "seize"))
		r = ptrace_op(pid, PTRACE_SEIZE);
	else if (!strcmp(a, "mem-write"))
		r = open_path("/proc/%d/mem", pid, O_RDWR);
	else if (!strcmp(a, "vm-write"))
		r = vm_write(pid);
	else if (!strcmp(a, "pidfd-getfd"))
		r = via_pidfd(pid, true);
	else if (!strcmp(a, "fd-link"))
		r = open_path("/proc/%d/fd/0", pid, O_RDONLY);
	else if (!strcmp(a, "tgkill"))
		r = syscall(SYS_tgkill, pid, pid, SIGKILL);
	else if (!strcmp(a, "sigqueue"))
		r = sigqueue_kill(pid);
	else if (!strcmp(a, "pidfd-kill"))
		r = via_pidfd(pid, false);
	else if (!strcmp(a, "sigio"))
		r = sigio(pid);
	else if (!strcmp(a, "nice"))
		r = setpriority(PRIO_PROCESS, pid, 19);
	else if (!strcmp(a, "ioprio"))
		r = syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, pid, IOPRIO_PRIO_VALUE(IOPRIO_CLASS_IDLE, 0));
	else if (!strcmp(a, "sched"))
		r = sched_idle(pid);
	else if (!strcmp(a, "prlimit"))
		r = prlimit_nofile(pid);
	else {
		fprintf(stderr, "guard-attack: unknown attack '%s'\n", a);
		return 2;
	}
	printf("%s\n", res(r));
	return 0;
}
