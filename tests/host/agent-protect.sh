# Self-protection on this machine's kernel: where BPF LSM programs are
# refused, the agent says in one line that it cannot protect itself and why,
# and runs (a kill from another process then goes through); --no-protect
# says it is off; a bad --allow-signals-from is refused before anything loads.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'

for bad in 0 -1 1, ,1 parents none,1 2147483648 1,2,3,4,5,6,7,8,9 ''; do
	out=$("$VETO" agent --socket "$tmp/s" --lock-file "$tmp/l" --allow-signals-from "$bad" 2>&1); rc=$?
	expect_eq "--allow-signals-from '$bad' is a usage error" 2 "$rc"
	expect_match "and says what it takes" "Error: agent: bad --allow-signals-from '$bad' \((pids and 'parent'|at most 8)" "$out"
done
expect_match "--help names the switch" "--no-protect" "$("$VETO" agent --help)"
expect_match "--help names the signallers" "--allow-signals-from LIST" "$("$VETO" agent --help)"

lsm_works=$(json_get "$("$VETO" probe -o json)" 'd["programs"]["lsm"]["works"]')
[ "$lsm_works" = False ] || skip "this kernel runs BPF LSM: the VM tests (tests/vm/suite/guard.sh) cover self-protection"

start_agent "$tmp" --allow-signals-from none --export-file "$tmp/ev.json"
expect_eq "one line says self-protection is unavailable" 1 "$(grep -c 'self-protection' "$LOG")"
expect_match "and why" "Warning: self-protection unavailable: this kernel refuses BPF LSM programs: loading: Operation not permitted" "$(cat "$LOG")"
expect_no_match "no guard program stays loaded" "veto_guard" "$(bpftool prog list 2>&1)"
# nothing protects it here: another process's SIGTERM stops it
expect_ok "another process's SIGTERM goes through" sh -c "kill -TERM $AGENT_PID"
agent_stop
expect_eq "and the agent stopped cleanly on it" 0 "$AGENT_RC"

start_agent "$tmp" --no-protect --export-file "$tmp/ev.json"
expect_match "--no-protect says it is off" "self-protection off \(--no-protect\)" "$(cat "$LOG")"
expect_no_match "and does not try" "self-protection unavailable" "$(cat "$LOG")"
stop_agent
