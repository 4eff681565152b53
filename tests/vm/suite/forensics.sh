#!/bin/sh
# The forensics policy (examples/policies/forensics.yaml) lints clean, loads
# on this kernel in monitor-only form, and records each operation it is for
# with the fields lineage needs: an exec from /tmp, a write into a watched
# folder, a chmod, an IPv4 and an IPv6 connect, a setuid, a module loaded
# from a file and from memory, a module the kernel asks for. It posts nothing for a read, for a
# read-only open, for a write outside the watched folders, for an exec from
# /bin, for a Unix socket's connect, nor for the agent's own writes; and it
# stops nothing.
. /veto/lib.sh

POL=/veto/examples/policies/forensics.yaml
out=$(veto policy lint "$POL" 2>&1)
expect_eq "the policy lints clean" "1 file: 0 errors, 0 warnings" "$out"
expect_no_match "it only posts" 'Override|Sigkill|Signal|NoPost' "$(grep -v '^ *#' "$POL")"

mkdir -p /tmp/f /run/f /tmp/mnt
echo secret > /tmp/f/ro
echo old > /run/f/out
head -c 4096 /dev/zero > /tmp/f/notmod
# each operation by its own program (a copy of busybox in a folder named
# after its role), so each event names who did it
for p in writer reader chmodder linker; do mkdir -p /tmp/$p && cp /bin/busybox /tmp/$p/busybox; done
mkdir -p /tmp/bin && cp /usr/local/bin/privops /tmp/bin/privops

LISTENERS=
listen() { # PORT: one connection, its data discarded
	nc -l -p "$1" > /dev/null 2>&1 &
	LISTENERS="$LISTENERS $!"
	wait_until 30 listening "$1" || die "nc does not listen on port $1"
}
on_exit 'kill $LISTENERS 2>/dev/null'

# a syslog daemon, so that a Unix socket's connect surely happens
syslogd -n -O /run/f/syslog &
SYSLOGD=$!
on_exit 'kill $SYSLOGD 2>/dev/null'
wait_until 30 test -S /dev/log || die "syslogd made no /dev/log"

# ev PATTERN...: the export's lines holding every fixed string
ev() {
	_l=$(grep -F -- "$1" "$AGENT_EXPORT")
	shift
	for _p in "$@"; do _l=$(printf '%s\n' "$_l" | grep -F -- "$_p"); done
	printf '%s' "$_l" | grep -c .
}
# expect_events DESC N PATTERN...: N lines hold every pattern ("+": one or more)
expect_events() {
	_d=$1 _n=$2
	shift 2
	_got=$(ev "$@")
	if [ "$_n" = + ]; then
		[ "$_got" -ge 1 ] && pass "$_d" || fail "$_d: no event holds $*"
	else
		expect_eq "$_d" "$_n" "$_got"
	fi
}
# lsm_by BINARY HOOK: the fixed strings of the policy's events of HOOK by BINARY
lsm_by() { echo '"process_lsm"'; echo "\"binary\":\"$1\""; echo "\"function_name\":\"$2\""; }

# the export in /tmp: under a watched folder, so the agent's own writes
# would post if its binary were not left out
AGENT_EXPORT=/tmp/f/events.json
agent_start --policy "$POL"
expect_eq "the policy attaches its 8 hooks" 8 "$(grep -c 'policy forensics: [a-z]* on lsm/' "$AGENT_LOG")"

expect_ok "3 writes of 1 byte" /tmp/writer/busybox dd if=/tmp/f/ro of=/tmp/f/w bs=1 count=3
expect_ok "a write outside the watched folders" /tmp/writer/busybox sh -c 'echo new > /run/f/out'
expect_ok "a read" /tmp/reader/busybox cat /tmp/f/ro
expect_ok "a read-only open" /tmp/reader/busybox sh -c ': < /tmp/f/ro'
expect_ok "a chmod" /tmp/chmodder/busybox chmod 755 /tmp/f/w
listen 7411
expect_ok "an IPv4 connect" /tmp/linker/busybox sh -c 'echo hi | /tmp/linker/busybox nc 127.0.0.1 7411'
# nothing listens there: the hook runs before the kernel finds that out
v6=
[ ! -e /proc/net/if_inet6 ] || { v6=1; /tmp/linker/busybox nc -w 5 ::1 7412 < /dev/null > /dev/null 2>&1; }
expect_ok "a Unix socket's connect" /tmp/linker/busybox logger -t forensics-unix "to /dev/log"
wait_for "syslogd got it" 30 grep -q forensics-unix /run/f/syslog
expect_ok "a setuid" /tmp/bin/privops setuid 65534 /bin/true
expect_ok "a module from a file reaches the kernel" /tmp/bin/privops finit /tmp/f/notmod
expect_ok "a module from memory reaches the kernel" /tmp/bin/privops init /tmp/f/notmod
expect_fail "a filesystem type there is no module for" mount -t vetonosuchfs none /tmp/mnt

