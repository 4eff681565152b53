/* Self-protection (bpf/guard.bpf.c): while the agent runs, no other process,
 * root included, signals it (but the allowed signallers), traces it, slows
 * it, or reaches the BPF objects and pins it holds to detach, replace or
 * write them. What is protected is held by a holder (struct guard_hold: the
 * sensor, the ring, one per policy), so a policy's objects are protected on
 * load and released on unload. */
#ifndef VETO_LOAD_GUARD_H
#define VETO_LOAD_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/guard.h"

struct guard;
struct guard_hold;

struct guard_opts {
	/* pids that may signal the agent (its unit manager); each is also
	 * known by its start time, so a pid reused later is not allowed */
	const uint32_t *signallers;
	size_t n_signallers;
};

/* Loads and attaches the guard for this process; it protects its own
 * programs, links and maps. -EOPNOTSUPP: this kernel cannot (no BPF LSM,
 * or the agent runs in a pid namespace); other -errno: it failed. why says
 * which. */
int guard_open(struct guard **out, const struct guard_opts *o, char *why, size_t whylen);
/* Detaches the guard: after every holder was released. NULL: nothing. */
void guard_close(struct guard *g);

/* A new holder. g NULL (protection off): *out is NULL, and every call
 * below on it does nothing and succeeds. 0 or -ENOMEM. */
int guard_hold_new(struct guard *g, struct guard_hold **out);
/* Protects the BPF object behind fd (a program, map or link) for the
 * holder. A perf event fd (a tracepoint or kprobe attached the old way) has
 * no id to reach it by: nothing to do. On failure the holder releases
 * everything it held (all or nothing) and every later call returns the
 * same error. Its form is objfd_fn (util/objfd.h): pass it to the
 * *_each_fd walks with the holder as ctx. 0 or -errno (-ENOSPC: the table
 * is full, -EBADF: not a BPF object). */
int guard_hold_fd(void *hold, int fd);
/* Protects a pin (or a folder of pins) by inode: no other process opens,
 * unlinks, renames or writes into it, nor unmounts its file system.
 * Release it before removing the pin. 0 or -errno. */
int guard_hold_path(struct guard_hold *h, const char *path);
/* The holder's first error (0: none). */
int guard_hold_err(const struct guard_hold *h);
/* Unprotects what the holder held (an object several holders hold stays
 * protected) and frees it. NULL: nothing. */
void guard_release(struct guard_hold *h);

/* on: until off, nobody else gets a link fd or a writable map fd by id, nor
 * opens any pin, whatever the object: wrap a load (and pinning) and its
 * holding in it, so no fd is taken between an object's creation and its
 * protection. The pins' programs are attached meanwhile (and after, while
 * a pin is held). Calls nest: the last off ends it. NULL: nothing. 0 or
 * -errno (on: attaching them; the guard is then not loading). */
int guard_loading(struct guard *g, bool on);

/* The kernel's dev_t of a stat's st_dev (pure: unit-tested). */
uint32_t guard_kdev(uint64_t st_dev);

#endif
