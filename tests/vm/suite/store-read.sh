#!/bin/sh
# The event store with BPF LSM, by the static binary: the agent stores a real
# denial (an lsmhooks file_open Override) while it exports;
# getevents --from-store shows it with what veto did, bounded by time; the
# agent's export imported into a store of its own (plain, then gzip) reads
# back as the agent stored it, and importing it again adds nothing.
. /veto/lib.sh
set -u
cd /tmp
cat >/tmp/deny.yaml <<'YAML'
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "lsm-file-open"
spec:
  lsmhooks:
  - hook: "file_open"
    args:
      - index: 0
        type: "file"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Equal"
        values:
        - "/tmp/vs-denied"
      matchActions:
      - action: Override
        argError: -1
YAML
echo secret >/tmp/vs-denied
agent_start --export-veto --store /tmp/live.db --policy /tmp/deny.yaml
expect_eq "reading the file is denied" "" "$(cat /tmp/vs-denied 2>/dev/null)"
/bin/true vm-store-marker
wait_for "the marker's exit in the store" 30 sh -c \
	"veto getevents --from-store /tmp/live.db -e PROCESS_EXIT --binary /bin/true | grep -q vm-store-marker"
agent_stop

lsm=$(veto getevents --from-store /tmp/live.db -e PROCESS_LSM -o compact)
expect_match "the denial read from the store, with what veto did" "LSM .* file_open denied EPERM" "$lsm"
expect_match "its file, in the stored line" '"path":"/tmp/vs-denied"' \
	"$(veto getevents --from-store /tmp/live.db -e PROCESS_LSM --policy-names lsm-file-open)"
all=$(veto getevents --from-store /tmp/live.db | wc -l)
expect_eq "--since 1h: every event of this run" "$all" "$(veto getevents --from-store /tmp/live.db --since 1h | wc -l)"
expect_eq "--until 1h: none" 0 "$(veto getevents --from-store /tmp/live.db --until 1h | wc -l)"

veto getevents --from-store /tmp/live.db >/tmp/live.out
veto store import --store /tmp/imported.db "$AGENT_EXPORT" >/tmp/import.out 2>&1 ||
	fail "import of the agent's export: $(cat /tmp/import.out)"
veto getevents --from-store /tmp/imported.db >/tmp/imported.out
expect_ok "the export, imported, reads back as the agent stored it ($all events)" cmp /tmp/live.out /tmp/imported.out
gzip -c "$AGENT_EXPORT" >/tmp/export.json.1.gz
veto store import --store /tmp/gz.db /tmp/export.json.1.gz >/tmp/import.out 2>&1 ||
	fail "import of the gzipped export: $(cat /tmp/import.out)"
veto getevents --from-store /tmp/gz.db >/tmp/gz.out
expect_ok "gzipped, the same" cmp /tmp/live.out /tmp/gz.out
veto store import --store /tmp/imported.db /tmp/export.json.1.gz >/tmp/import.out 2>&1
expect_match "importing it again adds nothing" "^imported 0 events" "$(cat /tmp/import.out)"
