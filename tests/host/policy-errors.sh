# Every kind of refusal lint reports, each at the exact LINE:COL of the key
# (or value) at fault, never its parent or the list holding it; show refuses
# the same with the same error. Needs VETO; root not needed.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'

hdr=$(policy_head t)
lsm='  lsmhooks:
  - hook: file_open
    args:
    - index: 0
      type: file
    selectors:'

# refused NAME LINE:COL MESSAGE-START BODY: the body under spec: is refused
# by lint and by show, first error at LINE:COL
refused() {
	printf '%s\n%s\n' "$hdr" "$4" >"$tmp/$1.yaml"
	out=$("$VETO" policy lint "$tmp/$1.yaml" 2>&1); rc=$?
	expect_eq "$1: refused" 1 "$rc"
	got=$(printf '%s\n' "$out" | grep -m1 ': error: ' | sed "s|^$tmp/||")
	expect_eq "$1: at its key" "$1.yaml:$2: error: $3" "${got:0:$((${#1} + 6 + ${#2} + 9 + ${#3}))}"
	out=$("$VETO" policy show "$tmp/$1.yaml" 2>&1 >/dev/null); rc=$?
	expect_eq "$1: show refuses it" 1 "$rc"
	expect_match "$1: show says where" "$1.yaml:$2: error: " "$out"
}

refused opt-mode 8:5 "policy-mode must be enforce or monitor" '  options:
  - name: policy-mode
    value: enforcing'
refused opt-bool 8:5 "option disable-kprobe-multi takes true or false" '  options:
  - name: disable-kprobe-multi
    value: maybe'
refused opt-heap 8:5 "uprobe-heap-size must be a positive number" '  options:
  - name: uprobe-heap-size
    value: "0"'
refused opt-unknown 7:5 "unknown option 'polcy-mode' (did you mean 'policy-mode'?)" '  options:
  - name: polcy-mode
    value: enforce'
refused opt-dup 9:5 "option 'policy-mode' is set twice (first at 7:5)" '  options:
  - name: policy-mode
    value: enforce
  - name: policy-mode
    value: monitor'
refused list-dup 10:5 "duplicate list name 'a' (first at 7:5)" '  lists:
  - name: a
    type: syscalls
    values: [openat]
  - name: a
    type: syscalls
    values: [openat]'
refused list-empty 9:5 "list 'a' has no values" '  lists:
  - name: a
    type: syscalls
    values: []'
refused list-novalues 7:5 "list 'a' has no values" '  lists:
  - name: a
    type: syscalls'
refused list-pattern 9:5 "list 'a': pattern belongs to generated_ftrace lists" '  lists:
  - name: a
    type: syscalls
    pattern: x
    values: [openat]'
refused list-name 9:14 "list 'a': 'open at' is not a system call name" '  lists:
  - name: a
    type: syscalls
    values: ["open at"]'
refused list-ftrace 8:11 "unsupported: lists of type generated_ftrace" '  lists:
  - name: a
    type: generated_ftrace
    pattern: "^x"'
