# veto agent under Tetragon's flag names: the node name from HUBBLE_NODE_NAME,
# NODE_NAME and --node-name; rotation by size and by interval with gzipped
# backups; --redaction-filters (a password in argv appears nowhere: export,
# backups, a getevents stream in both formats, exit events, a child's parent,
# a process learned from /proc), a command line crafted against the regex;
# a full disk and a vanished folder; a full process cache; bad values
# refused before anything starts.
. "$(dirname "$0")/lib.sh"
# python3 itself, not a version manager's shim that forks hundreds of
# processes per lookup: their events would rotate the ones looked for away
PATH=$(dirname "$(python3 -c 'import sys; print(sys.executable)')"):$PATH
tmp=$(mktemp -d)
on_exit '[ -z "$procfs_pid" ] || pkill -P $procfs_pid; kill $procfs_pid $g1 $g2 2>/dev/null; umount "$tmp/small" 2>/dev/null; rm -rf "$tmp"'
marker="veto-flags-$$"

# --- bad values: refused with the flag's name, nothing started -------------
refused() { # DESC PATTERN ARGS...: exit status 2, PATTERN in the message
	_d=$1 _p=$2
	shift 2
	out=$(env -u NODE_NAME -u HUBBLE_NODE_NAME "$VETO" agent --socket "$tmp/no.sock" "$@" 2>&1)
	expect_eq "$_d: exit status" 2 "$?"
	expect_match "$_d: message" "$_p" "$out"
}
refused "negative size" "bad --export-file-max-size-mb '-1'" --export-file-max-size-mb -1
refused "backups not a number" "bad --export-file-max-backups 'x'" --export-file-max-backups x
refused "duration without unit" "bad --export-file-rotation-interval: missing unit .* at byte 3 of '10'" \
	--export-file-rotation-interval 10
refused "negative duration" "bad --export-file-rotation-interval: a sign" --export-file-rotation-interval -1h
refused "sub-second interval" "at least 1s" --export-file-rotation-interval 500ms
refused "compress=maybe" "bad --export-file-compress=maybe" --export-file-compress=maybe
refused "cache size 0" "bad --process-cache-size '0'" --process-cache-size 0
refused "filter JSON" "bad --redaction-filters: 2:12: redact: expected an array" \
	--redaction-filters $'{"redact": ["x"]}\n{"redact": 7}'
refused "filter regex" "bad --redaction-filters: 1:13: redact\\[0\\]: .*missing closing parenthesis" \
	--redaction-filters '{"redact": ["(x"]}'
refused "filter unknown key" "unknown key 'redcat'" --redaction-filters '{"redcat": ["x"]}'
refused "--node-name too long" "bad node name from --node-name" --node-name "$(head -c 65 /dev/zero | tr '\0' n)"
out=$(NODE_NAME=$(head -c 65 /dev/zero | tr '\0' n) "$VETO" agent --socket "$tmp/no.sock" 2>&1)
expect_match "NODE_NAME too long" "bad node name from NODE_NAME" "$out"
[ ! -e "$tmp/no.sock" ] && pass "no refused agent created its socket" || fail "a refused agent created its socket"

# the policy flags under Tetragon's names reach the policy loader
printf 'not: [a policy\n' >"$tmp/bad.yaml"
out=$("$VETO" agent --socket "$tmp/p.sock" --lock-file "$tmp/p.lock" --tracing-policy "$tmp/bad.yaml" 2>&1)
expect_match "--tracing-policy loads the file" "bad.yaml:[0-9]+:[0-9]+: error" "$out"
out=$("$VETO" agent --socket "$tmp/p.sock" --lock-file "$tmp/p.lock" --tracing-policy-dir "$tmp/missing" 2>&1)
expect_match "--tracing-policy-dir is the policy folder" "policy folder $tmp/missing" "$out"

# --- node name: --node-name > HUBBLE_NODE_NAME > NODE_NAME > host name -------
node_of() { # ARGS...: starts an agent with ARGS, prints node_name and exec_id's node of one exec
	rm -f "$tmp/node.json"
	start_agent "$tmp" --export-filename "$tmp/node.json" "$@"
	/bin/true "$marker-node" 
	wait_event "$tmp/node.json" "e['process_exec']['process']['arguments']=='$marker-node'" || die "no exec event"
	ev=$(find_event "$tmp/node.json" "e['process_exec']['process']['arguments']=='$marker-node'")
	stop_agent
	id=$(json_get "$ev" 'd["process_exec"]["process"]["exec_id"]' | base64 -d | cut -d: -f1)
	echo "$(json_get "$ev" 'd["node_name"]') $id"
}
expect_eq "HUBBLE_NODE_NAME wins over NODE_NAME" "hub-$$ hub-$$" \
	"$(HUBBLE_NODE_NAME=hub-$$ NODE_NAME=plain-$$ node_of)"
