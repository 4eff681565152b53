#!/bin/sh
# Inside one VM boot: open()+close() loops (one file again and again, and
# OPENS files once each: a path walked for the first time) and fork+exec
# loops with no agent, with
# the agent and no policy, with a file_open + bprm_check_security policy of 1
# Prefix value (once with --walk-every-path: no remembered path verdicts),
# of Tetragon's lsm_file_open example (bins),
# and of 10,000 values (none of which match the loops' files), alternated
# over ROUNDS rounds. Prints the median ns/op per configuration and the
# ratios; then, from a second pass with the kernel's per-program statistics
# on, the median run time of the file_open program per configuration.
. /veto/lib.sh
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
# Tetragon's lsm_file_open example, enforcing: its one selector names a
# binary the loops do not run, so no open's path needs reading
cat > /tmp/bins.yaml <<'YAML'
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: lsm-file-open
spec:
  lsmhooks:
  - hook: file_open
    args:
    - index: 0
      type: file
    selectors:
    - matchBinaries:
      - operator: In
        values: [/usr/bin/cat]
      matchArgs:
      - index: 0
        operator: Equal
        values: [/etc/passwd, /etc/shadow]
      matchActions:
      - action: Override
        argError: -1
YAML
echo data > /tmp/bench-file
mkdir -p /tmp/each && (cd /tmp/each && seq 0 $((OPENS - 1)) | xargs touch)
sleep 3 # the boot's own work done

AGENT_EXPORT=/dev/null # the events' cost is the agent's, not the policy's
start() { # CONFIG: the agent as that configuration has it (none: no agent)
	case $1 in
	none) return ;;
	agent) agent_start ;;
	walk) agent_start --walk-every-path --policy /tmp/one.yaml ;;
	*) agent_start --policy "/tmp/$1.yaml" ;;
	esac
	sleep 3 # the kernel's deferred work after the load done
}
# then the kernel's deferred freeing of the programs and maps, which would
# otherwise run inside the next measurement
stop() { [ -z "$AGENT_PID" ] || { agent_stop; sleep 3; }; }

run() { # CONFIG: one measurement of each loop
	start "$1"
	echo "$1 open $(oploop open /tmp/bench-file "$OPENS")" >> /tmp/results
	echo "$1 openeach $(oploop openeach /tmp/each "$OPENS")" >> /tmp/results
	echo "$1 exec $(oploop exec /bin/true "$EXECS")" >> /tmp/results
	stop
}

# run time and count of the agent's LSM programs (type 29), from its fds
progstats() {
	for f in /proc/"$AGENT_PID"/fdinfo/*; do
		grep -q 'prog_type:.*29' "$f" 2>/dev/null || continue
		echo "$(sed -n 's/run_time_ns:\t*//p' "$f") $(sed -n 's/run_cnt:\t*//p' "$f")"
	done
}
# CONFIG LOOP ARGS...: ns per run of the program that ran most (file_open)
timed() {
	c=$1 l=$2
	shift 2
	progstats > /tmp/s0
	oploop "$@" > /dev/null
	progstats > /tmp/s1
	echo "$c $l $(paste -d' ' /tmp/s0 /tmp/s1 | awk '{ n = $4 - $2; if (n > best) { best = n; r = ($3 - $1) / n } } END { printf "%d", r }')" >> /tmp/progs
}

: > /tmp/results
for r in $(seq "$ROUNDS"); do
	for c in none agent walk one tenk bins; do run "$c"; done
done
# A separate pass with the kernel's per-program statistics on (they cost a
# clock read per run, so the loops above run without them).
: > /tmp/progs
echo 1 > /proc/sys/kernel/bpf_stats_enabled
for r in $(seq "$ROUNDS"); do
	for c in walk one tenk; do
		start "$c"
		timed "$c" open open /tmp/bench-file "$OPENS"
		timed "$c" openeach openeach /tmp/each "$OPENS"
		stop
	done
done
echo 0 > /proc/sys/kernel/bpf_stats_enabled

median() { grep "^$1 $2 " "${3:-/tmp/results}" | cut -d' ' -f3 | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "kernel $(uname -r), $ROUNDS rounds, $OPENS opens and $EXECS execs per measurement"
# how far one configuration's rounds are apart, at most
[ "$ROUNDS" -lt 2 ] || awk '{ k = $1 " " $2; if (!(k in lo) || $3 < lo[k]) lo[k] = $3; if ($3 > hi[k]) hi[k] = $3 }
	END { for (k in lo) if ((hi[k] - lo[k]) / lo[k] > w) { w = (hi[k] - lo[k]) / lo[k]; wk = k }
		printf "rounds of one configuration differ by at most %.1f %% (%s)\n", 100 * w, wk }' /tmp/results

ratio() { awk "BEGIN { printf \"%.3f\", $1 / $2 }"; }
printf '| loop | no agent | agent, no policy | 1 value, walked every time | 1 value | 10,000 values | walked / no policy | 1 value / no policy | 10,000 / 1 value |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
for l in open openeach exec; do
	n=$(median none $l) a=$(median agent $l) w=$(median walk $l) o=$(median one $l) t=$(median tenk $l)
	printf '| %s | %s ns | %s ns | %s ns | %s ns | %s ns | %s | %s | %s |\n' "$l" "$n" "$a" "$w" "$o" "$t" \
		"$(ratio "$w" "$a")" "$(ratio "$o" "$a")" "$(ratio "$t" "$o")"
done
echo
echo "against no agent at all (bins: Tetragon's lsm_file_open example, matchBinaries In [/usr/bin/cat]):"
printf '| loop | no agent | 1 value | bins | 1 value / no agent | bins / no agent |\n'
printf '|---|---|---|---|---|---|\n'
for l in open openeach exec; do
	n=$(median none $l) o=$(median one $l) b=$(median bins $l)
	printf '| %s | %s ns | %s ns | %s ns | %s | %s |\n' "$l" "$n" "$o" "$b" "$(ratio "$o" "$n")" "$(ratio "$b" "$n")"
done
echo
echo "file_open program, ns per run (kernel statistics, median of $ROUNDS):"
printf '| loop | 1 value, walked every time | 1 value | 10,000 values | 1 value / walked |\n'
printf '|---|---|---|---|---|\n'
for l in open openeach; do
	w=$(median walk $l /tmp/progs) o=$(median one $l /tmp/progs) t=$(median tenk $l /tmp/progs)
	printf '| %s | %s ns | %s ns | %s ns | %s |\n' "$l" "$w" "$o" "$t" "$(ratio "$o" "$w")"
done
