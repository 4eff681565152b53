#!/bin/sh
# Inside one VM boot: what the forensics policy (examples/policies/forensics.yaml)
# costs. Operation loops (bench/oploop.c) with no agent, with the agent and no
# policy, and with the agent and the policy, alternated over ROUNDS rounds:
#   open     open()+close() of a file, read-only (no hook of the policy runs)
#   read     open, read 1 byte, close, in a watched folder (/tmp): file_permission
#            runs and the mask rules the read out
#   write    open for writing, write 1 byte, close, in /tmp: each write posts
#   write-run  the same in /run, not watched: the path rules it out
#   connect  a TCP connect to 127.0.0.1 where nothing listens: each one posts
#   exec     fork+exec+wait of /bin/true (the agent's process events only);
#            also with the agent writing the event store (--store, in /run:
#            the store's CPU, not a disk's)
# The agent exports to a file in /run, as a node would (not /dev/null: the
# events' cost is part of the policy's). After each loop the agent is let
# finish the loop's events (its export and CPU time still), so that one
# loop's events are not charged to the next; the agent's CPU time over the
# loop and that drain, per operation, is reported beside the loop's own time
# (one CPU: what the agent did during the loop is in the loop's time too).
# Prints the median ns/op per configuration, the ratios, how far the rounds
# are apart, and the events the policy posted and lost.
#   bench/forensics-cost [-k VER]... [ROUNDS OPS EXECS]
. /veto/lib.sh
set -eu
ROUNDS=${1:-5} OPS=${2:-5000} EXECS=${3:-300}
POL=/veto/examples/policies/forensics.yaml
PORT=7419

mkdir -p /tmp/bench /run/bench
echo data > /tmp/bench/f
sleep 3 # the boot's own work done

AGENT_EXPORT=/run/bench/events.json
start() { # CONFIG
	case $1 in
	none) return ;;
	agent) agent_start ;;
	forensics) agent_start --policy "$POL" ;;
	store) agent_start --store /run/bench/events.db ;;
	esac
	sleep 3 # the kernel's deferred work after the load done
}
# the policy's events and losses, from the agent's status, before it stops
counts() {
	st=$(agent_status)
	posted=$(printf '%s' "$st" | sed -n 's/.*"events":{[^}]*"process_lsm":\([0-9]*\).*/\1/p')
	lost=$(printf '%s' "$st" | sed -n 's/.*"policy_events":\([0-9]*\).*/\1/p')
	echo "$1 ${posted:-?} ${lost:-?}" >> /tmp/counts
}
stop() { # CONFIG
	[ -n "$AGENT_PID" ] || return 0
	[ "$1" != forensics ] || counts "$1"
	agent_stop
	rm -f "$AGENT_EXPORT" /run/bench/events.db /run/bench/events.db-wal /run/bench/events.db-shm
	sleep 3 # the deferred freeing of the programs and maps
}

# the agent's CPU time so far, in clock ticks (utime + stime)
ticks() { awk '{ print $14 + $15 }' "/proc/$AGENT_PID/stat"; }
# the agent done with what it was given: its export grew by less than 16
# KiB in 0.5 s (the check's own stat and sleep are 4 events, about 6 KiB; a
# backlog is written far faster)
size() { stat -c %s "$AGENT_EXPORT" 2>/dev/null || echo 0; }
drained() {
	a=$(size)
	sleep 0.5
	[ $(($(size) - a)) -lt 16384 ]
}
HZ=$(getconf CLK_TCK 2>/dev/null || echo 100)
loop() { # CONFIG NAME N OPLOOP-ARGS...
	c=$1 l=$2 n=$3
	shift 3
	t0=0
	[ -z "$AGENT_PID" ] || t0=$(ticks)
	ns=$(oploop "$@")
	cpu=0
	if [ -n "$AGENT_PID" ]; then
		wait_until 120 drained || echo "the agent still works 120 s after the $l loop" >&2
		cpu=$(awk -v t="$(($(ticks) - t0))" -v hz="$HZ" -v n="$n" 'BEGIN { printf "%.0f", t * 1e9 / hz / n }')
	fi
	echo "$c $l $ns $cpu" >> /tmp/results
}
# every loop once before the rounds, untimed: whatever a boot's first run
# of a loop sets up is not charged to the first configuration
oploop open /tmp/bench/f 100 >/dev/null && oploop read /tmp/bench/f 100 >/dev/null &&
	oploop write /tmp/bench/w 100 >/dev/null && oploop write /run/bench/w 100 >/dev/null &&
	oploop connect "$PORT" 100 >/dev/null && oploop exec /bin/true 10 >/dev/null
: > /tmp/results
: > /tmp/counts
for r in $(seq "$ROUNDS"); do
	for c in none agent forensics store; do
		start "$c"
		if [ "$c" = store ]; then
			loop "$c" exec "$EXECS" exec /bin/true "$EXECS"
			stop "$c"
			continue
		fi
		loop "$c" open "$OPS" open /tmp/bench/f "$OPS"
		loop "$c" read "$OPS" read /tmp/bench/f "$OPS"
		loop "$c" write "$OPS" write /tmp/bench/w "$OPS"
		loop "$c" write-run "$OPS" write /run/bench/w "$OPS"
		loop "$c" connect "$OPS" connect "$PORT" "$OPS"
		loop "$c" exec "$EXECS" exec /bin/true "$EXECS"
		stop "$c"
	done
done

median() { grep "^$1 $2 " /tmp/results | cut -d' ' -f"${3:-3}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk "BEGIN { printf \"%.3f\", $1 / $2 }"; }
echo "kernel $(uname -r), $ROUNDS rounds, $OPS operations and $EXECS execs per measurement"
# how far one configuration's rounds are apart: (max - min) / min
printf '| loop | no agent | agent, no policy | agent, forensics.yaml | forensics / no agent | forensics / agent | spread of the forensics rounds | agent CPU per op, no policy | agent CPU per op, forensics |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
for l in open read write write-run connect exec; do
	n=$(median none $l) a=$(median agent $l) f=$(median forensics $l)
	w=$(grep "^forensics $l " /tmp/results | awk '{ if (!lo || $3 < lo) lo = $3; if ($3 > hi) hi = $3 }
		END { printf "%.1f %%", 100 * (hi - lo) / lo }')
	printf '| %s | %s ns | %s ns | %s ns | %s | %s | %s | %s ns | %s ns |\n' "$l" "$n" "$a" "$f" "$(ratio "$f" "$n")" \
		"$(ratio "$f" "$a")" "$w" "$(median agent $l 4)" "$(median forensics $l 4)"
done
n=$(median none exec) a=$(median agent exec) s=$(median store exec)
echo "exec with the store on (agent --store, no policy): $s ns; store / no agent $(ratio "$s" "$n"), store / agent $(ratio "$s" "$a"); agent CPU per exec $(median store exec 4) ns"
[ "$ROUNDS" -lt 2 ] || awk '{ k = $1 " " $2; if (!(k in lo) || $3 < lo[k]) lo[k] = $3; if ($3 > hi[k]) hi[k] = $3 }
	END { for (k in lo) if ((hi[k] - lo[k]) / lo[k] > w) { w = (hi[k] - lo[k]) / lo[k]; wk = k }
		printf "rounds of one configuration differ by at most %.1f %% (%s)\n", 100 * w, wk }' /tmp/results
awk '{ p += $2; l += $3 } END { printf "the policy posted %d events over the %d rounds (%d per round: %d writes and %d connects, and the boot'"'"'s own), %d lost\n", p, NR, p / NR, '"$OPS"', '"$OPS"', l }' /tmp/counts
