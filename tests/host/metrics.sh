# The metrics endpoint, scraped by a real Prometheus server (Debian's
# package, started here on a free port with its own config and data): the
# target is up, the series exist, and the counters moved by at least the
# operations done (a tracepoint policy posts one event per open of a file).
# Then the endpoint's hardening: 404 and 405, an oversized request, a client
# that sends slowly, one that never reads, more connections than slots; the
# agent keeps exporting events and answering /metrics through all of them.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
on_exit '[ -z "$prom_pid" ] || { kill "$prom_pid"; wait "$prom_pid"; } 2>/dev/null; rm -rf "$tmp"'
prom_pid=

# Installed when missing, with its system service kept from starting (a
# policy-rc.d that refuses, for the install only): this test runs its own.
if ! command -v prometheus >/dev/null; then
	prc=/usr/sbin/policy-rc.d
	made=
	[ -e "$prc" ] || { printf '#!/bin/sh\nexit 101\n' >"$prc" && chmod 755 "$prc" && made=1; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus >"$tmp/apt.log" 2>&1
	rc=$?
	[ -z "$made" ] || rm -f "$prc"
	[ "$rc" -eq 0 ] || { cat "$tmp/apt.log"; die "cannot install prometheus"; }
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
mport=$(free_port)
pport=$(free_port)
murl=http://127.0.0.1:$mport/metrics
api=http://127.0.0.1:$pport/api/v1

# Bad addresses are refused before anything starts, the value named.
out=$("$VETO" agent --metrics-address 127.0.0.1 2>&1); rc=$?
expect_eq "--metrics-address without a port: a usage error" 2 "$rc"
expect_match "the error names the value" "bad --metrics-address '127.0.0.1'" "$out"
out=$("$VETO" agent --metrics-address example.com:80 2>&1); rc=$?
expect_eq "--metrics-address with a name: refused (no lookup)" 2 "$rc"
expect_match "--help documents the flag" "--metrics-address HOST:PORT" "$("$VETO" agent --help)"

touch "$tmp/watched"
cat >"$tmp/watch.yaml" <<YAML
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: metrics-watch
spec:
  tracepoints:
  - subsystem: syscalls
    event: sys_enter_openat
    args:
    - index: 6
      type: string
    selectors:
    - matchArgs:
      - index: 0
        operator: Equal
        values: [$tmp/watched]
      matchActions:
      - action: Post
YAML
# never rotated: the export is counted whole
start_agent "$tmp" --policy "$tmp/watch.yaml" --export-file "$tmp/ev.json" --export-max-size 0 \
	--metrics-address "127.0.0.1:$mport"
expect_match "the agent says where its metrics are" "metrics: $murl" "$(cat "$LOG")"

cat >"$tmp/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
- job_name: veto
  static_configs:
  - targets: ['127.0.0.1:$mport']
YAML
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/data" \
	--web.listen-address="127.0.0.1:$pport" >"$tmp/prom.log" 2>&1 &
prom_pid=$!
wait_for "prometheus is ready" 60 curl -sf "http://127.0.0.1:$pport/-/ready" || { tail -20 "$tmp/prom.log"; die "no prometheus"; }

target_up() { curl -s "$api/targets" | python3 -c 'import json,sys; t=json.load(sys.stdin)["data"]["activeTargets"]; sys.exit(0 if t and t[0]["health"] == "up" else 1)'; }
# query EXPR: the value of the instant query's first series ("" when none)
query() {
	curl -s --data-urlencode "query=$1" "$api/query" |
		python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")'
}
# at_least EXPR N: the query's value is N or more
at_least() { v=$(query "$1"); [ -n "$v" ] && python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= float(sys.argv[2]) else 1)' "$v" "$2"; }
wait_for "prometheus scrapes veto: target up" 30 target_up

wait_for "veto_build_info scraped" 30 at_least 'veto_build_info' 1
version=$(curl -s --data-urlencode 'query=veto_build_info' "$api/query" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["result"][0]["metric"]["version"])')
expect_eq "veto_build_info carries the version" "$("$VETO" --version)" "veto $version"
expect_eq "one policy enabled" 1 "$(query 'veto_tracingpolicy_loaded{state="enabled"}')"
expect_ok "the policy's kernel memory is known" at_least 'veto_tracingpolicy_kernel_memory_bytes{policy="metrics-watch"}' 4096
expect_ok "the process cache holds the running processes" at_least 'veto_process_cache_size' 1
expect_eq "no event lost in the kernel" 0 "$(query 'sum(veto_bpf_missed_events_total)')"
expect_eq "the statistics switch is reported (off here)" "$(cat /proc/sys/kernel/bpf_stats_enabled)" "$(query 'veto_bpf_stats_enabled')"

exec0=$(query 'veto_events_total{type="PROCESS_EXEC"}')
[ -n "$exec0" ] || die "no veto_events_total{type=\"PROCESS_EXEC\"} series"
n=25
for _ in $(seq $n); do cat "$tmp/watched"; done
sel='veto_policy_events_total{policy="metrics-watch",hook="syscalls/sys_enter_openat",action="KPROBE_ACTION_POST"}'
wait_for "the policy's events counted: at least $n" 30 at_least "$sel" $n
wait_for "exec events moved by at least $n" 30 at_least 'veto_events_total{type="PROCESS_EXEC"}' $((exec0 + n))
expect_ok "tracepoint events counted by type" at_least 'veto_events_total{type="PROCESS_TRACEPOINT"}' $n

# the metrics and the export are fed by the one bus: the same count
exported() { grep -c '"policy_name":"metrics-watch"' "$tmp/ev.json"; }
scraped() { curl -s "$murl" | sed -n 's/^veto_policy_events_total{policy="metrics-watch",.*} //p'; }
enough() { [ "$(exported)" -ge $n ]; }
wait_until 10 enough
expect_eq "the counter equals the events exported" "$(exported)" "$(scraped)"

# -- hardening: each probe below, then the agent still serves both ways
moved() { [ "$(scraped)" -gt "$before" ]; }
agree() { [ "$(exported)" -eq "$(scraped)" ]; }
still_serving() {
	before=$(scraped)
	cat "$tmp/watched"
	wait_until 10 moved && wait_until 10 agree && return 0
	note "scraped $(scraped) (before: $before), exported $(exported)"
	return 1
}
expect_eq "GET of another path: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$mport/")"
expect_eq "POST /metrics: 405" 405 "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$murl")"
expect_eq "HEAD /metrics: 200" 200 "$(curl -s -o /dev/null -I -w '%{http_code}' "$murl")"
expect_match "the exposition format's content type" "version=0.0.4" "$(curl -s -o /dev/null -w '%{content_type}' "$murl")"

