#!/bin/sh
# Runs inside the demo VM (see scripts/demo): the article's two policies,
# enforced by veto at BPF LSM hooks on a stock Debian kernel.
set -u
P=/veto/examples/policies
AGENT=

start() { # POLICY: the agent, with events in compact form on /tmp/events.txt
	veto agent --policy "$1" -o compact --socket /run/veto.sock >/tmp/events.txt 2>/tmp/agent.log &
	AGENT=$!
	for _ in $(seq 300); do
		grep -q ready /tmp/agent.log && return 0
		kill -0 "$AGENT" 2>/dev/null || break
		sleep 0.1
	done
	cat /tmp/agent.log
	exit 1
}
stop() {
	kill -TERM "$AGENT"
	wait "$AGENT"
}
show_events() {
	grep -a 'lsm\|kprobe' /tmp/events.txt | sed 's/^/   event: /'
}

echo "== veto probe inside the VM ($(uname -r))"
veto probe || exit 1

echo
echo "== 1. The article's /etc/passwd policy ($P/article-passwd.yaml)"
veto policy lint "$P/article-passwd.yaml" | sed 's/^/   lint: /'
cp /etc/passwd /tmp/passwd.before
start "$P/article-passwd.yaml"
echo "   \$ sh -c 'echo hacked >> /etc/passwd'"
sh -c 'echo hacked >> /etc/passwd'
echo "   exit status $? (137 = killed by SIGKILL)"
stop
if cmp -s /etc/passwd /tmp/passwd.before; then
	echo "   /etc/passwd is byte-for-byte unchanged"
else
	echo "   /etc/passwd CHANGED"
	exit 1
fi
show_events

echo
echo "== 2. The article's shell policy, corrected ($P/block-shell-exec-fixed.yaml)"
cp /bin/busybox /usr/bin/sh # a real /usr/bin/sh, as in a container image
start "$P/block-shell-exec-fixed.yaml"
echo "   \$ unshare --pid --fork /usr/bin/sh -c 'echo shell started'   (a new pid namespace, like a container)"
unshare -p -f /usr/bin/sh -c 'echo shell started'
echo "   exit status $? (the shell never started)"
echo "   \$ /usr/bin/sh -c 'echo shell started'   (on the host)"
/usr/bin/sh -c 'echo "   shell started"'
stop
show_events

echo
echo "== 3. The window: the same kill-on-create policy as a tracepoint and as an LSM hook"
table=$(sh /veto/bench/window.sh 20 /window tracepoint lsm) || exit 1
printf '%s\n' "$table" | sed 's/^/   /'
printf '%s\n' "$table" | awk -F'|' '$2 ~ /tracepoint|lsm/ {
	gsub(/ /, "", $2); printf "   %s: %d of %d openers killed, the file created %d times\n", $2, $4, $3, $5 }'
