#!/bin/sh
# matchParentBinaries, by effect: the same command is denied when its parent
# is the named binary and works under another parent; only the direct
# parent counts, not the caller nor a grandparent. Then followChildren and
# followForks: a binary's or a pid's descendants are denied, unrelated
# processes are not, and trees started before the agent count too.
. /veto/lib.sh

# copies of busybox under the names the policies list (busybox picks the
# applet by the name it runs as)
for d in a b f; do mkdir -p /opt/$d && cp /bin/busybox /opt/$d/sh; done
mkdir -p /opt/t && cp /bin/busybox /opt/t/cat && cp /bin/busybox /opt/t/touch
for f in in notin prefix postfix; do echo secret > /tmp/p-$f; done

sel() { # FILE OPERATOR VALUE: deny opening FILE by parent
	printf '    - matchArgs:\n      - index: 0\n        operator: Equal\n        values: [%s]\n' "$1"
	printf '      matchParentBinaries:\n      - operator: %s\n        values: [%s]\n' "$2" "$3"
	printf '      matchActions:\n      - action: Override\n        argError: -1\n'
}
{
	printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: parents\nspec:\n'
	printf '  lsmhooks:\n  - hook: file_open\n    args:\n    - index: 0\n      type: file\n    selectors:\n'
	sel /tmp/p-in In /opt/a/sh
	sel /tmp/p-notin NotIn /opt/a/sh
	sel /tmp/p-prefix Prefix /opt/a/
	sel /tmp/p-postfix Postfix b/sh
	printf '  - hook: bprm_check_security\n    args:\n    - index: 0\n      type: linux_binprm\n    selectors:\n'
	printf '    - matchArgs:\n      - index: 0\n        operator: Equal\n        values: [/opt/t/touch]\n'
	printf '      matchParentBinaries:\n      - operator: In\n        values: [/opt/a/sh]\n'
	printf '      matchActions:\n      - action: Sigkill\n'
} > /tmp/parents.yaml

# under SHELL, cat FILE in a child: its output (the file, or cat's error)
cat_under() { "$1" -c "/opt/t/cat $2 2>&1; exit \$?" 2>&1; }
EPERM='Operation not permitted'

agent_start --export-veto --policy /tmp/parents.yaml
expect_match "In: cat whose parent is /opt/a/sh gets EPERM" "$EPERM" "$(cat_under /opt/a/sh /tmp/p-in)"
expect_eq "In: the same cat under /opt/b/sh reads" secret "$(cat_under /opt/b/sh /tmp/p-in)"
expect_eq "In: a grandparent does not count" secret \
	"$(/opt/a/sh -c "/opt/b/sh -c '/opt/t/cat /tmp/p-in; exit \$?'; exit \$?" 2>&1)"
expect_eq "In: /opt/a/sh itself reads (its parent is not /opt/a/sh)" secret \
	"$(/opt/a/sh -c 'read x < /tmp/p-in; echo $x' 2>&1)"
expect_eq "NotIn: under /opt/a/sh, cat reads" secret "$(cat_under /opt/a/sh /tmp/p-notin)"
expect_match "NotIn: under /opt/b/sh, EPERM" "$EPERM" "$(cat_under /opt/b/sh /tmp/p-notin)"
expect_match "Prefix /opt/a/: under /opt/a/sh, EPERM" "$EPERM" "$(cat_under /opt/a/sh /tmp/p-prefix)"
expect_eq "Prefix /opt/a/: under /opt/b/sh, cat reads" secret "$(cat_under /opt/b/sh /tmp/p-prefix)"
expect_eq "Postfix b/sh: under /opt/a/sh, cat reads" secret "$(cat_under /opt/a/sh /tmp/p-postfix)"
expect_match "Postfix b/sh: under /opt/b/sh, EPERM" "$EPERM" "$(cat_under /opt/b/sh /tmp/p-postfix)"
rm -f /tmp/ran-a /tmp/ran-b
expect_eq "bprm_check Sigkill: exec of touch under /opt/a/sh is killed" 137 \
	"$(run_status /opt/a/sh -c '/opt/t/touch /tmp/ran-a; exit $?')"
expect_no_file "touch never ran" /tmp/ran-a
expect_eq "the same exec under /opt/b/sh works" 0 "$(run_status /opt/b/sh -c '/opt/t/touch /tmp/ran-b; exit $?')"
expect_file "touch ran" /tmp/ran-b
agent_stop
ev=$(events_with '"policy_name":"parents"')
expect_match "the kill event names the exec" '"linux_binprm_arg":\{"path":"/opt/t/touch","permission":"-[-rwxsStT]{9}"\}.*"killed":true' "$ev"
expect_match "and the parent" '"parent":\{[^{]*"binary":"/opt/a/sh".*"/opt/t/touch".*"killed":true' "$ev"

# ---- followChildren, followForks ----
for f in child parent forks notin; do echo secret > /tmp/f-$f; done
rm -f /tmp/go /tmp/pre-*
# trees started before the agent: each waits for /tmp/go, then reads
wait_go='while [ ! -e /tmp/go ]; do sleep 0.1; done'
/opt/f/sh -c "/bin/sh -c '$wait_go; /opt/t/cat /tmp/f-child >/tmp/pre-child.out 2>&1; echo \$? >/tmp/pre-child.rc'; exit 0" &
pre_f=$!
/bin/sh -c "$wait_go; read x 2>/tmp/pre-self.out </tmp/f-forks; echo \$? >/tmp/pre-self.rc
	/bin/sh -c '/opt/t/cat /tmp/f-forks' >/tmp/pre-forks.out 2>&1; echo \$? >/tmp/pre-forks.rc" &