# probe MODE: one client doing MODE; prints what it saw
probe() {
	python3 - "$mport" "$1" <<'PY'
import socket, sys, time
port, mode = int(sys.argv[1]), sys.argv[2]
def conn(rcvbuf=0):
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect(("127.0.0.1", port))
    return s
def closed_by_agent(s, limit):
    """Seconds until the agent closed s (reads discarded), or -1."""
    t0 = time.time()
    s.settimeout(0.5)
    while time.time() - t0 < limit:
        try:
            if s.recv(65536) == b"":
                return time.time() - t0
        except socket.timeout:
            pass
        except ConnectionResetError:
            return time.time() - t0
    return -1
if mode == "oversized":
    s = conn()
    try:
        s.sendall(b"GET /metrics HTTP/1.1\r\nX: " + b"a" * 20000)
    except (BrokenPipeError, ConnectionResetError):
        pass
    s.settimeout(5)
    print(s.recv(100).split(b"\r\n")[0].decode())
elif mode == "slow":
    # a header byte every 0.4 s: the request never completes in time
    s = conn()
    s.sendall(b"GET /metrics HTTP/1.1\r\n")
    t0 = time.time()
    s.settimeout(0.4)
    while time.time() - t0 < 20:
        try:
            s.send(b"x")
            if s.recv(100) == b"":
                break
        except socket.timeout:
            continue
        except (BrokenPipeError, ConnectionResetError):
            break
    print(round(time.time() - t0))
elif mode == "noread":
    # asks, never reads: the agent closes it at the answer's deadline
    s = conn(1024)
    s.sendall(b"GET /metrics HTTP/1.1\r\n\r\n")
    time.sleep(12)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    data = b""
    s.settimeout(2)
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    except socket.timeout:
        print("still open")
        sys.exit()
    print("closed" if data.startswith(b"HTTP/1.1 200") else "closed without the answer")
elif mode == "noreaders":
    # 20 clients ask and never read nor close: a new one is still answered
    held = []
    for _ in range(20):
        s = conn()
        s.sendall(b"GET /metrics HTTP/1.1\r\n\r\n")
        held.append(s)
        time.sleep(0.05)
    s = conn()
    s.sendall(b"GET /metrics HTTP/1.1\r\n\r\n")
    s.settimeout(5)
    print(s.recv(100).split(b"\r\n")[0].decode())
elif mode == "many":
    # 64 idle connections (4 times the slots), then a scrape must still work
    held = [conn() for _ in range(64)]
    for s in held[:8]:
        s.sendall(b"GET /metr")
    time.sleep(0.5)
    s = conn()
    s.sendall(b"GET /metrics HTTP/1.1\r\n\r\n")
    s.settimeout(5)
    first = s.recv(100).split(b"\r\n")[0].decode()
    print(first)
PY
}
expect_eq "an oversized request: 431, then closed" "HTTP/1.1 431 Request Header Fields Too Large" "$(probe oversized)"
expect_ok "served after the oversized request" still_serving

