# veto store import: Tetragon's own exports (every file of the corpus,
# pretty-printed ones too) land in the store with their counts by type, one
# process row per exec_id linked to its parent, and the lines as written;
# gzip (rotated backups, several members) and stdin are read the same way;
# a bad line, a damaged file or a store that is not one imports nothing and
# says where; importing again adds nothing.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
on_exit "rm -rf $tmp"
corpus=$VETO_ROOT/../shared/corpus/tetragon-events
I() { "$VETO" store import "$@"; }
files=()
for f in "$corpus"/*.json "$corpus"/*.jsonl; do [ -e "$f" ] && files+=("$f"); done
[ "${#files[@]}" -gt 0 ] || skip "no corpus at $corpus"

# facts FILE...: "type count" lines, then the processes (exec_id parent) the
# files name, from the files themselves (python's JSON reader, one object a
# line or one pretty-printed object a file)
facts() {
	python3 - "$@" <<'PY'
import collections, json, sys
types, procs = collections.Counter(), {}
def objects(path):
    text = open(path, encoding="utf-8", errors="surrogateescape").read()
    if text.lstrip().startswith("{\n"):
        yield json.loads(text)
        return
    for line in text.splitlines():
        if line.strip():
            yield json.loads(line)
for path in sys.argv[1:]:
    for e in objects(path):
        kind = [k for k in e if k not in ("node_name", "time", "veto", "aggregation_info", "cluster_name")][0]
        types[kind] += 1
        inner = e[kind]
        for key in ("process", "parent"):
            p = inner.get(key)
            if p and p.get("exec_id"):
                procs.setdefault(p["exec_id"], None)
                if p.get("parent_exec_id"):
                    procs[p["exec_id"]] = p["parent_exec_id"]
for k in sorted(types):
    print("type", k, types[k])
for e in sorted(procs):
    print("proc", e, procs[e] or "-")
PY
}
# stored DB: the same facts read from the store's tables
stored() {
	python3 - "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
for t, n in db.execute("SELECT type, count(*) FROM events GROUP BY type ORDER BY type"):
    print("type", t, n)
for e, p in db.execute("SELECT exec_id, parent_exec_id FROM processes ORDER BY exec_id"):
    print("proc", e, p or "-")
PY
}
count() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$1" "$2"; }

# each file alone, then all of them in one run
for f in "${files[@]}"; do
	db=$tmp/$(basename "$f").db
	I --store "$db" "$f" >"$tmp/out" 2>"$tmp/err" || die "$(basename "$f"): import failed: $(cat "$tmp/err")"
	expect_eq "$(basename "$f"): events by type and processes (exec_id, parent) as in the file" \
		"$(facts "$f")" "$(stored "$db")"
done
I --store "$tmp/all.db" "${files[@]}" >"$tmp/out" 2>"$tmp/err" || die "import of the corpus failed: $(cat "$tmp/err")"
expect_eq "the whole corpus in one run: events by type, processes" "$(facts "${files[@]}")" "$(stored "$tmp/all.db")"
total=$(facts "${files[@]}" | awk '$1 == "type" { n += $3 } END { print n }')
expect_match "the summary says how many events" "^imported $total events into $tmp/all.db" "$(cat "$tmp/out")"
expect_eq "every event's process is a processes row" 0 \
	"$(count "$tmp/all.db" "SELECT count(*) FROM events WHERE type LIKE 'process_%' AND proc IS NULL")"
expect_eq "an exit recorded on its process (status or signal)" \
	"$(cat "${files[@]}" | grep -c '"process_exit"')" \
	"$(count "$tmp/all.db" "SELECT count(*) FROM processes WHERE exit_time IS NOT NULL")"
expect_eq "a process killed by SIGKILL says so" yes \
	"$(count "$tmp/all.db" "SELECT CASE WHEN count(*) > 0 THEN 'yes' ELSE 'no' END FROM processes WHERE exit_signal = 'SIGKILL'")"
# the lines themselves, as Tetragon wrote them (one a line files)
python3 - "$tmp/all.db" "$corpus"/*.jsonl <<'PY' && pass "each stored line is the file's line, byte for byte" || fail "stored lines differ from the files'"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
stored = sorted(r[0] for r in db.execute("SELECT CAST(json AS BLOB) FROM events"))
want = []
for p in sys.argv[2:]:
    want += [l.rstrip(b"\n") for l in open(p, "rb") if l.strip()]
sys.exit(0 if all(w in stored for w in want) else 1)
PY
out=$("$VETO" -o json store import --store "$tmp/json.db" "${files[@]}")
expect_eq "-o json: the summary" "$total $(facts "${files[@]}" | grep -c '^proc') ${#files[@]}" \
	"$(json_get "$out" '"%d %d %d" % (d["events"], d["processes"], len(d["files"]))')"

# again: nothing new
I --store "$tmp/all.db" "${files[@]}" >"$tmp/out" 2>&1 || fail "importing again failed: $(cat "$tmp/out")"
expect_eq "importing the same files again adds no event" "$total" "$(count "$tmp/all.db" "SELECT count(*) FROM events")"
expect_match "importing again: the copies are said" "copies dropped +$total" "$(cat "$tmp/out")"
expect_eq "importing again: the processes stay one a exec_id" "$(facts "${files[@]}")" "$(stored "$tmp/all.db")"

# gzip: a rotated backup (several members, as cat of backups gives), and stdin
jsonl=("$corpus"/*.jsonl)
for f in "${jsonl[@]}"; do gzip -c "$f"; done >"$tmp/backup.jsonl.gz"
I --store "$tmp/gz.db" "$tmp/backup.jsonl.gz" >/dev/null 2>"$tmp/err" || fail "gzip import failed: $(cat "$tmp/err")"
expect_eq "gzip, several members: what the plain files give" "$(facts "${jsonl[@]}")" "$(stored "$tmp/gz.db")"
I --store "$tmp/gzin.db" <"$tmp/backup.jsonl.gz" >/dev/null 2>"$tmp/err" || fail "gzip on stdin failed: $(cat "$tmp/err")"
expect_eq "gzip on stdin" "$(facts "${jsonl[@]}")" "$(stored "$tmp/gzin.db")"
cat "${jsonl[@]}" | I --store "$tmp/stdin.db" - >/dev/null 2>"$tmp/err" || fail "stdin import failed: $(cat "$tmp/err")"
expect_eq "plain on stdin ('-')" "$(facts "${jsonl[@]}")" "$(stored "$tmp/stdin.db")"
size=$(stat -c %s "$tmp/backup.jsonl.gz")
head -c $((size - 40)) "$tmp/backup.jsonl.gz" >"$tmp/cut.gz"
out=$(I --store "$tmp/cut.db" "$tmp/cut.gz" 2>&1); rc=$?
expect_eq "a cut gzip file: status 1" 1 "$rc"
expect_match "a cut gzip file: said" "cut.gz: gzip data cut short .* after line [0-9]+" "$out"
expect_no_file "a cut gzip file: no store left behind" "$tmp/cut.db"
out=$(I --store "$tmp/cut.db" --skip-bad "$tmp/cut.gz" 2>&1); rc=$?
expect_eq "a cut gzip file, --skip-bad: what could be read is imported" "0 yes" \
	"$rc $(count "$tmp/cut.db" "SELECT CASE WHEN count(*) > 0 THEN 'yes' ELSE 'no' END FROM events")"

# bad lines: all or nothing
good=${jsonl[0]}
n=$(wc -l <"$good")
{ cat "$good"; echo 'not json'; printf '{"process_exec":{"process":{"exec_id":"x"}}}\n'; cat "$good"; } >"$tmp/bad.jsonl"
I --store "$tmp/all.db" "$tmp/bad.jsonl" >/dev/null 2>"$tmp/err"; rc=$?
expect_eq "a bad line: status 1" 1 "$rc"
expect_eq "a bad line: each said with its file, line and column" \
	"Error: $tmp/bad.jsonl:$((n + 1)):1: not a JSON object
Error: $tmp/bad.jsonl:$((n + 2)): process_exec: no time
Error: store import: 2 bad lines: nothing imported (--skip-bad imports the others)" "$(cat "$tmp/err")"
expect_eq "a bad line: nothing imported into the existing store" "$total" "$(count "$tmp/all.db" "SELECT count(*) FROM events")"
I --store "$tmp/new.db" "$good" "$tmp/bad.jsonl" >/dev/null 2>&1
expect_no_file "a bad line in the second file: the new store is not left behind" "$tmp/new.db"
out=$(I --store "$tmp/new.db" <"$tmp/bad.jsonl" 2>&1)
expect_match "stdin: the bad line said as stdin:LINE" "^Error: stdin:$((n + 1)):1: not a JSON object" "$out"
I --store "$tmp/skip.db" --skip-bad "$tmp/bad.jsonl" >"$tmp/out" 2>"$tmp/err"; rc=$?
expect_eq "--skip-bad: status 0, the good lines in (once: the copies dropped)" "0 $n" \
	"$rc $(count "$tmp/skip.db" "SELECT count(*) FROM events")"
expect_match "--skip-bad: the skipped lines said" "Warning: store import: 2 bad lines skipped" "$(cat "$tmp/err")"
python3 -c 'print("{\"x\":\"" + "a" * (1 << 20) + "\"}")' >"$tmp/long.jsonl"
out=$(I --store "$tmp/long.db" "$good" "$tmp/long.jsonl" 2>&1); rc=$?
expect_eq "a line over 1 MiB: status 1, said" "1 Error: $tmp/long.jsonl:1: line longer than 1048576 bytes" \
	"$rc $(printf '%s\n' "$out" | head -1)"
python3 -c 'import sys; sys.stdout.write("{" * (8 << 20))' | I --store "$tmp/long.db" >/dev/null 2>&1
expect_no_file "8 MiB without a newline on stdin: refused" "$tmp/long.db"

# bytes that are no UTF-8 (no exporter writes them: Tetragon and veto write
# U+FFFD): either kept byte for byte, or refused with their place, never
# changed on the way
sed 's|"binary":"/bin/true"|"binary":"/tmp/\xff\xfe"|' "$corpus/vm-6.12-defaults.jsonl" >"$tmp/utf8.jsonl"
grep -q $'\xff' "$tmp/utf8.jsonl" || die "no invalid UTF-8 in the test file"
if I --store "$tmp/utf8.db" "$tmp/utf8.jsonl" >/dev/null 2>"$tmp/err"; then
	"$VETO" getevents --from-store "$tmp/utf8.db" | sort >"$tmp/back"
	sort "$tmp/utf8.jsonl" | cmp -s - "$tmp/back" && pass "invalid UTF-8: kept, read back byte for byte" ||
		fail "invalid UTF-8: lines changed"
else
	col=$(($(head -1 "$tmp/utf8.jsonl" | LC_ALL=C grep -bo $'\xff' | head -1 | cut -d: -f1) + 1))
	expect_match "invalid UTF-8: refused at its line and column" "^Error: $tmp/utf8.jsonl:1:$col: invalid UTF-8" \
		"$(cat "$tmp/err")"
	expect_no_file "invalid UTF-8: refused, nothing imported" "$tmp/utf8.db"
fi

# stores that are not one
echo "not a database" >"$tmp/text.db"
cp "$tmp/text.db" "$tmp/text.orig"
out=$(I --store "$tmp/text.db" "$good" 2>&1); rc=$?
expect_eq "a file that is no database: status 1" 1 "$rc"
expect_match "a file that is no database: said" "^Error: store import: $tmp/text.db: file is not a database" "$out"
cmp -s "$tmp/text.db" "$tmp/text.orig" && pass "a file that is no database: left as it was" || fail "the file was changed"
python3 -c 'import sqlite3,sys; d=sqlite3.connect(sys.argv[1]); d.execute("create table t(x)"); d.commit()' "$tmp/other.db"
out=$(I --store "$tmp/other.db" "$good" 2>&1); rc=$?
expect_eq "another program's database: refused, not given the store's tables" "1 t" \
	"$rc $(python3 -c 'import sqlite3,sys; print(" ".join(r[0] for r in sqlite3.connect(sys.argv[1]).execute("select name from sqlite_master")))' "$tmp/other.db")"
expect_match "another program's database: said" "not a veto store" "$out"
cp "$tmp/all.db" "$tmp/trunc.db"
truncate -s 8192 "$tmp/trunc.db"
out=$(I --store "$tmp/trunc.db" "$good" 2>&1); rc=$?
expect_eq "a truncated store: status 1" 1 "$rc"
expect_match "a truncated store: said" "^Error: store import: .*trunc.db: .*(malformed|not a database)" "$out"
out=$(I --store "$tmp/no/such/dir.db" "$good" 2>&1); rc=$?
expect_eq "a store in a folder that is not there: said" "1 Error: store import: $tmp/no/such/dir.db: its folder $tmp/no/such: No such file or directory" "$rc $out"
out=$(I --store "$tmp/x.db" "$tmp/missing.jsonl" 2>&1); rc=$?
expect_eq "a FILE that is not there: status 1, said" "1 Error: store import: $tmp/missing.jsonl: No such file or directory" "$rc $out"
out=$(I --store "$tmp/x.db" "$tmp" 2>&1); rc=$?
expect_eq "a folder as FILE: refused" "1 Error: store import: $tmp: not a file (a folder)" "$rc $out"
expect_no_file "nothing created for refused runs" "$tmp/x.db"
expect_eq "no subcommand: usage, status 2" 2 "$(run_status "$VETO" store)"
expect_eq "an unknown subcommand: status 2" 2 "$(run_status "$VETO" store frobnicate)"

# many events at one time (crafted or not) and their copies: no quadratic work
python3 - "$tmp/same.jsonl" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(20000):
        f.write('{"process_exec":{"process":{"exec_id":"id-%d","pid":%d,"binary":"/bin/x%d"}},"node_name":"n","time":"2026-01-01T00:00:00Z"}\n' % (i, i + 1, i))
PY
timeout 120 "$VETO" store import --store "$tmp/same.db" "$tmp/same.jsonl" "$tmp/same.jsonl" >/dev/null 2>&1
expect_eq "20,000 events at one instant, imported twice in one run: each once" 20000 \
	"$(count "$tmp/same.db" "SELECT count(*) FROM events")"
ls -l /dev/null | grep -q '^c' || die "/dev/null is no longer a character device"
