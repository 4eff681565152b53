#!/bin/sh
# Scenario 7: a matchArgs with 10,000 Prefix values loads, matches the last
# value, and rejects a near miss.
. /veto/lib.sh

{
	printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: deny-10k\nspec:\n'
	printf '  lsmhooks:\n    - hook: "file_open"\n      args:\n        - index: 0\n          type: "file"\n'
	printf '      selectors:\n        - matchArgs:\n            - index: 0\n              operator: "Prefix"\n'
	printf '              values:\n'
	seq -w 0 9999 | sed 's|.*|                - "/tmp/p/&/"|'
	printf '          matchActions:\n            - action: Override\n              argError: -1\n'
} > /tmp/deny-10k.yaml
expect_eq "the policy has 10,000 values" 10000 "$(grep -c '"/tmp/p/' /tmp/deny-10k.yaml)"
mkdir -p /tmp/p/0000 /tmp/p/9999 /tmp/p/99999 /tmp/p/9998x
for f in /tmp/p/0000/f /tmp/p/9999/f /tmp/p/99999/f /tmp/p/9998x/f; do echo data > "$f"; done
agent_start --policy /tmp/deny-10k.yaml
expect_match "the first value matches: EPERM" "Operation not permitted" "$(cat /tmp/p/0000/f 2>&1)"
expect_match "the last value matches: EPERM" "Operation not permitted" "$(cat /tmp/p/9999/f 2>&1)"
expect_eq "a near miss (/tmp/p/99999/) is allowed" data "$(cat /tmp/p/99999/f)"
expect_eq "another near miss (/tmp/p/9998x/) is allowed" data "$(cat /tmp/p/9998x/f)"
agent_stop
expect_eq "once stopped the file opens again" data "$(cat /tmp/p/9999/f)"
