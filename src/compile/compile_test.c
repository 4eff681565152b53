#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "compile/compile.h"
#include "compile/syscalls.h"

#define HDR "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: t\nspec:\n"

/* A fake node: two files exist, namespaces have fixed numbers. */
static int fake_stat(const char *path, uint64_t *dev, uint64_t *ino)
{
	if (!strcmp(path, "/etc/passwd")) {
		*dev = 0x800001;
		*ino = 42;
		return 0;
	}
	if (!strcmp(path, "/etc/shadow")) {
		*dev = 0x800001;
		*ino = 43;
		return 0;
	}
	return -ENOENT;
}

/* Two tracepoints, as tracefs shows them on x86-64. */
static const char fmt_sys_enter[] =
	"name: sys_enter\nID: 22\nformat:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
	"\tfield:long id;\toffset:8;\tsize:8;\tsigned:1;\n"
	"\tfield:unsigned long args[6];\toffset:16;\tsize:48;\tsigned:0;\n\n"
	"print fmt: \"NR %ld (%lx)\", REC->id, REC->args[0]\n";
static const char fmt_openat[] =
	"name: sys_enter_openat\nID: 782\nformat:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
	"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
	"\tfield:int dfd;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:int flags;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\tfield:umode_t mode;\toffset:40;\tsize:8;\tsigned:0;\n";

static int fake_tp(const char *subsys, const char *event, struct tp_format *out)
{
	unsigned line;

	/* sys_exit's record starts as sys_enter's does: id at 8 */
	if (!strcmp(subsys, "raw_syscalls") && (!strcmp(event, "sys_enter") || !strcmp(event, "sys_exit")))
		return tp_format_parse(fmt_sys_enter, out, &line);
	if (!strcmp(subsys, "syscalls") && !strcmp(event, "sys_enter_openat"))
		return tp_format_parse(fmt_openat, out, &line);
	return -ENOENT;
}

/* a kernel before 6.1: no userns_create */
static int fake_hook_in_kernel(int id)
{
	return id != VH_userns_create;
}

static const struct compile_env env = {
	.host_ns = { [VN_PID] = 4026531836u, [VN_MNT] = 4026531841u },
	.stat_path = fake_stat,
	.tp_format = fake_tp,
	.hook_in_kernel = fake_hook_in_kernel,
};

struct fx {
	struct pol_set s;
	struct diag_list d;
	struct compiled c;
	int r;
};

static void dump(const struct diag_list *d)
{
	for (size_t i = 0; i < d->n; i++)
		print_message("  %u:%u: %s: %s\n", d->v[i].line, d->v[i].col, diag_sev_name(d->v[i].sev), d->v[i].msg);
}

static void build_in(struct fx *f, const char *yaml, const struct compile_env *e)
{
	memset(f, 0, sizeof(*f));
	diag_init(&f->d);
	assert_int_equal(pol_parse_buf("t.yaml", yaml, strlen(yaml), &f->s, &f->d), 0);
	assert_int_equal(pol_check(&f->s, &f->d), 0);
	if (f->d.nerr) {
		dump(&f->d);
		fail_msg("policy text has errors");
	}
	assert_int_equal(f->s.n, 1);
	f->r = compile_policy(&f->s.v[0], "t.yaml", e, &f->c, &f->d);
}

static void build(struct fx *f, const char *yaml)
{
	build_in(f, yaml, &env);
}

static void fin(struct fx *f)
{
	compiled_free(&f->c);
	pol_set_free(&f->s);
	diag_free(&f->d);
}

static const struct c_str *find_str(const struct compiled *c, const char *s, bool equal)
{
	uint32_t plen = 16 + 8 * (uint32_t)(strlen(s) + (equal ? 1 : 0));

	for (size_t i = 0; i < c->n_strs; i++)
		if (c->strs[i].key.prefixlen == plen && !memcmp(c->strs[i].key.s, s, strlen(s)))
			return &c->strs[i];
	return NULL;
}

static void article_passwd_is_inode_keys(void **state)
{
	struct fx f;

	build(&f, "spec:\n  kprobes:\n  - call: security_inode_permission\n    syscall: false\n    args:\n"
		  "    - index: 0\n      type: inode\n    selectors:\n    - matchArgs:\n      - index: 0\n"
		  "        operator: Prefix\n        values: [\"/etc/passwd\", \"/etc/shadow\"]\n"
		  "      matchActions:\n      - action: Sigkill\n");
	assert_int_equal(f.r, 0);
	assert_int_equal(f.c.n_hooks, 1);
	assert_int_equal(f.c.hooks[0].id, VH_inode_permission);
	assert_int_equal(f.c.hooks[0].cfg.kprobe, 1);
	assert_int_equal(f.c.hooks[0].cfg.need_args, 1);
	assert_int_equal(f.c.hooks[0].cfg.n_dims, 1);
	assert_int_equal(f.c.hooks[0].cfg.dims[0].field, VF_INODE);
	assert_int_equal(f.c.hooks[0].cfg.act[0].flags, VA_SIGKILL | VA_POST);
	assert_int_equal(f.c.n_nums, 2);
	assert_int_equal(f.c.nums[0].key.a, 0x800001);
	assert_int_equal(f.c.nums[0].key.b, 42);
	assert_int_equal(f.c.nums[1].key.b, 43);
	assert_int_equal(f.c.nums[0].mask, 1);
	fin(&f);
}