expect_eq "NODE_NAME alone" "plain-$$ plain-$$" "$(HUBBLE_NODE_NAME= NODE_NAME=plain-$$ node_of)"
expect_eq "--node-name wins over both" "cli-$$ cli-$$" \
	"$(HUBBLE_NODE_NAME=hub-$$ NODE_NAME=plain-$$ node_of --node-name cli-$$)"
expect_eq "host name without any" "$(hostname) $(hostname)" "$(unset HUBBLE_NODE_NAME NODE_NAME; node_of)"

# --- rotation, compression, redaction -------------------------------------
# started before the agent: learned from /proc, its arguments redacted too
sh -c 'sleep 600; :' "$marker-procfs" --password=hunter2 >/dev/null 2>&1 &
procfs_pid=$!
cp /bin/true "$tmp/slowpoke"
filters='{"redact": ["(?:--password|-p)(?:\\s+|=)(\\S*)"]}
{"redact": ["(a|aa)+$"], "binary_regex": ["/slowpoke$"]}'
start_agent "$tmp" --export-filename "$tmp/events.json" --export-file-max-size-mb 1 \
	--export-file-max-backups 5 --export-file-compress --export-file-rotation-interval 5s \
	--redaction-filters "$filters"
"$VETO" getevents --socket "$SOCK" >"$tmp/stream.json" &
g1=$!
"$VETO" getevents --socket "$SOCK" -o compact >"$tmp/stream.txt" &
g2=$!
wait_until 10 streaming 2 || die "the getevents clients are not streaming"

/bin/sh -c '/bin/true "$0-child"' "$marker-secret" --password=hunter2 -p hunter2
pkill -P "$procfs_pid"
wait "$procfs_pid" 2>/dev/null
procfs_pid=
# the export file rotates every 5 s: looked up there at once, in the
# getevents stream (every event, never rotated) for the rest
wait_event "$tmp/events.json" "e['process_exec']['process']['arguments'].endswith('$marker-secret --password=***** -p *****')" &&
	pass "exec arguments redacted in the export" || fail "no redacted exec event in the export"
wait_event "$tmp/stream.json" "e['process_exit']['process']['arguments'].endswith(' $marker-procfs --password=*****')" &&
	pass "a process learned from /proc redacted" || fail "no redacted exit event of the process learned from /proc"
ev=$(find_event "$tmp/stream.json" "e['process_exec']['process']['arguments']=='$marker-secret-child'") ||
	die "no exec event of the child"
expect_match "the child's parent redacted" "--password=\\*\\*\\*\\*\\* -p \\*\\*\\*\\*\\*" \
	"$(json_get "$ev" 'd["process_exec"]["parent"]["arguments"]')"

# a command line crafted for catastrophic backtracking: the agent goes on,
# the arguments are masked whole, counted
long=$(head -c 1900 /dev/zero | tr '\0' a)
for i in 1 2 3 4 5 6 7 8 9 10; do "$tmp/slowpoke" "$long" b; done
/bin/true "$marker-after"
wait_event "$tmp/stream.json" "e['process_exec']['process']['arguments']=='$marker-after'" ||
	fail "events stalled after the crafted command lines"
ev=$(find_event "$tmp/stream.json" "e['process_exec']['process']['binary']=='$tmp/slowpoke'")
expect_eq "crafted command line masked whole" "*****" "$(json_get "$ev" 'd["process_exec"]["process"]["arguments"]')"
wait_for "give-ups logged" 5 grep -q "processes' arguments masked whole" "$LOG"

