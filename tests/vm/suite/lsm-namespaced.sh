#!/bin/sh
# Scenario 5: ptrace_access_check and capable(CAP_SYS_ADMIN) denied to a
# process in a non-host pid namespace; the host keeps both. matchPIDs with
# isNamespacePID: a namespace's pid 1 is denied, the host's processes are not.
. /veto/lib.sh

sleep 600 &
target=$!
agent_start --export-veto --policy /veto/examples/policies/contain-namespaced.yaml
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

# isNamespacePID: pid 1 as each process sees it (a container's init), not the host's
echo data > /tmp/nspid
cat > /tmp/nspid.yaml <<'YAML'
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: ns-init
spec:
  lsmhooks:
  - hook: file_open
    args:
    - index: 0
      type: file
    selectors:
    - matchArgs:
      - index: 0
        operator: Equal
        values: [/tmp/nspid]
      matchPIDs:
      - operator: In
        values: [1]
        isNamespacePID: true
      matchActions:
      - action: Override
        argError: -1
YAML
agent_start --export-veto --policy /tmp/nspid.yaml
expect_fail "pid 1 of a new pid namespace cannot open the file" unshare -p -f sh -c 'exec cat /tmp/nspid'
expect_ok "pid 2 of that namespace can" unshare -p -f sh -c 'cat /tmp/nspid; exit $?'
expect_ok "the host can" cat /tmp/nspid
agent_stop
expect_match "the denial names the policy" '"policy_name":"ns-init".*"denied":true' "$(events_with '"policy_name":"ns-init"')"

# followForks with isNamespacePID: a namespace's pid 2 and all it forks, before
# the policy loaded too (pid 1 would be every process: the host's init is the
# host namespace's pid 1)
sed -e 's/name: ns-init/name: ns-follow/' -e 's/values: \[1\]/values: [2]/' \
	-e 's/isNamespacePID: true/isNamespacePID: true\n        followForks: true/' /tmp/nspid.yaml > /tmp/nsfollow.yaml
# the grandchild says it runs (/tmp/early.up), then opens once the agent is
# ready (/tmp/go), however long loading takes
printf '#!/bin/sh\ntouch /tmp/early.up\nwhile [ ! -e /tmp/go ]; do sleep 0.1; done\ncat /tmp/nspid >/dev/null 2>&1\necho $? > /tmp/early.rc\n' > /tmp/inner.sh
printf '#!/bin/sh\n/tmp/inner.sh\nexit 0\n' > /tmp/mid.sh
chmod +x /tmp/inner.sh /tmp/mid.sh
rm -f /tmp/early.rc /tmp/early.up /tmp/go
unshare -p -f sh -c '/tmp/mid.sh; exit 0' &
early=$!
wait_until 60 test -e /tmp/early.up || die "the early tree did not start"
agent_start --export-veto --policy /tmp/nsfollow.yaml
touch /tmp/go
expect_fail "a child of a namespace's pid 2 cannot open the file" unshare -p -f sh -c 'sh -c "cat /tmp/nspid; exit \$?"; exit $?'
expect_ok "that namespace's pid 1 can" unshare -p -f sh -c 'exec cat /tmp/nspid'
expect_ok "the host can" cat /tmp/nspid
wait "$early"
expect_eq "a grandchild of pid 2 forked before the policy loaded is denied too" 1 "$(cat /tmp/early.rc 2>/dev/null)"
agent_stop
