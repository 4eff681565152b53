#!/bin/sh
# A minimal LSM program built by the project denies an exec: the targeted
# child's exec fails with EPERM and its command never runs; a control child's
# identical exec runs. Twice, to check attach/detach leaves nothing behind.
. /veto/lib.sh
set -u

for round in 1 2; do
	rm -f /tmp/target /tmp/control
	out=$(deny-exec /bin/sh -c 'touch /tmp/$VETO_RUN' 2>&1)
	rc=$?
	echo "round $round: $out"
	expect_no_file "round $round: the denied command did not run" /tmp/target
	expect_file "round $round: the control command ran" /tmp/control
	expect_match "round $round: target got EPERM" '^target: Operation not permitted$' "$out"
	expect_eq "round $round: deny-exec exits 0" 0 "$rc"
done
# once detached, the same exec works for everyone
expect_ok "exec after detach works" sh -c 'touch /tmp/after && [ -e /tmp/after ]'
expect_no_match "no pinned objects left behind" veto "$(ls /sys/fs/bpf 2>/dev/null)"
