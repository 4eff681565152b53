# veto getevents --from-store: a store's events print exactly as the stdin
# mode prints the same export sorted by time (every filter flag, field
# masks, the compact form), --since/--until bound by time (an event at
# --since is in, one at --until is out; RFC 3339 with offsets, durations
# meaning "ago"), and every bad flag or store is an error that creates
# nothing.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
on_exit "rm -rf $tmp"
corpus=$VETO_ROOT/../shared/corpus/tetragon-events
G() { "$VETO" getevents "$@"; }
files=()
for f in "$corpus"/vm-6.12-*.jsonl; do [ -e "$f" ] && files+=("$f"); done
[ "${#files[@]}" -gt 0 ] || skip "no corpus at $corpus"

# the export in time order (a stable sort: equal times keep their order),
# as the store gives it back
by_time() {
	python3 -c '
import json, sys
lines = [l for f in sys.argv[1:] for l in open(f, "rb") if l.strip()]
def ns(t):
    d, _, f = t.rstrip("Z").partition(".")
    import calendar, time
    return calendar.timegm(time.strptime(d, "%Y-%m-%dT%H:%M:%S")) * 10**9 + int((f or "0").ljust(9, "0"))
lines.sort(key=lambda l: ns(json.loads(l)["time"]))
sys.stdout.buffer.write(b"".join(lines))' "$@"
}
# hostile text that ingest takes: escapes, bidi controls, C1 controls
python3 - "$tmp/hostile.jsonl" <<'PY'
import json
with open(__import__("sys").argv[1], "w") as f:
    for i, (b, a) in enumerate([("/tmp/\u001b]0;owned\u0007x", "\u001b[2J\u202etxt.exe \u009b31m"),
                                ("/tmp/new\nline", "a\u0000b")]):
        f.write(json.dumps({"process_exec": {"process": {"exec_id": "h%d" % i, "pid": 900 + i, "binary": b,
                            "arguments": a}}, "node_name": "n", "time": "2026-12-01T23:40:0%dZ" % i}) + "\n")
PY
files+=("$tmp/hostile.jsonl")
"$VETO" store import --store "$tmp/s.db" "${files[@]}" >/dev/null 2>"$tmp/err" || die "import failed: $(cat "$tmp/err")"
by_time "${files[@]}" >"$tmp/sorted.jsonl"
n=$(wc -l <"$tmp/sorted.jsonl")
expect_eq "every imported event is read back" "$n" "$(G --from-store "$tmp/s.db" | wc -l)"

