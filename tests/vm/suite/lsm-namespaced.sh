#!/bin/sh
# Scenario 5: ptrace_access_check and capable(CAP_SYS_ADMIN) denied to a
# process in a non-host pid namespace; the host keeps both.
. /veto/lib.sh

sleep 600 &
target=$!
agent_start /veto/examples/policies/contain-namespaced.yaml
# reading another process's environment goes through ptrace_access_check
expect_fail "a namespaced process cannot read another's environ" unshare -p -f cat /proc/$target/environ
expect_ok "the host can" sh -c "cat /proc/$target/environ >/dev/null"
mkdir -p /mnt/a /mnt/b
expect_fail "a namespaced process cannot mount (CAP_SYS_ADMIN)" unshare -p -f mount -t tmpfs none /mnt/a
expect_fail "so nothing was mounted" grep -q ' /mnt/a ' /proc/mounts
expect_ok "the host can mount" mount -t tmpfs none /mnt/b
agent_stop
kill "$target"
ev=$(events_with '"policy_name":"contain-namespaced"')
expect_match "a ptrace event" '"function_name":"ptrace_access_check".*"denied":true' "$ev"
expect_match "a capable event names CAP_SYS_ADMIN" '"capability_arg":\{"value":21,"name":"CAP_SYS_ADMIN"\}.*"denied":true' "$ev"
