#!/bin/sh
# veto policy simulate agrees with the kernel. A scenario (opens, connects,
# an exec, a shell sourcing a file then starting a child) runs under a broad
# monitor-mode recording policy (file_open, socket_connect,
# bprm_check_security, every call posted, exported with --export-veto); a
# narrower candidate (several selectors and operators: matchBinaries with
# Prefix args, Postfix, Equal, SAddr + SPort, Equal on an exec, Sigkill) is
# simulated on that export; then the candidate is loaded in enforce mode and
# the same scenario runs again. What simulate said would be stopped must be
# what was stopped: by the effects (EPERM, SIGKILL, a child that never ran)
# and by the enforce events (hook, binary, action, count).
. /veto/lib.sh

S=/tmp/sim
mkdir -p $S/data $S/sh $S/x $S/n
# one binary per operation: the report names processes by binary
for op in 1 2 3 4 8c; do mkdir -p $S/op$op && cp /bin/busybox $S/op$op/cat; done
cp /bin/busybox $S/sh/sh
cp /bin/busybox $S/x/true
cp /bin/busybox $S/n/nc
echo secret >$S/data/secret.txt
echo key >$S/data/public.key
echo notes >$S/data/notes.txt
echo ': sourced' >$S/data/kill.me

LISTENER=
listen() { # PORT
	nc -l -p "$1" >/dev/null 2>&1 &
	LISTENER=$!
	wait_until 30 listening "$1" || die "nc does not listen on port $1"
}

# scenario OUT: each operation's outcome, one line each
scenario() {
	out=$1
	: >"$out"
	for op in 1 2 3 4; do
		case $op in
			1 | 2) f=secret.txt ;;
			3) f=public.key ;;
			4) f=notes.txt ;;
		esac
		$S/op$op/cat $S/data/$f >/dev/null 2>&1
		echo "op$op $?" >>"$out"
	done
	listen 9999
	for port in 9999 8080; do
		o=$($S/n/nc -w 2 127.0.0.1 $port </dev/null 2>&1)
		case $o in
			*"not permitted"*) echo "connect$port denied" ;;
			*) echo "connect$port ok" ;;
		esac >>"$out"
	done
	kill $LISTENER 2>/dev/null
	wait $LISTENER 2>/dev/null
	$S/x/true >/dev/null 2>&1
	echo "op7 $?" >>"$out"
	# the shell sources a file, then starts a child (and one more command,
	# so that the child is forked, not exec'd in the shell's place)
	o=$($S/sh/sh -c ". $S/data/kill.me; $S/op8c/cat $S/data/notes.txt; :" 2>/dev/null)
	echo "op8 $?" >>"$out"
	case $o in
		*notes*) echo "op8c ran" ;;
		*) echo "op8c notrun" ;;
	esac >>"$out"
}

cat >/tmp/record.yaml <<'EOF'
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: record
spec:
  options:
  - name: policy-mode
    value: monitor
  lsmhooks:
  - hook: file_open
    args:
    - index: 0
      type: file
  - hook: socket_connect
    args:
    - index: 0
      type: sock
    - index: 1
      type: sockaddr
  - hook: bprm_check_security
    args:
    - index: 0
      type: linux_binprm
EOF
cat >/tmp/candidate.yaml <<EOF
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: candidate
spec:
  lsmhooks:
  - hook: file_open
    args:
    - index: 0
      type: file
    selectors:
    - matchBinaries:
      - operator: Prefix
        values: [$S/op2/]
      matchArgs:
      - index: 0
        operator: Prefix
        values: [$S/data/]
      matchActions:
      - action: Override
        argError: -1
    - matchArgs:
      - index: 0
        operator: Postfix
        values: [.key]
      matchActions:
      - action: Override
        argError: -1
    - matchBinaries:
      - operator: In
        values: [$S/sh/sh]
      matchArgs:
      - index: 0
        operator: Equal
        values: [$S/data/kill.me]
      matchActions:
      - action: Sigkill
    - matchArgs:
      - index: 0
        operator: NotPrefix
        values: [$S/data/public]
      - index: 0
        operator: Postfix
        values: [notes.txt]
  - hook: socket_connect
    args:
    - index: 0
      type: sock
    - index: 1
      type: sockaddr
    selectors:
    - matchArgs:
      - index: 1
        operator: SAddr
        values: [127.0.0.0/8]
      - index: 1
        operator: SPort
        values: [9999]
      matchActions:
      - action: Override
        argError: -1
  - hook: bprm_check_security
    args:
    - index: 0
      type: linux_binprm
    selectors:
    - matchArgs:
      - index: 0
        operator: Equal
        values: [$S/x/true]
      matchActions:
      - action: Override
        argError: -1
EOF

