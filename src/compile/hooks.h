/* The LSM hooks veto enforces at, as userspace sees bpf/hooks.def. */
#ifndef VETO_COMPILE_HOOKS_H
#define VETO_COMPILE_HOOKS_H

#include <stdbool.h>

#include "bpf/policy.h"

/* How the kernel program reads each argument (the kinds of bpf/hooks.def). */
enum arg_kind {
	AK_linux_binprm, AK_file, AK_inode, AK_dentry, AK_path, AK_socket, AK_sockaddr,
	AK_task, AK_cred, AK_userns, AK_kstr, AK_ptr, AK_int, AK_uint, AK_ulong, AK_flag,
	AK_umode, AK__COUNT,
};

struct hook_info {
	const char *name;  /* lsm_hook_defs.h name: file_open */
	const char *prog;  /* BPF program: veto_lsm_fopen */
	const char *func;  /* kernel function: security_file_open */
	unsigned nargs;
	enum arg_kind args[VETO_ARG_MAX];
};

extern const struct hook_info hook_table[VH__COUNT];

const char *arg_kind_name(enum arg_kind k);
/* The TracingPolicy type that reads this kind of argument ("nop": none does). */
const char *arg_kind_type(enum arg_kind k);
/* By LSM hook name or by security_* function name; -1 when veto has no such hook. */
int hook_find(const char *name);
/* "bprm_check_security, file_open, ...": for error messages. */
const char *hook_list(void);
/* Whether the running kernel has hook id (hooks come and go between
 * kernels): 1 yes, 0 no, -errno when it cannot tell (no BTF, or no BPF LSM
 * hooks at all: loading then says why). Read from the kernel's BTF once. */
int hook_in_kernel(int id);

#endif
