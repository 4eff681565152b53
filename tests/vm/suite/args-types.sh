#!/bin/sh
# Each argument type as Tetragon writes it, checked in the exported JSON
# field by field, strings vs numbers: char_buf bytes by sizeArgIndex and
# returnCopy (NULs and bytes that are not UTF-8 kept exactly, a buffer past
# what an event carries, a negative size, a failed read), 64-bit integers as
# strings, the return value as returnArg declares it, a file's permission.
. /veto/lib.sh

mkdir -p /tmp/argspol
# file permission: the example that reports opens under /tmp/audit/
cp /veto/examples/policies/audit-tmp-reads.yaml /tmp/argspol/
cat > /tmp/argspol/args.yaml <<'YAML'
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: args
spec:
  kprobes:
  - call: sys_write
    syscall: true
    args:
    - index: 0
      type: int
    - index: 1
      type: char_buf
      sizeArgIndex: 3
      label: data
    - index: 2
      type: size_t
    selectors:
    - matchArgs:
      - index: 0
        operator: Equal
        values: ["77"]
  - call: sys_read
    syscall: true
    return: true
    args:
    - index: 0
      type: int
    - index: 1
      type: char_buf
      returnCopy: true
    returnArg:
      index: 0
      type: long
    selectors:
    - matchArgs:
      - index: 0
        operator: Equal
        values: ["77"]
  - call: sys_lseek
    syscall: true
    args:
    - index: 0
      type: int
    - index: 1
      type: int64
    - index: 2
      type: uint64
    selectors:
    - matchArgs:
      - index: 0
        operator: Equal
        values: ["77"]
YAML

mkdir -p /tmp/audit/dir
: > /tmp/audit/suid
chmod 4751 /tmp/audit/suid
: > /tmp/audit/sgid
chmod 2640 /tmp/audit/sgid
chmod 1777 /tmp/audit/dir

agent_start --policy /tmp/argspol
expect_ok "the buffers are written and read back" bufio /tmp/args-buf
cat /tmp/audit/suid /tmp/audit/sgid > /dev/null
ls /tmp/audit/dir > /dev/null
wait_until 30 grep -q '"path":"/tmp/audit/dir"' "$AGENT_EXPORT"
wait_until 30 grep -q '"function_name":"__x64_sys_lseek"' "$AGENT_EXPORT"
agent_stop

# write(77, "a\0\377\376b", 5): every byte, base64; the size a string
ev=$(events_with '"function_name":"__x64_sys_write"')
expect_match "the hostile buffer: every byte, base64" \
	'"args":\[\{"int_arg":77\},\{"bytes_arg":"YQD//mI=","label":"data"\},\{"size_arg":"5"\}\]' "$ev"
# 300 bytes: the first 255 and the size the call gave
x255=
i=0
while [ $i -lt 85 ]; do x255="${x255}eHh4"; i=$((i + 1)); done
expect_match "a buffer past what an event carries: truncated_bytes_arg with orig_size" \
	"\\{\"truncated_bytes_arg\":\\{\"bytes_arg\":\"$x255\",\"orig_size\":\"300\"\\},\"label\":\"data\"\\},\\{\"size_arg\":\"300\"\\}" "$ev"
expect_match "a size negative as a signed number: no bytes, the size as the call gave it" \
	'\{"bytes_arg":"","label":"data"\},\{"size_arg":"18446744073709551615"\}' "$ev"
expect_no_match "never a string" '"string_arg"' "$ev"

# read(77, buf, 5) returning 5: the bytes as the call filled them
ev=$(events_with '"function_name":"__x64_sys_read"')
expect_match "returnCopy: the buffer as read returned it, sized by the return value" \
	'"args":\[\{"int_arg":77\},\{"bytes_arg":"YQD//mI="\}\],"return":\{"long_arg":"5"\}' "$ev"
expect_match "a failed read: no bytes, the return a long as returnArg says" \
	'"args":\[\{"int_arg":77\},\{"bytes_arg":""\}\],"return":\{"long_arg":"-14"\}' "$ev"

# lseek(77, 0, SEEK_SET): int64 is long_arg, uint64 size_arg, both strings
ev=$(events_with '"function_name":"__x64_sys_lseek"')
expect_match "int64 as long_arg, uint64 as size_arg: strings" \
	'"args":\[\{"int_arg":77\},\{"long_arg":"0"\},\{"size_arg":"0"\}\]' "$ev"

ev=$(events_with '"function_name":"file_open"')
expect_match "setuid file: its permission as ls writes it" \
	'"file_arg":\{"path":"/tmp/audit/suid","permission":"-rwsr-x--x"\}' "$ev"
expect_match "setgid without group execute: S" \
	'"file_arg":\{"path":"/tmp/audit/sgid","permission":"-rw-r-S---"\}' "$ev"
expect_match "sticky directory: d and t" \
	'"file_arg":\{"path":"/tmp/audit/dir","permission":"drwxrwxrwt"\}' "$ev"