# the same flags, both ways
same() {
	local desc=$1
	shift
	G --from-store "$tmp/s.db" "$@" >"$tmp/store.out" 2>"$tmp/store.err"
	local rs=$?
	G "$@" <"$tmp/sorted.jsonl" >"$tmp/stdin.out" 2>"$tmp/stdin.err"
	local ri=$?
	if [ "$rs $ri" = "0 0" ] && cmp -s "$tmp/store.out" "$tmp/stdin.out"; then
		pass "$desc: $(wc -l <"$tmp/store.out") lines, as the stdin mode prints them"
	else
		fail "$desc: the store printed (status $rs) $(head -c 300 "$tmp/store.out" "$tmp/store.err"), stdin (status $ri) $(head -c 300 "$tmp/stdin.out")"
	fi
}
same "no flag"
same "-o compact" -o compact
same "-o compact --timestamps --color always" -o compact --timestamps --color always
same "-e PROCESS_EXIT,PROCESS_LSM" -e PROCESS_EXIT,PROCESS_LSM
same "--process cat" --process cat
same "--binary /usr/bin/cat -o compact" --binary /usr/bin/cat -o compact
same "--pid" --pid "$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["process_exec"]["process"]["pid"])' "${files[0]}")"
same "--policy-names" --policy-names "$(grep -ho '"policy_name":"[^"]*"' "${files[@]}" | head -1 | cut -d'"' -f4)"
same "--namespace (nothing in a pod)" --namespace default
same "-f process.binary,process.pid" -f process.binary,process.pid
same "-F process.arguments,parent" -F process.arguments,parent
same "-n 3" -n 3
expect_eq "-n 3: three events" 3 "$(G --from-store "$tmp/s.db" -n 3 | wc -l)"
G --from-store "$tmp/s.db" -o compact --process /tmp/ >"$tmp/out"
if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$tmp/out"; then fail "a control character reached the output"; else pass "hostile names: no control character in the compact output"; fi

# time bounds
ev() { # EXEC_ID TIME
	printf '{"process_exec":{"process":{"exec_id":"%s","pid":1,"binary":"/bin/%s"}},"node_name":"n","time":"%s"}\n' "$1" "$1" "$2"
}
{
	ev c 2026-12-01T10:00:02Z
	ev a 2026-12-01T10:00:00Z
	ev b1 2026-12-01T10:00:01.000000001Z
	ev b0 2026-12-01T10:00:01Z
	ev b2 2026-12-01T10:00:01Z
	ev d 2026-12-01T10:00:03.5Z
} >"$tmp/times.jsonl"
"$VETO" store import --store "$tmp/t.db" "$tmp/times.jsonl" >/dev/null || die "import of the timed events failed"
# ids_of DB [FLAGS]: the exec_ids of the events printed
ids_of() {
	local db=$1
	shift
	G --from-store "$db" "$@" | python3 -c '
import json, sys
print(" ".join(json.loads(l)["process_exec"]["process"]["exec_id"] for l in sys.stdin))'
}
ids() { ids_of "$tmp/t.db" "$@"; }
expect_eq "time order; equal times in the order imported" "a b0 b2 b1 c d" "$(ids)"
expect_eq "--since T: an event at T is in" "b0 b2 b1 c d" "$(ids --since 2026-12-01T10:00:01Z)"
expect_eq "--until T: an event at T is out" "a b0 b2" "$(ids --until 2026-12-01T10:00:01.000000001Z)"
expect_eq "--since and --until, to the nanosecond" "b1" \
	"$(ids --since 2026-12-01T10:00:01.000000001Z --until 2026-12-01T10:00:01.000000002Z)"
expect_eq "an offset: the same instant" "c d" "$(ids --since 2026-12-01T11:00:02+01:00)"
expect_eq "a fraction of 3 digits, a lowercase z" "d" "$(ids --since 2026-12-01T10:00:03.500z)"
expect_eq "--since with -e and -n" "b0" "$(ids --since 2026-12-01T10:00:01Z -e PROCESS_EXEC -n 1)"
# durations: that long ago
python3 - "$tmp/ago.jsonl" <<'PY'
import sys, time
now = time.time()
with open(sys.argv[1], "w") as f:
    for name, ago in (("h3", 3 * 3600), ("h1", 3600), ("m1", 60)):
        t = now - ago
        f.write('{"process_exec":{"process":{"exec_id":"%s","pid":1,"binary":"/bin/x"}},"node_name":"n","time":"%s.%09dZ"}\n'
                % (name, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)), int((t % 1) * 1e9)))
PY
"$VETO" store import --store "$tmp/ago.db" "$tmp/ago.jsonl" >/dev/null || die "import of the recent events failed"
ago() { ids_of "$tmp/ago.db" "$@"; }
expect_eq "--since 2h: the last two hours" "h1 m1" "$(ago --since 2h)"
expect_eq "--since 90m --until 30m" "h1" "$(ago --since 90m --until 30m)"
expect_eq "--until 1h30m" "h3" "$(ago --until 1h30m)"

# errors: said, status 2 for flags, 1 for stores; nothing created
err() { # DESC STATUS REGEX ARGS...
	local desc=$1 want=$2 re=$3 out rc
	shift 3
	out=$(G "$@" </dev/null 2>&1); rc=$?
	expect_eq "$desc: status" "$want" "$rc"
	expect_match "$desc: said" "$re" "$out"
}
err "--since without --from-store" 2 "^Error: getevents: --since: only with --from-store" --since 1h
err "--until without --from-store" 2 "^Error: getevents: --until: only with --from-store" --until 2026-12-01T10:00:00Z
err "a month 13" 2 "^Error: getevents: --since: month out of range at byte 6 of '2026-13-01T00:00:00Z'" \
	--from-store "$tmp/t.db" --since 2026-13-01T00:00:00Z