static void missing_inode_path_is_a_warning(void **state)
{
	struct fx f;

	build(&f, HDR "  lsmhooks:\n  - hook: inode_permission\n    args:\n    - index: 0\n      type: inode\n"
		  "    selectors:\n    - matchArgs:\n      - index: 0\n        operator: Equal\n"
		  "        values: [\"/etc/passwd\", \"/nope\"]\n");
	assert_int_equal(f.r, 0);
	assert_int_equal(f.c.n_nums, 1);
	assert_int_equal(f.d.nwarn, 1);
	assert_non_null(strstr(f.d.v[0].msg, "/nope"));
	assert_int_equal(f.d.v[0].line, 15);
	fin(&f);
}

static void prefix_entries_inherit_shorter_ones(void **state)
{
	struct fx f;
	const struct c_str *etc, *passwd;

	/* selector 0 audits /etc/, selector 1 kills /etc/passwd: the trie
	 * returns only the longest match, so that entry must carry both bits */
	build(&f, HDR "  lsmhooks:\n  - hook: file_open\n    args:\n    - index: 0\n      type: file\n"
		  "    selectors:\n    - matchArgs:\n      - index: 0\n        operator: Prefix\n        values: [\"/etc/\"]\n"
		  "      matchActions:\n      - action: Post\n"
		  "    - matchArgs:\n      - index: 0\n        operator: Prefix\n        values: [\"/etc/passwd\"]\n"
		  "      matchActions:\n      - action: Sigkill\n");
	assert_int_equal(f.r, 0);
	etc = find_str(&f.c, "/etc/", false);
	passwd = find_str(&f.c, "/etc/passwd", false);
	assert_non_null(etc);
	assert_non_null(passwd);
	assert_int_equal(etc->mask, 1);
	assert_int_equal(passwd->mask, 3);
	/* one dimension serves both selectors */
	assert_int_equal(f.c.hooks[0].cfg.n_dims, 1);
	assert_int_equal(f.c.hooks[0].cfg.dims[0].care, 3);
	assert_int_equal(f.c.hooks[0].cfg.all, 3);
	fin(&f);
}

static void equal_and_postfix_keys(void **state)
{
	struct fx f;

	build(&f, HDR "  lsmhooks:\n  - hook: bprm_check_security\n    args:\n    - index: 0\n      type: linux_binprm\n"
		  "    selectors:\n    - matchArgs:\n      - index: 0\n        operator: Postfix\n        values: [\"/sh\"]\n"
		  "      matchBinaries:\n      - operator: In\n        values: [\"/usr/bin/containerd-shim\"]\n"
		  "      matchNamespaces:\n      - namespace: Pid\n        operator: NotIn\n        values: [host_ns]\n"
		  "      matchActions:\n      - action: Override\n        argError: -13\n");
	assert_int_equal(f.r, 0);
	/* Postfix is stored reversed, without the NUL */
	assert_non_null(find_str(&f.c, "hs/", false));
	/* In on a binary is whole-string: with the NUL */
	assert_non_null(find_str(&f.c, "/usr/bin/containerd-shim", true));
	assert_int_equal(f.c.hooks[0].cfg.need_binary, 1);
	assert_int_equal(f.c.hooks[0].cfg.n_dims, 3);
	/* host_ns becomes the agent's pid namespace, negated */
	assert_int_equal(f.c.n_nums, 1);
	assert_int_equal(f.c.nums[0].key.a, 4026531836u);
	assert_int_equal(f.c.hooks[0].cfg.dims[f.c.nums[0].key.dim].negate, 1);
	assert_int_equal(f.c.hooks[0].cfg.dims[f.c.nums[0].key.dim].src, VS_NS);
	assert_int_equal(f.c.hooks[0].cfg.act[0].flags, VA_OVERRIDE | VA_POST);
	assert_int_equal(f.c.hooks[0].cfg.act[0].err, -13);
	fin(&f);
}

static void parent_binaries(void **state)
{
	struct fx f;
	const struct veto_dim *d;

	/* the parent's binary is its own dimension beside the caller's, read
	 * only where a selector asks for it; every string operator is a key */
	build(&f, HDR "  lsmhooks:\n  - hook: file_open\n    selectors:\n"
		  "    - matchParentBinaries:\n      - operator: In\n        values: [\"/usr/bin/sh\"]\n"
		  "      matchBinaries:\n      - operator: In\n        values: [\"/usr/bin/sh\"]\n"
		  "    - matchParentBinaries:\n      - operator: NotPrefix\n        values: [\"/usr/\"]\n"
		  "    - matchParentBinaries:\n      - operator: Postfix\n        values: [\"/bash\"]\n");
	assert_int_equal(f.r, 0);
	assert_int_equal(f.c.hooks[0].cfg.need_parent, 1);
	assert_int_equal(f.c.hooks[0].cfg.need_binary, 1);
	assert_int_equal(f.c.hooks[0].cfg.n_dims, 4);
	/* filters come in kind order: matchBinaries first */
	assert_int_equal(f.c.hooks[0].cfg.dims[0].src, VS_BINARY);
	d = &f.c.hooks[0].cfg.dims[1];
	assert_int_equal(d->src, VS_PARENT_BINARY);
	assert_int_equal(d->test, VT_STR_LPM);
	assert_int_equal(d->care, 1);
	d = &f.c.hooks[0].cfg.dims[2];
	assert_int_equal(d->src, VS_PARENT_BINARY);
	assert_int_equal(d->negate, 1);
	assert_int_equal(d->care, 2);
	d = &f.c.hooks[0].cfg.dims[3];
	assert_int_equal(d->src, VS_PARENT_BINARY);
	assert_int_equal(d->test, VT_STR_RLPM);
	assert_int_equal(d->care, 4);
	/* the same path for the caller and the parent: two keys, by dimension */
	assert_int_equal(f.c.n_strs, 4);
	assert_true(!strcmp(f.c.strs[0].key.s, "/usr/bin/sh") && !strcmp(f.c.strs[1].key.s, "/usr/bin/sh"));
	assert_int_equal(f.c.strs[0].key.dim + f.c.strs[1].key.dim, 1);
	assert_non_null(find_str(&f.c, "/usr/", false));
	assert_non_null(find_str(&f.c, "hsab/", false));
	fin(&f);

	/* a policy without it reads no parent */
	build(&f, HDR "  lsmhooks:\n  - hook: file_open\n    selectors:\n"
		  "    - matchBinaries:\n      - operator: In\n        values: [\"/usr/bin/sh\"]\n");
	assert_int_equal(f.r, 0);
	assert_int_equal(f.c.hooks[0].cfg.need_parent, 0);
	fin(&f);
}

