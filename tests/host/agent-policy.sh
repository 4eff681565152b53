# LSM policies on this machine's kernel: where BPF LSM programs are refused,
# `veto agent --policy` says so and loads nothing; bad policy files get
# located errors; nothing is half loaded.
. "$(dirname "$0")/lib.sh"
ex=$VETO_ROOT/examples/policies
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'
bpfdir=/sys/fs/bpf/veto-test-$(basename "$tmp" | tr . _)

run_agent() { # ARGS...: the agent must stop by itself (it refuses to start)
	timeout 60 "$VETO" agent --socket "$tmp/veto.sock" --lock-file "$tmp/agent.lock" --bpf-dir "$bpfdir" --export-file "$tmp/ev.json" "$@" 2>"$tmp/log"
}

lsm_works=$(json_get "$("$VETO" probe -o json)" 'd["programs"]["lsm"]["works"]')
if [ "$lsm_works" = False ]; then
	run_agent --policy "$ex/protect-passwd.yaml"; rc=$?
	cat "$tmp/log"
	expect_eq "agent refuses to start" 1 "$rc"
	expect_match "the reason names the kernel's refusal" \
		"Error: no policy loaded: policy protect-passwd: loading the policy programs: Operation not permitted.*this kernel refuses BPF LSM programs: see 'veto probe'" "$(cat "$tmp/log")"
	# programs are freed shortly after their last user exits
	none_loaded() { ! bpftool prog list 2>/dev/null | grep -q 'veto_'; }
	wait_until 5 none_loaded || die "programs left loaded"
	pass "nothing left loaded"
elif [ "$lsm_works" = True ]; then
	pass "this kernel runs BPF LSM: refusal not applicable (the VM tests cover enforcement)"
else
	die "veto probe did not say whether LSM programs work: '$lsm_works'"
fi

# one bad file among good ones: nothing is loaded, every error is located
mkdir "$tmp/pols"
cp "$ex/audit-tmp-reads.yaml" "$tmp/pols/a.yaml"
printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: bad\nspec:\n  lsmhooks:\n  - hook: file_opn\n' >"$tmp/pols/b.yaml"
run_agent --policy "$tmp/pols"; rc=$?
expect_eq "a folder with a bad file is refused" 1 "$rc"
expect_match "located error" "$tmp/pols/b.yaml:7:11: error: .*file_opn" "$(cat "$tmp/log")"
expect_match "all or nothing" "Error: no policy loaded" "$(cat "$tmp/log")"
# what is not a regular file in a folder: refused at start-up, by name (a FIFO
# used to hang the agent until SIGKILL)
rm "$tmp/pols/b.yaml"
mkfifo "$tmp/pols/x.yaml"
mkdir "$tmp/pols/d.yaml"
run_agent --policy "$tmp/pols"; rc=$?
expect_eq "a folder with a FIFO is refused, not waited on" 1 "$rc"
expect_match "the FIFO is named" "$tmp/pols/x.yaml: error: not a regular file \(a FIFO\)" "$(cat "$tmp/log")"
expect_match "the file is named, not its folder" "$tmp/pols/d.yaml: error: cannot read: Is a directory" "$(cat "$tmp/log")"

# a hook veto has no program for is refused as unsupported, at its line
printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: r\nspec:\n  lsmhooks:\n  - hook: inode_setxattr\n' >"$tmp/r.yaml"
run_agent --policy "$tmp/r.yaml"; rc=$?
expect_eq "unsupported hook refused" 1 "$rc"
expect_match "unsupported hook located" "r.yaml:7:11: error: unsupported: inode_setxattr is not an LSM hook veto can attach to" "$(cat "$tmp/log")"

# a namespaced policy is never applied to the whole node
printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicyNamespaced\nmetadata:\n  name: n\n  namespace: prod\nspec:\n  lsmhooks:\n  - hook: file_open\n' >"$tmp/n.yaml"
run_agent --policy "$tmp/n.yaml"; rc=$?
expect_eq "namespaced policy refused" 1 "$rc"
expect_match "namespaced refusal says why" "unsupported: TracingPolicyNamespaced: veto cannot tell pods apart" "$(cat "$tmp/log")"

run_agent --policy "$tmp/missing.yaml"; rc=$?
expect_eq "missing file refused" 1 "$rc"
expect_match "missing file named" "missing.yaml.*No such file or directory" "$(cat "$tmp/log")"
