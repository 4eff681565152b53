/* Probing by trying: each program kind is loaded and attached for real. */
#include "probe/probe.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpf/probe.h"
#include "probe.skel.h"
#include "util/bpflog.h"
#include "util/out.h"

#define LSM_FILE "/sys/kernel/security/lsm"

static const struct {
	const char *name, *section, *prog;
} kinds[PK__COUNT] = {
	[PK_LSM] = { "lsm", "lsm/bprm_check_security", "veto_probe_lsm" },
	[PK_FENTRY] = { "fentry", "fentry/security_bprm_check", "veto_probe_fent" },
	[PK_KPROBE] = { "kprobe", "kprobe/security_bprm_check", "veto_probe_kprb" },
	[PK_TP_BTF] = { "tp_btf", "tp_btf/sched_process_exec", "veto_probe_btf" },
	[PK_RAW_TP] = { "raw_tp", "raw_tp/sched_process_exec", "veto_probe_raw" },
	[PK_TRACEPOINT] = { "tracepoint", "tracepoint/sched/sched_process_exec", "veto_probe_tp" },
	[PK_CGROUP] = { "cgroup", "cgroup/connect4", "veto_probe_cg" },
};

const char *probe_kind_name(enum probe_kind k) { return kinds[k].name; }
const char *probe_kind_section(enum probe_kind k) { return kinds[k].section; }

bool probe_try_ok(const struct probe_try *t)
{
	return t->tried && !t->load_err && !t->attach_err;
}

const char *verdict_name(enum verdict v)
{
	switch (v) {
	case VERDICT_ENFORCE: return "enforce";
	case VERDICT_OBSERVE: return "observe";
	default: return "none";
	}
}

static void set_detail(struct probe_try *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->detail, sizeof(t->detail), fmt, ap);
	va_end(ap);
}

/* Opens the probe object with only `prog` enabled, and loads it. */
static struct veto_probe *open_one(struct probe_try *t, const char *prog, bool ringbuf)
{
	struct veto_probe *skel;
	struct bpf_program *p;
	int err;

	t->tried = true;
	bpflog_reset();
	skel = veto_probe__open();
	if (!skel) {
		t->load_err = -errno;
		set_detail(t, "open: %s", bpflog_why());
		return NULL;
	}
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, !strcmp(bpf_program__name(p), prog));
	bpf_map__set_autocreate(skel->maps.probe_rb, ringbuf);
	err = veto_probe__load(skel);
	if (err) {
		t->load_err = err < 0 ? err : -EINVAL;
		set_detail(t, "%s", bpflog_why());
		veto_probe__destroy(skel);
		return NULL;
	}
	return skel;
}

static int cgroup2_fd(void)
{
	char dev[256], dir[512], type[64];
	FILE *f = fopen("/proc/self/mounts", "re");
	int fd = -ENOENT;

	if (!f)
		return -errno;
	while (fscanf(f, "%255s %511s %63s %*[^\n]", dev, dir, type) == 3) {
		if (!strcmp(type, "cgroup2")) {
			fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			fd = fd < 0 ? -errno : fd;
			break;
		}
	}
	fclose(f);
	return fd;
}

static void try_kind(struct probe_report *r, enum probe_kind k)
{
	struct probe_try *t = &r->kind[k];
	struct veto_probe *skel = open_one(t, kinds[k].prog, false);
	struct bpf_program *p;
	struct bpf_link *link;

	if (!skel)
		return;
	p = bpf_object__find_program_by_name(skel->obj, kinds[k].prog);
	bpflog_reset();
	if (k == PK_CGROUP) {
		int fd = cgroup2_fd();
		if (fd < 0) {
			t->attach_err = fd;
			set_detail(t, "no cgroup2 filesystem mounted");
			veto_probe__destroy(skel);
			return;
		}
		link = bpf_program__attach_cgroup(p, fd);
		close(fd);
	} else {
		link = bpf_program__attach(p);
	}
	if (!link) {
		t->attach_err = -errno;
		if (k == PK_KPROBE && access("/sys/kernel/tracing/kprobe_events", F_OK) &&
		    access("/sys/kernel/debug/tracing/kprobe_events", F_OK))
			set_detail(t, "kprobes are not enabled in this kernel (no kprobe_events in tracefs)");
		else
			set_detail(t, "%s", bpflog_why());
	}
	bpf_link__destroy(link);
	veto_probe__destroy(skel);
}

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

