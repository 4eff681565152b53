#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "compile/hooks.h"
#include "policy/policy.h"

/* ---- helpers ---- */

static void dump(const struct diag_list *d)
{
	for (size_t i = 0; i < d->n; i++)
		print_message("  %s:%u:%u: %s: %s\n", d->v[i].file, d->v[i].line, d->v[i].col,
			      diag_sev_name(d->v[i].sev), d->v[i].msg);
}

static void run(const char *yaml, size_t len, struct pol_set *s, struct diag_list *d)
{
	memset(s, 0, sizeof(*s));
	diag_init(d);
	assert_int_equal(pol_parse_buf("t.yaml", yaml, len, s, d), 0);
	assert_int_equal(pol_check(s, d), 0);
	assert_int_equal(pol_lint(s, d), 0);
	diag_sort(d);
}

static void done(struct pol_set *s, struct diag_list *d)
{
	pol_set_free(s);
	diag_free(d);
}

/* A diagnostic of this severity at exactly line:col whose message holds needle. */
static void expect(const struct diag_list *d, enum diag_sev sev, uint32_t line, uint32_t col, const char *needle)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].sev == sev && d->v[i].line == line && d->v[i].col == col && strstr(d->v[i].msg, needle))
			return;
	print_message("expected %s at %u:%u containing \"%s\"; got:\n", diag_sev_name(sev), line, col, needle);
	dump(d);
	fail();
}

static void expect_counts(const struct diag_list *d, size_t nerr, size_t nwarn)
{
	if (d->nerr != nerr || d->nwarn != nwarn) {
		print_message("expected %zu errors, %zu warnings; got %zu, %zu:\n", nerr, nwarn, d->nerr, d->nwarn);
		dump(d);
		fail();
	}
}

#define HDR "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: t\nspec:\n"

/* One policy text: errors and warnings expected. */
#define CASE(yaml, ...) do { \
	struct pol_set s_; struct diag_list d_; \
	run(yaml, strlen(yaml), &s_, &d_); \
	__VA_ARGS__; \
	done(&s_, &d_); \
} while (0)

static char *repo_path(const char *rel)
{
	char top[4096] = ".", *r;
	FILE *p = popen("git rev-parse --show-toplevel 2>/dev/null", "r");

	if (p) {
		if (fgets(top, sizeof(top), p))
			top[strcspn(top, "\n")] = 0;
		else
			strcpy(top, ".");
		pclose(p);
	}
	if (asprintf(&r, "%s/%s", top, rel) < 0)
		return NULL;
	return r;
}

static void load_file(const char *rel, struct pol_set *s, struct diag_list *d)
{
	char *path = repo_path(rel);

	assert_non_null(path);
	memset(s, 0, sizeof(*s));
	diag_init(d);
	assert_int_equal(pol_load_file(path, s, d), 0);
	diag_sort(d);
	free(path);
}

/* ---- the article and its corrections ---- */

static void article_passwd(void **state)
{
	struct pol_set s;
	struct diag_list d;

	load_file("examples/policies/article-passwd.yaml", &s, &d);
	expect_counts(&d, 0, 3);
	expect(&d, DIAG_WARNING, 1, 1, "treated as a TracingPolicy named 'article-passwd'");
	expect(&d, DIAG_WARNING, 15, 15, "Sigkill applies to every process on the node");
	expect(&d, DIAG_WARNING, 15, 15, "inode_permission runs for every access, reads included");
	assert_int_equal(s.n, 1);
	assert_string_equal(s.v[0].name, "article-passwd");
	assert_int_equal(s.v[0].hooks[0].cls, PHC_LSM);
	assert_string_equal(s.v[0].hooks[0].lsm_hook, "inode_permission");
	assert_int_equal(s.v[0].hooks[0].args[0].type, PT_INODE);
	done(&s, &d);
}

static void article_block_shell_exec(void **state)
{
	struct pol_set s;
	struct diag_list d;

	load_file("examples/policies/article-block-shell-exec.yaml", &s, &d);
	expect_counts(&d, 0, 4);
	/* (a) matchBinaries is the caller */
	expect(&d, DIAG_WARNING, 14, 15, "matchBinaries matches the process calling security_bprm_check");
	expect(&d, DIAG_WARNING, 14, 15, "declare '- index: 0, type: linux_binprm'");
	/* (b) "1" is not a namespace */
	expect(&d, DIAG_WARNING, 24, 24, "NotIn [\"1\"] excludes nothing, the host included");
	expect(&d, DIAG_WARNING, 24, 24, "host_ns");
	/* shell block without allowlist */
	expect(&d, DIAG_WARNING, 26, 15, "blocks shell execution with no allowlist");
	/* (c) argError next to Sigkill */
	expect(&d, DIAG_WARNING, 27, 15, "argError has no effect on Sigkill");
	assert_true(s.v[0].hooks[0].selectors[0].filters[1].values[0].never_matches);
	done(&s, &d);
}

