# A process that re-execs itself thousands of times (2 KB of arguments each,
# so each image's entry is large) must not grow the agent while it lives:
# the cache keeps the image that runs and a bounded chain above it. The
# lineage of what runs stays right: the last exec names the image it replaced,
# its exit carries its binary and exec_id. No timing: every check waits for
# the events it needs.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
on_exit 'exec 3>&- 4>&- 2>/dev/null; rm -rf "$tmp"'
N=${VETO_EXEC_CHAIN:-5000}
cc -O2 -static -o "$tmp/exec-again" "$VETO_ROOT/tests/host/exec-again.c" 2>/dev/null ||
	cc -O2 -o "$tmp/exec-again" "$VETO_ROOT/tests/host/exec-again.c" || die "cannot build exec-again"
pad=$(head -c 2000 /dev/zero | tr '\0' p)
ev=$tmp/events.json
start_agent "$tmp" --export-file "$ev" --export-max-size 1000

rss() { awk '/^VmRSS:/ { print $2 }' /proc/"$AGENT_PID"/status; }
# wait_lines PATTERN COUNT: until COUNT lines of the export hold PATTERN
wait_lines() {
	for _ in $(seq 1200); do
		[ "$(grep -cF -- "$1" "$ev")" -ge "$2" ] && return 0
		kill -0 "$AGENT_PID" || die "agent died"
		sleep 0.1
	done
	return 1
}
# exec event of image K of the chain PREFIX (not the next one's, which names
# it as its parent)
exec_line() {
	grep -F -- "\"arguments\":\"$1 $2 $pad\"" "$ev" | python3 -c '
import json, sys
for l in sys.stdin:
    p = json.loads(l).get("process_exec", {}).get("process", {})
    if p.get("arguments", "").startswith(sys.argv[1] + " "):
        print(l, end="")' "$1 $2"
}

# start_chain PREFIX: a chain whose last image waits on the fifo
# $tmp/PREFIX (the caller opens it, then calls wait_last); sets CHAIN_PID
start_chain() {
	mkfifo "$tmp/$1"
	"$tmp/exec-again" "$1" "$N" "$pad" <"$tmp/$1" &
	CHAIN_PID=$!
}
wait_last() {
	wait_lines "\"arguments\":\"$1 0 $pad\"" 1 || die "no exec event for the last image of chain $1"
}
# A first chain, alive, makes the agent touch what any run touches (all of
# the ring's pages, the heap); a second one, alive too, must add nothing that
# grows with its length (before the bound, each image stayed: ~4 KB each).
start_chain "warm-$$"
exec 4>"$tmp/warm-$$"
wait_last "warm-$$"
before=$(rss)
start_chain "chain-$$"
chain=$CHAIN_PID
exec 3>"$tmp/chain-$$"
wait_last "chain-$$"
after=$(rss)
echo "agent VmRSS: ${before} kB with a chain of $N execs alive, ${after} kB with a second one alive"
[ $((after - before)) -lt 4096 ] ||
	die "the agent grew by $((after - before)) kB while a second chain of $N execs lives (bound 4096 kB)"
pass "a second live chain of $N execs grows the agent by $((after - before)) kB (< 4 MB)"

expect_eq "one exec event per image of the chain" $((N + 1)) \
	"$(grep -F -- "\"arguments\":\"chain-$$ " "$ev" | grep -cF '{"process_exec"')"
last=$(exec_line "chain-$$" 0)
prev=$(exec_line "chain-$$" 1)
expect_eq "the last image's parent is the image it replaced" "$(json_get "$prev" 'd["process_exec"]["process"]["exec_id"]')" \
	"$(json_get "$last" 'd["process_exec"]["process"]["parent_exec_id"]')"
expect_eq "its parent object is that image" "$(json_get "$prev" 'd["process_exec"]["process"]["exec_id"]')" \
	"$(json_get "$last" 'd["process_exec"]["parent"]["exec_id"]')"
expect_eq "same pid throughout" "$chain" "$(json_get "$last" 'd["process_exec"]["process"]["pid"]')"

exec 3>&-
wait "$chain"
wait_lines "\"arguments\":\"chain-$$ 0 $pad\"" 2 || die "no exit event for the chain's last image"
exit_ev=$(grep -F -- "\"arguments\":\"chain-$$ 0 $pad\"" "$ev" | grep -F '{"process_exit"')
expect_eq "the exit carries its binary" "$tmp/exec-again" "$(json_get "$exit_ev" 'd["process_exit"]["process"]["binary"]')"
expect_eq "the exit carries the last image's exec_id" "$(json_get "$last" 'd["process_exec"]["process"]["exec_id"]')" \
	"$(json_get "$exit_ev" 'd["process_exit"]["process"]["exec_id"]')"
expect_eq "no record rejected as malformed" 0 "$(status_get 'd["bad_records"]')"
