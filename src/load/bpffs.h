/* The BPF file system: where pins live. Checks, mounts, makes folders and
 * removes what veto pinned. */
#ifndef VETO_LOAD_BPFFS_H
#define VETO_LOAD_BPFFS_H

#include <stdbool.h>
#include <stddef.h>

#define BPFFS_MOUNT "/sys/fs/bpf"

/* Makes dir (0700, with its parents) on a BPF file system, mounting one at
 * /sys/fs/bpf first when dir is below it and none is there. Refuses a dir
 * that is not on a BPF file system, or that root does not own alone (owned
 * by another user, or writable by group or others). 0 or -errno, why in err. */
int bpffs_prepare(const char *dir, char *err, size_t errlen);
/* Removes path and, for a folder, what it holds (two levels at most: a pin
 * folder's instance folders). 0, or -errno of the first failure; a missing
 * path is 0. */
int bpffs_remove(const char *path);
/* How many entries of dir (not . and ..) start with prefix; -errno. */
int bpffs_count(const char *dir, const char *prefix);
bool bpffs_exists(const char *path);
/* path is on a BPF file system. */
bool bpffs_is(const char *path);

#endif
