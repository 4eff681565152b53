/*
 * TracingPolicy AST: what parse produces, check completes and lint reads.
 * Pure data with positions; the compile stage turns it into map entries.
 * Anything parsed but not enforceable carries `unsupported` (a reason), and
 * check reports it as "unsupported: ..." so nothing is silently ignored.
 */
#ifndef VETO_POLICY_H
#define VETO_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/diag.h"
#include "util/ns.h"

/* Limits, each forced by the kernel design or by the input, never by taste. */
/* Strings and paths are compared in fixed-size map keys: longer values can never match. */
#define POL_MAX_STR 256
/* Each selector of a hook is one bit of a 64-bit mask. */
#define POL_MAX_SELECTORS 64
/* x86-64 passes six arguments in registers; a probe can read no others. */
#define POL_MAX_FUNC_ARGS 6
/* Kubernetes stores objects up to 1.5 MiB; ten times that is not a policy. */
#define POL_MAX_FILE_BYTES (16u << 20)
/* The deepest legal policy is ~8 levels; this stops nesting bombs early. */
#define POL_MAX_DEPTH 64
/* YAML nodes per file (values included): bounds memory on hostile input. */
#define POL_MAX_NODES (2u << 20)
/* Why pod-scoped policies are refused (podSelector, TracingPolicyNamespaced, ...). */
#define POL_NO_PODS "veto cannot tell pods apart on this node yet, and will not apply a namespaced policy " \
	"to the whole node"
/* Namespace inode numbers start here (PROC_*_INIT_INO, then dynamic ones). */
#define POL_NS_INO_MIN 4026531834u

struct pol_pos {
	uint32_t line, col;
};

/* A name of the language, and why veto refuses it (NULL: supported). */
struct pol_feature {
	const char *name, *unsupported;
};

enum pol_type_class {
	PTC_INT,      /* integers: Equal NotEqual GT LT Mask InMap NotInMap */
	PTC_STRING,   /* strings and buffers: Equal NotEqual Prefix Postfix (+Not) */
	PTC_PATH,     /* resolved to an absolute path: like strings */
	PTC_SOCK,     /* sock, socket, skb, sockaddr: address/port/protocol operators */
	PTC_CAPS,     /* 64-bit capability sets: Equal NotEqual Mask */
	PTC_SYSCALL,  /* syscall64: Equal NotEqual InMap NotInMap */
	PTC_OPAQUE,   /* read for the event only: no operators */
};

enum pol_type {
	PT_INT8, PT_UINT8, PT_INT16, PT_UINT16, PT_INT32, PT_UINT32, PT_INT64, PT_UINT64,
	PT_INT, PT_LONG, PT_ULONG, PT_SIZE_T,
	PT_STRING, PT_CHAR_BUF, PT_CHAR_IOVEC, PT_CONST_BUF, PT_FILENAME, PT_DATA_LOC, PT_NET_DEVICE,
	PT_FD, PT_FILE, PT_PATH, PT_DENTRY, PT_INODE, PT_LINUX_BINPRM, PT_KIOCB,
	PT_SOCK, PT_SOCKET, PT_SKB, PT_SOCKADDR,
	PT_KERNEL_CAP_T, PT_CAP_INHERITABLE, PT_CAP_PERMITTED, PT_CAP_EFFECTIVE, PT_CAPABILITY,
	PT_SYSCALL64,
	PT_NOP, PT_CRED, PT_BPF_ATTR, PT_PERF_EVENT, PT_BPF_MAP, PT_BPF_PROG, PT_USER_NAMESPACE,
	PT_IOV_ITER, PT_LOAD_INFO, PT_MODULE,
	PT__COUNT
};

/* Type flags: which argument options apply. */
enum { PTF_SIZED = 1 << 0, PTF_MAX_DATA = 1 << 1 }; /* sizeArgIndex and returnCopy; maxData */

struct pol_type_info {
	const char *name;
	enum pol_type_class cls;
	unsigned ops;     /* enum pol_op_set matchArgs may use on it; 0: none */
	uint8_t size;     /* bytes of an integer reading (8 for the rest) */
	bool sign;
	int64_t min;      /* the values an integer of this type holds */
	uint64_t max;
	unsigned flags;   /* PTF_* */
};