pre_k=$!
/bin/sh -c "$wait_go; /opt/t/cat /tmp/f-child >/tmp/pre-other.out 2>&1; echo \$? >/tmp/pre-other.rc" &
pre_o=$!

fsel() { # FILE FILTER OPERATOR VALUE FOLLOW [ACTION]: deny FILE to a followed tree
	printf '    - matchArgs:\n      - index: 0\n        operator: Equal\n        values: [%s]\n' "$1"
	printf '      %s:\n      - operator: %s\n        values: [%s]\n        %s: true\n' "$2" "$3" "$4" "$5"
	printf '      matchActions:\n      - action: Override\n        argError: -1\n'
}
{
	printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: follow\nspec:\n'
	printf '  lsmhooks:\n  - hook: file_open\n    args:\n    - index: 0\n      type: file\n    selectors:\n'
	fsel /tmp/f-child matchBinaries In /opt/f/sh followChildren
	fsel /tmp/f-parent matchParentBinaries In /opt/f/sh followChildren
	fsel /tmp/f-forks matchPIDs In "$pre_k" followForks
	fsel /tmp/f-notin matchBinaries NotIn /opt/f/sh followChildren
	printf '  - hook: bprm_check_security\n    args:\n    - index: 0\n      type: linux_binprm\n    selectors:\n'
	printf '    - matchArgs:\n      - index: 0\n        operator: Equal\n        values: [/opt/t/touch]\n'
	printf '      matchBinaries:\n      - operator: In\n        values: [/opt/f/sh]\n        followChildren: true\n'
	printf '      matchActions:\n      - action: Sigkill\n'
} > /tmp/follow.yaml

agent_start --export-veto --policy /tmp/follow.yaml
expect_match "followChildren: a grandchild of /opt/f/sh gets EPERM" "$EPERM" \
	"$(/opt/f/sh -c "/bin/sh -c '/opt/t/cat /tmp/f-child; exit \$?'; exit \$?" 2>&1)"
expect_match "followChildren: /opt/f/sh itself gets EPERM" "$EPERM" "$(/opt/f/sh -c 'read x < /tmp/f-child' 2>&1)"
expect_match "followChildren: what /opt/f/sh execs into keeps it" "$EPERM" \
	"$(/opt/f/sh -c 'exec /opt/t/cat /tmp/f-child' 2>&1)"
expect_eq "followChildren: an unrelated process reads" secret "$(cat_under /bin/sh /tmp/f-child)"
expect_eq "followChildren: so does a child of /opt/b/sh" secret "$(cat_under /opt/b/sh /tmp/f-child)"
expect_match "matchParentBinaries followChildren: a child of /opt/f/sh gets EPERM" "$EPERM" \
	"$(cat_under /opt/f/sh /tmp/f-parent)"
expect_eq "matchParentBinaries followChildren: /opt/f/sh itself reads" secret \
	"$(/opt/f/sh -c 'read x < /tmp/f-parent; echo $x' 2>&1)"
expect_match "NotIn followChildren: outside an /opt/f/sh tree, EPERM" "$EPERM" "$(cat_under /opt/b/sh /tmp/f-notin)"
expect_eq "NotIn followChildren: inside one, cat reads" secret \
	"$(/opt/f/sh -c "/bin/sh -c '/opt/t/cat /tmp/f-notin; exit \$?'; exit \$?" 2>&1)"
expect_eq "followForks: a process outside pid $pre_k's tree reads" secret "$(cat_under /bin/sh /tmp/f-forks)"
rm -f /tmp/ran-f /tmp/ran-u
expect_eq "bprm_check Sigkill: touch in a grandchild of /opt/f/sh is killed" 137 \
	"$(run_status /opt/f/sh -c "/bin/sh -c '/opt/t/touch /tmp/ran-f; exit \$?'; exit \$?")"
expect_no_file "touch never ran" /tmp/ran-f
expect_eq "an unrelated touch works" 0 "$(run_status /bin/sh -c '/opt/t/touch /tmp/ran-u; exit $?')"
expect_file "touch ran" /tmp/ran-u
# the trees that were running before the agent
touch /tmp/go
wait "$pre_f" "$pre_k" "$pre_o"
expect_eq "before the agent: a new child of a running /opt/f/sh tree is denied" 1 "$(cat /tmp/pre-child.rc)"
expect_match "with EPERM" "$EPERM" "$(cat /tmp/pre-child.out)"
expect_ne "followForks: pid $pre_k itself is denied" 0 "$(cat /tmp/pre-self.rc)"
expect_match "with EPERM" "$EPERM" "$(cat /tmp/pre-self.out)"
expect_eq "followForks: its grandchild is denied" 1 "$(cat /tmp/pre-forks.rc)"
expect_match "with EPERM" "$EPERM" "$(cat /tmp/pre-forks.out)"
expect_eq "before the agent: an unrelated tree reads" 0 "$(cat /tmp/pre-other.rc)"
agent_stop
expect_no_match "the agent stopped cleanly" "Error" "$(cat "$AGENT_LOG")"
