#!/bin/sh
# Deep paths: every path the kernel side reads (file, linux_binprm, dentry,
# path, matchBinaries, matchParentBinaries, followChildren) is matched whole
# at any depth: 35, 40, 200, 2,000 levels, 4,000 bytes. A path past PATH_MAX is
# never matched as if its missing part were not there: a Prefix deny list
# and a NotPrefix allowlist both deny it (fail closed), and its event says it
# was cut. One policy, one agent; every check by effect.
. /veto/lib.sh

EPERM='Operation not permitted'
EACCES='Permission denied'
R35=$(deep_rel 35) R40=$(deep_rel 40) R200=$(deep_rel 200)
R2000=$(deep_rel 2000) # 4,000 bytes: about as deep as a path can be named
L20=$(deep_rel 20 200) # 4,020 bytes of 200-byte names
M38=$(deep_rel 38 100) # 3,838 bytes of 100-byte names: long and deep
A30=
i=1
while [ "$i" -le 30 ]; do A30="${A30}a$i/" i=$((i + 1)); done
put() { echo "$2" >"$1"; }
# succeeds/refused DESC CMD...: CMD succeeds / fails (quiet: these paths are long)
succeeds() { _d=$1; shift; if "$@" </dev/null >/dev/null 2>&1; then pass "$_d"; else fail "$_d: it failed"; fi; }
refused() { _d=$1; shift; if "$@" </dev/null >/dev/null 2>&1; then fail "$_d: it succeeded"; else pass "$_d"; fi; }
bb() { cp /bin/busybox "$1"; } # a copy picks its applet by its name
# over-long: BASE/ then 30 levels of 200 bytes, then 40 of 1 (about 6,100 bytes)
ol_dir() { _o=$1; shift; deep_dir "$_o" 30 200 deep_dir . 40 1 "$@"; }
ol_in() { _o=$1; shift; deep_in "$_o" 30 200 deep_in . 40 1 "$@"; }

# file_open, Prefix deny: /tmp/vault; controls under /tmp/open
for t in "$R40" "$R200" "$L20" "$M38" ""; do mkdir -p "/tmp/vault/$t" && put "/tmp/vault/${t}secret" data; done
deep_dir /tmp/vault 2000 1 put secret data && deep_dir /tmp/open 2000 1 put secret data || die "cannot build 2,000 levels"
mkdir -p "/tmp/open/$R200" && put /tmp/open/secret data && put "/tmp/open/${R200}secret" data
ol_dir /tmp/vault/ol put secret data || die "cannot build /tmp/vault/ol"
mkdir -p /opt/ol && bb /opt/ol/cat
# file_open, NotPrefix [/usr/] allowlist for /opt/np/cat
mkdir -p /opt/np /usr/lib/deep "/tmp/np/x/usr/$A30" && bb /opt/np/cat
put /usr/lib/deep/ok data && put /tmp/np/f data && put "/tmp/np/x/usr/${A30}f" data
ol_dir /tmp/np/ol sh -c "mkdir -p usr/$A30 && echo data >usr/${A30}f" || die "cannot build /tmp/np/ol"
# bprm_check_security: copies of touch under /tmp/xv (denied), /tmp/xok
for t in "$R200" "$M38" ""; do mkdir -p "/tmp/xv/$t" && bb "/tmp/xv/${t}touch"; done
mkdir -p "/tmp/xok/$R200" && bb "/tmp/xok/${R200}touch"
ol_dir /tmp/xv/ol bb touch || die "cannot build /tmp/xv/ol"
# inode_unlink, inode_create (dentry: the path within its filesystem)
mkdir -p /mnt/dt && mount -t tmpfs none /mnt/dt || die "cannot mount a tmpfs"
for t in "$R200" "$M38" ""; do mkdir -p "/mnt/dt/dv/$t" && put "/mnt/dt/dv/${t}f" data; done
mkdir -p "/mnt/dt/ok/$R200" && put "/mnt/dt/ok/${R200}f" data
ol_dir /mnt/dt/dv/ol put f data || die "cannot build /mnt/dt/dv/ol"
# path_chmod: /tmp/pch (denied), /tmp/chok
for t in "$R200" "$M38" ""; do mkdir -p "/tmp/pch/$t" && put "/tmp/pch/${t}f" data && chmod 644 "/tmp/pch/${t}f"; done
mkdir -p "/tmp/chok/$R200" && put "/tmp/chok/${R200}f" data && chmod 644 "/tmp/chok/${R200}f"
ol_dir /tmp/pch/ol sh -c 'echo data >f && chmod 644 f' || die "cannot build /tmp/pch/ol"
# matchBinaries Prefix [/tmp/mb/] Sigkill; copies of sh
for t in "$R35" "$R200" "$M38" ""; do mkdir -p "/tmp/mb/$t" && bb "/tmp/mb/${t}sh"; done
ol_dir /tmp/mb/ol bb sh || die "cannot build /tmp/mb/ol"
# matchBinaries NotPrefix [/usr/] Sigkill: the last 32 levels read /usr/a1/...
mkdir -p "/tmp/x/usr/$A30" /tmp/mbnp && bb "/tmp/x/usr/${A30}sh" && bb /tmp/mbnp/sh && bb /usr/lib/deep/sh
# matchParentBinaries Prefix [/tmp/pb/]; followChildren In
for t in "$R200" "$M38" ""; do mkdir -p "/tmp/pb/$t" && bb "/tmp/pb/${t}sh"; done
for t in "$R40" ""; do mkdir -p "/tmp/fc/$t" && bb "/tmp/fc/${t}sh"; done
for f in mb mbnp pb fc; do put /tmp/t-$f data; done

