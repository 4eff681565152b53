#!/bin/sh
# Runs inside the demo VM (see scripts/demo).
set -u
echo "== veto probe inside the VM"
veto probe || exit 1
echo
echo "== an LSM program denies an exec before it happens"
echo "   target child:  sh -c 'touch /tmp/target'   (denied by lsm/bprm_check_security)"
echo "   control child: sh -c 'touch /tmp/control'  (same command, not targeted)"
rm -f /tmp/target /tmp/control
deny-exec /bin/sh -c 'touch /tmp/$VETO_RUN' || exit 1
for f in /tmp/target /tmp/control; do
	if [ -e "$f" ]; then echo "   $f: exists"; else echo "   $f: absent (the command never ran)"; fi
done
[ ! -e /tmp/target ] && [ -e /tmp/control ]
