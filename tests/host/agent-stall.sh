# An agent that clients and readers try to stall: the export keeps flowing,
# the agent answers and stops, its memory stays bounded.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	[ "$VETO_STATUS" -eq 0 ] || cat "$LOG" >&2 # the agent's side of a failure
	rm -rf "$tmp"
}
on_exit cleanup
# a big ring: a quarter of it (the kernel's wake-up) is not reached by accident
start_agent "$tmp" --export-file "$tmp/events.json" --ringbuf-mb 64
# A client that never stops sending keeps the loop busy: the ring buffer is
# still drained on time (before, only once a quarter full: 30 s and more).
python3 - "$SOCK" <<'PY' & pids+=($!)
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
# the request and more bytes in one send: what follows a request is ignored
s.sendall(b'getevents filter={"binary_regex":["^/nonexistent$"]}\n' + b"x" * 65536)
while True:
    s.sendall(b"x" * 65536)
PY
wait_until 10 streaming 1 || die "the flooding client's request was not taken"
kill -0 "${pids[0]}" || die "flooding client died"
/bin/true "veto-flood-$$"
wait_for "events exported while a client floods the control socket" 10 \
	grep -q -- "\"arguments\":\"veto-flood-$$\"" "$tmp/events.json"
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
wait_until 10 grep -q connected "$tmp/idle" || die "idle clients did not connect"
timeout 10 "$VETO" getevents --socket "$SOCK" --status >/dev/null || die "64 idle connections lock the socket"
pass "64 idle connections do not lock the others out"
# faults KIND N: the agent counts N client faults of KIND at least
faults() { [ "$(status_get "d['client_faults']['$1']")" -ge "$2" ]; }
wait_until 15 faults timed_out 63
expect_eq "idle clients closed after 5 s" True "$(status_get 'd["client_faults"]["timed_out"] >= 63')"
kill "${pids[-1]}"

# 60 getevents clients that never read: their queues together stay bounded,
# the drops are counted, the memory goes back once they leave
base=$(rss_kb)
clients 60 getevents >"$tmp/slow"
wait_until 10 grep -q connected "$tmp/slow" || die "slow clients did not connect"
peak=0
for i in $(seq 15); do
	for j in $(seq 100); do /bin/true; done
	r=$(rss_kb); [ "$r" -gt "$peak" ] && peak=$r
done
dropped=$(status_get 'd["client_faults"]["events_dropped"]')
[ "$dropped" -gt 0 ] || die "no event counted as dropped for clients that never read"
echo "RSS: $base KB before, $peak KB at most with 60 clients that never read ($dropped events dropped)"
# before: 270 MB for 64 such clients
[ "$peak" -lt $((base + 64 * 1024)) ] || die "RSS grew by $(((peak - base) / 1024)) MB with 60 slow clients"
pass "RSS bounded with 60 slow clients: +$(((peak - base) / 1024)) MB"
# behind for 10 s without catching up: disconnected, which frees their slots
wait_until 20 faults too_slow 60
expect_eq "clients that stay behind are disconnected" 60 "$(status_get 'd["client_faults"]["too_slow"]')"
expect_match "and it is logged" "client [0-9]+: too slow: [0-9]+ events dropped" "$(cat "$LOG")"
kill "${pids[-1]}"
left() { [ "$(status_get 'd["clients"]')" -le 1 ]; }
wait_until 5 left
# the next tick (every second) gives the memory back
given_back() { [ "$(rss_kb)" -lt $((base + 16 * 1024)) ]; }
wait_until 3 given_back
after=$(rss_kb)
echo "RSS: $after KB after they left"
# before: 153 MB kept after they left
[ "$after" -lt $((base + 16 * 1024)) ] || die "RSS still +$(((after - base) / 1024)) MB after the clients left"
pass "memory given back after the clients left: +$(((after - base) / 1024)) MB"
/bin/true "veto-after-$$"
wait_for "events still exported after the attacks" 10 \
	grep -q -- "\"arguments\":\"veto-after-$$\"" "$tmp/events.json"
stop_agent

# A reader of stdout that never reads: the agent still answers, counts what
# it drops and stops on SIGTERM (before, it hung in write(2)).
mkfifo "$tmp/out"
exec 3<>"$tmp/out" # holds the FIFO open and never reads it
start_agent "$tmp" --enable-process-cred --enable-process-ns >"$tmp/out"
# more than the pipe (64 KiB) and the agent's queue (4 MiB) hold: ~4 KB an
# event with credentials and namespaces
for i in $(seq 1500); do /bin/true; done
timeout 10 "$VETO" getevents --socket "$SOCK" --status >"$tmp/status" ||
	die "no status within 10 s while stdout's reader sleeps"
dropped=$(json_get "$(cat "$tmp/status")" 'd["export_dropped"]')
[ "$dropped" -gt 0 ] || die "nothing counted as dropped: $(cat "$tmp/status")"
pass "the agent answers; $dropped events dropped and counted"
expect_match "the drops are logged" "Error: export to stdout failed: its reader does not keep up" "$(cat "$LOG")"
kill -TERM "$AGENT_PID"
stopped() { ! kill -0 "$AGENT_PID" 2>/dev/null; }
wait_until 10 stopped || die "SIGTERM ignored while stdout's reader sleeps"
agent_stop
expect_eq "stops cleanly on SIGTERM" 0 "$AGENT_RC"
exec 3<&-
