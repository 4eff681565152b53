#!/bin/sh
# Scenario 1: the article's /etc/passwd policy, verbatim. A process opening the
# file for writing dies by SIGKILL inside the hook and the file is unchanged.
. /veto/lib.sh

cp /etc/passwd /tmp/passwd.orig
agent_start --export-veto --policy /veto/examples/policies/article-passwd.yaml
expect_match "the policy is enforcing at the LSM hook" \
	"policy article-passwd: enforcing on lsm/inode_permission" "$(cat "$AGENT_LOG")"
expect_eq "the writer of /etc/passwd dies by SIGKILL" 137 "$(run_status sh -c 'echo hacked >> /etc/passwd')"
expect_eq "an unrelated write works" 0 "$(run_status sh -c 'echo ok >> /tmp/other')"
agent_stop
expect_ok "/etc/passwd is byte-for-byte unchanged" cmp /etc/passwd /tmp/passwd.orig
ev=$(events_with '"process_kprobe".*"policy_name":"article-passwd"')
expect_match "an event names the policy, hook and action" \
	'"function_name":"security_inode_permission".*"action":"KPROBE_ACTION_SIGKILL"' "$ev"
expect_match "the event says denied and killed" '"denied":true,"errno":"EPERM","killed":true' "$ev"
expect_match "the inode is reported as a path_arg with its path (Tetragon has no inode argument)" '"path_arg":\{"path":"/etc/passwd"' "$ev"
expect_no_match "no inode_arg (not in Tetragon's messages)" 'inode_arg' "$ev"
