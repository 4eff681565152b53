# veto agent on this kernel: exec and exit events of a command run beside it,
# with binary, arguments, parent linking and exit status; a clean stop.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'

start_agent "$tmp" --export-file "$tmp/events.json" --enable-process-ns
pass "agent ready: $(grep ready "$LOG")"

marker="veto-host-$$"
/bin/sh -c "exit 7" "$marker"
wait_event "$tmp/events.json" "e['process_exit']['process']['arguments'].endswith('$marker') and e['process_exit']['process']['binary']=='/bin/sh'" ||
	die "no exit event for /bin/sh -c 'exit 7'"
exec_ev=$(find_event "$tmp/events.json" "e['process_exec']['process']['arguments']=='-c \"exit 7\" $marker'") ||
	die "no exec event with arguments -c \"exit 7\" $marker"
exit_ev=$(find_event "$tmp/events.json" "e['process_exit']['process']['arguments']=='-c \"exit 7\" $marker'")
expect_eq "exec binary" /bin/sh "$(json_get "$exec_ev" 'd["process_exec"]["process"]["binary"]')"
expect_eq "exec cwd" "$PWD" "$(json_get "$exec_ev" 'd["process_exec"]["process"]["cwd"]')"
expect_eq "exec flags" "execve clone" "$(json_get "$exec_ev" 'd["process_exec"]["process"]["flags"]')"
expect_eq "exit status 7" 7 "$(json_get "$exit_ev" 'd["process_exit"]["status"]')"
expect_eq "exit and exec share exec_id" "$(json_get "$exec_ev" 'd["process_exec"]["process"]["exec_id"]')" \
	"$(json_get "$exit_ev" 'd["process_exit"]["process"]["exec_id"]')"
# the parent is this test's shell: same pid, and exec_id links to it
expect_eq "parent pid is the test shell" "$$" "$(json_get "$exec_ev" 'd["process_exec"]["parent"]["pid"]')"
expect_eq "parent_exec_id links to parent" "$(json_get "$exec_ev" 'd["process_exec"]["parent"]["exec_id"]')" \
	"$(json_get "$exec_ev" 'd["process_exec"]["process"]["parent_exec_id"]')"
expect_eq "uid" 0 "$(json_get "$exec_ev" 'd["process_exec"]["process"]["uid"]')"
expect_eq "node_name" "$(hostname)" "$(json_get "$exec_ev" 'd["node_name"]')"
expect_eq "host pid ns" True "$(json_get "$exec_ev" 'd["process_exec"]["process"]["ns"]["pid"]["is_host"]')"
id=$(json_get "$exec_ev" 'd["process_exec"]["process"]["exec_id"]')
expect_match "exec_id is base64 node:ktime:pid" "^$(hostname):[0-9]+:[0-9]+\$" "$(printf '%s' "$id" | base64 -d)"

# a process killed by a signal
sh -c 'kill -KILL $$' "$marker-kill" 2>/dev/null
wait_event "$tmp/events.json" "e['process_exit']['process']['arguments'].endswith('$marker-kill')" || die "no exit for killed sh"
ev=$(find_event "$tmp/events.json" "e['process_exit']['process']['arguments'].endswith('$marker-kill')")
expect_eq "signal SIGKILL" SIGKILL "$(json_get "$ev" 'd["process_exit"]["signal"]')"

# command lines of every length are exported: 900 to 3100 bytes cross the
# path+arguments boundaries of the kernel record. Each length runs its own
# copy of true, so its event is found by binary even if argv could not be read.
for len in 900 1100 1500 2100 3100; do
	arg=$(head -c "$len" /dev/zero | tr '\0' a)
	cp /bin/true "$tmp/true-len$len"
	"$tmp/true-len$len" "$marker-len$len" "$arg"
	wait_event "$tmp/events.json" "e['process_exec']['process']['binary']=='$tmp/true-len$len'" ||
		die "no exec event for a $len-byte argument"
	ev=$(find_event "$tmp/events.json" "e['process_exec']['process']['binary']=='$tmp/true-len$len'")
	[ "$(json_get "$ev" "'errorArgs' in d['process_exec']['process'].get('flags', '') or d['process_exec']['process']['arguments'].startswith('$marker-len$len ')")" = True ] ||
		die "the $len-byte argument is neither there nor flagged errorArgs"
done
pass "exec events for arguments of 900 to 3100 bytes"

# what ran before the agent was announced: this shell, flagged procFS
ev=$(find_event "$tmp/events.json" "e['process_exec']['process']['pid']==$$") ||
	die "no procFS exec event for the test shell (pid $$), which ran before the agent"
expect_match "the shell's announcement says procFS" procFS "$(json_get "$ev" 'd["process_exec"]["process"]["flags"]')"
# --enable-process-ns without --enable-process-cred: namespaces, no credentials
expect_eq "ns without cred: no cap, no process_credentials" "True False False" \
	"$(json_get "$exec_ev" '" ".join(str(k in d["process_exec"]["process"]) for k in ("ns", "cap", "process_credentials"))')"
expect_eq "in_init_tree is written false on the host" False "$(json_get "$exec_ev" 'd["process_exec"]["process"]["in_init_tree"]')"

# an argv that is no UTF-8 cannot hide a process: each bad run is one U+FFFD
/bin/true "$(printf 'a\377\376b\300\257')" "$marker-utf8"
wait_event "$tmp/events.json" "e['process_exec']['process']['arguments'].endswith('$marker-utf8')" ||
	die "no exec event for an argv with invalid UTF-8"
ev=$(find_event "$tmp/events.json" "e['process_exec']['process']['arguments'].endswith('$marker-utf8')")
expect_eq "invalid bytes replaced" "a\ufffdb\ufffd $marker-utf8" \
	"$(json_get "$ev" 'd["process_exec"]["process"]["arguments"].encode("unicode_escape").decode()')"
expect_eq "no record rejected as malformed" 0 "$(status_get 'd["bad_records"]')"

# every line is JSON with Tetragon's top-level shape (rotated files too)
python3 - "$tmp"/events.json* <<'PY' || die "export file has a line that is not an event"
import fileinput, json
for l in fileinput.input():
    e = json.loads(l)
    assert set(e) == {"process_exec", "node_name", "time"} or set(e) == {"process_exit", "node_name", "time"}, e.keys()
PY
pass "every exported line is a process_exec or process_exit event"
expect_eq "nothing lost" 0 "$(status_get 'd["lost"]["total"]')"

# its own programs, by id: other agents may run on this machine meanwhile
ids=$(sed -n 's/^prog_id:[[:space:]]*//p' /proc/"$AGENT_PID"/fdinfo/* | sort -u)
[ -n "$ids" ] || die "no program ids in the agent's fdinfo"
stop_agent
expect_eq "agent exits 0 on SIGTERM" 0 "$AGENT_RC"
expect_match "agent says it stops" 'stopping on Terminated' "$(cat "$LOG")"
[ ! -e "$SOCK" ] || die "socket left behind"
pass "socket removed"
# the kernel frees programs after an RCU grace period: give it a moment
gone() { for id in $ids; do bpftool prog show id "$id" >/dev/null 2>&1 && return 1; done; return 0; }
wait_until 3 gone || die "programs left loaded"
pass "the agent's $(echo $ids | wc -w) programs are gone"
