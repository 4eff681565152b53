# docs/policy.md lists as loading exactly what veto's tables say: its
# generated block is `veto policy features`, byte for byte. Needs VETO.
. "$(dirname "$0")/lib.sh"
root=${VETO_ROOT:-$(git -C "$(dirname "$0")" rev-parse --show-toplevel)}
doc=$root/docs/policy.md
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'

sed -n '/^<!-- veto policy features: begin -->$/,/^<!-- veto policy features: end -->$/p' "$doc" |
	sed '1d;$d' >"$tmp/doc"
[ -s "$tmp/doc" ] || die "no generated block in $doc"
"$VETO" policy features >"$tmp/code"; rc=$?
expect_eq "policy features exits 0" 0 "$rc"
if diff -u "$tmp/doc" "$tmp/code" >"$tmp/diff"; then
	pass "docs/policy.md's tables are veto policy features' (regenerate with 'veto policy features')"
else
	fail "docs/policy.md differs from 'veto policy features':
$(cat "$tmp/diff")"
fi

# each table alone is its part of the whole, and JSON says the same
for t in spec filters actions types options lsmhooks; do
	"$VETO" policy features "$t" >"$tmp/one" || fail "features $t"
	grep -qxF -f "$tmp/one" "$tmp/code" && [ "$(grep -cxF -f "$tmp/one" "$tmp/code")" -ge "$(wc -l <"$tmp/one")" ] ||
		fail "features $t is not part of the whole"
done
pass "each table alone"
out=$("$VETO" -o json policy features)
expect_eq "json: refused filters" "['matchNamespaceChanges', 'matchCapabilityChanges']" \
	"$(json_get "$out" '[x["name"] for x in d["filters"] if not x["loads"]]')"
expect_eq "json: types kprobes read, as the text table" \
	"$(grep -c '| loads | [a-z ]* |$' "$tmp/code")" \
	"$(json_get "$out" 'sum(1 for x in d["types"] if x["kprobes_tracepoints"])')"
out=$("$VETO" policy features frob 2>&1); rc=$?
expect_eq "unknown table exits 2" 2 "$rc"
expect_match "unknown table message" "unknown table 'frob'" "$out"

# rows TABLE: each row of a name table as NAME<tab>VERDICT
rows() { "$VETO" policy features "$1" | tail -n +3 | sed 's/^| `\([^`]*\)` | \(.*\) |$/\1\t\2/'; }

# lints $tmp/f.yaml: valid when VERDICT is loads, else refused at LINE:COL
# with "unsupported: MSG"
expect_verdict() { # DESC VERDICT LINE:COL MSG
	out=$("$VETO" policy lint "$tmp/f.yaml" 2>&1); rc=$?
	case $2 in
	loads) expect_eq "$1 loads" 0 "$rc" ;;
	refused*) expect_match "$1 refused at its key" "f.yaml:$3: error: unsupported: $4" "$out" ;;
	*) fail "$1: verdict '$2'" ;;
	esac
}

# the tables are what loads: every refused spec field, filter and action is
# refused by lint at its key, and every loading one is accepted
hdr='apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: doc'
while IFS=$'\t' read -r name verdict; do
	case $name in lsmhooks|kprobes|tracepoints) continue ;; esac # hooks: below
	printf '%s\nspec:\n  lsmhooks:\n  - hook: file_open\n  %s:\n' "$hdr" "$name" >"$tmp/f.yaml"
	case $name in
	options) printf '  - name: policy-mode\n    value: monitor\n' >>"$tmp/f.yaml" ;;
	lists) printf '  - name: l\n    type: syscalls\n    values: [openat]\n' >>"$tmp/f.yaml" ;;
	uprobes) printf '  - path: /bin/true\n    symbols: [main]\n' >>"$tmp/f.yaml" ;;
	podSelector|containerSelector) printf '    matchLabels:\n      app: x\n' >>"$tmp/f.yaml" ;;
	*) printf '  - {}\n' >>"$tmp/f.yaml" ;;
	esac
	expect_verdict "spec $name" "$verdict" 8:3 "$name"
done < <(rows spec)

# the same for each selector filter and action
sel_hdr="$hdr
spec:
  lsmhooks:
  - hook: file_open
    args:
    - index: 0
      type: file
    selectors:"
while IFS=$'\t' read -r name verdict; do
	case $name in
	matchArgs) body='      - index: 0\n        operator: Prefix\n        values: ["/etc/"]' ;;
	matchReturnArgs) continue ;; # needs a kprobe with return: below
	matchBinaries|matchParentBinaries) body='      - operator: In\n        values: ["/bin/true"]' ;;
	matchNamespaces) body='      - namespace: Pid\n        operator: NotIn\n        values: ["host_ns"]' ;;
	matchNamespaceChanges) body='      - operator: In\n        values: ["Mnt"]' ;;
	matchPIDs) body='      - operator: NotIn\n        values: ["1"]' ;;
	matchCapabilities|matchCapabilityChanges)
		body='      - type: Effective\n        operator: In\n        values: ["CAP_SYS_ADMIN"]' ;;
	*) fail "filter $name: no test body"; continue ;;
	esac
	printf '%s\n    - %s:\n%b\n' "$sel_hdr" "$name" "$body" >"$tmp/f.yaml"
	expect_verdict "filter $name" "$verdict" 12:7 "$name"
done < <(rows filters)
printf '%s\nspec:\n  kprobes:\n  - call: security_file_open\n    syscall: false\n    return: true\n    returnArg:\n      index: 0\n      type: int\n    selectors:\n    - matchReturnArgs:\n      - index: 0\n        operator: Equal\n        values: [0]\n' \
	"$hdr" >"$tmp/f.yaml"
out=$("$VETO" policy lint "$tmp/f.yaml" 2>&1); rc=$?
expect_eq "filter matchReturnArgs loads" 0 "$rc"
while IFS=$'\t' read -r name verdict; do
	case $name in
	Signal) extra='\n        argSig: 10' ;;
	Override) extra='\n        argError: -1' ;;
	*) extra= ;;
	esac
	printf '%s\n    - matchActions:\n      - action: %s%b\n' "$sel_hdr" "$name" "$extra" >"$tmp/f.yaml"
	expect_verdict "action $name" "$verdict" 13:17 "action $name"
done < <(rows actions)
