#!/bin/sh
# The metrics on a kernel that enforces: an LSM policy denies reading one
# file; each read fails with EPERM and the file's content never comes out,
# and the policy-event counter for that policy and action moves by exactly
# the number of denials. With the kernel's BPF statistics on, the policy's
# program reports its runs. Scraped with busybox wget at the default address.
. /veto/lib.sh

mkdir -p /tmp/secret
echo classified >/tmp/secret/file
echo public >/tmp/open-file
cat >/tmp/deny.yaml <<'YAML'
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: deny-secret
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
        values: [/tmp/secret/file]
      matchActions:
      - action: Override
        argError: -1
YAML

sysctl -w kernel.bpf_stats_enabled=1 >/dev/null || fail "cannot turn the BPF statistics on"
agent_start --policy /tmp/deny.yaml
expect_match "the metrics are served at the default address" "metrics: http://127.0.0.1:2112/metrics" \
	"$(cat "$AGENT_LOG")"

url=http://127.0.0.1:2112/metrics
scrape() { wget -q -O - "$url"; }
# value NAME{LABELS}: the sample's value in a fresh scrape ("" when absent)
value() { scrape | awk -v k="$1" '$1 == k { print $2 }'; }
counter='veto_policy_events_total{policy="deny-secret",hook="file_open",action="KPROBE_ACTION_OVERRIDE"}'

expect_match "the answer is Prometheus' text format" "^# TYPE veto_events_total counter" "$(scrape)"
expect_eq "no denial yet: no series" "" "$(value "$counter")"

n=7
denied=0
for i in $(seq $n); do
	out=$(cat /tmp/secret/file 2>/tmp/err) && fail "read $i of the secret was allowed"
	[ -z "$out" ] && grep -q "Operation not permitted" /tmp/err && denied=$((denied + 1))
done
expect_eq "every read of the secret fails with EPERM, nothing read" $n $denied
expect_eq "another file reads" public "$(cat /tmp/open-file)"

is_n() { [ "$(value "$counter")" = "$n" ]; }
wait_for "the counter reaches $n" 30 is_n
sleep 1 # a late extra event would show now
expect_eq "the counter moved by exactly the number of denials" $n "$(value "$counter")"
expect_eq "the export holds as many of the policy's events" $n "$(events_with '"policy_name":"deny-secret"' | wc -l)"
ops='veto_tracingpolicy_operations_total{policy="deny-secret",outcome="enforce"}'
expect_eq "the kernel's enforce counter, as tp list's NENFORCE, is the number of denials" $n "$(value "$ops")"
expect_eq "nothing let through in monitor mode" 0 "$(value 'veto_tracingpolicy_operations_total{policy="deny-secret",outcome="monitor"}')"
expect_eq "LSM events by type, the same count" $n "$(value 'veto_events_total{type="PROCESS_LSM"}')"
expect_eq "one policy enabled" 1 "$(value 'veto_tracingpolicy_loaded{state="enabled"}')"
expect_eq "the policy enforces" 1 "$(value 'veto_tracingpolicy_info{policy="deny-secret",mode="enforce",state="enabled"}')"
mem=$(value 'veto_tracingpolicy_kernel_memory_bytes{policy="deny-secret"}')
expect_ok "the policy's kernel memory: ${mem} bytes" test "${mem:-0}" -gt 0

# statistics on: the policy's program (file_open's) counts every open in the system
expect_eq "the statistics are reported on" 1 "$(value veto_bpf_stats_enabled)"
runs=$(value 'veto_overhead_program_runs_total{policy="deny-secret",program="veto_lsm_fopen"}')
expect_ok "the policy's file_open program ran at least $n times: ${runs}" test "${runs:-0}" -ge $n
secs=$(value 'veto_overhead_program_seconds_total{policy="deny-secret",program="veto_lsm_fopen"}')
expect_ok "its run time is counted: ${secs} s" awk -v s="$secs" 'BEGIN { exit !(s != "" && s + 0 > 0) }'
expect_match "the process sensor's programs are reported without a policy" \
	'veto_overhead_program_runs_total\{policy="",program="veto_[a-z_]+"\} [1-9]' "$(scrape)"

wget -q -O /dev/null http://127.0.0.1:2112/ 2>/tmp/err && fail "another path answered"
expect_match "another path: 404" "404" "$(cat /tmp/err)"
agent_stop
expect_eq "agent stops cleanly" 0 "$AGENT_RC"
expect_eq "the secret is unchanged" classified "$(cat /tmp/secret/file)"
sysctl -w kernel.bpf_stats_enabled=0 >/dev/null
