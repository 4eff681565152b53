# veto policy simulate on exported files: Tetragon's own events against the
# policies beside them, every example policy, a recording with kills and
# lost children, what the events cannot tell, and hostile input.
. "$(dirname "$0")/lib.sh"

corpus=$VETO_ROOT/../shared/corpus
[ -d "$corpus/tetragon-events" ] || skip "no ../shared/corpus beside the project"
ev=$corpus/tetragon-events
tmp=$(mktemp -d /tmp/veto-sim.XXXXXX)
on_exit "rm -rf '$tmp'"
cat "$ev"/*.jsonl >"$tmp/tetragon.json"

# -- Tetragon's recording, Tetragon's policies: the three cat /etc/passwd opens
out=$("$VETO" policy simulate "$ev/vm-6.12-policy-override.yaml" --from-file "$tmp/tetragon.json" 2>/dev/null); rc=$?
expect_eq "override: something would be stopped" 1 "$rc"
expect_match "override: selector 1 would deny 3" 'selector 1: would deny: 3 events' "$out"
expect_match "override: cat, 3 times, first and last time" \
	'/usr/bin/cat: 3, first 2026-12-01T23:45:30.344158667Z, last 2026-12-01T23:46:08.782491087Z' "$out"
out=$("$VETO" -o json policy simulate "$ev/vm-6.12-policy-sigkill.yaml" --from-file "$tmp/tetragon.json" 2>/dev/null); rc=$?
expect_eq "sigkill json: exit 1" 1 "$rc"
expect_eq "sigkill json: kill" kill "$(json_get "$out" 'd["policies"][0]["hooks"][0]["selectors"][0]["action"]')"
expect_eq "sigkill json: 3 matched" 3 "$(json_get "$out" 'd["policies"][0]["hooks"][0]["selectors"][0]["matched"]')"
expect_eq "sigkill json: would_stop" True "$(json_get "$out" 'd["would_stop"]')"
expect_eq "sigkill json: exec events" 6 "$(json_get "$out" 'd["exec"]')"

# a candidate that spares cat: nothing stopped, the opens unmatched
cat >"$tmp/spare.yaml" <<'EOF'
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: spare-cat
spec:
  lsmhooks:
  - hook: file_open
    args:
    - index: 0
      type: file
    selectors:
    - matchBinaries:
      - operator: NotIn
        values: [/usr/bin/cat]
      matchArgs:
      - index: 0
        operator: Prefix
        values: [/etc/]
      matchActions:
      - action: Sigkill
EOF
out=$("$VETO" policy simulate "$tmp/spare.yaml" --from-file "$tmp/tetragon.json" 2>/dev/null); rc=$?
expect_eq "spare cat: nothing stopped" 0 "$rc"
expect_match "spare cat: 3 unmatched" 'unmatched: 3 events' "$out"
expect_match "spare cat: an unmatched example, escaped" '/usr/bin/cat file_open /etc/passwd' "$out"

# rotated gzip backups and pretty-printed objects read as the store's import reads them
gzip -c "$tmp/tetragon.json" >"$tmp/tetragon.json.1.gz"
expect_eq "gzip: the same report" "$(printf '%s\n' "$out" | tail -n +2)" \
	"$("$VETO" policy simulate "$tmp/spare.yaml" --from-file "$tmp/tetragon.json.1.gz" 2>/dev/null | tail -n +2)"
python3 -c 'import json,sys; [print(json.dumps(json.loads(l), indent=2)) for l in open(sys.argv[1])]' \
	"$tmp/tetragon.json" >"$tmp/pretty.json"
expect_eq "pretty-printed: the same report" "$(printf '%s\n' "$out" | tail -n +2)" \
	"$("$VETO" policy simulate "$tmp/spare.yaml" --from-file "$tmp/pretty.json" 2>/dev/null | tail -n +2)"
head -c 2000 "$tmp/tetragon.json.1.gz" >"$tmp/cut.gz"
out=$("$VETO" policy simulate "$tmp/spare.yaml" --from-file "$tmp/cut.gz" 2>&1); rc=$?
expect_eq "cut gzip: exit 2" 2 "$rc"
expect_match "cut gzip: why" 'cut.gz:[0-9]+: gzip data cut short' "$out"

# -- every policy of the examples and of Tetragon's: a report or lint's errors
n=0 bad=0
for p in "$VETO_ROOT"/examples/policies/*.yaml "$corpus"/tetragon-policies/*.y*ml; do
	n=$((n + 1))
	"$VETO" policy simulate "$p" --from-file "$tmp/tetragon.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
	"$VETO" policy lint "$p" >/dev/null 2>&1; lint=$?
	if [ "$rc" -ge 3 ]; then
		fail "simulate $(basename "$p"): exit $rc"; bad=$((bad + 1))
	elif [ "$rc" -eq 2 ] && [ "$lint" -eq 0 ]; then
		fail "simulate $(basename "$p"): refused a policy lint accepts: $(head -c 300 "$tmp/err")"; bad=$((bad + 1))
	elif [ "$rc" -ne 2 ] && [ "$lint" -ne 0 ]; then
		fail "simulate $(basename "$p"): ran a policy lint refuses"; bad=$((bad + 1))
	elif [ "$rc" -eq 2 ] && ! grep -q ':[0-9]*:[0-9]*: error: ' "$tmp/err"; then
		fail "simulate $(basename "$p"): refused without FILE:LINE:COL errors"; bad=$((bad + 1))
	fi
done
expect_eq "all $n example policies: report, or lint's errors and exit 2" 0 "$bad"
# a policy error as lint gives it
out=$("$VETO" policy simulate "$corpus/tetragon-policies/tracingpolicy__uprobe-pid.yaml" --from-file "$tmp/tetragon.json" 2>&1); rc=$?
expect_eq "unsupported policy: exit 2" 2 "$rc"
expect_match "unsupported policy: FILE:LINE:COL" 'uprobe-pid.yaml:[0-9]+:[0-9]+: error: ' "$out"

# -- a recording: a health check's shell killed, its later child never runs
exe() { # exec_id parent binary time
	printf '{"process_exec":{"process":{"exec_id":"%s","pid":%d,"binary":"%s","parent_exec_id":"%s"},"parent":{"exec_id":"%s","binary":"/sbin/init"}},"time":"%s"}\n' \
		"$1" "${#1}" "$3" "$2" "$2" "$4"
}
opn() { # exec_id parent binary path time [process members]
	printf '{"process_lsm":{"process":{"exec_id":"%s","binary":"%s","parent_exec_id":"%s"%s},"function_name":"file_open","args":[{"file_arg":{"path":"%s"}}]},"time":"%s"}\n' \
		"$1" "$3" "$2" "${6:-}" "$4" "$5"
}
{
	exe sh init /bin/sh T1
	opn sh init /bin/sh /etc/ld.so.cache T2
	opn sh init /bin/sh /root/.ssh/id_rsa T3
	opn sh init /bin/sh /root/.ssh/known_hosts T4
	exe curl sh /usr/bin/curl T5
	opn curl sh /usr/bin/curl /etc/hosts T6
	echo '{"process_dns":{"names":["x"]}}'
	echo
} >"$tmp/rec.json"
cat >"$tmp/kill.yaml" <<'EOF'
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: no-keys
spec:
  lsmhooks:
  - hook: file_open
    args:
    - index: 0
      type: file
    selectors:
    - matchArgs:
      - index: 0
        operator: Prefix
        values: [/root/.ssh/]
      matchActions:
      - action: Sigkill
EOF
out=$("$VETO" policy simulate "$tmp/kill.yaml" --from-file "$tmp/rec.json" 2>/dev/null); rc=$?
expect_eq "kill: exit 1" 1 "$rc"
expect_match "kill: one kill, one more after it" 'selector 1: would kill: 1 event \(1 more after kill\)' "$out"
expect_match "kill: the shell's child is listed" 'T5 /usr/bin/curl \(ancestor /bin/sh killed by no-keys\)' "$out"
expect_match "kill: descendants counted on the killed process" '/bin/sh: 1, first T3, last T3; 1 descendants would not have run' "$out"
expect_match "kill: other types counted by name" 'process_dns: 1' "$out"
out=$("$VETO" -o json policy simulate "$tmp/kill.yaml" --from-file - <"$tmp/rec.json" 2>/dev/null); rc=$?
expect_eq "stdin: exit 1" 1 "$rc"
expect_eq "stdin: source" stdin "$(json_get "$out" 'd["source"]')"
expect_eq "json: not run" /usr/bin/curl "$(json_get "$out" 'd["not_run"][0]["binary"]')"
expect_eq "json: after kill" 2 "$(json_get "$out" 'd["policies"][0]["after_kill"]')"

# -- what the events cannot tell: capabilities without cred, a hook never recorded
cat >"$tmp/caps.yaml" <<'EOF'
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: caps
spec:
  lsmhooks:
  - hook: file_open
    args:
    - index: 0
      type: file
    selectors:
    - matchCapabilities:
      - type: Effective
        operator: In
        values: [CAP_SYS_ADMIN]
      matchActions:
      - action: Sigkill
  - hook: bprm_check_security
    args:
    - index: 0
      type: linux_binprm
    selectors:
    - matchArgs:
      - index: 0
        operator: Equal
        values: [/usr/bin/curl]
      matchActions:
      - action: Override
        argError: -1
EOF
out=$("$VETO" policy simulate "$tmp/caps.yaml" --from-file "$tmp/rec.json" 2>/dev/null); rc=$?
expect_eq "caps absent: nothing decided stopped" 0 "$rc"
expect_match "caps absent: not evaluable, and why" \
	'not evaluable for 4 events: matchCapabilities Effective: the events carry no capabilities \(record with --enable-process-cred\)' "$out"
expect_match "caps absent: the last line says what is undecided" \
	'stopped nothing; 4 events the recording cannot decide for selectors that deny or kill' "$out"
expect_match "hook never recorded" 'lsm/bprm_check_security: 0 events: not evaluable: the recording has no events of this hook' "$out"
# the same with caps recorded: decided
opn x y /bin/x /a T9 ',"cap":{"effective":["CAP_CHOWN","CAP_SYS_ADMIN"]}' >"$tmp/caps.json"
out=$("$VETO" policy simulate "$tmp/caps.yaml" --from-file "$tmp/caps.json" 2>/dev/null); rc=$?
expect_eq "caps present: a kill" 1 "$rc"
expect_match "caps present: selector 1" 'selector 1: would kill: 1 event' "$out"

# -- hostile input
esc=$(printf '/tmp/\\u001b[2J\\u001b]0;owned\\u0007x')
opn e p "$esc" /root/.ssh/k T1 >"$tmp/esc.json"
out=$("$VETO" policy simulate "$tmp/kill.yaml" --from-file "$tmp/esc.json" 2>&1); rc=$?
expect_eq "escape codes: a kill" 1 "$rc"
if printf '%s' "$out" | grep -q "$(printf '\033')"; then fail "escape codes reach the terminal"; else pass "no raw ESC in the report"; fi
expect_match "escape codes shown escaped" '"/tmp/\\x1b\[2J\\x1b\]0;owned\\ax": 1' "$out"
{ opn a b /bin/x /a T1; echo 'not json'; } >"$tmp/bad.json"
out=$("$VETO" policy simulate "$tmp/kill.yaml" --from-file "$tmp/bad.json" 2>"$tmp/err"); rc=$?
expect_eq "non-JSON line: exit 2" 2 "$rc"
expect_match "non-JSON line: FILE:LINE:COL" "^Error: policy simulate: $tmp/bad.json:2:1: not an event: expected an object" "$(cat "$tmp/err")"
expect_eq "non-JSON line: no half report" "" "$out"
printf '{"process_lsm":{"process":{"exec_id":"a"' >"$tmp/trunc.json"
out=$("$VETO" policy simulate "$tmp/kill.yaml" --from-file "$tmp/trunc.json" 2>&1); rc=$?
expect_eq "truncated line: exit 2" 2 "$rc"
expect_match "truncated line: where" 'trunc.json:1:41: not an event: expected' "$out"
head -c 3000000 /dev/zero | tr '\0' 'a' >"$tmp/huge.json"
out=$("$VETO" policy simulate "$tmp/kill.yaml" --from-file "$tmp/huge.json" 2>&1); rc=$?
expect_eq "huge line: exit 2" 2 "$rc"
expect_match "huge line: why" 'huge.json:1: line longer than 1048576 bytes' "$out"
out=$(head -c 3000000 /dev/zero | tr '\0' '[' | "$VETO" policy simulate "$tmp/kill.yaml" --from-file - 2>&1); rc=$?
expect_eq "huge nesting on stdin: exit 2" 2 "$rc"
python3 -c 'print("{\"a\":" + "[" * 100000 + "]" * 100000 + "}")' >"$tmp/deep.json"
out=$("$VETO" policy simulate "$tmp/kill.yaml" --from-file "$tmp/deep.json" 2>&1); rc=$?
expect_eq "deep nesting: exit 2" 2 "$rc"
expect_match "deep nesting: why" 'deep.json:1:[0-9]+: not an event: nested too deep' "$out"
printf '{"process_exec":{"process":{"exec_id":"a","parent_exec_id":"a","binary":"/x"}}}\n%.0s' 1 2 >"$tmp/loop.json"
opn a a /x /root/.ssh/x T >>"$tmp/loop.json"
exe b a /y T2 >>"$tmp/loop.json"
expect_status "a process its own parent: a report" 1 "$VETO" policy simulate "$tmp/kill.yaml" --from-file "$tmp/loop.json"

# -- the same events from the store: the same report
"$VETO" store import --store "$tmp/s.db" "$ev"/vm-6.12-cred-ns.jsonl "$ev"/vm-6.12-defaults.jsonl >/dev/null ||
	fail "store import of the corpus"
for p in "$ev/vm-6.12-policy-override.yaml" "$tmp/spare.yaml" "$tmp/caps.yaml"; do
	a=$("$VETO" policy simulate "$p" --from-store "$tmp/s.db" 2>/dev/null); ra=$?
	b=$("$VETO" policy simulate "$p" --from-file "$tmp/tetragon.json" 2>/dev/null); rb=$?
	expect_eq "store and file: same exit ($(basename "$p"))" "$rb" "$ra"
	expect_eq "store and file: same report ($(basename "$p"))" "$(printf '%s\n' "$b" | tail -n +2)" \
		"$(printf '%s\n' "$a" | tail -n +2)"
done
expect_match "store: named as the source" "^21 events from $tmp/s.db: 6 exec, 12 exit" \
	"$("$VETO" policy simulate "$ev/vm-6.12-policy-override.yaml" --from-store "$tmp/s.db" 2>/dev/null)"
echo junk >"$tmp/junk.db"
out=$("$VETO" policy simulate "$tmp/kill.yaml" --from-store "$tmp/junk.db" 2>&1); rc=$?
expect_eq "not a store: exit 2" 2 "$rc"
expect_match "not a store: why" "junk.db: file is not a database" "$out"
out=$("$VETO" policy simulate "$tmp/kill.yaml" --from-store "$tmp/none.db" 2>&1); rc=$?
expect_eq "no store: exit 2" 2 "$rc"
expect_no_file "no store: none created" "$tmp/none.db"
out=$("$VETO" policy simulate "$tmp/kill.yaml" --from-store "$tmp/s.db" --from-file "$tmp/rec.json" 2>&1); rc=$?
expect_eq "both sources: exit 2" 2 "$rc"

# -- usage
out=$("$VETO" policy simulate --from-file "$tmp/rec.json" 2>&1); rc=$?
expect_eq "no policy: exit 2" 2 "$rc"
expect_match "no policy: message" 'no POLICY given' "$out"
out=$("$VETO" policy simulate "$tmp/kill.yaml" 2>&1); rc=$?
expect_eq "no source: exit 2" 2 "$rc"
expect_match "no source: message" 'give one of --from-file EVENTS or --from-store PATH' "$out"
out=$("$VETO" policy simulate "$tmp/kill.yaml" --from-file "$tmp/nonexistent" 2>&1); rc=$?
expect_eq "missing events file: exit 2" 2 "$rc"
expect_match "missing events file: message" "nonexistent: No such file or directory" "$out"
out=$("$VETO" policy simulate "$tmp/none.yaml" --from-file "$tmp/rec.json" 2>&1); rc=$?
expect_eq "missing policy: exit 2" 2 "$rc"
out=$("$VETO" policy simulate --help); rc=$?
expect_eq "help: exit 0" 0 "$rc"
expect_match "help: exit statuses" 'Exit 0: nothing would have been denied or killed' "$out"
out=$("$VETO" policy --help)
expect_match "policy help lists simulate" 'veto policy simulate' "$out"