cat >/tmp/deep.yaml <<YAML
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: deep-paths
spec:
  lsmhooks:
  - hook: file_open
    args:
    - index: 0
      type: file
    selectors:
    - matchArgs:
      - index: 0
        operator: NotPrefix
        values: [/usr/]
      matchBinaries:
      - operator: In
        values: [/opt/np/cat]
      matchActions:
      - action: Override
        argError: -13
    - matchArgs:
      - index: 0
        operator: Prefix
        values: [/tmp/vault/]
      matchActions:
      - action: Override
        argError: -1
    - matchArgs:
      - index: 0
        operator: Equal
        values: [/tmp/t-mb]
      matchBinaries:
      - operator: Prefix
        values: [/tmp/mb/]
      matchActions:
      - action: Sigkill
    - matchArgs:
      - index: 0
        operator: Equal
        values: [/tmp/t-mbnp]
      matchBinaries:
      - operator: NotPrefix
        values: [/usr/]
      matchActions:
      - action: Sigkill
    - matchArgs:
      - index: 0
        operator: Equal
        values: [/tmp/t-pb]
      matchParentBinaries:
      - operator: Prefix
        values: [/tmp/pb/]
      matchActions:
      - action: Override
        argError: -1
    - matchArgs:
      - index: 0
        operator: Equal
        values: [/tmp/t-fc]
      matchBinaries:
      - operator: In
        values: [/tmp/fc/sh, /tmp/fc/${R40}sh]
        followChildren: true
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
        values: [/tmp/xv/]
      matchActions:
      - action: Override
        argError: -1
  - hook: inode_unlink
    args:
    - index: 1
      type: dentry
    selectors:
    - matchArgs:
      - index: 1
        operator: Prefix
        values: [/dv/, /mnt/dt/dv/]
      matchActions:
      - action: Override
        argError: -1
  - hook: inode_create
    args:
    - index: 1
      type: dentry
    selectors:
    - matchArgs:
      - index: 1
        operator: Prefix
        values: [/dv/, /mnt/dt/dv/]
      matchActions:
      - action: Override
        argError: -1
  - hook: path_chmod
    args:
    - index: 0
      type: path
    selectors:
    - matchArgs:
      - index: 0
        operator: Prefix
        values: [/tmp/pch/]
      matchActions:
      - action: Override
        argError: -1
YAML

agent_start --policy /tmp/deep.yaml

# ---- file_open: Prefix deny ----
expect_match "control: /tmp/vault/secret is denied" "$EPERM" "$(cat /tmp/vault/secret 2>&1)"
expect_eq "control: /tmp/open/secret reads" data "$(cat /tmp/open/secret 2>&1)"
expect_eq "control: 200 levels under /tmp/open/ reads" data "$(cat "/tmp/open/${R200}secret" 2>&1)"
expect_match "40 levels under /tmp/vault/: EPERM" "$EPERM" "$(cat "/tmp/vault/${R40}secret" 2>&1)"
expect_match "200 levels under /tmp/vault/: EPERM" "$EPERM" "$(cat "/tmp/vault/${R200}secret" 2>&1)"
expect_match "200 levels, opened from its directory: EPERM" "$EPERM" "$(deep_in /tmp/vault 200 1 cat secret 2>&1)"
p=/tmp/open/${R2000}secret
expect_eq "control: 2,000 levels under /tmp/open/ (${#p} bytes) reads" data "$(cat "$p" 2>&1)"
p=/tmp/vault/${R2000}secret
expect_match "2,000 levels under /tmp/vault/ (${#p} bytes): EPERM" "$EPERM" "$(cat "$p" 2>&1)"
p=/tmp/vault/${L20}secret
expect_match "${#p} bytes (20 names of 200) under /tmp/vault/: EPERM" "$EPERM" "$(cat "$p" 2>&1)"
p=/tmp/vault/${M38}secret
expect_match "${#p} bytes (38 names of 100) under /tmp/vault/: EPERM" "$EPERM" "$(cat "$p" 2>&1)"
out=$(ol_in /tmp/vault/ol /opt/ol/cat secret 2>&1)
expect_match "past PATH_MAX under /tmp/vault/ (6,100 bytes): EPERM (fail closed)" "$EPERM" "$out"
expect_no_match "and nothing read" data "$out"
refused "writing 200 levels under /tmp/vault/ fails" sh -c "echo pwned >'/tmp/vault/${R200}secret'"
refused "writing past PATH_MAX under /tmp/vault/ fails" ol_in /tmp/vault/ol sh -c 'echo pwned >secret'

