/* Raw records to checked data: one decoder per record kind (process records
 * of bpf/process.h, policy records of bpf/policy.h), each checking every
 * length the record carries; the encoders read only what these produce. */
#ifndef VETO_EVENTS_DECODE_H
#define VETO_EVENTS_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#include "bpf/policy.h"
#include "bpf/process.h"
#include "events/meta.h"

/* One decoded record. Strings point into the struct: no allocation. */
struct proc_decoded {
	struct veto_proc_event h;
	char binary[PROC_PATH_MAX + 2];
	char args[PROC_ARGS_MAX * 3 + 8]; /* argv[1..] joined, quoted where needed */
	char argv[PROC_ARGS_MAX];         /* argv[1..] as they are, each ending in NUL */
	size_t argv_len;
	char cwd[PROC_CWD_MAX + 2];
	char cgroup[PROC_CGRP_MAX + 2];
};

/* Validates and decodes one ring buffer record; returns 0, or -EINVAL for a
 * record whose sizes do not add up (never trusts the lengths it carries). */
int proc_decode(const void *data, size_t len, struct proc_decoded *out);

/* One checked policy record and what it names. */
struct pol_decoded {
	struct veto_policy_event r; /* each string ends at its len, inside its buffer */
	const struct ev_policy *policy;
	const struct ev_hook *hook;
};

/* Validates a policy record and copies it into out with each string ended
 * inside its buffer, so the encoders may read up to a NUL. Returns 0, or
 * -EINVAL for a wrong type or size, a length past its buffer, or a policy
 * (of v[0..n)) or hook of that policy it does not have. */
int policy_decode(const void *data, size_t len, const struct ev_policy *v, size_t n, struct pol_decoded *out);

/* Joins a NUL-separated argv (skipping argv[0] when skip_first) the way
 * Tetragon prints "arguments": spaces between, "..." around arguments with
 * blanks or nothing in them. Always NUL-terminates out; returns its length. */
size_t proc_format_args(const char *argv, size_t len, int skip_first, char *out, size_t outlen);

/* Points *rest at argv[1..] of an argv whose arguments each end in a NUL
 * (the last one may be cut); returns its length. */
size_t proc_argv_rest(const char *argv, size_t len, const char **rest);

/* Whether an absolute path has no ".", ".." or empty name. */
bool proc_path_normal(const char *s);
/* Turns components written leaf first ("b\0a\0") into "/a/b"; "" -> "/". */
size_t proc_join_reversed(const char *rev, size_t len, char *out, size_t outlen);

#endif
