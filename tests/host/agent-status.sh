# getevents --status is the sum of what each part of the event path counted:
# policy events by type, rotations, losses and records, beside the counters
# it always had. A raw_syscalls policy posts events here (no BPF LSM needed).
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'

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
	die "no process_tracepoint event"
# exec and exit events of about 800 bytes each fill 1 MiB: the export file rotates
for _ in $(seq 1000); do /bin/true; done
wait_until 10 test -e "$tmp/ev.json.1" || die "no rotated file"

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
if [ "$tp" -ge 20 ]; then pass "policy events counted by type ($tp process_tracepoint)"
else fail "process_tracepoint: expected at least 20, got $tp"; fi
expect_eq "no kprobe or lsm events here" "(0, 0)" \
	"$(get 'd["events"]["process_kprobe"], d["events"]["process_lsm"]')"
expect_eq "every event of every type exported" True "$(get 'sum(d["events"].values()) == d["exported"]')"
rot=$(get 'd["export_rotations"]')
if [ "$rot" -ge 1 ]; then pass "rotations counted ($rot)"
else fail "export_rotations: expected at least 1, got $rot"; fi
expect_eq "nothing lost, policy events included" "(0, 0, 0)" \
	"$(get 'd["lost"]["policy_events"], d["lost"]["not_followed"], d["lost"]["total"]')"
# an event is a record read; a process record is sent before it is read
expect_eq "records read: the process records and the policy ones" True \
	"$(get 'sum(d["events"].values()) <= d["records_read"] <= d["ring_records"] + d["events"]["process_tracepoint"]')"
expect_eq "no record dropped or bad" "(0, 0)" "$(get 'd["records_dropped"], d["bad_records"]')"
expect_eq "every field, the old ones kept" "['bad_records', 'cache', 'client_faults', 'clients', 'events', 'export_dropped', 'export_errors', 'export_rotations', 'exported', 'kernel', 'lost', 'policies', 'records_dropped', 'records_read', 'ring_records', 'uptime_seconds', 'version']" \
	"$(get 'sorted(d)')"
expect_eq "inner fields kept" "(['events_dropped', 'refused', 'timed_out', 'too_slow'], ['entries', 'evicted', 'live', 'misses', 'reaped'])" \
	"$(get 'sorted(d["client_faults"]), sorted(d["cache"])')"
stop_agent
expect_eq "agent stops cleanly" 0 "$AGENT_RC"
expect_eq "as many process_tracepoint events exported as counted" "$tp" "$(in_files process_tracepoint)"
