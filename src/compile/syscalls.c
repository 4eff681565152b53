#include "compile/syscalls.h"
#include "bpf/policy.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

struct sc {
	const char *name;
	unsigned nr;
};

/* generated from the kernel's uapi headers (Makefile) */
static const struct sc x64[] = {
#include "syscalls_64.inc"
};
static const struct sc ia32[] = {
#include "syscalls_32.inc"
};

/* the kernel tags a 32-bit caller's numbers with the same bit */
_Static_assert(SYSCALL_IA32 == VETO_SYSCALL_IA32, "one ia32 bit for the kernel and userspace");

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int find(const struct sc *t, size_t n, const char *name, uint64_t *nr)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].name, name)) {
			*nr = t[i].nr;
			return 0;
		}
	return -ENOENT;
}

int syscall_nr(const char *name, uint64_t *nr)
{
	static const char *const p64[] = { "__x64_sys_", "sys_" };
	static const char *const p32[] = { "__ia32_compat_sys_", "__ia32_sys_", "compat_sys_" };

	for (size_t i = 0; i < N(p32); i++)
		if (!strncmp(name, p32[i], strlen(p32[i]))) {
			if (find(ia32, N(ia32), name + strlen(p32[i]), nr))
				return -ENOENT;
			*nr |= SYSCALL_IA32;
			return 0;
		}
	for (size_t i = 0; i < N(p64); i++)
		if (!strncmp(name, p64[i], strlen(p64[i])))
			return find(x64, N(x64), name + strlen(p64[i]), nr);
	return find(x64, N(x64), name, nr);
}

const char *syscall_name(uint64_t nr)
{
	const struct sc *t = nr & SYSCALL_IA32 ? ia32 : x64;
	size_t n = nr & SYSCALL_IA32 ? N(ia32) : N(x64);

	nr &= ~(uint64_t)SYSCALL_IA32;
	for (size_t i = 0; i < n; i++)
		if (t[i].nr == nr)
			return t[i].name;
	return NULL;
}
