/* An exported event line (the agent's JSON or Tetragon's) read for
 * simulation: only the values a hook's selectors look at and what the
 * report shows, taken in one pass over the line, in place (strings are
 * unescaped into the line's own bytes: the line must stay alive). */
#ifndef VETO_SIMULATE_EVENT_H
#define VETO_SIMULATE_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/policy.h"

enum sim_kind { SK_EXEC, SK_EXIT, SK_KPROBE, SK_LSM, SK_TRACEPOINT, SK_OTHER };

struct sim_str {
	const char *s; /* NULL: absent */
	size_t n;
};

/* Tetragon's *_arg types, as they are written. */
enum sim_arg_type {
	SA_NONE, SA_FILE, SA_PATH, SA_BINPRM, SA_INT, SA_SIZE, SA_LONG, SA_UINT, SA_STRING, SA_SOCK,
	SA_SOCKADDR, SA_SYSCALL, SA_CRED, SA_CAPABILITY, SA_USER_NS, SA_BYTES, SA_OTHER,
};

#define SIM_ARG_CUT    (1u << 0) /* flags: unresolvedPathComponents */
#define SIM_ARG_NOPATH (1u << 1) /* a path-like argument without a path */

struct sim_arg {
	uint8_t type; /* enum sim_arg_type */
	uint8_t flags;
	uint16_t family, proto, sport, dport;
	uint64_t num;
	struct sim_str str;
	uint8_t saddr[16], daddr[16];
};

#define SIM_ANCESTORS 16 /* ancestors kept from an event (--enable-ancestors) */

struct sim_proc {
	struct sim_str exec_id, parent_exec_id, binary, arguments, container, start_time;
	uint32_t pid;
	bool has_pid, has_caps, has_ns;
	uint64_t caps[3];           /* effective, permitted, inheritable */
	uint32_t ns[VN__COUNT];     /* inode numbers */
	uint16_t ns_host;           /* bit per enum veto_ns: is_host */
};

struct sim_event {
	enum sim_kind kind;
	uint32_t *proc_hint; /* where the process tree may keep the process's index
			      * (its memo entry), or NULL */
	struct sim_str kind_name; /* the event's key, e.g. "process_dns" */
	struct sim_str time;
	struct sim_proc proc;
	struct sim_str parent_binary, parent_exec_id;
	bool has_parent;
	struct sim_str function, subsys, event, policy, action;
	struct sim_arg args[VETO_ARG_MAX];
	unsigned n_args;      /* kept (at most VETO_ARG_MAX) */
	bool has_return;
	struct sim_arg ret;
	unsigned n_ancestors; /* kept, nearest first */
	struct sim_str anc_exec_id[SIM_ANCESTORS], anc_binary[SIM_ANCESTORS];
};

/* What the parser takes beyond the essentials (costly lists). */
#define SIM_WANT_CAPS (1u << 0)
#define SIM_WANT_NS   (1u << 1)

/* A process object read before, kept by its exact text: the events of a
 * process repeat it byte for byte, and text that was valid JSON once is
 * again, so a match is taken whole without reading it anew. Two ways a
 * set, the one used last kept. */
#define SIM_MEMO       2048
#define SIM_MEMO_BYTES 2048 /* longer objects are read every time */
struct sim_memo {
	uint32_t len;
	uint8_t parent;
	uint8_t recent;    /* way 0 of a set: which way was used last */
	uint32_t hint;     /* the process tree's index of it, kept for the tree */
	struct sim_proc p; /* its strings point into raw */
	char *raw;         /* SIM_MEMO_BYTES, allocated at first use */
};

struct sim_parser {
	unsigned want;
	struct sim_memo memo[SIM_MEMO];
};

/* Parses line[0..len) (its bytes are rewritten). 0, or -EINVAL with
 * *col (1-based) and err saying what is wrong. ps: zeroed, then want set. */
int sim_event_parse(struct sim_parser *ps, char *line, size_t len, struct sim_event *e, size_t *col, char *err,
		    size_t errlen);
/* Frees what the parser's memo holds (not ps itself). */
void sim_parser_free(struct sim_parser *ps);
/* A fast hash of n bytes (exec ids, memo keys); not for hostile keys'
 * worst cases beyond a slower probe. */
uint64_t sim_hash(const void *p, size_t n, uint64_t seed);
/* A path argument's text, or a string argument's. */
bool sim_arg_is_path(const struct sim_arg *a);

#endif
