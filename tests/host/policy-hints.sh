# Every lint warning that advises a change: the advice, applied, loads (lint,
# compile stage included, finds the policy valid) and the warning is gone.
# Lint never points at something veto refuses. Needs VETO; root not needed.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'

hdr=$(policy_head hint)
# a selector scoped off the host, so that only the warning under test fires
scope='      matchNamespaces:
      - namespace: Pid
        operator: NotIn
        values: ["host_ns"]'

# hint NAME REGEX: BEFORE and AFTER (policy bodies after spec:) in $before and
# $after. BEFORE gets the warning; AFTER, the advice applied, is valid and
# does not.
hint() {
	printf '%s\n%s\n' "$hdr" "$before" >"$tmp/before.yaml"
	printf '%s\n%s\n' "$hdr" "$after" >"$tmp/after.yaml"
	out=$("$VETO" policy lint "$tmp/before.yaml" 2>&1)
	expect_match "$1: the warning" "before.yaml:[0-9]+:[0-9]+: warning: $2" "$out"
	out=$("$VETO" policy lint "$tmp/after.yaml" 2>&1); rc=$?
	expect_eq "$1: the advice loads" 0 "$rc"
	[ "$rc" = 0 ] || printf '%s\n' "$out" >&2
	expect_no_match "$1: and the warning is gone" "warning: $2" "$out"
}

before='  lsmhooks:
  - hook: file_open
    args:
    - index: 0
      type: file
    selectors:
    - matchArgs:
      - index: 0
        operator: Equal
        values: ["/etc/shadow"]
      matchActions:
      - action: Override
        argError: -1'
after="$before
$scope"
hint "unscoped enforcement: matchNamespaces Pid NotIn host_ns" "Override applies to every process on the node"

before='  lsmhooks:
  - hook: inode_permission
    args:
    - index: 0
      type: inode
    selectors:
    - matchArgs:
      - index: 0
        operator: Equal
        values: ["/etc/passwd"]
      matchActions:
      - action: Override
        argError: -1
'"$scope"
after='  lsmhooks:
  - hook: inode_permission
    args:
    - index: 0
      type: inode
    - index: 1
      type: int
    selectors:
    - matchArgs:
      - index: 0
        operator: Equal
        values: ["/etc/passwd"]
      - index: 1
        operator: Mask
        values: ["2"]
      matchActions:
      - action: Override
        argError: -1
'"$scope"
hint "permission hook without mask: declare index 1 and Mask 2" "inode_permission runs for every access"

# a kill after the fact, on each kind of hook, and the LSM hook named instead
kill_actions='      matchActions:
      - action: Sigkill'
