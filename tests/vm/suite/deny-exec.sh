#!/bin/sh
# A minimal LSM program built by the project denies an exec: the targeted
# child's exec fails with EPERM and its command never runs; a control child's
# identical exec runs. Twice, to check attach/detach leaves nothing behind.
set -u
fail() { echo "FAIL: $*"; exit 1; }

for round in 1 2; do
	rm -f /tmp/target /tmp/control
	out=$(deny-exec /bin/sh -c 'touch /tmp/$VETO_RUN' 2>&1)
	rc=$?
	echo "round $round: $out"
	[ ! -e /tmp/target ] || fail "round $round: the denied command ran (/tmp/target exists)"
	[ -e /tmp/control ] || fail "round $round: the control command did not run"
	echo "$out" | grep -q '^target: Operation not permitted$' || fail "round $round: target did not get EPERM"
	[ "$rc" -eq 0 ] || fail "round $round: deny-exec exited $rc"
done
# once detached, the same exec works for everyone
sh -c 'touch /tmp/after' && [ -e /tmp/after ] || fail "exec after detach failed"
if ls /sys/fs/bpf 2>/dev/null | grep -q veto; then fail "pinned objects left behind"; fi
echo "deny-exec: exec denied with EPERM, control ran, nothing left attached"
