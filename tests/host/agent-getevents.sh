# veto getevents against a running agent: filters applied in the agent, the
# compact form, and bad input (a client that goes away, a malformed request, a
# non-root client, a full disk under the export file): a clear error, and the
# agent keeps running.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/agent-lib.bash"
tmp=$(mktemp -d)
cleanup() { stop_agent; umount "$tmp/full" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
mkdir "$tmp/full"
# room for the test's own events (a pyenv python3 shim's processes make about
# 350 KB per call): the disk must fill only when the test fills it
mount -t tmpfs -o size=64m tmpfs "$tmp/full" || fail "mount tmpfs"

start_agent "$tmp" --export-file "$tmp/full/events.json"
G() { "$VETO" getevents --socket "$SOCK" "$@"; }

# filters: only exit events of /bin/true
G --event-types process_exit --binary /bin/true -n 1 >"$tmp/f1" &
g1=$!
G -o compact --binary /bin/true -n 2 >"$tmp/f2" &
g2=$!
sleep 0.5
/bin/sh -c ':' ; /bin/true veto-filter-$$
wait $g1 $g2 || fail "getevents failed"
expect_eq "$(json_get "$(cat "$tmp/f1")" 'd["process_exit"]["process"]["binary"]')" /bin/true "filtered: exit of /bin/true only"
expect_match "$(cat "$tmp/f2")" "^🚀 process .* /bin/true veto-filter-$$ \[[0-9]+\]$" "compact exec line"
expect_match "$(cat "$tmp/f2")" "^💥 exit +.* /bin/true veto-filter-$$ \[[0-9]+\] 0$" "compact exit line"
mkfifo "$tmp/go"
sh -c 'read x <"$1"; exec /bin/true veto-pid' sh "$tmp/go" & target=$!
G --pid $target -n 1 >"$tmp/f3" & g3=$!
sleep 0.3
/bin/true veto-other-$$
echo go >"$tmp/go"
wait $g3 $target
expect_eq "$(json_get "$(cat "$tmp/f3")" 'd["process_exec"]["process"]["pid"]')" "$target" "pid filter: only the target pid"
pass "pid filter"

# bad arguments are refused before connecting
out=$(G --event-types process_uprobe 2>&1); rc=$?
expect_eq "$rc" 2 "unknown event type exit status"
expect_match "$out" "^Error: getevents: unknown event type 'process_uprobe'" "unknown event type message"

# a client that disconnects mid-stream
G >/dev/null & g=$!
sleep 0.3; kill $g; wait $g 2>/dev/null
for i in 1 2 3; do /bin/true; done
sleep 0.3
expect_match "$(cat "$LOG")" "client [0-9]+: disconnected" "agent notes the disconnect"

# malformed requests get an error line, the agent goes on
reply=$(python3 - "$SOCK" <<'PY'
import socket, sys
out = []
for req in (b"hello\n", b"getevents pid=abc\n", b"getevents color=red\n", b"x" * 5000):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(req)
    out.append(s.makefile().readline().strip()); s.close()
print("\n".join(out))
PY
)
expect_match "$reply" "^\{\"error\":\"unknown request 'hello'" "unknown request"
expect_match "$reply" "^\{\"error\":\"bad pid 'abc'\"\}" "bad pid"
expect_match "$reply" "^\{\"error\":\"unknown key 'color'\"\}" "unknown key"
expect_match "$reply" "^\{\"error\":\"request too long" "long request"

# the socket is root's: another user cannot connect
[ "$(stat -c %a "$SOCK")" = 600 ] || fail "socket mode $(stat -c %a "$SOCK")"
pass "socket mode 600"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$VETO" getevents --socket "$SOCK" --status 2>&1); rc=$?
expect_eq "$rc" 1 "non-root getevents fails"
expect_match "$out" "Permission denied" "non-root gets a clear error"

# a full disk under the export file: errors counted and logged once, agent alive
# (the operator empties the export file, then something else takes all the space)
expect_eq "$(status_get 'd["export_errors"]')" 0 "no export errors before the disk fills"
: >"$tmp/full/events.json"
dd if=/dev/zero of="$tmp/full/filler" bs=1M 2>/dev/null
for i in $(seq 20); do /bin/true; done
sleep 0.5
errs=$(status_get 'd["export_errors"]')
[ "$errs" -gt 0 ] || fail "no export errors counted on a full disk"
pass "export errors counted on a full disk: $errs"
expect_match "$(cat "$LOG")" "Error: export to .* failed: No space left on device" "full disk is logged"
expect_eq "$(grep -c 'No space left' "$LOG")" 1 "logged once, not per event"
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$tmp/full/events.json" ||
	fail "export file has a broken line after the disk filled"
pass "export file still made of whole JSON lines"
rm -f "$tmp/full/filler"
/bin/true veto-after-$$
wait_event "$tmp/full/events.json" "e['process_exec']['process']['arguments']=='veto-after-$$'" || fail "export did not resume"
pass "export resumes once there is room"
sleep 1.2; /bin/true; sleep 0.3
expect_match "$(cat "$LOG")" "works again" "recovery is logged"

kill -0 "$AGENT_PID" || fail "agent died"
expect_eq "$(status_get 'd["bad_records"]')" 0 "no bad records"
stop_agent
expect_eq "$AGENT_RC" 0 "clean stop"