static void corrected_examples_lint_clean(void **state)
{
	static const char *const files[] = { "examples/policies/block-shell-exec-fixed.yaml",
					     "examples/policies/protect-passwd.yaml" };
	/* the shell block has no pod to exempt yet: lint says so, truthfully */
	static const size_t warnings[] = { 1, 0 };
	for (size_t i = 0; i < 2; i++) {
		struct pol_set s;
		struct diag_list d;
		load_file(files[i], &s, &d);
		expect_counts(&d, 0, warnings[i]);
		assert_int_equal(s.v[0].hooks[0].cls, PHC_LSM);
		done(&s, &d);
	}
}

/* ---- the corpus: valid, or refused only as unsupported, each located ---- */

static const char *const corpus_unsupported[] = {
	"policylibrary__egress.yaml", "quickstart__network_egress_cluster.yaml",
	"tracingpolicy__datagram-with-sock-tracking.yaml", "tracingpolicy__datagram_518.yaml",
	"tracingpolicy__killer.yaml", "tracingpolicy__list-generated-ftrace.yaml", "tracingpolicy__loader.yaml",
	"tracingpolicy__open_geturl.yaml", "tracingpolicy__tcp-accept.yaml", "tracingpolicy__tcp-listen.yaml",
	"tracingpolicy__uprobe-binaries.yaml", "tracingpolicy__uprobe-host.yaml", "tracingpolicy__uprobe-pid.yaml",
	"tracingpolicy__usdt-set.yaml", "tracingpolicy__usdt.yaml",
	/* Override on a kprobe: veto denies at LSM hooks only */
	"tracingpolicy__hardlink-override.yaml", "tracingpolicy__symlink-override.yaml",
	/* pods: veto cannot tell them apart yet */
	"other__file-block-kubectl-exec-access.yaml", "quickstart__file_monitoring_enforce.yaml",
	"tracingpolicy__modules-nohost.yaml",
	"tracingpolicy__fd_install_cap_changes.yaml", "tracingpolicy__stack_traces.yaml",
};

/* The corpus's plain errors (not "unsupported:"), each at its key: a positive
 * argError, which a hook cannot return to deny. */
static const struct {
	const char *file;
	uint32_t line, col;
	const char *msg;
} corpus_errors[] = {
	{ "tracingpolicy__cves__cve-2023-2640-overlayfs-ubuntu.yaml", 55, 9, "argError 1 is not a negative errno" },
	{ "tracingpolicy__security-socket-connect-block-others.yaml", 57, 9, "argError 1 is not a negative errno" },
};

static void corpus(void **state)
{
	char *dir = repo_path("../shared/corpus/tetragon-policies");
	struct dirent *e;
	size_t files = 0, valid = 0;
	DIR *dp;

	assert_non_null(dir);
	dp = opendir(dir);
	if (!dp) {
		print_message("corpus not found at %s\n", dir);
		free(dir);
		skip();
	}
	while ((e = readdir(dp))) {
		struct pol_set s = { 0 };
		struct diag_list d;
		bool expect_unsup = false;
		size_t plain = SIZE_MAX;
		char *path;

		if (e->d_name[0] == '.')
			continue;
		for (size_t i = 0; i < sizeof(corpus_unsupported) / sizeof(*corpus_unsupported); i++)
			if (!strcmp(e->d_name, corpus_unsupported[i]))
				expect_unsup = true;
		for (size_t i = 0; i < sizeof(corpus_errors) / sizeof(*corpus_errors); i++)
			if (!strcmp(e->d_name, corpus_errors[i].file))
				plain = i;
		assert_true(asprintf(&path, "%s/%s", dir, e->d_name) > 0);
		diag_init(&d);
		assert_int_equal(pol_load_file(path, &s, &d), 0);
		if (plain != SIZE_MAX) {
			expect(&d, DIAG_ERROR, corpus_errors[plain].line, corpus_errors[plain].col,
			       corpus_errors[plain].msg);
			expect_counts(&d, 1, d.nwarn);
			expect_unsup = true;
		}
		for (size_t i = 0; i < d.n && plain == SIZE_MAX; i++) {
			if (d.v[i].line == 0 || d.v[i].col == 0 ||
			    (d.v[i].sev == DIAG_ERROR && strncmp(d.v[i].msg, "unsupported: ", 13))) {
				print_message("%s:\n", e->d_name);
				dump(&d);
				fail();
			}
		}
		if (expect_unsup != (d.nerr > 0)) {
			print_message("%s: expected %s\n", e->d_name, expect_unsup ? "unsupported" : "valid");
			dump(&d);
			fail();
		}
		files++;
		valid += d.nerr == 0;
		free(path);
		done(&s, &d);
	}
	closedir(dp);
	free(dir);
	assert_true(files >= 60);
	print_message("corpus: %zu files, %zu valid, %zu refused as unsupported\n", files, valid, files - valid);
}

