#include "compile/hooks.h"

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

const char *arg_kind_name(enum arg_kind k)
{
	static const char *const names[AK__COUNT] = {
		"linux_binprm", "file", "inode", "dentry", "path", "socket", "sockaddr",
		"task", "cred", "user_namespace", "string", "pointer", "int", "unsigned int",
		"unsigned long", "bool", "umode_t",
	};
	return k < AK__COUNT ? names[k] : "?";
}

const char *arg_kind_type(enum arg_kind k)
{
	static const char *const types[AK__COUNT] = {
		"linux_binprm", "file", "inode", "dentry", "path", "sock", "sockaddr",
		"nop", "cred", "user_namespace", "string", "nop", "int", "uint32",
		"uint64", "int", "int",
	};
	return k < AK__COUNT ? types[k] : "nop";
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
