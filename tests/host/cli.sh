# Command-line errors: precise message, non-zero exit, JSON form on -o json.
. "$(dirname "$0")/lib.sh"

out=$("$VETO" nosuchcmd 2>&1); rc=$?
expect_eq "$rc" 2 "unknown command exit status"
expect_match "$out" "^Error: unknown command 'nosuchcmd'" "unknown command message"

out=$("$VETO" -o yaml probe 2>&1); rc=$?
expect_eq "$rc" 2 "bad output format exit status"
expect_match "$out" "unknown output format 'yaml'" "bad output format message"

out=$("$VETO" -o json probe stray 2>/dev/null); rc=$?
expect_eq "$rc" 2 "stray argument exit status"
expect_eq "$(json_get "$out" 'd["error"]')" "probe: unexpected argument 'stray'" "json error object"

out=$("$VETO" --version) || fail "--version"
expect_match "$out" '^veto [0-9]' "version"
out=$("$VETO" --help) || fail "--help"
expect_match "$out" 'probe' "help lists probe"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$VETO" probe 2>&1); rc=$?
expect_eq "$rc" 1 "probe as nobody fails"
expect_match "$out" 'needs root' "probe as nobody says why"