enum pol_op {
	POP_NONE,
	POP_EQUAL, POP_NOT_EQUAL, POP_PREFIX, POP_NOT_PREFIX, POP_POSTFIX, POP_NOT_POSTFIX,
	POP_MASK, POP_GT, POP_LT, POP_IN_MAP, POP_NOT_IN_MAP,
	POP_SADDR, POP_NOT_SADDR, POP_DADDR, POP_NOT_DADDR,
	POP_SPORT, POP_NOT_SPORT, POP_SPORT_PRIV, POP_NOT_SPORT_PRIV,
	POP_DPORT, POP_NOT_DPORT, POP_DPORT_PRIV, POP_NOT_DPORT_PRIV,
	POP_PROTOCOL, POP_FAMILY, POP_STATE,
	POP_IN, POP_NOT_IN,
	/* label selectors only */
	POP_EXISTS, POP_DOES_NOT_EXIST,
	POP__COUNT
};

/* Where an operator is valid: the operator sets of arguments and filters. */
enum pol_op_set {
	POS_INT = 1 << 0,      /* integer arguments */
	POS_STR = 1 << 1,      /* string and path arguments */
	POS_SOCK = 1 << 2,     /* sock and socket arguments */
	POS_SKB = 1 << 3,
	POS_SOCKADDR = 1 << 4,
	POS_CAPS = 1 << 5,     /* capability set arguments */
	POS_SYSCALL = 1 << 6,  /* syscall64 arguments */
	POS_BIN = 1 << 7,      /* matchBinaries, matchParentBinaries */
	POS_SET = 1 << 8,      /* matchNamespaces, matchPIDs, matchCapabilities and their Changes */
	POS_LABEL = 1 << 9,    /* matchExpressions of podSelector, containerSelector */
};

/* How an operator compares a string or path. */
enum pol_op_match { POM_NONE, POM_EXACT, POM_PREFIX, POM_POSTFIX };

/* What an operator's values are. */
enum pol_op_values {
	POV_TYPED,    /* of the argument's type (or the filter's kind) */
	POV_NONE,     /* none: the operator says it all (DPortPriv: ports 0-1023, Exists) */
	POV_CIDR,     /* addresses or CIDRs */
	POV_PORTS,    /* ports or port ranges */
	POV_PROTOCOL, /* IPPROTO_ names or numbers */
	POV_FAMILY,   /* AF_ names or numbers */
	POV_STATE,    /* TCP_ state names or numbers */
};

/* Which part of a socket an operator compares (compile picks the field by it). */
enum pol_op_sock { POK_NONE, POK_SADDR, POK_DADDR, POK_SPORT, POK_DPORT, POK_PROTOCOL, POK_FAMILY, POK_STATE };

struct pol_op_info {
	enum pol_op op;
	const char *name;
	bool negated;  /* values are ANDed, not ORed */
	unsigned sets; /* enum pol_op_set: where it is valid */
	enum pol_op_match match;
	enum pol_op_values values;
	enum pol_op_sock sock;
};

enum pol_capset { PCS_EFFECTIVE, PCS_INHERITABLE, PCS_PERMITTED, PCS__COUNT };

enum pol_vkind {
	PV_RAW,     /* not interpreted yet (check fills the rest) */
	PV_STR,     /* bytes in raw/len */
	PV_INT,     /* i (signed) */
	PV_UINT,    /* u */
	PV_CIDR,    /* cidr */
	PV_PORTS,   /* ports lo..hi */
	PV_LIST,    /* reference to spec.lists: list */
	PV_HOST_NS, /* the agent's own namespace of that kind */
	PV_SYSCALL, /* syscall name in raw (resolved to a number when compiled) */
};

struct pol_value {
	struct pol_pos pos;
	char *raw; /* as written, NUL-terminated; may hold NULs itself */
	size_t len;
	enum pol_vkind kind;
	union {
		int64_t i;
		uint64_t u;
		struct {
			uint8_t family; /* 4 or 6 */
			uint8_t prefix;
			uint8_t addr[16];
		} cidr;
		struct {
			uint16_t lo, hi;
		} ports;
	} v;
	const char *list;   /* PV_LIST: the name after "list:" (points into raw) */
	bool never_matches; /* set by lint: the kernel can never see this value */
};

struct pol_arg {
	struct pol_pos pos;
	uint32_t index;
	enum pol_type type;
	char *label;
	char *resolve;
	uint32_t size_arg_index; /* 1-based; 0 = none */
	bool max_data, return_copy;
};

enum pol_filter_kind {
	PF_ARGS, PF_RETURN_ARGS, PF_BINARIES, PF_PARENT_BINARIES, PF_NAMESPACES,
	PF_NAMESPACE_CHANGES, PF_PIDS, PF_CAPABILITIES, PF_CAPABILITY_CHANGES, PF__COUNT
};