lsm_instead() { # HOOK TYPE VALUE: the LSM hook lint names, denying the same
	after="  lsmhooks:
  - hook: $1
    args:
    - index: 0
      type: $2
    selectors:
    - matchArgs:
      - index: 0
        operator: Equal
        values: [\"$3\"]
      matchActions:
      - action: Override
        argError: -1
$scope"
}
before='  tracepoints:
  - subsystem: syscalls
    event: sys_enter_mkdirat
    args:
    - index: 5
      type: string
    selectors:
    - matchArgs:
      - index: 0
        operator: Equal
        values: ["/tmp/x"]
'"$kill_actions
$scope"
lsm_instead inode_mkdir dentry /tmp/x
after=$(printf '%s\n' "$after" | sed 's/index: 0/index: 1/')
hint "Sigkill on a tracepoint: an LSM hook" "Sigkill on tracepoint syscalls/sys_enter_mkdirat kills the caller but cannot stop"
before='  kprobes:
  - call: sys_mount
    syscall: true
    selectors:
    - matchPIDs:
      - operator: NotIn
        values: ["1"]
'"$kill_actions
$scope"
after='  lsmhooks:
  - hook: sb_mount
    selectors:
    - matchPIDs:
      - operator: NotIn
        values: ["1"]
      matchActions:
      - action: Override
        argError: -1
'"$scope"
hint "Sigkill on a system call: its LSM hook (sb_mount)" "Sigkill on system call sys_mount kills the caller only after the call completes.*\(sb_mount\)"
before='  kprobes:
  - call: fd_install
    syscall: false
    args:
    - index: 1
      type: file
    selectors:
    - matchArgs:
      - index: 1
        operator: Equal
        values: ["/etc/shadow"]
'"$kill_actions
$scope"
lsm_instead file_open file /etc/shadow
hint "Sigkill on a kernel function: its LSM hook (file_open)" "Sigkill on fd_install kills the caller after the function has run.*\(file_open\)"

# file_open creates before it denies: also deny at inode_create (its own
# argument types), and the O_CREAT warning stays on file_open by design
before='  lsmhooks:
  - hook: file_open
    args:
    - index: 0
      type: file
    selectors:
    - matchArgs:
      - index: 0
        operator: Equal
        values: ["/etc/x"]
      matchActions:
      - action: Override
        argError: -1
'"$scope"
printf '%s\n%s\n  - hook: inode_create\n    args:\n    - index: 1\n      type: dentry\n    selectors:\n    - matchArgs:\n      - index: 1\n        operator: Equal\n        values: ["/etc/x"]\n      matchActions:\n      - action: Override\n        argError: -1\n%s\n' \
	"$hdr" "$before" "$scope" >"$tmp/create.yaml"
out=$("$VETO" policy lint "$tmp/create.yaml" 2>&1); rc=$?
expect_eq "file_open: the advised inode_create loads beside it" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out" >&2

before='  lsmhooks:
  - hook: bprm_check_security
    args:
    - index: 0
      type: linux_binprm
    selectors:
    - matchBinaries:
      - operator: In
        values: ["/bin/bash"]
      matchActions:
      - action: Post
'
after='  lsmhooks:
  - hook: bprm_check_security
    args:
    - index: 0
      type: linux_binprm
    selectors:
    - matchArgs:
      - index: 0
        operator: Postfix
        values: ["/sh", "/bash"]
      matchActions:
      - action: Post
'
hint "matchBinaries on an exec hook: linux_binprm with Postfix" "matchBinaries matches the process calling"

ns_before() { # OPERATOR VALUE
	before="  lsmhooks:
  - hook: file_open
    selectors:
    - matchNamespaces:
      - namespace: Pid
        operator: $1
        values: [\"$2\"]
      matchActions:
      - action: Post"
}
ns_before NotIn 1
after=$(printf '%s\n' "$before" | sed 's/"1"/"host_ns"/')
hint "namespace 1 in NotIn: host_ns" "'1' is not a namespace: .*NotIn"
ns_before In 1
after=$(printf '%s\n' "$before" | sed 's/"1"/"host_ns"/')
hint "namespace 1 in In: host_ns" "'1' is not a namespace: .*In \[\"1\"\] matches nothing"

sigkill_err() { # HOOK-BLOCK: Sigkill with argError on it
	before="$1
      matchActions:
      - action: Sigkill
        argError: -13
$scope"
	after="$1
      matchActions:
      - action: Sigkill
      - action: Override
        argError: -13
$scope"
}
sigkill_err '  lsmhooks:
  - hook: file_open
    args:
    - index: 0
      type: file
    selectors:
    - matchArgs:
      - index: 0
        operator: Equal
        values: ["/etc/x"]'
hint "argError on Sigkill at an LSM hook: a separate Override" "argError has no effect on Sigkill in Tetragon"
before='  kprobes:
  - call: sys_mount
    selectors:
    - matchPIDs:
      - operator: NotIn
        values: ["1"]
      matchActions:
      - action: Sigkill
        argError: -1
'"$scope"
out=$(printf '%s\n%s\n' "$hdr" "$before" | "$VETO" policy lint - 2>&1)
expect_match "argError on Sigkill off an LSM hook" "argError has no effect on Sigkill: the call completes" "$out"
expect_no_match "advises no Override where Override is refused" "add a separate '- action: Override'" "$out"

before='  lsmhooks:
  - hook: file_open
    args:
    - index: 0
      type: file
    selectors:
    - matchArgs:
      - index: 0
        operator: Equal
        values: ["/etc/x"]
      matchActions:
      - action: Override
        argError: 0
'"$scope"
after=$(printf '%s\n' "$before" | sed 's/argError: 0/argError: -1/')
hint "Override with argError 0: -1" "Override with argError 0 lets the operation succeed"

rel_before() { # OPERATOR VALUE
	before="  lsmhooks:
  - hook: file_open
    args:
    - index: 0
      type: file
    selectors:
    - matchArgs:
      - index: 0
        operator: $1
        values: [\"$2\"]
      matchActions:
      - action: Post"
}
rel_before Prefix .bashrc
after=$(printf '%s\n' "$before" | sed 's/operator: Prefix/operator: Postfix/')
hint "relative path: Postfix" "'.bashrc' can never match: path arguments are absolute paths"
long=$(printf '/%0300d' 0)
rel_before Equal "$long"
after=$(printf '%s\n' "$before" | sed "s|$long|/${long:1:200}|")
hint "value longer than the kernel compares: shortened" "this 301-byte value can never match"

before='  kprobes:
  - call: tcp_connect
    args:
    - index: 0
      type: sock'
after="$before
    syscall: false"
hint "syscall defaults to true: syscall: false" "syscall defaults to true, but tcp_connect is not a system call"
before='  kprobes:
  - call: sys_mount
    syscall: false'
after=$(printf '%s\n' "$before" | sed 's/syscall: false/syscall: true/')
hint "sys_ function with syscall false: syscall: true" "sys_mount is a system call but syscall is false"
before='  kprobes:
  - call: sys_mount
    returnArg:
      index: 0
      type: int'
after="$before
    return: true"
hint "returnArg without return: return: true" "returnArg has no effect without 'return: true'"

before='  lsmhooks:
  - hook: file_open'
hdr_ns=$(printf '%s\n' "$hdr" | sed 's/^  name: hint$/  name: hint\n  namespace: team-a/')
printf '%s\n%s\n' "$hdr_ns" "$before" >"$tmp/ns.yaml"
out=$("$VETO" policy lint "$tmp/ns.yaml" 2>&1)
expect_match "metadata.namespace on a TracingPolicy" "warning: metadata.namespace does not limit a TracingPolicy" "$out"
expect_no_match "advises no TracingPolicyNamespaced (refused)" "use kind TracingPolicyNamespaced" "$out"
printf '%s\n%s\n' "$hdr" "$before" >"$tmp/ns.yaml"
out=$("$VETO" policy lint "$tmp/ns.yaml" 2>&1); rc=$?
expect_eq "metadata.namespace dropped: valid" 0 "$rc"
expect_no_match "and the warning is gone" "metadata.namespace" "$out"

# the shell block: an earlier Post selector, or matchBinaries NotIn
shell_sel='    - matchArgs:
      - index: 0
        operator: Postfix
        values: ["/sh"]
      matchActions:
      - action: Override
        argError: -1
'"$scope"
shell_hook='  lsmhooks:
  - hook: bprm_check_security
    args:
    - index: 0
      type: linux_binprm
    selectors:'
before="$shell_hook
$shell_sel"
after="$shell_hook
    - matchParentBinaries:
      - operator: In
        values: [\"/usr/bin/containerd-shim\"]
      matchActions:
      - action: Post
$shell_sel"
hint "shell block: an earlier Post selector" "this blocks shell execution with no allowlist"
after="$shell_hook
$shell_sel
      matchBinaries:
      - operator: NotIn
        values: [\"/usr/bin/kubelet\"]"
hint "shell block: matchBinaries NotIn" "this blocks shell execution with no allowlist"

# no lint message names a feature veto refuses
for f in podSelector containerSelector TracingPolicyNamespaced isNamespaceCapability matchReturnActions \
	matchCapabilityChanges matchNamespaceChanges; do
	n=$(strings "$VETO" | grep -E "^.{20,}" | grep -F -- "$f" | grep -c -E "use |add |scope it|exempt|or a ")
	expect_eq "no advice towards $f" 0 "$n"
done
