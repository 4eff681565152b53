# Command-line errors: precise message, non-zero exit, JSON form on -o json.
. "$(dirname "$0")/lib.sh"

out=$("$VETO" nosuchcmd 2>&1); rc=$?
expect_eq "unknown command exit status" 2 "$rc"
expect_match "unknown command message" "^Error: unknown command 'nosuchcmd'" "$out"

out=$("$VETO" -o yaml probe 2>&1); rc=$?
expect_eq "bad output format exit status" 2 "$rc"
expect_match "bad output format message" "unknown output format 'yaml'" "$out"

out=$("$VETO" -o json probe stray 2>/dev/null); rc=$?
expect_eq "stray argument exit status" 2 "$rc"
expect_eq "json error object" "probe: unexpected argument 'stray'" "$(json_get "$out" 'd["error"]')"

out=$("$VETO" --version) || die "--version"
expect_match "version" '^veto [0-9]' "$out"
out=$("$VETO" --help) || die "--help"
expect_match "help lists probe" 'probe' "$out"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$VETO" probe 2>&1); rc=$?
expect_eq "probe as nobody fails" 1 "$rc"
expect_match "probe as nobody says why" 'needs root' "$out"
