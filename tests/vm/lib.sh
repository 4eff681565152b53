# Helpers for scripts that run inside the test VMs (busybox sh). vm-run puts
# this file at /veto/lib.sh and the test library (tests/lib/veto.sh: checks,
# the agent's starter) at /veto/veto.sh, which this file loads. Use:
#
#   #!/bin/sh
#   . /veto/lib.sh
#   expect_eq "exec of /tmp/evil is killed" 137 "$(run_status /tmp/evil)"
#   expect_no_file "denied create left no file" /tmp/x
#
# Env from vm-run: VETO_VM_KERNEL (5.10, 6.1, 6.12), VETO_VM_RELEASE (uname -r).

. /veto/veto.sh
# loading every hook's program takes minutes under emulation on a slow host
AGENT_READY_S=300

# kernel_at_least MAJOR.MINOR: the VM's kernel is that version or newer.
kernel_at_least() {
	_k=$(uname -r)
	_kmaj=${_k%%.*} _k=${_k#*.}
	_kmin=${_k%%[!0-9]*}
	_want_maj=${1%%.*} _want_min=${1#*.}
	[ "$_kmaj" -gt "$_want_maj" ] || { [ "$_kmaj" -eq "$_want_maj" ] && [ "$_kmin" -ge "$_want_min" ]; }
}

# listening PORT: a TCP socket listens on PORT (a server started in the
# background is ready)
listening() {
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
		awk -v p="$(printf ':%04X' "$1")" '$4 == "0A" && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }'
}

# Deep trees, for paths past any walk limit (a path over PATH_MAX cannot be
# named in one call: these go down a chunk of levels per call).
# deep_name LEN: a name of LEN bytes (d...d).
deep_name() { printf "%${1}s" '' | tr ' ' d; }
# deep_rel N [LEN]: N levels of LEN-byte names (1), relative, ending in /.
deep_rel() {
	_r= _nm=$(deep_name "${2:-1}") _i=0
	while [ "$_i" -lt "$1" ]; do _r="$_r$_nm/" _i=$((_i + 1)); done
	printf '%s' "$_r"
}
# deep_dir BASE N [LEN [CMD...]]: makes BASE and N levels of LEN-byte names
# below it, then runs CMD there (in a subshell; its status). deep_in: the
# same without making anything. They nest: deep_in B 30 200 deep_in . 40 1 cat f
deep_dir() { _deep mkdir "$@"; }
deep_in() { _deep in "$@"; }
_deep() {
	_mk=$1 _b=$2 _n=$3 _l=${4:-1}
	shift 3
	[ $# -gt 0 ] && shift
	(
		if [ "$_mk" = mkdir ]; then mkdir -p "$_b" || exit 1; fi
		cd -P "$_b" || exit 1
		_k=$((2048 / (_l + 1))) # levels per call, far below PATH_MAX
		while [ "$_n" -gt 0 ]; do
			[ "$_k" -le "$_n" ] || _k=$_n
			_p=$(deep_rel "$_k" "$_l")
			if [ "$_mk" = mkdir ]; then mkdir -p "$_p" || exit 1; fi
			cd -P "$_p" || exit 1
			_n=$((_n - _k))
		done
		[ $# -eq 0 ] || "$@"
	)
}
