# veto lineage, end to end on this kernel: a small process tree runs under
# `veto agent --store` (a child exits 3, one has a child of its own, one is
# killed by a tracepoint policy, one has a hostile argument), exits, and
# lineage then shows the whole exited tree from the store: ancestors up to
# the test's shell (found running at the agent's start), every process with
# its exit status or signal, the kill under its process, in time order;
# the same after the agent has stopped. Errors: exit 1 not found, 2 usage.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
cleanup() {
	[ "$VETO_STATUS" -eq 0 ] || cat "$LOG" >&2 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
on_exit cleanup
db=$tmp/store.db
lin() { "$VETO" lineage --store "$db" "$@"; }
# jq-less JSON checks: PYEXPR on the lineage JSON in FILE (as d; p: processes)
jget() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); p = d.get("processes", []); print(eval(sys.argv[2]))' "$1" "$2"; }

cp "$(command -v sleep)" "$tmp/victim"
{ policy_head lineage-kill-victim; cat <<YAML; } >"$tmp/kill.yaml"
  tracepoints:
  - subsystem: raw_syscalls
    event: sys_enter
    args:
    - index: 4
      type: syscall64
    selectors:
    - matchArgs:
      - index: 0
        operator: InMap
        values: [sys_clock_nanosleep, sys_nanosleep]
      matchBinaries:
      - operator: In
        values: [$tmp/victim]
      matchActions:
      - action: Sigkill
YAML
cat >"$tmp/tree.sh" <<'SH'
/bin/sh -c 'exit 3'
/bin/sh -c '/bin/true deep-child; exit 0'
"$1" 5
/bin/true "$2"
exit 4
SH
evil=$(printf 'x\033[2Jy\342\200\256z\nw')

start_agent "$tmp" --export-file "$tmp/events.json" --store "$db" --policy "$tmp/kill.yaml" --no-protect --metrics-address ''
/bin/sh "$tmp/tree.sh" "$tmp/victim" "$evil" &
top=$!
wait "$top"
expect_eq "the tree's shell exits 4" 4 "$?"

# the whole tree is in the store once the top's exit and the four children's are
whole() {
	lin -o json "$top" >"$tmp/l.json" 2>/dev/null &&
		[ "$(jget "$tmp/l.json" '[x["exit_time"] is not None for x in p if x["role"] != "ancestor"].count(True)')" = 6 ]
}
wait_for "the tree and its exits are in the store" 20 whole || die "lineage: $(cat "$tmp/l.json")"
stop_agent
expect_eq "the agent stopped cleanly" 0 "$AGENT_RC"

# ---- JSON, from the store after the agent is gone
lin -o json "$top" >"$tmp/l.json"
expect_eq "exit 0 with the agent stopped" 0 "$?"
expect_eq "the subject is the tree's shell" "/bin/sh $tmp/tree.sh" \
	"$(jget "$tmp/l.json" '[x["binary"] + " " + x["arguments"].split(" ")[0] for x in p if x["role"] == "subject"][0]')"
expect_eq "chosen by its pid" "$top" "$(jget "$tmp/l.json" 'd["by_pid"]["pid"]')"
expect_eq "its parent is this test's shell" "$$" "$(jget "$tmp/l.json" '[x["pid"] for x in p if x["depth"] == -1][0]')"
expect_match "an ancestor found running at the agent's start (procFS)" procFS \
	"$(jget "$tmp/l.json" '" ".join(x["flags"] or "" for x in p if x["role"] == "ancestor")')"
expect_eq "every parent link points at the process before it in the tree" True \
	"$(jget "$tmp/l.json" 'all(any(q["exec_id"] == x["parent_exec_id"] and q["depth"] == x["depth"] - 1 for q in p[:i]) for i, x in enumerate(p) if i)')"