static const struct veto_dim *dim_of(const struct c_hook *h, uint8_t src, uint8_t arg, uint64_t care)
{
	for (uint32_t i = 0; i < h->cfg.n_dims; i++)
		if (h->cfg.dims[i].src == src && h->cfg.dims[i].arg == arg && h->cfg.dims[i].care == care)
			return &h->cfg.dims[i];
	fail_msg("no dimension src %u arg %u care %#llx", src, arg, (unsigned long long)care);
	return NULL;
}

static void follow_children_and_forks(void **state)
{
	const struct veto_dim *d;
	const struct c_hook *h;
	struct fx f;

	/* each followChildren/followForks filter is a follow id: the selectors
	 * test its bit in what the process (or its parent) carries; the values
	 * are keys of the follow pseudo-hook, for the exec program and the
	 * loader */
	build(&f, HDR "  lsmhooks:\n  - hook: file_open\n    selectors:\n"
		  "    - matchBinaries:\n      - operator: In\n        values: [/usr/bin/sh, /usr/bin/bash]\n"
		  "        followChildren: true\n"
		  "    - matchParentBinaries:\n      - operator: NotIn\n        values: [/usr/bin/bash]\n"
		  "        followChildren: true\n"
		  "  - hook: bprm_check_security\n    selectors:\n"
		  "    - matchPIDs:\n      - operator: In\n        values: [42, 43]\n        followForks: true\n"
		  "    - matchPIDs:\n      - operator: NotIn\n        values: [42]\n");
	assert_int_equal(f.r, 0);
	assert_int_equal(f.c.n_follow, 3);
	h = &f.c.hooks[0];
	assert_int_equal(h->cfg.need_binary, 0); /* the follow map says it all */
	assert_int_equal(h->cfg.need_parent, 0);
	d = dim_of(h, VS_FOLLOW, 0, 1);
	assert_int_equal(d->test, VT_MASK);
	assert_int_equal(d->negate, 0);
	assert_int_equal(h->cfg.num[d - h->cfg.dims][0], 1);
	d = dim_of(h, VS_FOLLOW, 1, 2);
	assert_int_equal(d->negate, 1);
	assert_int_equal(h->cfg.num[d - h->cfg.dims][1], 2);
	h = &f.c.hooks[1];
	d = dim_of(h, VS_FOLLOW, 0, 1);
	assert_int_equal(h->cfg.num[d - h->cfg.dims][0], 4);
	dim_of(h, VS_PID, 0, 2); /* without followForks: the pid alone */
	/* one key per binary, its mask the follow ids that name it */
	assert_int_equal(compiled_follow_binary(&f.c, "/usr/bin/sh"), 1);
	assert_int_equal(compiled_follow_binary(&f.c, "/usr/bin/bash"), 3);
	assert_int_equal(compiled_follow_binary(&f.c, "/usr/bin/shx"), 0);
	assert_int_equal(compiled_follow_binary(&f.c, "/usr/bin/s"), 0);
	assert_int_equal(find_str(&f.c, "/usr/bin/bash", true)->key.hook, VETO_FOLLOW_HOOK);
	assert_int_equal(compiled_follow_pid(&f.c, 42, VP_HOST), 4);
	assert_int_equal(compiled_follow_pid(&f.c, 43, VP_HOST), 4);
	assert_int_equal(compiled_follow_pid(&f.c, 44, VP_HOST), 0);
	assert_int_equal(compiled_follow_pid(&f.c, 42, VP_NS), 0);
	assert_false(f.c.follow_ns_pids);
	fin(&f);
}

