# Every line a real agent exports is a valid Tetragon GetEventsResponse
# (tests/conformance/check against Tetragon's field table): exec and exit
# (a status, SIGKILL, SIGTERM), namespaces, arguments and names a process
# chose to be hostile (invalid UTF-8, control bytes, 4 KiB and more),
# tracepoint policy events (string, int and 64-bit arguments, a syscall id,
# a kill); with the default flags, with --enable-process-cred
# --enable-process-ns, and with --export-veto, whose one "veto" key has the
# agreed shape; and the lines getevents streams (which always ask for it).
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d /tmp/veto-conformance.XXXXXX)
on_exit 'rm -rf "$tmp"'

cp "$(command -v sleep)" "$tmp/victim"
cp "$(command -v cat)" "$tmp/writer"
mkdir "$tmp/watched"
cat >"$tmp/policy.yaml" <<YAML
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: conformance
spec:
  tracepoints:
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
        operator: Prefix
        values: [$tmp/watched/]
  - subsystem: syscalls
    event: sys_enter_write
    args:
    - index: 5
      type: uint32
    - index: 7
      type: size_t
    - index: 7
      type: long
    - index: 7
      type: uint64
    selectors:
    - matchBinaries:
      - operator: In
        values: [$tmp/writer]
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
YAML

# What an unprivileged process may choose: invalid UTF-8 (a stray
# continuation, an overlong '/', a surrogate, above U+10FFFF, a cut
# sequence), terminal controls, U+202E, long arguments and many of them.
bad=$(printf 'x\x80y\xc0\xafz\xed\xa0\x80w\xf4\x90\x80\x80v\xe2\x82')
ctl=$(printf 'c\001\033[31m\177\302\233\342\200\256d')
long=$(head -c 5000 /dev/zero | tr '\0' L)
mkdir "$tmp/cwd-$bad$ctl"
cp /bin/true "$tmp/true-$bad$ctl"
many=()
for i in $(seq 600); do many+=("a$i"); done

# workload MARKER: the operations every run exports
workload() {
	local m=$1
	/bin/true "$m-arg1" "sbs two words"
	sh -c 'exit 3' "$m-exit3"
	sh -c 'kill -9 $$' "$m-kill9" 2>/dev/null
	sh -c 'kill -TERM $$' "$m-term" 2>/dev/null
	unshare --uts --ipc --net --pid --fork /bin/true "$m-ns"
	(cd "$tmp/cwd-$bad$ctl" && "$tmp/true-$bad$ctl" "$m-hostile" "$bad" "$ctl" "$long" "${many[@]}")
	"$tmp/victim" 5
	cat "$tmp/watched/$bad$ctl" "$tmp/watched/$long" 2>/dev/null
	echo "$m" | "$tmp/writer" >/dev/null
}

# wants_events FILE MARKER: the run's operations are all there, so no check
# below can pass on an export that left them out
wants_events() {
	local f=$1 m=$2 what cond
	wait_event "$f" "e['process_tracepoint']['process']['binary'].endswith('/writer')" ||
		fail "$3: no write event of the writer"
	while IFS='|' read -r what cond; do
		find_event "$f" "$cond" >/dev/null || fail "$3: no $what"
	done <<EOF
exec of /bin/true|e['process_exec']['process']['arguments'].startswith('$m-arg1 ')
exit with status 3|e['process_exit']['process']['arguments'].startswith('-c "exit 3" $m-exit3') and e['process_exit']['status'] == 3
exit by SIGKILL|e['process_exit']['process']['arguments'].endswith('$m-kill9') and e['process_exit']['signal'] == 'SIGKILL'
exit by SIGTERM|e['process_exit']['process']['arguments'].endswith('$m-term') and e['process_exit']['signal'] == 'SIGTERM'
exit of the hostile program|e['process_exit']['process']['arguments'].startswith('$m-hostile ')
tracepoint event with a syscall id|e['process_tracepoint']['policy_name'] == 'conformance' and e['process_tracepoint']['args'][0]['syscall_id']
openat event|e['process_tracepoint']['event'] == 'sys_enter_openat'
EOF
}