static void corpus_unsupported_lines(void **state)
{
	struct pol_set s;
	struct diag_list d;
	char *dir = repo_path("../shared/corpus/tetragon-policies");
	DIR *dp = dir ? opendir(dir) : NULL;

	free(dir);
	if (!dp)
		skip();
	closedir(dp);

	load_file("../shared/corpus/tetragon-policies/tracingpolicy__killer.yaml", &s, &d);
	expect_counts(&d, 2, 0);
	expect(&d, DIAG_ERROR, 13, 3, "unsupported: enforcers");
	expect(&d, DIAG_ERROR, 33, 17, "unsupported: action NotifyEnforcer");
	done(&s, &d);
	load_file("../shared/corpus/tetragon-policies/tracingpolicy__uprobe-pid.yaml", &s, &d);
	expect_counts(&d, 1, 0);
	expect(&d, DIAG_ERROR, 6, 3, "unsupported: uprobes: veto has no uprobe sensor yet");
	assert_non_null(s.v[0].hooks[0].unsupported);
	done(&s, &d);
	load_file("../shared/corpus/tetragon-policies/policylibrary__egress.yaml", &s, &d);
	expect(&d, DIAG_ERROR, 18, 11, "unsupported: template variable '${PODCIDR}'");
	assert_int_equal(s.v[0].n_unsupported, 2);
	done(&s, &d);
}

/* ---- language ---- */

static void multi_document_and_kinds(void **state)
{
	CASE("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n---\n" HDR
	     "  options:\n  - name: policy-mode\n    value: monitor\n"
	     "  lsmhooks:\n  - hook: file_open\n    args:\n    - index: 0\n      type: file\n"
	     "---\napiVersion: cilium.io/v1alpha1\nkind: TracingPolicyNamespaced\nmetadata:\n"
	     "  name: u\n  namespace: team-a\nspec:\n  tracepoints:\n  - subsystem: raw_syscalls\n"
	     "    event: sys_enter\n    args:\n    - index: 4\n      type: syscall64\n",
	     expect_counts(&d_, 1, 1);
	     expect(&d_, DIAG_WARNING, 1, 1, "skipped document 1: kind Pod (apiVersion v1) is not a TracingPolicy");
	     expect(&d_, DIAG_ERROR, 21, 7, "unsupported: TracingPolicyNamespaced: veto cannot tell pods apart");
	     assert_int_equal(s_.n, 2);
	     assert_int_equal(s_.v[0].mode, PM_MONITOR);
	     assert_int_equal(s_.v[0].hooks[0].kind, PH_LSM);
	     assert_int_equal(s_.v[1].kind, PK_TRACING_POLICY_NAMESPACED);
	     assert_string_equal(s_.v[1].namespace, "team-a");
	     assert_int_equal(s_.v[1].hooks[0].cls, PHC_TRACEPOINT));
}

