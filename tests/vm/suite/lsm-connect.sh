#!/bin/sh
# Scenario 4: socket_connect to a denied address and port gets EPERM; an
# allowed one connects. Scenario 6: the same policy in monitor mode allows,
# and the event says what enforce would have done.
. /veto/lib.sh

LISTENERS=
listen() { # PORT FILE: one connection, its data into FILE
	nc -l -p "$1" > "$2" 2>/dev/null &
	LISTENERS="$LISTENERS $!"
	wait_until 30 listening "$1" || die "nc does not listen on port $1"
}
stop_listeners() {
	kill $LISTENERS 2>/dev/null
	wait $LISTENERS 2>/dev/null
	LISTENERS=
}

agent_start --export-veto --policy /veto/examples/policies/deny-connect.yaml
listen 9999 /tmp/got9999
listen 8080 /tmp/got8080
out=$(echo hello | nc 127.0.0.1 9999 2>&1)
expect_match "connect to 127.0.0.1:9999 fails with EPERM" "Operation not permitted" "$out"
echo hello | nc 127.0.0.1 8080 >/dev/null 2>&1
wait_until 30 grep -q hello /tmp/got8080
expect_eq "connect to 127.0.0.1:8080 works" hello "$(cat /tmp/got8080)"
expect_eq "nothing reached port 9999" "" "$(cat /tmp/got9999)"
agent_stop
stop_listeners
ev=$(events_with '"policy_name":"deny-connect"')
expect_match "the event has the address" '"sockaddr_arg":\{"family":"AF_INET","addr":"127.0.0.1","port":9999\}' "$ev"
expect_match "and says denied" '"action":"KPROBE_ACTION_OVERRIDE".*"mode":"enforce","denied":true,"errno":"EPERM"' "$ev"

# monitor mode: the same policy with policy-mode: monitor
sed 's/^spec:$/spec:\n  options:\n    - name: "policy-mode"\n      value: "monitor"/' \
	/veto/examples/policies/deny-connect.yaml > /tmp/deny-connect-monitor.yaml
agent_start --export-veto --policy /tmp/deny-connect-monitor.yaml
expect_match "the policy loads in monitor mode" "policy deny-connect: monitoring" "$(cat "$AGENT_LOG")"
listen 9999 /tmp/got9999m
echo hello | nc 127.0.0.1 9999 >/dev/null 2>&1
wait_until 30 grep -q hello /tmp/got9999m
expect_eq "in monitor mode the connect works" hello "$(cat /tmp/got9999m)"
agent_stop
stop_listeners
ev=$(events_with '"policy_name":"deny-connect"')
expect_match "the event says what enforce would do" '"mode":"monitor","would_deny":true,"errno":"EPERM"' "$ev"
