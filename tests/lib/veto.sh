# The test library (sourced, POSIX sh): checks, and one starter for
# `veto agent`. The host tests and bench scripts (bash, through
# tests/host/lib.sh) and the VM scripts (busybox sh, as /veto/veto.sh through
# /veto/lib.sh) all use this file. Use:
#
#   expect_eq "exec of /tmp/evil is killed" 137 "$(run_status /tmp/evil)"
#   agent_start --policy p.yaml
#   wait_for "its event" 30 grep -q '"policy_name":"p"' "$AGENT_EXPORT"
#
# expect_* and fail record a failure and go on, so one run reports every
# broken check; die stops at once. On exit the script stops an agent still
# running, runs what on_exit registered, and fails (status 1) if any check
# failed, even when it ends with `exit 0`. skip exits 77.

VETO_FAILED=0
VETO_CHECKS=0
VETO_AT_EXIT=

pass() { VETO_CHECKS=$((VETO_CHECKS + 1)); echo "PASS: $*"; }
fail() { VETO_CHECKS=$((VETO_CHECKS + 1)); VETO_FAILED=$((VETO_FAILED + 1)); echo "FAIL: $*" >&2; }
die() { fail "$*"; exit 1; }
skip() { echo "SKIP: $*"; trap - EXIT; exit 77; }
note() { echo "# $*"; }

# on_exit CMD: eval CMD at exit, after the agent is stopped, in the order
# given; VETO_STATUS is then the script's exit status.
on_exit() { VETO_AT_EXIT="$VETO_AT_EXIT
$1"; }
_veto_exit() {
	VETO_STATUS=$?
	trap - EXIT
	[ "$VETO_FAILED" -eq 0 ] || [ "$VETO_STATUS" -ne 0 ] || VETO_STATUS=1
	agent_stop
	agent_reset
	eval "$VETO_AT_EXIT"
	[ "$VETO_FAILED" -eq 0 ] || echo "# $VETO_FAILED of $VETO_CHECKS checks failed"
	exit "$VETO_STATUS"
}
trap _veto_exit EXIT

# expect_eq DESC EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: expected '$2', got '$3'"; fi
}
# expect_ne DESC UNWANTED ACTUAL
expect_ne() {
	if [ "$2" != "$3" ]; then pass "$1"; else fail "$1: got '$3'"; fi
}
# expect_match DESC ERE TEXT (grep -E, any line of TEXT)
expect_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then pass "$1"; else fail "$1: /$2/ not in: $3"; fi
}
# expect_no_match DESC ERE TEXT
expect_no_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then fail "$1: /$2/ found in: $3"; else pass "$1"; fi
}
expect_file() { if [ -e "$2" ]; then pass "$1"; else fail "$1: $2 does not exist"; fi; }
expect_no_file() { if [ -e "$2" ]; then fail "$1: $2 exists"; else pass "$1"; fi; }

# run_status CMD...: print CMD's exit status (128+N if killed by signal N).
run_status() { if "$@" >/dev/null 2>&1 </dev/null; then echo 0; else echo $?; fi; }

# expect_status DESC STATUS CMD...: CMD (output shown) exits with STATUS.
expect_status() {
	_d=$1 _want=$2
	shift 2
	if "$@" </dev/null; then _got=0; else _got=$?; fi
	expect_eq "$_d" "$_want" "$_got"
}
expect_ok() { _d=$1; shift; expect_status "$_d" 0 "$@"; }
# expect_fail DESC CMD...: CMD exits non-zero.
expect_fail() {
	_d=$1
	shift
	if "$@" </dev/null; then fail "$_d: succeeded: $*"; else pass "$_d"; fi
}

