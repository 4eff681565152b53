# Paths in exec events come from the kernel walker that matchBinaries uses:
# a binary and a cwd 40 levels deep are whole, a cwd past PATH_MAX is its
# leaf end with errorCWD (never an invented absolute path), a deleted cwd says
# so, a fileless (memfd) exec is named as the kernel names it, and an exec
# name with ".." is replaced by the file's own path.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'
marker="veto-paths-$$"

deep=$tmp/deep
mkdir -p "$deep"
for i in $(seq 40); do deep=$deep/d$i; done
mkdir -p "$deep"
cp /usr/bin/true "$deep/mytrue"
mkdir "$tmp/gone"
long=$(printf 'y%.0s' $(seq 200))
# 30 levels of 201 bytes: over 6,000 bytes, past PATH_MAX (made by relative steps)
(cd "$tmp" && for i in $(seq 30); do mkdir "$long" && cd "$long" || exit 1; done) || die "cannot build the long path"

start_agent "$tmp" --export-file "$tmp/events.json"
exp() { wait_event "$tmp/events.json" "e['process_exec']['process']['arguments']=='$1'" || die "no exec event for $1"; find_event "$tmp/events.json" "e['process_exec']['process']['arguments']=='$1'"; }

"$deep/mytrue" "$marker-deep"
ev=$(exp "$marker-deep")
expect_eq "a binary 40 levels deep is whole" "$deep/mytrue" "$(json_get "$ev" 'd["process_exec"]["process"]["binary"]')"
(cd "$deep" && /bin/true "$marker-cwd")
ev=$(exp "$marker-cwd")
expect_eq "a cwd 40 levels deep is whole" "$deep" "$(json_get "$ev" 'd["process_exec"]["process"]["cwd"]')"

(cd "$tmp" && for i in $(seq 30); do cd "$long"; done && /bin/true "$marker-long")
ev=$(exp "$marker-long")
cwd=$(json_get "$ev" 'd["process_exec"]["process"]["cwd"]')
[ "${cwd:0:1}" != / ] || die "a cwd past PATH_MAX is exported as an absolute path: ${cwd:0:80}..."
pass "a cwd past PATH_MAX is not exported as an absolute path"
expect_match "it is the leaf end of the cwd" "$long\$" "$cwd"
expect_match "and flagged errorCWD" "errorCWD" "$(json_get "$ev" 'd["process_exec"]["process"]["flags"]')"

(cd "$tmp/gone" && rmdir "$tmp/gone" && /bin/true "$marker-gone")
ev=$(exp "$marker-gone")
expect_eq "a deleted cwd says (deleted)" "$tmp/gone (deleted)" "$(json_get "$ev" 'd["process_exec"]["process"]["cwd"]')"

/usr/bin/../bin/true "$marker-dots"
ev=$(exp "$marker-dots")
bin=$(json_get "$ev" 'd["process_exec"]["process"]["binary"]')
expect_eq "an exec name with .. is replaced by the file's path" "$(readlink -f /usr/bin/true)" "$bin"

python3 - "$marker-memfd" <<'PY'
import os, sys
fd = os.memfd_create("evil")
os.write(fd, open("/usr/bin/true", "rb").read())
os.execve("/proc/self/fd/%d" % fd, ["evil", sys.argv[1]], {})
PY
ev=$(exp "$marker-memfd")
expect_eq "a memfd exec is named as the kernel names it" "/memfd:evil (deleted)" "$(json_get "$ev" 'd["process_exec"]["process"]["binary"]')"

# A policy matches a fileless program by that name: killed at its first
# system call, while the same program from a file lives.
stop_agent
cat >"$tmp/memfd.yaml" <<YAML
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: kill-fileless
spec:
  tracepoints:
  - subsystem: raw_syscalls
    event: sys_enter
    raw: true
    args:
    - index: 1
      type: syscall64
    selectors:
    - matchBinaries:
      - operator: Prefix
        values: ["/memfd:$marker"]
      matchActions:
      - action: Sigkill
YAML
start_agent "$tmp" --policy "$tmp/memfd.yaml" --export-file "$tmp/events2.json"
runmemfd() {
	python3 - "$1" <<'PY'
import os, sys
fd = os.memfd_create(sys.argv[1])
os.write(fd, open("/usr/bin/true", "rb").read())
os.execve("/proc/self/fd/%d" % fd, ["x"], {})
PY
}
runmemfd "$marker"; rc=$?
expect_eq "a fileless program matched by /memfd:NAME is killed" 137 "$rc"
runmemfd "other-$marker"; rc=$?
expect_eq "another fileless program lives" 0 "$rc"
/usr/bin/true; rc=$?
expect_eq "the same program from a file lives" 0 "$rc"
