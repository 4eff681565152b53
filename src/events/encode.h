/* The one event encoder: Tetragon's JSON export (field names of its
 * ProcessExec/ProcessExit messages) and a compact line for people. Every sink
 * (stdout, file, control socket) writes what these produce. */
#ifndef VETO_EVENTS_ENCODE_H
#define VETO_EVENTS_ENCODE_H

#include <stdbool.h>
#include <stdint.h>

#include "bpf/policy.h"
#include "events/cache.h"
#include "events/meta.h"
#include "util/json.h"

enum ev_kind {
	EV_PROCESS_EXEC,
	EV_PROCESS_EXIT,
	EV_PROCESS_KPROBE, /* a policy written with kprobes: matched */
	EV_PROCESS_LSM,    /* a policy written with lsmhooks: matched */
	EV_PROCESS_TRACEPOINT, /* a policy written with tracepoints: matched */
	EV__COUNT,
};

/* The two encodings: Tetragon's JSON, a line for people; FMT_NONE for a
 * sink that reads the event itself (the metrics count it). */
enum ev_format { FMT_JSON, FMT_COMPACT, FMT_NONE };

struct enc_ctx {
	char node[65];
	uint32_t host_ns[VN__COUNT]; /* pid 1's namespaces: is_host */
	int max_ancestors;                /* bound on the ancestors list */
	bool cred;  /* --enable-process-cred: process_credentials and cap */
	bool ns;    /* --enable-process-ns: ns */
	uint32_t ancestors; /* --enable-ancestors: kinds (1u << EV_*) whose events list ancestors */
};

/* What one sink asks of the JSON encoding, beside the agent's enc_ctx. */
#define ENC_ANCESTORS (1u << 0) /* list the ancestors (past the parent) */
#define ENC_VETO      (1u << 1) /* add the "veto" key: what enforcement did */
/* Kinds of --enable-ancestors "base": process_exec and process_exit. */
#define ENC_ANC_BASE ((1u << EV_PROCESS_EXEC) | (1u << EV_PROCESS_EXIT))

struct ev {
	enum ev_kind kind;
	uint64_t time;        /* ns since the epoch */
	const struct proc *proc;
	uint32_t exit_code;   /* exit: wait(2) status */
	/* policy events: all three from policy_decode, checked */
	const struct veto_policy_event *pol;
	const struct ev_hook *hook;  /* how the policy declared the hook's arguments */
	const struct ev_policy *policy;
};

/* "process_exec", "process_exit", "process_kprobe", "process_lsm",
 * "process_tracepoint"; NULL for an unknown kind. */
const char *ev_kind_name(enum ev_kind k);
/* Parses a name as above; returns 0 or -EINVAL. */
int ev_kind_parse(const char *s, enum ev_kind *k);

/* Appends one event as a JSON object (no newline): a Tetragon
 * GetEventsResponse, plus the "veto" key with ENC_VETO. */
void enc_json(struct jw *w, const struct enc_ctx *ctx, const struct ev *e, unsigned opts);
/* Parses --enable-ancestors' list ("base,kprobe,tracepoint,lsm"; "" none)
 * into kinds; returns 0, -ENOENT with *bad at an unknown name, or -EINVAL
 * when a type is given without base. */
int enc_ancestors_parse(const char *list, uint32_t *kinds, const char **bad);
/* The JSON encoder remembers the encoding of recent capability sets and
 * namespaces (by value); off, it encodes them every time (tests compare). */
void enc_json_memo(bool on);
/* Appends one line for people: "🚀 process NODE /bin/ls -l" (no newline). */
void enc_compact(struct jw *w, const struct enc_ctx *ctx, const struct ev *e);

/* A policy event's action, as Tetragon names it: "KPROBE_ACTION_SIGKILL", ... */
const char *ev_action_name(uint32_t va_flags);
/* Appends the policy part of a process_kprobe/_lsm/_tracepoint event: the
 * fields of Tetragon's message in its order, up to its tags (ancestors,
 * which come next, are the caller's). */
void enc_policy_fields(struct jw *w, const struct ev *e);
/* Appends ,"veto":{...}: what enforcement did (policy events only). */
void enc_veto_key(struct jw *w, const struct ev *e);
/* Appends one argument as an object: {"file_arg":{...},"label":...}. */
void enc_arg(struct jw *w, const struct ev *e, const struct ev_arg_meta *m, const struct veto_ev_arg *a);
/* The "return" object: v as the hook's returnArg declares it (an int_arg by default). */
void enc_return(struct jw *w, const struct ev *e, int64_t v);
/* An inode's mode as ls writes it ("-rw-r--r--"); returns its length. */
size_t ev_mode_string(unsigned mode, char out[11]);
/* A socket argument's family ("AF_INET"), type ("SOCK_STREAM") or protocol
 * ("IPPROTO_TCP") by the name the encoder writes (or the number it writes
 * for want of one): 0 and *out, or -ENOENT. */
enum ev_sock_field { EVS_FAMILY, EVS_TYPE, EVS_PROTOCOL };
int ev_sock_value(enum ev_sock_field f, const char *name, size_t n, unsigned *out);
/* The kernel function (or tracepoint event) a policy event comes from. */
const char *ev_function_name(const struct ev *e);
/* "EPERM" for a hook's return -1; NULL for 0 or what is no errno. */
const char *ev_errno_name(int32_t ret);
/* The name of a policy event's policy ("" when unknown). */
const char *ev_policy_name(const struct ev *e);
/* A syscall64 argument's name, by its policy's table; NULL when unknown. */
const char *ev_syscall_name(const struct ev *e, uint64_t nr);

#endif
