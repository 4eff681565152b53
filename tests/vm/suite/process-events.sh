#!/bin/sh
# Process events inside the VM: the agent sees exec and exit of a command with
# binary, arguments, parent link and status; a process in a new pid namespace
# and a Docker-named cgroup shows the non-host pid namespace (asked for with
# --enable-process-ns), its init tree and container id.
. /veto/lib.sh
set -u
cd /tmp
agent_start --enable-process-ns

/bin/sh -c 'exit 7' vm-marker
# events are JSON lines; without python, match fields with grep on one line
wait_for "exit event of sh -c 'exit 7'" 30 grep -q '"process_exit":.*"arguments":"-c \\"exit 7\\" vm-marker".*"status":7' "$AGENT_EXPORT"
ex=$(events_with '"process_exec":\{"process":\{[^}]*"arguments":"-c \\"exit 7\\" vm-marker"' | head -1)
expect_match "exec event: binary /bin/sh" '"process":\{"exec_id":"[^"]+","pid":[0-9]+,"uid":0,"cwd":"/tmp","binary":"/bin/sh"' "$ex"
expect_match "exec event: flags" '"flags":"execve clone"' "$ex"
pexec=$(echo "$ex" | sed -n 's/.*"parent_exec_id":"\([^"]*\)".*"parent":{"exec_id":"\([^"]*\)".*/\1 \2/p')
expect_ne "exec event has a parent_exec_id" "" "$pexec"
expect_eq "parent_exec_id links to the parent" "${pexec% *}" "${pexec#* }"
expect_match "parent is this shell" "\"parent\":\\{\"exec_id\":\"[^\"]+\",\"pid\":$$," "$ex"
id=$(echo "$ex" | sed 's/^{"process_exec":{"process":{"exec_id":"\([^"]*\)".*/\1/' | base64 -d)
expect_match "exec_id decodes to node:ktime:pid" '^veto-vm:[0-9]+:[0-9]+$' "$id"

# what ran before the agent was announced at start: this shell, flagged procFS
sh_ev=$(events_with "\"process_exec\":\\{\"process\":\\{\"exec_id\":\"[^\"]+\",\"pid\":$$," | head -1)
expect_match "this shell's procFS exec event" '"flags":"procFS' "$sh_ev"

# new pid namespace + a cgroup named like Docker's (systemd driver)
cid=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
mkdir -p /sys/fs/cgroup/system.slice/docker-$cid.scope || die "mkdir cgroup"
sh -c "echo \$\$ > /sys/fs/cgroup/system.slice/docker-$cid.scope/cgroup.procs && exec unshare -p -f /bin/sh -c 'exit 3' vm-ns"
wait_for "exit event in the namespace" 30 grep -q '"process_exit":{"process":{[^}]*"binary":"/bin/sh","arguments":"-c \\"exit 3\\" vm-ns"' "$AGENT_EXPORT"
ns=$(events_with '"process_exec":\{"process":\{[^}]*"binary":"/bin/sh","arguments":"-c \\"exit 3\\" vm-ns"' | head -1)
expect_match "container id" "\"pod\":\\{\"container\":\\{\"id\":\"docker://$cid\",\"pid\":1\\}\\},\"docker\":\"$(echo $cid | cut -c1-31)\"" "$ns"
ns=${ns%%\"parent\":*} # the process only, not its parent
hostpid=$(stat -L -c %i /proc/1/ns/pid)
expect_match "pid namespace is not the host's" '"pid":\{"inum":[0-9]+\},' "$ns"
expect_no_match "pid namespace inum differs" "\"pid\":\\{\"inum\":$hostpid" "$ns"
expect_match "net namespace is the host's" '"net":\{"inum":[0-9]+,"is_host":true\}' "$ns"
expect_match "the namespace's pid 1 is in its init tree" '"in_init_tree":true\}' "$ns"
expect_no_match "no credentials without --enable-process-cred" '"process_credentials"|"cap":' "$ns"

st=$(agent_status)
expect_match "nothing lost" '"lost":\{"total":0,' "$st"
agent_stop
expect_eq "agent stops cleanly" 0 "$AGENT_RC"
expect_match "agent says it stops" 'stopping on' "$(cat "$AGENT_LOG")"
rmdir /sys/fs/cgroup/system.slice/docker-$cid.scope 2>/dev/null
