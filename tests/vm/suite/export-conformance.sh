#!/bin/sh
# Every exported line of a real run is a valid Tetragon event, and veto's
# events for the operations of Tetragon's own export (../shared/corpus/
# tetragon-events: /bin/true with arguments, a shell exiting 3, a shell
# killed by SIGKILL, `cat /etc/passwd` under its file_open policies) have
# the same keys and types. The VM has no python3: this script runs the
# operations and prints each run's export (gzip, base64) between markers;
# export-conformance.host checks them on the host (vm-run runs it).
. /veto/lib.sh

CORPUS=/veto/tetragon-events
mkdir -p /tmp/vc
# the corpus policies match /usr/bin/cat, a file of its own here as there
[ -e /usr/bin/cat ] && [ ! -L /usr/bin/cat ] || { rm -f /usr/bin/cat; cp /bin/busybox /usr/bin/cat; }
# a busybox copy runs the applet its name says: sleep, under its own path
cp /bin/busybox /tmp/vc/sleep
cat >/tmp/vc/own.yaml <<'YAML'
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: conformance
spec:
  kprobes:
  - call: sys_openat
    syscall: true
    return: true
    args:
    - index: 1
      type: string
    - index: 2
      type: int
    returnArg:
      index: 0
      type: int
    selectors:
    - matchArgs:
      - index: 1
        operator: Prefix
        values: [/tmp/vc/watched]
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
  tracepoints:
  - subsystem: raw_syscalls
    event: sys_enter
    args:
    - index: 4
      type: syscall64
    selectors:
    - matchArgs:
      - index: 0
        operator: InMap
        values: [sys_clock_nanosleep, sys_nanosleep]
      matchBinaries:
      - operator: In
        values: [/tmp/vc/sleep]
      matchActions:
      - action: Sigkill
  lsmhooks:
  - hook: file_open
    args:
    - index: 0
      type: file
    selectors:
    - matchArgs:
      - index: 0
        operator: Prefix
        values: [/tmp/vc/denied]
      matchActions:
      - action: Override
        argError: -1
YAML
echo secret >/tmp/vc/denied

# hostile bytes a process may choose: invalid UTF-8, controls, U+202E
bad=$(printf 'x\200y\300\257z\355\240\200w\364\220\200\200v\342\202c\001\033[31m\177\342\200\256d')
long=$(head -c 5000 /dev/zero | tr '\0' L)
mkdir -p "/tmp/vc/cwd-$bad"
cp /bin/busybox "/tmp/vc/true-$bad"

# corpus_ops: the operations of Tetragon's export, spelled as it ran them
corpus_ops() {
	/bin/true sbs-exec-arg1 "sbs two words"
	sh -c 'exit 3' sbs_exit3
	sh -c 'kill -9 $$' sbs_kill9
	# by its path: busybox sh runs a bare `cat` in itself, without an exec
	/usr/bin/cat /etc/passwd >/dev/null 2>&1
}

# own_ops MARKER: kprobe, tracepoint and LSM events, namespaces, hostile args
own_ops() {
	cat "/tmp/vc/watched-$1-$bad" 2>/dev/null
	nc -w 1 127.0.0.1 9998 </dev/null 2>/dev/null
	/tmp/vc/sleep 5
	cat /tmp/vc/denied 2>/dev/null
	unshare -u -i -n -p -f /bin/true "$1-ns"
	(cd "/tmp/vc/cwd-$bad" && "/tmp/vc/true-$bad" "$1-hostile" "$bad" "$long")
	/bin/true "$1-done"
}

# show NAME: the run's export for the host side, between markers
show() {
	echo "VETO-EXPORT-BEGIN $1"
	gzip -c "$AGENT_EXPORT" | base64
	echo "VETO-EXPORT-END $1"
}

has_flag() { veto agent --help 2>&1 | grep -q -- "$1"; }
credns=
if has_flag --enable-process-cred && has_flag --enable-process-ns; then
	credns="--enable-process-cred --enable-process-ns"
else
	fail "the agent has no --enable-process-cred / --enable-process-ns: the cred-ns runs use the defaults"
fi
vetokey=
if has_flag --export-veto; then vetokey=--export-veto; else fail "the agent has no --export-veto"; fi

# run NAME POLICY ARGS...: one agent, the operations, the export shown
run() {
	_name=$1 _policy=$2
	shift 2
	agent_start --policy "$_policy" --policy /tmp/vc/own.yaml "$@"
	corpus_ops
	own_ops "vc-$_name"
	wait_for "$_name: the last operation's exit is exported" 60 grep -q "vc-$_name-done" "$AGENT_EXPORT"
	agent_stop
	expect_eq "$_name: the agent stops cleanly" 0 "$AGENT_RC"
	# the events the host side's checks need, so that none passes on their absence
	expect_ok "$_name: the corpus policy's event is there" grep -q '"policy_name":"lsm-file-open' "$AGENT_EXPORT"
	expect_ok "$_name: a kprobe event is there" grep -q '"process_kprobe".*"function_name":"__x64_sys_openat"' "$AGENT_EXPORT"
	expect_ok "$_name: a tracepoint event is there" grep -q '"process_tracepoint".*"policy_name":"conformance"' "$AGENT_EXPORT"
	expect_eq "$_name: the LSM denial's event is there" 1 "$(grep '"/tmp/vc/denied"' "$AGENT_EXPORT" | grep -c '"policy_name":"conformance"')"
	show "$_name"
}

[ -d "$CORPUS" ] || skip "no $CORPUS (../shared/corpus/tetragon-events beside the project)"
run defaults "$CORPUS/vm-6.12-policy-override.yaml"
# shellcheck disable=SC2086 # the flags are words
run cred-ns-override "$CORPUS/vm-6.12-policy-override.yaml" $credns
# shellcheck disable=SC2086
run cred-ns-sigkill "$CORPUS/vm-6.12-policy-sigkill.yaml" $credns $vetokey
