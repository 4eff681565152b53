# Any process chooses the bytes of its argv, its binary's name and its cwd:
# invalid UTF-8 there must still give valid JSON lines (each run of invalid
# bytes one U+FFFD, as Tetragon writes it: Go's strings.ToValidUTF8), so no
# process can make its events unreadable.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'

start_agent "$tmp" --export-file "$tmp/events.json"
marker="veto-utf8-$$"
# a stray continuation, an overlong '/', a surrogate, above U+10FFFF, truncated
bad=$(printf 'x\x80y\xc0\xafz\xed\xa0\x80w\xf4\x90\x80\x80v\xe2\x82')
dir="$tmp/cwd-$bad"
mkdir "$dir"
cp /bin/true "$tmp/true-$marker-$bad"
(cd "$dir" && "$tmp/true-$marker-$bad" "$marker" "arg-$bad" "$bad x")
wait_event "$tmp/events.json" "e['process_exit']['process']['arguments'].startswith('$marker ')" ||
	die "no exit event for the program with invalid UTF-8 (or its line is not valid JSON)"

# strict: bytes to UTF-8 with errors, then JSON; every line
python3 - "$tmp/events.json" "$marker" <<'PY' || die "an exported line is not strict UTF-8 JSON"
import json, sys
seen = 0
for n, raw in enumerate(open(sys.argv[1], "rb"), 1):
    e = json.loads(raw.decode("utf-8", "strict"))
    for k in ("process_exec", "process_exit"):
        p = e.get(k, {}).get("process", {})
        if p.get("arguments", "").startswith(sys.argv[2] + " "):
            bad = "x\ufffdy\ufffdz\ufffdw\ufffdv\ufffd"
            assert p["binary"].endswith("-" + bad), p["binary"]
            assert p["cwd"].endswith("/cwd-" + bad), p["cwd"]
            assert p["arguments"] == '%s arg-%s "%s x"' % (sys.argv[2], bad, bad), p["arguments"]
            seen += 1
assert seen == 2, "exec and exit of the program: %d seen" % seen
PY
pass "every exported line is strict UTF-8 JSON; binary, cwd and arguments hold one U+FFFD per run of invalid bytes"

# the compact form too: valid UTF-8 for a terminal
# (stdin a character device: from the agent, not an export on stdin)
"$VETO" getevents --socket "$SOCK" -o compact >"$tmp/compact" 2>&1 </dev/zero &
gpid=$!
wait_until 10 streaming 1
(cd "$dir" && "$tmp/true-$marker-$bad" "$marker-compact" "arg-$bad")
wait_until 10 grep -aq "$marker-compact" "$tmp/compact"
kill "$gpid"; wait "$gpid" 2>/dev/null
grep -aq "$marker-compact" "$tmp/compact" || die "no compact line for the program"
python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8", "strict")' "$tmp/compact" ||
	die "compact output is not valid UTF-8"
pass "compact output is valid UTF-8"
