#!/bin/sh
# Self-test of the VM harness itself (no veto needed): the kernel is the one
# asked for, and /init set up what the veto scenarios rely on.
. /veto/lib.sh

note "kernel $(uname -r), lsm=$(cat /sys/kernel/security/lsm 2>/dev/null)"
expect_eq "running the kernel vm-run fetched" "$VETO_VM_RELEASE" "$(uname -r)"
expect_match "kernel is $VETO_VM_KERNEL" "^$(echo "$VETO_VM_KERNEL" | sed 's/\./\\./g')\\." "$(uname -r)"

mounted() { awk -v d="$1" -v t="$2" '$2 == d && $3 == t { f = 1 } END { exit !f }' /proc/mounts; }
for m in /proc:proc /sys:sysfs /dev:devtmpfs /sys/kernel/security:securityfs \
	/sys/kernel/tracing:tracefs /sys/kernel/debug:debugfs /sys/fs/cgroup:cgroup2 \
	/sys/fs/bpf:bpf /tmp:tmpfs /run:tmpfs; do
	if mounted "${m%%:*}" "${m#*:}"; then pass "${m#*:} on ${m%%:*}"; else fail "${m#*:} not mounted on ${m%%:*}"; fi
done

expect_match "bpf is an active LSM" '(^|,)bpf(,|$)' "$(cat /sys/kernel/security/lsm)"
expect_file "kernel BTF" /sys/kernel/btf/vmlinux
expect_file "tracefs has sched tracepoints" /sys/kernel/tracing/events/sched/sched_process_exec/id
expect_file "cgroup2 root" /sys/fs/cgroup/cgroup.procs
expect_ok "bpffs takes directories" sh -c 'mkdir /sys/fs/bpf/veto-selftest && rmdir /sys/fs/bpf/veto-selftest'
expect_match "loopback is up" '<([A-Z_]+,)*UP[,>]' "$(ip link show lo)"
expect_eq "hostname" veto-vm "$(hostname)"
expect_eq "running as root" 0 "$(id -u)"
expect_ok "ping over loopback" sh -c 'ping -c 1 -W 5 127.0.0.1 >/dev/null'

# The helpers themselves: exit statuses of signalled commands are 128+N.
expect_eq "run_status of a SIGKILLed command" 137 "$(run_status sh -c 'kill -9 $$')"
expect_status "expect_status sees exit 3" 3 sh -c 'exit 3'
expect_fail "expect_fail sees failure" false
expect_ok "kernel_at_least 5.10" kernel_at_least 5.10
expect_fail "not kernel_at_least 99.0" kernel_at_least 99.0
note "$(grep 'locked memory' /proc/self/limits)"
