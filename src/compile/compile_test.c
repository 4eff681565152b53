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

static const struct compile_env env = {
	.host_ns = { [VN_PID] = 4026531836u, [VN_MNT] = 4026531841u },
	.stat_path = fake_stat,
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

static void build(struct fx *f, const char *yaml)
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
	f->r = compile_policy(&f->s.v[0], "t.yaml", &env, &f->c, &f->d);
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

	/* a namespaced policy is never applied node-wide */
	build(&f, "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicyNamespaced\nmetadata:\n  name: t\n"
		  "  namespace: prod\nspec:\n  lsmhooks:\n  - hook: file_open\n");
	assert_int_equal(f.r, -EINVAL);
	assert_non_null(strstr(f.d.v[f.d.n - 1].msg, "TracingPolicyNamespaced"));
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(article_passwd_is_inode_keys),
		cmocka_unit_test(missing_inode_path_is_a_warning),
		cmocka_unit_test(prefix_entries_inherit_shorter_ones),
		cmocka_unit_test(equal_and_postfix_keys),
		cmocka_unit_test(ten_thousand_values_one_dimension),
		cmocka_unit_test(sockaddr_and_ports),
		cmocka_unit_test(refusals_are_located),
		cmocka_unit_test(monitor_mode),
		cmocka_unit_test(rate_limit),
	};
	return cmocka_run_group_tests_name("compile", tests, NULL, NULL);
}
