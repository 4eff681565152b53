# veto policy try: compile, load and attach on this kernel, then detach.
# Tracepoint policies load here; LSM ones are refused with the kernel's
# reason; nothing stays loaded; text and JSON say the same.
. "$(dirname "$0")/lib.sh"
ex=$VETO_ROOT/examples/policies
corpus=$VETO_ROOT/../shared/corpus/tetragon-policies
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

out=$("$VETO" policy try "$ex/kill-syscall.yaml"); rc=$?
expect_eq "$rc" 0 "a tracepoint policy loads here"
expect_match "$out" "kill-syscall.yaml: loaded: policy kill-syscall: raw_tp/sys_enter$" "its hooks are listed"
expect_match "$out" "^1 file: 1 loaded, 0 refused$" "summary"

out=$("$VETO" policy try -o json "$ex/kill-syscall.yaml" "$ex/protect-passwd.yaml"); rc=$?
expect_eq "$rc" 1 "one refused file fails the run"
expect_eq "$(json_get "$out" '[f["loaded"] for f in d["files"]]')" "[True, False]" "per file"
lsm_works=$(json_get "$("$VETO" probe -o json)" 'd["programs"]["lsm"]["works"]')
if [ "$lsm_works" = False ]; then
	expect_match "$(json_get "$out" 'd["files"][1]["error"]')" "loading the policy programs: Operation not permitted.*refuses BPF LSM" "the LSM refusal says why"
fi
# the kernel frees a program shortly after its last user is gone
for _ in $(seq 30); do
	bpftool prog list 2>/dev/null | grep -q 'veto_tp_\|veto_lsm_' || break
	sleep 0.1
done
bpftool prog list 2>/dev/null | grep -q 'veto_tp_\|veto_lsm_' && fail "programs left loaded"
pass "nothing left loaded"

printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: x\nspec:\n  tracepoints:\n  - subsystem: sched\n    event: no_such_event\n' >"$tmp/x.yaml"
out=$("$VETO" policy try "$tmp/x.yaml"); rc=$?
expect_eq "$rc" 1 "a missing tracepoint is refused"
expect_match "$out" "x.yaml:7:16: error: tracepoint sched/no_such_event: this kernel has no such tracepoint" "located"

if [ -d "$corpus" ]; then
	out=$("$VETO" policy try "$corpus/tracingpolicy__raw_syscalls.yaml" "$corpus/tracingpolicy__list-syscalls-tracepoint.yaml"); rc=$?
	expect_eq "$rc" 0 "the corpus's tracepoint policies load natively"
fi
