# veto probe on this machine's kernel: LSM refused, tracing works (PLATFORM.md).
. "$(dirname "$0")/lib.sh"

out=$("$VETO" probe) || die "probe exited $?"
printf '%s\n' "$out"
expect_match "text names the running kernel" '^kernel +'"$(uname -r)" "$out"
expect_match "text ends with a verdict" '^verdict: ' "$out"

json=$("$VETO" probe -o json) || die "probe -o json exited $?"
python3 -m json.tool >/dev/null <<<"$json" || die "probe -o json is not JSON"
lsm=$(tr -d '\n' </sys/kernel/security/lsm 2>/dev/null || true)
expect_eq "json lsm list matches securityfs" "$lsm" "$(json_get "$json" 'd["lsm"]["active"]')"
# What the kernel really allows, cross-checked against bpftool where it can say.
if [ "$(json_get "$json" 'd["programs"]["lsm"]["works"]')" = True ]; then
	expect_eq "lsm works -> enforce" enforce "$(json_get "$json" 'd["verdict"]')"
	expect_eq "lsm deny test" True "$(json_get "$json" 'd["lsm_deny"]["works"]')"
else
	expect_eq "lsm refused with EPERM (this machine)" EPERM "$(json_get "$json" 'd["programs"]["lsm"]["errno"]')"
	expect_eq "verdict observe" observe "$(json_get "$json" 'd["verdict"]')"
	expect_eq "deny not tried without lsm" False "$(json_get "$json" 'd["lsm_deny"]["tried"]')"
fi
for k in tp_btf raw_tp tracepoint; do
	expect_eq "$k works" True "$(json_get "$json" "d['programs']['$k']['works']")"
done
expect_eq "ring buffer works" True "$(json_get "$json" 'd["ringbuf"]["works"]')"
expect_eq "bpf_send_signal works" True "$(json_get "$json" 'd["send_signal"]["works"]')"
# the probe leaves nothing loaded behind (the kernel frees programs after an
# RCU grace period, 100-300 ms here: a fast python3 gets here before that)
none_loaded() { ! bpftool prog list 2>/dev/null | grep -q veto_probe; }
wait_until 3 none_loaded || die "probe programs left loaded"
pass "no veto_probe programs left"
