#!/bin/sh
# Inside one VM boot: what self-protection costs. open()+close() of one file,
# of OPENS files once each, and fork+exec loops with the agent (no policy)
# run with --no-protect and with its guard, alternated over ROUNDS rounds;
# prints the median ns/op of each and the ratio. Run it with an
# instruction-counted clock:
#   VETO_VM_ICOUNT=0 tests/vm/vm-run -k 6.12 -t 3600 bench/vm/guard-overhead.sh [ROUNDS OPENS EXECS]
. /veto/lib.sh
set -eu
ROUNDS=${1:-5} OPENS=${2:-20000} EXECS=${3:-300}

echo data > /tmp/bench-file
mkdir -p /tmp/each && (cd /tmp/each && seq 0 $((OPENS - 1)) | xargs touch)
sleep 3 # the boot's own work done
AGENT_EXPORT=/dev/null

: > /tmp/results
for r in $(seq "$ROUNDS"); do
	for c in off on; do
		if [ "$c" = off ]; then agent_start --no-protect; else agent_start; fi
		sleep 3 # the kernel's deferred work after the load done
		echo "$c open $(oploop open /tmp/bench-file "$OPENS")" >> /tmp/results
		echo "$c openeach $(oploop openeach /tmp/each "$OPENS")" >> /tmp/results
		echo "$c exec $(oploop exec /bin/true "$EXECS")" >> /tmp/results
		agent_stop
		sleep 3 # and the deferred freeing after the unload
	done
done
median() { grep "^$1 $2 " /tmp/results | cut -d' ' -f3 | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "kernel $(uname -r), $ROUNDS rounds, $OPENS opens and $EXECS execs per measurement"
printf '| loop | agent --no-protect | agent (guard) | guard / no-protect |\n|---|---|---|---|\n'
for l in open openeach exec; do
	off=$(median off $l) on=$(median on $l)
	printf '| %s | %s ns | %s ns | %s |\n' "$l" "$off" "$on" "$(awk "BEGIN { printf \"%.3f\", $on / $off }")"
done
