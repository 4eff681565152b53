#!/bin/sh
# Inside a BPF-LSM VM, veto probe must find that LSM programs load, attach and deny.
. /veto/lib.sh
set -u

out=$(veto probe) || die "veto probe exited $?"
echo "$out"
expect_match "probe names the running kernel" "^kernel *$(uname -r | sed 's/[.+]/\\&/g')\$" "$out"
expect_match "bpf is reported among active LSMs" '^active LSMs .*bpf.*\(bpf present\)' "$out"
expect_match "verdict is enforce" '^verdict: enforce: ' "$out"

json=$(veto probe -o json) || die "veto probe -o json exited $?"
for k in lsm tp_btf raw_tp tracepoint; do
	expect_match "$k reported working in JSON" "\"$k\":\\{\"attach\":\"[^\"]*\",\"tried\":true,\"loads\":true,\"works\":true" "$json"
done
expect_match "lsm deny working in JSON" '"lsm_deny":\{"tried":true,"loads":true,"works":true' "$json"
expect_match "JSON verdict is enforce" '"verdict":"enforce"' "$json"
