# Enforcement that survives the agent, on this kernel's tracepoints: a
# policy pinned by the agent still kills after `kill -9` of the agent; a
# restarted agent adopts it (the same program and maps, no second copy) and
# gets what it wrote meanwhile; a changed policy replaces it with no moment
# unenforced; a graceful stop unloads unless --keep-enforcing; `veto reset`
# removes what is left. And the pin folder's guards: another agent on the
# same folder, a folder others can write to.
. "$(dirname "$0")/lib.sh"
command -v bpftool >/dev/null || skip "no bpftool"
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'
agent_files "$tmp"
bpfdir=$AGENT_BPF_DIR
inst=$bpfdir/policies/0-kill-victim
cp "$(command -v sleep)" "$tmp/victim"
cp "$(command -v sleep)" "$tmp/victim2"

policy() { # BINARIES...: kill them at clock_nanosleep
	cat <<YAML
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: kill-victim
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
        values: [$(echo "$*" | sed 's/ /, /g')]
      matchActions:
      - action: Sigkill
YAML
}
policy "$tmp/victim" >"$tmp/v1.yaml"
policy "$tmp/victim" "$tmp/victim2" >"$tmp/v2.yaml"
start() { agent_start --export-file "$AGENT_EXPORT" "$@"; }
kill9() { kill -KILL "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null; AGENT_PID=; }
gone() { [ "$(progs_using "$1")" = 0 ]; }

start --policy "$tmp/v1.yaml"
expect_match "loaded and pinned" "policy kill-victim: loaded and pinned in $inst" "$(cat "$AGENT_LOG")"
expect_eq "the victim is killed" 137 "$(run_status "$tmp/victim" 5)"
prog=$(bpf_link_prog "$inst/link_00")
cfg=$(bpf_map_id "$inst/map_cfg")
lost=$(bpf_map_id "$inst/map_policy_lost")
ring=$(bpf_map_id "$bpfdir/ring")
expect_match "the link, the maps and the ring are pinned" '^[0-9]+ [0-9]+ [0-9]+ [0-9]+$' "$prog $cfg $lost $ring"
on_ring=$(progs_using "$ring")
expect_eq "the policy's program writes to the pinned ring" 1 "$(progs_using "$cfg")"
expect_match "reset --list shows it" '^0-kill-victim +kill-victim +0 enforce ' "$("$VETO" reset --list --bpf-dir "$bpfdir")"
expect_fail "a --policy file's text is not pinned (the file is its source)" \
	"$VETO" reset --source 0-kill-victim --bpf-dir "$bpfdir"
out=$("$VETO" reset --bpf-dir "$bpfdir" 2>&1); rc=$?
expect_eq "reset is refused while the agent runs" "1 yes" "$rc $([ -e "$inst/state" ] && echo yes)"
expect_match "and says why" "an agent uses it: stop the agent.*or use --force" "$out"
out=$(timeout 30 "$VETO" agent --socket "$tmp/b.sock" --lock-file "$tmp/b.lock" --bpf-dir "$bpfdir" 2>&1); rc=$?
expect_eq "a second agent on the same pin folder is refused" 1 "$rc"
expect_match "by name" "Error: pin folder: $bpfdir: another agent uses it" "$out"

# the attacker's move: kill -9 the agent
kill9
expect_eq "after kill -9 of the agent the victim is still killed" 137 "$(run_status "$tmp/victim" 5)"
expect_eq "the policy's program is still loaded" 1 "$(progs_using "$cfg")"

start --policy "$tmp/v1.yaml"
expect_match "the restarted agent adopts it" "policy kill-victim: adopted the pinned instance in $inst" "$(cat "$AGENT_LOG")"
expect_eq "the same program" "$prog" "$(bpf_link_prog "$inst/link_00")"
expect_eq "the same maps (config, counters)" "$cfg $lost" "$(bpf_map_id "$inst/map_cfg") $(bpf_map_id "$inst/map_policy_lost")"
expect_eq "the same ring" "$ring" "$(bpf_map_id "$bpfdir/ring")"
expect_eq "no second copy: as many programs on the ring as before" "$on_ring" "$(progs_using "$ring")"
ev='"process_tracepoint".*"policy_name":"kill-victim"'
wait_for "the kill while no agent ran reaches the new agent's export" 10 events_with "$ev"
expect_eq "the victim is killed" 137 "$(run_status "$tmp/victim" 5)"
wait_for "and its event too" 10 sh -c "[ \$(grep -cE '$ev' '$AGENT_EXPORT') -ge 2 ]"
agent_stop
wait_for "a graceful stop unloads the policy: its program is gone" 5 gone "$cfg"
expect_eq "the victim runs" 0 "$(run_status "$tmp/victim" 0.01)"
expect_no_file "and its pins" "$bpfdir"

# --keep-enforcing, then a changed policy: replaced, never unenforced
start --keep-enforcing --policy "$tmp/v1.yaml"
cfg=$(bpf_map_id "$inst/map_cfg")
agent_stop
expect_eq "a graceful stop with --keep-enforcing keeps it" 137 "$(run_status "$tmp/victim" 5)"
( while [ ! -e "$tmp/stop" ]; do "$tmp/victim" 5; echo $?; done >"$tmp/loop" 2>/dev/null ) &
loop=$!
wait_until 10 test -s "$tmp/loop"
start --policy "$tmp/v2.yaml"
expect_match "the changed policy is not adopted" "the instance pinned in $inst is not adopted \(the policy or veto's programs changed\)" "$(cat "$AGENT_LOG")"
expect_match "it replaces the old one" "policy kill-victim: loaded and pinned in place of a different pinned instance in $inst" "$(cat "$AGENT_LOG")"
n=$(wc -l <"$tmp/loop")
wait_until 10 sh -c "[ \$(wc -l <'$tmp/loop') -gt $n ]"
: >"$tmp/stop"
wait "$loop"
expect_eq "no run of the victim escaped while the policy was replaced ($(wc -l <"$tmp/loop") runs)" "137" "$(sort -u "$tmp/loop" | tr '\n' ' ' | sed 's/ $//')"
wait_for "the old instance's program is gone" 5 gone "$cfg"
expect_eq "the new one kills the second binary too" 137 "$(run_status "$tmp/victim2" 5)"
kill9
expect_eq "killed again: still in force" 137 "$(run_status "$tmp/victim2" 5)"
cfg=$(bpf_map_id "$inst/map_cfg")
out=$("$VETO" reset --bpf-dir "$bpfdir"); rc=$?
expect_eq "veto reset" 0 "$rc"
expect_match "says what it removed" "removed policy kill-victim \(0-kill-victim, id 0, enforce\)" "$out"
expect_match "and the ring" "removed the ring buffer $bpfdir/ring" "$out"
wait_for "after reset nothing of the policy is loaded" 5 gone "$cfg"
expect_eq "after reset the victim runs" 0 "$(run_status "$tmp/victim2" 0.01)"
expect_no_file "the pin folder is gone" "$bpfdir"
expect_match "reset again: nothing left" "nothing to remove" "$("$VETO" reset --bpf-dir "$bpfdir")"

# the same policy in the other mode: adopted, switched in place
sed 's/^spec:$/spec:\n  options:\n  - name: policy-mode\n    value: monitor/' "$tmp/v1.yaml" >"$tmp/v1m.yaml"
start --policy "$tmp/v1m.yaml"
expect_eq "in monitor mode the victim runs" 0 "$(run_status "$tmp/victim" 0.01)"
prog=$(bpf_link_prog "$inst/link_00")
kill9
start --policy "$tmp/v1.yaml"
expect_match "the policy now in enforce mode is adopted" "policy kill-victim: adopted the pinned instance" "$(cat "$AGENT_LOG")"
expect_eq "the same program" "$prog" "$(bpf_link_prog "$inst/link_00")"
expect_eq "switched in place: the victim is killed" 137 "$(run_status "$tmp/victim" 5)"
expect_match "its state says enforce" '^0-kill-victim +kill-victim +0 enforce ' "$("$VETO" reset --list --bpf-dir "$bpfdir" | tail -1)"
agent_stop

# a policy added through the socket has no file: its text is pinned with it,
# and the next agent restores it from there, adopting what runs
policy "$tmp/victim2" | sed 's/name: kill-victim$/name: by-socket/' >"$tmp/s.yaml"
start
expect_ok "tp add" "$VETO" tp --socket "$AGENT_SOCK" add "$tmp/s.yaml"
sinst=$(ls -d "$bpfdir"/policies/*-by-socket 2>/dev/null)
"$VETO" reset --source "$(basename "$sinst")" --bpf-dir "$bpfdir" >"$tmp/s-src.yaml"
expect_ok "the socket policy's text is pinned with it" cmp "$tmp/s-src.yaml" "$tmp/s.yaml"
prog=$(bpf_link_prog "$sinst/link_00")
kill9
expect_eq "after kill -9 it still kills" 137 "$(run_status "$tmp/victim2" 5)"
start
expect_match "the next agent restores it" "policy by-socket: restored from the text pinned with it" "$(cat "$AGENT_LOG")"
expect_match "adopting the pinned instance" "policy by-socket: adopted the pinned instance in $sinst" "$(cat "$AGENT_LOG")"
expect_eq "the same program" "$prog" "$(bpf_link_prog "$sinst/link_00")"
expect_match "listed as added through the socket" '"origin":"socket"' "$("$VETO" tp --socket "$AGENT_SOCK" list -o json)"
expect_eq "and in force" 137 "$(run_status "$tmp/victim2" 5)"
scfg=$(bpf_map_id "$sinst/map_cfg")
expect_ok "tp delete" "$VETO" tp --socket "$AGENT_SOCK" delete by-socket
wait_for "deleted: its program is gone" 5 gone "$scfg"
expect_no_file "and its pins" "$sinst"
expect_eq "the victim runs" 0 "$(run_status "$tmp/victim2" 0.01)"
agent_stop

# a pin folder others can write to could get a program of theirs adopted
mkdir -p "$bpfdir" && chmod 0777 "$bpfdir"
out=$(timeout 30 "$VETO" agent --socket "$tmp/c.sock" --lock-file "$tmp/c.lock" --bpf-dir "$bpfdir" 2>&1); rc=$?
expect_eq "a pin folder others can write to is refused" 1 "$rc"
expect_match "with the reason" "refused: not a folder that root owns alone \(owner 0, mode 777\)" "$out"
rmdir "$bpfdir"
out=$(timeout 30 "$VETO" agent --socket "$tmp/c.sock" --lock-file "$tmp/c.lock" --bpf-dir "$tmp/notbpf" 2>&1); rc=$?
expect_match "a pin folder off the BPF file system is refused" "is not on a BPF file system" "$out"
expect_no_file "and nothing is made there" "$tmp/notbpf"
echo "pin: $VETO_CHECKS checks, $VETO_FAILED failed"
