#!/bin/sh
# Every hook of veto's table (veto policy hooks) loads, attaches and runs on
# this kernel: one policy uses them all, reading every argument (paths walked,
# sockets read, ...), with a selector that matches no process, while ordinary
# work goes on; then they detach cleanly.
. /veto/lib.sh

# the hooks this kernel has (userns_create came in 6.1)
veto policy hooks | grep -v '(not in this kernel)' > /tmp/hooks.txt
n=$(wc -l < /tmp/hooks.txt)
expect_ne "veto lists its hooks" 0 "$n"
if kernel_at_least 6.1; then
	expect_no_match "6.1 and later have every hook of the table" "not in this kernel" "$(veto policy hooks)"
else
	expect_match "userns_create is not in $(uname -r)" "userns_create .*\(not in this kernel\)" "$(veto policy hooks)"
fi
{
	printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: all-hooks\nspec:\n  lsmhooks:\n'
	# columns: hook, function, program, then the argument types
	while read -r h _ _ types; do
		printf '    - hook: "%s"\n      args:\n' "$h"
		i=0
		for t in $(echo "$types" | tr -d ','); do
			printf '        - index: %d\n          type: "%s"\n' "$i" "$t"
			i=$((i + 1))
		done
		printf '      selectors:\n        - matchPIDs:\n            - operator: In\n              values: ["999999"]\n'
	done < /tmp/hooks.txt
} > /tmp/all-hooks.yaml
agent_start --policy /tmp/all-hooks.yaml
expect_eq "every hook is enforcing" "$n" "$(grep -c 'policy all-hooks: enforcing on lsm/' "$AGENT_LOG")"
# ordinary work through many of the hooks: files, exec, sockets, mounts, signals
mkdir -p /tmp/w/d && echo x > /tmp/w/f && mv /tmp/w/f /tmp/w/g && ln /tmp/w/g /tmp/w/h && ln -s g /tmp/w/s \
	&& chmod 600 /tmp/w/g && rm -r /tmp/w/d && truncate -s 0 /tmp/w/h && sleep 0.1 & wait $!
expect_eq "file operations work under every hook" 0 $?
expect_eq "exec works" 0 "$(run_status /bin/true)"
expect_eq "a kill works" 0 "$(run_status sh -c 'sleep 5 & kill $!')"
agent_stop
expect_no_match "the agent stopped cleanly" "Error" "$(cat "$AGENT_LOG")"
expect_eq "no event: the selector matches nothing" "" "$(events_with '"policy_name":"all-hooks"')"
