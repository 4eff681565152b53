#!/bin/sh
# matchParentBinaries, by effect: the same command is denied when its parent
# is the named binary and works under another parent; only the direct
# parent counts, not the caller nor a grandparent.
. /veto/lib.sh

# copies of busybox under the names the policies list (busybox picks the
# applet by the name it runs as)
for d in a b; do mkdir -p /opt/$d && cp /bin/busybox /opt/$d/sh; done
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

agent_start /tmp/parents.yaml
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
expect_match "the kill event names the exec" '"linux_binprm_arg":\{"path":"/opt/t/touch"\}.*"killed":true' "$ev"
expect_match "and the parent" '"parent":\{[^{]*"binary":"/opt/a/sh".*"/opt/t/touch".*"killed":true' "$ev"