# 1. record in monitor mode
agent_start --export-veto --policy /tmp/record.yaml
scenario /tmp/recorded.txt
agent_stop
cp "$AGENT_EXPORT" /tmp/recording.json
note "recorded $(wc -l </tmp/recording.json) events"
expect_eq "the recording run stopped nothing" "op1 0
op2 0
op3 0
op4 0
connect9999 ok
connect8080 ok
op7 0
op8 0
op8c ran" "$(cat /tmp/recorded.txt)"

# 2. simulate the candidate on the recording
veto policy simulate /tmp/candidate.yaml --from-file /tmp/recording.json >/tmp/sim.txt 2>/tmp/sim.err
rc=$?
expect_eq "simulate: something would be stopped (exit 1)" 1 "$rc"
[ "$rc" -le 1 ] || cat /tmp/sim.err >&2
# (hook action binary count) of every deny and kill it predicts
awk '
	/^  [a-z]+\/[a-z_]+: [0-9]+ event/ { hook = $1; sub(/^[a-z]+\//, "", hook); sub(/:$/, "", hook); next }
	/^    selector [0-9]+: / { act = $3 " " $4 == "would deny:" ? "deny" : $3 " " $4 == "would kill:" ? "kill" : ""; next }
	/^      \// && act != "" { bin = $1; sub(/:$/, "", bin); n = $2; sub(/,$/, "", n); print hook, act, bin, n }
	/^[a-z]/ { act = "" }
' /tmp/sim.txt | sort >/tmp/predicted.txt
# the processes that would not have run
sed -n 's/^  [^ ]* \([^ ]*\) (ancestor .*/\1/p' /tmp/sim.txt | sort >/tmp/predicted-notrun.txt
note "predicted: $(tr '\n' ';' </tmp/predicted.txt) not run: $(tr '\n' ' ' </tmp/predicted-notrun.txt)"

# 3. the candidate, enforced, on the same scenario
agent_start --export-veto --policy /tmp/candidate.yaml
scenario /tmp/enforced.txt
agent_stop
note "enforced: $(tr '\n' ';' </tmp/enforced.txt)"
# the enforce events: (hook action binary) of each denial or kill, counted
grep '"policy_name":"candidate"' "$AGENT_EXPORT" | grep -E '"(denied|killed)":true' | while IFS= read -r l; do
	fn=$(printf '%s' "$l" | sed -n 's/.*"function_name":"\([^"]*\)".*/\1/p')
	bin=$(printf '%s' "$l" | sed -n 's/^[^{]*{[^{]*{"process":{[^}]*"binary":"\([^"]*\)".*/\1/p')
	case $l in
		*'"action":"KPROBE_ACTION_SIGKILL"'*) act=kill ;;
		*) act=deny ;;
	esac
	echo "$fn $act $bin"
done | sort | uniq -c | awk '{ print $2, $3, $4, $1 }' | sort >/tmp/actual.txt
if [ "$(cat /tmp/predicted.txt)" = "$(cat /tmp/actual.txt)" ] && [ -s /tmp/actual.txt ]; then
	pass "simulate's denials and kills are the enforce events' ($(wc -l </tmp/actual.txt) hook, action, binary, count)"
else
	fail "simulate and the kernel disagree: predicted <$(tr '\n' ';' </tmp/predicted.txt)> enforced <$(tr '\n' ';' </tmp/actual.txt)>"
fi

# by the effects: the operations that failed or never ran under enforce
stopped_effects=$(awk '($2 != "0" && $2 != "ok" && $2 != "ran") { print $1 }' /tmp/enforced.txt | sort)
# by the prediction: each operation's own binary (or hook) in a deny or kill
stopped_predicted=$(
	for op in 1 2 3 4; do grep -q " $S/op$op/cat " /tmp/predicted.txt && echo "op$op"; done
	grep -q '^socket_connect deny ' /tmp/predicted.txt && echo connect9999
	grep -q '^bprm_check_security deny ' /tmp/predicted.txt && echo op7
	grep -q " kill $S/sh/sh " /tmp/predicted.txt && echo op8
	grep -qx "$S/op8c/cat" /tmp/predicted-notrun.txt && echo op8c
)
stopped_predicted=$(printf '%s\n' "$stopped_predicted" | sort)
expect_eq "the stopped operations are the predicted ones" "$stopped_predicted" "$stopped_effects"
expect_eq "what was stopped, and how" "op1 0
op2 1
op3 1
op4 0
connect9999 denied
connect8080 ok
op7 126
op8 137
op8c notrun" "$(cat /tmp/enforced.txt)"
# only one connect is denied although both were recorded: SPort decided it
expect_match "the 8080 connect was evaluated and not matched" 'lsm/socket_connect: [0-9]+ events?' "$(cat /tmp/sim.txt)"
expect_no_match "nothing was left undecided" 'not evaluable for' "$(cat /tmp/sim.txt)"
if grep -q "\"binary\":\"$S/op8c/cat\"" "$AGENT_EXPORT"; then
	fail "the child of the killed shell ran under enforce"
else
	pass "the child of the killed shell never ran under enforce"
fi
