#!/bin/sh
# Enforcement that survives the agent, at an LSM hook: the article's
# /etc/passwd policy still kills the writer after `kill -9` of the agent; a
# restarted agent adopts it (the same program and maps, no second copy of
# anything) and exports what it did meanwhile; a changed policy replaces it
# while an attack loop runs, which never gets through; a graceful stop
# unloads it unless --keep-enforcing; `veto reset` removes what is left.
. /veto/lib.sh
command -v bpftool >/dev/null || die "no bpftool in the VM (vm-run copies the host's)"

bpfdir=/sys/fs/bpf/veto
inst=$bpfdir/policies/0-article-passwd
p1=/veto/examples/policies/article-passwd.yaml
# the same policy (its name is the file's) with one more file
p2=/tmp/p2/article-passwd.yaml
mkdir -p /tmp/p2
sed 's|values: \["/etc/passwd", "/etc/shadow"\]|values: ["/etc/passwd", "/etc/shadow", "/tmp/secret"]|' "$p1" >"$p2"
grep -q /tmp/secret "$p2" || die "the changed policy was not made"
cp /etc/passwd /tmp/passwd.orig
: >/tmp/secret
# the policy kills readers of /etc/passwd too: stat(2) alone does not open it
orig=$(stat -c '%s %Y' /etc/passwd)

