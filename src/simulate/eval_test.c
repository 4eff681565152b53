#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "simulate/replay.h"

#define HDR "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: t\nspec:\n"

struct fx {
	struct pol_set s;
	struct diag_list d;
	struct sim_policy p;
};

static void build(struct fx *f, const char *spec)
{
	char yaml[4096];
	struct compile_env env;

	snprintf(yaml, sizeof(yaml), HDR "%s", spec);
	memset(f, 0, sizeof(*f));
	diag_init(&f->d);
	assert_int_equal(pol_parse_buf("t.yaml", yaml, strlen(yaml), &f->s, &f->d), 0);
	assert_int_equal(pol_check(&f->s, &f->d), 0);
	compile_env_portable(&env);
	memset(env.host_ns, 0, sizeof(env.host_ns));
	if (!f->d.nerr)
		assert_int_equal(compile_policy(&f->s.v[0], "t.yaml", &env, &f->p.c, &f->d), 0);
	for (size_t i = 0; i < f->d.n; i++)
		if (f->d.v[i].sev == DIAG_ERROR)
			print_message("  %u:%u: %s\n", f->d.v[i].line, f->d.v[i].col, f->d.v[i].msg);
	assert_int_equal(f->d.nerr, 0);
	f->p.file = "t.yaml";
	assert_int_equal(sim_policy_index(&f->p), 0);
}

static void fin(struct fx *f)
{
	sim_policy_free(&f->p);
	pol_set_free(&f->s);
	diag_free(&f->d);
}

/* Evaluates one event line; returns the selector (-1 none), *undecided. */
static int eval_line(struct fx *f, const char *json, bool *undecided, const struct sim_follow *fol)
{
	char *line = strdup(json), why[96];
	struct sim_event e;
	struct sim_verdict v;
	struct sim_hook *sh;
	size_t col;

	assert_non_null(line);
	static struct sim_parser ps;

	memset(&ps, 0, sizeof(ps));
	ps.want = SIM_WANT_CAPS | SIM_WANT_NS;
	if (sim_event_parse(&ps, line, strlen(line), &e, &col, why, sizeof(why))) {
		print_message("  col %zu: %s\n", col, why);
		fail_msg("event does not parse");
	}
	sh = sim_hook_of(&f->p, &e);
	assert_non_null(sh);
	sim_eval(&f->p, sh, &e, fol, &v);
	sim_parser_free(&ps);
	free(line);
	if (undecided)
		*undecided = v.undecided;
	return v.sel;
}

static char buf[4096];

/* A process_lsm event of hook fn by binary, with args (JSON list body) and
 * process members (",..." or ""). */
static const char *lsm(const char *fn, const char *binary, const char *args, const char *proc)
{
	snprintf(buf, sizeof(buf),
		 "{\"process_lsm\":{\"process\":{\"exec_id\":\"e1\",\"pid\":7,\"binary\":\"%s\"%s},"
		 "\"parent\":{\"exec_id\":\"e0\",\"binary\":\"/bin/sh\"},\"function_name\":\"%s\","
		 "\"args\":[%s],\"action\":\"KPROBE_ACTION_POST\"},\"node_name\":\"n\",\"time\":\"2026-01-01T00:00:00Z\"}",
		 binary, proc, fn, args);
	return buf;
}

static const char *file_open(const char *path)
{
	static char a[600];

	snprintf(a, sizeof(a), "{\"file_arg\":{\"path\":\"%s\",\"permission\":\"-rw-r--r--\"}}", path);
	return lsm("file_open", "/usr/bin/cat", a, "");
}

#define FOPEN "  lsmhooks:\n  - hook: file_open\n    args:\n    - index: 0\n      type: file\n    selectors:\n"

