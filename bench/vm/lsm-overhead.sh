#!/bin/sh
# Inside one VM boot: open()+close() loops (one file again and again, and
# OPENS files once each: a path walked for the first time) and fork+exec
# loops with no agent, with
# the agent and no policy, with a file_open + bprm_check_security policy of 1
# Prefix value (once with --walk-every-path: no remembered path verdicts),
# and of 10,000 values (none of which match the loops' files), alternated
# over ROUNDS rounds. Prints the median ns/op per configuration and
# the ratios.
set -eu
ROUNDS=${1:-3} OPENS=${2:-20000} EXECS=${3:-300}

mkpol() { # NAME N
	{
		printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: %s\nspec:\n  lsmhooks:\n' "$1"
		for h in file_open:file bprm_check_security:linux_binprm; do
			printf '    - hook: "%s"\n      args:\n        - index: 0\n          type: "%s"\n' "${h%%:*}" "${h#*:}"
			printf '      selectors:\n        - matchArgs:\n            - index: 0\n              operator: "Prefix"\n              values:\n'
			seq -w 1 "$2" | sed 's|.*|                - "/nomatch/&/"|'
			printf '          matchActions:\n            - action: Override\n              argError: -1\n'
		done
	} > "/tmp/$1.yaml"
}
mkpol one 1
mkpol tenk 10000
echo data > /tmp/bench-file
mkdir -p /tmp/each && (cd /tmp/each && seq 0 $((OPENS - 1)) | xargs touch)

run() { # CONFIG: one measurement of each loop
	: > /tmp/agent.log
	if [ "$1" = agent ]; then
		veto agent --export-file /dev/null --socket /run/bench.sock 2>/tmp/agent.log &
		agent=$!
	elif [ "$1" = walk ]; then
		veto agent --policy /tmp/one.yaml --walk-every-path --export-file /dev/null --socket /run/bench.sock \
			2>/tmp/agent.log &
		agent=$!
	elif [ "$1" != none ]; then
		veto agent --policy "/tmp/$1.yaml" --export-file /dev/null --socket /run/bench.sock 2>/tmp/agent.log &
		agent=$!
	fi
	if [ "$1" != none ]; then
		until grep -q ready /tmp/agent.log; do
			kill -0 "$agent" || { cat /tmp/agent.log; exit 1; }
			sleep 0.1
		done
	fi
	echo "$1 open $(oploop open /tmp/bench-file "$OPENS")" >> /tmp/results
	echo "$1 openeach $(oploop openeach /tmp/each "$OPENS")" >> /tmp/results
	echo "$1 exec $(oploop exec /bin/true "$EXECS")" >> /tmp/results
	if [ "$1" != none ]; then
		kill -TERM "$agent"
		wait "$agent"
	fi
}

: > /tmp/results
for r in $(seq "$ROUNDS"); do
	for c in none agent walk one tenk; do run "$c"; done
done

median() { grep "^$1 $2 " /tmp/results | cut -d' ' -f3 | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "kernel $(uname -r), $ROUNDS rounds, $OPENS opens and $EXECS execs per measurement"

ratio() { awk "BEGIN { printf \"%.3f\", $1 / $2 }"; }
printf '| loop | no agent | agent, no policy | 1 value, walked every time | 1 value | 10,000 values | walked / no policy | 1 value / no policy | 10,000 / 1 value |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
for l in open openeach exec; do
	n=$(median none $l) a=$(median agent $l) w=$(median walk $l) o=$(median one $l) t=$(median tenk $l)
	printf '| %s | %s ns | %s ns | %s ns | %s ns | %s ns | %s | %s | %s |\n' "$l" "$n" "$a" "$w" "$o" "$t" \
		"$(ratio "$w" "$a")" "$(ratio "$o" "$a")" "$(ratio "$t" "$o")"
done
