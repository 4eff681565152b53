// SPDX-License-Identifier: GPL-2.0
/* Tiny programs, one per program kind veto uses. `veto probe` loads and
 * attaches them one at a time to learn what this kernel really allows. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "errno.h"
#include "probe.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by userspace after load; 0 means "act on nobody". */
__u32 target_tgid;
long target_nr = -1;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} probe_rb SEC(".maps");

static __always_inline bool is_target(void)
{
	return target_tgid && (__u32)(bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

SEC("lsm/bprm_check_security")
int BPF_PROG(veto_probe_lsm, struct linux_binprm *bprm, int ret)
{
	if (ret)
		return ret;
	return is_target() ? -EPERM : 0;
}

SEC("fentry/security_bprm_check")
int BPF_PROG(veto_probe_fent, struct linux_binprm *bprm)
{
	return 0;
}

SEC("kprobe/security_bprm_check")
int BPF_KPROBE(veto_probe_kprb)
{
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(veto_probe_btf, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	return 0;
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(veto_probe_raw)
{
	return 0;
}

SEC("tracepoint/sched/sched_process_exec")
int veto_probe_tp(void *ctx)
{
	return 0;
}

SEC("cgroup/connect4")
int veto_probe_cg(struct bpf_sock_addr *ctx)
{
	return 1; /* allow */
}

SEC("raw_tp/sys_enter")
int BPF_PROG(veto_probe_sig, struct pt_regs *regs, long id)
{
	if (id == target_nr && is_target())
		bpf_send_signal(SIGUSR1);
	return 0;
}

SEC("raw_tp/sys_enter")
int BPF_PROG(veto_probe_rb, struct pt_regs *regs, long id)
{
	__u32 v = PROBE_RB_MAGIC;

	if (id == target_nr && is_target())
		bpf_ringbuf_output(&probe_rb, &v, sizeof(v), 0);
	return 0;
}
