# veto agent --store PATH: every event the export gets lands in the store
# too (processes by exec_id with their exit, events with the exported line),
# counted in status and /metrics; a store that cannot be opened, or is not a
# veto store, stops the agent before anything is loaded.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || skip "no sqlite3"
tmp=$(mktemp -d)
cleanup() {
	[ "$VETO_STATUS" -eq 0 ] || cat "$LOG" >&2
	agent_reset
	rm -rf "$tmp"
}
on_exit cleanup
db=$tmp/store.db
q() { sqlite3 "$db" "$1"; }

# ---- refused stores: clear error, non-zero, nothing loaded, file untouched
refused() { # DESC ERE STORE-PATH
	agent_files "$tmp"
	: >"$AGENT_LOG"
	rc=$(run_status "$VETO" agent --socket "$AGENT_SOCK" --lock-file "$AGENT_LOCK" --bpf-dir "$AGENT_BPF_DIR" \
		--export-file "$tmp/refused.json" --store "$3" --no-protect --metrics-address '')
	# run_status discards the output: once more for the message
	"$VETO" agent --socket "$AGENT_SOCK" --lock-file "$AGENT_LOCK" --bpf-dir "$AGENT_BPF_DIR" \
		--export-file "$tmp/refused.json" --store "$3" --no-protect --metrics-address '' 2>"$AGENT_LOG" || true
	expect_eq "$1: exit status" 1 "$rc"
	expect_match "$1: says why" "$2" "$(cat "$AGENT_LOG")"
	expect_no_match "$1: nothing attached or ready" "ready|sensor attached" "$(cat "$AGENT_LOG")"
	expect_no_file "$1: nothing pinned" "$AGENT_BPF_DIR"
	expect_no_file "$1: no socket" "$AGENT_SOCK"
}
mkdir "$tmp/adir"
refused "a directory" "^veto: Error: store $tmp/adir: " "$tmp/adir"
printf 'these are my notes, not a database\n%.0s' $(seq 200) >"$tmp/notes.txt"
sum=$(md5sum <"$tmp/notes.txt")
refused "a text file" "Error: store $tmp/notes.txt: file is not a database" "$tmp/notes.txt"
expect_eq "the text file is untouched" "$sum" "$(md5sum <"$tmp/notes.txt")"
sqlite3 "$tmp/other.db" 'CREATE TABLE accounts(name TEXT); INSERT INTO accounts VALUES ("x")'
refused "another program's database" "not a veto store \(a database with other tables\)" "$tmp/other.db"
expect_eq "its tables are untouched" "accounts" "$(sqlite3 "$tmp/other.db" "SELECT group_concat(name) FROM sqlite_master")"
sqlite3 "$tmp/v9.db" 'PRAGMA user_version = 9'
refused "a store of another schema version" "not a veto store \(schema version 9, want 1\)" "$tmp/v9.db"
refused "a missing folder" "Error: store $tmp/nope/store.db: " "$tmp/nope/store.db"
# a link planted where the store will be: not followed, its target not created
ln -s "$tmp/planted.db" "$tmp/link.db"
refused "a symbolic link" "Error: store $tmp/link.db: " "$tmp/link.db"
expect_no_file "the link's target is not created" "$tmp/planted.db"
expect_fail "--store-max-age without --store" "$VETO" agent --store-max-age 1h
expect_fail "--store-queue-size 0" "$VETO" agent --store "$db" --store-queue-size 0
expect_fail "--store-max-size not a number" "$VETO" agent --store "$db" --store-max-size 1G
expect_no_file "bad flags create no store" "$db"

# ---- the sink
start_agent "$tmp" --export-file "$tmp/events.json" --store "$db" --metrics-address "127.0.0.1:$((20000 + $$ % 30000))" --no-protect
mark=veto-store-$$
/bin/true "$mark-true"
sh -c "exit 3" "$mark-exit3"
(sh -c 'kill -9 $$' "$mark-kill9") 2>/dev/null || true
# end-anchored: the sqlite3 commands' own arguments hold the mark too
stored() {
	[ "$(q "SELECT count(*) FROM processes WHERE (arguments = '$mark-true' OR arguments LIKE '%$mark-exit3'
		OR arguments LIKE '%$mark-kill9') AND exit_time IS NOT NULL")" = 3 ]
}
wait_for "the three processes and their exits are in the store" 10 stored
expect_eq "the store is created readable by root only" 600 "$(stat -c %a "$db")"
expect_eq "exec's binary and arguments" "/bin/true|$mark-true" \
	"$(q "SELECT binary, arguments FROM processes WHERE arguments = '$mark-true'")"