static void try_send_signal(struct probe_report *r)
{
	struct probe_try *t = &r->send_signal;
	struct sigaction sa = { .sa_handler = on_usr1 }, old;
	struct veto_probe *skel = open_one(t, "veto_probe_sig", false);

	if (!skel)
		return;
	skel->links.veto_probe_sig = bpf_program__attach(skel->progs.veto_probe_sig);
	if (!skel->links.veto_probe_sig) {
		t->attach_err = -errno;
		set_detail(t, "%s", bpflog_why());
		goto out;
	}
	sigaction(SIGUSR1, &sa, &old);
	got_usr1 = 0;
	skel->data->target_nr = SYS_getppid;
	skel->bss->target_tgid = getpid();
	for (int i = 0; i < 50 && !got_usr1; i++) {
		syscall(SYS_getppid);
		if (!got_usr1)
			usleep(1000);
	}
	skel->bss->target_tgid = 0;
	sigaction(SIGUSR1, &old, NULL);
	if (got_usr1) {
		set_detail(t, "SIGUSR1 delivered from raw_tp/sys_enter");
	} else {
		t->attach_err = -ENOSYS;
		set_detail(t, "program attached but no signal arrived");
	}
out:
	veto_probe__destroy(skel);
}

static int on_rb_event(void *ctx, void *data, size_t len)
{
	if (len >= sizeof(__u32) && *(__u32 *)data == PROBE_RB_MAGIC)
		*(bool *)ctx = true;
	return 0;
}

static void try_ringbuf(struct probe_report *r)
{
	struct probe_try *t = &r->ringbuf;
	struct veto_probe *skel = open_one(t, "veto_probe_rb", true);
	struct ring_buffer *rb = NULL;
	bool seen = false;

	if (!skel)
		return;
	rb = ring_buffer__new(bpf_map__fd(skel->maps.probe_rb), on_rb_event, &seen, NULL);
	if (!rb) {
		t->attach_err = -errno;
		set_detail(t, "ring_buffer__new: %s", bpflog_why());
		goto out;
	}
	skel->links.veto_probe_rb = bpf_program__attach(skel->progs.veto_probe_rb);
	if (!skel->links.veto_probe_rb) {
		t->attach_err = -errno;
		set_detail(t, "%s", bpflog_why());
		goto out;
	}
	skel->data->target_nr = SYS_getppid;
	skel->bss->target_tgid = getpid();
	for (int i = 0; i < 50 && !seen; i++) {
		syscall(SYS_getppid);
		ring_buffer__poll(rb, 10);
	}
	skel->bss->target_tgid = 0;
	if (seen) {
		set_detail(t, "event received through a BPF ring buffer");
	} else {
		t->attach_err = -ENODATA;
		set_detail(t, "program attached but no event arrived");
	}
out:
	ring_buffer__free(rb);
	veto_probe__destroy(skel);
}

