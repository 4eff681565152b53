/* System call names and numbers as the kernel's syscall tracepoints and
 * syscall64 arguments see them (x86-64; i386 numbers carry bit 31). */
#ifndef VETO_COMPILE_SYSCALLS_H
#define VETO_COMPILE_SYSCALLS_H

#include <stdint.h>

#define SYSCALL_IA32 0x80000000u

/* "dup", "sys_dup", "__x64_sys_dup" -> 32; "__ia32_sys_dup" -> 41 | SYSCALL_IA32.
 * 0, or -ENOENT. */
int syscall_nr(const char *name, uint64_t *nr);
/* The name of a number as syscall_nr reads it, or NULL. */
const char *syscall_name(uint64_t nr);

#endif
