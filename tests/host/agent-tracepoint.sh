# Tracepoint policies run natively here: a raw_syscalls/sys_enter policy kills
# one binary's chosen system call, an unrelated binary making the same call is
# untouched, a syscall tracepoint reads its string argument from the caller,
# and a kill on a tracepoint comes after the call: the file it created stays.
# A 32-bit caller's syscall numbers are its own (i386), never the x86-64 ones.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'

cp "$(command -v sleep)" "$tmp/victim"
cp "$(command -v sleep)" "$tmp/victim-raw"
# i386 mkdir(NULL) (39, x86-64's getpid), then i386 getpid (20), exit 7
cp "$VETO_ROOT/build/vm-bin/abi32" "$tmp/abi32" || die "no build/vm-bin/abi32: run make"
cp "$tmp/abi32" "$tmp/abi32-i386"
# Some kernels of this kind refuse i386 programs ("Exec format error"): the
# 32-bit checks then run in the VMs only (tests/vm/suite/abi32.sh).
"$tmp/abi32" 2>/dev/null; rc=$?
can_i386=$([ "$rc" = 7 ] && echo yes || echo no)
cat >"$tmp/kill.yaml" <<YAML
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: kill-victim-nanosleep
spec:
  tracepoints:
  - subsystem: raw_syscalls
    event: sys_enter
    args:
    - index: 4
      type: syscall64
    selectors:
    - matchArgs:
      - index: 0
        operator: InMap
        values: [sys_clock_nanosleep, sys_nanosleep]
      matchBinaries:
      - operator: In
        values: [$tmp/victim]
      matchActions:
      - action: Sigkill
  - subsystem: raw_syscalls
    event: sys_enter
    raw: true
    args:
    - index: 1
      type: syscall64
    selectors:
    - matchArgs:
      - index: 0
        operator: Equal
        values: [sys_clock_nanosleep]
      matchBinaries:
      - operator: In
        values: [$tmp/victim-raw]
      matchActions:
      - action: Sigkill
  - subsystem: raw_syscalls
    event: sys_enter
    raw: true
    args:
    - index: 1
      type: syscall64
    selectors:
    - matchArgs:
      - index: 0
        operator: Equal
        values: [sys_getpid]
      matchBinaries:
      - operator: Prefix
        values: [$tmp/abi32]
      matchActions:
      - action: Sigkill
  - subsystem: raw_syscalls
    event: sys_enter
    args:
    - index: 4
      type: syscall64
    selectors:
    - matchArgs:
      - index: 0
        operator: InMap
        values: [__ia32_sys_getpid, __ia32_sys_getppid]
      matchBinaries:
      - operator: In
        values: [$tmp/abi32-i386]
      matchActions:
      - action: Sigkill
  - subsystem: syscalls
    event: sys_enter_openat
    args:
    - index: 6
      type: string
    - index: 7
      type: int
    selectors:
    - matchArgs:
      - index: 0
        operator: Equal
        values: [$tmp/created]
      - index: 1
        operator: Mask
        values: [64]
      matchActions:
      - action: Sigkill
YAML

start_agent "$tmp" --policy "$tmp/kill.yaml" --export-file "$tmp/ev.json" --export-veto
expect_match "sys_enter read by its id (field 4) runs as the raw tracepoint" "enforcing on raw_tp/sys_enter \(veto_rt_0\)" "$(cat "$LOG")"
expect_match "a syscall tracepoint reading its record runs as a tracepoint" "enforcing on tracepoint/syscalls/sys_enter_openat \(veto_tp_4\)" "$(cat "$LOG")"

"$tmp/victim" 0.3; rc=$?
expect_eq "the chosen binary's nanosleep: killed by SIGKILL" 137 "$rc"
sleep 0.3; rc=$?
expect_eq "an unrelated binary's nanosleep: untouched" 0 "$rc"
expect_match "raw: true runs as a raw tracepoint" "enforcing on raw_tp/sys_enter \(veto_rt_1\)" "$(cat "$LOG")"
"$tmp/victim-raw" 0.3; rc=$?
expect_eq "raw: true: the chosen binary's nanosleep is killed too" 137 "$rc"