static void follow_limits(void **state)
{
	size_t cap = 1 << 16, n;
	char *y = malloc(cap);
	struct fx f;

	/* 63 follow ids per policy (one bit marks an undecided binary): the 64th
	 * filter is refused where it stands */
	n = (size_t)snprintf(y, cap, HDR "  lsmhooks:\n");
	for (int hk = 0; hk < 2; hk++) {
		n += (size_t)snprintf(y + n, cap - n, "  - hook: %s\n    selectors:\n", hk ? "file_open" : "bprm_check_security");
		for (int i = 0; i < 33; i++)
			n += (size_t)snprintf(y + n, cap - n, "    - matchBinaries:\n      - operator: In\n"
					      "        values: [/b%d]\n        followChildren: true\n", i);
	}
	build(&f, y);
	free(y);
	assert_int_equal(f.r, -EINVAL);
	assert_int_equal(f.d.nerr, 3);
	assert_non_null(strstr(f.d.v[0].msg, "more than 63 followChildren and followForks filters"));
	/* the 64th: second hook's 31st selector, 4 lines each after its 2 */
	assert_int_equal(f.d.v[0].line, 6 + 2 + 33 * 4 + 2 + 30 * 4 + 2);
	fin(&f);

	/* isNamespacePID: the caller's number in its own pid namespace */
	build(&f, HDR "  lsmhooks:\n  - hook: file_open\n    selectors:\n"
		  "    - matchPIDs:\n      - operator: In\n        values: [1]\n        isNamespacePID: true\n");
	dump(&f.d);
	assert_int_equal(f.r, 0);
	assert_int_equal(f.c.hooks[0].cfg.dims[0].src, VS_PID);
	assert_int_equal(f.c.hooks[0].cfg.dims[0].arg, VP_NS);
	assert_int_equal(f.c.hooks[0].cfg.num[0][0], 1);
	fin(&f);

	/* with followForks: the pid by its namespace's number, in the follow dims */
	build(&f, HDR "  lsmhooks:\n  - hook: file_open\n    selectors:\n"
		  "    - matchPIDs:\n      - operator: In\n        values: [1]\n        isNamespacePID: true\n"
		  "        followForks: true\n");
	dump(&f.d);
	assert_int_equal(f.r, 0);
	assert_true(f.c.follow_ns_pids);
	assert_int_equal(compiled_follow_pid(&f.c, 1, VP_NS), 1);
	assert_int_equal(compiled_follow_pid(&f.c, 1, VP_HOST), 0);
	fin(&f);
}

static void ten_thousand_values_one_dimension(void **state)
{
	size_t cap = 1 << 20, n;
	char *y = malloc(cap);
	struct fx f;

	n = (size_t)snprintf(y, cap, HDR "  lsmhooks:\n  - hook: file_open\n    args:\n    - index: 0\n      type: file\n"
				     "    selectors:\n    - matchArgs:\n      - index: 0\n        operator: Prefix\n"
				     "        values:\n");
	for (int i = 0; i < 10000; i++)
		n += (size_t)snprintf(y + n, cap - n, "        - \"/tmp/p/%05d/\"\n", i);
	snprintf(y + n, cap - n, "      matchActions:\n      - action: Override\n        argError: -1\n");
	build(&f, y);
	free(y);
	assert_int_equal(f.r, 0);
	assert_int_equal(f.c.n_strs, 10000);
	assert_int_equal(f.c.hooks[0].cfg.n_dims, 1);
	assert_non_null(find_str(&f.c, "/tmp/p/09999/", false));
	fin(&f);
}

static void sockaddr_and_ports(void **state)
{
	struct fx f;

	build(&f, HDR "  lsmhooks:\n  - hook: socket_connect\n    args:\n    - index: 1\n      type: sockaddr\n"
		  "    selectors:\n    - matchArgs:\n      - index: 1\n        operator: SAddr\n"
		  "        values: [\"10.0.0.0/8\", \"10.1.0.0/16\"]\n      - index: 1\n        operator: SPort\n"
		  "        values: [\"8000:8003\"]\n");
	assert_int_equal(f.r, 0);
	assert_int_equal(f.c.n_addrs, 2);
	assert_int_equal(f.c.addrs[0].key.prefixlen, 16 + 8);
	assert_int_equal(f.c.addrs[1].key.prefixlen, 16 + 16);
	assert_int_equal(f.c.n_nums, 4); /* the port range, one key per port */
	assert_int_equal(f.c.hooks[0].cfg.dims[1].field, VF_SPORT);
	fin(&f);
}

static void refusals_are_located(void **state)
{
	struct fx f;

	/* a hook veto has no program for */
	build(&f, HDR "  lsmhooks:\n  - hook: inode_setxattr\n");
	assert_int_equal(f.r, -EINVAL);
	assert_int_equal(f.d.v[0].line, 7);
	assert_non_null(strstr(f.d.v[0].msg, "unsupported: inode_setxattr"));
	assert_int_equal(f.c.n_hooks, 0);
	fin(&f);

	/* two entries for one hook in one policy */
	build(&f, HDR "  lsmhooks:\n  - hook: file_open\n  - hook: file_open\n");
	assert_int_equal(f.r, -EINVAL);
	assert_int_equal(f.d.v[f.d.n - 1].line, 8);
	assert_non_null(strstr(f.d.v[f.d.n - 1].msg, "a second entry for file_open"));
	fin(&f);

	/* the wrong type for an argument */
	build(&f, HDR "  lsmhooks:\n  - hook: file_open\n    args:\n    - index: 0\n      type: inode\n");
	assert_int_equal(f.r, -EINVAL);
	assert_int_equal(f.d.v[f.d.n - 1].line, 9);
	assert_non_null(strstr(f.d.v[f.d.n - 1].msg, "is a file"));
	fin(&f);
}

static void monitor_mode(void **state)
{
	struct fx f;

	build(&f, HDR "  options:\n  - name: policy-mode\n    value: monitor\n  lsmhooks:\n  - hook: file_open\n"
		  "    selectors:\n    - matchActions:\n      - action: Sigkill\n");
	assert_int_equal(f.r, 0);
	assert_int_equal(f.c.hooks[0].cfg.monitor, 1);
	assert_int_equal(f.c.hooks[0].cfg.act[0].flags, VA_SIGKILL | VA_POST);
	fin(&f);
}