# ---- file_open: NotPrefix [/usr/] allowlist (EACCES, its own errno) ----
expect_eq "control: /opt/np/cat reads /usr/lib/deep/ok" data "$(/opt/np/cat /usr/lib/deep/ok 2>&1)"
expect_match "control: /opt/np/cat /tmp/np/f: EACCES" "$EACCES" "$(/opt/np/cat /tmp/np/f 2>&1)"
expect_match "/tmp/np/x/usr/a1/.../a30/f (its last 32 levels read /usr/...): EACCES" "$EACCES" \
	"$(/opt/np/cat "/tmp/np/x/usr/${A30}f" 2>&1)"
expect_match "past PATH_MAX, ending in usr/a1/.../a30/f: EACCES (fail closed)" "$EACCES" \
	"$(ol_in /tmp/np/ol /opt/np/cat "usr/${A30}f" 2>&1)"

# ---- bprm_check_security ----
rm -f /tmp/ran-*
succeeds "control: touch 200 levels under /tmp/xok/ runs" "/tmp/xok/${R200}touch" /tmp/ran-ok
succeeds "it ran" test -e /tmp/ran-ok
refused "control: /tmp/xv/touch is refused" /tmp/xv/touch /tmp/ran-xv
refused "touch 200 levels under /tmp/xv/ is refused" "/tmp/xv/${R200}touch" /tmp/ran-xv200
p=/tmp/xv/${M38}touch
refused "touch ${#p} bytes under /tmp/xv/ is refused" "$p" /tmp/ran-xvm
refused "touch past PATH_MAX under /tmp/xv/ is refused" ol_in /tmp/xv/ol ./touch /tmp/ran-xvol
for f in xv xv200 xvm xvol; do refused "it never ran ($f)" test -e /tmp/ran-$f; done

# ---- inode_unlink, inode_create (dentry) ----
succeeds "control: rm 200 levels under /mnt/dt/ok/ works" rm "/mnt/dt/ok/${R200}f"
refused "it is gone" test -e "/mnt/dt/ok/${R200}f"
succeeds "control: touch 200 levels under /mnt/dt/ok/ creates" touch "/mnt/dt/ok/${R200}new"
succeeds "it exists" test -e "/mnt/dt/ok/${R200}new"
refused "control: rm /mnt/dt/dv/f is refused" rm /mnt/dt/dv/f
succeeds "it is still there" test -e /mnt/dt/dv/f
refused "rm 200 levels under /mnt/dt/dv/ is refused" rm "/mnt/dt/dv/${R200}f"
succeeds "it is still there" test -e "/mnt/dt/dv/${R200}f"
p=/mnt/dt/dv/${M38}f
refused "rm ${#p} bytes under /mnt/dt/dv/ is refused" rm "$p"
succeeds "it is still there" test -e "$p"
refused "rm past PATH_MAX under /mnt/dt/dv/ is refused" ol_in /mnt/dt/dv/ol rm f
succeeds "it is still there" ol_in /mnt/dt/dv/ol test -e f
refused "touch 200 levels under /mnt/dt/dv/ cannot create" touch "/mnt/dt/dv/${R200}new"
refused "nothing created" test -e "/mnt/dt/dv/${R200}new"
refused "touch past PATH_MAX under /mnt/dt/dv/ cannot create" ol_in /mnt/dt/dv/ol touch new
refused "nothing created" ol_in /mnt/dt/dv/ol test -e new

# ---- path_chmod (path) ----
mode() { stat -c %a "$1"; }
succeeds "control: chmod 200 levels under /tmp/chok/ works" chmod 600 "/tmp/chok/${R200}f"
expect_eq "its mode changed" 600 "$(mode "/tmp/chok/${R200}f")"
refused "control: chmod /tmp/pch/f is refused" chmod 600 /tmp/pch/f
refused "chmod 200 levels under /tmp/pch/ is refused" chmod 600 "/tmp/pch/${R200}f"
expect_eq "its mode is unchanged" 644 "$(mode "/tmp/pch/${R200}f")"
p=/tmp/pch/${M38}f
refused "chmod ${#p} bytes under /tmp/pch/ is refused" chmod 600 "$p"
expect_eq "its mode is unchanged" 644 "$(mode "$p")"
refused "chmod past PATH_MAX under /tmp/pch/ is refused" ol_in /tmp/pch/ol chmod 600 f
expect_eq "its mode is unchanged" 644 "$(ol_in /tmp/pch/ol stat -c %a f)"

