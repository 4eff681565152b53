#!/bin/sh
# veto lineage where BPF LSM denies for real: under `veto agent --store`, a
# shell runs a cat denied at file_open (EPERM, it exits 1), a cat killed
# there (SIGKILL), a child shell that exits 3, and exits 5 itself. After the
# agent has stopped, lineage shows the exited tree from the store: each
# process with its exit, the denial and the kill marked under their
# processes, in time order; JSON says the same. (The host test covers
# tracepoint kills, hostile strings and loops; this one the LSM outcomes.)
. /veto/lib.sh

mkdir -p /tmp/vl/deny /tmp/vl/kill
echo secret >/tmp/vl/secret
# busybox runs the applet its name says: cat, under paths of its own
cp /bin/busybox /tmp/vl/deny/cat
cp /bin/busybox /tmp/vl/kill/cat
cat >/tmp/vl/policy.yaml <<'YAML'
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: lineage-secret
spec:
  lsmhooks:
  - hook: file_open
    args:
    - index: 0
      type: file
    selectors:
    - matchBinaries:
      - operator: In
        values: [/tmp/vl/deny/cat]
      matchArgs:
      - index: 0
        operator: Equal
        values: [/tmp/vl/secret]
      matchActions:
      - action: Override
        argError: -1
    - matchBinaries:
      - operator: In
        values: [/tmp/vl/kill/cat]
      matchArgs:
      - index: 0
        operator: Equal
        values: [/tmp/vl/secret]
      matchActions:
      - action: Sigkill
YAML
cat >/tmp/vl/tree.sh <<'SH'
/tmp/vl/deny/cat /tmp/vl/secret
/tmp/vl/kill/cat /tmp/vl/secret
sh -c 'exit 3'
exit 5
SH
db=/tmp/vl/store.db
agent_start --policy /tmp/vl/policy.yaml --store "$db"
sh /tmp/vl/tree.sh lineage-vm >/dev/null 2>&1 &
top=$!
wait "$top"
expect_eq "the tree's shell exits 5" 5 "$?"
# the top's exit is the last of the tree: once lineage shows it, all is stored
stored() { veto lineage --store "$db" --color never "$top" 2>/dev/null | grep -q ' exit 5$'; }
wait_for "the tree's exit is in the store" 60 stored
agent_stop

tree=$(veto lineage --store "$db" --color never "$top")
expect_eq "lineage from the store, the agent stopped: exit 0" 0 "$?"
echo "$tree"
expect_match "the subject marked" '^[^ ]+ >>> +[^ ]+ "/tmp/vl/tree.sh lineage-vm"' "$tree"
expect_match "the denial marked, with its file" 'DENIED +.*file_open denied EPERM /tmp/vl/secret +policy lineage-secret' "$tree"
expect_match "the kill marked, with its file" 'KILLED +.*file_open .*killed.* /tmp/vl/secret +policy lineage-secret' "$tree"
expect_match "the killed cat's end" 'signal +exit: killed by SIGKILL$' "$tree"
# the lines of the tree, after the subject's, with their depth's marker cut:
# the order the tree must say (each child, then its lines)
order=$(echo "$tree" | sed -n '/ >>> /,$p' | sed 's/^[^ ]* .\{12\} *//' |
	sed -n 's|^[^ ]* "/tmp/vl/tree.sh.*|top|p; s|^/tmp/vl/deny/cat .*|deny|p; s|^/tmp/vl/kill/cat .*|kill|p;
		s|^[^ ]* "-c .*exit 3.*|sh3|p; s|^.*file_open .*killed.*|killed|p; s|^.*file_open denied.*|denied|p;
		s|^exit: killed by SIGKILL$|SIGKILL|p; s|^exit \([0-9]*\)$|exit\1|p' | tr '\n' ' ')
expect_eq "the tree in time order, each process's exit after its events" \
	"top deny denied exit1 kill killed SIGKILL sh3 exit3 exit5 " "$order"
# the cat's lines one level (2 columns) below the shell's
indent() { echo "$tree" | grep -F -- "$1" | head -n1 | sed 's/^[^ ]* .\{12\}//' | sed 's/[^ ].*//' | wc -c; }
expect_eq "a child two columns deeper than its parent" $(($(indent ' "/tmp/vl/tree.sh lineage-vm"') + 2)) \
	"$(indent '/tmp/vl/deny/cat /tmp/vl/secret  (')"

json=$(veto lineage --store "$db" -o json "$top")
expect_match "JSON: the denied event's outcome" '"hook":"file_open","action":"KPROBE_ACTION_OVERRIDE","outcome":"denied"' "$json"
expect_match "JSON: the killed event's outcome" '"hook":"file_open","action":"KPROBE_ACTION_SIGKILL","outcome":"killed"' "$json"
expect_match "JSON: the killed cat's exit" '"binary":"/tmp/vl/kill/cat",.*"exit_signal":"SIGKILL"' "$json"
expect_match "JSON: the subject's exit" '"role":"subject",.*"exit_status":5,' "$json"
expect_status "an exec_id not in the store: 1" 1 veto lineage --store "$db" nosuchexecid