static void rate_limit(void **state)
{
	struct fx f;

	build(&f, HDR "  lsmhooks:\n  - hook: file_open\n    selectors:\n    - matchActions:\n      - action: Post\n"
		  "        rateLimit: 5m\n        rateLimitScope: process\n");
	assert_int_equal(f.r, 0);
	assert_int_equal(f.c.hooks[0].cfg.act[0].rate_sec, 300);
	assert_int_equal(f.c.hooks[0].cfg.act[0].flags, VA_POST | VA_RATE_PROCESS);
	fin(&f);
}


static void tracefs_format_fields(void **state)
{
	struct tp_format f;
	unsigned line = 0;

	assert_int_equal(tp_format_parse(fmt_sys_enter, &f, &line), 0);
	assert_int_equal(f.n, 6);
	assert_string_equal(f.f[4].name, "id");
	assert_string_equal(f.f[4].type, "long");
	assert_int_equal(f.f[4].off, 8);
	assert_true(f.f[4].is_signed);
	assert_string_equal(f.f[5].name, "args");
	assert_string_equal(f.f[5].type, "unsigned long[6]");
	assert_int_equal(f.f[5].size, 48);
	tp_format_free(&f);
	assert_int_equal(tp_format_parse(fmt_openat, &f, &line), 0);
	assert_string_equal(f.f[6].name, "filename");
	assert_string_equal(f.f[6].type, "const char *");
	tp_format_free(&f);
	assert_int_equal(tp_format_parse("field:int x;\toffset:zero;\tsize:4;\tsigned:1;\n", &f, &line), -EINVAL);
	assert_int_equal(line, 1);
	assert_int_equal(tp_format_parse("name: nothing\n", &f, &line), -EINVAL);
}

static void syscall_names(void **state)
{
	uint64_t nr = 0;

	assert_int_equal(syscall_nr("sys_dup", &nr), 0);
	assert_int_equal(nr, 32);
	assert_int_equal(syscall_nr("__x64_sys_dup2", &nr), 0);
	assert_int_equal(nr, 33);
	assert_int_equal(syscall_nr("__ia32_sys_dup", &nr), 0);
	assert_int_equal(nr, 41 | SYSCALL_IA32);
	assert_int_equal(syscall_nr("openat", &nr), 0);
	assert_int_equal(nr, 257);
	assert_int_equal(syscall_nr("sys_nosuchcall", &nr), -ENOENT);
	assert_string_equal(syscall_name(257), "openat");
	assert_string_equal(syscall_name(41 | SYSCALL_IA32), "dup");
}

/* Tetragon's killer.yaml shape: a syscall list matched in sys_enter's id. */
static void tracepoint_syscall_list(void **state)
{
	struct fx f;
	const struct c_hook *h;

	build(&f, HDR "  lists:\n  - name: dups\n    type: syscalls\n    values: [sys_dup, sys_dup2, __ia32_sys_dup]\n"
		  "  tracepoints:\n  - subsystem: raw_syscalls\n    event: sys_enter\n    args:\n"
		  "    - index: 4\n      type: syscall64\n    selectors:\n    - matchArgs:\n      - index: 0\n"
		  "        operator: InMap\n        values: [\"list:dups\"]\n      matchActions:\n"
		  "      - action: Sigkill\n");
	dump(&f.d);
	assert_int_equal(f.r, 0);
	assert_int_equal(f.c.n_hooks, 1);
	h = &f.c.hooks[0];
	assert_int_equal(h->id, VH__COUNT);
	/* read only by its id (field 4): run as the raw tracepoint, id = argument 1 */
	assert_int_equal(h->cfg.slot_kind, VK_RAWTP);
	assert_string_equal(h->attach, "sys_enter");
	assert_int_equal(h->cfg.rd[0].how, VR_SYSCALL64);
	assert_int_equal(h->cfg.rd[0].off, 1);
	assert_int_equal(h->cfg.need_args, 1);
	assert_int_equal(h->cfg.dims[0].test, VT_NUM_HASH);
	assert_int_equal(c_hook_word_top(h), 2);
	assert_int_equal(f.c.n_nums, 3);
	assert_int_equal(f.c.nums[0].key.a, 32);
	assert_int_equal(f.c.nums[1].key.a, 33);
	assert_int_equal(f.c.nums[2].key.a, 41 | SYSCALL_IA32);
	assert_false(h->cfg.abi_late); /* an i386 value: the caller's ABI is needed to miss */
	assert_true(h->cfg.act[0].flags & VA_SIGKILL);
	fin(&f);

	/* sys_exit has no id among its raw arguments: read through the format */
	build(&f, HDR "  tracepoints:\n  - subsystem: raw_syscalls\n    event: sys_exit\n    args:\n"
		  "    - index: 4\n      type: syscall64\n");
	dump(&f.d);
	assert_int_equal(f.r, 0);
	h = &f.c.hooks[0];
	assert_int_equal(h->cfg.slot_kind, VK_TRACEPOINT);
	assert_string_equal(h->attach, "raw_syscalls/sys_exit");
	assert_int_equal(h->cfg.rd[0].off, 8);
	assert_int_equal(c_hook_word_top(h), 2); /* "long id" is word 1 */
	fin(&f);
}

/* lint's environment: a tracepoint this machine cannot describe is not an
 * error there (the target's kernel decides), what no kernel can run still is. */
static int no_tp(const char *subsys, const char *event, struct tp_format *out)
{
	(void)subsys, (void)event, (void)out;
	return -ENOENT;
}