# by size: several MB of events; the backups are gzip, at most 5
big=$(head -c 1900 /dev/zero | tr '\0' b)
for i in $(seq 1 1000); do /bin/true "$big"; done
wait_for "rotated by size, compressed" 10 test -e "$tmp/events.json.2.gz"
# by interval: a marker in the live file moves to .1.gz within ~5 s
/bin/true "$marker-interval"
wait_event "$tmp/events.json" "e['process_exec']['process']['arguments']=='$marker-interval'" || fail "no interval marker"
wait_for "rotated by interval" 10 sh -c "zcat '$tmp/events.json.1.gz' | grep -q '$marker-interval'"
for f in "$tmp"/events.json.*.gz; do expect_ok "gzip -t $(basename "$f")" gzip -t "$f"; done
expect_file "5 backups" "$tmp/events.json.5.gz"
expect_no_file "no more than 5 backups" "$tmp/events.json.6.gz"
expect_eq "no uncompressed or staging file left" "" "$(cd "$tmp" && ls | grep -E '^events\.json\.' | grep -v '\.gz$')"
python3 - "$tmp"/events.json "$tmp"/events.json.*.gz <<'PY' || fail "a backup is not whole JSON lines of at most 1 MB"
import gzip, json, sys
for name in sys.argv[1:]:
    data = (gzip.open if name.endswith(".gz") else open)(name, "rt").read()
    assert len(data.encode()) <= 1 << 20, name
    for line in data.splitlines():
        json.loads(line)
PY
# the 1000 long command lines filled at least one backup up to the limit
python3 - "$tmp"/events.json.*.gz <<'PY' && pass "a backup rotated by size" || fail "no backup rotated by size"
import gzip, sys
sys.exit(0 if any(len(gzip.open(n).read()) > (1 << 20) - 16384 for n in sys.argv[1:]) else 1)
PY
expect_ne "rotations counted" 0 "$(status_get 'd["export_rotations"]')"
stop_agent
kill "$g1" "$g2" 2>/dev/null
wait "$g1" "$g2" 2>/dev/null
g1= g2=
expect_eq "agent stopped cleanly" 0 "$AGENT_RC"
leaks=$( (cat "$tmp"/events.json "$tmp/stream.json" "$tmp/stream.txt"; zcat "$tmp"/events.json.*.gz) | grep -c hunter2)
expect_eq "hunter2 nowhere: export, backups, getevents json and compact" 0 "$leaks"
expect_match "getevents stream redacted" "password=\\*\\*\\*\\*\\*" "$(grep "$marker-secret" "$tmp/stream.json")"
expect_match "compact stream redacted" "password=\\*\\*\\*\\*\\*" "$(grep "$marker-secret" "$tmp/stream.txt")"

# --- a full disk, then a folder gone: the agent goes on and counts ----------
errors() { status_get 'd["export_errors"]'; }
mkdir "$tmp/small"
mount -t tmpfs -o size=256k tmpfs "$tmp/small" || skip "cannot mount a tmpfs"
mkdir "$tmp/small/sub"
start_agent "$tmp" --export-file "$tmp/small/sub/events.json" --export-backups 1 --export-file-compress \
	--process-cache-size 64
expect_ne "a full process cache is counted" 0 "$(status_get 'd["cache"]["evicted"]')"
wait_for "a full process cache is logged" 5 grep -q "process cache full (--process-cache-size 64)" "$LOG"
head -c 300k /dev/zero >"$tmp/small/filler" 2>/dev/null
for i in $(seq 1 50); do /bin/true "$big"; done
wait_until 10 sh -c "[ \"\$(timeout 5 '$VETO' getevents --socket '$SOCK' --status | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"export_errors\"])')\" -gt 0 ]" &&
	pass "a full disk is counted in export_errors" || fail "no export_errors on a full disk"
rm -f "$tmp/small/filler"
rm -rf "$tmp/small/sub"
wait_for "a vanished folder is logged" 10 grep -q "creating it again: No such file or directory" "$LOG"
before=$(errors)
for i in $(seq 1 5); do /bin/true "$marker-nodir"; done
wait_until 10 sh -c "[ \"\$(timeout 5 '$VETO' getevents --socket '$SOCK' --status | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"export_errors\"])')\" -gt $before ]" &&
	pass "events without a folder are counted" || fail "export_errors did not grow without the folder"
mkdir "$tmp/small/sub"
/bin/true "$marker-again"
wait_event "$tmp/small/sub/events.json" "e['process_exec']['process']['arguments']=='$marker-again'" &&
	pass "export works again once the folder is back" || fail "no event after the folder was made again"
kill -0 "$AGENT_PID" && pass "agent alive through it all" || fail "agent died"
stop_agent
expect_eq "agent stopped cleanly after the disk trouble" 0 "$AGENT_RC"