# has_flag FLAG: the agent knows FLAG (its --help names it)
has_flag() { "$VETO" agent --help 2>&1 | grep -q -- "$1\b"; }

# run NAME DESC [AGENT ARGS...]: one agent, the workload, every line checked
run() {
	local name=$1 desc=$2
	shift 2
	start_agent "$tmp/$name" --policy "$tmp/policy.yaml" --export-file "$tmp/$name.json" \
		--export-max-size 0 "$@"
	workload "veto-conf-$name"
	wants_events "$tmp/$name.json" "veto-conf-$name" "$desc"
	stop_agent
	expect_eq "$desc: the agent stops cleanly" 0 "$AGENT_RC"
}
mkdir "$tmp/defaults" "$tmp/credns" "$tmp/veto"

run defaults "default flags"
conforms "default flags" "$tmp/defaults.json"

if has_flag --enable-process-cred && has_flag --enable-process-ns; then
	run credns "--enable-process-cred --enable-process-ns" --enable-process-cred --enable-process-ns
	conforms "--enable-process-cred --enable-process-ns" "$tmp/credns.json"
	ev=$(find_event "$tmp/credns.json" "e['process_exec']['process']['arguments'].startswith('veto-conf-credns-arg1 ')")
	expect_eq "cred-ns: the exec carries capabilities, namespaces and credentials" "True True True" \
		"$(json_get "$ev" '" ".join(str(k in d["process_exec"]["process"]) for k in ("cap", "ns", "process_credentials"))')"
else
	fail "the agent has no --enable-process-cred / --enable-process-ns (Tetragon's flags)"
fi

if has_flag --export-veto; then
	run veto "--export-veto" --export-veto
	conforms "--export-veto" "$tmp/veto.json" --allow-veto-key
	ev=$(find_event "$tmp/veto.json" "e['process_tracepoint']['process']['binary'].endswith('/victim')")
	expect_match "--export-veto: the victim's kill is told, with its syscall's name" \
		"^\{'mode': 'enforce', 'denied': False, 'killed': True, 'call_completes': True, 'syscall': '(clock_)?nanosleep'\}$" \
		"$(json_get "$ev" 'd.get("veto")')"
	ev=$(find_event "$tmp/veto.json" "e['process_exec']['process']['arguments'].startswith('veto-conf-veto-arg1 ')")
	expect_eq "--export-veto: exec events carry no veto key" False "$(json_get "$ev" '"veto" in d')"
else
	fail "the agent has no --export-veto"
fi

# getevents always asks for the veto key: its lines pass with it, and say what
# policy events did
start_agent "$tmp/veto" --policy "$tmp/policy.yaml" --export-file /dev/null
"$VETO" getevents --socket "$SOCK" >"$tmp/stream.json" 2>"$tmp/stream.err" &
gpid=$!
wait_until 10 streaming 1
workload veto-conf-stream
wants_events "$tmp/stream.json" veto-conf-stream "getevents"
kill "$gpid"
wait "$gpid" 2>/dev/null
stop_agent
conforms "getevents" "$tmp/stream.json" --allow-veto-key
ev=$(find_event "$tmp/stream.json" "e['process_tracepoint']['event'] == 'sys_enter_openat'")
expect_eq "getevents: a post-only tracepoint event says nothing was stopped" \
	"{'mode': 'enforce', 'denied': False, 'killed': False, 'call_completes': True}" "$(json_get "$ev" 'd.get("veto")')"

# the hostile names came through, replaced, not dropped
ev=$(find_event "$tmp/defaults.json" "e['process_exit']['process']['arguments'].startswith('veto-conf-defaults-hostile ')")
expect_eq "a 5,000-byte argument and 600 more: exported whole or flagged truncArgs" True \
	"$(json_get "$ev" '"L" * 4000 in d["process_exit"]["process"]["arguments"] or "truncArgs" in d["process_exit"]["process"]["flags"]')"