static void portable_env(void **state)
{
	struct compile_env e = { .portable = true, .tp_format = no_tp };
	struct fx f;

	build_in(&f, HDR "  tracepoints:\n  - subsystem: nosuch\n    event: event\n    args:\n"
		     "    - index: 4\n      type: int\n", &e);
	dump(&f.d);
	assert_int_equal(f.r, 0);
	fin(&f);
	build_in(&f, HDR "  tracepoints:\n  - subsystem: nosuch\n    event: event\n    args:\n"
		     "    - index: 4\n      type: bpf_attr\n", &e);
	assert_int_equal(f.r, -EINVAL);
	assert_non_null(strstr(f.d.v[0].msg, "unsupported: veto cannot read a bpf_attr argument"));
	fin(&f);
	e.portable = false;
	build_in(&f, HDR "  tracepoints:\n  - subsystem: nosuch\n    event: event\n    args:\n"
		     "    - index: 4\n      type: int\n", &e);
	assert_int_equal(f.r, -EINVAL);
	assert_non_null(strstr(f.d.v[0].msg, "this kernel has no such tracepoint"));
	fin(&f);
}

/* A hook the running kernel lacks: refused where the policy names it. */
static void hook_not_in_kernel(void **state)
{
	struct fx f;

	build(&f, HDR "  lsmhooks:\n  - hook: userns_create\n    args:\n    - index: 0\n      type: cred\n");
	assert_int_equal(f.r, -EINVAL);
	assert_int_equal(f.d.nerr, 1);
	assert_int_equal(f.d.v[0].line, 7);
	assert_non_null(strstr(f.d.v[0].msg, "unsupported on this kernel: it has no LSM hook userns_create"));
	fin(&f);
}

/* Only positive filters on x86-64 numbers let the ABI check wait for a match. */
static void syscall_abi_late(void **state)
{
	static const char *const ops[][2] = {
		{ "Equal", "[sys_getpid]" }, { "InMap", "[sys_getpid, sys_dup]" },
		{ "NotEqual", "[sys_getpid]" }, { "NotInMap", "[sys_getpid, sys_dup]" },
		{ "Equal", "[__ia32_sys_getpid]" },
	};
	char y[1024];

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		struct fx f;

		snprintf(y, sizeof(y), HDR "  tracepoints:\n  - subsystem: raw_syscalls\n    event: sys_enter\n"
			 "    raw: true\n    args:\n    - index: 1\n      type: syscall64\n    selectors:\n"
			 "    - matchArgs:\n      - index: 0\n        operator: %s\n        values: %s\n",
			 ops[i][0], ops[i][1]);
		build(&f, y);
		dump(&f.d);
		assert_int_equal(f.r, 0);
		assert_int_equal(f.c.hooks[0].cfg.abi_late, i < 2);
		fin(&f);
	}
}

/* A path verdict is remembered only where the file's path filters every
 * selector: then the path alone can rule them all out. */
static void path_verdicts_remembered(void **state)
{
#define ARG0(t) "    - index: 0\n      type: " t "\n"
	static const struct {
		const char *hook, *args, *selectors;
		uint8_t want;
	} cases[] = {
		/* every selector filters the path, with any string operator */
		{ "file_open", ARG0("file"),
		  "    - matchArgs:\n      - index: 0\n        operator: Prefix\n        values: [/etc/]\n"
		  "    - matchArgs:\n      - index: 0\n        operator: NotPostfix\n        values: [.so]\n", 1 },
		{ "bprm_check_security", ARG0("linux_binprm"),
		  "    - matchArgs:\n      - index: 0\n        operator: Equal\n        values: [/bin/sh]\n"
		  "      matchBinaries:\n      - operator: In\n        values: [/bin/bash]\n", 1 },
		/* the second selector matches any path */
		{ "file_open", ARG0("file"),
		  "    - matchArgs:\n      - index: 0\n        operator: Prefix\n        values: [/etc/]\n"
		  "    - matchBinaries:\n      - operator: In\n        values: [/bin/cat]\n", 0 },
		/* no selectors: every call */
		{ "file_open", ARG0("file"), NULL, 0 },
		/* no file argument */
		{ "socket_connect", "    - index: 1\n      type: sockaddr\n",
		  "    - matchArgs:\n      - index: 1\n        operator: SPort\n        values: [\"80\"]\n", 0 },
	};
#undef ARG0
	char y[2048];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fx f;

		snprintf(y, sizeof(y), HDR "  lsmhooks:\n  - hook: %s\n    args:\n%s%s%s", cases[i].hook, cases[i].args,
			 cases[i].selectors ? "    selectors:\n" : "", cases[i].selectors ? cases[i].selectors : "");
		build(&f, y);
		dump(&f.d);
		assert_int_equal(f.r, 0);
		assert_int_equal(f.c.hooks[0].cfg.pcache, cases[i].want);
		fin(&f);
	}
}

/* A path that cannot be read whole decides no path filter: the selectors
 * that deny or kill take it as satisfied (fail closed), the others not;
 * the caller's own filters are matched before any argument is read. */