# the last operation's event is in: the others, earlier, are too
wait_for "the module request's event" 60 grep -q 'fs-vetonosuchfs' "$AGENT_EXPORT"
agent_stop

expect_events "one event per write call, with the path and the mask" 3 $(lsm_by /tmp/writer/busybox file_permission) \
	'"policy_name":"forensics"' '"args":[{"file_arg":{"path":"/tmp/f/w",' '{"int_arg":2}],"action":"KPROBE_ACTION_POST"'
expect_events "the exec of a program in /tmp: its path" 1 '"process_lsm"' '"function_name":"bprm_check_security"' \
	'"args":[{"linux_binprm_arg":{"path":"/tmp/chmodder/busybox",'
expect_events "no event for the exec of a program in /bin" 0 '"function_name":"bprm_check_security"' '"linux_binprm_arg":{"path":"/bin/'
expect_events "no event for the write outside the watched folders" 0 '"process_lsm"' '"path":"/run/f/out"'
expect_events "no event for the file read, by either program" 0 '"file_arg":{"path":"/tmp/f/ro"'
expect_events "no event for the reader at all" 0 $(lsm_by /tmp/reader/busybox file_permission)
expect_events "the chmod: path and mode" 1 $(lsm_by /tmp/chmodder/busybox path_chmod) \
	'"args":[{"path_arg":{"path":"/tmp/f/w",' '{"int_arg":493}],"action":"KPROBE_ACTION_POST"'
expect_events "the IPv4 connect: address and port" 1 $(lsm_by /tmp/linker/busybox socket_connect) \
	'"arguments":"nc 127.0.0.1 7411"' '"sockaddr_arg":{"family":"AF_INET","addr":"127.0.0.1","port":7411}'
[ -z "$v6" ] || expect_events "the IPv6 connect: address and port" 1 $(lsm_by /tmp/linker/busybox socket_connect) \
	'"sockaddr_arg":{"family":"AF_INET6","addr":"::1","port":7412}'
expect_events "no event for the Unix socket's connect" 0 '"process_lsm"' 'forensics-unix'
expect_events "no Unix socket at all" 0 '"family":"AF_UNIX"'
expect_events "the setuid: new and old credentials" 1 $(lsm_by /tmp/bin/privops task_fix_setuid) \
	'"args":[{"process_credentials_arg":{"euid":65534,' '},{"process_credentials_arg":{"euid":0,'
expect_events "the module from a file: its path, read as a module" 1 $(lsm_by /tmp/bin/privops kernel_read_file) \
	'"arguments":"finit /tmp/f/notmod"' '"args":[{"file_arg":{"path":"/tmp/f/notmod",' '{"int_arg":2}]'
expect_events "the module from memory" 1 $(lsm_by /tmp/bin/privops kernel_load_data) \
	'"arguments":"init /tmp/f/notmod"' '"args":[{"int_arg":2}]'
expect_events "the module the kernel asked for" 1 $(lsm_by /bin/busybox kernel_module_request) \
	'"args":[{"string_arg":"fs-vetonosuchfs"}]'
expect_events "none of the agent's own writes" 0 '"process_lsm"' '"binary":"/usr/bin/veto"'
expect_events "every policy event is a Post" "$(ev '"process_lsm"')" '"process_lsm"' '"action":"KPROBE_ACTION_POST"'

# lineage: each event's process is one the agent reported starting (but at
# the exec hook: there the process is the one about to exec, often a fork)
for b in /tmp/writer/busybox /tmp/chmodder/busybox /tmp/linker/busybox /tmp/bin/privops; do
	for id in $(grep -F '"process_lsm"' "$AGENT_EXPORT" | grep -vF '"function_name":"bprm_check_security"' |
		grep -F "\"binary\":\"$b\"" |
		sed 's/^{"process_lsm":{"process":{"exec_id":"\([^"]*\)".*/\1/' | sort -u); do
		expect_events "$b's event: process $id has its exec" 1 '{"process_exec":{"process":{"exec_id":"'"$id"'"'
	done
done
