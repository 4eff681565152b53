# veto policy lint/show: the corpus, the article's policies and their fixes, exit
# codes, JSON. Needs VETO (the binary); root is not needed but harmless.
. "$(dirname "$0")/lib.sh"
root=${VETO_ROOT:-$(git -C "$(dirname "$0")" rev-parse --show-toplevel)}
corpus=$root/../shared/corpus/tetragon-policies
ex=$root/examples/policies
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'

# The corpus: valid, or refused with located errors (most say "unsupported:");
# never a crash. lint runs the compile stage too, so it refuses what the agent
# would (in the 6.12 VM, the files that load are the files lint finds valid).
[ -d "$corpus" ] || die "corpus not found at $corpus"
n=0 valid=0
for f in "$corpus"/*; do
	out=$("$VETO" policy lint "$f" 2>&1); rc=$?
	n=$((n + 1))
	case $rc in
	0) valid=$((valid + 1)) ;;
	1) bad=$(printf '%s\n' "$out" | grep ': error: ' | grep -v -E "^$f:[0-9]+:[0-9]+: error: ")
	   [ -z "$bad" ] || die "$(basename "$f"): errors without a place: $bad"
	   # "unsupported: <feature>", or the one plain error of the corpus: a
	   # positive argError, which no hook can return to deny
	   bad=$(printf '%s\n' "$out" | grep ': error: ' | grep -v -E ": error: (unsupported: |argError 1 is not a negative errno)")
	   [ -z "$bad" ] || die "$(basename "$f"): an error that is not 'unsupported:': $bad" ;;
	*) die "$(basename "$f"): exit $rc: $out" ;;
	esac
done
[ "$n" -ge 60 ] || die "only $n corpus files"
pass "corpus: $n files, $valid valid, the rest refused with located errors"
# what only the compile stage knows: a podSelector, an argument type veto cannot read
out=$("$VETO" policy lint "$corpus/policylibrary__bpf.yaml" 2>&1); rc=$?
expect_eq "lint refuses a kprobe argument veto cannot read" 1 "$rc"
expect_match "located, with the reason" "policylibrary__bpf.yaml:10:7: error: unsupported: veto cannot read a bpf_attr argument on a kprobe" \
	"$out"
out=$("$VETO" policy lint "$corpus/other__file-block-kubectl-exec-access.yaml" 2>&1); rc=$?
expect_eq "lint refuses a podSelector" 1 "$rc"
expect_match "located, with the reason" "other__file-block-kubectl-exec-access.yaml:23:3: error: unsupported: podSelector" "$out"

# The article's two policies: valid, with the warnings that explain its mistakes.
out=$("$VETO" policy lint "$ex/article-passwd.yaml"); rc=$?
expect_eq "article-passwd is valid" 0 "$rc"
expect_match "bare spec fragment" "article-passwd.yaml:1:1: warning: no apiVersion, kind or metadata: treated as a TracingPolicy named 'article-passwd'" "$out"
expect_match "unscoped Sigkill" "article-passwd.yaml:15:15: warning: Sigkill applies to every process on the node" "$out"
expect_match "permission hook without mask" "article-passwd.yaml:15:15: warning: inode_permission runs for every access" "$out"
out=$("$VETO" policy lint "$ex/article-block-shell-exec.yaml"); rc=$?
expect_eq "article-block-shell-exec is valid" 0 "$rc"
expect_match "(a) matchBinaries is the caller" ":14:15: warning: matchBinaries matches the process calling security_bprm_check" "$out"
expect_match "(b) namespace 1" ":24:24: warning: '1' is not a namespace: .*NotIn \[\"1\"\] excludes nothing, the host included" "$out"
expect_match "shell block without allowlist" ":26:15: warning: this blocks shell execution with no allowlist" "$out"
expect_match "(c) argError on Sigkill" ":27:15: warning: argError has no effect on Sigkill" "$out"

# The corrections lint clean.
out=$("$VETO" policy lint "$ex/block-shell-exec-fixed.yaml" "$ex/protect-passwd.yaml"); rc=$?
expect_eq "fixed policies are valid" 0 "$rc"
expect_eq "fixed policies: only the no-allowlist warning" "2 files: 0 errors, 1 warning" "$(printf '%s\n' "$out" | tail -1)"
expect_match "the shell block still has no allowlist" "block-shell-exec-fixed.yaml:[0-9]+:[0-9]+: warning: this blocks shell execution with no allowlist" "$out"

# Exit codes and located errors.
printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: x\nspec:\n  lsmhooks:\n  - hook: file_opn\n' > "$tmp/bad.yaml"
out=$("$VETO" policy lint "$tmp/bad.yaml"); rc=$?
expect_eq "invalid policy exits 1" 1 "$rc"
expect_match "located error with suggestion" "bad.yaml:7:11: error: unknown LSM hook 'file_opn' \(did you mean 'file_open'\?\)" "$out"
out=$("$VETO" policy lint "$ex/protect-passwd.yaml" "$tmp/bad.yaml"); rc=$?
expect_eq "one invalid file of two exits 1" 1 "$rc"
out=$("$VETO" policy lint 2>&1); rc=$?
expect_eq "no FILE exits 2" 2 "$rc"
expect_match "no FILE message" "^Error: policy lint: no FILE given" "$out"
out=$("$VETO" policy frob 2>&1); rc=$?
expect_eq "unknown subcommand exits 2" 2 "$rc"
expect_match "unknown subcommand message" "^Error: policy: unknown subcommand 'frob'" "$out"
out=$("$VETO" policy lint "$tmp/nonexistent.yaml" 2>&1); rc=$?
expect_eq "missing file exits 1" 1 "$rc"
expect_match "missing file message" "nonexistent.yaml: error: cannot read: No such file or directory" "$out"

# Malformed input: a located error, never a crash.
: > "$tmp/empty.yaml"
head -c 65536 /dev/urandom > "$tmp/garbage.yaml"
python3 -c 'print("[" * 200000)' > "$tmp/deep.yaml"
truncate -s 100M "$tmp/huge.yaml"
for f in empty garbage deep huge; do
	out=$("$VETO" policy lint "$tmp/$f.yaml" 2>&1); rc=$?
	expect_eq "$f input exits 1" 1 "$rc"
	expect_match "$f input has a located error" "^$tmp/$f.yaml:[0-9]+:[0-9]+: error: " "$out"
done

# JSON: global and per-command -o json, valid documents, same content.
for args in "-o json policy lint" "policy lint -o json"; do
	out=$("$VETO" $args "$ex/article-block-shell-exec.yaml" "$tmp/bad.yaml"); rc=$?
	expect_eq "json lint exit ($args)" 1 "$rc"
	printf '%s' "$out" | python3 -m json.tool > /dev/null || die "json lint is not JSON ($args)"
	expect_eq "json counts ($args)" "(1, 4, True)" "$(json_get "$out" 'd["errors"], d["warnings"], d["files"][0]["valid"]')"
	expect_eq "json lines ($args)" "[14, 24, 26, 27]" "$(json_get "$out" '[x["line"] for x in d["files"][0]["diagnostics"]]')"
done
out=$("$VETO" -o json policy lint 2>/dev/null); rc=$?
expect_eq "json usage error exit" 2 "$rc"
expect_eq "json usage error object" "policy lint: no FILE given" "$(json_get "$out" 'd["error"]')"
for f in "$ex"/*.yaml; do
	out=$("$VETO" policy show "$f" 2>/dev/null) || die "show $f"
	printf '%s' "$out" | python3 -m json.tool > /dev/null || die "show $f is not JSON"
done
out=$("$VETO" policy show "$ex/protect-passwd.yaml")
expect_eq "show names the LSM hook" "inode_permission" "$(json_get "$out" 'd["policies"][0]["hooks"][0]["lsmHook"]')"
expect_eq "show types values" "[2]" "$(json_get "$out" 'd["policies"][0]["hooks"][0]["selectors"][0]["matchArgs"][1]["values"]')"
out=$("$VETO" policy show "$tmp/bad.yaml" 2>&1); rc=$?
expect_eq "show refuses an invalid policy" 1 "$rc"
expect_match "show says why" "Error: policy show: .*bad.yaml is not valid" "$out"

# show refuses what lint refuses, with the same located errors: every corpus
# file, the compile stage's refusals (argument types veto cannot read) included.
for f in "$corpus"/*; do
	"$VETO" policy lint "$f" >"$tmp/lint.out" 2>&1; lrc=$?
	"$VETO" policy show "$f" >"$tmp/show.out" 2>"$tmp/show.err"; src=$?
	[ "$lrc" = "$src" ] || die "$(basename "$f"): lint exits $lrc, show exits $src"
	[ "$src" = 0 ] && { python3 -m json.tool "$tmp/show.out" >/dev/null || die "show $f is not JSON"; continue; }
	[ -s "$tmp/show.out" ] && die "$(basename "$f"): show printed a refused policy"
	grep ': error: ' "$tmp/lint.out" >"$tmp/lint.err"
	grep ': error: ' "$tmp/show.err" | cmp -s - "$tmp/lint.err" || die "$(basename "$f"): show's errors differ from lint's"
done
pass "show exits as lint does on every corpus file, with the same errors"
out=$("$VETO" policy show "$corpus/policylibrary__bpf.yaml" 2>&1); rc=$?
expect_eq "show refuses an argument type only compile refuses" 1 "$rc"
expect_match "show says where" "policylibrary__bpf.yaml:10:7: error: unsupported: veto cannot read a bpf_attr argument" "$out"

# Folders: lint reads them as the agent and `policy try` do (one reader): the
# *.yaml and *.yml files, hidden ones skipped, each error at its file.
mkdir "$tmp/pols"
cp "$ex/deny-connect.yaml" "$tmp/pols/a.yaml"
cp "$ex/protect-passwd.yaml" "$tmp/pols/b.yml"
printf 'not: [a policy\n' >"$tmp/pols/.hidden.yaml"
out=$("$VETO" policy lint "$tmp/pols" 2>&1); rc=$?
expect_eq "lint accepts a folder of valid policies" 0 "$rc"
expect_match "both files, the hidden one skipped" "^2 files: 0 errors" "$out"
printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: bad\nspec:\n  lsmhooks:\n  - hook: file_opn\n' >"$tmp/pols/c.yaml"
out=$("$VETO" policy lint "$tmp/pols" 2>&1); rc=$?
expect_eq "a bad file in a folder" 1 "$rc"
expect_match "the error names the file, at line:col" "^$tmp/pols/c.yaml:7:11: error: " "$out"
rm "$tmp/pols/c.yaml"
# a FIFO named like a policy: refused at once, by name (before, read() waited
# for a writer forever)
mkfifo "$tmp/pols/x.yaml"
out=$(timeout 10 "$VETO" policy lint "$tmp/pols" 2>&1); rc=$?
expect_eq "a FIFO in a folder is refused, not waited on" 1 "$rc"
expect_match "the error names the FIFO" "^$tmp/pols/x.yaml: error: not a regular file \(a FIFO\)" "$out"
mkdir "$tmp/nopol"
out=$("$VETO" policy lint "$tmp/nopol" 2>&1); rc=$?
expect_eq "an empty folder" 1 "$rc"
expect_match "said at the folder" "^$tmp/nopol: error: no \*.yaml or \*.yml files in this folder" "$out"