static void undecided_paths_fail_closed(void **state)
{
	struct fx f;

	build(&f, HDR "  lsmhooks:\n  - hook: file_open\n    args:\n    - index: 0\n      type: file\n"
		  "    selectors:\n"
		  "    - matchArgs:\n      - index: 0\n        operator: Prefix\n        values: [/etc/]\n"
		  "      matchActions:\n      - action: Post\n"
		  "    - matchArgs:\n      - index: 0\n        operator: NotPrefix\n        values: [/usr/]\n"
		  "      matchActions:\n      - action: Sigkill\n"
		  "    - matchArgs:\n      - index: 0\n        operator: Prefix\n        values: [/tmp/]\n"
		  "      matchActions:\n      - action: Override\n        argError: -1\n"
		  "    - matchArgs:\n      - index: 0\n        operator: Postfix\n        values: [.key]\n"
		  "      matchActions:\n      - action: Signal\n        argSig: 9\n"
		  "    - matchArgs:\n      - index: 0\n        operator: Postfix\n        values: [.pem]\n"
		  "      matchActions:\n      - action: Signal\n        argSig: 10\n");
	dump(&f.d);
	assert_int_equal(f.r, 0);
	assert_int_equal(f.c.hooks[0].cfg.undecided, 0xe);
	assert_int_equal(f.c.hooks[0].cfg.proc_dims, 0);
	fin(&f);

	build(&f, HDR "  lsmhooks:\n  - hook: file_open\n    args:\n    - index: 0\n      type: file\n"
		  "    selectors:\n    - matchBinaries:\n      - operator: In\n        values: [/usr/bin/cat]\n");
	assert_int_equal(f.r, 0);
	assert_int_equal(f.c.hooks[0].cfg.proc_dims, 1);
	fin(&f);
}

/* raw: true reads the tracepoint's own arguments; one value needs no hash. */
static void raw_tracepoint_one_value(void **state)
{
	struct fx f;
	const struct c_hook *h;

	build(&f, HDR "  tracepoints:\n  - subsystem: raw_syscalls\n    event: sys_enter\n    raw: true\n"
		  "    args:\n    - index: 1\n      type: syscall64\n    selectors:\n    - matchArgs:\n"
		  "      - index: 0\n        operator: NotEqual\n        values: [sys_getpid]\n");
	dump(&f.d);
	assert_int_equal(f.r, 0);
	h = &f.c.hooks[0];
	assert_int_equal(h->cfg.slot_kind, VK_RAWTP);
	assert_string_equal(h->attach, "sys_enter");
	assert_int_equal(h->cfg.rd[0].off, 1);
	assert_int_equal(c_hook_word_top(h), 2);
	assert_int_equal(h->cfg.dims[0].test, VT_EQ);
	assert_true(h->cfg.dims[0].negate);
	assert_int_equal(h->cfg.dims[0].care, 1); /* the first selector only */
	assert_int_equal(h->cfg.num[0][0], 39);
	assert_int_equal(f.c.n_nums, 0);
	fin(&f);
}

/* A syscall tracepoint's strings are user pointers; its index counts common_* fields. */
static void tracepoint_fields_and_errors(void **state)
{
	struct fx f;

	build(&f, HDR "  tracepoints:\n  - subsystem: syscalls\n    event: sys_enter_openat\n    args:\n"
		  "    - index: 6\n      type: string\n    - index: 7\n      type: int\n    selectors:\n"
		  "    - matchArgs:\n      - index: 0\n        operator: Prefix\n        values: [/tmp/x]\n"
		  "      - index: 1\n        operator: Mask\n        values: [64]\n");
	dump(&f.d);
	assert_int_equal(f.r, 0);
	assert_int_equal(f.c.hooks[0].cfg.rd[0].how, VR_USTR);
	assert_int_equal(f.c.hooks[0].cfg.rd[0].off, 24);
	assert_int_equal(f.c.hooks[0].cfg.rd[1].how, VR_SINT);
	assert_int_equal(f.c.hooks[0].cfg.rd[1].off, 32);
	assert_int_equal(f.c.hooks[0].cfg.need_args, 3);
	assert_int_equal(c_hook_word_top(&f.c.hooks[0]), 5); /* flags, at 32, is word 4 */
	fin(&f);

	build(&f, HDR "  tracepoints:\n  - subsystem: raw_syscalls\n    event: sys_enter\n    args:\n"
		  "    - index: 9\n      type: int\n");
	assert_int_equal(f.r, -EINVAL);
	assert_non_null(strstr(f.d.v[0].msg, "has 6 fields"));
	assert_int_equal(f.d.v[0].line, 10);
	fin(&f);

	build(&f, HDR "  tracepoints:\n  - subsystem: raw_syscalls\n    event: sys_enter\n    args:\n"
		  "    - index: 5\n      type: int\n");
	assert_int_equal(f.r, -EINVAL);
	assert_non_null(strstr(f.d.v[0].msg, "48 bytes"));
	fin(&f);

	build(&f, HDR "  tracepoints:\n  - subsystem: sched\n    event: no_such_event\n");
	assert_int_equal(f.r, -EINVAL);
	assert_non_null(strstr(f.d.v[0].msg, "no such tracepoint"));
	fin(&f);
}

/* A kprobe that is not an LSM hook: a slot, syscall wrappers named as x86-64 does. */
static void kprobe_slots(void **state)
{
	struct fx f;
	const struct c_hook *h;

	build(&f, HDR "  kprobes:\n  - call: sys_openat\n    syscall: true\n    return: true\n    args:\n"
		  "    - index: 1\n      type: string\n    returnArg:\n      index: 0\n      type: int\n"
		  "    selectors:\n    - matchArgs:\n      - index: 1\n        operator: Equal\n"
		  "        values: [/etc/hostname]\n      matchReturnArgs:\n      - index: 0\n        operator: GT\n"
		  "        values: [2]\n");
	dump(&f.d);
	assert_int_equal(f.r, 0);
	h = &f.c.hooks[0];
	assert_int_equal(h->cfg.slot_kind, VK_KPROBE);
	assert_string_equal(h->attach, "__x64_sys_openat");
	assert_true(h->cfg.syscall);
	assert_true(h->cfg.ret_probe);
	assert_int_equal(h->cfg.rd[1].how, VR_USTR);
	assert_int_equal(h->cfg.rd[1].off, 1);
	assert_int_equal(h->cfg.n_dims, 2);
	assert_int_equal(h->cfg.dims[1].src, VS_RET);
	assert_int_equal(h->cfg.dims[1].test, VT_SGT); /* int: signed */
	fin(&f);

}


