# A full disk under the store: the batch that does not fit is rolled back
# and kept, writes pause (counted in status), the export goes on; once there
# is room the kept batch and what queued behind it are written: nothing lost.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || skip "no sqlite3"
tmp=$(mktemp -d)
mnt=$(mktemp -d)
cleanup() {
	[ "$VETO_STATUS" -eq 0 ] || cat "$LOG" >&2
	umount "$mnt" 2>/dev/null
	rmdir "$mnt"
	rm -rf "$tmp"
}
on_exit cleanup
mount -t tmpfs -o size=8m,mode=0700 veto-store-full "$mnt" || skip "cannot mount a tmpfs"
db=$mnt/store.db
q() { sqlite3 "$db" "$1"; }
st() { json_get "$(agent_status)" "$1"; }

start_agent "$tmp" --export-file "$tmp/events.json" --store "$db" --no-protect --metrics-address ''
ready() { [ "$(q 'SELECT count(*) FROM events')" -gt 0 ]; }
wait_until 10 ready || die "nothing stored at start"
# every free block taken: the store cannot grow
dd if=/dev/zero of="$mnt/filler" bs=64k 2>/dev/null
note "free on the tmpfs: $(df --output=avail -k "$mnt" | tail -1) KiB"

mark=veto-full-$$
for i in $(seq 600); do /bin/true "$mark-$i"; done
paused() { [ "$(st 'd["store"]["disk_full"]')" = True ]; }
wait_for "status says the disk is full" 20 paused
expect_eq "a full-disk pause is counted" True "$(st 'd["store"]["full_pauses"] >= 1')"
expect_match "the log says so" "store $db: the disk is full: writes paused" "$(cat "$LOG")"
exported() { grep -q -- "\"arguments\":\"$mark-600\"" "$tmp/events.json"; }
wait_for "the export goes on meanwhile" 10 exported
expect_eq "nothing of the burst is in the store yet" 0 \
	"$(q "SELECT count(*) FROM processes WHERE arguments = '$mark-600'" 2>/dev/null || echo 0)"

rm -f "$mnt/filler"
/bin/true "$mark-after"
resumed() { [ "$(q "SELECT count(*) FROM processes WHERE arguments = '$mark-after'")" = 1 ]; }
wait_for "room again: new events arrive in the store" 20 resumed
expect_eq "status: writes going again" False "$(st 'd["store"]["disk_full"]')"
expect_match "the log says they resumed" "store $db: writes resumed" "$(cat "$LOG")"
expect_eq "the burst is all there: the kept batch was written" 600 \
	"$(q "SELECT count(*) FROM processes WHERE arguments LIKE '$mark-%' AND arguments != '$mark-after'")"
stop_agent
expect_eq "a clean stop" 0 "$AGENT_RC"
expect_eq "nothing failed or dropped" "0 0" "$(sed -n 's/.*store .*: [0-9]* events written, \([0-9]*\) dropped (queue full), \([0-9]*\) failed.*/\1 \2/p' "$LOG")"
expect_eq "as many events stored as exported" "$(wc -l <"$tmp/events.json")" "$(q 'SELECT count(*) FROM events')"
expect_eq "integrity" ok "$(q 'PRAGMA integrity_check')"
