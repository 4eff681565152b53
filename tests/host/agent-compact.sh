# The same events printed three ways are the same lines: getevents -o compact
# live from the agent, and getevents -o compact reading the agent's export
# file afterwards (one renderer). The export's filters: --export-allowlist,
# --export-denylist (wins) and --field-filters change what is written; a bad
# filter stops the agent before it starts.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
on_exit "rm -rf $tmp"
mark=veto-compact-$$

# a bad filter: refused, with the flag, the line and the key
out=$("$VETO" agent --socket "$tmp/s" --lock-file "$tmp/l" --export-file "$tmp/no" \
	--export-allowlist $'{"event_set":["PROCESS_EXEC"]}\n{"binary_regex":["("]}' 2>&1); rc=$?
expect_eq "bad allowlist: usage error" 2 "$rc"
expect_match "bad allowlist: flag, line, key" "^Error: agent: --export-allowlist:2: 'binary_regex': bad regular expression" "$out"
expect_no_file "bad allowlist: nothing started" "$tmp/no"
out=$("$VETO" agent --socket "$tmp/s" --lock-file "$tmp/l" --field-filters '{"fields":"process.pid","action":"KEEP"}' 2>&1)
expect_match "bad field filter: named" "^Error: agent: --field-filters:1: 'action': expected INCLUDE or EXCLUDE" "$out"

extra=()
"$VETO" agent --help 2>&1 | grep -q -- --export-veto && extra=(--export-veto)
# exec and exit of the marked processes only; never those of /bin/false;
# their parent's fields dropped
start_agent "$tmp" --export-file "$tmp/events.json" "${extra[@]}" \
	--export-allowlist "{\"arguments_regex\":[\"$mark\"]}" \
	--export-denylist '{"binary_regex":["^/(usr/)?bin/false$"]}' \
	--field-filters '{"fields":"parent","action":"EXCLUDE"}'
# stdin a character device: from the agent (a file or a pipe is an export)
"$VETO" getevents --socket "$SOCK" -o compact --process '^/(usr/)?bin/(true|false)$' </dev/zero >"$tmp/live" 2>&1 &
g=$!
wait_until 10 streaming 1 || die "getevents is not streaming"
/bin/true "$mark" plain
/bin/true "$mark" "two words" "$(printf '\033[2J\342\200\256')" "$(printf 'x\377y')"
/bin/false "$mark" denied || :
/bin/true unmarked
wait_event "$tmp/events.json" "e['process_exit']['process']['arguments'].startswith('$mark \"two')" ||
	die "the export lacks the second exit"
wait_until 10 grep -q "unmarked" "$tmp/live" || die "the live client lacks the last exit"
sleep 0.2
kill $g; wait $g 2>/dev/null
stop_agent

grep -a -e "$mark" "$tmp/live" | grep -v /bin/false | grep -v unmarked >"$tmp/live.marked"
"$VETO" getevents -o compact --process '^/(usr/)?bin/(true|false)$' <"$tmp/events.json" >"$tmp/file" ||
	die "rendering the export failed"
expect_eq "4 marked lines live (exec and exit of two runs)" 4 "$(wc -l <"$tmp/live.marked")"
if cmp -s "$tmp/live.marked" "$tmp/file"; then
	pass "live compact lines equal the export rendered from stdin"
else
	fail "live and stdin differ: $(diff "$tmp/live.marked" "$tmp/file" | head -6)"
fi
# (the test's own tools with the mark in their arguments are exported too)
python3 - "$tmp/events.json" "$mark" <<'PY' && pass "allowlist: only marked processes exported" || fail "allowlist: an unmarked process exported"
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    p = [v for k, v in e.items() if k.startswith("process_")][0]["process"]
    assert sys.argv[2] in p.get("arguments", ""), p
PY
expect_eq "allowlist: the marked /bin/true runs exported" 4 "$(grep -c '/true"' "$tmp/events.json")"
expect_eq "denylist wins: /bin/false is not exported" 0 "$(grep -c '/false"' "$tmp/events.json")"
expect_eq "field filter: no parent exported" 0 "$(grep -c '"parent"' "$tmp/events.json")"
grep -q '"parent":' "$tmp/live" && fail "the live client got field-filtered events too (the filters are the export's)"
python3 - "$tmp/events.json" <<'PY' || die "the export is not strict JSON lines"
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    assert "parent" not in e.get("process_exec", {}), e
PY
pass "the filtered export is strict JSON lines"
expect_match "hostile argv: escaped, one word" \
	"^🚀 process [^ ]+ /bin/true \"$mark \\\\\"two words\\\\\" \\\\x1b\\[2J\\\\u202e x�y\"" "$(cat "$tmp/file")"
