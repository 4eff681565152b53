#!/bin/sh
# Self-protection: while the agent runs, root in another process cannot kill,
# stop, trace, slow or starve it, nor detach its links or write its maps;
# after every attempt it is alive and still enforcing. Its parent (the
# allowed signaller) stops it; --no-protect lets a kill through. Other
# processes keep signalling and tracing each other.
. /veto/lib.sh

cp /etc/passwd /tmp/passwd.orig
# the article's policy kills whoever opens /etc/passwd (reading too): its
# size and times are read with stat, which does not open it
stamp() { stat -c '%s %Y %Z' /etc/passwd; }
before=$(stamp)
enforcing() {
	[ "$(run_status sh -c 'echo hacked >> /etc/passwd')" = 137 ] && [ "$(stamp)" = "$before" ]
}
alive() { kill -0 "$AGENT_PID" 2>/dev/null; }
# the agent's state letter in /proc (R, S; T when stopped)
state() { sed 's/.*) //' "/proc/$AGENT_PID/stat" | cut -d' ' -f1; }
# kill from another process (a child shell): its status and message
other_kill() { sh -c "kill $1 $AGENT_PID" 2>&1; echo "status $?"; }

agent_start --policy /veto/examples/policies/article-passwd.yaml
expect_match "the agent says it protects itself" "self-protection on: signals only from pid $$,1;" "$(cat "$AGENT_LOG")"
expect_ok "the policy enforces" enforcing
# its pins: neither removed nor reopened by another process, its maps not
# written through them
pins=${AGENT_BPF_DIR:-/sys/fs/bpf/veto}
inst=$(ls -d "$pins"/policies/*-article-passwd)
[ -n "$inst" ] || die "the policy is not pinned in $pins"
expect_fail "another process cannot remove the policy's pinned link" sh -c "rm -f '$inst/link_00'"
expect_file "the pinned link is still there" "$inst/link_00"
expect_fail "nor remove the pin folder" sh -c "rm -rf '$pins'"
expect_fail "nor open a pinned map writable" bpftool map show pinned "$inst/map_cfg"
expect_eq "a link's fd from its pin neither detaches nor replaces it" "detach EPERM update EPERM" \
	"$(guard-attack pin-detach "$inst/link_00")"
expect_fail "nor rewrite the pinned state" bpftool map update pinned "$inst/state" key 0 0 0 0 value hex 00
expect_ok "after all that the policy enforces" enforcing

for sig in -9 -TERM -STOP -INT -USR1 -QUIT; do
	expect_match "kill $sig from another root process is refused" \
		"Operation not permitted.*status 1|status 1.*Operation not permitted" "$(other_kill "$sig" | tr '\n' ' ')"
done
expect_ok "the agent is alive after the kills" alive
expect_ok "SIGHUP from another process goes through (logrotate)" sh -c "kill -HUP $AGENT_PID"
wait_for "and the agent reopens its export file" 60 grep -q "SIGHUP: reopened" "$AGENT_LOG"
expect_ne "the agent is not stopped" T "$(state)"
for a in tgkill sigqueue pidfd-kill; do
	expect_eq "SIGKILL by $a is refused" EPERM "$(guard-attack "$a" "$AGENT_PID")"
done
guard-attack sigio "$AGENT_PID" >/dev/null
expect_ok "the agent is alive after SIGKILL by SIGIO (F_SETOWN, F_SETSIG)" alive
expect_ok "signal 0 (does it live?) still answers" sh -c "kill -0 $AGENT_PID"

for a in attach seize vm-write pidfd-getfd; do
	expect_eq "$a on the agent is refused" EPERM "$(guard-attack "$a" "$AGENT_PID")"
done
expect_eq "the allowed signaller (the parent) cannot be traced either" EPERM "$(guard-attack attach $$)"
expect_eq "its memory is not written either" EPERM "$(guard-attack vm-write $$)"
expect_ok "its /proc/PID/fd still lists (read-only inspection)" sh -c "ls /proc/$$/fd >/dev/null"
expect_eq "/proc/PID/mem opened for writing is refused" EACCES "$(guard-attack mem-write "$AGENT_PID")"
expect_eq "/proc/PID/fd/0 is refused" EACCES "$(guard-attack fd-link "$AGENT_PID")"
for a in nice ioprio sched prlimit; do
	expect_eq "$a on the agent is refused" EPERM "$(guard-attack "$a" "$AGENT_PID")"
done

links=$(guard-attack links-detach)
note "links: $links"
n=${links%% *}
expect_ne "the agent has links" 0 "$n"
expect_eq "every link refused, none detached" "$n refused $n got 0 detached 0" "$links"
maps=$(guard-attack maps)
note "maps: $maps"
n=${maps%% *}
expect_eq "every map refused for writing, readable, not written through" \
	"$n write-refused $n read-only $n write-through-rdonly 0" "$maps"
progs=$(guard-attack progs)
n=${progs%% *}
expect_eq "every program's info still reads" "$n info $n" "$progs"
expect_match "bpftool prog list shows the guard and the policy" "veto_guard_kill" "$(bpftool prog list 2>&1)"
expect_match "bpftool prog list shows the policy's program" "veto_lsm_" "$(bpftool prog list 2>&1)"

expect_ok "after all that the agent is alive" alive
expect_ok "and still enforcing: the writer dies, /etc/passwd unchanged" enforcing

# no false positive: others signal, trace, renice each other
sleep 300 &
s=$!
expect_eq "another process is traced as before" OK "$(guard-attack attach "$s")"
expect_eq "another process is reniced as before" OK "$(guard-attack nice "$s")"
kill -KILL "$s"
wait "$s"
# a fresh one: a process once traced may be left stopped, which is ptrace's
sleep 300 &
s=$!
expect_ok "another process is signalled as before" sh -c "kill -TERM $s"
wait "$s"
expect_eq "and dies of it" 143 "$?"
sleep 300 &
s=$!
guard-attack sigio "$s" >/dev/null
wait "$s"
expect_eq "SIGIO's SIGKILL reaches another process" 137 "$?"

agent_stop
expect_eq "the parent (the allowed signaller) stops the agent cleanly" 0 "$AGENT_RC"
expect_match "it stopped on SIGTERM" "stopping on Terminated" "$(cat "$AGENT_LOG")"
expect_ok "/etc/passwd is byte-for-byte unchanged" cmp /etc/passwd /tmp/passwd.orig

# --allow-signals-from: another process signals, the parent no longer does
rm -f /tmp/go
mkfifo /tmp/go
sh -c 'read p < /tmp/go; kill -TERM "$p"' &
signaller=$!
agent_start --allow-signals-from "$signaller"
expect_fail "the parent's SIGTERM is refused when only pid $signaller may" kill -TERM "$AGENT_PID"
expect_ok "the agent is alive" alive
echo "$AGENT_PID" >/tmp/go
wait "$signaller"
wait "$AGENT_PID"
expect_eq "the allowed process's SIGTERM stops it cleanly" 0 "$?"
AGENT_PID=

agent_start --no-protect --policy /veto/examples/policies/article-passwd.yaml
expect_match "the agent says protection is off" "self-protection off" "$(cat "$AGENT_LOG")"
expect_eq "--no-protect: another process gets a link" "got" \
	"$(guard-attack links-get | awk '$5 > 0 { print "got" }')"
expect_eq "--no-protect: another process traces it" OK "$(guard-attack attach "$AGENT_PID")"
expect_match "--no-protect: kill -9 from another process goes through" "status 0" "$(other_kill -9)"
wait "$AGENT_PID"
expect_eq "and the agent died of it" 137 "$?"
AGENT_PID=

# pins: a guard of the helper's own holds a pinned map (by id and by path)
# and its folder; obj-get asks for a writable fd
pins=$(guard-attack pins)
note "$pins"
for a in obj-get rename mkdir-in unlink umount; do
	expect_match "held pin: $a refused" "^held $a EPERM" "$pins"
done
expect_match "held pin folder still lists" "^held list OK" "$pins"
expect_match "its owner opens it" "^owner obj-get OK" "$pins"
expect_match "while loading, a map not held yet gets no writable fd" "^loading map-write EPERM" "$pins"
expect_match "once loaded, it does (it is not held)" "^idle map-write OK" "$pins"
expect_match "while loading, a pin not held yet does not open" "^loading pin-get EPERM" "$pins"
expect_match "once loaded, it does" "^idle pin-get OK" "$pins"
for a in obj-get rename unlink; do
	expect_match "released pin: $a works" "^released $a OK" "$pins"
done
