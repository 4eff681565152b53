#!/bin/sh
# The window between a forbidden operation and the kill: N times, a fresh
# shell opens FILE with O_CREAT while a policy kills whoever does it. Counts
# the kills and how often the file got created anyway, per policy kind:
#   tracepoint  syscalls/sys_enter_openat + Sigkill (observes, then kills)
#   lsm         lsmhooks inode_create + Sigkill (denies in the hook, and kills)
# Usage: window.sh N DIR KIND...   (veto on PATH; DIR on the root filesystem
# for lsm: a dentry's path is resolved within its own filesystem). The test
# library: /veto/veto.sh in the VMs, else the tree's beside this script.
set -eu
N=$1 DIR=$2
shift 2
lib=/veto/veto.sh
[ -e "$lib" ] || lib=$(dirname "$0")/../../tests/lib/veto.sh
. "$lib"
mkdir -p "$DIR"
f=$DIR/x
AGENT_SOCK=$DIR/veto.sock AGENT_LOG=$DIR/agent.log AGENT_EXPORT=/dev/null

policy() { # KIND
	printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: window-%s\nspec:\n' "$1"
	case $1 in
	tracepoint)
		printf '  tracepoints:\n  - subsystem: syscalls\n    event: sys_enter_openat\n    args:\n'
		printf '    - index: 6\n      type: string\n    - index: 7\n      type: int\n    selectors:\n'
		printf '    - matchArgs:\n      - index: 0\n        operator: Equal\n        values: ["%s"]\n' "$f"
		printf '      - index: 1\n        operator: Mask\n        values: [64]\n' ;;
	lsm)
		printf '  lsmhooks:\n  - hook: inode_create\n    args:\n    - index: 1\n      type: dentry\n'
		printf '    selectors:\n    - matchArgs:\n      - index: 1\n        operator: Equal\n        values: ["%s"]\n' "$f" ;;
	esac
	printf '      matchActions:\n      - action: Sigkill\n'
}

printf '| policy | attempts | opener killed | file created anyway |\n|---|---|---|---|\n'
for kind in "$@"; do
	policy "$kind" > "$DIR/$kind.yaml"
	agent_start --policy "$DIR/$kind.yaml"
	i=0 killed=0 created=0
	while [ "$i" -lt "$N" ]; do
		rm -f "$f"
		rc=0
		sh -c ": > '$f'" 2>/dev/null || rc=$?
		[ "$rc" -ne 137 ] || killed=$((killed + 1))
		[ ! -e "$f" ] || created=$((created + 1))
		i=$((i + 1))
	done
	agent_stop
	rm -f "$f"
	printf '| %s | %d | %d | %d |\n' "$kind" "$N" "$killed" "$created"
done
