# veto getevents reading an export on stdin (no agent): the compact form is
# tetra's for the same lines (Tetragon's own exports from a 6.12 VM and
# hand-made events of every type), every filter flag keeps and drops the
# right events, and hostile input (escape sequences, bidi controls, invalid
# UTF-8, a line over 1 MiB, lines that are not JSON) is reported by line and
# never reaches the terminal raw.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
on_exit "rm -rf $tmp"
G() { "$VETO" getevents "$@"; }
data=$VETO_ROOT/tests/host/data/compact-events.jsonl
corpus=$VETO_ROOT/../shared/corpus/tetragon-events

# tetra: $TETRA, or unpacked from the peer tarball beside the project
tetra=${TETRA:-}
if [ -z "$tetra" ]; then
	tarball=$(ls "$VETO_ROOT"/../shared/peers/tetragon-*.tar.xz 2>/dev/null | head -1)
	if [ -n "$tarball" ] && tar -xJf "$tarball" -C "$tmp" tetragon/usr/local/bin/tetra 2>/dev/null; then
		tetra=$tmp/tetragon/usr/local/bin/tetra
	fi
fi
files=("$data")
for f in "$corpus"/vm-6.12-*.jsonl; do [ -e "$f" ] && files+=("$f"); done
if [ -n "$tetra" ] && [ -x "$tetra" ]; then
	for f in "${files[@]}"; do
		for opts in "" "--timestamps" "--color always" "--color always --timestamps"; do
			# shellcheck disable=SC2086
			G -o compact $opts <"$f" >"$tmp/veto" 2>"$tmp/err" || die "getevents failed on $f: $(cat "$tmp/err")"
			# shellcheck disable=SC2086
			"$tetra" getevents -o compact $opts <"$f" >"$tmp/tetra" 2>/dev/null
			[ -s "$tmp/tetra" ] || die "tetra printed nothing for $f"
			cmp -s "$tmp/veto" "$tmp/tetra" ||
				die "$(basename "$f") $opts: veto and tetra differ: $(diff "$tmp/veto" "$tmp/tetra" | head -5)"
		done
		pass "$(basename "$f"): $(wc -l <"$tmp/veto") lines as tetra prints them (plain, timestamps, colours)"
	done
else
	note "tetra not found (set TETRA, or put the peer tarball in ../shared/peers): not compared"
fi

