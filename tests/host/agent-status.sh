# getevents --status is the sum of what each part of the event path counted:
# policy events by type, rotations, losses and records, beside the counters
# it always had. A raw_syscalls policy posts events here (no BPF LSM needed).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/agent-lib.bash"
tmp=$(mktemp -d)
trap 'stop_agent; rm -rf "$tmp"' EXIT

cp "$(command -v uname)" "$tmp/victim"
cat >"$tmp/post.yaml" <<YAML
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: status-uname
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
        values: [sys_uname]
      matchBinaries:
      - operator: In
        values: [$tmp/victim]
      matchActions:
      - action: Post
YAML
start_agent "$tmp" --policy "$tmp/post.yaml" --export-file "$tmp/ev.json" --export-max-size 1 --export-backups 1000

for _ in $(seq 20); do "$tmp/victim" >/dev/null; done
wait_event "$tmp/ev.json" "e['process_tracepoint']['process']['binary'] == '$tmp/victim'" ||
	fail "no process_tracepoint event"
# exec events of a few KiB each fill 1 MiB: the export file rotates
for _ in $(seq 400); do /bin/true; done
sleep 0.5

st=$("$VETO" getevents --socket "$SOCK" --status)
echo "$st"
get() { json_get "$st" "$1"; }
# counted in the file and the rotated ones, once the agent stopped (no
# rotation while they are read)
in_files() {
	python3 - "$tmp" "$1" <<'PY'
import glob, json, sys
n = 0
for f in glob.glob(sys.argv[1] + "/ev.json*"):
    for line in open(f):
        n += sys.argv[2] in json.loads(line)
print(n)
PY
}
tp=$(get 'd["events"]["process_tracepoint"]')
[ "$tp" -ge 20 ] || fail "process_tracepoint: expected at least 20, got $tp"
pass "policy events counted by type ($tp process_tracepoint)"
expect_eq "$(get 'd["events"]["process_kprobe"], d["events"]["process_lsm"]')" "(0, 0)" "no kprobe or lsm events here"
expect_eq "$(get 'sum(d["events"].values()) == d["exported"]')" True "every event of every type exported"
rot=$(get 'd["export_rotations"]')
[ "$rot" -ge 1 ] || fail "export_rotations: expected at least 1, got $rot"
[ -e "$tmp/ev.json.1" ] || fail "no rotated file"
pass "rotations counted ($rot)"
expect_eq "$(get 'd["lost"]["policy_events"], d["lost"]["not_followed"], d["lost"]["total"]')" "(0, 0, 0)" \
	"nothing lost, policy events included"
# an event is a record read; a process record is sent before it is read
expect_eq "$(get 'sum(d["events"].values()) <= d["records_read"] <= d["ring_records"] + d["events"]["process_tracepoint"]')" \
	True "records read: the process records and the policy ones"
expect_eq "$(get 'd["records_dropped"], d["bad_records"]')" "(0, 0)" "no record dropped or bad"
expect_eq "$(get 'sorted(d)')" "['bad_records', 'cache', 'client_faults', 'clients', 'events', 'export_dropped', 'export_errors', 'export_rotations', 'exported', 'lost', 'records_dropped', 'records_read', 'ring_records']" \
	"every field, the old ones kept"
expect_eq "$(get 'sorted(d["client_faults"]), sorted(d["cache"])')" \
	"(['events_dropped', 'timed_out', 'too_slow'], ['entries', 'live', 'misses', 'reaped'])" "inner fields kept"
stop_agent
expect_eq "$AGENT_RC" 0 "agent stops cleanly"
expect_eq "$(in_files process_tracepoint)" "$tp" "as many process_tracepoint events exported as counted"
