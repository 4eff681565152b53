# Deep binaries on a tracepoint, natively: matchBinaries reads the caller's
# executable whole at any depth. A Prefix Sigkill kills a copy of sleep 35,
# 200 and 2,000 levels down, 4,000 bytes down, past PATH_MAX (fail closed); a
# NotPrefix [/usr/] allowlist catches a copy at .../x/usr/a1/.../a30/cat,
# whose last 32 levels read as a /usr path. Every check runs; all are reported.
. "$(dirname "$0")/lib.sh"
if [ ! -e /sys/kernel/tracing/events ] && [ -z "${DEEP_NS:-}" ]; then # tracefs in a private mount namespace
	DEEP_NS=1 exec unshare -m --propagation private bash -c 'mount -t tracefs nodev /sys/kernel/tracing && exec bash "$0"' "$0"
fi
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'

rel() { # N [NAME]: N levels of NAME (d), relative, ending in /
	local i out=
	for ((i = 0; i < $1; i++)); do out+=${2:-d}/; done
	printf '%s' "$out"
}
L=$(head -c 200 /dev/zero | tr '\0' L) # a 200-byte name
a30=$(for i in $(seq 30); do printf 'a%d/' "$i"; done)

sleep_bin=$(command -v sleep) cat_bin=$(command -v cat)
case $cat_bin in /usr/*) ;; *) die "cat is not under /usr: $cat_bin" ;; esac
mkdir -p "$tmp/pre/$(rel 35)" "$tmp/pre/$(rel 200)" "$tmp/pre/$(rel 19 "$L")" "$tmp/x/usr/$a30"
for d in "" "$(rel 35)" "$(rel 200)" "$(rel 19 "$L")"; do cp "$sleep_bin" "$tmp/pre/${d}sleep"; done
# 2,000 levels (4,000 bytes), under the Prefix and not
for b in pre other; do (mkdir -p "$tmp/$b/$(rel 1000)" && cd -P "$tmp/$b/$(rel 1000)" && mkdir -p "$(rel 1000)" &&
	cp "$sleep_bin" "$(rel 1000)sleep") || die "cannot build 2,000 levels"; done
# past PATH_MAX: 30 levels of 200 bytes, then 40 of 1, built a level at a time
(mkdir "$tmp/pre/ol" && cd -P "$tmp/pre/ol" && for i in $(seq 30); do mkdir "$L" && cd -P "$L" || exit 1; done &&
	mkdir -p "$(rel 40)" && cp "$sleep_bin" "$(rel 40)sleep") || die "cannot build the over-long tree"
cp "$cat_bin" "$tmp/x/usr/${a30}cat"
cp "$cat_bin" "$tmp/np-cat"
echo data >"$tmp/target"

cat >"$tmp/deep.yaml" <<YAML
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: deep-paths
spec:
  tracepoints:
  - subsystem: raw_syscalls
    event: sys_enter
    args:
    - index: 4
      type: syscall64
    selectors:
    - matchArgs:
      - index: 0
        operator: InMap
        values: [sys_clock_nanosleep, sys_nanosleep]
      matchBinaries:
      - operator: Prefix
        values: [$tmp/pre/]
      matchActions:
      - action: Sigkill
  - subsystem: syscalls
    event: sys_enter_openat
    args:
    - index: 6
      type: string
    selectors:
    - matchArgs:
      - index: 0
        operator: Equal
        values: [$tmp/target]
      matchBinaries:
      - operator: NotPrefix
        values: [/usr/]
      matchActions:
      - action: Sigkill
YAML

start_agent "$tmp" --policy "$tmp/deep.yaml" --export-file "$tmp/ev.json"

expect_eq "control: $sleep_bin sleeps" 0 "$(run_status "$sleep_bin" 0.01)"
expect_eq "control: a copy right under the Prefix is killed" 137 "$(run_status "$tmp/pre/sleep" 0.01)"
expect_eq "Prefix: a copy 35 levels down is killed" 137 "$(run_status "$tmp/pre/$(rel 35)sleep" 0.01)"
expect_eq "Prefix: a copy 200 levels down is killed" 137 "$(run_status "$tmp/pre/$(rel 200)sleep" 0.01)"
p=$tmp/pre/$(rel 19 "$L")sleep
expect_eq "Prefix: a copy ${#p} bytes down is killed" 137 "$(run_status "$p" 0.01)"
p=$tmp/other/$(rel 2000)sleep
expect_eq "control: a copy 2,000 levels (${#p} bytes) outside the Prefix sleeps" 0 "$(run_status "$p" 0.01)"
p=$tmp/pre/$(rel 2000)sleep
expect_eq "Prefix: a copy 2,000 levels (${#p} bytes) down is killed" 137 "$(run_status "$p" 0.01)"
expect_eq "Prefix: a copy past PATH_MAX (about 6,100 bytes) is killed (fail closed)" 137 \
	"$(cd -P "$tmp/pre/ol" && for i in $(seq 30); do cd -P "$L" || exit 1; done && cd -P "$(rel 40)" && run_status ./sleep 0.01)"

expect_eq "control: $cat_bin reads the target" 0 "$(run_status "$cat_bin" "$tmp/target")"
expect_eq "control: a copy of cat outside /usr is killed" 137 "$(run_status "$tmp/np-cat" "$tmp/target")"
expect_eq "NotPrefix /usr/: a copy at $tmp/x/usr/a1/.../a30/cat is killed" 137 "$(run_status "$tmp/x/usr/${a30}cat" "$tmp/target")"
expect_eq "the target is unchanged" data "$(cat "$tmp/target")"
stop_agent
expect_eq "agent stops cleanly" 0 "$AGENT_RC"