# wait_until SECONDS CMD...: poll CMD (quiet) every 0.1 s until it succeeds;
# fails once SECONDS have passed. wait_for DESC SECONDS CMD...: the same as a
# check. TCG is slow: be generous with SECONDS.
wait_until() {
	_n=$(($1 * 10))
	shift
	while [ "$_n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}
wait_for() {
	_wd=$1
	shift
	if wait_until "$@"; then pass "$_wd"; return 0; fi
	shift
	fail "$_wd: timed out: $*"
	return 1
}

# The agent's files; agent_files DIR puts them all in DIR, and its pins in
# a folder of its own on the BPF file system (agents of tests that run at
# once must not adopt each other's policies). AGENT_LOCK, AGENT_EXPORT and
# AGENT_BPF_DIR empty: the agent's default lock and pin folder, events to
# stdout.
AGENT_PID=
AGENT_SOCK=${AGENT_SOCK:-/run/veto.sock}
AGENT_LOG=${AGENT_LOG:-/tmp/agent.log}
AGENT_LOCK=${AGENT_LOCK:-}
AGENT_EXPORT=${AGENT_EXPORT-/tmp/events.json}
AGENT_BPF_DIR=${AGENT_BPF_DIR:-}
AGENT_READY_S=${AGENT_READY_S:-60}
agent_files() {
	AGENT_SOCK=$1/veto.sock AGENT_LOG=$1/agent.log AGENT_LOCK=$1/agent.lock AGENT_EXPORT=$1/events.json
	AGENT_BPF_DIR=/sys/fs/bpf/veto-test-$(printf '%s' "$1" | tr -c 'A-Za-z0-9_-' '_')
}

# agent_start [ARG...]: starts `$VETO agent ARG...` in the background with
# the files above (the export file emptied first), and waits for its `ready`
# line; an agent that exits first, or is not ready in AGENT_READY_S, shows its
# log and the script dies. Sets AGENT_PID.
# agent_stop: SIGTERM, then waits; sets AGENT_RC (0: a clean stop).
agent_start() {
	set -- --socket "$AGENT_SOCK" "$@"
	[ -z "$AGENT_LOCK" ] || set -- --lock-file "$AGENT_LOCK" "$@"
	[ -z "$AGENT_BPF_DIR" ] || set -- --bpf-dir "$AGENT_BPF_DIR" "$@"
	if [ -n "$AGENT_EXPORT" ]; then
		: >"$AGENT_EXPORT"
		set -- "$@" --export-file "$AGENT_EXPORT"
	fi
	# emptied here, not by the agent's redirection: an older agent's ready
	# line must not count
	: >"$AGENT_LOG"
	"${VETO:-veto}" agent "$@" 2>>"$AGENT_LOG" &
	AGENT_PID=$!
	_n=$((AGENT_READY_S * 10))
	while [ "$_n" -gt 0 ]; do
		grep -q ready "$AGENT_LOG" 2>/dev/null && return 0
		kill -0 "$AGENT_PID" 2>/dev/null || break
		sleep 0.1
		_n=$((_n - 1))
	done
	cat "$AGENT_LOG" >&2
	if kill -0 "$AGENT_PID" 2>/dev/null; then
		agent_stop
		die "agent not ready after $AGENT_READY_S s"
	fi
	agent_stop
	die "agent exited before ready (status $AGENT_RC)"
}
agent_stop() {
	[ -n "$AGENT_PID" ] || return 0
	kill -TERM "$AGENT_PID" 2>/dev/null || true
	if wait "$AGENT_PID"; then AGENT_RC=0; else AGENT_RC=$?; fi
	AGENT_PID=
}
# agent_reset: removes what an agent of the script left pinned (one killed,
# or stopped with --keep-enforcing); the script's own folder only.
agent_reset() {
	[ -n "$AGENT_BPF_DIR" ] && [ -d "$AGENT_BPF_DIR" ] || return 0
	"${VETO:-veto}" reset --force --bpf-dir "$AGENT_BPF_DIR" >/dev/null 2>&1 || true
}
# With bpftool: bpf_map_id PIN, the id of the map pinned at PIN;
# bpf_link_prog PIN, the id of the program the link pinned at PIN runs;
# progs_using MAP_ID, how many loaded programs use that map (prints 0 for
# none).
bpf_map_id() { bpftool map show pinned "$1" 2>/dev/null | sed -n '1s/^\([0-9]*\):.*/\1/p'; }
bpf_link_prog() { bpftool link show pinned "$1" 2>/dev/null | sed -n '1s/.* prog \([0-9]*\).*/\1/p'; }
progs_using() {
	bpftool prog show 2>/dev/null | awk -v m="$1" '{ for (i = 1; i < NF; i++) if ($i == "map_ids") {
		n = split($(i + 1), a, ","); for (j = 1; j <= n; j++) if (a[j] == m) c++ } } END { print c + 0 }'
}
# agent_status [TIMEOUT_S]: the agent's counters, one JSON line (fails if no
# answer in TIMEOUT_S, 10 by default).
agent_status() { timeout "${1:-10}" "${VETO:-veto}" getevents --socket "$AGENT_SOCK" --status; }
# events_with ERE: the exported event lines matching ERE
events_with() { grep -E -- "$1" "$AGENT_EXPORT" 2>/dev/null; }
