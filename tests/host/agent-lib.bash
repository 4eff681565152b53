# Helpers for the agent host tests (sourced after lib.sh; not a test itself).
# start_agent DIR [ARGS...]: runs `veto agent` with its socket and log in DIR,
# waits for its "ready" line; sets AGENT_PID, SOCK, LOG.
start_agent() {
	local dir=$1; shift
	SOCK=$dir/veto.sock LOG=$dir/agent.log
	"$VETO" agent --socket "$SOCK" "$@" 2>"$LOG" &
	AGENT_PID=$!
	for _ in $(seq 100); do
		grep -q 'ready' "$LOG" 2>/dev/null && return 0
		kill -0 "$AGENT_PID" 2>/dev/null || { cat "$LOG" >&2; fail "agent exited before ready"; }
		sleep 0.1
	done
	cat "$LOG" >&2
	fail "agent not ready after 10 s"
}
stop_agent() {
	[ -n "${AGENT_PID:-}" ] || return 0
	kill -TERM "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID"; AGENT_RC=$?
	AGENT_PID=
}
# status_get PYEXPR: evaluates PYEXPR on the agent's status JSON (as d).
status_get() { json_get "$("$VETO" getevents --socket "$SOCK" --status)" "$1"; }
# wait_export FILE PYCOND: waits until some line of FILE satisfies PYCOND (e).
wait_event() {
	for _ in $(seq 100); do
		find_event "$1" "$2" >/dev/null && return 0
		sleep 0.1
	done
	return 1
}
# find_event FILE PYCOND: prints the first JSON line of FILE where PYCOND holds.
find_event() {
	python3 - "$1" "$2" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    try:
        ok = eval(sys.argv[2])
    except (KeyError, TypeError, IndexError):
        ok = False
    if ok:
        print(json.dumps(e)); sys.exit(0)
sys.exit(1)
PY
}