static void values_are_typed(void **state)
{
	CASE(HDR "  kprobes:\n  - call: tcp_connect\n    syscall: false\n    args:\n    - index: 0\n      type: sock\n"
	     "    selectors:\n    - matchArgs:\n      - index: 0\n        operator: NotDAddr\n"
	     "        values: [\"10.0.0.0/8\", \"fd00::/8\", 127.0.0.1]\n"
	     "      - index: 0\n        operator: DPort\n        values: [\"443\", \"8000:8999\"]\n"
	     "      - index: 0\n        operator: Protocol\n        values: [IPPROTO_TCP, 17]\n"
	     "      - index: 0\n        operator: DPortPriv\n"
	     "      matchCapabilities:\n      - type: Effective\n        operator: In\n        values: [CAP_SYS_ADMIN]\n",
	     expect_counts(&d_, 0, 0);
	     const struct pol_filter *f = s_.v[0].hooks[0].selectors[0].filters;
	     assert_int_equal(f[0].values[0].kind, PV_CIDR);
	     assert_int_equal(f[0].values[0].v.cidr.prefix, 8);
	     assert_int_equal(f[0].values[1].v.cidr.family, 6);
	     assert_int_equal(f[0].values[2].v.cidr.prefix, 32);
	     assert_int_equal(f[1].values[1].v.ports.lo, 8000);
	     assert_int_equal(f[1].values[1].v.ports.hi, 8999);
	     assert_int_equal(f[2].values[0].v.u, 6);
	     assert_int_equal(f[2].values[1].v.u, 17);
	     assert_true(pol_op_negated(f[0].op));
	     assert_int_equal(f[4].values[0].v.u, 21));
}

static void no_small_limits(void **state)
{
	/* 64 selectors and 10000 values are fine: the kernel design takes them */
	size_t cap = 1 << 20, o = 0;
	char *y = malloc(cap);

	assert_non_null(y);
	o += (size_t)snprintf(y + o, cap - o, HDR "  lsmhooks:\n  - hook: file_open\n    args:\n    - index: 0\n"
			      "      type: file\n    selectors:\n");
	for (int i = 0; i < 63; i++)
		o += (size_t)snprintf(y + o, cap - o, "    - matchArgs:\n      - index: 0\n        operator: Prefix\n"
				      "        values: [\"/s%d\"]\n", i);
	o += (size_t)snprintf(y + o, cap - o, "    - matchArgs:\n      - index: 0\n        operator: Prefix\n"
			      "        values: [\"/x\"");
	for (int i = 0; i < 10000; i++)
		o += (size_t)snprintf(y + o, cap - o, ", \"/v%d\"", i);
	o += (size_t)snprintf(y + o, cap - o, "]\n");
	CASE(y, expect_counts(&d_, 0, 0); assert_int_equal(s_.v[0].hooks[0].n_selectors, 64);
	     assert_int_equal(s_.v[0].hooks[0].selectors[63].filters[0].n_values, 10001));
	/* the 65th selector is one bit too many */
	o += (size_t)snprintf(y + o, cap - o, "    - matchArgs:\n      - index: 0\n        operator: Prefix\n"
			      "        values: [\"/z\"]\n");
	CASE(y, expect_counts(&d_, 1, 0); expect(&d_, DIAG_ERROR, 12 + 64 * 4, 7, "more than 64 selectors"));
	free(y);
}

/* ---- located errors ---- */

static void unknown_names_suggest(void **state)
{
	CASE(HDR "  kprobes:\n  - call: security_file_open\n    syscal: false\n",
	     expect_counts(&d_, 1, 0);
	     expect(&d_, DIAG_ERROR, 8, 5, "unknown field 'syscal' in kprobe (did you mean 'syscall'?)"));
	CASE(HDR "  lsmhooks:\n  - hook: bprm_check\n",
	     expect_counts(&d_, 1, 0);
	     expect(&d_, DIAG_ERROR, 7, 11, "unknown LSM hook 'bprm_check' (did you mean 'bprm_check_security'?)"));
	CASE(HDR "  lsmhooks:\n  - hook: file_opem\n",
	     expect(&d_, DIAG_ERROR, 7, 11, "did you mean 'file_open'?"));
	CASE(HDR "  kprobes:\n  - call: f\n    syscall: false\n    args:\n    - index: 0\n      type: filee\n",
	     expect(&d_, DIAG_ERROR, 11, 13, "unknown argument type 'filee' (did you mean 'file'?)"));
	CASE(HDR "  kprobes:\n  - call: f\n    syscall: false\n    args:\n    - index: 0\n      type: int\n"
	     "    selectors:\n    - matchArgs:\n      - index: 0\n        operator: Equals\n        values: [1]\n",
	     expect(&d_, DIAG_ERROR, 15, 19, "unknown operator 'Equals' (did you mean 'Equal'?)"));
	CASE(HDR "  kprobes:\n  - call: f\n    syscall: false\n    selectors:\n    - matchActions:\n"
	     "      - action: Sigkil\n",
	     expect(&d_, DIAG_ERROR, 11, 17, "unknown action 'Sigkil' (did you mean 'Sigkill'?)"));
	CASE("apiVersion: cilium.io/v1alpha1\nkind: TracingPolicies\nmetadata:\n  name: t\nspec: {}\n",
	     expect(&d_, DIAG_ERROR, 2, 7, "unknown kind 'TracingPolicies'"));
	CASE(HDR "  kprobez: []\n", expect(&d_, DIAG_ERROR, 6, 3, "unknown field 'kprobez' in spec (did you mean 'kprobes'?)"));
	CASE(HDR "  options:\n  - name: policy-mod\n    value: enforce\n",
	     expect(&d_, DIAG_ERROR, 7, 5, "unknown option 'policy-mod' (did you mean 'policy-mode'?)"));
}

