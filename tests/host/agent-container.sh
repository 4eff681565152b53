# A process in a new pid namespace and in a cgroup v2 directory named the way
# Docker (systemd driver) and containerd name theirs: events show the non-host
# pid namespace and the container id.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
[ -n "$cg2" ] || die "no cgroup2 mount (see PLATFORM.md)"
id=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
dirs="$cg2/veto-test-$$/docker-$id.scope $cg2/veto-test-$$/kubepods/besteffort/podx/cri-containerd-${id%??}ab.scope"
cleanup() {
	for d in $dirs; do rmdir "$d" 2>/dev/null; done
	rmdir "$cg2/veto-test-$$/kubepods/besteffort/podx" "$cg2/veto-test-$$/kubepods/besteffort" \
		"$cg2/veto-test-$$/kubepods" "$cg2/veto-test-$$" 2>/dev/null
	rm -rf "$tmp"
}
on_exit cleanup
for d in $dirs; do mkdir -p "$d" || die "mkdir $d"; done

start_agent "$tmp" --export-file "$tmp/events.json" --enable-process-ns
d1=$cg2/veto-test-$$/docker-$id.scope
# join the cgroup, then a new pid namespace (unshare forks: the child is pid 1 there)
sh -c "echo \$\$ > $d1/cgroup.procs && exec unshare --pid --fork /bin/sh -c 'exit 3' veto-ns-$$"
# wait for the very event read below (unshare's own exit matches the arguments too)
wait_event "$tmp/events.json" "e['process_exit']['process']['binary']=='/bin/sh' and e['process_exit']['process']['arguments'].endswith('veto-ns-$$')" || die "no exit event"
ev=$(find_event "$tmp/events.json" "e['process_exec']['process']['binary']=='/bin/sh' and e['process_exec']['process']['arguments'].endswith('veto-ns-$$')") || die "no exec event"
p='d["process_exec"]["process"]'
expect_eq "docker field: first 31 chars of the id" "${id:0:31}" "$(json_get "$ev" "$p.get('docker')")"
expect_eq "pod.container.id" "docker://$id" "$(json_get "$ev" "$p['pod']['container']['id']")"
expect_eq "pid 1 inside the container" 1 "$(json_get "$ev" "$p['pod']['container']['pid']")"
expect_eq "a container's pid 1 is in its init tree" True "$(json_get "$ev" "$p['in_init_tree']")"
expect_eq "unshare, which started it from the host, is not" False \
	"$(json_get "$ev" 'd["process_exec"]["parent"]["in_init_tree"]')"
expect_eq "pid namespace is not the host's" False "$(json_get "$ev" "$p['ns']['pid'].get('is_host', False)")"
expect_eq "pid ns inum present" True "$(json_get "$ev" "$p['ns']['pid']['inum'] > 0")"
expect_eq "net namespace is the host's" True "$(json_get "$ev" "$p['ns']['net'].get('is_host', False)")"
host_pid_ns=$(stat -L -c %i /proc/self/ns/pid)
[ "$(json_get "$ev" "$p['ns']['pid']['inum']")" != "$host_pid_ns" ] || die "pid ns inum equals the host's"
pass "pid ns inum differs from the host's ($host_pid_ns)"
ex=$(find_event "$tmp/events.json" "e['process_exit']['process']['binary']=='/bin/sh' and e['process_exit']['process']['arguments'].endswith('veto-ns-$$')")
expect_eq "exit status inside the namespace" 3 "$(json_get "$ex" 'd["process_exit"]["status"]')"

# containerd's systemd-driver shape
d2=$cg2/veto-test-$$/kubepods/besteffort/podx/cri-containerd-${id%??}ab.scope
sh -c "echo \$\$ > $d2/cgroup.procs && exec /bin/true veto-cri-$$"
wait_event "$tmp/events.json" "e['process_exec']['process']['arguments']=='veto-cri-$$'" || die "no exec in containerd cgroup"
ev=$(find_event "$tmp/events.json" "e['process_exec']['process']['arguments']=='veto-cri-$$'")
expect_eq "containerd id" "containerd://${id%??}ab" "$(json_get "$ev" "$p['pod']['container']['id']")"
stop_agent
