# Retention while the agent runs: --store-max-age deletes events older than
# the age and the exited processes nothing refers to any more;
# --store-max-size keeps the file's size bounded under an exec storm (freed
# pages are reused: the file stops growing), the newest events kept.
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
st() { json_get "$(agent_status)" "$1"; }

# ---- by age
db=$tmp/age.db
q() { sqlite3 "$db" "$1"; }
start_agent "$tmp" --export-file "$tmp/events.json" --store "$db" --store-max-age 4s --no-protect --metrics-address ''
old=veto-old-$$ new=veto-new-$$
sh -c '/bin/true "$1"' sh "$old"
has() { [ "$(q "SELECT count(*) FROM processes WHERE arguments = '$1'")" = "$2" ]; }
wait_for "the old process is stored" 10 has "$old" 1
sleep 5
/bin/true "$new"
gone() { has "$old" 0; }
wait_for "past the age: the old process and its events are deleted" 10 gone
wait_for "the new one is kept" 10 has "$new" 1
expect_eq "no event older than the age is left (2 s of slack)" 0 \
	"$(q "SELECT count(*) FROM events WHERE time < (strftime('%s','now') - 6) * 1000000000")"
expect_eq "running processes stay (this shell)" 1 "$(q "SELECT count(*) FROM processes WHERE pid = $$ AND exit_time IS NULL")"
expect_eq "status counts what retention deleted" True \
	"$(st 'd["store"]["retention_deleted_events"] > 0 and d["store"]["retention_deleted_processes"] > 0')"
expect_eq "no event points at a deleted process" 0 \
	"$(q 'SELECT count(*) FROM events e LEFT JOIN processes p ON p.id = e.proc WHERE e.proc IS NOT NULL AND p.id IS NULL')"
stop_agent

# ---- by size: 2 MB under a storm of many times that
db=$tmp/size.db
start_agent "$tmp" --export-file "$tmp/events2.json" --export-max-size 0 --store "$db" --store-max-size 2 \
	--no-protect --metrics-address ''
for _ in 1 2; do
	(while :; do /bin/true storm; done) &
	storm+=($!)
done
sizes=()
for _ in $(seq 12); do
	sleep 1
	sizes+=("$(stat -c %s "$db")")
done
for p in "${storm[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
storm=()
/bin/true "$new-size"
wait_for "the newest event is kept" 10 has "$new-size" 1
exported=$(wc -c <"$tmp/events2.json")
note "exported $exported bytes; the store's file each second: ${sizes[*]}"
expect_eq "the storm exported far more than the bound" True "$([ "$exported" -gt $((6 << 20)) ] && echo True || echo False)"
max=0
for s in "${sizes[@]}" "$(stat -c %s "$db")"; do [ "$s" -gt "$max" ] && max=$s; done
expect_eq "the file stays within the bound and a batch (3 MiB)" True "$([ "$max" -le $((3 << 20)) ] && echo True || echo False)"
expect_eq "status counts the deleted events" True "$(st 'd["store"]["retention_deleted_events"] > 1000')"
expect_eq "pages freed are reused" True "$(st 'd["store"]["size_bytes"] <= 3 * 1048576')"
stop_agent
expect_eq "integrity" ok "$(q 'PRAGMA integrity_check')"