# ---- matchBinaries Prefix [/tmp/mb/], Sigkill ----
w='echo pwned >/tmp/t-mb'
expect_eq "control: /bin/sh reads /tmp/t-mb" data "$(/bin/sh -c 'read x </tmp/t-mb; echo $x')"
expect_eq "control: /tmp/mb/sh writing it is killed" 137 "$(run_status /tmp/mb/sh -c "$w")"
expect_eq "a copy 35 levels under /tmp/mb/ is killed" 137 "$(run_status "/tmp/mb/${R35}sh" -c "$w")"
expect_eq "a copy 200 levels under /tmp/mb/ is killed" 137 "$(run_status "/tmp/mb/${R200}sh" -c "$w")"
p=/tmp/mb/${M38}sh
expect_eq "a copy ${#p} bytes under /tmp/mb/ is killed" 137 "$(run_status "$p" -c "$w")"
# past PATH_MAX, opening its own binary may already be refused: either way it must not write
expect_ne "a copy past PATH_MAX under /tmp/mb/ does not write (killed or refused)" 0 \
	"$(run_status ol_in /tmp/mb/ol ./sh -c "$w")"

# ---- matchBinaries NotPrefix [/usr/], Sigkill ----
w='echo pwned >/tmp/t-mbnp'
expect_eq "control: /usr/lib/deep/sh reads /tmp/t-mbnp" data "$(/usr/lib/deep/sh -c 'read x </tmp/t-mbnp; echo $x')"
expect_eq "control: /tmp/mbnp/sh writing it is killed" 137 "$(run_status /tmp/mbnp/sh -c "$w")"
expect_eq "/tmp/x/usr/a1/.../a30/sh (its last 32 levels read /usr/...) is killed" 137 \
	"$(run_status "/tmp/x/usr/${A30}sh" -c "$w")"

# ---- matchParentBinaries Prefix [/tmp/pb/] ----
under() { "$1" -c "/bin/cat $2 2>&1; exit \$?" 2>&1; }
expect_eq "control: cat under /bin/sh reads /tmp/t-pb" data "$(under /bin/sh /tmp/t-pb)"
expect_match "control: cat under /tmp/pb/sh: EPERM" "$EPERM" "$(under /tmp/pb/sh /tmp/t-pb)"
expect_match "cat under a parent 200 levels under /tmp/pb/: EPERM" "$EPERM" "$(under "/tmp/pb/${R200}sh" /tmp/t-pb)"
p=/tmp/pb/${M38}sh
expect_match "cat under a parent ${#p} bytes under /tmp/pb/: EPERM" "$EPERM" "$(under "$p" /tmp/t-pb)"

# ---- followChildren ----
grand() { "$1" -c "/bin/sh -c '/bin/cat /tmp/t-fc 2>&1; exit \$?'; exit \$?" 2>&1; }
expect_eq "control: a grandchild of /bin/sh reads /tmp/t-fc" data "$(grand /bin/sh)"
expect_match "control: a grandchild of /tmp/fc/sh: EPERM" "$EPERM" "$(grand /tmp/fc/sh)"
expect_match "a grandchild of a binary 40 levels under /tmp/fc/: EPERM" "$EPERM" "$(grand "/tmp/fc/${R40}sh")"

wait_for "an event for the open past PATH_MAX" 30 sh -c "grep '\"process_lsm\"' $AGENT_EXPORT | grep -q '\"binary\":\"/opt/ol/cat\"'"
agent_stop
for f in mb mbnp; do expect_eq "/tmp/t-$f is unchanged" data "$(cat /tmp/t-$f)"; done
expect_eq "200 levels under /tmp/vault/: unchanged" data "$(cat "/tmp/vault/${R200}secret")"
expect_eq "past PATH_MAX under /tmp/vault/: unchanged" data "$(ol_in /tmp/vault/ol cat secret)"

# its event says the path was cut, and does not pass a tail off as whole
ev=$(grep '"process_lsm"' "$AGENT_EXPORT" | grep '"binary":"/opt/ol/cat"' | grep -o '"file_arg":{[^}]*}')
expect_match "it says the path was cut, as Tetragon does" '"flags":"unresolvedPathComponents"' "$ev"
if printf '%s\n' "$ev" | grep -q '"path":"/' && ! printf '%s\n' "$ev" | grep -q '"path":"/tmp/vault/ol/'; then
	fail "its path is a tail passed off as whole: $ev"
else
	pass "its path is not a tail passed off as whole"
fi
