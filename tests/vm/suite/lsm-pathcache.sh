#!/bin/sh
# Remembered path verdicts: a path that rules out every selector is walked
# once, and the verdict is forgotten whenever that path could have changed:
# a parent renamed, a hard link's old name gone, a bind mount, a moved mount.
# Each case opens the file under its allowed name first (so a verdict is
# remembered), then under the denied name: that must fail.
. /veto/lib.sh

cat > /tmp/pathcache.yaml <<'YAML'
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: deny-under
spec:
  lsmhooks:
  - hook: file_open
    args:
    - index: 0
      type: file
    selectors:
    - matchArgs:
      - index: 0
        operator: Prefix
        values: [/tmp/pc/deny/]
      matchActions:
      - action: Override
        argError: -1
  - hook: bprm_check_security
    args:
    - index: 0
      type: linux_binprm
    selectors:
    - matchArgs:
      - index: 0
        operator: Prefix
        values: [/tmp/pc/deny/]
      matchActions:
      - action: Override
        argError: -1
YAML
mkdir -p /tmp/pc/deny /tmp/pc/ok /tmp/pc/dir /tmp/pc/bind /tmp/pc/exe /tmp/pc/deny/bind /tmp/pc/deny/moved
for f in /tmp/pc/ok/f /tmp/pc/dir/f /tmp/pc/bind/f /tmp/pc/link /tmp/pc/deny/f; do echo data > "$f"; done
cp /bin/busybox /tmp/pc/exe/true

twice() { cat "$1" >/dev/null 2>&1; cat "$1" 2>&1; } # the second open meets a remembered verdict

agent_start --policy /tmp/pathcache.yaml
expect_match "the agent says file_open remembers paths" \
	"enforcing on lsm/file_open \(veto_lsm_fopen\); paths that match no selector remembered" "$(cat "$AGENT_LOG")"
expect_eq "an allowed file opens, again and again" data "$(twice /tmp/pc/ok/f)"
expect_match "a denied file is denied, again and again" "Operation not permitted" "$(twice /tmp/pc/deny/f)"

expect_eq "before its parent moves, the file opens" data "$(twice /tmp/pc/dir/f)"
mv /tmp/pc/dir /tmp/pc/deny/dir
expect_match "its parent renamed under the denied prefix: EPERM" "Operation not permitted" \
	"$(cat /tmp/pc/deny/dir/f 2>&1)"

# A name's dentry freed, and a new name's dentry for the same inode likely
# at its address (the slab reuses the last object freed): several times.
expect_eq "before it gains a denied name, the file opens" data "$(twice /tmp/pc/link)"
allowed=0
for i in 1 2 3 4 5 6 7 8; do
	cat /tmp/pc/link >/dev/null && cat /tmp/pc/link >/dev/null
	ln /tmp/pc/link /tmp/pc/link2 && rm /tmp/pc/link
	sleep 0.2 # an RCU grace period: the dentry is back in the slab
	ln /tmp/pc/link2 /tmp/pc/deny/link$i && ln /tmp/pc/link2 /tmp/pc/link && rm /tmp/pc/link2
	cat /tmp/pc/deny/link$i >/dev/null 2>&1 && allowed=$((allowed + 1))
done
expect_eq "the same inode under a new, denied name: EPERM each time" 0 "$allowed"

expect_eq "before a bind mount, the file opens" data "$(twice /tmp/pc/bind/f)"
mount --bind /tmp/pc/bind /tmp/pc/deny/bind || fail "cannot bind mount"
expect_match "the same dentry through the bind mount: EPERM" "Operation not permitted" \
	"$(cat /tmp/pc/deny/bind/f 2>&1)"
expect_eq "and still allowed where it was" data "$(cat /tmp/pc/bind/f)"
umount /tmp/pc/deny/bind

mkdir -p /tmp/pc/mnt
mount -t tmpfs none /tmp/pc/mnt && echo data > /tmp/pc/mnt/f || fail "cannot mount a tmpfs"
expect_eq "before its mount moves, the file opens" data "$(twice /tmp/pc/mnt/f)"
mount --move /tmp/pc/mnt /tmp/pc/deny/moved || fail "cannot move the mount"
expect_match "the same dentry and mount, moved under the denied prefix: EPERM" "Operation not permitted" \
	"$(cat /tmp/pc/deny/moved/f 2>&1)"
umount /tmp/pc/deny/moved

expect_ok "a binary runs, again and again" sh -c '/tmp/pc/exe/true && /tmp/pc/exe/true'
mv /tmp/pc/exe /tmp/pc/deny/exe
expect_fail "its directory renamed under the denied prefix, it cannot run" /tmp/pc/deny/exe/true
agent_stop
expect_eq "once stopped, the renamed file opens again" data "$(cat /tmp/pc/deny/dir/f)"

agent_start --walk-every-path --policy /tmp/pathcache.yaml
expect_no_match "with --walk-every-path nothing is remembered" "remembered" "$(cat "$AGENT_LOG")"
expect_eq "an allowed file still opens" data "$(twice /tmp/pc/ok/f)"
expect_match "a denied file is still denied" "Operation not permitted" "$(twice /tmp/pc/deny/f)"
agent_stop
