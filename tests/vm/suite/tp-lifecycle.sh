#!/bin/sh
# Policies at runtime on a BPF-LSM kernel: every tracingpolicy verb by its
# effect (a write to a guarded file refused or not, the file's content) and
# the kernel's counters; broken policies (YAML, check, kernel) added to a
# running agent change nothing; set-mode both ways under a running attack
# loop; the policy folder on SIGHUP; two clients adding at once.
. /veto/lib.sh

mkdir -p /tmp/guarded /tmp/pd
secret=/tmp/guarded/secret
echo original >"$secret"

# policy NAME PATH [ACTION]: file_open of PATH is refused (EPERM)
policy() {
	cat <<YAML
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: $1
spec:
  lsmhooks:
  - hook: file_open
    args:
    - index: 0
      type: file
    selectors:
    - matchArgs:
      - index: 0
        operator: Equal
        values: [$2]
      matchActions:
      - action: ${3:-Override}
        argError: -1
YAML
}
tp() { veto tracingpolicy --socket "$AGENT_SOCK" "$@"; }
# col NAME N: column N of NAME's row in the list (1 NAME 2 STATE 3 MODE 4 HOOKS
# 5 NPOST 6 NENFORCE 7 NMONITOR)
col() { tp list | awk -v n="$1" -v c="$2" '$1 == n { print $c }'; }
rows() { tp list | awk 'NR > 1 && $1 != "REASON:" { print $1 }' | sort | tr '\n' ' '; }
write() { run_status sh -c "echo $1 >> $2"; }

agent_start --policy-dir /tmp/pd

# the round trip of every verb
policy guard "$secret" >/tmp/guard.yaml
expect_ok "add" tp add /tmp/guard.yaml
expect_eq "listed: enabled, enforce, on its hook" "enabled enforce lsm/file_open" \
	"$(col guard 2) $(col guard 3) $(col guard 4)"
expect_eq "a write to the guarded file is refused" 1 "$(write hacked "$secret")"
expect_eq "NENFORCE moved" 1 "$(col guard 6)"
expect_ok "disable" tp disable guard
expect_eq "disabled: listed as such" disabled "$(col guard 2)"
# every open is refused while it runs, reads too: read while disabled
expect_eq "the refused write left the file unchanged" original "$(cat "$secret")"
expect_eq "disabled: the write succeeds" 0 "$(write allowed "$secret")"
echo original >"$secret"
expect_ok "enable" tp enable guard
expect_eq "enabled again: refused" 1 "$(write hacked "$secret")"

