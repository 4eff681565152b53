# Shared helpers for host tests (sourced). Each failed check is fatal.
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }
expect_eq() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; pass "$3"; }
expect_match() { printf '%s\n' "$1" | grep -Eq -- "$2" || fail "$3: '$2' not in: $1"; pass "$3"; }
# json_get JSON PYEXPR: evaluates PYEXPR with the parsed document as `d`
json_get() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }
