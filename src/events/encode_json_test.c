/* The JSON encoder against Tetragon's messages: whole lines for the field
 * order and zero values, the flags that add parts, the opt-in "veto" key,
 * and what hostile bytes become. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "events/encode.h"
#include "util/jsonr.h"

#define T0 (1696629600ull * 1000000000ull) /* 2023-10-06T22:00:00Z */
#define HOST_PID_NS 4026531836u

struct fixture {
	struct enc_ctx ctx;
	struct proc parent, proc;
	struct veto_policy_event pe;
	struct ev_hook hook;
	struct ev_policy policy;
	struct jw w;
};

static void init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->ctx.node, sizeof(f->ctx.node), "n1");
	f->ctx.max_ancestors = 64;
	for (int i = 0; i < VN__COUNT; i++)
		f->ctx.host_ns[i] = HOST_PID_NS + i;
	f->ctx.host_ns[VN_PID] = HOST_PID_NS;
	f->parent = (struct proc){ .pid = 1, .tid = 1, .uid = 0, .auid = 4294967295u, .start_wall = T0,
				   .flags = PF_PROCFS, .binary = "/sbin/init", .args = "", .cwd = "/",
				   .exec_id = "aWQx", .argv = "", .refs = 2, .current = true };
	f->proc = (struct proc){ .pid = 20, .tid = 20, .uid = 1000, .euid = 1000, .auid = 1000, .start_wall = T0 + 1000,
				 .flags = PF_EXECVE | PF_CLONE, .binary = "/bin/cat", .args = "/etc/passwd", .cwd = "/tmp",
				 .exec_id = "aWQy", .argv = "", .parent = &f->parent, .refs = 1, .current = true,
				 .cap = { 1ull << 1, 1ull << 1 } };
	for (int i = 0; i < VN__COUNT; i++)
		f->proc.ns[i] = f->parent.ns[i] = f->ctx.host_ns[i];
	f->hook = (struct ev_hook){ .kind = EH_LSM, .func = "file_open", .func_kprobe = "security_file_open", .nargs = 1 };
	f->hook.args[0] = (struct ev_arg_meta){ .type = EA_INT, .read = true };
	f->policy = (struct ev_policy){ .name = "p1", .hooks = &f->hook, .n_hooks = 1 };
	f->pe = (struct veto_policy_event){ .action = VA_POST | VA_OVERRIDE, .ret = -1 };
	f->pe.args[0].num[0] = 7;
	jw_init(&f->w);
}

static const char *enc(struct fixture *f, const struct ev *e, unsigned opts)
{
	jw_reset(&f->w);
	enc_json(&f->w, &f->ctx, e, opts);
	assert_false(f->w.oom);
	return f->w.buf;
}

static struct ev policy_ev(struct fixture *f, enum ev_kind k)
{
	return (struct ev){ .kind = k, .time = T0 + 5000, .proc = &f->proc, .pol = &f->pe, .hook = &f->hook,
			    .policy = &f->policy };
}

#define PARENT                                                                                                 \
	"\"parent\":{\"exec_id\":\"aWQx\",\"pid\":1,\"uid\":0,\"cwd\":\"/\",\"binary\":\"/sbin/init\","       \
	"\"flags\":\"procFS\",\"start_time\":\"2023-10-06T22:00:00Z\",\"auid\":4294967295,\"tid\":1,"       \
	"\"in_init_tree\":false}"
#define PROC(refcnt)                                                                                           \
	"\"process\":{\"exec_id\":\"aWQy\",\"pid\":20,\"uid\":1000,\"cwd\":\"/tmp\",\"binary\":\"/bin/cat\","  \
	"\"arguments\":\"/etc/passwd\",\"flags\":\"execve clone\",\"start_time\":\"2023-10-06T22:00:00.000001Z\"," \
	"\"auid\":1000,\"parent_exec_id\":\"aWQx\"," refcnt "\"tid\":20,\"in_init_tree\":false}"

/* By default: Tetragon's default fields, in its order; no cap, ns or
 * credentials; status 0 left out, a non-zero one written. */
