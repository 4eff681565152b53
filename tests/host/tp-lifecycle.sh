# Policies at runtime on this machine's kernel (a tracepoint policy): every
# tracingpolicy verb round trip, checked by its effect (the victim killed or
# not) and the kernel's counters; broken policies change nothing; the policy
# folder on SIGHUP; two clients adding at once; the control socket refuses
# non-root peers and answers malformed, oversized and half-sent requests with
# errors while it goes on serving the others.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'
mkdir "$tmp/pd"
cp "$(command -v mkdir)" "$tmp/mk"

# policy NAME TARGET_PREFIX: kills $tmp/mk when it makes a directory under
# TARGET_PREFIX (sys_enter_mkdir, pathname is field 5)
policy() {
	cat <<YAML
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: $1
spec:
  tracepoints:
  - subsystem: syscalls
    event: sys_enter_mkdir
    args:
    - index: 5
      type: string
    selectors:
    - matchArgs:
      - index: 0
        operator: Prefix
        values: [$2]
      matchBinaries:
      - operator: In
        values: [$tmp/mk]
      matchActions:
      - action: Sigkill
YAML
}
tp() { "$VETO" tracingpolicy --socket "$SOCK" "$@"; }
# field NAME KEY: a policy's field in `list -o json`
field() { json_get "$(tp list -o json)" "[p['$2'] for p in d['policies'] if p['name'] == '$1'][0]"; }
names() { json_get "$(tp list -o json)" "' '.join(sorted(p['name'] for p in d['policies']))"; }
# attempt: the victim tries a new directory under $tmp/deny; prints its status
attempt() { run_status "$tmp/mk" "$(mktemp -u "$tmp/denyXXXXXX")"; }
# raw FILE: sends FILE's bytes on the socket, prints the agent's first line
raw() {
	python3 - "$SOCK" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])
try:
    s.sendall(open(sys.argv[2], 'rb').read())
except OSError:
    pass
print(s.makefile('rb').readline().decode().strip())
PY
}

start_agent "$tmp" --policy-dir "$tmp/pd" --export-file "$tmp/ev.json"
expect_eq "the socket is root's only" 600 "$(stat -c %a "$SOCK")"

# add in monitor mode: listed, the victim lives, NMONITOR counts it
policy p1 "$tmp/deny" >"$tmp/p1.yaml"
expect_ok "add --mode monitor" tp add "$tmp/p1.yaml" --mode monitor
expect_eq "listed enabled, monitor, with its hook" "enabled monitor ['tracepoint/syscalls/sys_enter_mkdir']" \
	"$(field p1 state) $(field p1 mode) $(field p1 hooks)"
expect_eq "monitor: the victim lives" 0 "$(attempt)"
expect_eq "NMONITOR counted it, NENFORCE did not" "1 0" "$(field p1 nmonitor) $(field p1 nenforce)"
expect_ne "KERNELMEMORY: its maps" 0 "$(field p1 kernel_memory)"
tp list | grep -q '^p1 ' && pass "the table lists it" || fail "the table lists it: $(tp list)"

expect_ok "set-mode enforce" tp set-mode p1 enforce
expect_eq "enforce: the victim is killed" 137 "$(attempt)"
expect_eq "NENFORCE moved" 1 "$(field p1 nenforce)"
expect_ok "disable" tp disable p1
expect_eq "disabled: listed, no kernel memory" "disabled 0" "$(field p1 state) $(field p1 kernel_memory)"
expect_eq "disabled: the victim lives" 0 "$(attempt)"
expect_ok "enable" tp enable p1
expect_eq "enabled again: killed" 137 "$(attempt)"
expect_eq "counters continue across disable and enable" 2 "$(field p1 nenforce)"
expect_ok "set-mode monitor" tp set-mode p1 monitor
expect_eq "monitor again: the victim lives" 0 "$(attempt)"

