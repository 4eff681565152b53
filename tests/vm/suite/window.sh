#!/bin/sh
# The window, checked on each kernel: the same "kill whoever creates this
# file" policy as a tracepoint kills every opener but the file is created
# every time; as an LSM hook it kills every opener and the file never exists.
# (bench/window prints the same table with more attempts.)
. /veto/lib.sh

out=$(sh /veto/bench/window.sh 20 /window tracepoint lsm) || die "window.sh failed: $out"
echo "$out"
expect_match "tracepoint: every opener killed, every file created" '^\| tracepoint \| 20 \| 20 \| 20 \|$' "$out"
expect_match "lsm: every opener killed, no file created" '^\| lsm \| 20 \| 20 \| 0 \|$' "$out"
