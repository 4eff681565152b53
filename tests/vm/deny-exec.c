/* VM test tool: attaches veto's probe LSM program (lsm/bprm_check_security),
 * runs CMD twice, once in a child the program targets and once in a control
 * child, with VETO_RUN=target|control in the environment. The caller checks
 * the effects (what CMD did or did not do). Exit 0 when the target's exec
 * failed with EPERM and the control's exec ran. */
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.skel.h"

/* Returns the errno of a failed exec, 0 if CMD ran; *status gets its wait status. */
static int run(struct veto_probe *skel, bool target, char **cmd, int *status)
{
	int go[2], res[2], err = 0;
	char c = 0;
	pid_t pid;

	if (pipe2(go, O_CLOEXEC) || pipe2(res, O_CLOEXEC))
		return errno;
	pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0) {
		setenv("VETO_RUN", target ? "target" : "control", 1);
		if (read(go[0], &c, 1) != 1)
			_exit(126);
		execvp(cmd[0], cmd);
		err = errno;
		if (write(res[1], &err, sizeof(err)) < 0)
			_exit(125);
		_exit(127);
	}
	close(res[1]);
	skel->bss->target_tgid = target ? (__u32)pid : 0;
	if (write(go[1], &c, 1) != 1)
		return EIO;
	if (read(res[0], &err, sizeof(err)) != sizeof(err))
		err = 0;
	waitpid(pid, status, 0);
	skel->bss->target_tgid = 0;
	close(go[0]);
	close(go[1]);
	close(res[0]);
	return err;
}

int main(int argc, char **argv)
{
	struct veto_probe *skel;
	struct bpf_program *p;
	int terr, cerr, tst = 0, cst = 0;

	if (argc < 2) {
		fprintf(stderr, "Usage: deny-exec CMD [ARGS...]\n");
		return 2;
	}
	skel = veto_probe__open();
	if (!skel)
		return 1;
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, p == skel->progs.veto_probe_lsm);
	bpf_map__set_autocreate(skel->maps.probe_rb, false);
	if (veto_probe__load(skel) || veto_probe__attach(skel)) {
		fprintf(stderr, "Error: cannot load/attach lsm/bprm_check_security: %s\n", strerror(errno));
		veto_probe__destroy(skel);
		return 1;
	}
	terr = run(skel, true, argv + 1, &tst);
	cerr = run(skel, false, argv + 1, &cst);
	veto_probe__destroy(skel);
	printf("target: %s\n", terr ? strerror(terr) : "exec succeeded");
	printf("control: %s (exit %d)\n", cerr ? strerror(cerr) : "exec succeeded",
	       WIFEXITED(cst) ? WEXITSTATUS(cst) : -1);
	return terr == EPERM && cerr == 0 ? 0 : 1;
}