probe slow >"$tmp/slow" &
slow_pid=$!
sleep 1
expect_eq "a scrape while a slow client sends" 200 "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$murl")"
wait "$slow_pid"
slow=$(cat "$tmp/slow")
expect_ok "the slow client is cut off after the request time (5 s) and a tick: ${slow}s" test "$slow" -ge 4 -a "$slow" -le 8

probe noread >"$tmp/noread" &
noread_pid=$!
sleep 1
expect_ok "events and /metrics flow while a client does not read" still_serving
wait "$noread_pid"
expect_eq "the client that does not read is closed at the answer's deadline" closed "$(cat "$tmp/noread")"

expect_eq "20 clients that never read: a scrape still answered" "HTTP/1.1 200 OK" "$(probe noreaders)"
expect_eq "64 idle connections: a scrape still answered" "HTTP/1.1 200 OK" "$(probe many)"
expect_ok "served after the connection flood" still_serving
expect_ok "prometheus still scrapes veto" target_up
expect_ok "the agent is alive" kill -0 "$AGENT_PID"
stop_agent
expect_eq "agent stops cleanly" 0 "$AGENT_RC"

# A port taken: the agent still starts and enforces, and says why no metrics.
python3 -c 'import socket,sys,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(30)' "$mport" &
holder=$!
wait_for "another process holds the port" 10 sh -c "ss -ltnp | grep '127.0.0.1:$mport ' | grep -q pid=$holder,"
start_agent "$tmp" --metrics-address "127.0.0.1:$mport" --export-file "$tmp/ev2.json"
expect_match "a taken port is logged" "Error: metrics: listening on 127.0.0.1:$mport: Address already in use; serving no metrics" "$(cat "$LOG")"
stop_agent
kill "$holder"; wait "$holder" 2>/dev/null

# '' turns the endpoint off: the agent listens on no TCP port.
start_agent "$tmp" --metrics-address '' --export-file "$tmp/ev2.json"
expect_no_match "no metrics line" "metrics:" "$(cat "$LOG")"
expect_eq "no TCP listener of the agent" "" "$(ss -ltnp | grep "pid=$AGENT_PID,")"
stop_agent