# broken policies: the list is unchanged and the error is located
before=$(json_get "$(tp list -o json)" "[(p['name'], p['state'], p['mode']) for p in d['policies']]")
printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: bad\nspec:\n  tracepoints: [\n' >"$tmp/yaml-err.yaml"
out=$(tp add "$tmp/yaml-err.yaml" 2>&1); rc=$?
expect_eq "a YAML error: refused" 1 "$rc"
expect_match "a YAML error: located in the client's file" "$tmp/yaml-err.yaml:[0-9]+:[0-9]+: error: " "$out"
policy bad "$tmp/x" | sed 's/operator: Prefix/operator: Prefixx/' >"$tmp/check-err.yaml"
out=$(tp add "$tmp/check-err.yaml" 2>&1)
expect_match "a check error: at its line and column" "$tmp/check-err.yaml:15:19: error: .*Prefixx" "$out"
policy p1 "$tmp/other" >"$tmp/clash.yaml"
out=$(tp add "$tmp/clash.yaml" 2>&1)
expect_match "a name taken: refused" "a policy named p1 is already loaded" "$out"
expect_eq "nothing changed" "$before" "$(json_get "$(tp list -o json)" "[(p['name'], p['state'], p['mode']) for p in d['policies']]")"
expect_eq "still in force as it was (monitor)" 0 "$(attempt)"
out=$(tp delete nope 2>&1); rc=$?
expect_eq "delete of an unknown name fails" 1 "$rc"
expect_match "and says so" "no policy named nope" "$out"

# two clients adding at once: both land
policy c1 "$tmp/c1-" >"$tmp/c1.yaml"
policy c2 "$tmp/c2-" >"$tmp/c2.yaml"
tp add "$tmp/c1.yaml" >"$tmp/c1.out" 2>&1 & a=$!
tp add "$tmp/c2.yaml" >"$tmp/c2.out" 2>&1 & b=$!
wait $a; ra=$?; wait $b; rb=$?
expect_eq "two adds at once both succeed" "0 0" "$ra $rb"
expect_eq "both listed" "c1 c2 p1" "$(names)"
expect_eq "c1 enforces" 137 "$(run_status "$tmp/mk" "$tmp/c1-x")"
expect_eq "c2 enforces" 137 "$(run_status "$tmp/mk" "$tmp/c2-x")"
expect_ok "delete c1" tp delete c1
expect_ok "delete c2" tp delete c2
expect_eq "deleted: no longer enforced" 0 "$(run_status "$tmp/mk" "$tmp/c1-y")"
expect_ok "delete p1" tp delete p1
expect_eq "the list is empty" "" "$(names)"

# the policy folder on SIGHUP: added, changed, broken (kept), removed
policy d1 "$tmp/d1-" >"$tmp/pd/d1.yaml"
policy d2 "$tmp/d2-" >"$tmp/pd/d2.yaml"
kill -HUP "$AGENT_PID"
wait_for "SIGHUP: added files loaded" 10 sh -c "[ \"\$($VETO tracingpolicy --socket $SOCK list -o json | grep -o '\"name\"' | wc -l)\" = 2 ]"
expect_eq "d1 from the folder enforces" 137 "$(run_status "$tmp/mk" "$tmp/d1-a")"
expect_eq "its origin is the folder" policy-dir "$(field d1 origin)"
policy d1 "$tmp/d1changed-" >"$tmp/pd/d1.yaml"
printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: d2\nspec:\n  tracepoints:\n  - subsystem: nosuch\n' >"$tmp/pd/d2.yaml"
policy tpsock "$tmp/s-" >"$tmp/s.yaml"
tp add "$tmp/s.yaml" >/dev/null
kill -HUP "$AGENT_PID"
wait_for "SIGHUP: the broken file is load_error" 10 sh -c "$VETO tracingpolicy --socket $SOCK list -o json | grep -q load_error"
expect_match "its reason is located" "$tmp/pd/d2.yaml:[0-9]+:[0-9]+: error: " "$(field d2 error)"
expect_eq "the running version of the broken file is kept" 137 "$(run_status "$tmp/mk" "$tmp/d2-a")"
expect_eq "the changed file: the new version enforces" 137 "$(run_status "$tmp/mk" "$tmp/d1changed-a")"
expect_eq "the changed file: the old version is gone" 0 "$(run_status "$tmp/mk" "$tmp/d1-b")"
rm "$tmp/pd/d1.yaml" "$tmp/pd/d2.yaml"
kill -HUP "$AGENT_PID"
wait_for "SIGHUP: removed files unloaded" 10 sh -c "[ \"\$($VETO tracingpolicy --socket $SOCK list -o json | grep -o '\"name\"' | wc -l)\" = 1 ]"
expect_eq "what the socket added is not the folder's" tpsock "$(names)"
expect_eq "a removed file no longer enforces" 0 "$(run_status "$tmp/mk" "$tmp/d2-b")"

# veto status: the policies and the kernel's verdict
st=$("$VETO" status --socket "$SOCK" -o json)
expect_eq "status: version, verdict, the policy" "True True tpsock" \
	"$(json_get "$st" "' '.join(map(str, (bool(d['version']), d['kernel']['verdict'] in ('enforce', 'observe', 'none'), d['policies']['list'][0]['name'])))")"
expect_match "status as text" "^policies +1 enabled, 0 disabled, 0 load_error" "$("$VETO" status --socket "$SOCK")"

# the socket: non-root peers refused (by the file mode, then by the peer check)
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$VETO" tracingpolicy --socket "$SOCK" list 2>&1); rc=$?
expect_eq "non-root: refused by the socket's mode" 1 "$rc"
expect_match "non-root: permission denied" "Permission denied" "$out"
chmod 755 "$tmp"; chmod 666 "$SOCK"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$VETO" tracingpolicy --socket "$SOCK" list 2>&1); rc=$?
chmod 600 "$SOCK"; chmod 700 "$tmp"
expect_eq "non-root through a loosened mode: refused by the peer check" 1 "$rc"
expect_match "the agent says why" "the control socket is for root only" "$out"

# malformed, oversized, lying and half-sent requests: errors, the agent serves on
printf 'tracingpolicy frobnicate\n' >"$tmp/r1"
expect_match "an unknown verb" '"error":"unknown tracingpolicy verb' "$(raw "$tmp/r1")"
head -c 5000 /dev/zero | tr '\0' a >"$tmp/r2"
expect_match "a line with no end" '"error":"request too long' "$(raw "$tmp/r2")"
printf 'tracingpolicy add file=x length=2000000\n' >"$tmp/r3"
expect_match "a body over 1 MiB" '"error":"bad length' "$(raw "$tmp/r3")"
{ printf 'tracingpolicy add file=x length=4\n'; printf 'abcdefgh'; } >"$tmp/r4"
expect_match "more bytes than the length" '"error":"more bytes than' "$(raw "$tmp/r4")"
{ printf 'tracingpolicy add file=junk.yaml length=6\n'; printf 'a: [\n\n'; } >"$tmp/r5"
expect_match "a body that is no policy: located" '"error":"junk.yaml:[0-9]+:[0-9]+: error' "$(raw "$tmp/r5")"
printf 'tracingpolicy list\nxyz' >"$tmp/r6"
expect_match "a body where none goes" '"error":"bytes after the request line' "$(raw "$tmp/r6")"
# half-sent bodies: the loop serves others meanwhile; over 4 MiB in flight, busy
python3 - "$SOCK" >"$tmp/half.out" 2>&1 <<'PY' &
import socket, sys, time
held = []
for i in range(5):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
    s.sendall(b'tracingpolicy add file=slow.yaml length=1048576\napiVersion')
    held.append(s)
time.sleep(0.5)
held[4].settimeout(5)
print(held[4].makefile('rb').readline().decode().strip(), flush=True)
held[0].settimeout(15)
start = time.time()
print('closed by the agent' if held[0].recv(1) == b'' else 'answered', round(time.time() - start), flush=True)
PY
half=$!
sleep 0.3
expect_ok "list answers while bodies are half-sent" timeout 5 "$VETO" tracingpolicy --socket "$SOCK" list
wait $half
expect_match "the fifth 1 MiB body at once: busy" '"error":"busy' "$(cat "$tmp/half.out")"
expect_match "a half-sent body is closed by the agent" "closed by the agent" "$(cat "$tmp/half.out")"
expect_match "after the idle limit" "no request within 5 s" "$(cat "$LOG")"
expect_eq "the agent still serves" tpsock "$(names)"
expect_eq "and still enforces" 137 "$(run_status "$tmp/mk" "$tmp/s-x")"