# 32-bit callers: i386 syscall 39 is mkdir, not x86-64's getpid (39)
if [ "$can_i386" = yes ]; then
	"$tmp/abi32"; rc=$?
	expect_eq "a 32-bit caller's syscall 39 (i386 mkdir) does not match x86-64 getpid" 7 "$rc"
	"$tmp/abi32-i386"; rc=$?
	expect_eq "a 32-bit caller's i386 getpid matches __ia32_sys_getpid: killed" 137 "$rc"
else
	echo "note: this kernel cannot execute i386 programs: the 32-bit checks run in the VMs (abi32.sh)"
fi

# O_CREAT open of the watched path: the opener dies, but the file exists
bash -c ": > '$tmp/created'"; rc=$?
expect_eq "the opener is killed" 137 "$rc"
[ -e "$tmp/created" ] || die "the file should exist: a tracepoint cannot stop the call"
pass "the file was created anyway: a tracepoint kill comes after the call"
bash -c "cat '$tmp/kill.yaml' > /dev/null"; rc=$?
expect_eq "other opens are untouched" 0 "$rc"

wait_event "$tmp/ev.json" 'e["process_tracepoint"]["event"] == "sys_enter" and e["process_tracepoint"]["process"]["binary"].endswith("/victim")' ||
	die "no process_tracepoint event for the victim"
ev=$(find_event "$tmp/ev.json" 'e["process_tracepoint"]["event"] == "sys_enter" and e["process_tracepoint"]["process"]["binary"].endswith("/victim")')
expect_eq "subsys" raw_syscalls "$(json_get "$ev" 'd["process_tracepoint"]["subsys"]')"
expect_match "syscall named (in the veto key)" "^(clock_)?nanosleep$" "$(json_get "$ev" 'd["veto"]["syscall"]')"
expect_eq "syscall_id: id and abi only, as Tetragon's" "['abi', 'id']" "$(json_get "$ev" 'sorted(d["process_tracepoint"]["args"][0]["syscall_id"])')"
expect_match "the syscall's number" "^(35|230)$" "$(json_get "$ev" 'd["process_tracepoint"]["args"][0]["syscall_id"]["id"]')"
expect_eq "action" KPROBE_ACTION_SIGKILL "$(json_get "$ev" 'd["process_tracepoint"]["action"]')"
expect_eq "the event says the call completed" "{'mode': 'enforce', 'denied': False, 'killed': True, 'call_completes': True}" "$(json_get "$ev" '{k: v for k, v in d["veto"].items() if k != "syscall"}')"
expect_eq "policy named" kill-victim-nanosleep "$(json_get "$ev" 'd["process_tracepoint"]["policy_name"]')"

wait_event "$tmp/ev.json" 'e["process_tracepoint"]["event"] == "sys_enter_openat"' || die "no openat event"
ev=$(find_event "$tmp/ev.json" 'e["process_tracepoint"]["event"] == "sys_enter_openat"')
expect_eq "the caller's path, read from user memory" "$tmp/created" "$(json_get "$ev" 'd["process_tracepoint"]["args"][0]["string_arg"]')"
expect_eq "flags carry O_CREAT" 64 "$(json_get "$ev" 'd["process_tracepoint"]["args"][1]["int_arg"] & 64')"
if find_event "$tmp/ev.json" 'e["process_tracepoint"]["process"]["binary"].endswith("/sleep")' >/dev/null; then
	die "an event for the unrelated sleep"
fi
pass "no event for the unrelated binary"
stop_agent
expect_eq "agent stops cleanly" 0 "$AGENT_RC"

# kprobes are not configured on this kernel: refused with the reason, nothing loaded
if ! grep -q ' kprobe_' /proc/kallsyms 2>/dev/null || [ ! -e /sys/kernel/tracing/kprobe_events ]; then
	printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: k\nspec:\n  kprobes:\n  - call: tcp_connect\n    syscall: false\n' >"$tmp/k.yaml"
	timeout 60 "$VETO" agent --socket "$tmp/k.sock" --lock-file "$tmp/agent.lock" --bpf-dir "/sys/fs/bpf/veto-test-$(basename "$tmp" | tr . _)" --policy "$tmp/k.yaml" 2>"$tmp/klog"; rc=$?
	expect_eq "a kprobe policy is refused here" 1 "$rc"
	expect_match "the refusal names kprobes" "policy k: attaching veto_kp_0 to tcp_connect: .*kprobes" "$(cat "$tmp/klog")"
fi
