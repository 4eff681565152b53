# make install's layout, the systemd unit, the man page and --help on every
# command: what a packager and an operator rely on.
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
on_exit "rm -rf '$tmp'"
stage=$tmp/root

# every command and subcommand answers --help, from the program's own tables
cmds=$("$VETO" --help | awk '/^Commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }')
expect_ne "veto --help lists commands" "" "$cmds"
for c in $cmds; do
	# an alias ("short for NAME") shows its command's usage
	name=$("$VETO" --help | awk -v c="$c" '$1 == c && $2 == "short" && $3 == "for" { print $4 }')
	name=${name:-$c}
	out=$("$VETO" "$c" --help 2>&1); rc=$?
	expect_eq "veto $c --help exit status" 0 "$rc"
	expect_match "veto $c --help shows its usage" "Usage: veto $name" "$out"
	# subcommands: the words after "veto CMD" in its usage lines, and the
	# verbs its help lists one per indented line
	subs=$(printf '%s\n' "$out" | sed -n -e "s/^.*veto $name \\([a-z][a-z-]*\\).*/\\1/p" \
		-e 's/^  \([a-z][a-z-]*\) .*/\1/p' | sort -u)
	for s in $subs; do
		out=$("$VETO" "$c" "$s" --help 2>&1); rc=$?
		expect_eq "veto $c $s --help exit status" 0 "$rc"
		expect_match "veto $c $s --help shows its own usage" "Usage: veto $name $s" "$out"
	done
done

out=$(make -s -C "$VETO_ROOT" install DESTDIR="$stage" 2>&1); rc=$?
expect_eq "make install exit status" 0 "$rc"
[ "$rc" -eq 0 ] || note "$out"
mode() { stat -c %a "$1" 2>/dev/null; }
expect_eq "binary installed, executable" 755 "$(mode "$stage/usr/local/bin/veto")"
expect_eq "man page installed" 644 "$(mode "$stage/usr/local/share/man/man8/veto.8")"
expect_eq "policy folder, root only" 700 "$(mode "$stage/etc/veto/policies.d")"
expect_eq "agent options, root only" 600 "$(mode "$stage/etc/veto/agent.env")"
unit=$stage/usr/local/lib/systemd/system/veto.service
expect_file "systemd unit installed" "$unit"
expect_match "unit runs the installed binary" '^ExecStart=/usr/local/bin/veto agent' "$(cat "$unit" 2>/dev/null)"
expect_match "unit restarts on failure" '^Restart=on-failure' "$(cat "$unit" 2>/dev/null)"
expect_no_match "unit has no unfilled paths" '@[A-Z]*@' "$(cat "$unit" 2>/dev/null)"
"$stage/usr/local/bin/veto" --version >/dev/null 2>&1
expect_eq "installed binary runs" 0 "$?"

# the user's options survive a second install
echo 'VETO_AGENT_OPTS="--ancestors"' > "$stage/etc/veto/agent.env"
make -s -C "$VETO_ROOT" install DESTDIR="$stage" >/dev/null 2>&1
expect_eq "reinstall keeps agent.env" 'VETO_AGENT_OPTS="--ancestors"' "$(cat "$stage/etc/veto/agent.env")"

if command -v systemd-analyze >/dev/null; then
	# verify checks that ExecStart exists: point it at the staged binary
	sed "s|/usr/local/bin/veto|$stage/usr/local/bin/veto|" "$unit" > "$tmp/veto.service"
	out=$(MANPATH=$stage/usr/local/share/man systemd-analyze verify "$tmp/veto.service" 2>&1); rc=$?
	expect_eq "systemd-analyze verify accepts the unit ($out)" 0 "$rc"
else
	note "systemd-analyze not installed: the unit's syntax is not verified here"
fi

# the man page is the --help texts: every command's usage is in it, and it renders cleanly
man=$stage/usr/local/share/man/man8/veto.8
for c in $cmds; do
	first=$("$VETO" "$c" --help | head -n 1)
	if grep -qF -- "$first" "$man"; then pass "man page has veto $c's usage"; else fail "man page lacks '$first'"; fi
done
if command -v groff >/dev/null; then
	out=$(groff -man -ww -z -Tutf8 "$man" 2>&1)
	expect_eq "man page renders without warnings" "" "$out"
fi

make -s -C "$VETO_ROOT" uninstall DESTDIR="$stage" >/dev/null 2>&1
expect_no_file "uninstall removes the binary" "$stage/usr/local/bin/veto"
expect_no_file "uninstall removes the unit" "$unit"
expect_file "uninstall keeps the policy folder" "$stage/etc/veto/policies.d"
