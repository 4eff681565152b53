/* Names of the namespace kinds (enum veto_ns). */
#ifndef VETO_UTIL_NS_H
#define VETO_UTIL_NS_H

#include "bpf/ns.h"

/* Tetragon's name, also the file in /proc/PID/ns: "pid_for_children". */
const char *ns_name(enum veto_ns ns);
/* The policy's spelling: "PidForChildren"; "?" past the last. */
const char *ns_policy_name(enum veto_ns ns);
/* From a policy's spelling, any case: 0 or -ENOENT. */
int ns_policy_from(const char *s, enum veto_ns *out);
/* "Uts, Ipc, ..., User", for messages. */
const char *ns_policy_list(void);

#endif
