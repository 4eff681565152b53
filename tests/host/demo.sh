# README's first command, scripts/demo, end to end: on this kernel (the
# host part, which depends on what it can do) and in the Debian VM it boots.
# Checked by effect, as the demo shows it: the file unchanged, the shell never
# started, the LSM window closed.
. "$(dirname "$0")/lib.sh"

out=$(cd "$VETO_ROOT" && ./scripts/demo 2>&1); rc=$?
printf '%s\n' "$out" | tail -30
expect_eq "scripts/demo exits 0" 0 "$rc"
expect_match "the writer is killed" "exit status 137" "$out"
expect_match "/etc/passwd unchanged" "/etc/passwd is byte-for-byte unchanged" "$out"
expect_match "the shell in a new pid namespace never starts" "exit status 137 \(the shell never started\)" "$out"
expect_match "the LSM hook leaves no file" "lsm: [0-9]+ of [0-9]+ openers killed, the file created 0 times" "$out"
expect_no_match "every script the demo runs finds its library" "cannot open|not found" "$out"