static void equal_prefix_postfix(void **state)
{
	struct fx f;

	build(&f, FOPEN
		  "    - matchArgs:\n      - index: 0\n        operator: Equal\n        values: [/etc/passwd]\n"
		  "      matchActions:\n      - action: Override\n        argError: -1\n"
		  "    - matchArgs:\n      - index: 0\n        operator: Prefix\n        values: [/etc/, /var/lib]\n"
		  "      matchActions:\n      - action: Sigkill\n"
		  "    - matchArgs:\n      - index: 0\n        operator: Postfix\n        values: [.key]\n");
	assert_int_equal(eval_line(&f, file_open("/etc/passwd"), NULL, NULL), 0);
	/* Equal is whole: a longer path falls to the Prefix selector */
	assert_int_equal(eval_line(&f, file_open("/etc/passwd2"), NULL, NULL), 1);
	assert_int_equal(eval_line(&f, file_open("/var/lib/x"), NULL, NULL), 1);
	assert_int_equal(eval_line(&f, file_open("/var/libx"), NULL, NULL), 1);
	assert_int_equal(eval_line(&f, file_open("/etc"), NULL, NULL), -1);
	assert_int_equal(eval_line(&f, file_open("/home/a/id.key"), NULL, NULL), 2);
	assert_int_equal(eval_line(&f, file_open("/home/a/id.keys"), NULL, NULL), -1);
	assert_int_equal(eval_line(&f, file_open("/tmp/x"), NULL, NULL), -1);
	assert_string_equal(sim_sel_action(&f.p.hooks[0], 0), "deny");
	assert_string_equal(sim_sel_action(&f.p.hooks[0], 1), "kill");
	assert_string_equal(sim_sel_action(&f.p.hooks[0], 2), "post");
	fin(&f);
}

static void negated_operators(void **state)
{
	struct fx f;

	build(&f, FOPEN
		  "    - matchArgs:\n      - index: 0\n        operator: NotPrefix\n        values: [/usr/, /lib]\n"
		  "      - index: 0\n        operator: NotPostfix\n        values: [.so]\n"
		  "      - index: 0\n        operator: NotEqual\n        values: [/etc/hosts]\n"
		  "      matchActions:\n      - action: Override\n        argError: -1\n");
	assert_int_equal(eval_line(&f, file_open("/etc/passwd"), NULL, NULL), 0);
	assert_int_equal(eval_line(&f, file_open("/usr/bin/x"), NULL, NULL), -1);
	assert_int_equal(eval_line(&f, file_open("/opt/a.so"), NULL, NULL), -1);
	assert_int_equal(eval_line(&f, file_open("/etc/hosts"), NULL, NULL), -1);
	assert_int_equal(eval_line(&f, file_open("/etc/hosts.allow"), NULL, NULL), 0);
	fin(&f);
}

/* A path the kernel could not resolve whole: undecided filters count as
 * satisfied where the selector denies or kills, as in the kernel. */
static void cut_path_undecided(void **state)
{
	struct fx f;
	const char *ev = lsm("file_open", "/usr/bin/cat",
			     "{\"file_arg\":{\"path\":\"x/passwd\",\"flags\":\"unresolvedPathComponents\"}}", "");

	build(&f, FOPEN
		  "    - matchArgs:\n      - index: 0\n        operator: Prefix\n        values: [/etc/]\n"
		  "      matchActions:\n      - action: Post\n"
		  "    - matchArgs:\n      - index: 0\n        operator: Prefix\n        values: [/etc/]\n"
		  "      matchActions:\n      - action: Override\n        argError: -1\n");
	assert_int_equal(eval_line(&f, ev, NULL, NULL), 1);
	fin(&f);
	/* a negated filter's undecided hits clear only selectors that have it */
	build(&f, FOPEN
		  "    - matchBinaries:\n      - operator: In\n        values: [/usr/bin/cat]\n"
		  "      matchActions:\n      - action: Post\n"
		  "    - matchArgs:\n      - index: 0\n        operator: NotPrefix\n        values: [/etc/]\n"
		  "      matchActions:\n      - action: Override\n        argError: -1\n");
	assert_int_equal(eval_line(&f, ev, NULL, NULL), 0);
	fin(&f);
}

static void numbers_mask_gt_lt(void **state)
{
	struct fx f;
	char a[256];

	build(&f, "  lsmhooks:\n  - hook: file_permission\n    args:\n    - index: 0\n      type: file\n"
		  "    - index: 1\n      type: int\n    selectors:\n"
		  "    - matchArgs:\n      - index: 1\n        operator: Mask\n        values: [2]\n"
		  "      - index: 0\n        operator: Prefix\n        values: [/etc/]\n"
		  "      matchActions:\n      - action: Override\n        argError: -1\n"
		  "    - matchArgs:\n      - index: 1\n        operator: GT\n        values: [10]\n"
		  "      matchActions:\n      - action: Sigkill\n"
		  "    - matchArgs:\n      - index: 1\n        operator: LT\n        values: [0]\n"
		  "    - matchArgs:\n      - index: 1\n        operator: Equal\n        values: [4, 5]\n");
#define FP(path, n) (snprintf(a, sizeof(a), "{\"file_arg\":{\"path\":\"%s\"}},{\"int_arg\":%d}", path, n), \
		     lsm("file_permission", "/bin/x", a, ""))
	assert_int_equal(eval_line(&f, FP("/etc/shadow", 2), NULL, NULL), 0);
	assert_int_equal(eval_line(&f, FP("/etc/shadow", 6), NULL, NULL), 0);
	/* Mask misses and 4 is not above 10: the Equal selector */
	assert_int_equal(eval_line(&f, FP("/etc/shadow", 4), NULL, NULL), 3);
	assert_int_equal(eval_line(&f, FP("/tmp/x", 2), NULL, NULL), -1);
	assert_int_equal(eval_line(&f, FP("/tmp/x", 11), NULL, NULL), 1);
	assert_int_equal(eval_line(&f, FP("/tmp/x", 10), NULL, NULL), -1);
	/* int arguments are signed: -1 is below 0 */
	assert_int_equal(eval_line(&f, FP("/tmp/x", -1), NULL, NULL), 2);
