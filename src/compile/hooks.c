#include "compile/hooks.h"

#include <bpf/btf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define A(k) AK_##k
const struct hook_info hook_table[VH__COUNT] = {
#define HOOK1(h, s, f, r, a) [VH_##h] = { #h, "veto_lsm_" #s, #f, 1, { A(a) } },
#define HOOK2(h, s, f, r, a, b) [VH_##h] = { #h, "veto_lsm_" #s, #f, 2, { A(a), A(b) } },
#define HOOK3(h, s, f, r, a, b, c) [VH_##h] = { #h, "veto_lsm_" #s, #f, 3, { A(a), A(b), A(c) } },
#define HOOK4(h, s, f, r, a, b, c, d) \
	[VH_##h] = { #h, "veto_lsm_" #s, #f, 4, { A(a), A(b), A(c), A(d) } },
#define HOOK5(h, s, f, r, a, b, c, d, e) \
	[VH_##h] = { #h, "veto_lsm_" #s, #f, 5, { A(a), A(b), A(c), A(d), A(e) } },
#include "bpf/hooks.def"
#undef HOOK1
#undef HOOK2
#undef HOOK3
#undef HOOK4
#undef HOOK5
};

/* Per kind: how messages name it, and the policy type that reads it. */
static const struct {
	const char *name, *type;
} kinds[AK__COUNT] = {
	[AK_linux_binprm] = { "linux_binprm", "linux_binprm" },
	[AK_file] = { "file", "file" },
	[AK_inode] = { "inode", "inode" },
	[AK_dentry] = { "dentry", "dentry" },
	[AK_path] = { "path", "path" },
	[AK_socket] = { "socket", "sock" },
	[AK_sockaddr] = { "sockaddr", "sockaddr" },
	[AK_task] = { "task", "nop" },
	[AK_cred] = { "cred", "cred" },
	[AK_userns] = { "user_namespace", "user_namespace" },
	[AK_kstr] = { "string", "string" },
	[AK_ptr] = { "pointer", "nop" },
	[AK_int] = { "int", "int" },
	[AK_uint] = { "unsigned int", "uint32" },
	[AK_ulong] = { "unsigned long", "uint64" },
	[AK_flag] = { "bool", "int" },
	[AK_umode] = { "umode_t", "int" },
};

const char *arg_kind_name(enum arg_kind k)
{
	return k < AK__COUNT ? kinds[k].name : "?";
}

const char *arg_kind_type(enum arg_kind k)
{
	return k < AK__COUNT ? kinds[k].type : "nop";
}

int hook_find(const char *name)
{
	for (int i = 0; i < VH__COUNT; i++)
		if (!strcmp(name, hook_table[i].name) || !strcmp(name, hook_table[i].func))
			return i;
	return -1;
}

const char *hook_list(void)
{
	static char buf[1024];

	if (!buf[0]) {
		for (int i = 0; i < VH__COUNT; i++) {
			if (i)
				strcat(buf, ", ");
			strcat(buf, hook_table[i].name);
		}
	}
	return buf;
}

int hook_in_kernel(int id)
{
	static int known[VH__COUNT], err;
	static bool done;
	char fn[96];

	if (id < 0 || id >= VH__COUNT)
		return -EINVAL;
	if (!done) {
		/* one parse of a few MB, kept as answers rather than as the BTF */
		struct btf *btf = btf__load_vmlinux_btf();

		done = true;
		if (!btf)
			err = -errno;
		else if (btf__find_by_name_kind(btf, "bpf_lsm_file_open", BTF_KIND_FUNC) < 0)
			err = -ENOENT;
		for (int i = 0; btf && i < VH__COUNT; i++) {
			snprintf(fn, sizeof(fn), "bpf_lsm_%s", hook_table[i].name);
			known[i] = btf__find_by_name_kind(btf, fn, BTF_KIND_FUNC) >= 0;
		}
		btf__free(btf);
	}
	return err ? err : known[id];
}
