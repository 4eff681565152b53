# veto agent on this kernel: exec and exit events of a command run beside it,
# with binary, arguments, parent linking and exit status; a clean stop.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/agent-lib.bash"
tmp=$(mktemp -d)
trap 'stop_agent; rm -rf "$tmp"' EXIT

start_agent "$tmp" --export-file "$tmp/events.json"
pass "agent ready: $(grep ready "$LOG")"

marker="veto-host-$$"
/bin/sh -c "exit 7" "$marker"
wait_event "$tmp/events.json" "e['process_exit']['process']['arguments'].endswith('$marker') and e['process_exit']['process']['binary']=='/bin/sh'" ||
	fail "no exit event for /bin/sh -c 'exit 7'"
exec_ev=$(find_event "$tmp/events.json" "e['process_exec']['process']['arguments']=='-c \"exit 7\" $marker'") ||
	fail "no exec event with arguments -c \"exit 7\" $marker"
exit_ev=$(find_event "$tmp/events.json" "e['process_exit']['process']['arguments']=='-c \"exit 7\" $marker'")
expect_eq "$(json_get "$exec_ev" 'd["process_exec"]["process"]["binary"]')" /bin/sh "exec binary"
expect_eq "$(json_get "$exec_ev" 'd["process_exec"]["process"]["cwd"]')" "$PWD" "exec cwd"
expect_eq "$(json_get "$exec_ev" 'd["process_exec"]["process"]["flags"]')" "execve clone" "exec flags"
expect_eq "$(json_get "$exit_ev" 'd["process_exit"]["status"]')" 7 "exit status 7"
expect_eq "$(json_get "$exit_ev" 'd["process_exit"]["process"]["exec_id"]')" \
	"$(json_get "$exec_ev" 'd["process_exec"]["process"]["exec_id"]')" "exit and exec share exec_id"
# the parent is this test's shell: same pid, and exec_id links to it
expect_eq "$(json_get "$exec_ev" 'd["process_exec"]["parent"]["pid"]')" "$$" "parent pid is the test shell"
expect_eq "$(json_get "$exec_ev" 'd["process_exec"]["process"]["parent_exec_id"]')" \
	"$(json_get "$exec_ev" 'd["process_exec"]["parent"]["exec_id"]')" "parent_exec_id links to parent"
expect_eq "$(json_get "$exec_ev" 'd["process_exec"]["process"]["uid"]')" 0 "uid"
expect_eq "$(json_get "$exec_ev" 'd["node_name"]')" "$(hostname)" "node_name"
expect_eq "$(json_get "$exec_ev" 'd["process_exec"]["process"]["ns"]["pid"]["is_host"]')" True "host pid ns"
id=$(json_get "$exec_ev" 'd["process_exec"]["process"]["exec_id"]')
expect_match "$(printf '%s' "$id" | base64 -d)" "^$(hostname):[0-9]+:[0-9]+\$" "exec_id is base64 node:ktime:pid"

# a process killed by a signal
sh -c 'kill -KILL $$' "$marker-kill" 2>/dev/null
wait_event "$tmp/events.json" "e['process_exit']['process']['arguments'].endswith('$marker-kill')" || fail "no exit for killed sh"
ev=$(find_event "$tmp/events.json" "e['process_exit']['process']['arguments'].endswith('$marker-kill')")
expect_eq "$(json_get "$ev" 'd["process_exit"]["signal"]')" SIGKILL "signal SIGKILL"

# command lines of every length are exported: 900 to 3100 bytes cross the
# path+arguments boundaries of the kernel record. Each length runs its own
# copy of true, so its event is found by binary even if argv could not be read.
for len in 900 1100 1500 2100 3100; do
	arg=$(head -c "$len" /dev/zero | tr '\0' a)
	cp /bin/true "$tmp/true-len$len"
	"$tmp/true-len$len" "$marker-len$len" "$arg"
	wait_event "$tmp/events.json" "e['process_exec']['process']['binary']=='$tmp/true-len$len'" ||
		fail "no exec event for a $len-byte argument"
	ev=$(find_event "$tmp/events.json" "e['process_exec']['process']['binary']=='$tmp/true-len$len'")
	[ "$(json_get "$ev" "'errorArgs' in d['process_exec']['process'].get('flags', '') or d['process_exec']['process']['arguments'].startswith('$marker-len$len ')")" = True ] ||
		fail "the $len-byte argument is neither there nor flagged errorArgs"
done
pass "exec events for arguments of 900 to 3100 bytes"
expect_eq "$(status_get 'd["bad_records"]')" 0 "no record rejected as malformed"

# every line is JSON with Tetragon's top-level shape (rotated files too)
python3 - "$tmp"/events.json* <<'PY' || fail "export file has a line that is not an event"
import fileinput, json
for l in fileinput.input():
    e = json.loads(l)
    assert set(e) == {"process_exec", "node_name", "time"} or set(e) == {"process_exit", "node_name", "time"}, e.keys()
PY
pass "every exported line is a process_exec or process_exit event"
expect_eq "$(status_get 'd["lost"]["total"]')" 0 "nothing lost"

# its own programs, by id: other agents may run on this machine meanwhile
ids=$(sed -n 's/^prog_id:[[:space:]]*//p' /proc/"$AGENT_PID"/fdinfo/* | sort -u)
[ -n "$ids" ] || fail "no program ids in the agent's fdinfo"
stop_agent
expect_eq "$AGENT_RC" 0 "agent exits 0 on SIGTERM"
expect_match "$(cat "$LOG")" 'stopping on Terminated' "agent says it stops"
[ ! -e "$SOCK" ] || fail "socket left behind"
pass "socket removed"
# the kernel frees programs after an RCU grace period: give it a moment
loaded() { for id in $ids; do bpftool prog show id "$id" >/dev/null 2>&1 && return 0; done; return 1; }
for _ in $(seq 30); do loaded || break; sleep 0.1; done
if loaded; then fail "programs left loaded"; fi
pass "the agent's $(echo $ids | wc -w) programs are gone"
