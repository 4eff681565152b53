#!/bin/sh
# Every TracingPolicy of the corpus (../shared/corpus/tetragon-policies) that
# uses only what veto supports loads and attaches here; every other one is
# refused before it reaches the kernel, with located errors ("unsupported:"
# for features veto lacks).
# Prints the table docs/enforcement.md shows.
. /veto/lib.sh
[ -d /veto/corpus ] || skip "no corpus beside the project (../shared/corpus)"

printf '| policy file | on %s |\n|---|---|\n' "$(uname -r)"
loaded=0 refused=0
for f in /veto/corpus/*; do
	name=${f##*/}
	out=$(veto policy try "$f" 2>&1) && rc=0 || rc=$?
	if [ "$rc" -eq 0 ]; then
		loaded=$((loaded + 1))
		hooks=$(printf '%s\n' "$out" | sed -n 's/^[^:]*: loaded: policy [^:]*: //p' | head -1)
		printf '| %s | loaded: %s |\n' "$name" "$hooks"
		continue
	fi
	refused=$((refused + 1))
	first=$(printf '%s\n' "$out" | grep -m1 ': error: ' | sed 's/^[^:]*:\([0-9]*\):[0-9]*: error: /line \1: /')
	printf '| %s | %s |\n' "$name" "$(printf '%s' "${first:-$out}" | tr '|' '/' | cut -c1-160)"
	# a refusal must come from veto's checks, never from the verifier or attach
	expect_match "$name: refused before the kernel, located" ':[0-9]+:[0-9]+: error: ' "$out"
	expect_no_match "$name: no kernel failure" 'refused: (loading|attaching|opening|filling)' "$out"
done
note "$loaded loaded, $refused refused"
[ "$loaded" -gt 0 ] || fail "no corpus policy loaded"
