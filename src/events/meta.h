/* What the encoders know of a loaded policy: its name, its hooks and how it
 * declared their arguments. src/load copies it from the compiled policy
 * when it loads the policy, so nothing in events needs compile/. Strings
 * point into the policy set, which outlives the policy's events. */
#ifndef VETO_EVENTS_META_H
#define VETO_EVENTS_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/policy.h"

/* i386 numbers of syscall64 arguments carry this bit (x86-64 do not) */
#define EV_SYSCALL_IA32 0x80000000u

/* How an argument is written: Tetragon's *_arg objects. */
enum ev_arg_type {
	EA_NOP,       /* read, never written */
	EA_INT,       /* int_arg */
	EA_UINT32,    /* uint_arg of 8 to 32 bits */
	EA_UINT64,    /* size_arg: Tetragon's uint_arg is 32 bits, its size_arg 64 */
	EA_LONG,      /* long_arg */
	EA_SIZE,      /* size_arg */
	EA_STRING,    /* string_arg */
	EA_BYTES,     /* char_buf: bytes_arg, or truncated_bytes_arg past what was copied */
	EA_FILE,      /* file_arg {path, flags, permission} */
	EA_BINPRM,    /* linux_binprm_arg {path, flags, permission} */
	EA_PATH,      /* path_arg {path, flags, permission} */
	EA_INODE,     /* path_arg {path}: the policy's path of that inode */
	EA_SOCK,      /* sock_arg */
	EA_SOCKADDR,  /* sockaddr_arg */
	EA_CAPABILITY,
	EA_CRED,      /* process_credentials_arg */
	EA_USER_NS,
	EA_SYSCALL64, /* syscall_id */
};

enum ev_hook_kind {
	EH_LSM,        /* an LSM hook's own program: its return is the verdict */
	EH_KPROBE,     /* a kprobe slot: cannot stop the call */
	EH_TRACEPOINT, /* a tracepoint or raw tracepoint slot */
};

struct ev_arg_meta {
	enum ev_arg_type type;
	bool read;         /* the program reads it (its value is in the record) */
	bool number;       /* compact: an integer of a slot, written as a number */
	const char *label; /* NULL: none */
};

struct ev_hook {
	uint32_t id;             /* the records' hook (enum veto_hook_id, or a slot) */
	enum ev_hook_kind kind;
	bool ret_probe;          /* posted from the return probe, with the value */
	const char *func;        /* function_name: the LSM hook, function or event */
	const char *func_kprobe; /* the same when the record says kprobe */
	const char *subsys, *event; /* tracepoints */
	unsigned nargs;          /* at most VETO_ARG_MAX */
	struct ev_arg_meta ret;  /* returnArg's type (EA_NOP: none declared, an int_arg) */
	struct ev_arg_meta args[VETO_ARG_MAX];
	const char *message;     /* the hook's message; NULL: none */
	char *const *tags;       /* the hook's tags */
	size_t n_tags;
};

/* An inode value of the policy and the path it was resolved from. */
struct ev_inode {
	uint32_t hook;
	uint64_t dev, ino;
	const char *path;
};

struct ev_policy {
	const char *name;
	struct ev_hook *hooks;
	size_t n_hooks;
	struct ev_inode *inodes;
	size_t n_inodes;
	const char *(*syscall_name)(uint64_t nr); /* NULL for an unknown number */
};

#endif
