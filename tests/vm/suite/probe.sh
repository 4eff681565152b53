#!/bin/sh
# Inside a BPF-LSM VM, veto probe must find that LSM programs load, attach and deny.
set -u
fail() { echo "FAIL: $*"; exit 1; }

out=$(veto probe) || fail "veto probe exited $?"
echo "$out"
echo "$out" | grep -q "^kernel *$(uname -r)\$" || fail "probe does not name the running kernel"
echo "$out" | grep -q '^active LSMs .*bpf.*(bpf present)' || fail "bpf not reported among active LSMs"
echo "$out" | grep -q '^verdict: enforce: ' || fail "verdict is not enforce"

json=$(veto probe -o json) || fail "veto probe -o json exited $?"
for k in lsm tp_btf raw_tp tracepoint; do
	echo "$json" | grep -q "\"$k\":{\"attach\":\"[^\"]*\",\"tried\":true,\"loads\":true,\"works\":true" ||
		fail "$k not reported working in JSON"
done
echo "$json" | grep -q '"lsm_deny":{"tried":true,"loads":true,"works":true' || fail "lsm deny not working in JSON"
echo "$json" | grep -q '"verdict":"enforce"' || fail "JSON verdict is not enforce"
echo "probe: LSM enforcement available on $(uname -r)"
