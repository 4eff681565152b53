/* The fds of a loaded BPF object, handed one at a time to whoever needs them
 * all (the guard protects them). */
#ifndef VETO_UTIL_OBJFD_H
#define VETO_UTIL_OBJFD_H

#include <stddef.h>

struct bpf_object;
struct bpf_link;

/* Called per fd; a non-zero return stops the walk and is returned. */
typedef int (*objfd_fn)(void *ctx, int fd);

/* Every created map and loaded program of obj, then each of the n links
 * (NULL ones skipped). */
int objfd_each(struct bpf_object *obj, struct bpf_link *const *links, size_t n, objfd_fn fn, void *ctx);

#endif