expect_eq "descendants in start order, depth by depth" \
	"1 /bin/sh 3 None|1 /bin/sh 0 None|2 /bin/true 0 None|1 $tmp/victim None SIGKILL|1 /bin/true 0 None" \
	"$(jget "$tmp/l.json" '"|".join("%d %s %s %s" % (x["depth"], x["binary"], x["exit_status"], x["exit_signal"]) for x in p if x["role"] == "descendant")')"
expect_eq "the subject's exit status" 4 "$(jget "$tmp/l.json" '[x["exit_status"] for x in p if x["role"] == "subject"][0]')"
expect_eq "the hostile argument, as it was (within the agent's quotes)" True \
	"$(EVIL=$evil jget "$tmp/l.json" '__import__("os").environ["EVIL"] in [x["arguments"] for x in p if x["binary"] == "/bin/true" and x["depth"] == 1][0]')"
expect_eq "the victim's kill is its event: policy, outcome" "lineage-kill-victim killed" \
	"$(jget "$tmp/l.json" '" ".join("%s %s" % (e["policy"], e["outcome"]) for x in p if (x["binary"] or "").endswith("/victim") for e in x["events"])')"
expect_eq "each process's events in time order" True \
	"$(jget "$tmp/l.json" 'all([e["time"] for e in x["events"]] == sorted(e["time"] for e in x["events"]) for x in p)')"
id=$(jget "$tmp/l.json" 'd["subject"]')
lin -o json "$id" >"$tmp/by-id.json"
expect_eq "by exec_id: the same lineage as by pid" "$(jget "$tmp/l.json" '[x["exec_id"] for x in p]')" \
	"$(jget "$tmp/by-id.json" '[x["exec_id"] for x in p]')"
expect_eq "by exec_id: no pid said" None "$(jget "$tmp/by-id.json" 'd["by_pid"]')"
expect_match "--list names the process that had the pid" "$id" "$(lin --list "$top")"
started=$(jget "$tmp/l.json" '[x["start_time"] for x in p if x["role"] == "subject"][0]')
expect_eq "--at its start time: that process" "$id" "$(lin -o json --at "$started" "$top" | python3 -c 'import json, sys; print(json.load(sys.stdin)["subject"])')"
expect_status "--at before any process had the pid: 1" 1 lin --at 2001-01-01T00:00:00Z "$top"

# ---- the tree for people
lin --color never "$top" >"$tmp/tree.txt"
expect_eq "tree: exit 0" 0 "$?"
tree=$(cat "$tmp/tree.txt")
expect_match "the subject marked" "^[^ ]+ >>> +/bin/sh \"$tmp/tree.sh" "$tree"
expect_match "a child's exit status" " exit 3$" "$tree"
expect_match "the subject's exit status" " exit 4$" "$tree"
expect_match "the victim's kill marked" "KILLED +.*clock_nanosleep killed.*policy lineage-kill-victim" "$tree"
expect_match "the victim killed by its signal" "killed by SIGKILL$" "$tree"
expect_match "the hostile argument escaped" '/bin/true "\\"x\\x1b\[2Jy\\u202ez\\nw\\""' "$tree"
expect_eq "no control byte but newlines, no bidi control in the tree" 0 \
	"$(LC_ALL=C tr -d '\n' <"$tmp/tree.txt" | LC_ALL=C grep -c -P '[\x00-\x08\x0b-\x1f\x7f]|\xe2\x80\xae')"
# time order: a process's lines after its own start, children after the lines
# their start follows; indentation: the grandchild one level deeper
expect_eq "the tree's lines in time order below the subject" True "$(python3 - "$tmp/tree.txt" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()[3:]
at = [i for i, l in enumerate(lines) if " >>> " in l][0]
times = [l.split(" ")[0] for l in lines[at:] if l[:1].isdigit()]
print(times == sorted(times))
PY
)"
expect_eq "the grandchild one level (2 columns) deeper than its parent" 2 "$(python3 - "$tmp/tree.txt" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
def indent(l):
    rest = l[31 + 12:]
    return len(rest) - len(rest.lstrip(" "))
