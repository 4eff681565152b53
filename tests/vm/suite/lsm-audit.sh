#!/bin/sh
# Scenario 3: audit mode (Post): the operation succeeds, the event names the policy.
. /veto/lib.sh

mkdir -p /tmp/audit
echo secret > /tmp/audit/file
agent_start /veto/examples/policies/audit-tmp-reads.yaml
expect_eq "the audited read succeeds" "secret" "$(cat /tmp/audit/file)"
agent_stop
ev=$(events_with '"process_lsm".*"policy_name":"audit-tmp-reads"')
expect_match "a process_lsm event for file_open" '"function_name":"file_open","args":\[\{"file_arg":\{"path":"/tmp/audit/file"\}\}\]' "$ev"
expect_match "action Post, nothing denied" '"action":"KPROBE_ACTION_POST".*"denied":false,"killed":false' "$ev"
expect_match "the reader is the process" '"binary":"/bin/(cat|busybox)"' "$ev"