#undef FP
	fin(&f);
}

static void sockaddr_cidr_port_family(void **state)
{
	struct fx f;
	char a[512];

	build(&f, "  lsmhooks:\n  - hook: socket_connect\n    args:\n    - index: 0\n      type: sock\n"
		  "    - index: 1\n      type: sockaddr\n    selectors:\n"
		  "    - matchArgs:\n      - index: 1\n        operator: SAddr\n        values: [10.0.0.0/8, \"fd00::/8\"]\n"
		  "      - index: 1\n        operator: SPort\n        values: [443]\n"
		  "      matchActions:\n      - action: Override\n        argError: -1\n"
		  "    - matchArgs:\n      - index: 1\n        operator: Family\n        values: [AF_INET6]\n"
		  "      matchActions:\n      - action: Sigkill\n"
		  "    - matchArgs:\n      - index: 1\n        operator: NotSAddr\n        values: [127.0.0.1]\n");
#define SA(fam, addr, port)                                                                                   \
	(snprintf(a, sizeof(a),                                                                               \
		  "{\"sock_arg\":{\"family\":\"AF_INET\",\"type\":\"SOCK_STREAM\",\"protocol\":\"IPPROTO_TCP\"}}," \
		  "{\"sockaddr_arg\":{\"family\":\"%s\",\"addr\":\"%s\",\"port\":%d}}", fam, addr, port),          \
	 lsm("socket_connect", "/usr/bin/curl", a, ""))
	assert_int_equal(eval_line(&f, SA("AF_INET", "10.1.2.3", 443), NULL, NULL), 0);
	assert_int_equal(eval_line(&f, SA("AF_INET", "10.1.2.3", 80), NULL, NULL), 2);
	assert_int_equal(eval_line(&f, SA("AF_INET", "11.1.2.3", 443), NULL, NULL), 2);
	assert_int_equal(eval_line(&f, SA("AF_INET", "127.0.0.1", 443), NULL, NULL), -1);
	assert_int_equal(eval_line(&f, SA("AF_INET6", "fd12::1", 443), NULL, NULL), 0);
	assert_int_equal(eval_line(&f, SA("AF_INET6", "2001:db8::1", 80), NULL, NULL), 1);
#undef SA
	fin(&f);
}


static void sock_daddr_dport_protocol(void **state)
{
	struct fx f;
	char a[512];

	build(&f, "  lsmhooks:\n  - hook: socket_connect\n    args:\n    - index: 0\n      type: sock\n"
		  "    selectors:\n"
		  "    - matchArgs:\n      - index: 0\n        operator: DAddr\n        values: [192.168.0.0/16]\n"
		  "      - index: 0\n        operator: DPort\n        values: [5432]\n"
		  "      matchActions:\n      - action: Override\n        argError: -1\n"
		  "    - matchArgs:\n      - index: 0\n        operator: Protocol\n        values: [IPPROTO_UDP]\n"
		  "      matchActions:\n      - action: Sigkill\n");
#define SK(proto, daddr, dport)                                                                               \
	(snprintf(a, sizeof(a),                                                                               \
		  "{\"sock_arg\":{\"family\":\"AF_INET\",\"type\":\"SOCK_STREAM\",\"protocol\":\"%s\","             \
		  "\"saddr\":\"10.0.0.1\",\"daddr\":\"%s\",\"sport\":40000,\"dport\":%d}}", proto, daddr, dport),    \
	 lsm("socket_connect", "/usr/bin/psql", a, ""))
	assert_int_equal(eval_line(&f, SK("IPPROTO_TCP", "192.168.4.5", 5432), NULL, NULL), 0);
	assert_int_equal(eval_line(&f, SK("IPPROTO_TCP", "192.169.4.5", 5432), NULL, NULL), -1);
	assert_int_equal(eval_line(&f, SK("IPPROTO_TCP", "192.168.4.5", 5433), NULL, NULL), -1);
	assert_int_equal(eval_line(&f, SK("IPPROTO_UDP", "192.168.4.5", 53), NULL, NULL), 1);
	/* a protocol number the encoder writes for want of a name */
	assert_int_equal(eval_line(&f, SK("17", "8.8.8.8", 53), NULL, NULL), 1);
#undef SK
	fin(&f);
}


