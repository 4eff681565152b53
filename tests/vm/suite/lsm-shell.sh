#!/bin/sh
# Scenario 2: the article's shell policy, verbatim, does what its YAML says
# under Tetragon's semantics: matchBinaries is the process calling
# bprm_check, so a shell that runs a program is killed and the program never
# runs; starting a shell is not matched. Then the corrected policy stops a
# shell from starting in a new pid namespace while the host keeps its shell.
. /veto/lib.sh

# a real file named sh, not busybox's symlink: the binary the policy lists
cp /bin/busybox /usr/bin/sh

agent_start --export-veto --policy /veto/examples/policies/article-block-shell-exec.yaml
rm -f /tmp/ran /tmp/control
expect_eq "a shell running a program is killed" 137 "$(run_status /usr/bin/sh -c '/bin/touch /tmp/ran')"
expect_no_file "the program never ran" /tmp/ran
expect_eq "starting the shell itself is not matched (as the YAML says)" 3 "$(run_status /usr/bin/sh -c 'exit 3')"
expect_eq "a program started by a non-shell runs" 0 "$(run_status /bin/touch /tmp/control)"
expect_file "its effect is there" /tmp/control
agent_stop
ev=$(events_with '"process_kprobe".*"policy_name":"block-shell-exec"')
expect_match "the event shows the shell as the caller" '"binary":"/usr/bin/sh".*"function_name":"security_bprm_check"' "$ev"
expect_match "and the program it tried to run" '"linux_binprm_arg":\{"path":"/bin/busybox","permission":"-[-rwxsStT]{9}"\}' "$ev"

agent_start --export-veto --policy /veto/examples/policies/block-shell-exec-fixed.yaml
expect_eq "sh starting in a new pid namespace is killed" 137 "$(run_status unshare -p -f /usr/bin/sh -c 'touch /tmp/inns')"
expect_no_file "the namespaced shell ran nothing" /tmp/inns
expect_eq "the same exec on the host works" 0 "$(run_status /usr/bin/sh -c 'touch /tmp/onhost')"
expect_file "the host shell ran" /tmp/onhost
agent_stop
ev=$(events_with '"policy_name":"block-shell-exec"')
expect_match "the event names the denied shell" '"linux_binprm_arg":\{"path":"/usr/bin/sh","permission":"-[-rwxsStT]{9}"\}.*"denied":true' "$ev"
