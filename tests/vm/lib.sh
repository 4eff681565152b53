# Helpers for scripts that run inside the test VMs (busybox sh). vm-run puts
# this file at /veto/lib.sh. Use:
#
#   #!/bin/sh
#   . /veto/lib.sh
#   expect_eq "exec of /tmp/evil is killed" 137 "$(run_status /tmp/evil)"
#   expect_no_file "denied create left no file" /tmp/x
#
# expect_* and fail record a failure and go on, so one run reports every
# broken check; die stops at once. On exit the script fails (status 1) if any
# check failed, even when it ends with `exit 0`. skip exits 77.
# Env from vm-run: VETO_VM_KERNEL (5.10, 6.1, 6.12), VETO_VM_RELEASE (uname -r).

VETO_FAILED=0
VETO_CHECKS=0

pass() { VETO_CHECKS=$((VETO_CHECKS + 1)); echo "PASS: $*"; }
fail() { VETO_CHECKS=$((VETO_CHECKS + 1)); VETO_FAILED=$((VETO_FAILED + 1)); echo "FAIL: $*"; }
die() { fail "$*"; exit 1; }
skip() { echo "SKIP: $*"; trap - EXIT; exit 77; }
note() { echo "# $*"; }

_veto_exit() {
	rc=$?
	trap - EXIT
	if [ "$VETO_FAILED" -gt 0 ]; then
		echo "# $VETO_FAILED of $VETO_CHECKS checks failed"
		[ "$rc" -ne 0 ] || rc=1
	fi
	exit "$rc"
}
trap _veto_exit EXIT

# expect_eq DESC EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: expected '$2', got '$3'"; fi
}
# expect_ne DESC UNWANTED ACTUAL
expect_ne() {
	if [ "$2" != "$3" ]; then pass "$1"; else fail "$1: got '$3'"; fi
}
# expect_match DESC ERE TEXT (grep -E, any line of TEXT)
expect_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then pass "$1"; else fail "$1: /$2/ not in: $3"; fi
}
# expect_no_match DESC ERE TEXT
expect_no_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then fail "$1: /$2/ found in: $3"; else pass "$1"; fi
}
expect_file() { if [ -e "$2" ]; then pass "$1"; else fail "$1: $2 does not exist"; fi; }
expect_no_file() { if [ -e "$2" ]; then fail "$1: $2 exists"; else pass "$1"; fi; }

# run_status CMD...: print CMD's exit status (128+N if killed by signal N).
run_status() { if "$@" >/dev/null 2>&1 </dev/null; then echo 0; else echo $?; fi; }

# expect_status DESC STATUS CMD...: CMD (output shown) exits with STATUS.
expect_status() {
	_d=$1 _want=$2
	shift 2
	if "$@" </dev/null; then _got=0; else _got=$?; fi
	expect_eq "$_d" "$_want" "$_got"
}
expect_ok() { _d=$1; shift; expect_status "$_d" 0 "$@"; }
# expect_fail DESC CMD...: CMD exits non-zero.
expect_fail() {
	_d=$1
	shift
	if "$@" </dev/null; then fail "$_d: succeeded: $*"; else pass "$_d"; fi
}

# wait_for DESC SECONDS CMD...: poll CMD every 0.2 s until it succeeds.
# TCG is slow: be generous with SECONDS.
wait_for() {
	_d=$1 _n=$(($2 * 5))
	shift 2
	while [ "$_n" -gt 0 ]; do
		if "$@" >/dev/null 2>&1; then pass "$_d"; return 0; fi
		sleep 0.2
		_n=$((_n - 1))
	done
	fail "$_d: timed out: $*"
	return 1
}

# kernel_at_least MAJOR.MINOR: the VM's kernel is that version or newer.
kernel_at_least() {
	_k=$(uname -r)
	_kmaj=${_k%%.*} _k=${_k#*.}
	_kmin=${_k%%[!0-9]*}
	_want_maj=${1%%.*} _want_min=${1#*.}
	[ "$_kmaj" -gt "$_want_maj" ] || { [ "$_kmaj" -eq "$_want_maj" ] && [ "$_kmin" -ge "$_want_min" ]; }
}

# agent_start FILE|DIR...: starts `veto agent --policy ...` in the background
# (with $AGENT_OPTS), exporting to $AGENT_EXPORT (/tmp/events.json, emptied
# first), and waits for its `ready` line (or its death).
# agent_stop: stops it with SIGTERM and waits. The log is /tmp/agent.log.
AGENT_PID=
AGENT_EXPORT=/tmp/events.json
agent_start() {
	_args=
	for _p in "$@"; do _args="$_args --policy $_p"; done
	rm -f /tmp/agent.log
	: >"$AGENT_EXPORT"
	# shellcheck disable=SC2086
	veto agent $_args ${AGENT_OPTS:-} --export-file "$AGENT_EXPORT" --socket /run/veto.sock >/dev/null 2>/tmp/agent.log &
	AGENT_PID=$!
	_n=0
	# loading every hook's program takes minutes under emulation on a slow host
	while [ "$_n" -lt 3000 ]; do
		grep -q ready /tmp/agent.log 2>/dev/null && return 0
		kill -0 "$AGENT_PID" 2>/dev/null || break
		sleep 0.1
		_n=$((_n + 1))
	done
	cat /tmp/agent.log
	die "agent did not become ready"
}
agent_stop() {
	[ -n "$AGENT_PID" ] || return 0
	kill -TERM "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID"
	AGENT_PID=
}
# events_with REGEX: the exported event lines matching REGEX
events_with() { grep -E -- "$1" /tmp/events.json 2>/dev/null; }

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
