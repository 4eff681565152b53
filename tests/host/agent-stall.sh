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

# clients NUM REQUEST: NUM connections that send REQUEST (maybe nothing) and
# never read, with a small receive buffer; prints once they are all connected
clients() {
	python3 - "$SOCK" "$1" "$2" <<'PY' & pids+=($!)
import socket, sys, time
socks = []
for i in range(int(sys.argv[2])):
    s = socket.socket(socket.AF_UNIX)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(sys.argv[1])
    if sys.argv[3]:
        s.sendall(sys.argv[3].encode() + b"\n")
    socks.append(s)
print("connected", flush=True)
time.sleep(120)
PY
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' /proc/"$AGENT_PID"/status; }

# 64 connections that never send a request: another client still gets in at
# once, and the idle ones are closed after 5 s
clients 64 "" >"$tmp/idle"
for _ in $(seq 100); do grep -q connected "$tmp/idle" && break; sleep 0.1; done
grep -q connected "$tmp/idle" || fail "idle clients did not connect"
timeout 10 "$VETO" getevents --socket "$SOCK" --status >/dev/null || fail "64 idle connections lock the socket"
pass "64 idle connections do not lock the others out"
for _ in $(seq 150); do [ "$(status_get 'd["client_faults"]["timed_out"]')" -ge 63 ] && break; sleep 0.1; done
expect_eq "$(status_get 'd["client_faults"]["timed_out"] >= 63')" True "idle clients closed after 5 s"
kill "${pids[-1]}"

# 60 getevents clients that never read: their queues together stay bounded,
# the drops are counted, the memory goes back once they leave
base=$(rss_kb)
clients 60 getevents >"$tmp/slow"
for _ in $(seq 100); do grep -q connected "$tmp/slow" && break; sleep 0.1; done
grep -q connected "$tmp/slow" || fail "slow clients did not connect"
peak=0
for i in $(seq 15); do
	for j in $(seq 100); do /bin/true; done
	r=$(rss_kb); [ "$r" -gt "$peak" ] && peak=$r
done
dropped=$(status_get 'd["client_faults"]["events_dropped"]')
[ "$dropped" -gt 0 ] || fail "no event counted as dropped for clients that never read"
echo "RSS: $base KB before, $peak KB at most with 60 clients that never read ($dropped events dropped)"
# before: 270 MB for 64 such clients
[ "$peak" -lt $((base + 64 * 1024)) ] || fail "RSS grew by $(((peak - base) / 1024)) MB with 60 slow clients"
pass "RSS bounded with 60 slow clients: +$(((peak - base) / 1024)) MB"
# behind for 10 s without catching up: disconnected, which frees their slots
for _ in $(seq 200); do [ "$(status_get 'd["client_faults"]["too_slow"]')" -ge 60 ] && break; sleep 0.1; done
expect_eq "$(status_get 'd["client_faults"]["too_slow"]')" 60 "clients that stay behind are disconnected"
expect_match "$(cat "$LOG")" "client [0-9]+: too slow: [0-9]+ events dropped" "and it is logged"
kill "${pids[-1]}"
for _ in $(seq 50); do
	[ "$(status_get 'd["clients"]')" -le 1 ] && break; sleep 0.1
done
sleep 1.5 # the next tick gives the memory back
after=$(rss_kb)
echo "RSS: $after KB after they left"
# before: 153 MB kept after they left
[ "$after" -lt $((base + 16 * 1024)) ] || fail "RSS still +$(((after - base) / 1024)) MB after the clients left"
pass "memory given back after the clients left: +$(((after - base) / 1024)) MB"
/bin/true "veto-after-$$"
wait_for 10 "\"arguments\":\"veto-after-$$\"" "$tmp/events.json" || fail "no event exported after the attacks"
pass "events still exported after the attacks"
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