parent = [l for l in lines if "/bin/true deep-child; exit 0" in l][0]
child = [l for l in lines if "/bin/true deep-child  (pid" in l][0]
print(indent(child) - indent(parent))
PY
)"
lin --color always "$top" >"$tmp/color.txt"
expect_match "--color always: the marker in red" $'\x1b\\[31mKILLED' "$(cat "$tmp/color.txt")"

# ---- hostile rows: a parent loop ends the walk, and says so
cp "$db" "$tmp/loop.db"
sqlite3 "$tmp/loop.db" "UPDATE processes SET parent_exec_id = '$id' WHERE pid = $$"
timeout 10 "$VETO" lineage --store "$tmp/loop.db" -o json "$id" >"$tmp/loop.json"
expect_eq "a parent_exec_id loop: lineage ends" 0 "$?"
expect_eq "a parent_exec_id loop: said" cycle "$(jget "$tmp/loop.json" 'd["ancestors_end"]')"
expect_eq "a parent_exec_id loop: each process once" True "$(jget "$tmp/loop.json" 'len(p) == len(set(x["exec_id"] for x in p))')"

# ---- a fork bomb's store: 200,000 children of one process; lineage shows
# --max-procs of them and counts the rest (the count stops at 100000+)
sqlite3 "$tmp/loop.db" "BEGIN; INSERT INTO processes(exec_id, pid, binary, start_time) VALUES ('bomb', 1, '/tmp/bomb', 1);
	WITH RECURSIVE i(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM i WHERE v < 200000)
	INSERT INTO processes(exec_id, parent_exec_id, pid, binary, start_time) SELECT 'bomb' || v, 'bomb', v, '/tmp/bomb', v FROM i;
	COMMIT"
timeout 60 "$VETO" lineage --store "$tmp/loop.db" --color never bomb >"$tmp/bomb.txt"
expect_eq "a fork bomb's lineage ends" 0 "$?"
expect_eq "its first 1000 children shown (the default --max-procs)" 1000 "$(grep -v " >>> " "$tmp/bomb.txt" | grep -c "/tmp/bomb  (pid")"
expect_match "the rest counted" '^ +\.\.\. 100000\+ more children and what they started \(--max-procs\)$' "$(cat "$tmp/bomb.txt")"
timeout 60 "$VETO" lineage --store "$tmp/loop.db" -o json --max-procs 10 bomb >"$tmp/bomb.json"
expect_eq "JSON: 10 shown, the rest counted" "11 100000 max_procs" \
	"$(jget "$tmp/bomb.json" '"%d %d %s" % (len(p), p[0]["children_more"], p[0]["children_cut_by"])')"

# ---- errors
expect_status "an unknown exec_id: 1" 1 lin nosuchexecid
expect_match "an unknown exec_id: said" "Error: lineage: $db: nosuchexecid: no process with this exec_id in the store" \
	"$(lin nosuchexecid 2>&1)"
expect_status "a pid not in the store: 1" 1 lin 4000000000
expect_status "--list of a pid not in the store: 1" 1 lin --list 4000000000
expect_status "no store there: 1" 1 "$VETO" lineage --store "$tmp/none.db" "$id"
expect_no_file "no store made by asking" "$tmp/none.db"
echo "not a database" >"$tmp/notes.txt"
expect_match "not a store: said" "Error: lineage: $tmp/notes.txt: file is not a database" \
	"$("$VETO" lineage --store "$tmp/notes.txt" "$id" 2>&1)"
expect_status "no process given: 2" 2 lin
expect_status "a bad -o: 2" 2 lin -o xml "$id"
expect_status "a bad limit: 2" 2 lin --max-depth -1 "$id"
expect_status "--list of an exec_id: 2" 2 lin --list "$id"
expect_status "--at of an exec_id: 2" 2 lin --at 1h "$id"
expect_status "--at not a time: 2" 2 lin --at yesterday "$top"
expect_match "-o json errors are JSON" '^\{"error":"lineage: .*no process' "$(lin -o json nosuchexecid)"
