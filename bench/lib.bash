# Shared by the bench/ scripts (sourced, not run). Every script calls
# bench_init first: root check, `make all`, the tiny static binary, a temp
# directory removed on exit together with every process started through
# bench_bg or start_agent.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VETO=$root/build/veto
OPLOOP=$root/build/vm-bin/oploop # bench/oploop.c: N fork+exec+wait, prints ns/op
TINY=$root/build/bench/true      # int main(void) { return 0; }, static
BENCH_PIDS=()
AGENT_PID=

die() { echo "Error: $*" >&2; exit 1; }

bench_cleanup() {
	local p
	stop_agent 2>/dev/null || true
	for p in "${BENCH_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${BENCH_PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	[ -n "${BENCH_TMP:-}" ] && rm -rf "$BENCH_TMP"
}

bench_init() {
	[ "$(id -u)" -eq 0 ] || die "run as root (the agent loads BPF programs)"
	make -s -C "$root" all
	mkdir -p "$root/build/bench"
	if [ ! -x "$TINY" ]; then
		printf 'int main(void) { return 0; }\n' >"$root/build/bench/true.c"
		gcc -static -O2 -o "$TINY" "$root/build/bench/true.c"
	fi
	BENCH_TMP=$(mktemp -d /tmp/veto-bench.XXXXXX)
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
}

# bench_bg CMD...: runs CMD in the background, killed on exit; sets BG_PID.
bench_bg() {
	"$@" &
	BG_PID=$!
	BENCH_PIDS+=("$BG_PID")
}

# bench_stop PID [SIGNAL]: stops a process started by bench_bg and waits for it.
bench_stop() {
	local p keep=()
	kill -"${2:-TERM}" "$1" 2>/dev/null || true
	for _ in $(seq 100); do # a peer that ignores the signal gets SIGKILL after 10 s
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	for p in "${BENCH_PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	BENCH_PIDS=("${keep[@]}")
}

# start_agent ARGS...: `veto agent` with its socket and log in BENCH_TMP;
# waits for "ready". Sets AGENT_PID, SOCK, LOG.
start_agent() {
	SOCK=$BENCH_TMP/veto.sock LOG=$BENCH_TMP/agent.log
	"$VETO" agent --socket "$SOCK" --lock-file "$BENCH_TMP/agent.lock" "$@" 2>"$LOG" &
	AGENT_PID=$!
	for _ in $(seq 200); do
		grep -q 'ready' "$LOG" 2>/dev/null && return 0
		kill -0 "$AGENT_PID" 2>/dev/null || { cat "$LOG" >&2; AGENT_PID=; die "agent exited before ready"; }
		sleep 0.1
	done
	cat "$LOG" >&2
	die "agent not ready after 20 s"
}

stop_agent() {
	[ -n "$AGENT_PID" ] || return 0
	kill -TERM "$AGENT_PID" 2>/dev/null || true
	wait "$AGENT_PID" 2>/dev/null || true
	AGENT_PID=
}

# status [TIMEOUT]: the agent's counters as one JSON line (fails if no answer).
status() { timeout "${1:-10}" "$VETO" getevents --socket "$SOCK" --status; }
# jget JSON PYEXPR: PYEXPR evaluated on the parsed JSON (as d).
jget() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }
# rss_kib PID [FIELD]: VmRSS (or VmHWM, ...) of PID in KiB.
rss_kib() { awk -v k="${2:-VmRSS}:" '$1 == k { print $2 }' "/proc/$1/status"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
# count_exec FILE...: process_exec lines of $TINY in veto export files.
count_exec() { cat "$@" | grep '^{"process_exec"' | grep -cF "\"binary\":\"$TINY\"" || true; }
count_exit() { cat "$@" | grep '^{"process_exit"' | grep -cF "\"binary\":\"$TINY\"" || true; }
# lost_at_stop: records lost, from the stopped agent's last log line.
lost_at_stop() { sed -n 's/.*, \([0-9]*\) records lost$/\1/p' "$LOG" | tail -1; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
