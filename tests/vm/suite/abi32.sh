#!/bin/sh
# A 32-bit caller's syscall numbers are its own (i386), never the x86-64
# ones, on every kernel of the matrix (the host may not run i386 programs).
# abi32 makes i386 syscall 39 (mkdir; x86-64's getpid), then i386 getpid
# (20), then exits 7.
. /veto/lib.sh

cp /usr/local/bin/abi32 /tmp/abi32
cp /usr/local/bin/abi32 /tmp/abi32-i386
expect_eq "this kernel runs i386 programs" 7 "$(run_status /tmp/abi32)"
cat > /tmp/abi32.yaml <<'YAML'
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: abi32
spec:
  tracepoints:
  - subsystem: raw_syscalls
    event: sys_enter
    raw: true
    args:
    - index: 1
      type: syscall64
    selectors:
    - matchArgs:
      - index: 0
        operator: Equal
        values: [sys_getpid]
      matchBinaries:
      - operator: In
        values: [/tmp/abi32]
      matchActions:
      - action: Sigkill
  - subsystem: raw_syscalls
    event: sys_enter
    args:
    - index: 4
      type: syscall64
    selectors:
    - matchArgs:
      - index: 0
        operator: InMap
        values: [__ia32_sys_getpid, __ia32_sys_getppid]
      matchBinaries:
      - operator: In
        values: [/tmp/abi32-i386]
      matchActions:
      - action: Sigkill
YAML
agent_start --policy /tmp/abi32.yaml
expect_eq "a 32-bit caller's syscall 39 (i386 mkdir) does not match x86-64 getpid" 7 "$(run_status /tmp/abi32)"
expect_eq "a 32-bit caller's i386 getpid matches __ia32_sys_getpid: killed" 137 "$(run_status /tmp/abi32-i386)"
agent_stop
