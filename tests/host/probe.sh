# veto probe on this machine's kernel: LSM refused, tracing works (PLATFORM.md).
. "$(dirname "$0")/lib.sh"

out=$("$VETO" probe) || fail "probe exited $?"
printf '%s\n' "$out"
expect_match "$out" '^kernel +'"$(uname -r)" "text names the running kernel"
expect_match "$out" '^verdict: ' "text ends with a verdict"

json=$("$VETO" probe -o json) || fail "probe -o json exited $?"
python3 -m json.tool >/dev/null <<<"$json" || fail "probe -o json is not JSON"
lsm=$(tr -d '\n' </sys/kernel/security/lsm 2>/dev/null || true)
expect_eq "$(json_get "$json" 'd["lsm"]["active"]')" "$lsm" "json lsm list matches securityfs"
# What the kernel really allows, cross-checked against bpftool where it can say.
if [ "$(json_get "$json" 'd["programs"]["lsm"]["works"]')" = True ]; then
	expect_eq "$(json_get "$json" 'd["verdict"]')" enforce "lsm works -> enforce"
	expect_eq "$(json_get "$json" 'd["lsm_deny"]["works"]')" True "lsm deny test"
else
	expect_eq "$(json_get "$json" 'd["programs"]["lsm"]["errno"]')" EPERM "lsm refused with EPERM (this machine)"
	expect_eq "$(json_get "$json" 'd["verdict"]')" observe "verdict observe"
	expect_eq "$(json_get "$json" 'd["lsm_deny"]["tried"]')" False "deny not tried without lsm"
fi
for k in tp_btf raw_tp tracepoint; do
	expect_eq "$(json_get "$json" "d['programs']['$k']['works']")" True "$k works"
done
expect_eq "$(json_get "$json" 'd["ringbuf"]["works"]')" True "ring buffer works"
expect_eq "$(json_get "$json" 'd["send_signal"]["works"]')" True "bpf_send_signal works"
# the probe leaves nothing loaded behind (the kernel frees programs after an
# RCU grace period, 100-300 ms here: a fast python3 gets here before that)
for _ in $(seq 30); do bpftool prog list 2>/dev/null | grep -q veto_probe || break; sleep 0.1; done
if bpftool prog list 2>/dev/null | grep -q veto_probe; then fail "probe programs left loaded"; fi
pass "no veto_probe programs left"
