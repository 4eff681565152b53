# Shared by the bench/ scripts (sourced, not run). Every script calls
# bench_init first: root check, `make all`, the tiny static binary, a temp
# directory removed on exit together with every process started through
# bench_bg or agent_start. The agent's starter, agent_status and json_get come
# from the test library (tests/host/lib.sh); the agent's files go in BENCH_TMP.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VETO_ROOT=$root
# shellcheck source=tests/host/lib.sh
. "$root/tests/host/lib.sh"
OPLOOP=$root/build/vm-bin/oploop # bench/oploop.c: N fork+exec+wait, prints ns/op
TINY=$root/build/bench/true      # int main(void) { return 0; }, static
BENCH_PIDS=()
AGENT_READY_S=20

# a bench has no checks to count: its errors are plain
die() { echo "Error: $*" >&2; exit 1; }

# run at exit, once the test library has stopped the agent
bench_cleanup() {
	local p
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
	agent_files "$BENCH_TMP"
	AGENT_EXPORT= # each script names its own export file
	on_exit bench_cleanup
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

# rss_kib PID [FIELD]: VmRSS (or VmHWM, ...) of PID in KiB.
rss_kib() { awk -v k="${2:-VmRSS}:" '$1 == k { print $2 }' "/proc/$1/status"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
# count_exec FILE...: process_exec lines of $TINY in veto export files.
count_exec() { cat "$@" | grep '^{"process_exec"' | grep -cF "\"binary\":\"$TINY\"" || true; }
count_exit() { cat "$@" | grep '^{"process_exit"' | grep -cF "\"binary\":\"$TINY\"" || true; }
# lost_at_stop: records lost, from the stopped agent's last log line.
lost_at_stop() { sed -n 's/.*, \([0-9]*\) records lost$/\1/p' "$AGENT_LOG" | tail -1; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
