#!/bin/sh
# kprobes on functions that are not LSM hooks: a syscall with a return probe
# (matchReturnArgs sees the value), a kernel function reading a struct sock,
# and a Sigkill that kills but cannot stop the call.
. /veto/lib.sh

cat > /tmp/kprobes.yaml <<'YAML'
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: kprobes
spec:
  kprobes:
  - call: sys_openat
    syscall: true
    return: true
    args:
    - index: 1
      type: string
    returnArg:
      index: 0
      type: int
    selectors:
    - matchArgs:
      - index: 1
        operator: Prefix
        values: [/tmp/kp-]
      matchReturnArgs:
      - index: 0
        operator: LT
        values: [0]
  - call: tcp_connect
    syscall: false
    args:
    - index: 0
      type: sock
    selectors:
    - matchArgs:
      - index: 0
        operator: DPort
        values: [9998]
  - call: sys_mkdir
    syscall: true
    args:
    - index: 0
      type: string
    selectors:
    - matchArgs:
      - index: 0
        operator: Equal
        values: [/tmp/kp-killed]
      matchActions:
      - action: Sigkill
YAML

echo here > /tmp/kp-present
agent_start --export-veto --policy /tmp/kprobes.yaml
expect_match "the agent attaches a kprobe and its return probe" \
	"enforcing on kprobe\+kretprobe/__x64_sys_openat \(veto_kp_0, veto_kr_0\)" "$(cat "$AGENT_LOG")"
expect_fail "opening a missing file fails" cat /tmp/kp-missing
expect_eq "opening an existing file works" here "$(cat /tmp/kp-present)"
nc -l -p 9998 >/dev/null 2>&1 &
nc_pid=$!
wait_until 30 listening 9998 || die "nc does not listen on port 9998"
echo hi | nc 127.0.0.1 9998 >/dev/null 2>&1
kill "$nc_pid" 2>/dev/null
expect_eq "mkdir of the watched path is killed" 137 "$(run_status mkdir /tmp/kp-killed)"
expect_file "the directory exists: a kprobe kill comes after the call" /tmp/kp-killed
expect_eq "another mkdir is untouched" 0 "$(run_status mkdir /tmp/kp-other)"
# the last event expected; stopping drains whatever came after it
wait_until 30 grep -q '"string_arg":"/tmp/kp-killed"' "$AGENT_EXPORT"
agent_stop

ev=$(events_with '"function_name":"__x64_sys_openat"')
expect_match "the failed open is reported with its return value" \
	'"args":\[\{"string_arg":"/tmp/kp-missing"\}\],"return":\{"int_arg":-2\}' "$ev"
expect_no_match "the successful open is filtered out by matchReturnArgs" 'kp-present' "$ev"
ev=$(events_with '"function_name":"tcp_connect"')
expect_match "tcp_connect's sock argument: addresses and ports" \
	'"sock_arg":\{"family":"AF_INET","type":"SOCK_STREAM","protocol":"IPPROTO_TCP","saddr":"127.0.0.1","daddr":"127.0.0.1","sport":[0-9]+,"dport":9998,"state":"TCP_[A-Z_]+"\}' "$ev"
ev=$(events_with '"function_name":"__x64_sys_mkdir"')
expect_match "the kill is reported, and that the call completed" \
	'"string_arg":"/tmp/kp-killed".*"action":"KPROBE_ACTION_SIGKILL".*"killed":true,"call_completes":true' "$ev"
expect_no_match "no event for the other mkdir" 'kp-other' "$ev"