attack() { run_status sh -c 'echo hacked >> /etc/passwd'; }
kill9() { kill -KILL "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null; AGENT_PID=; }
veto_progs() { bpftool prog show 2>/dev/null | grep -c ' name veto_'; }
count_is() { [ "$(veto_progs)" = "$1" ]; }
gone() { [ "$(progs_using "$1")" = 0 ]; }
unchanged() { expect_eq "$1: /etc/passwd is unchanged (size, mtime)" "$orig" "$(stat -c '%s %Y' /etc/passwd)"; }
restore() { cp /tmp/passwd.orig /etc/passwd; }
# bpftool reads the pins while the agent runs: self-protection refuses that
# to other processes (tests/vm/suite/guard.sh), so it is off here
start_noprot() { agent_start --no-protect "$@"; }

start_noprot --policy "$p1"
expect_match "loaded and pinned" "policy article-passwd: loaded and pinned in $inst" "$(cat "$AGENT_LOG")"
expect_eq "the writer of /etc/passwd dies by SIGKILL" 137 "$(attack)"
prog=$(bpf_link_prog "$inst/link_00")
cfg=$(bpf_map_id "$inst/map_cfg")
lost=$(bpf_map_id "$inst/map_policy_lost")
ring=$(bpf_map_id "$bpfdir/ring")
expect_match "the link, the maps and the ring are pinned" '^[0-9]+ [0-9]+ [0-9]+ [0-9]+$' "$prog $cfg $lost $ring"
n_progs=$(veto_progs)
expect_ne "veto's programs are listed by bpftool" 0 "$n_progs"
out=$(veto reset 2>&1); rc=$?
expect_eq "reset is refused while the agent runs" 1 "$rc"
expect_match "and says why" "an agent uses it" "$out"

kill9
expect_eq "after kill -9 of the agent the writer still dies" 137 "$(attack)"
unchanged "after kill -9"
expect_eq "the policy's program is still loaded" "$prog" "$(bpf_link_prog "$inst/link_00")"

start_noprot --policy "$p1"
expect_match "the restarted agent adopts it" "policy article-passwd: adopted the pinned instance in $inst" "$(cat "$AGENT_LOG")"
expect_eq "the same program" "$prog" "$(bpf_link_prog "$inst/link_00")"
expect_eq "the same maps (config, counters)" "$cfg $lost" "$(bpf_map_id "$inst/map_cfg") $(bpf_map_id "$inst/map_policy_lost")"
expect_eq "the same ring" "$ring" "$(bpf_map_id "$bpfdir/ring")"
wait_for "no duplicate: as many veto programs as before the kill ($n_progs)" 30 count_is "$n_progs"
ev='"process_kprobe".*"policy_name":"article-passwd"'
wait_for "the kill while no agent ran reaches the new agent's export" 30 events_with "$ev"
expect_eq "the writer dies" 137 "$(attack)"
wait_for "and the adopted policy's new event too" 30 sh -c "[ \$(grep -cE '$ev' '$AGENT_EXPORT') -ge 2 ]"
agent_stop

# --keep-enforcing keeps it; then a changed policy replaces it under attack
start_noprot --keep-enforcing --policy "$p1"
expect_match "loaded again (the graceful stop unloaded it)" "policy article-passwd: loaded and pinned in $inst" "$(cat "$AGENT_LOG")"
cfg=$(bpf_map_id "$inst/map_cfg")
agent_stop
expect_eq "after a graceful stop with --keep-enforcing the writer dies" 137 "$(attack)"
( while [ ! -e /tmp/stop ]; do attack; done >/tmp/loop ) &
loop=$!
wait_until 30 test -s /tmp/loop
start_noprot --policy "$p2"
expect_match "the changed policy is not adopted" "is not adopted \(the policy or veto's programs changed\)" "$(cat "$AGENT_LOG")"
expect_match "it replaces the old one" "policy article-passwd: loaded and pinned in place of a different pinned instance in $inst" "$(cat "$AGENT_LOG")"
n=$(wc -l </tmp/loop)
wait_until 60 sh -c "[ \$(wc -l </tmp/loop) -gt $n ]"
: >/tmp/stop
wait "$loop"
expect_eq "no write got through while the policy was replaced ($(wc -l </tmp/loop) attempts)" 137 "$(sort -u /tmp/loop | tr '\n' ' ' | sed 's/ $//')"
unchanged "after the replacement"
wait_for "the old instance's programs are gone" 30 gone "$cfg"
expect_eq "the new policy kills the writer of /tmp/secret" 137 "$(run_status sh -c 'echo x >> /tmp/secret')"
expect_eq "its program replaced the old one" 1 "$(progs_using "$(bpf_map_id "$inst/map_cfg")")"
agent_stop
# the kernel frees a detached program a moment later (5.10: from a work queue)
wait_for "a graceful stop unloads it: no veto program is left" 30 count_is 0
expect_no_file "nor the pin folder" "$bpfdir"
expect_ok "/etc/passwd is byte for byte what it was" cmp /etc/passwd /tmp/passwd.orig
expect_eq "the write works" 0 "$(attack)"
restore

# veto reset: what a killed agent left
start_noprot --policy "$p1"
kill9
expect_eq "killed agent: still enforced" 137 "$(attack)"
out=$(veto reset 2>&1); rc=$?
expect_eq "veto reset" 0 "$rc"
expect_match "says what it removed" "removed policy article-passwd \(0-article-passwd, id 0, enforce\)" "$out"
wait_for "after reset no veto program is left" 30 count_is 0
expect_eq "after reset the write works" 0 "$(attack)"
restore
expect_no_file "the pin folder is gone" "$bpfdir"
# tracepoint policies: raw_syscalls is a raw tracepoint, a BPF link that
# pins on every kernel; a syscalls tracepoint is one from 5.15 on: on 5.10 it
# cannot be pinned, which the log says, and it ends with the agent
mkdir -p /tmp/v /tmp/tp && cp /bin/busybox /tmp/v/sleep && : >/tmp/v/target
cat >/tmp/tp/a-sleep.yaml <<'YAML'
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: kill-sleep
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
        values: [sys_nanosleep, sys_clock_nanosleep]
      matchBinaries:
      - operator: In
        values: [/tmp/v/sleep]
      matchActions:
      - action: Sigkill
YAML
cat >/tmp/tp/b-open.yaml <<'YAML'
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: kill-open
spec:
  tracepoints:
  - subsystem: syscalls
    event: sys_enter_openat
    args:
    - index: 6
      type: string
    selectors:
    - matchArgs:
      - index: 0
        operator: Equal
        values: [/tmp/v/target]
      matchActions:
      - action: Sigkill
YAML
start_noprot --policy /tmp/tp
expect_eq "the raw tracepoint policy kills" 137 "$(run_status /tmp/v/sleep 5)"
expect_eq "the tracepoint policy kills" 137 "$(run_status cat /tmp/v/target)"
expect_match "the raw tracepoint policy is pinned" "policy kill-sleep: loaded and pinned in $bpfdir/policies/0-kill-sleep" "$(cat "$AGENT_LOG")"
kill9
expect_eq "after kill -9 of the agent the raw tracepoint policy still kills" 137 "$(run_status /tmp/v/sleep 5)"
if kernel_at_least 5.15; then
	expect_match "the tracepoint policy is pinned" "policy kill-open: loaded and pinned in $bpfdir/policies/1-kill-open" "$(cat "$AGENT_LOG")"
	expect_eq "and still kills after kill -9 of the agent" 137 "$(run_status cat /tmp/v/target)"
else
	expect_match "5.10: the tracepoint policy is not pinned, and the log says why" \
		"Warning: policy kill-open: not pinned \(pinning its link 0: Invalid argument \(.*from kernel 5.15\)\): it is in force while this agent runs only" "$(cat "$AGENT_LOG")"
	wait_for "5.10: it ended with the agent" 30 cat /tmp/v/target
fi
veto reset >/dev/null
wait_for "reset: no veto program left" 30 count_is 0
echo "pin: $VETO_CHECKS checks, $VETO_FAILED failed"
