#!/bin/sh
# userns_create (6.1 and later): a chosen binary cannot create a user
# namespace, another can; a kernel without the hook refuses the policy with
# the reason before anything loads.
. /veto/lib.sh

mkdir -p /tmp/untrusted
cp /bin/busybox /tmp/untrusted/unshare # busybox runs the applet named by argv[0]
cat > /tmp/userns.yaml <<'YAML'
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: no-userns
spec:
  lsmhooks:
  - hook: userns_create
    args:
    - index: 0
      type: cred
    selectors:
    - matchBinaries:
      - operator: In
        values: [/tmp/untrusted/unshare]
      matchActions:
      - action: Override
        argError: -1
YAML
if ! kernel_at_least 6.1; then
	out=$(veto policy try /tmp/userns.yaml 2>&1) && fail "the policy loaded on $(uname -r)" || pass "refused on $(uname -r)"
	expect_match "with the reason and the place" \
		'userns.yaml:[0-9]+:[0-9]+: error: unsupported on this kernel: it has no LSM hook userns_create' "$out"
	exit 0
fi
expect_ok "before the policy, the binary can create a user namespace" /tmp/untrusted/unshare -U true
agent_start --export-veto --policy /tmp/userns.yaml
expect_fail "the chosen binary cannot create a user namespace" /tmp/untrusted/unshare -U true
expect_ok "another binary can" /bin/busybox unshare -U true
agent_stop
expect_match "the denial is an event" '"function_name":"userns_create".*"denied":true' \
	"$(events_with '"policy_name":"no-userns"')"