static void wrong_types(void **state)
{
	CASE(HDR "  kprobes:\n  - call: f\n    syscall: yes\n",
	     expect(&d_, DIAG_ERROR, 8, 14, "syscall must be true or false, got 'yes'"));
	CASE(HDR "  kprobes:\n  - call: f\n    syscall: \"false\"\n",
	     expect(&d_, DIAG_ERROR, 8, 14, "remove the quotes"));
	CASE(HDR "  kprobes:\n  - call: f\n    syscall: false\n    args:\n    - index: \"0\"\n      type: int\n",
	     expect(&d_, DIAG_ERROR, 10, 14, "index must be an integer, got the string \"0\""));
	CASE(HDR "  kprobes: {call: f}\n", expect(&d_, DIAG_ERROR, 6, 12, "kprobes must be a list, got a mapping"));
	CASE(HDR "  kprobes:\n  - call: [a]\n", expect(&d_, DIAG_ERROR, 7, 11, "call must be a string, got a list"));
	CASE("- a\n- b\n", expect(&d_, DIAG_ERROR, 1, 1, "a policy document must be a mapping, got a list"));
	CASE(HDR "  kprobes:\n  - call: f\n    call: g\n",
	     expect(&d_, DIAG_ERROR, 8, 5, "duplicate field 'call' in kprobe (first at 7:5)"));
	CASE("apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: Bad_Name\nspec: {}\n",
	     expect(&d_, DIAG_ERROR, 4, 9, "invalid name 'Bad_Name'"));
	CASE("apiVersion: cilium.io/v1\nkind: TracingPolicy\nmetadata:\n  name: t\nspec: {}\n",
	     expect(&d_, DIAG_ERROR, 1, 13, "unsupported apiVersion 'cilium.io/v1'"));
	CASE("kind: TracingPolicy\nmetadata:\n  name: t\nspec: {}\n",
	     expect(&d_, DIAG_ERROR, 1, 1, "missing apiVersion"));
}