struct pol_filter {
	struct pol_pos pos;
	enum pol_filter_kind kind;
	enum pol_op op;
	struct pol_pos op_pos;
	uint32_t index;          /* PF_ARGS, PF_RETURN_ARGS */
	const struct pol_arg *arg; /* set by check: the argument index refers to */
	enum veto_ns ns;          /* PF_NAMESPACES */
	enum pol_capset capset;  /* PF_CAPABILITIES, PF_CAPABILITY_CHANGES */
	bool follow_forks, is_namespace_pid, follow_children, is_namespace_capability;
	struct pol_pos follow_children_pos;
	struct pol_value *values;
	size_t n_values;
};

enum pol_action_kind {
	PA_POST, PA_NOPOST, PA_SIGKILL, PA_SIGNAL, PA_OVERRIDE,
	/* parsed, refused as unsupported */
	PA_FOLLOWFD, PA_UNFOLLOWFD, PA_COPYFD, PA_GETURL, PA_DNSLOOKUP, PA_TRACKSOCK,
	PA_UNTRACKSOCK, PA_NOTIFYENFORCER, PA_SET,
	PA__COUNT
};

enum pol_rate_scope { PRS_THREAD, PRS_PROCESS, PRS_GLOBAL };

struct pol_action {
	struct pol_pos pos;
	enum pol_action_kind kind;
	bool has_arg_error, has_arg_sig;
	int32_t arg_error, arg_sig;
	struct pol_pos arg_error_pos, arg_sig_pos;
	uint64_t rate_limit_sec; /* 0 = none */
	struct pol_pos rate_limit_pos;
	enum pol_rate_scope rate_scope;
	bool kernel_stack_trace, user_stack_trace;
	const char *unsupported;
};

struct pol_selector {
	struct pol_pos pos;
	struct pol_filter *filters;
	size_t n_filters;
	struct pol_action *actions;
	size_t n_actions;
	struct pol_action *return_actions;
	size_t n_return_actions;
	struct pol_pos actions_pos, return_actions_pos;
};

enum pol_hook_kind { PH_KPROBE, PH_LSM, PH_TRACEPOINT, PH_UPROBE };

/* Where the hook runs, which decides what an action can stop (set by check). */
enum pol_hook_class {
	PHC_LSM,        /* an LSM hook: the operation can be denied before it happens */
	PHC_SYSCALL,    /* syscall entry kprobe: Override skips it, Sigkill alone does not */
	PHC_KFUNC,      /* other kernel function: observes; Sigkill comes after the fact */
	PHC_TRACEPOINT, /* observes only */
	PHC_UPROBE,
};

struct pol_hook {
	struct pol_pos pos;
	enum pol_hook_kind kind;
	char *call;       /* kprobe function, LSM hook, uprobe path */
	struct pol_pos call_pos;
	char *subsystem, *event; /* tracepoints */
	const char *call_list;   /* kprobe "list:NAME": NAME (points into call) */
	bool syscall, ret, raw, ignore_call_not_found;
	bool has_syscall;        /* syscall: was written (it defaults to true) */
	struct pol_arg *args;
	size_t n_args;
	struct pol_arg return_arg;
	bool has_return_arg;
	struct pol_selector *selectors;
	size_t n_selectors;
	char *message;
	char **tags;
	size_t n_tags;
	/* set by check */
	enum pol_hook_class cls;
	const char *lsm_hook; /* the LSM hook veto enforces at, NULL if none */
	const char *unsupported;
};

enum pol_list_type { PLT_SYSCALLS, PLT_GENERATED_SYSCALLS, PLT_GENERATED_FTRACE };

struct pol_list {
	struct pol_pos pos;
	char *name;
	enum pol_list_type type;
	struct pol_value *values;
	size_t n_values;
	struct pol_pos values_pos, pattern_pos; /* their keys (values: the list's when absent) */
	char *pattern;
	const char *unsupported;
};

struct pol_option {
	struct pol_pos pos, value_pos; /* the option; its value key */
	char *name, *value;
};

struct pol_label_expr {
	struct pol_pos pos;
	char *key;
	enum pol_op op; /* In NotIn Exists DoesNotExist */
	char **values;
	size_t n_values;
};

struct pol_label_selector {
	struct pol_pos pos;
	char **keys, **vals; /* matchLabels */
	size_t n_labels;
	struct pol_label_expr *exprs;
	size_t n_exprs;
};

enum pol_kind { PK_TRACING_POLICY, PK_TRACING_POLICY_NAMESPACED };
enum pol_mode { PM_DEFAULT, PM_ENFORCE, PM_MONITOR };

struct pol_unsupported {
	struct pol_pos pos;
	char *what;
};

