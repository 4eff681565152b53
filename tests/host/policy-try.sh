# veto policy try: compile, load and attach on this kernel, then detach.
# Tracepoint policies load here; LSM ones are refused with the kernel's
# reason; nothing stays loaded; text and JSON say the same.
. "$(dirname "$0")/lib.sh"
ex=$VETO_ROOT/examples/policies
corpus=$VETO_ROOT/../shared/corpus/tetragon-policies
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'

out=$("$VETO" policy try "$ex/kill-syscall.yaml"); rc=$?
expect_eq "a tracepoint policy loads here" 0 "$rc"
expect_match "its hooks are listed" "kill-syscall.yaml: loaded: policy kill-syscall: raw_tp/sys_enter$" "$out"
expect_match "summary" "^1 file: 1 loaded, 0 refused$" "$out"

out=$("$VETO" policy try -o json "$ex/kill-syscall.yaml" "$ex/protect-passwd.yaml"); rc=$?
expect_eq "one refused file fails the run" 1 "$rc"
expect_eq "per file" "[True, False]" "$(json_get "$out" '[f["loaded"] for f in d["files"]]')"
lsm_works=$(json_get "$("$VETO" probe -o json)" 'd["programs"]["lsm"]["works"]')
if [ "$lsm_works" = False ]; then
	expect_match "the LSM refusal says why" "loading the policy programs: Operation not permitted.*refuses BPF LSM" "$(json_get "$out" 'd["files"][1]["error"]')"
fi
# the kernel frees a program shortly after its last user is gone
none_loaded() { ! bpftool prog list 2>/dev/null | grep -q 'veto_tp_\|veto_lsm_'; }
wait_until 3 none_loaded || die "programs left loaded"
pass "nothing left loaded"

printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: x\nspec:\n  tracepoints:\n  - subsystem: sched\n    event: no_such_event\n' >"$tmp/x.yaml"
out=$("$VETO" policy try "$tmp/x.yaml"); rc=$?
expect_eq "a missing tracepoint is refused" 1 "$rc"
expect_match "located" "x.yaml:7:16: error: tracepoint sched/no_such_event: this kernel has no such tracepoint" "$out"

if [ -d "$corpus" ]; then
	out=$("$VETO" policy try "$corpus/tracingpolicy__raw_syscalls.yaml" "$corpus/tracingpolicy__list-syscalls-tracepoint.yaml"); rc=$?
	expect_eq "the corpus's tracepoint policies load natively" 0 "$rc"
fi