static void defaults_are_tetragons(void **state)
{
	struct fixture f;
	struct ev e = { .kind = EV_PROCESS_EXEC, .time = T0 + 1000, .proc = &f.proc };

	init(&f);
	assert_string_equal(enc(&f, &e, ENC_VETO),
			    "{\"process_exec\":{" PROC("") "," PARENT "},\"node_name\":\"n1\","
			    "\"time\":\"2023-10-06T22:00:00.000001Z\"}");
	e.kind = EV_PROCESS_EXIT;
	assert_string_equal(enc(&f, &e, 0),
			    "{\"process_exit\":{" PROC("") "," PARENT ",\"time\":\"2023-10-06T22:00:00.000001Z\"},"
			    "\"node_name\":\"n1\",\"time\":\"2023-10-06T22:00:00.000001Z\"}");
	e.exit_code = 3 << 8;
	assert_non_null(strstr(enc(&f, &e, 0), PARENT ",\"status\":3,\"time\":"));
	e.exit_code = 9;
	assert_non_null(strstr(enc(&f, &e, 0), PARENT ",\"signal\":\"SIGKILL\",\"time\":"));
	jw_free(&f.w);
}

/* --enable-process-cred adds cap and process_credentials, --enable-process-ns
 * ns; each alone adds only its part. Capability bit 1 has Tetragon's name, a
 * bit past its enum is a number. */
static void cred_and_ns_gated(void **state)
{
	struct fixture f;
	struct ev e = { .kind = EV_PROCESS_EXEC, .time = T0, .proc = &f.proc };
	const char *s;

	init(&f);
	f.ctx.cred = true;
	f.proc.cap[2] = 1ull << 45;
	enc_json_memo(false);
	s = enc(&f, &e, 0);
	assert_non_null(strstr(s, "\"parent_exec_id\":\"aWQx\",\"cap\":{\"permitted\":[\"DAC_OVERRIDE\"],"
				  "\"effective\":[\"DAC_OVERRIDE\"],\"inheritable\":[45]},\"tid\":20,"
				  "\"process_credentials\":{\"uid\":1000,\"gid\":0,\"euid\":1000,\"egid\":0,\"suid\":0,"
				  "\"sgid\":0,\"fsuid\":0,\"fsgid\":0},\"in_init_tree\":false}"));
	assert_null(strstr(s, "\"ns\":"));
	assert_null(strstr(s, "CAP_DAC_OVERRIDE"));
	f.ctx.cred = false;
	f.ctx.ns = true;
	s = enc(&f, &e, 0);
	assert_non_null(strstr(s, "\"parent_exec_id\":\"aWQx\",\"ns\":{\"uts\":{\"inum\":4026531836,\"is_host\":true},"));
	assert_null(strstr(s, "\"cap\":"));
	assert_null(strstr(s, "process_credentials"));
	/* a setuid program: process.uid is the effective uid, as Tetragon's */
	f.proc.euid = 0;
	f.ctx.ns = false;
	assert_non_null(strstr(enc(&f, &e, 0), "\"process\":{\"exec_id\":\"aWQy\",\"pid\":20,\"uid\":0,"));
	enc_json_memo(true);
	jw_free(&f.w);
}

/* Each policy message's fields in its proto's order; no enforcement summary,
 * no LSM return, no extra key unless asked for. */
