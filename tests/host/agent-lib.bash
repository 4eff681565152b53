# Helpers for the agent host tests (sourced after lib.sh; not a test itself).
# start_agent DIR [ARGS...]: runs `veto agent` with its socket and log in DIR,
# waits for its "ready" line; sets AGENT_PID, SOCK, LOG.
start_agent() {
	local dir=$1; shift
	SOCK=$dir/veto.sock LOG=$dir/agent.log
	"$VETO" agent --socket "$SOCK" --lock-file "$dir/agent.lock" "$@" 2>"$LOG" &
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
# wait_event FILE PYCOND: waits until some event of FILE satisfies PYCOND (e).
wait_event() {
	for _ in $(seq 100); do
		find_event "$1" "$2" >/dev/null && return 0
		sleep 0.1
	done
	return 1
}
# find_event FILE PYCOND: prints the first JSON line where PYCOND holds, from
# FILE and its rotated copies FILE.N .. FILE.1 (oldest first): the test's own
# processes (a pyenv python3 shim forks hundreds) can rotate the export file
# between an event and its lookup.
find_event() {
	python3 - "$1" "$2" <<'PY'
import json, os, re, sys
path, cond = sys.argv[1], sys.argv[2]
files = []
def add(name):
    try:
        files.append(open(name))
    except FileNotFoundError:
        pass
add(path)  # opened first: a rotation from here on only renames open files
d, base = os.path.split(path)
backup = re.compile(re.escape(base) + r"\.(\d+)")
for n in sorted(int(m.group(1)) for m in map(backup.fullmatch, os.listdir(d or ".")) if m):
    add("%s.%d" % (path, n))
for f in reversed(files):
    for line in f:
        try:
            e = json.loads(line)
        except ValueError:
            continue
        try:
            ok = eval(cond)
        except (KeyError, TypeError, IndexError):
            ok = False
        if ok:
            print(json.dumps(e)); sys.exit(0)
sys.exit(1)
PY
}