# broken policies: nothing changes, the error is located
before=$(tp list | awk '{ print $1, $2, $3, $4 }')
printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: b1\nspec:\n  lsmhooks: [\n' >/tmp/yaml-err.yaml
out=$(tp add /tmp/yaml-err.yaml 2>&1); rc=$?
expect_eq "a YAML error: refused" 1 "$rc"
expect_match "a YAML error: located" "/tmp/yaml-err.yaml:[0-9]+:[0-9]+: error: " "$out"
policy b2 /tmp/x | sed 's/hook: file_open/hook: file_opn/' >/tmp/check-err.yaml
out=$(tp add /tmp/check-err.yaml 2>&1)
expect_match "a check error: at its line and column" "/tmp/check-err.yaml:7:11: error: .*file_opn" "$out"
cat >/tmp/kernel-err.yaml <<'YAML'
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: b3
spec:
  kprobes:
  - call: veto_no_such_function
    syscall: false
YAML
out=$(tp add /tmp/kernel-err.yaml 2>&1); rc=$?
expect_eq "a policy the kernel refuses: refused" 1 "$rc"
expect_match "the kernel's reason" "veto_no_such_function" "$out"
policy guard /tmp/other >/tmp/clash.yaml
expect_match "a name taken: refused" "a policy named guard is already loaded" "$(tp add /tmp/clash.yaml 2>&1)"
expect_eq "the list is unchanged" "$before" "$(tp list | awk '{ print $1, $2, $3, $4 }')"
expect_eq "still refusing" 1 "$(write hacked "$secret")"

# set-mode under a running attack loop. Attempts are tagged by when they
# started: before set-mode was called, during it, after it returned.
attack() { # PHASE
	i=0
	while [ ! -e /tmp/stop ]; do
		i=$((i + 1))
		if [ -e /tmp/switched ]; then tag=after; elif [ -e /tmp/switching ]; then tag=during; else tag=before; fi
		if { echo "$1$tag $i" >>"$secret"; } 2>/dev/null; then r=ok; else r=denied; fi
		echo "$1$tag $i $r" >>/tmp/attack.log
	done
}
# switch PHASE MODE: runs the loop, switches to MODE under it, stops it
switch() {
	rm -f /tmp/stop /tmp/switching /tmp/switched /tmp/attack.log
	attack "$1" & apid=$!
	wait_until 60 sh -c '[ "$(grep -c "before" /tmp/attack.log)" -ge 5 ]'
	touch /tmp/switching
	expect_ok "set-mode $2 under the loop" tp set-mode guard "$2"
	touch /tmp/switched
	wait_until 60 sh -c '[ "$(grep -c "after " /tmp/attack.log)" -ge 20 ]'
	touch /tmp/stop
	wait $apid
}
expect_ok "set-mode monitor" tp set-mode guard monitor
nmon=$(col guard 7)
switch p1 enforce
expect_eq "monitor let every attempt before the switch through" 0 "$(grep -c 'p1before .* denied' /tmp/attack.log)"
expect_ne "attempts after the switch ran" 0 "$(grep -c 'p1after ' /tmp/attack.log)"
expect_eq "no attempt after the switch succeeded" 0 "$(grep -c 'p1after .* ok' /tmp/attack.log)"
expect_ne "NMONITOR moved" "$nmon" "$(col guard 7)"
expect_eq "NENFORCE counted each refusal" True \
	"$([ "$(col guard 6)" -ge "$(grep -c 'p1after ' /tmp/attack.log)" ] && echo True)"
switch p2 monitor
expect_eq "enforce refused every attempt before the switch" 0 "$(grep -c 'p2before .* ok' /tmp/attack.log)"
expect_eq "monitor: every attempt after the switch succeeds" 0 "$(grep -c 'p2after .* denied' /tmp/attack.log)"
expect_eq "no refused attempt wrote to the file" 0 "$(grep -c 'p1after\|p2before' "$secret")"
expect_ne "the allowed ones did" 0 "$(grep -c 'p2after' "$secret")"
echo original >"$secret"

expect_ok "delete" tp delete guard
expect_eq "deleted: not listed" "" "$(rows)"
expect_eq "deleted: the write succeeds" 0 "$(write allowed "$secret")"
echo original >"$secret"

# two clients adding at once: both land and enforce
echo one >/tmp/guarded/one; echo two >/tmp/guarded/two
policy c1 /tmp/guarded/one >/tmp/c1.yaml
policy c2 /tmp/guarded/two >/tmp/c2.yaml
tp add /tmp/c1.yaml >/tmp/c1.out 2>&1 & a=$!
tp add /tmp/c2.yaml >/tmp/c2.out 2>&1 & b=$!
wait $a; ra=$?; wait $b; rb=$?
expect_eq "two adds at once both succeed" "0 0" "$ra $rb"
expect_eq "both listed" "c1 c2 " "$(rows)"
expect_eq "c1 refuses" 1 "$(write x /tmp/guarded/one)"
expect_eq "c2 refuses" 1 "$(write x /tmp/guarded/two)"
tp delete c1 >/dev/null; tp delete c2 >/dev/null

# the folder on SIGHUP: added, changed, broken (the running version kept), removed
echo a >/tmp/guarded/a; echo b >/tmp/guarded/b; echo a2 >/tmp/guarded/a2
policy fa /tmp/guarded/a >/tmp/pd/a.yaml
policy fb /tmp/guarded/b >/tmp/pd/b.yaml
kill -HUP "$AGENT_PID"
wait_for "SIGHUP: the added files are loaded" 60 sh -c '[ "$(veto tracingpolicy --socket '"$AGENT_SOCK"' list | grep -c " enabled ")" = 2 ]'
expect_eq "fa enforces" 1 "$(write x /tmp/guarded/a)"
policy fa /tmp/guarded/a2 >/tmp/pd/a.yaml
policy fb /tmp/guarded/b | sed 's/operator: Equal/operator: Equall/' >/tmp/pd/b.yaml
kill -HUP "$AGENT_PID"
wait_for "SIGHUP: the broken file is load_error" 60 sh -c 'veto tracingpolicy --socket '"$AGENT_SOCK"' list | grep -q "^fb .*load_error"'
expect_match "its reason is located" "REASON: /tmp/pd/b.yaml:14:19: error: .*Equall" "$(tp list)"
expect_eq "the broken file's running version still refuses" 1 "$(write x /tmp/guarded/b)"
expect_eq "the changed file's new version refuses" 1 "$(write x /tmp/guarded/a2)"
expect_eq "the changed file's old version is gone" 0 "$(write x /tmp/guarded/a)"
rm /tmp/pd/a.yaml /tmp/pd/b.yaml
kill -HUP "$AGENT_PID"
wait_for "SIGHUP: removed files unloaded" 60 sh -c '[ -z "$(veto tracingpolicy --socket '"$AGENT_SOCK"' list | sed 1d)" ]'
expect_eq "a removed file no longer refuses" 0 "$(write x /tmp/guarded/b)"
# a non-root client: refused by the socket's mode, then by the peer check
# (busybox's setpriv cannot change uids here: su to a user made for it)
grep -q '^vetotest:' /etc/passwd || echo 'vetotest:x:65534:65534::/:/bin/sh' >>/etc/passwd
nonroot() { su vetotest -s /bin/sh -c "veto tracingpolicy --socket $AGENT_SOCK list"; }
out=$(nonroot 2>&1); rc=$?
expect_eq "non-root: refused" 1 "$rc"
expect_match "by the socket's mode" "Permission denied" "$out"
chmod 666 "$AGENT_SOCK"
out=$(nonroot 2>&1); rc=$?
chmod 600 "$AGENT_SOCK"
expect_eq "non-root through a loosened mode: refused" 1 "$rc"
expect_match "by the peer check" "the control socket is for root only" "$out"
expect_match "the agent served throughout" '"version"' "$(veto status --socket "$AGENT_SOCK" -o json)"