/* Forks a child that execs this binary; the LSM program denies it by tgid. */
static void try_lsm_deny(struct probe_report *r)
{
	struct probe_try *t = &r->lsm_deny;
	struct veto_probe *skel;
	int go[2] = { -1, -1 }, res[2] = { -1, -1 }, status, child_err = 0;
	pid_t pid;
	ssize_t n;
	char c = 0;

	if (!probe_try_ok(&r->kind[PK_LSM])) {
		set_detail(t, "lsm programs cannot attach");
		return;
	}
	skel = open_one(t, "veto_probe_lsm", false);
	if (!skel)
		return;
	skel->links.veto_probe_lsm = bpf_program__attach(skel->progs.veto_probe_lsm);
	if (!skel->links.veto_probe_lsm || pipe2(go, O_CLOEXEC) || pipe2(res, O_CLOEXEC)) {
		t->attach_err = -errno;
		set_detail(t, "%s", bpflog_why());
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		t->attach_err = -errno;
		set_detail(t, "fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		char *argv[] = { "veto", "--version", NULL };
		int devnull = open("/dev/null", O_WRONLY);

		if (devnull >= 0)
			dup2(devnull, STDOUT_FILENO);
		if (read(go[0], &c, 1) != 1)
			_exit(126);
		execv("/proc/self/exe", argv);
		child_err = errno;
		if (write(res[1], &child_err, sizeof(child_err)) < 0)
			_exit(125);
		_exit(127);
	}
	skel->bss->target_tgid = pid;
	close(res[1]);
	res[1] = -1;
	if (write(go[1], &c, 1) != 1)
		kill(pid, SIGKILL);
	n = read(res[0], &child_err, sizeof(child_err));
	waitpid(pid, &status, 0);
	skel->bss->target_tgid = 0;
	if (n == sizeof(child_err)) {
		r->lsm_deny_errno = child_err;
		if (child_err == EPERM) {
			set_detail(t, "a test exec was denied with EPERM");
		} else {
			t->attach_err = -child_err;
			set_detail(t, "exec failed, but not with EPERM: %s", strerror(child_err));
		}
	} else {
		t->attach_err = -EPERM;
		set_detail(t, "program attached but the exec was not denied");
	}
out:
	for (int i = 0; i < 2; i++) {
		if (go[i] >= 0)
			close(go[i]);
		if (res[i] >= 0)
			close(res[i]);
	}
	veto_probe__destroy(skel);
}

static bool is_mounted(const char *dir, const char *type)
{
	char d[512], ty[64];
	FILE *f = fopen("/proc/self/mounts", "re");
	bool found = false;

	if (!f)
		return false;
	while (!found && fscanf(f, "%*s %511s %63s %*[^\n]", d, ty) == 2)
		found = !strcmp(d, dir) && !strcmp(ty, type);
	fclose(f);
	return found;
}

/* Mounts a pseudo filesystem where the kernel has it but nobody mounted it. */
static bool ensure_mounted(const char *dir, const char *type)
{
	if (is_mounted(dir, type))
		return false;
	return mount("none", dir, type, 0, NULL) == 0;
}

static void read_lsm(struct probe_report *r)
{
	FILE *f;

	r->securityfs_mounted_by_us = ensure_mounted("/sys/kernel/security", "securityfs");
	f = fopen(LSM_FILE, "re");
	if (!f) {
		r->lsm_err = -errno;
		return;
	}
	if (!fgets(r->lsm, sizeof(r->lsm), f))
		r->lsm_err = ferror(f) ? -EIO : 0;
	fclose(f);
	r->lsm[strcspn(r->lsm, "\n")] = '\0';
	for (char *s = r->lsm, *tok; (tok = strsep(&s, ","));) {
		if (!strcmp(tok, "bpf"))
			r->lsm_has_bpf = true;
		if (s)
			s[-1] = ','; /* strsep cut it: put it back */
	}
}

static bool has_caps(void)
{
	/* CAP_SYS_ADMIN (21) or CAP_BPF (39) + CAP_PERFMON (38) in the effective set */
	unsigned long long eff = 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return geteuid() == 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return (eff >> 21 & 1) || ((eff >> 39 & 1) && (eff >> 38 & 1));
}

int probe_run(struct probe_report *r)
{
	struct utsname u;

	memset(r, 0, sizeof(*r));
	if (!has_caps())
		return -EPERM;
	if (uname(&u) == 0)
		snprintf(r->release, sizeof(r->release), "%s", u.release);
	read_lsm(r);
	r->btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	if (access("/sys/kernel/debug/tracing/events", F_OK) != 0)
		r->tracefs_mounted_by_us = ensure_mounted("/sys/kernel/tracing", "tracefs");

	for (int k = 0; k < PK__COUNT; k++)
		try_kind(r, k);
	try_ringbuf(r);
	try_send_signal(r);
	try_lsm_deny(r);

	r->verdict = probe_verdict(r, NULL, 0);
	return 0;
}

static const char *err_text(int err, char *buf, size_t len)
{
	const char *name = strerrorname_np(-err);

	snprintf(buf, len, "%s (%s)", strerror(-err), name ? name : "?");
	return buf;
}

enum verdict probe_verdict(const struct probe_report *r, char *why, int whylen)
{
	const struct probe_try *lsm = &r->kind[PK_LSM];
	char reason[200], e[64];
	bool tracing = probe_try_ok(&r->kind[PK_TP_BTF]) || probe_try_ok(&r->kind[PK_RAW_TP]) ||
		       probe_try_ok(&r->kind[PK_TRACEPOINT]);

	if (probe_try_ok(lsm) && probe_try_ok(&r->lsm_deny)) {
		if (why)
			snprintf(why, whylen, "this kernel can enforce: BPF LSM programs attach and a test exec was denied with EPERM");
		return VERDICT_ENFORCE;
	}
	if (!r->lsm_has_bpf)
		snprintf(reason, sizeof(reason), "'bpf' is not among the active LSMs (%s); boot with lsm=...,bpf",
			 r->lsm_err ? "unreadable" : r->lsm);
	else if (lsm->load_err)
		snprintf(reason, sizeof(reason), "LSM programs refused: load failed: %s",
			 err_text(lsm->load_err, e, sizeof(e)));
	else if (lsm->attach_err)
		snprintf(reason, sizeof(reason), "LSM programs refused: attach failed: %s",
			 err_text(lsm->attach_err, e, sizeof(e)));
	else
		snprintf(reason, sizeof(reason), "LSM deny test failed: %s", r->lsm_deny.detail);
	if (tracing) {
		if (why)
			snprintf(why, whylen, "this kernel cannot enforce at LSM hooks (%s); tracepoints work: veto can observe%s",
				 reason, probe_try_ok(&r->send_signal) ? " and kill after the fact (the operation still completes)" : " only (bpf_send_signal does not work)");
		return VERDICT_OBSERVE;
	}
	if (why)
		snprintf(why, whylen, "this kernel can neither enforce (%s) nor trace", reason);
	return VERDICT_NONE;
}