/* The hook of an event: an LSM hook recorded through a kprobe on its
 * security_* function is the same operation; a syscall kprobe by the name
 * events give it (with the architecture's prefix). */
static void hooks_by_event_name(void **state)
{
	struct fx f;
	char *line;
	struct sim_event e;
	static struct sim_parser ps;
	char why[96];
	size_t col;

	build(&f, FOPEN "    - matchArgs:\n      - index: 0\n        operator: Prefix\n        values: [/etc/]\n");
	snprintf(buf, sizeof(buf), "{\"process_kprobe\":{\"process\":{\"exec_id\":\"a\",\"binary\":\"/bin/x\"},"
		 "\"function_name\":\"security_file_open\",\"args\":[{\"file_arg\":{\"path\":\"/etc/x\"}}]}}");
	assert_int_equal(eval_line(&f, buf, NULL, NULL), 0);
	/* the same function name as an LSM event: not this hook */
	line = strdup("{\"process_lsm\":{\"function_name\":\"security_file_open\"}}");
	assert_int_equal(sim_event_parse(&ps, line, strlen(line), &e, &col, why, sizeof(why)), 0);
	assert_null(sim_hook_of(&f.p, &e));
	sim_parser_free(&ps);
	free(line);
	fin(&f);
	build(&f, "  kprobes:\n  - call: sys_openat\n    syscall: true\n    args:\n    - index: 1\n      type: string\n"
		  "    selectors:\n    - matchArgs:\n      - index: 1\n        operator: Postfix\n        values: [.pem]\n");
	snprintf(buf, sizeof(buf), "{\"process_kprobe\":{\"process\":{\"exec_id\":\"a\",\"binary\":\"/bin/x\"},"
		 "\"function_name\":\"__x64_sys_openat\",\"args\":[{\"int_arg\":-100},{\"string_arg\":\"/k/a.pem\"}]}}");
	assert_int_equal(eval_line(&f, buf, NULL, NULL), 0);
	snprintf(buf, sizeof(buf), "{\"process_kprobe\":{\"process\":{\"exec_id\":\"a\",\"binary\":\"/bin/x\"},"
		 "\"function_name\":\"__x64_sys_openat\",\"args\":[{\"int_arg\":-100},{\"string_arg\":\"/k/a.pe\"}]}}");
	assert_int_equal(eval_line(&f, buf, NULL, NULL), -1);
	fin(&f);
}

static void binaries_in_notin_prefix(void **state)
{
	struct fx f;

	build(&f, FOPEN
		  "    - matchBinaries:\n      - operator: In\n        values: [/usr/bin/cat]\n"
		  "      matchActions:\n      - action: Sigkill\n"
		  "    - matchBinaries:\n      - operator: Prefix\n        values: [/usr/sbin/]\n"
		  "      matchActions:\n      - action: Override\n        argError: -1\n"
		  "    - matchBinaries:\n      - operator: NotIn\n        values: [/bin/ls, /usr/bin/cat]\n");
#define BIN(b) lsm("file_open", b, "{\"file_arg\":{\"path\":\"/etc/x\"}}", "")
	assert_int_equal(eval_line(&f, BIN("/usr/bin/cat"), NULL, NULL), 0);
	assert_int_equal(eval_line(&f, BIN("/usr/bin/catx"), NULL, NULL), 2);
	assert_int_equal(eval_line(&f, BIN("/usr/sbin/sshd"), NULL, NULL), 1);
	assert_int_equal(eval_line(&f, BIN("/bin/ls"), NULL, NULL), -1);
#undef BIN
	fin(&f);
}

static void parent_binaries(void **state)
{
	struct fx f;

	build(&f, FOPEN
		  "    - matchParentBinaries:\n      - operator: In\n        values: [/bin/sh]\n"
		  "      matchActions:\n      - action: Override\n        argError: -1\n");
	assert_int_equal(eval_line(&f, file_open("/etc/x"), NULL, NULL), 0);
	snprintf(buf, sizeof(buf), "{\"process_lsm\":{\"process\":{\"exec_id\":\"e1\",\"binary\":\"/bin/cat\"},"
		 "\"parent\":{\"exec_id\":\"e0\",\"binary\":\"/bin/bash\"},\"function_name\":\"file_open\","
		 "\"args\":[{\"file_arg\":{\"path\":\"/etc/x\"}}]}}");
	assert_int_equal(eval_line(&f, buf, NULL, NULL), -1);
	fin(&f);
}

