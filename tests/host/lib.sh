# Host add-on to the test library (sourced by bash, with python3 at hand):
# tests/lib/veto.sh's checks and agent starter, plus JSON helpers. The host
# tests and the bench scripts use it; the binary is VETO (build/veto).
VETO_ROOT=${VETO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
VETO=${VETO:-$VETO_ROOT/build/veto}
. "$VETO_ROOT/tests/lib/veto.sh"
AGENT_READY_S=10

# start_agent DIR [ARGS...]: agent_start with the socket, lock file and log in
# DIR (events to stdout unless ARGS say --export-file); sets SOCK, LOG.
start_agent() {
	agent_files "$1"
	shift
	AGENT_EXPORT= SOCK=$AGENT_SOCK LOG=$AGENT_LOG
	agent_start "$@"
}
stop_agent() { agent_stop; }

# streaming N: N getevents clients, at least, have started streaming
streaming() { [ "$(grep -c 'streaming events' "$AGENT_LOG")" -ge "$1" ]; }

# json_get JSON PYEXPR: evaluates PYEXPR with the parsed document as `d`
json_get() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }
# status_get PYEXPR: evaluates PYEXPR on the agent's status JSON (as d).
status_get() { json_get "$(agent_status)" "$1"; }
# wait_event FILE PYCOND: waits until some event of FILE satisfies PYCOND (e).
wait_event() { wait_until 10 find_event "$@"; }
# find_event FILE PYCOND: prints the first JSON line where PYCOND holds, from
# FILE and its rotated copies FILE.N .. FILE.1 (oldest first; FILE.N.gz too,
# --export-file-compress): the test's own processes (a pyenv python3 shim
# forks hundreds) can rotate the export file between an event and its lookup.
find_event() {
	python3 - "$1" "$2" <<'PY'
import gzip, json, os, re, sys
path, cond = sys.argv[1], sys.argv[2]
files = []
def add(name):
    try:
        files.append(gzip.open(name, "rt") if name.endswith(".gz") else open(name))
    except FileNotFoundError:
        pass
add(path)  # opened first: a rotation from here on only renames open files
d, base = os.path.split(path)
backup = re.compile(re.escape(base) + r"\.(\d+)(\.gz)?")
for m in sorted((m for m in map(backup.fullmatch, os.listdir(d or ".")) if m), key=lambda m: int(m.group(1))):
    add(os.path.join(d, m.group(0)))
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

# conforms DESC FILE [--allow-veto-key]: every line of FILE is a valid Tetragon
# event (tests/conformance/check); on failure, its distinct complaints, line
# numbers and list indexes folded, go to stderr
conforms() {
	local desc=$1 f=$2 out rc
	shift 2
	out=$("$VETO_ROOT/tests/conformance/check" "$@" "$f" 2>&1)
	rc=$?
	if [ "$rc" = 0 ]; then
		pass "$desc: all $(wc -l <"$f") lines are valid Tetragon events"
	else
		fail "$desc: $(printf '%s\n' "$out" | tail -n1)"
		printf '%s\n' "$out" | sed -n 's/^[^:]*: line [0-9]*: //p' |
			sed 's/\[[0-9]*\]/[]/g' | sort | uniq -c | sort -rn | head -n 40 | sed 's/^/    /' >&2
	fi
}
# policy_head NAME: a TracingPolicy's lines up to 'spec:' (the policy tests'
# snippets follow it)
policy_head() { printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: %s\nspec:\n' "$1"; }
