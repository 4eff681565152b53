#!/bin/sh
# Policy changes on a running agent: how long `veto tp add`, `set-mode` and
# `delete` take, beside `veto policy try` (the same load and attach without an
# agent), and whether a write right after each command returns already sees
# the new state (tpcycle counts the ones that do not: 0 is the claim).
# Usage: lifecycle.sh N DIR   (veto and tpcycle on PATH; DIR on the root
# filesystem: a file's path is resolved within its own filesystem)
set -eu
N=$1 DIR=$2
lib=/veto/veto.sh
[ -e "$lib" ] || lib=$(dirname "$0")/../../tests/lib/veto.sh
. "$lib"
mkdir -p "$DIR"
agent_files "$DIR"
AGENT_EXPORT=/dev/null
target=$DIR/target
echo data > "$target"
cat > "$DIR/deny.yaml" <<YAML
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: bench-deny
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
        values: ["$target"]
      matchActions:
      - action: Override
        argError: -1
YAML
mkdir -p "$DIR/policies.d"
agent_start --policy-dir "$DIR/policies.d"
tpcycle "$(command -v veto)" "$AGENT_SOCK" "$DIR/deny.yaml" bench-deny "$target" "$N"
rc=$?
agent_stop
exit $rc