static void policy_events_in_proto_order(void **state)
{
	static char *tags[] = { "t1", "t2" };
	struct fixture f;
	struct ev e;

	init(&f);
	f.hook.message = "m";
	f.hook.tags = tags;
	f.hook.n_tags = 2;
	e = policy_ev(&f, EV_PROCESS_LSM);
	assert_string_equal(enc(&f, &e, 0),
			    "{\"process_lsm\":{" PROC("\"refcnt\":1,") "," PARENT ",\"function_name\":\"file_open\","
			    "\"policy_name\":\"p1\",\"message\":\"m\",\"args\":[{\"int_arg\":7}],"
			    "\"action\":\"KPROBE_ACTION_OVERRIDE\",\"tags\":[\"t1\",\"t2\"]},\"node_name\":\"n1\","
			    "\"time\":\"2023-10-06T22:00:00.000005Z\"}");
	f.hook.kind = EH_TRACEPOINT;
	f.hook.subsys = "syscalls";
	f.hook.event = "sys_enter_openat";
	e = policy_ev(&f, EV_PROCESS_TRACEPOINT);
	assert_non_null(strstr(enc(&f, &e, 0), PARENT ",\"subsys\":\"syscalls\",\"event\":\"sys_enter_openat\","
						 "\"args\":[{\"int_arg\":7}],\"policy_name\":\"p1\","
						 "\"action\":\"KPROBE_ACTION_OVERRIDE\",\"message\":\"m\","
						 "\"tags\":[\"t1\",\"t2\"]},\"node_name\""));
	/* a return probe's value, as returnArg's type says: int by default, long a string */
	f.hook.kind = EH_KPROBE;
	f.hook.ret_probe = true;
	f.hook.func = f.hook.func_kprobe = "fd_install";
	f.hook.nargs = 0;
	f.hook.message = NULL;
	f.hook.n_tags = 0;
	f.pe.retval = -2;
	e = policy_ev(&f, EV_PROCESS_KPROBE);
	assert_non_null(strstr(enc(&f, &e, 0), PARENT ",\"function_name\":\"fd_install\",\"return\":{\"int_arg\":-2},"
						 "\"action\":\"KPROBE_ACTION_OVERRIDE\",\"policy_name\":\"p1\"},"));
	f.pe.retval = 1ll << 40;
	f.hook.ret.type = EA_LONG;
	assert_non_null(strstr(enc(&f, &e, 0), "\"return\":{\"long_arg\":\"1099511627776\"},"));
	assert_null(strstr(enc(&f, &e, 0), "\"veto\""));
	assert_null(strstr(enc(&f, &e, 0), "enforcement"));
	jw_free(&f.w);
}

static const char *names(uint64_t nr)
{
	return nr == 59 ? "execve" : NULL;
}

/* The "veto" key: only when asked for, only on policy events, after time,
 * its keys in the shared order. */
static void veto_key_opt_in(void **state)
{
	struct fixture f;
	struct ev e;

	init(&f);
	e = policy_ev(&f, EV_PROCESS_LSM);
	assert_non_null(strstr(enc(&f, &e, ENC_VETO),
			       "\"time\":\"2023-10-06T22:00:00.000005Z\",\"veto\":{\"mode\":\"enforce\",\"denied\":true,"
			       "\"errno\":\"EPERM\",\"killed\":false,\"return\":-1}}"));
	f.pe.monitor = 1;
	f.pe.action = VA_POST | VA_SIGKILL;
	assert_non_null(strstr(enc(&f, &e, ENC_VETO), ",\"veto\":{\"mode\":\"monitor\",\"would_deny\":true,"
							"\"errno\":\"EPERM\",\"would_kill\":true,\"return\":0}}"));
	/* a kprobe cannot stop the call; a syscall_id argument is named */
	f.pe.monitor = 0;
	f.pe.ret = 0;
	f.pe.action = VA_POST | VA_SIGNAL;
	f.hook.kind = EH_KPROBE;
	f.hook.args[0].type = EA_SYSCALL64;
	f.pe.args[0].num[0] = 59;
	f.policy.syscall_name = names;
	e = policy_ev(&f, EV_PROCESS_KPROBE);
	assert_non_null(strstr(enc(&f, &e, ENC_VETO), ",\"veto\":{\"mode\":\"enforce\",\"denied\":false,\"killed\":false,"
							"\"signaled\":true,\"call_completes\":true,\"syscall\":\"execve\"}}"));
	jw_free(&f.w);
}

/* An attacker's bytes (binary, argv, cwd, a string argument, its label, the
 * policy's name and message) give a line every strict reader takes: each
 * run of invalid bytes is one U+FFFD, the rest as it was. */
