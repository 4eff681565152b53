# The store survives kill -9 of the agent in the middle of an exec storm:
# WAL with synchronous=NORMAL keeps the file consistent (PRAGMA
# integrity_check), what was committed is queryable, and an agent started
# again on the same file appends to it.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || skip "no sqlite3"
tmp=$(mktemp -d)
storm=()
cleanup() {
	for p in "${storm[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	[ "$VETO_STATUS" -eq 0 ] || cat "$LOG" >&2
	rm -rf "$tmp"
}
on_exit cleanup
db=$tmp/store.db
q() { sqlite3 "$db" "$1"; }

start_agent "$tmp" --export-file "$tmp/events.json" --store "$db" --no-protect --metrics-address ''
for _ in 1 2; do
	(while :; do /bin/true storm; done) &
	storm+=($!)
done
many() { [ "$(q 'SELECT count(*) FROM events')" -ge 3000 ]; }
wait_for "the storm reaches the store" 60 many
# mid-storm, mid-batch most likely: no chance to finish anything
kill -KILL "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null
AGENT_PID=
for p in "${storm[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
storm=()

expect_eq "integrity_check after kill -9" ok "$(q 'PRAGMA integrity_check')"
before=$(q 'SELECT count(*) FROM events')
last=$(q 'SELECT max(id) FROM events')
note "$before events stored before the kill"
expect_eq "rows are queryable: every event's process is there" 0 \
	"$(q 'SELECT count(*) FROM events e LEFT JOIN processes p ON p.id = e.proc WHERE p.id IS NULL')"
expect_eq "the storm's execs with their binary" 1 \
	"$(q "SELECT count(*) > 100 FROM processes WHERE binary = '/bin/true' OR binary = '/usr/bin/true'")"
expect_eq "the events' lines are whole JSON" 0 "$(q 'SELECT count(*) FROM events WHERE json_valid(json) = 0')"

start_agent "$tmp" --export-file "$tmp/events2.json" --store "$db" --no-protect --metrics-address ''
mark=veto-crash-$$
/bin/true "$mark"
appended() { [ "$(q "SELECT count(*) FROM events e JOIN processes p ON p.id = e.proc WHERE p.arguments = '$mark'")" -ge 2 ]; }
wait_for "the restarted agent appends to the same file" 20 appended
expect_eq "what was there is still there" "$before" "$(q "SELECT count(*) FROM events WHERE id <= $last")"
expect_eq "new rows come after the old ones" 1 "$(q "SELECT min(e.id) > $last FROM events e JOIN processes p ON p.id = e.proc WHERE p.arguments = '$mark'")"
stop_agent
expect_eq "a clean stop" 0 "$AGENT_RC"
expect_eq "integrity_check after the restart" ok "$(q 'PRAGMA integrity_check')"
