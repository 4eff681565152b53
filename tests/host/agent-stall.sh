# An agent that clients and readers try to stall: the export keeps flowing,
# the agent answers and stops, its memory stays bounded.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/agent-lib.bash"
tmp=$(mktemp -d)
pids=()
cleanup() {
	local rc=$?
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	stop_agent
	[ "$rc" -eq 0 ] || cat "$LOG" >&2 # the agent's side of a failure
	rm -rf "$tmp"
}
trap cleanup EXIT
# a big ring: a quarter of it (the kernel's wake-up) is not reached by accident
start_agent "$tmp" --export-file "$tmp/events.json" --ringbuf-mb 64
# wait_for SECONDS PATTERN FILE: grep (one exec, not python's many) until found
wait_for() {
	local end=$((SECONDS + $1))
	while [ $SECONDS -lt $end ]; do
		grep -q -- "$2" "$3" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# A client that never stops sending keeps the loop busy: the ring buffer is
# still drained on time (before, only once a quarter full: 30 s and more).
python3 - "$SOCK" <<'PY' & pids+=($!)
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
# the request and more bytes in one send: what follows a request is ignored
s.sendall(b"getevents binary=/nonexistent\n" + b"x" * 65536)
while True:
    s.sendall(b"x" * 65536)
PY
sleep 1
kill -0 "${pids[0]}" || fail "flooding client died"
/bin/true "veto-flood-$$"
wait_for 10 "\"arguments\":\"veto-flood-$$\"" "$tmp/events.json" ||
	fail "no event within 10 s while a client floods the socket"
pass "events exported while a client floods the control socket"
kill "${pids[0]}"
stop_agent

# A reader of stdout that never reads: the agent still answers, counts what
# it drops and stops on SIGTERM (before, it hung in write(2)).
mkfifo "$tmp/out"
exec 3<>"$tmp/out" # holds the FIFO open and never reads it
start_agent "$tmp" >"$tmp/out"
# more than the pipe (64 KiB) and the agent's queue (4 MiB) hold: ~4 KB an event
for i in $(seq 1500); do /bin/true; done
timeout 10 "$VETO" getevents --socket "$SOCK" --status >"$tmp/status" ||
	fail "no status within 10 s while stdout's reader sleeps"
dropped=$(json_get "$(cat "$tmp/status")" 'd["export_dropped"]')
[ "$dropped" -gt 0 ] || fail "nothing counted as dropped: $(cat "$tmp/status")"
pass "the agent answers; $dropped events dropped and counted"
expect_match "$(cat "$LOG")" "Error: export to stdout failed: its reader does not keep up" "the drops are logged"
kill -TERM "$AGENT_PID"
for _ in $(seq 100); do kill -0 "$AGENT_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$AGENT_PID" 2>/dev/null && fail "SIGTERM ignored while stdout's reader sleeps"
wait "$AGENT_PID"; rc=$? AGENT_PID=
expect_eq "$rc" 0 "stops cleanly on SIGTERM"
exec 3<&-