expect_eq "an exit code" "3|" "$(q "SELECT exit_status, exit_signal FROM processes WHERE arguments LIKE '%$mark-exit3'")"
expect_eq "a signal" "|SIGKILL" "$(q "SELECT exit_status, exit_signal FROM processes WHERE arguments LIKE '%$mark-kill9'")"
expect_eq "the parent row is there (this shell)" "1" \
	"$(q "SELECT count(*) FROM processes c JOIN processes p ON p.exec_id = c.parent_exec_id WHERE c.arguments = '$mark-true' AND p.pid = $$")"
expect_eq "exec and exit events point at the process" "process_exec process_exit" \
	"$(q "SELECT group_concat(type, ' ') FROM (SELECT e.type FROM events e JOIN processes p ON p.id = e.proc WHERE p.arguments = '$mark-true' ORDER BY e.time)")"
line=$(q "SELECT json FROM events e JOIN processes p ON p.id = e.proc WHERE p.arguments = '$mark-true' AND e.type = 'process_exec'")
expect_eq "events.json is the exported line" "$line" "$(grep -F "\"arguments\":\"$mark-true\"" "$tmp/events.json" | grep process_exec)"
expect_eq "the processes from /proc are in it (procFS)" "1" "$(q "SELECT count(*) > 0 FROM processes WHERE flags LIKE '%procFS%'")"

st=$(agent_status)
expect_eq "status: store path" "$db" "$(json_get "$st" 'd["store"]["path"]')"
expect_eq "status: nothing dropped or failed" "0 0" "$(json_get "$st" '"%d %d" % (d["store"]["dropped"], d["store"]["failed"])')"
expect_eq "status: a size" "True" "$(json_get "$st" 'd["store"]["size_bytes"] > 0')"
text=$("$VETO" status --socket "$SOCK")
expect_match "veto status shows the store" "^store +$db: [0-9]+ written, 0 errors, 0 dropped" "$text"
port=$(sed -n 's|.*metrics: http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$LOG")
if [ -n "$port" ]; then
	m=$(python3 -c 'import sys,urllib.request; print(urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1]).read().decode())' "$port")
	expect_match "metrics: written" "^veto_store_events_written_total [1-9]" "$m"
	expect_match "metrics: dropped" "^veto_store_events_dropped_total 0$" "$m"
	expect_match "metrics: retention" '^veto_store_retention_deleted_total\{table="events"\} 0$' "$m"
	expect_match "metrics: size" "^veto_store_size_bytes [1-9]" "$m"
else
	note "metrics: no port in the log"
fi
stop_agent
expect_eq "a clean stop" 0 "$AGENT_RC"
# after the stop every event the export wrote is in the store, and counted
expect_eq "as many events stored as exported" "$(wc -l <"$tmp/events.json")" "$(q 'SELECT count(*) FROM events')"
expect_match "the stop says what the store wrote" "store $db: [0-9]+ events written, 0 dropped" "$(cat "$LOG")"
expect_eq "integrity" ok "$(q 'PRAGMA integrity_check')"
expect_eq "WAL mode" wal "$(q 'PRAGMA journal_mode')"


# ---- a store removed under the running agent: said in the log, once
start_agent "$tmp" --export-file "$tmp/events3.json" --store "$tmp/gone.db" --no-protect --metrics-address ''
rm -f "$tmp/gone.db"
said() { grep -q "store $tmp/gone.db: the file was removed or replaced" "$LOG"; }
wait_for "a removed store is noticed" 10 said
/bin/true "$mark-after-rm"
sleep 1.5
expect_eq "and said once" 1 "$(grep -c 'the file was removed or replaced' "$LOG")"
stop_agent
expect_eq "the agent went on and stops cleanly" 0 "$AGENT_RC"
expect_no_file "no new file was made at the path" "$tmp/gone.db"