struct pol_policy {
	struct pol_pos pos;
	unsigned doc; /* 0-based document index in the file */
	enum pol_kind kind;
	char *name, *namespace;
	bool name_from_file; /* a bare spec: fragment */
	enum pol_mode mode;
	struct pol_hook *hooks;
	size_t n_hooks;
	struct pol_list *lists;
	size_t n_lists;
	struct pol_option *options;
	size_t n_options;
	struct pol_label_selector *pod_selector, *container_selector;
	/* features that were recognised but veto cannot enforce: check reports each */
	struct pol_unsupported *unsupported;
	size_t n_unsupported;
	bool broken; /* the document had errors: later stages skip it */
};

struct pol_set {
	char *file;
	struct pol_policy *v;
	size_t n;
};

/* Grows *v (of n elements of size sz) when n is 0 or a power of two: amortised O(1) appends. */
int pol_grow(void **v, size_t n, size_t sz);

/* Parsing: 0 when parsing ran (problems are in d), or -errno (-ENOMEM, open/read errors). */
int pol_parse_buf(const char *file, const char *buf, size_t len, struct pol_set *out, struct diag_list *d);
int pol_parse_file(const char *path, struct pol_set *out, struct diag_list *d);
void pol_set_free(struct pol_set *s);

/* Semantic checks; completes values and hook classes. 0 or -ENOMEM. */
int pol_check(struct pol_set *s, struct diag_list *d);
/* Warnings about what a valid policy really does. Runs on checked policies. */
int pol_lint(struct pol_set *s, struct diag_list *d);
/* The i-th LSM hook (or "a and b") lint may suggest; NULL past the last. */
const char *pol_lint_lsm_hint(size_t i);
/* parse + check + lint on one file. */
int pol_load_file(const char *path, struct pol_set *out, struct diag_list *d);
/* The policy files a path names: the path itself ("-": stdin), or for a
 * folder its *.yaml and *.yml files, hidden ones skipped, in name order.
 * A path that cannot be read or an empty folder is an error in d (and no
 * file). 0 or -ENOMEM; free *files with pol_files_free. */
int pol_expand(const char *path, char ***files, size_t *n, struct diag_list *d);
void pol_files_free(char **files, size_t n);

/* One row each (types.c, operators.c); a row with name "?" past the end. */
const struct pol_type_info *pol_type_info(enum pol_type t);
const struct pol_op_info *pol_op_info(enum pol_op op);
/* The operators valid for any of sets (enum pol_op_set) as "A, B, C". */
void pol_ops_list(char *buf, size_t sz, unsigned sets);

/* Names, as TracingPolicy writes them. */
const char *pol_type_name(enum pol_type t);
enum pol_type_class pol_type_class(enum pol_type t);
const char *pol_op_name(enum pol_op op);
bool pol_op_negated(enum pol_op op); /* values are ANDed, not ORed */
const char *pol_filter_name(enum pol_filter_kind k);
const char *pol_action_name(enum pol_action_kind k);
/* The fields of spec and the options, by index (NULL past the last), for the
 * features table; a spec field veto refuses has its reason in *unsupported. */
const char *pol_spec_field(size_t i, const char **unsupported);
const char *pol_option_name(size_t i);
/* Recognised but refused: the reason, or NULL when veto enforces it. */
const char *pol_filter_unsupported(enum pol_filter_kind k);
const char *pol_action_unsupported(enum pol_action_kind k);
bool pol_action_enforces(enum pol_action_kind k); /* Sigkill, Override, Signal */
const char *pol_capset_name(enum pol_capset c);
const char *pol_hook_kind_name(enum pol_hook_kind k);
const char *pol_hook_class_name(enum pol_hook_class c);
const char *pol_list_type_name(enum pol_list_type t);

/* Lookups: 0 and *out, or -ENOENT. Case-insensitive where TracingPolicy is. */
int pol_type_from(const char *s, enum pol_type *out);
int pol_op_from(const char *s, enum pol_op *out);
int pol_action_from(const char *s, enum pol_action_kind *out);
int pol_capset_from(const char *s, enum pol_capset *out);
bool pol_lsm_hook_known(const char *name);
/* The LSM hook a kprobe on security_<x> stands for, or NULL. */
const char *pol_lsm_for_kprobe(const char *call);
/* Whether an LSM hook (or a kprobe on its security_<x>) decides an exec:
 * denied there, the file never runs. */
bool pol_hook_checks_exec(const char *name);
/* Closest candidate to s within a small edit distance, or NULL ("did you mean"). */
const char *pol_suggest(const char *s, const char *const *cands, size_t n);
const char *pol_suggest_lsm_hook(const char *s);
/* Parses numeric or named protocol/family/state values (IPPROTO_TCP, AF_INET, TCP_LISTEN). */
int pol_proto_from(const char *s, uint64_t *out);
int pol_family_from(const char *s, uint64_t *out);
int pol_tcp_state_from(const char *s, uint64_t *out);

#endif