err "February 30" 2 "day out of range at byte 9" --from-store "$tmp/t.db" --until 2026-02-30T00:00:00Z
err "a time without its zone" 2 "expected Z or an offset" --from-store "$tmp/t.db" --since 2026-12-01T10:00:00
err "a date alone" 2 "expected 'T' after the day at byte 11" --from-store "$tmp/t.db" --since 2026-12-01
err "ten fraction digits" 2 "more than 9 fraction digits" --from-store "$tmp/t.db" --since 2026-12-01T10:00:00.1234567890Z
err "a duration in days" 2 "neither an RFC 3339 time .* nor a duration .*unknown unit" --from-store "$tmp/t.db" --since 7d
err "a negative duration" 2 "a sign" --from-store "$tmp/t.db" --since -5m
err "a number alone" 2 "missing unit" --from-store "$tmp/t.db" --since 90
err "--since after --until" 2 "--since is not before --until" --from-store "$tmp/t.db" --since 1h --until 2h
err "--status with --from-store" 2 "--status: not with --from-store" --from-store "$tmp/t.db" --status
err "--socket with --from-store" 2 "--socket: not with --from-store" --from-store "$tmp/t.db" --socket /x
err "an empty path" 2 "an empty path" --from-store ""
err "a store that is not there" 1 "^Error: getevents: --from-store: $tmp/none.db: No such file or directory" --from-store "$tmp/none.db"
expect_no_file "a store that is not there: not created" "$tmp/none.db"
echo "just text" >"$tmp/text.db"
err "a file that is no database" 1 "file is not a database" --from-store "$tmp/text.db"
python3 -c 'import sqlite3,sys; d=sqlite3.connect(sys.argv[1]); d.execute("create table t(x)"); d.commit()' "$tmp/other.db"
err "another program's database" 1 "not a veto store \(schema version 0" --from-store "$tmp/other.db"
# a store big enough to have pages past the cut, cut in the middle
python3 - "$tmp/big.jsonl" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(3000):
        f.write('{"process_exec":{"process":{"exec_id":"b%d","pid":%d,"binary":"/bin/%s"}},"node_name":"n","time":"2026-12-01T10:%02d:%02dZ"}\n'
                % (i, i + 1, "x" * 200, i // 60 % 60, i % 60))
PY
"$VETO" store import --store "$tmp/big.db" "$tmp/big.jsonl" >/dev/null || die "import of the big file failed"
truncate -s $(($(stat -c %s "$tmp/big.db") / 2)) "$tmp/big.db"
err "a truncated store" 1 "(malformed|not a database)" --from-store "$tmp/big.db"

# a live store: the agent writes it (WAL) while getevents reads it; then
# veto's own export, rotated and gzipped, imported into a store of its own
# reads back the same as the agent's store
mkdir "$tmp/agent"
start_agent "$tmp/agent" --export-file "$tmp/agent/events.json" --store "$tmp/live.db" --export-file-max-size-mb 1 --export-file-max-backups 50 \
	--export-file-compress --no-protect --metrics-address ''
mark=veto-gs-$$
/bin/true "$mark"
live() { G --from-store "$tmp/live.db" --process '^/bin/true$' -e PROCESS_EXIT --since 10m | grep -q -- "$mark"; }
wait_for "the agent's store read while the agent writes it" 10 live
for i in $(seq 1500); do /bin/true "$mark-$i"; done
stored_all() { G --from-store "$tmp/live.db" --process '^/bin/true$' -e PROCESS_EXIT | grep -c -- "$mark-" | grep -qx 1500; }
wait_for "1,500 exits in the live store" 30 stored_all
stop_agent
ls "$tmp/agent"/events.json.*.gz >/dev/null 2>&1 && pass "the export rotated into gzip backups" ||
	fail "the export did not rotate: $(ls "$tmp/agent")"
# oldest backup first, then the live file: the order they were written
backups=$(ls "$tmp/agent"/events.json.*.gz | sort -t. -k3 -rn)
# shellcheck disable=SC2086
"$VETO" store import --store "$tmp/imported.db" $backups "$tmp/agent/events.json" >"$tmp/out" 2>&1 ||
	fail "importing veto's own export failed: $(cat "$tmp/out")"
G --from-store "$tmp/live.db" >"$tmp/live.out"
G --from-store "$tmp/imported.db" >"$tmp/imported.out"
cmp -s "$tmp/live.out" "$tmp/imported.out" && pass "veto's rotated export, imported: $(wc -l <"$tmp/live.out") events as the agent stored them" ||
	fail "the imported export and the agent's store differ: $(diff "$tmp/live.out" "$tmp/imported.out" | head -3)"
ls -l /dev/null | grep -q '^c' || die "/dev/null is no longer a character device"
