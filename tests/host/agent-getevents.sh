# veto getevents against a running agent: filters applied in the agent, the
# compact form, and bad input (a client that goes away, a malformed request, a
# non-root client, a full disk under the export file): a clear error, and the
# agent keeps running.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
cleanup() { umount "$tmp/full" 2>/dev/null; rm -rf "$tmp"; }
on_exit cleanup
mkdir "$tmp/full"
# room for the test's own events (a pyenv python3 shim's processes make about
# 350 KB per call): the disk must fill only when the test fills it
mount -t tmpfs -o size=64m tmpfs "$tmp/full" || die "mount tmpfs"

start_agent "$tmp" --export-file "$tmp/full/events.json"
# stdin a character device: getevents asks the agent (a file or a pipe there
# is an export to print instead)
G() { "$VETO" getevents --socket "$SOCK" "$@" </dev/zero; }

# filters: only exit events of /bin/true
G --event-types process_exit --binary /bin/true -n 1 >"$tmp/f1" &
g1=$!
G -o compact --binary /bin/true -n 2 >"$tmp/f2" &
g2=$!
wait_until 10 streaming 2 || die "the getevents clients are not streaming"
/bin/sh -c ':' ; /bin/true veto-filter-$$
wait $g1 $g2 || die "getevents failed"
expect_eq "filtered: exit of /bin/true only" /bin/true "$(json_get "$(cat "$tmp/f1")" 'd["process_exit"]["process"]["binary"]')"
# (root's full capability set shows Tetragon's trailer at column 120)
expect_match "compact exec line" "^🚀 process [^ ]+ /bin/true veto-filter-$$( +🛑 CAP_SYS_ADMIN)?$" "$(cat "$tmp/f2")"
expect_match "compact exit line" "^💥 exit    [^ ]+ /bin/true veto-filter-$$ 0( +🛑 CAP_SYS_ADMIN)?$" "$(cat "$tmp/f2")"
mkfifo "$tmp/go"
sh -c 'read x <"$1"; exec /bin/true veto-pid' sh "$tmp/go" & target=$!
G --pid $target -n 1 >"$tmp/f3" & g3=$!
wait_until 10 streaming 3 || die "the --pid client is not streaming"
/bin/true veto-other-$$
echo go >"$tmp/go"
wait $g3 $target
expect_eq "pid filter: only the target pid" "$target" "$(json_get "$(cat "$tmp/f3")" 'd["process_exec"]["process"]["pid"]')"
pass "pid filter"

# bad arguments are refused before connecting
out=$(G --event-types process_uprobe 2>&1); rc=$?
expect_eq "unknown event type exit status" 2 "$rc"
expect_match "unknown event type message" "^Error: getevents: --event-types: unknown event type 'process_uprobe'" "$out"

# a client that disconnects mid-stream
G >/dev/null & g=$!
wait_until 10 streaming 4 || die "the client is not streaming"
kill $g; wait $g 2>/dev/null
for i in 1 2 3; do /bin/true; done
wait_for "agent notes the disconnect" 10 grep -Eq "client [0-9]+: disconnected" "$LOG"

# malformed requests get an error line, the agent goes on
reply=$(python3 - "$SOCK" <<'PY'
import socket, sys
out = []
for req in (b"hello\n", b"getevents filter=%7B%22pid%22:[%22abc%22]%7D\n", b"getevents color=red\n", b"x" * 5000):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(req)
    out.append(s.makefile().readline().strip()); s.close()
print("\n".join(out))
PY
)
expect_match "unknown request" "^\{\"error\":\"unknown request 'hello'" "$reply"
expect_match "bad pid" "^\{\"error\":\"bad filter: 'pid': expected a list of process ids\"\}" "$reply"
expect_match "unknown key" "^\{\"error\":\"unknown key 'color'\"\}" "$reply"
expect_match "long request" "^\{\"error\":\"request too long" "$reply"

# the socket is root's: another user cannot connect
[ "$(stat -c %a "$SOCK")" = 600 ] || die "socket mode $(stat -c %a "$SOCK")"
pass "socket mode 600"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$VETO" getevents --socket "$SOCK" --status 2>&1); rc=$?
expect_eq "non-root getevents fails" 1 "$rc"
expect_match "non-root gets a clear error" "Permission denied" "$out"

# a full disk under the export file: errors counted and logged once, agent alive
# (the operator empties the export file, then something else takes all the space)
expect_eq "no export errors before the disk fills" 0 "$(status_get 'd["export_errors"]')"
: >"$tmp/full/events.json"
dd if=/dev/zero of="$tmp/full/filler" bs=1M 2>/dev/null
for i in $(seq 20); do /bin/true; done
counted() { [ "$(status_get 'd["export_errors"]')" -gt 0 ]; }
wait_until 10 counted
errs=$(status_get 'd["export_errors"]')
[ "$errs" -gt 0 ] || die "no export errors counted on a full disk"
pass "export errors counted on a full disk: $errs"
expect_match "full disk is logged" "Error: export to .* failed: No space left on device" "$(cat "$LOG")"
expect_eq "logged once, not per event" 1 "$(grep -c 'No space left' "$LOG")"
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$tmp/full/events.json" ||
	die "export file has a broken line after the disk filled"
pass "export file still made of whole JSON lines"
rm -f "$tmp/full/filler"
/bin/true veto-after-$$
wait_event "$tmp/full/events.json" "e['process_exec']['process']['arguments']=='veto-after-$$'" || die "export did not resume"
pass "export resumes once there is room"
# said on the first export at least 1 s after the error's line
recovered() { /bin/true; grep -Eq "works again" "$LOG"; }
wait_for "recovery is logged" 10 recovered

kill -0 "$AGENT_PID" || die "agent died"
expect_eq "no bad records" 0 "$(status_get 'd["bad_records"]')"
stop_agent
expect_eq "clean stop" 0 "$AGENT_RC"