refused op-type 14:19 "operator GT is not valid for argument 0 of type file" "$lsm
    - matchArgs:
      - index: 0
        operator: GT
        values: [\"1\"]"
refused no-index 13:9 "matchArgs index 3: no argument with that index" "$lsm
    - matchArgs:
      - index: 3
        operator: Equal
        values: [\"/x\"]"
refused no-values 13:9 "matchArgs: operator Equal needs at least one value" "$lsm
    - matchArgs:
      - index: 0
        operator: Equal"
refused override-noerr 13:9 "Override needs argError" "$lsm
    - matchActions:
      - action: Override"
refused signal-nosig 13:9 "Signal needs argSig" "$lsm
    - matchActions:
      - action: Signal"
refused argerr-positive 14:9 "argError 5 is not a negative errno (-4095..-1): a hook denies with -errno" "$lsm
    - matchActions:
      - action: Override
        argError: 5"
refused argerr-range 14:9 "argError -5000 is not a negative errno (-4095..-1)" "$lsm
    - matchActions:
      - action: Sigkill
        argError: -5000"
refused post-nopost 14:9 "NoPost contradicts the Post at 13:9" "$lsm
    - matchActions:
      - action: Post
      - action: NoPost"
refused isnscap 15:9 "unsupported: isNamespaceCapability" "$lsm
    - matchCapabilities:
      - type: Effective
        operator: In
        isNamespaceCapability: true
        values: [CAP_SYS_ADMIN]"
refused capchanges 12:7 "unsupported: matchCapabilityChanges" "$lsm
    - matchCapabilityChanges:
      - type: Effective
        operator: In
        values: [CAP_SYS_ADMIN]"
refused stacktrace 14:9 "unsupported: kernelStackTrace" "$lsm
    - matchActions:
      - action: Post
        kernelStackTrace: true"
refused follow 14:9 "followChildren works only with operators In and NotIn" "$lsm
    - matchBinaries:
      - operator: Prefix
        followChildren: true
        values: [\"/bin\"]"
refused nsval 15:18 "'abc' is not a namespace inode number or host_ns" "$lsm
    - matchNamespaces:
      - namespace: Pid
        operator: In
        values: [\"abc\"]"
refused podsel 6:3 "unsupported: podSelector" '  podSelector:
    matchLabels:
      app: x
  lsmhooks:
  - hook: file_open'
refused contsel 6:3 "unsupported: containerSelector" '  containerSelector:
    matchLabels:
      app: x
  lsmhooks:
  - hook: file_open'
refused argidx 10:7 "argument index 7 is out of range" '  kprobes:
  - call: fd_install
    syscall: false
    args:
    - index: 7
      type: int'
refused argdup 12:7 "argument index 1 is declared twice (first at 10:7)" '  kprobes:
  - call: fd_install
    syscall: false
    args:
    - index: 1
      type: int
    - index: 1
      type: int'
refused override-kprobe 11:9 "unsupported: Override on a kprobe of fd_install" '  kprobes:
  - call: fd_install
    syscall: false
    selectors:
    - matchActions:
      - action: Override
        argError: -1'
refused override-tp 11:9 "Override cannot work on a tracepoint" '  tracepoints:
  - subsystem: syscalls
    event: sys_enter_openat
    selectors:
    - matchActions:
      - action: Override
        argError: -1'
refused retargs 10:9 "matchReturnArgs needs 'return: true' on the hook" '  lsmhooks:
  - hook: file_open
    selectors:
    - matchReturnArgs:
      - index: 0
        operator: Equal
        values: ["0"]'
refused retactions 11:7 "unsupported: matchReturnActions" '  kprobes:
  - call: fd_install
    syscall: false
    return: true
    selectors:
    - matchReturnActions:
      - action: Post'
refused hook-noprog 7:11 "unsupported: inode_setxattr is not an LSM hook veto can attach to" '  lsmhooks:
  - hook: inode_setxattr'
refused hook-unknown 7:11 "unknown LSM hook 'file_opn' (did you mean 'file_open'?)" '  lsmhooks:
  - hook: file_opn'
refused uprobes 6:3 "unsupported: uprobes" '  uprobes:
  - path: /bin/true
    symbols: [main]'
refused action-unsup 13:17 "unsupported: action GetUrl" "$lsm
    - matchActions:
      - action: GetUrl"
refused template 15:18 "unsupported: template variable" "$lsm
    - matchArgs:
      - index: 0
        operator: Equal
        values: [\"\${HOME}\"]"
refused type-unread 10:7 "unsupported: veto cannot read a skb argument on a kprobe" '  kprobes:
  - call: fd_install
    syscall: false
    args:
    - index: 0
      type: skb'
refused charbuf-match 15:9 "argument 1 has type char_buf: veto reads it for events but cannot filter on it" '  kprobes:
  - call: sys_write
    syscall: true
    args:
    - index: 1
      type: char_buf
      sizeArgIndex: 3
    selectors:
    - matchArgs:
      - index: 1
        operator: Prefix
        values: [x]'

# the kind itself
printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicyNamespaced\nmetadata:\n  name: t\n  namespace: a\nspec:\n  lsmhooks:\n  - hook: file_open\n' >"$tmp/ns.yaml"
out=$("$VETO" policy lint "$tmp/ns.yaml" 2>&1)
expect_match "TracingPolicyNamespaced refused at the kind's value" "ns.yaml:2:7: error: unsupported: TracingPolicyNamespaced" "$out"
