# What is at the agent's paths when it starts, as another user could have left
# it: the export and record files, the control socket, the node's lock. Then
# logrotate's SIGHUP and a deleted export file.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
cleanup() {
	[ "$VETO_STATUS" -eq 0 ] || cat "$LOG" >&2 2>/dev/null
	rm -rf "$tmp"
}
on_exit cleanup
chmod 755 "$tmp"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
# refused WHY ARGS...: the agent must exit 1 before ready, saying WHY
refused() {
	local why=$1 out rc; shift
	out=$(timeout 30 "$VETO" agent --socket "$tmp/veto.sock" --lock-file "$tmp/agent.lock" "$@" 2>&1); rc=$?
	expect_eq "refused: $*" 1 "$rc"
	expect_match "the reason names it: $why" "$why" "$out"
	! grep -q ready <<<"$out" || die "the agent got ready anyway"
}
echo precious >"$tmp/target"
sum=$(sha256sum <"$tmp/target")

# a world-writable folder (like /tmp, without the sticky bit, so that only
# veto's own checks stand between the user and the agent)
mkdir -m 777 "$tmp/ww"
as_nobody ln -s "$tmp/target" "$tmp/ww/events.json"
refused "Error: cannot open export file $tmp/ww/events.json: it is a symbolic link" --export-file "$tmp/ww/events.json"
as_nobody ln -s "$tmp/target" "$tmp/ww/rec"
refused "Error: cannot open record file $tmp/ww/rec: it is a symbolic link" --record "$tmp/ww/rec"
expect_eq "the symlinks' target is unchanged" "$sum" "$(sha256sum <"$tmp/target")"
as_nobody sh -c "echo forged >$tmp/ww/mine.json"
refused "Error: cannot open export file $tmp/ww/mine.json: it belongs to another user" --export-file "$tmp/ww/mine.json"
expect_eq "the other user's file is untouched" forged "$(cat "$tmp/ww/mine.json")"
ln "$tmp/target" "$tmp/ww/hard.json"
refused "it has more than one hard link" --export-file "$tmp/ww/hard.json"
mkfifo "$tmp/ww/fifo.json"
refused "Error: cannot open export file $tmp/ww/fifo.json: a FIFO with no reader" --export-file "$tmp/ww/fifo.json"

# the control socket: a file or a symbolic link there is not replaced
echo keep >"$tmp/file.sock"
refused "control socket $tmp/file.sock: it exists and is not a socket" --socket "$tmp/file.sock"
expect_eq "the file at --socket is untouched" keep "$(cat "$tmp/file.sock")"
ln -s "$tmp/target" "$tmp/link.sock"
refused "control socket $tmp/link.sock: it exists and is not a socket" --socket "$tmp/link.sock"
expect_eq "the symlink's target is unchanged" "$sum" "$(sha256sum <"$tmp/target")"
# a stale socket (its agent crashed) is replaced
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$tmp/veto.sock"
[ -S "$tmp/veto.sock" ] || die "no stale socket made"

start_agent "$tmp" --export-file "$tmp/events.json"
pass "a stale socket is replaced"
expect_eq "the export file is created 0600, root's" "600 0" "$(stat -c '%a %u' "$tmp/events.json")"
first=$AGENT_PID
# a second agent: refused by the lock, naming the holder
refused "Error: another agent is running: pid $first holds $tmp/agent.lock" --socket "$tmp/other.sock"
# and on the same socket with its own lock: the live socket is kept
out=$(timeout 30 "$VETO" agent --socket "$SOCK" --lock-file "$tmp/other.lock" 2>&1); rc=$?
expect_eq "a second agent on a live socket is refused" 1 "$rc"
expect_match "and says why" "control socket $SOCK: an agent answers on it" "$out"
expect_eq "the first agent still answers" True "$(status_get '"exported" in d')"

# logrotate: rename, then SIGHUP; the agent keeps running and writes a new file
mv "$tmp/events.json" "$tmp/events.json.old"
kill -HUP "$AGENT_PID"
/bin/true "veto-hup-$$"
wait_event "$tmp/events.json" "e['process_exec']['process']['arguments']=='veto-hup-$$'" ||
	die "no event in the new export file after SIGHUP"
kill -0 "$AGENT_PID" || die "SIGHUP killed the agent"
pass "SIGHUP: the agent runs on and writes a new file"
expect_match "SIGHUP is logged" "SIGHUP: reopened $tmp/events.json" "$(cat "$LOG")"

# a deleted export file is noticed (checked every second) and made again
rm "$tmp/events.json"
wait_until 5 test -e "$tmp/events.json"
/bin/true "veto-gone-$$"
wait_event "$tmp/events.json" "e['process_exec']['process']['arguments']=='veto-gone-$$'" ||
	die "no event in a new export file after the old one was deleted"
pass "a deleted export file is made again"
stop_agent
expect_eq "clean stop" 0 "$AGENT_RC"