static void capabilities_present_absent(void **state)
{
	struct fx f;
	bool und;

	build(&f, FOPEN
		  "    - matchCapabilities:\n      - type: Effective\n        operator: In\n        values: [CAP_SYS_ADMIN]\n"
		  "      matchActions:\n      - action: Override\n        argError: -1\n"
		  "    - matchArgs:\n      - index: 0\n        operator: Prefix\n        values: [/tmp/]\n");
	assert_int_equal(eval_line(&f, lsm("file_open", "/bin/x", "{\"file_arg\":{\"path\":\"/etc/x\"}}",
					    ",\"cap\":{\"effective\":[\"CAP_CHOWN\",\"DAC_OVERRIDE\",\"CAP_SYS_ADMIN\"]}"),
				   &und, NULL), 0);
	assert_false(und);
	assert_int_equal(eval_line(&f, lsm("file_open", "/bin/x", "{\"file_arg\":{\"path\":\"/etc/x\"}}",
					    ",\"cap\":{\"effective\":[\"DAC_OVERRIDE\"]}"), &und, NULL), -1);
	/* recorded without --enable-process-cred: not evaluable, never "no match" */
	assert_int_equal(eval_line(&f, file_open("/etc/x"), &und, NULL), 0);
	assert_true(und);
	/* a later selector that matches does not hide the undecided first one */
	assert_int_equal(eval_line(&f, file_open("/tmp/x"), &und, NULL), 0);
	assert_true(und);
	fin(&f);
}

static void namespaces_present_absent(void **state)
{
	struct fx f;
	bool und;
	const char *host = ",\"ns\":{\"pid\":{\"inum\":4026531836,\"is_host\":true}}";
	const char *cont = ",\"ns\":{\"pid\":{\"inum\":4026532999}}";

	build(&f, FOPEN
		  "    - matchNamespaces:\n      - namespace: Pid\n        operator: NotIn\n        values: [host_ns]\n"
		  "      matchActions:\n      - action: Sigkill\n");
	assert_int_equal(eval_line(&f, lsm("file_open", "/bin/x", "{\"file_arg\":{\"path\":\"/a\"}}", cont), &und,
				   NULL), 0);
	assert_false(und);
	assert_int_equal(eval_line(&f, lsm("file_open", "/bin/x", "{\"file_arg\":{\"path\":\"/a\"}}", host), &und,
				   NULL), -1);
	assert_int_equal(eval_line(&f, file_open("/a"), &und, NULL), 0);
	assert_true(und);
	fin(&f);
}

static void first_selector_wins(void **state)
{
	struct fx f;

	build(&f, FOPEN
		  "    - matchArgs:\n      - index: 0\n        operator: Prefix\n        values: [/etc/]\n"
		  "      matchActions:\n      - action: Post\n"
		  "    - matchArgs:\n      - index: 0\n        operator: Equal\n        values: [/etc/passwd]\n"
		  "      matchActions:\n      - action: Sigkill\n");
	assert_int_equal(eval_line(&f, file_open("/etc/passwd"), NULL, NULL), 0);
	fin(&f);
}

static void follow_ids(void **state)
{
	struct fx f;
	struct sim_follow yes = { .ids = { 1, 0 }, .known = { true, true } };
	struct sim_follow no = { .ids = { 0, 0 }, .known = { true, true } };
	struct sim_follow unknown = { .ids = { 0, 0 }, .known = { false, false } };
	bool und;

	build(&f, FOPEN
		  "    - matchBinaries:\n      - operator: In\n        values: [/usr/sbin/sshd]\n        followChildren: true\n"
		  "      matchActions:\n      - action: Sigkill\n");
	assert_int_equal(eval_line(&f, file_open("/a"), &und, &yes), 0);
	assert_false(und);
	assert_int_equal(eval_line(&f, file_open("/a"), &und, &no), -1);
	assert_int_equal(eval_line(&f, file_open("/a"), &und, &unknown), 0);
	assert_true(und);
	fin(&f);
}

/* ---- replays: the tree, kills, a file's lines ---- */

