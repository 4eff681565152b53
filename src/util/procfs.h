/* Reading one process's files under a proc file system: shared by the
 * process cache (processes that predate the agent) and the follow prefill. */
#ifndef VETO_UTIL_PROCFS_H
#define VETO_UTIL_PROCFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* root/pid/file into buf (NUL-terminated, at most len - 1 bytes): the
 * length, or -errno (the process may be gone). */
ssize_t procfs_read(const char *root, uint32_t pid, const char *file, char *buf, size_t len);
/* A symbolic link such as exe or cwd, without the " (deleted)" the kernel
 * adds for an unlinked file (its walk in the kernel does not): its length,
 * 0 when unreadable (buf is then ""). */
size_t procfs_link(const char *root, uint32_t pid, const char *file, char *buf, size_t len);
/* ppid and start time (clock ticks) from stat, whose comm may hold ')'.
 * 0 or -errno. */
int procfs_stat(const char *root, uint32_t pid, uint32_t *ppid, unsigned long long *start);
/* From status text: the pid in the process's own pid namespace (the last
 * NSpid number), or 0 without one. */
uint32_t procfs_nspid(const char *status);

#endif
