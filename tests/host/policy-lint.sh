# veto policy lint/show: the corpus, the article's policies and their fixes, exit
# codes, JSON. Needs VETO (the binary); root is not needed but harmless.
. "$(dirname "$0")/lib.sh"
root=${VETO_ROOT:-$(git -C "$(dirname "$0")" rev-parse --show-toplevel)}
corpus=$root/../shared/corpus/tetragon-policies
ex=$root/examples/policies
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The corpus: valid, or refused with located errors (most say "unsupported:");
# never a crash. lint runs the compile stage too, so it refuses what the agent
# would (in the 6.12 VM, the files that load are the files lint finds valid).
[ -d "$corpus" ] || fail "corpus not found at $corpus"
n=0 valid=0
for f in "$corpus"/*; do
	out=$("$VETO" policy lint "$f" 2>&1); rc=$?
	n=$((n + 1))
	case $rc in
	0) valid=$((valid + 1)) ;;
	1) bad=$(printf '%s\n' "$out" | grep ': error: ' | grep -v -E "^$f:[0-9]+:[0-9]+: error: ")
	   [ -z "$bad" ] || fail "$(basename "$f"): errors without a place: $bad" ;;
	*) fail "$(basename "$f"): exit $rc: $out" ;;
	esac
done
[ "$n" -ge 60 ] || fail "only $n corpus files"
pass "corpus: $n files, $valid valid, the rest refused with located errors"
# what only the compile stage knows: a podSelector, an argument type veto cannot read
out=$("$VETO" policy lint "$corpus/policylibrary__bpf.yaml" 2>&1); rc=$?
expect_eq "$rc" 1 "lint refuses a kprobe argument veto cannot read"
expect_match "$out" "policylibrary__bpf.yaml:10:7: error: unsupported: veto cannot read a bpf_attr argument on a kprobe" \
	"located, with the reason"
out=$("$VETO" policy lint "$corpus/other__file-block-kubectl-exec-access.yaml" 2>&1); rc=$?
expect_eq "$rc" 1 "lint refuses a podSelector"
expect_match "$out" "other__file-block-kubectl-exec-access.yaml:18:1: error: unsupported: podSelector" "located, with the reason"

# The article's two policies: valid, with the warnings that explain its mistakes.
out=$("$VETO" policy lint "$ex/article-passwd.yaml"); rc=$?
expect_eq "$rc" 0 "article-passwd is valid"
expect_match "$out" "article-passwd.yaml:1:1: warning: no apiVersion, kind or metadata: treated as a TracingPolicy named 'article-passwd'" "bare spec fragment"
expect_match "$out" "article-passwd.yaml:15:15: warning: Sigkill applies to every process on the node" "unscoped Sigkill"
expect_match "$out" "article-passwd.yaml:15:15: warning: inode_permission runs for every access" "permission hook without mask"
out=$("$VETO" policy lint "$ex/article-block-shell-exec.yaml"); rc=$?
expect_eq "$rc" 0 "article-block-shell-exec is valid"
expect_match "$out" ":14:15: warning: matchBinaries matches the process calling security_bprm_check" "(a) matchBinaries is the caller"
expect_match "$out" ":24:24: warning: '1' is not a namespace: .*NotIn \[\"1\"\] excludes nothing, the host included" "(b) namespace 1"
expect_match "$out" ":26:15: warning: this blocks shell execution with no allowlist" "shell block without allowlist"
expect_match "$out" ":27:25: warning: argError has no effect on Sigkill" "(c) argError on Sigkill"

# The corrections lint clean.
out=$("$VETO" policy lint "$ex/block-shell-exec-fixed.yaml" "$ex/protect-passwd.yaml"); rc=$?
expect_eq "$rc" 0 "fixed policies are valid"
expect_eq "$(printf '%s\n' "$out" | tail -1)" "2 files: 0 errors, 1 warning" "fixed policies: only the no-allowlist warning"
expect_match "$out" "block-shell-exec-fixed.yaml:[0-9]+:[0-9]+: warning: this blocks shell execution with no allowlist" "the shell block still has no allowlist"

# Exit codes and located errors.
printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: x\nspec:\n  lsmhooks:\n  - hook: file_opn\n' > "$tmp/bad.yaml"
out=$("$VETO" policy lint "$tmp/bad.yaml"); rc=$?
expect_eq "$rc" 1 "invalid policy exits 1"
expect_match "$out" "bad.yaml:7:11: error: unknown LSM hook 'file_opn' \(did you mean 'file_open'\?\)" "located error with suggestion"
out=$("$VETO" policy lint "$ex/protect-passwd.yaml" "$tmp/bad.yaml"); rc=$?
expect_eq "$rc" 1 "one invalid file of two exits 1"
out=$("$VETO" policy lint 2>&1); rc=$?
expect_eq "$rc" 2 "no FILE exits 2"
expect_match "$out" "^Error: policy lint: no FILE given" "no FILE message"
out=$("$VETO" policy frob 2>&1); rc=$?
expect_eq "$rc" 2 "unknown subcommand exits 2"
expect_match "$out" "^Error: policy: unknown subcommand 'frob'" "unknown subcommand message"
out=$("$VETO" policy lint "$tmp/nonexistent.yaml" 2>&1); rc=$?
expect_eq "$rc" 1 "missing file exits 1"
expect_match "$out" "nonexistent.yaml: error: cannot read: No such file or directory" "missing file message"

# Malformed input: a located error, never a crash.
: > "$tmp/empty.yaml"
head -c 65536 /dev/urandom > "$tmp/garbage.yaml"
python3 -c 'print("[" * 200000)' > "$tmp/deep.yaml"
truncate -s 100M "$tmp/huge.yaml"
for f in empty garbage deep huge; do
	out=$("$VETO" policy lint "$tmp/$f.yaml" 2>&1); rc=$?
	expect_eq "$rc" 1 "$f input exits 1"
	expect_match "$out" "^$tmp/$f.yaml:[0-9]+:[0-9]+: error: " "$f input has a located error"
done

# JSON: global and per-command -o json, valid documents, same content.
for args in "-o json policy lint" "policy lint -o json"; do
	out=$("$VETO" $args "$ex/article-block-shell-exec.yaml" "$tmp/bad.yaml"); rc=$?
	expect_eq "$rc" 1 "json lint exit ($args)"
	printf '%s' "$out" | python3 -m json.tool > /dev/null || fail "json lint is not JSON ($args)"
	expect_eq "$(json_get "$out" 'd["errors"], d["warnings"], d["files"][0]["valid"]')" "(1, 4, True)" "json counts ($args)"
	expect_eq "$(json_get "$out" '[x["line"] for x in d["files"][0]["diagnostics"]]')" "[14, 24, 26, 27]" "json lines ($args)"
done
out=$("$VETO" -o json policy lint 2>/dev/null); rc=$?
expect_eq "$rc" 2 "json usage error exit"
expect_eq "$(json_get "$out" 'd["error"]')" "policy lint: no FILE given" "json usage error object"
for f in "$ex"/*.yaml; do
	out=$("$VETO" policy show "$f" 2>/dev/null) || fail "show $f"
	printf '%s' "$out" | python3 -m json.tool > /dev/null || fail "show $f is not JSON"
done
out=$("$VETO" policy show "$ex/protect-passwd.yaml")
expect_eq "$(json_get "$out" 'd["policies"][0]["hooks"][0]["lsmHook"]')" "inode_permission" "show names the LSM hook"
expect_eq "$(json_get "$out" 'd["policies"][0]["hooks"][0]["selectors"][0]["matchArgs"][1]["values"]')" "[2]" "show types values"
out=$("$VETO" policy show "$tmp/bad.yaml" 2>&1); rc=$?
expect_eq "$rc" 1 "show refuses an invalid policy"
expect_match "$out" "Error: policy show: .*bad.yaml is not valid" "show says why"

# Folders: lint reads them as the agent and `policy try` do (one reader): the
# *.yaml and *.yml files, hidden ones skipped, each error at its file.
mkdir "$tmp/pols"
cp "$ex/deny-connect.yaml" "$tmp/pols/a.yaml"
cp "$ex/protect-passwd.yaml" "$tmp/pols/b.yml"
printf 'not: [a policy\n' >"$tmp/pols/.hidden.yaml"
out=$("$VETO" policy lint "$tmp/pols" 2>&1); rc=$?
expect_eq "$rc" 0 "lint accepts a folder of valid policies"
expect_match "$out" "^2 files: 0 errors" "both files, the hidden one skipped"
printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: bad\nspec:\n  lsmhooks:\n  - hook: file_opn\n' >"$tmp/pols/c.yaml"
out=$("$VETO" policy lint "$tmp/pols" 2>&1); rc=$?
expect_eq "$rc" 1 "a bad file in a folder"
expect_match "$out" "^$tmp/pols/c.yaml:7:11: error: " "the error names the file, at line:col"
rm "$tmp/pols/c.yaml"
# a FIFO named like a policy: refused at once, by name (before, read() waited
# for a writer forever)
mkfifo "$tmp/pols/x.yaml"
out=$(timeout 10 "$VETO" policy lint "$tmp/pols" 2>&1); rc=$?
expect_eq "$rc" 1 "a FIFO in a folder is refused, not waited on"
expect_match "$out" "^$tmp/pols/x.yaml: error: not a regular file \(a FIFO\)" "the error names the FIFO"
mkdir "$tmp/nopol"
out=$("$VETO" policy lint "$tmp/nopol" 2>&1); rc=$?
expect_eq "$rc" 1 "an empty folder"
expect_match "$out" "^$tmp/nopol: error: no \*.yaml or \*.yml files in this folder" "said at the folder"