static char *tmpfile_with(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/veto-sim-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

#define EXEC(id, par, bin, t)                                                                                 \
	"{\"process_exec\":{\"process\":{\"exec_id\":\"" id "\",\"pid\":1,\"binary\":\"" bin "\"," \
	"\"parent_exec_id\":\"" par "\"}},\"time\":\"" t "\"}\n"
#define OPEN(id, par, bin, path, t)                                                                           \
	"{\"process_lsm\":{\"process\":{\"exec_id\":\"" id "\",\"binary\":\"" bin "\",\"parent_exec_id\":\"" par \
	"\"},\"function_name\":\"file_open\",\"args\":[{\"file_arg\":{\"path\":\"" path "\"}}]},\"time\":\"" t "\"}\n"

static int replay(struct fx *f, const char *text, struct sim_report *r, char *err, size_t n)
{
	struct sim_source src;
	char *path = tmpfile_with(text);
	int ret;

	assert_int_equal(sim_source_file(&src, path), 0);
	assert_int_equal(sim_report_init(r, &f->p, 1, "t"), 0);
	ret = sim_replay(&src, r, err, n);
	src.close(&src);
	unlink(path);
	return ret;
}

static void replay_follow_kill_after(void **state)
{
	struct fx f;
	struct sim_report r;
	char err[256];

	build(&f, FOPEN
		  "    - matchBinaries:\n      - operator: In\n        values: [/bin/sh]\n        followChildren: true\n"
		  "      matchArgs:\n      - index: 0\n        operator: Prefix\n        values: [/etc/]\n"
		  "      matchActions:\n      - action: Sigkill\n");
	assert_int_equal(replay(&f,
				"{\"process_exec\":{\"process\":{\"exec_id\":\"init\",\"binary\":\"/sbin/init\"}}}\n"
				EXEC("sh", "init", "/bin/sh", "t1")
				EXEC("cat", "sh", "/bin/cat", "t2")
				OPEN("cat", "sh", "/bin/cat", "/tmp/a", "t3")
				OPEN("cat", "sh", "/bin/cat", "/etc/a", "t4")
				OPEN("cat", "sh", "/bin/cat", "/etc/b", "t5")
				OPEN("sh", "init", "/bin/sh", "/etc/c", "t6")
				EXEC("ls", "sh", "/bin/ls", "t7")
				OPEN("ls", "sh", "/bin/ls", "/etc/d", "t8")
				"\n{\"process_dns\":{}}\n",
				&r, err, sizeof(err)), 0);
	assert_int_equal(r.events, 9);
	assert_int_equal(r.per[0].sel[0][0].matched, 2); /* cat at t4, sh at t6 */
	assert_int_equal(r.per[0].unmatched, 1);          /* /tmp/a */
	assert_int_equal(r.per[0].after_kill, 2);         /* cat's /etc/b, ls's /etc/d */
	assert_int_equal(r.lost_total, 1);                /* ls: exec after sh's kill */
	assert_string_equal(r.lost[0].binary, "/bin/ls");
	assert_int_equal(r.not_simulated, 1);
	assert_true(sim_report_stops(&r));
	sim_report_free(&r);
	fin(&f);
}


/* Only a dead parent stops a child: a killed grandparent's living child
 * still starts its own; a child of a never-run process never runs either. */
static void replay_lost_is_the_parents(void **state)
{
	struct fx f;
	struct sim_report r;
	char err[256];

	build(&f, FOPEN "    - matchArgs:\n      - index: 0\n        operator: Equal\n        values: [/k]\n"
		  "      matchActions:\n      - action: Sigkill\n");
	assert_int_equal(replay(&f,
				"{\"process_exec\":{\"process\":{\"exec_id\":\"init\",\"binary\":\"/sbin/init\"}}}\n"
				EXEC("g", "init", "/bin/g", "t1")
				EXEC("p", "g", "/bin/p", "t2")
				OPEN("g", "init", "/bin/g", "/k", "t3")
				EXEC("c", "p", "/bin/c", "t4")
				EXEC("q", "g", "/bin/q", "t5")
				EXEC("qc", "q", "/bin/qc", "t6"),
				&r, err, sizeof(err)), 0);
	assert_int_equal(r.per[0].sel[0][0].matched, 1);
	assert_int_equal(r.lost_total, 2); /* q (g's, after g's kill), and q's child */
	assert_string_equal(r.lost[0].binary, "/bin/q");
	assert_string_equal(r.lost[1].binary, "/bin/qc");
	assert_string_equal(r.lost[1].killer_binary, "/bin/g");
	assert_int_equal(r.per[0].sel[0][0].rows[0].lost, 2);
	sim_report_free(&r);
	fin(&f);
}


#define PEXEC(id, par, pid, bin, t)                                                                           \
	"{\"process_exec\":{\"process\":{\"exec_id\":\"" id "\",\"pid\":" pid ",\"binary\":\"" bin "\","       \
	"\"parent_exec_id\":\"" par "\"}},\"time\":\"" t "\"}\n"
#define BPRM(id, par, pid, bin, path, t)                                                                      \
	"{\"process_lsm\":{\"process\":{\"exec_id\":\"" id "\",\"pid\":" pid ",\"binary\":\"" bin "\","        \
	"\"parent_exec_id\":\"" par "\"},\"function_name\":\"bprm_check_security\",\"args\":[{\"linux_binprm_arg\":" \
	"{\"path\":\"" path "\"}}]},\"time\":\"" t "\"}\n"

/* A denied exec: that file never runs in that pid (its events and children
 * with it), the caller goes on; another pid's exec of the file is its own. */
static void replay_denied_exec(void **state)
{
	struct fx f;
	struct sim_report r;
	char err[256];

	build(&f, "  lsmhooks:\n  - hook: bprm_check_security\n    args:\n    - index: 0\n      type: linux_binprm\n"
		  "    selectors:\n    - matchArgs:\n      - index: 0\n        operator: Prefix\n        values: [/tmp/]\n"
		  "      matchActions:\n      - action: Override\n        argError: -1\n");
	assert_int_equal(replay(&f,
				"{\"process_exec\":{\"process\":{\"exec_id\":\"init\",\"pid\":1,\"binary\":\"/sbin/init\"}}}\n"
				PEXEC("sh", "init", "10", "/bin/sh", "t1")
				BPRM("sh", "init", "10", "/bin/sh", "/tmp/x", "t2")
				PEXEC("x", "init", "10", "/tmp/x", "t3")
				BPRM("x", "init", "10", "/tmp/x", "/bin/ls", "t4")
				PEXEC("xc", "x", "11", "/bin/ls", "t5")
				PEXEC("sh2", "init", "12", "/bin/sh", "t6")
				BPRM("sh2", "init", "12", "/bin/sh", "/bin/ls", "t7")
				PEXEC("ls", "init", "12", "/bin/ls", "t8"),
				&r, err, sizeof(err)), 0);
	assert_int_equal(r.per[0].sel[0][0].matched, 1);  /* sh's exec of /tmp/x */
	assert_int_equal(r.per[0].after_kill, 1);         /* x's own exec check: x never ran */
	assert_int_equal(r.lost_total, 2);                /* x, and x's child */
	assert_string_equal(r.lost[0].binary, "/tmp/x");
	assert_true(r.lost[0].denied);
	assert_string_equal(r.lost[0].killer_binary, "/bin/sh");
	assert_string_equal(r.lost[1].binary, "/bin/ls");
	assert_int_equal(r.per[0].sel[0][0].rows[0].lost, 2);
	assert_true(sim_report_stops(&r));
	sim_report_free(&r);
	fin(&f);
}

/* matchParentBinaries on events without "parent": the parent's exec in the
 * recording tells; without it the selector is not evaluable. */
static void replay_parent_from_tree(void **state)
{
	struct fx f;
	struct sim_report r;
	char err[256];

	build(&f, FOPEN "    - matchParentBinaries:\n      - operator: In\n        values: [/bin/sh]\n"
		  "      matchActions:\n      - action: Override\n        argError: -1\n");
	assert_int_equal(replay(&f,
				EXEC("sh", "init", "/bin/sh", "t1")
				EXEC("cat", "sh", "/bin/cat", "t2")
				OPEN("cat", "sh", "/bin/cat", "/a", "t3")
				EXEC("ls", "cat", "/bin/ls", "t4")
				OPEN("ls", "cat", "/bin/ls", "/a", "t5")
				OPEN("x", "y", "/bin/x", "/a", "t6"),
				&r, err, sizeof(err)), 0);
	assert_int_equal(r.per[0].sel[0][0].matched, 1);
	assert_string_equal(r.per[0].sel[0][0].rows[0].binary, "/bin/cat");
	assert_int_equal(r.per[0].unmatched, 1);  /* ls: its parent is cat */
	assert_int_equal(r.per[0].sel[0][0].undecided, 1); /* x: parent y never seen */
	sim_report_free(&r);
	fin(&f);
}

static void replay_bad_lines(void **state)
{
	struct fx f;
	struct sim_report r;
	char err[256];
	char deep[300];

	build(&f, FOPEN "    - matchArgs:\n      - index: 0\n        operator: Prefix\n        values: [/etc/]\n");
	assert_int_equal(replay(&f, OPEN("a", "b", "/bin/x", "/etc/a", "t") "{\"process_lsm\":{\"process\":}\n", &r, err,
				sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ":2:27: not an event: expected a value"));
	sim_report_free(&r);
	memset(deep, '[', sizeof(deep));
	deep[sizeof(deep) - 1] = '\0';
	snprintf(buf, sizeof(buf), "{\"x\":%s\n", deep);
	assert_int_equal(replay(&f, buf, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ":1:"));
	assert_non_null(strstr(err, "nested too deep"));
	sim_report_free(&r);
	assert_int_equal(replay(&f, "{\"a\":\"\\x\"}\n", &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "invalid escape"));
	sim_report_free(&r);
	assert_int_equal(replay(&f, "{\"a\":1} x\n", &r, err, sizeof(err)), -EINVAL);
	sim_report_free(&r);
	fin(&f);
}

static void escapes_unescaped(void **state)
{
	struct fx f;

	build(&f, FOPEN "    - matchArgs:\n      - index: 0\n        operator: Equal\n        values: [\"/tmp/a\\\"b\"]\n");
	assert_int_equal(eval_line(&f, file_open("/tmp/a\\\"b"), NULL, NULL), 0);
	assert_int_equal(eval_line(&f, file_open("/tmp/a\\u0022b"), NULL, NULL), 0);
	assert_int_equal(eval_line(&f, file_open("/tmp/a\\\\b"), NULL, NULL), -1);
	fin(&f);
}


/* Process objects are remembered by their text: the same text again gives
 * the same values, other text (or text with escapes) is read anew. */
static void memo_by_text(void **state)
{
	static struct sim_parser ps;
	static const char *lines[] = {
		"{\"process_lsm\":{\"process\":{\"exec_id\":\"a\",\"pid\":5,\"binary\":\"/bin/x\"},\"args\":[]}}",
		"{\"process_lsm\":{\"process\":{\"exec_id\":\"a\",\"pid\":5,\"binary\":\"/bin/x\"},\"args\":[]}}",
		"{\"process_lsm\":{\"process\":{\"exec_id\":\"a\",\"pid\":6,\"binary\":\"/bin/x\"},\"args\":[]}}",
		"{\"process_lsm\":{\"process\":{\"exec_id\":\"b\",\"binary\":\"/bin/a\\\"b\"},\"args\":[]}}",
		"{\"process_lsm\":{\"process\":{\"exec_id\":\"b\",\"binary\":\"/bin/a\\\"b\"},\"args\":[]}}",
	};
	static const char *const bins[] = { "/bin/x", "/bin/x", "/bin/x", "/bin/a\"b", "/bin/a\"b" };
	static const unsigned pids[] = { 5, 5, 6, 0, 0 };

	memset(&ps, 0, sizeof(ps));
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		char *line = strdup(lines[i]), why[96];
		struct sim_event e;
		size_t col;

		assert_int_equal(sim_event_parse(&ps, line, strlen(line), &e, &col, why, sizeof(why)), 0);
		assert_int_equal(e.proc.binary.n, strlen(bins[i]));
		assert_memory_equal(e.proc.binary.s, bins[i], e.proc.binary.n);
		assert_int_equal(e.proc.pid, pids[i]);
		/* the values outlive the line when they come from the memo */
		memset(line, 'x', strlen(line));
		if (i == 1)
			assert_memory_equal(e.proc.binary.s, "/bin/x", 6);
		free(line);
	}
	sim_parser_free(&ps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(equal_prefix_postfix),
		cmocka_unit_test(negated_operators),
		cmocka_unit_test(cut_path_undecided),
		cmocka_unit_test(numbers_mask_gt_lt),
		cmocka_unit_test(sockaddr_cidr_port_family),
		cmocka_unit_test(sock_daddr_dport_protocol),
		cmocka_unit_test(hooks_by_event_name),
		cmocka_unit_test(binaries_in_notin_prefix),
		cmocka_unit_test(parent_binaries),
		cmocka_unit_test(capabilities_present_absent),
		cmocka_unit_test(namespaces_present_absent),
		cmocka_unit_test(first_selector_wins),
		cmocka_unit_test(follow_ids),
		cmocka_unit_test(replay_follow_kill_after),
		cmocka_unit_test(replay_lost_is_the_parents),
		cmocka_unit_test(replay_denied_exec),
		cmocka_unit_test(replay_parent_from_tree),
		cmocka_unit_test(replay_bad_lines),
		cmocka_unit_test(escapes_unescaped),
		cmocka_unit_test(memo_by_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
