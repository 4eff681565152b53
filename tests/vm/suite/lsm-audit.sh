#!/bin/sh
# Scenario 3: audit mode (Post): the operation succeeds, the event names the policy.
. /veto/lib.sh

mkdir -p /tmp/audit/m
echo secret > /tmp/audit/file
# two mount points on the way: the path is walked across both
mount -t tmpfs none /tmp/audit/m && mkdir /tmp/audit/m/n && mount -t tmpfs none /tmp/audit/m/n &&
	echo nested > /tmp/audit/m/n/file || fail "cannot mount the nested tmpfs"
agent_start --export-veto --policy /veto/examples/policies/audit-tmp-reads.yaml
expect_eq "the audited read succeeds" "secret" "$(cat /tmp/audit/file)"
expect_eq "a read two mounts down succeeds" "nested" "$(cat /tmp/audit/m/n/file)"
agent_stop
umount /tmp/audit/m/n /tmp/audit/m
expect_match "its path crosses both mount points" '"file_arg":\{"path":"/tmp/audit/m/n/file","permission":"-[-rwxsStT]{9}"\}' \
	"$(events_with '"policy_name":"audit-tmp-reads"')"
ev=$(events_with '"process_lsm".*"policy_name":"audit-tmp-reads"' | grep '"/tmp/audit/file"')
expect_match "a process_lsm event for file_open (ProcessLsm's order)" '"function_name":"file_open","policy_name":"audit-tmp-reads","args":\[\{"file_arg":\{"path":"/tmp/audit/file","permission":"-[-rwxsStT]{9}"\}\}\]' "$ev"
expect_match "action Post, nothing denied" '"action":"KPROBE_ACTION_POST".*"denied":false,"killed":false' "$ev"
expect_match "the reader is the process" '"binary":"/bin/(cat|busybox)"' "$ev"

# rateLimit with the global scope: four reads, every one allowed, one event
sed 's/            - action: Post/            - action: Post\n              rateLimit: "1m"\n              rateLimitScope: "global"/' \
	/veto/examples/policies/audit-tmp-reads.yaml > /tmp/audit-rate.yaml
agent_start --export-veto --policy /tmp/audit-rate.yaml
for i in 1 2 3; do cat /tmp/audit/file >/dev/null; done
expect_eq "rate-limited reads still succeed" "secret" "$(cat /tmp/audit/file)"
agent_stop
expect_eq "rateLimit 1m, global: one event for four reads" 1 "$(events_with '"policy_name":"audit-tmp-reads"' | wc -l)"