static void hostile_bytes_stay_valid(void **state)
{
	static const char bad[] = "a\xff\xfe" "b\xc0\xaf" "c\xed\xa0\x80" "d\xe2\x82";
	static const char want[] = "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd" "d\xef\xbf\xbd";
	struct fixture f;
	struct ev e;
	struct jr v;
	const struct jr *ev, *p, *a;

	init(&f);
	f.proc.binary = f.proc.args = f.proc.cwd = bad;
	f.policy.name = f.hook.message = bad;
	f.hook.args[0] = (struct ev_arg_meta){ .type = EA_STRING, .read = true, .label = bad };
	memcpy(f.pe.args[0].str, bad, sizeof(bad));
	f.pe.args[0].len = sizeof(bad) - 1;
	e = policy_ev(&f, EV_PROCESS_LSM);
	assert_int_equal(jr_parse(enc(&f, &e, ENC_VETO), &v), 0);
	ev = jr_get(&v, "process_lsm");
	p = jr_get(ev, "process");
	assert_string_equal(jr_str(p, "binary"), want);
	assert_string_equal(jr_str(p, "arguments"), want);
	assert_string_equal(jr_str(p, "cwd"), want);
	assert_string_equal(jr_str(ev, "policy_name"), want);
	assert_string_equal(jr_str(ev, "message"), want);
	a = &jr_get(ev, "args")->kids[0];
	assert_string_equal(jr_str(a, "string_arg"), want);
	assert_string_equal(jr_str(a, "label"), want);
	jr_free(&v);
	jw_free(&f.w);
}

/* in_init_tree: the descendants of a container's pid 1 within its pid
 * namespace; not the host's processes, not one entering from outside. */
static void in_init_tree_follows_the_container(void **state)
{
	struct fixture f;
	struct proc cinit, shell, entered;
	struct ev e = { .kind = EV_PROCESS_EXEC, .time = T0 };

	init(&f);
	cinit = f.parent;
	cinit.pid = 500;
	cinit.nspid = 1;
	cinit.ns[VN_PID] = 4026532500u;
	cinit.parent = &f.parent;
	shell = cinit;
	shell.pid = 501;
	shell.nspid = 7;
	shell.parent = &cinit;
	entered = shell; /* nsenter'd: its parent is a host process */
	entered.pid = 502;
	entered.parent = &f.parent;
	e.proc = &shell;
	assert_non_null(strstr(enc(&f, &e, 0), "\"pid\":501,"));
	assert_non_null(strstr(f.w.buf, "\"tid\":1,\"in_init_tree\":true},\"parent\":"));
	assert_non_null(strstr(f.w.buf, "\"tid\":1,\"in_init_tree\":true}},\"node_name\""));
	e.proc = &entered;
	assert_null(strstr(enc(&f, &e, 0), "\"in_init_tree\":true"));
	jw_free(&f.w);
}

static void ancestors_parsed_like_tetragon(void **state)
{
	uint32_t k;
	const char *bad;

	assert_int_equal(enc_ancestors_parse("base", &k, &bad), 0);
	assert_int_equal(k, ENC_ANC_BASE);
	assert_int_equal(enc_ancestors_parse("base,kprobe,tracepoint,lsm", &k, &bad), 0);
	assert_int_equal(k, ENC_ANC_BASE | 1u << EV_PROCESS_KPROBE | 1u << EV_PROCESS_TRACEPOINT | 1u << EV_PROCESS_LSM);
	assert_int_equal(enc_ancestors_parse("", &k, &bad), 0);
	assert_int_equal(k, 0);
	assert_int_equal(enc_ancestors_parse("base,kprobes,lsm", &k, &bad), -ENOENT);
	assert_string_equal(bad, "kprobes,lsm");
	assert_int_equal(enc_ancestors_parse("kprobe", &k, &bad), -EINVAL); /* needs base */
	assert_int_equal(enc_ancestors_parse("base,", &k, &bad), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_are_tetragons),
		cmocka_unit_test(cred_and_ns_gated),
		cmocka_unit_test(policy_events_in_proto_order),
		cmocka_unit_test(veto_key_opt_in),
		cmocka_unit_test(hostile_bytes_stay_valid),
		cmocka_unit_test(in_init_tree_follows_the_container),
		cmocka_unit_test(ancestors_parsed_like_tetragon),
	};
	return cmocka_run_group_tests_name("encode_json", tests, NULL, NULL);
}