#define WRITE_HDR HDR "  kprobes:\n  - call: sys_write\n    return: true\n    args:\n"

/* char_buf: sized by another argument (1-based) or by the return value;
 * what veto cannot read is refused where the policy says it */
static void char_buf_sizes(void **state)
{
	static const struct { const char *arg, *msg; } bad[] = {
		{ "    - index: 1\n      type: char_buf\n", "char_buf needs sizeArgIndex" },
		{ "    - index: 1\n      type: char_buf\n      sizeArgIndex: 3\n      maxData: true\n",
		  "unsupported: maxData" },
		{ "    - index: 1\n      type: char_buf\n      sizeArgIndex: 6\n", "the first 5 arguments" },
	};
	struct fx f;
	const struct c_hook *h;

	build(&f, WRITE_HDR "    - index: 1\n      type: char_buf\n      sizeArgIndex: 3\n"
		  "    - index: 0\n      type: char_buf\n      returnCopy: true\n");
	dump(&f.d);
	assert_int_equal(f.r, 0);
	h = &f.c.hooks[0];
	assert_int_equal(h->cfg.rd[1].how, VR_BUF);
	assert_int_equal(h->cfg.rd[1].size, 3);
	assert_int_equal(h->cfg.rd[0].how, VR_RETBUF);
	assert_int_equal(h->cfg.need_args, 3);
	fin(&f);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char y[512];

		snprintf(y, sizeof(y), WRITE_HDR "%s", bad[i].arg);
		build(&f, y);
		assert_int_equal(f.r, -EINVAL);
		assert_int_equal(f.d.v[f.d.n - 1].line, 10); /* the argument's */
		assert_non_null(strstr(f.d.v[f.d.n - 1].msg, bad[i].msg));
		fin(&f);
	}
	/* matchArgs on a char_buf: refused by check (its type has no operators),
	 * tests/host/policy-errors.sh */
	/* a tracepoint has no size to take */
	build(&f, HDR "  tracepoints:\n  - subsystem: syscalls\n    event: sys_enter_openat\n    args:\n"
		  "    - index: 5\n      type: char_buf\n      sizeArgIndex: 1\n");
	assert_int_equal(f.r, -EINVAL);
	assert_non_null(strstr(f.d.v[f.d.n - 1].msg, "unsupported: char_buf on a tracepoint"));
	fin(&f);
	/* nor has an LSM hook's string */
	build(&f, HDR "  lsmhooks:\n  - hook: sb_mount\n    args:\n    - index: 0\n      type: char_buf\n"
		  "      sizeArgIndex: 2\n");
	assert_int_equal(f.r, -EINVAL);
	fin(&f);
}

/* the return value is an integer of the declared kind, or refused */
static void return_arg_types(void **state)
{
	struct fx f;

	build(&f, HDR "  kprobes:\n  - call: sys_read\n    return: true\n    returnArg:\n      index: 0\n"
		  "      type: size_t\n");
	assert_int_equal(f.r, 0);
	fin(&f);
	build(&f, HDR "  kprobes:\n  - call: sys_read\n    return: true\n    returnArg:\n      index: 0\n"
		  "      type: file\n");
	assert_int_equal(f.r, -EINVAL);
	assert_int_equal(f.d.v[f.d.n - 1].line, 10);
	assert_non_null(strstr(f.d.v[f.d.n - 1].msg, "unsupported: returnArg of type file"));
	fin(&f);
}
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(article_passwd_is_inode_keys),
		cmocka_unit_test(missing_inode_path_is_a_warning),
		cmocka_unit_test(prefix_entries_inherit_shorter_ones),
		cmocka_unit_test(equal_and_postfix_keys),
		cmocka_unit_test(parent_binaries),
		cmocka_unit_test(follow_children_and_forks),
		cmocka_unit_test(follow_limits),
		cmocka_unit_test(ten_thousand_values_one_dimension),
		cmocka_unit_test(sockaddr_and_ports),
		cmocka_unit_test(refusals_are_located),
		cmocka_unit_test(monitor_mode),
		cmocka_unit_test(rate_limit),
		cmocka_unit_test(tracefs_format_fields),
		cmocka_unit_test(syscall_names),
		cmocka_unit_test(tracepoint_syscall_list),
		cmocka_unit_test(tracepoint_fields_and_errors),
		cmocka_unit_test(raw_tracepoint_one_value),
		cmocka_unit_test(syscall_abi_late),
		cmocka_unit_test(path_verdicts_remembered),
		cmocka_unit_test(undecided_paths_fail_closed),
		cmocka_unit_test(hook_not_in_kernel),
		cmocka_unit_test(portable_env),
		cmocka_unit_test(kprobe_slots),
		cmocka_unit_test(char_buf_sizes),
		cmocka_unit_test(return_arg_types),
	};
	return cmocka_run_group_tests_name("compile", tests, NULL, NULL);
}