static void semantic_errors(void **state)
{
	/* index out of range, and a filter on an undeclared argument */
	CASE(HDR "  kprobes:\n  - call: f\n    syscall: false\n    args:\n    - index: 6\n      type: int\n"
	     "    selectors:\n    - matchArgs:\n      - index: 1\n        operator: Equal\n        values: [1]\n",
	     expect_counts(&d_, 2, 0);
	     expect(&d_, DIAG_ERROR, 10, 7, "argument index 6 is out of range: a hook can read arguments 0 to 5");
	     expect(&d_, DIAG_ERROR, 14, 9, "matchArgs index 1: no argument with that index in args (declared: 6)"));
	/* operator not valid for the type, value not a number */
	CASE(HDR "  kprobes:\n  - call: f\n    syscall: false\n    args:\n    - index: 0\n      type: int\n"
	     "    - index: 1\n      type: uint32\n"
	     "    selectors:\n    - matchArgs:\n      - index: 0\n        operator: Prefix\n        values: [\"/x\"]\n"
	     "      - index: 1\n        operator: Equal\n        values: [\"-1\", abc]\n",
	     expect_counts(&d_, 3, 0);
	     expect(&d_, DIAG_ERROR, 17, 19, "operator Prefix is not valid for argument 0 of type int (valid: Equal");
	     expect(&d_, DIAG_ERROR, 21, 18, "value -1 is out of range for uint32");
	     expect(&d_, DIAG_ERROR, 21, 24, "'abc' is not a number"));
	/* addresses, ports, namespaces, capabilities */
	CASE(HDR "  kprobes:\n  - call: tcp_connect\n    syscall: false\n    args:\n    - index: 0\n      type: sock\n"
	     "    selectors:\n    - matchArgs:\n      - index: 0\n        operator: DAddr\n        values: [\"10.0.0.0/33\"]\n"
	     "      - index: 0\n        operator: SPort\n        values: [\"9:1\"]\n"
	     "      matchNamespaces:\n      - namespace: Pid\n        operator: In\n        values: [host_ns, x]\n"
	     "      matchCapabilities:\n      - type: Effective\n        operator: In\n        values: [CAP_NOPE]\n",
	     expect_counts(&d_, 4, 0);
	     expect(&d_, DIAG_ERROR, 16, 18, "'10.0.0.0/33' is not an IPv4/IPv6 address or CIDR");
	     expect(&d_, DIAG_ERROR, 19, 18, "port range '9:1' is out of 0..65535 or reversed");
	     expect(&d_, DIAG_ERROR, 23, 27, "'x' is not a namespace inode number or host_ns");
	     expect(&d_, DIAG_ERROR, 27, 18, "'CAP_NOPE' is not a capability"));
	CASE(HDR "  kprobes:\n  - call: f\n    syscall: false\n    selectors:\n    - matchNamespaces:\n"
	     "      - namespace: Pidd\n        operator: In\n        values: [host_ns]\n",
	     expect_counts(&d_, 1, 0);
	     expect(&d_, DIAG_ERROR, 11, 20, "unknown namespace 'Pidd' (did you mean 'Pid'?)"));
	/* actions that need arguments, or that cannot work where they are */
	CASE(HDR "  tracepoints:\n  - subsystem: raw_syscalls\n    event: sys_enter\n    selectors:\n"
	     "    - matchActions:\n      - action: Override\n      - action: Signal\n",
	     expect_counts(&d_, 3, 2);
	     expect(&d_, DIAG_ERROR, 11, 9, "Override needs argError");
	     expect(&d_, DIAG_ERROR, 11, 9, "Override cannot work on a tracepoint");
	     expect(&d_, DIAG_WARNING, 11, 9, "Override applies to every process on the node");
	     expect(&d_, DIAG_ERROR, 12, 9, "Signal needs argSig");
	     expect(&d_, DIAG_WARNING, 12, 9, "Signal on tracepoint raw_syscalls/sys_enter kills the caller but "
					     "cannot stop the operation"));
	CASE(HDR "  kprobes:\n  - call: sys_openat\n    returnArg:\n      type: int\n    selectors:\n"
	     "    - matchReturnArgs:\n      - operator: Equal\n        values: [0]\n",
	     expect(&d_, DIAG_ERROR, 12, 9, "matchReturnArgs needs 'return: true' on the hook");
	     expect(&d_, DIAG_WARNING, 9, 7, "returnArg has no effect without 'return: true'"));
	/* duplicate names across documents, duplicate argument indexes */
	CASE(HDR "  kprobes: []\n---\n" HDR "  kprobes:\n  - call: f\n    syscall: false\n    args:\n"
	     "    - index: 0\n      type: int\n    - index: 0\n      type: int\n",
	     expect(&d_, DIAG_ERROR, 8, 1, "duplicate policy name 't' (first at 1:1)");
	     expect(&d_, DIAG_ERROR, 19, 7, "argument index 0 is declared twice (first at 17:7)"));
	CASE(HDR "  kprobes:\n  - call: list:nope\n",
	     expect(&d_, DIAG_ERROR, 7, 11, "no list named 'nope' in spec.lists"));
}