# the flags: each keeps its events and drops the others
ev() { # KIND PID BINARY [EXTRA]
	printf '{"%s":{"process":{"pid":%s,"binary":"%s","arguments":"x"%s}%s},"node_name":"n","time":"2026-01-01T00:00:00Z"}\n' \
		"$1" "$2" "$3" "${5:-}" "$4"
}
{
	ev process_exec 10 /bin/sh ""
	ev process_exit 10 /bin/sh ',"status":3'
	ev process_lsm 11 /usr/bin/cat ',"function_name":"file_open","policy_name":"no-passwd"'
	ev process_kprobe 12 /usr/bin/curl ',"function_name":"tcp_connect","policy_name":"egress"'
	ev process_tracepoint 13 /bin/sh ',"subsys":"syscalls","event":"sys_enter_kill"'
	ev process_exec 14 /app/web ',"parent":{"binary":"/bin/sh"}' ',"pod":{"namespace":"shop","name":"web-1"}'
} >"$tmp/mix"
pids() { G "$@" <"$tmp/mix" | python3 -c '
import json, sys
out = []
for l in sys.stdin:
    e = json.loads(l)
    k = [k for k in e if k.startswith("process_")][0]
    out.append("%s:%s" % (k[8:], e[k]["process"].get("pid")))
print(" ".join(out))'; }
expect_eq "no filter: every event" "exec:10 exit:10 lsm:11 kprobe:12 tracepoint:13 exec:14" "$(pids)"
expect_eq "-e, Tetragon's names" "exit:10 lsm:11" "$(pids -e PROCESS_EXIT,PROCESS_LSM)"
expect_eq "--event-types, veto's names, repeated" "exec:10 kprobe:12 exec:14" "$(pids --event-types process_exec --event-types process_kprobe)"
expect_eq "--process: a regex on the binary" "exec:10 exit:10 tracepoint:13" "$(pids --process '^/bin/s.$')"
expect_eq "--process, two of them: ORed" "lsm:11 kprobe:12" "$(pids --process cat,curl)"
expect_eq "--binary: exact" "lsm:11" "$(pids --binary /usr/bin/cat)"
expect_eq "--binary: not a regex" "" "$(pids --binary '/usr/bin/ca.')"
expect_eq "--pid" "lsm:11 tracepoint:13" "$(pids --pid 11,13)"
expect_eq "--policy-names" "kprobe:12" "$(pids --policy-names egress)"
expect_eq "--pod: only processes in a pod" "exec:14" "$(pids --pod '^web-')"
expect_eq "--pod .*: never a process outside pods" "exec:14" "$(pids --pod '.*')"
expect_eq "--namespace" "exec:14" "$(pids --namespace shop)"
expect_eq "flags are ANDed" "exec:10" "$(pids -e PROCESS_EXEC --process sh)"
expect_eq "-n stops after N" "exec:10 exit:10" "$(pids -n 2)"
expect_eq "-f keeps only the fields named" \
	'{"process_exit":{"process":{"pid":10}},"node_name":"n","time":"2026-01-01T00:00:00Z"}' \
	"$(G -f process.pid -e PROCESS_EXIT <"$tmp/mix")"
expect_eq "-F drops the fields named" \
	'{"process_exit":{"process":{"pid":10,"binary":"/bin/sh"}},"node_name":"n","time":"2026-01-01T00:00:00Z"}' \
	"$(G -F process.arguments,status -e PROCESS_EXIT <"$tmp/mix")"
expect_eq "without field flags a line is printed as it came" "$(sed -n 3p "$tmp/mix")" "$(G --pid 11 <"$tmp/mix")"
out=$(G --process '(' <"$tmp/mix" 2>&1); rc=$?
expect_eq "a bad regex: usage error" 2 "$rc"
expect_match "a bad regex: said with its place" "^Error: getevents: 'binary_regex': bad regular expression at byte 2" "$out"
out=$(G -e PROCESS_UPROBE <"$tmp/mix" 2>&1); rc=$?
expect_eq "an event type veto has not: usage error" 2 "$rc"
expect_match "an event type veto has not: named" "--event-types: unknown event type 'PROCESS_UPROBE'" "$out"

# hostile lines: a program names itself and its arguments with escape
# sequences, bidi controls and bytes that are no UTF-8
printf '%s\n' '{"process_exec":{"process":{"pid":20,"binary":"/tmp/\u001b]0;owned\u0007x","arguments":"\u001b[2J\u202etxt.exe \u009b31m"}},"node_name":"n"}' >"$tmp/hostile"
printf '{"process_exec":{"process":{"pid":21,"binary":"/tmp/\xff\xfe","arguments":"a\xc3"}},"node_name":"n"}\n' >>"$tmp/hostile"
G -o compact <"$tmp/hostile" >"$tmp/out" 2>"$tmp/err" || die "hostile lines: $(cat "$tmp/err")"
if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$tmp/out"; then die "a control character reached the output"; fi
pass "no control character in the compact output"
python3 - "$tmp/out" <<'PY' || die "bidi controls, C1 controls or invalid UTF-8 reached the output"
import sys
t = open(sys.argv[1], "rb").read().decode("utf-8", "strict")
bad = [c for c in t if 0x80 <= ord(c) <= 0x9f or ord(c) in (0x61c, 0x200e, 0x200f) or 0x202a <= ord(c) <= 0x202e or 0x2066 <= ord(c) <= 0x2069]
sys.exit(1 if bad else 0)
PY
pass "valid UTF-8 without bidi or C1 controls"
expect_eq "escaped as Go's %q, whole words" \
	'🚀 process n "/tmp/\x1b]0;owned\ax" "\x1b[2J\u202etxt.exe \u009b31m"
🚀 process n "/tmp/\xff\xfe" "a\xc3"' "$(cat "$tmp/out")"

# bad lines: each said with its number, the others printed, status 1 at the end
{
	ev process_exec 30 /bin/a ""
	echo 'not json'
	python3 -c 'print("{\"x\":\"" + "a" * (1 << 20) + "\"}")'
	echo '{"process_exec":'
	echo
	echo '{"process_loader":{"process":{}},"node_name":"n"}'
	ev process_exec 31 /bin/b ""
} >"$tmp/bad"
G -o compact <"$tmp/bad" >"$tmp/out" 2>"$tmp/err"; rc=$?
expect_eq "bad lines: exit status 1" 1 "$rc"
expect_eq "the good lines are printed" "🚀 process n /bin/a x
🚀 process n /bin/b x" "$(cat "$tmp/out")"
expect_eq "each bad line is named" "Error: stdin:2: not a JSON object
Error: stdin:3: line longer than 1048576 bytes
Error: stdin:4: not a JSON object
Error: stdin:6: unknown event type 'process_loader'
Error: getevents: 4 bad lines on stdin" "$(cat "$tmp/err")"
G <"$tmp/bad" >"$tmp/out" 2>/dev/null
expect_eq "JSON output: a line of another type passes as it is" 3 "$(wc -l <"$tmp/out")"
# a huge line without any newline, from a pipe: refused, not held
python3 -c 'import sys; sys.stdout.write("{" * (8 << 20))' | G >/dev/null 2>"$tmp/err"; rc=$?
expect_eq "8 MiB without a newline: status 1" 1 "$rc"
expect_match "8 MiB without a newline: said" "stdin:1: line longer than 1048576 bytes" "$(cat "$tmp/err")"