static void lint_warnings(void **state)
{
	char longv[400];

	/* values that can never match */
	memset(longv, 'a', sizeof(longv));
	longv[0] = '/';
	longv[300] = 0;
	{
		char y[2048];
		snprintf(y, sizeof(y), HDR "  lsmhooks:\n  - hook: file_open\n    args:\n    - index: 0\n      type: file\n"
			 "    selectors:\n    - matchArgs:\n      - index: 0\n        operator: Prefix\n"
			 "        values: [\"etc/passwd\", \"%s\"]\n      matchBinaries:\n      - operator: In\n"
			 "        values: [bash]\n", longv);
		CASE(y, expect_counts(&d_, 0, 3);
		     expect(&d_, DIAG_WARNING, 15, 18, "'etc/passwd' can never match: path arguments are absolute paths");
		     expect(&d_, DIAG_WARNING, 15, 32, "this 300-byte value can never match: the kernel compares at most 256");
		     expect(&d_, DIAG_WARNING, 18, 18, "'bash' can never match: binaries are absolute paths"));
	}
	/* Sigkill alone on a syscall, on a plain function; file_open and O_CREAT */
	CASE(HDR "  kprobes:\n  - call: sys_openat\n    selectors:\n    - matchBinaries:\n      - operator: In\n"
	     "        values: [/usr/bin/curl]\n      matchActions:\n      - action: Sigkill\n"
	     "  - call: tcp_connect\n    syscall: false\n    selectors:\n    - matchPIDs:\n      - operator: NotIn\n"
	     "        values: [1]\n      matchActions:\n      - action: Override\n        argError: -1\n"
	     "  lsmhooks:\n  - hook: file_open\n    selectors:\n    - matchNamespaces:\n      - namespace: Mnt\n"
	     "        operator: NotIn\n        values: [host_ns]\n      matchActions:\n      - action: Override\n"
	     "        argError: -13\n",
	     expect_counts(&d_, 1, 2);
	     expect(&d_, DIAG_WARNING, 13, 9, "Sigkill on system call sys_openat kills the caller only after the call completes");
	     expect(&d_, DIAG_ERROR, 21, 9, "unsupported: Override on a kprobe of tcp_connect: veto denies at LSM hooks only");
	     expect(&d_, DIAG_WARNING, 31, 9, "file_open runs after open(O_CREAT) has created a missing file"));
	/* kprobe defaults to syscall: true; cluster-wide namespace */
	CASE("apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: t\n  namespace: a\nspec:\n"
	     "  kprobes:\n  - call: security_file_open\n",
	     expect_counts(&d_, 0, 2);
	     expect(&d_, DIAG_WARNING, 1, 1, "metadata.namespace does not limit a TracingPolicy");
	     expect(&d_, DIAG_WARNING, 8, 11, "syscall defaults to true, but security_file_open is not a system call"));
	/* first match wins: an earlier Post selector is the allowlist */
	CASE(HDR "  lsmhooks:\n  - hook: bprm_check_security\n    args:\n    - index: 0\n      type: linux_binprm\n"
	     "    selectors:\n    - matchArgs:\n      - index: 0\n        operator: Postfix\n        values: [/sh]\n"
	     "      matchParentBinaries:\n      - operator: In\n        values: [/usr/local/bin/app]\n"
	     "      matchActions:\n      - action: Post\n"
	     "    - matchArgs:\n      - index: 0\n        operator: Postfix\n        values: [/sh]\n"
	     "      matchNamespaces:\n      - namespace: Pid\n        operator: NotIn\n        values: [host_ns]\n"
	     "      matchActions:\n      - action: Sigkill\n",
	     expect_counts(&d_, 0, 0));
}

/* ---- malformed input: located error, never a crash or hang ---- */

static void malformed(void **state)
{
	static const char nul[] = "apiVersion: cilium.io/v1alpha1\nkind: \0TracingPolicy\n";
	static const char bad_utf8[] = "a: \xff\xfe\n";

	CASE("", expect_counts(&d_, 1, 0); expect(&d_, DIAG_ERROR, 1, 1, "empty file: no policy document"));
	CASE("  \n# only a comment\n\n", expect(&d_, DIAG_ERROR, 1, 1, "empty file"));
	CASE("---\n---\n", expect(&d_, DIAG_ERROR, 1, 1, "empty file"));
	CASE("a: [1\n", expect(&d_, DIAG_ERROR, 2, 1, "invalid YAML: did not find expected ',' or ']'"));
	CASE("a: \"open\n", expect_counts(&d_, 1, 0); expect(&d_, DIAG_ERROR, 2, 1, "invalid YAML: found unexpected end of stream"));
	CASE("a:\n\tb: 1\n", expect(&d_, DIAG_ERROR, 2, 1, "invalid YAML"));
	CASE("x: &a 1\ny: *a\n", expect(&d_, DIAG_ERROR, 2, 4, "unsupported: YAML alias '*a'"));
	{
		struct pol_set s;
		struct diag_list d;
		run(nul, sizeof(nul) - 1, &s, &d);
		expect(&d, DIAG_ERROR, 2, 7, "invalid YAML: control characters are not allowed");
		done(&s, &d);
		run(bad_utf8, sizeof(bad_utf8) - 1, &s, &d);
		expect(&d, DIAG_ERROR, 1, 4, "invalid YAML: invalid leading UTF-8 octet");
		done(&s, &d);
	}
	/* binary garbage, deterministic */
	{
		unsigned char g[4096];
		uint32_t x = 12345;
		for (size_t i = 0; i < sizeof(g); i++) {
			x = x * 1103515245 + 12345;
			g[i] = (unsigned char)(x >> 16);
		}
		struct pol_set s;
		struct diag_list d;
		run((const char *)g, sizeof(g), &s, &d);
		assert_true(d.nerr >= 1);
		assert_true(d.v[0].line >= 1);
		done(&s, &d);
	}
}

static void huge_and_deep(void **state)
{
	size_t big = 100u << 20;
	char *y = malloc(big + 1);
	struct pol_set s;
	struct diag_list d;

	assert_non_null(y);
	/* 100 MB: refused by size before any parsing */
	memset(y, 'a', big);
	y[big] = 0;
	run(y, big, &s, &d);
	expect_counts(&d, 1, 0);
	expect(&d, DIAG_ERROR, 1, 1, "file is 104857600 bytes: a policy may be at most 16 MiB");
	done(&s, &d);
	/* nesting: flow and block */
	memset(y, '[', 100000);
	run(y, 100000, &s, &d);
	expect_counts(&d, 1, 0);
	expect(&d, DIAG_ERROR, 1, 65, "nesting deeper than 64 levels");
	done(&s, &d);
	{
		size_t o = 0;
		for (int i = 0; i < 100; i++)
			o += (size_t)sprintf(y + o, "%*sk%d:\n", i, "", i);
		run(y, o, &s, &d);
		expect(&d, DIAG_ERROR, 65, 65, "nesting deeper than 64 levels");
		done(&s, &d);
	}
	/* many nodes in a small file: bounded */
	{
		size_t n = 0;
		n += (size_t)sprintf(y, "a: [");
		for (size_t i = 0; i < POL_MAX_NODES + 10; i++) {
			y[n++] = '1';
			y[n++] = ',';
		}
		y[n++] = ']';
		run(y, n, &s, &d);
		expect(&d, DIAG_ERROR, 1, 5 + 2 * (POL_MAX_NODES - 3), "too many YAML nodes");
		done(&s, &d);
	}
	free(y);
}

/* Every prefix and many byte flips of a real policy: never a crash (ASan watches). */
static void mutations(void **state)
{
	struct pol_set s;
	struct diag_list d;
	char *path = repo_path("examples/policies/article-block-shell-exec.yaml");
	char buf[4096];
	size_t len;
	FILE *f;
	uint32_t x = 7;

	assert_non_null(path);
	f = fopen(path, "r");
	free(path);
	assert_non_null(f);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	for (size_t cut = 0; cut <= len; cut += 7) {
		run(buf, cut, &s, &d);
		done(&s, &d);
	}
	for (int i = 0; i < 3000; i++) {
		char m[4096];
		memcpy(m, buf, len);
		for (int k = 0; k < 3; k++) {
			x = x * 1103515245 + 12345;
			m[(x >> 8) % len] = " :-\n[]{}#\"'x0&*!|>"[(x >> 20) % 19];
		}
		run(m, len, &s, &d);
		done(&s, &d);
	}
}

/* Every LSM hook lint can suggest is one veto has a program for. */
static void lint_hints_are_hooks(void **state)
{
	const char *hint;
	size_t i;

	for (i = 0; (hint = pol_lint_lsm_hint(i)); i++) {
		char buf[128], *save = NULL;

		snprintf(buf, sizeof(buf), "%s", hint);
		for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			if (!strcmp(tok, "and"))
				continue;
			int id = hook_find(tok);
			if (id < 0 || strcmp(hook_table[id].name, tok))
				fail_msg("lint suggests '%s', not a hook of bpf/hooks.def", tok);
		}
	}
	assert_true(i > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(article_passwd),
		cmocka_unit_test(article_block_shell_exec),
		cmocka_unit_test(corrected_examples_lint_clean),
		cmocka_unit_test(corpus),
		cmocka_unit_test(corpus_unsupported_lines),
		cmocka_unit_test(multi_document_and_kinds),
		cmocka_unit_test(values_are_typed),
		cmocka_unit_test(no_small_limits),
		cmocka_unit_test(unknown_names_suggest),
		cmocka_unit_test(wrong_types),
		cmocka_unit_test(semantic_errors),
		cmocka_unit_test(lint_warnings),
		cmocka_unit_test(lint_hints_are_hooks),
		cmocka_unit_test(malformed),
		cmocka_unit_test(huge_and_deep),
		cmocka_unit_test(mutations),
	};
	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
