/* Each argument type's object, its field names and JSON types, as Tetragon
 * writes them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "events/encode.h"

static struct ev_hook hook = { .id = VH__COUNT, .kind = EH_KPROBE, .func = "f", .nargs = 1 };
static struct ev_policy pol = { .name = "p", .hooks = &hook, .n_hooks = 1 };
static struct veto_policy_event rec;
static const struct ev ev = { .kind = EV_PROCESS_KPROBE, .pol = &rec, .hook = &hook, .policy = &pol };

/* the JSON of one argument of type t (freed by the next call) */
static const char *arg_json(enum ev_arg_type t, const struct veto_ev_arg *a)
{
	static struct jw w;
	struct ev_arg_meta m = { .type = t, .read = true };

	jw_free(&w);
	jw_init(&w);
	enc_arg(&w, &ev, &m, a);
	jw_raw(&w, "", 1);
	return w.buf;
}

/* 64-bit integers are strings in proto JSON; uint_arg is 32 bits, so a
 * 64-bit unsigned goes to size_arg as Tetragon's does */
static void integers(void **state)
{
	struct veto_ev_arg a = { .num = { UINT64_MAX } };

	assert_string_equal(arg_json(EA_UINT64, &a), "{\"size_arg\":\"18446744073709551615\"}");
	assert_string_equal(arg_json(EA_SIZE, &a), "{\"size_arg\":\"18446744073709551615\"}");
	assert_string_equal(arg_json(EA_LONG, &a), "{\"long_arg\":\"-1\"}");
	assert_string_equal(arg_json(EA_INT, &a), "{\"int_arg\":-1}");
	assert_string_equal(arg_json(EA_UINT32, &a), "{\"uint_arg\":4294967295}");
	a.num[0] = 42;
	assert_string_equal(arg_json(EA_LONG, &a), "{\"long_arg\":\"42\"}");
	/* the number only: its name is veto's to add */
	a.num[0] = 59 | EV_SYSCALL_IA32;
	assert_string_equal(arg_json(EA_SYSCALL64, &a), "{\"syscall_id\":{\"id\":59,\"abi\":\"i386\"}}");
}

/* bytes exactly, NULs and invalid UTF-8 too; a size past what was copied
 * is Tetragon's truncated_bytes_arg with orig_size (a string) */
static void bytes(void **state)
{
	struct veto_ev_arg a = { .num = { 5 }, .len = 5 };

	memcpy(a.str, "a\0\xff\xfe" "b", 5);
	assert_string_equal(arg_json(EA_BYTES, &a), "{\"bytes_arg\":\"YQD//mI=\"}");
	a.num[0] = 1u << 20;
	assert_string_equal(arg_json(EA_BYTES, &a),
			    "{\"truncated_bytes_arg\":{\"bytes_arg\":\"YQD//mI=\",\"orig_size\":\"1048576\"}}");
	/* a negative size (the kernel program writes 0): nothing */
	a.num[0] = 0;
	a.len = 0;
	assert_string_equal(arg_json(EA_BYTES, &a), "{\"bytes_arg\":\"\"}");
	/* a length past the buffer is never read past */
	a.len = 65535;
	a.num[0] = 65535;
	memset(a.str, 'x', sizeof(a.str));
	assert_non_null(strstr(arg_json(EA_BYTES, &a), "\"orig_size\":\"65535\""));
}

static void permission(void **state)
{
	char s[11];

	assert_int_equal(ev_mode_string(0100644, s), 10);
	assert_string_equal(s, "-rw-r--r--");
	ev_mode_string(040755, s);
	assert_string_equal(s, "drwxr-xr-x");
	ev_mode_string(0104755, s);
	assert_string_equal(s, "-rwsr-xr-x");
	ev_mode_string(0102644, s);
	assert_string_equal(s, "-rw-r-Sr--");
	ev_mode_string(041777, s);
	assert_string_equal(s, "drwxrwxrwt");
	ev_mode_string(041776, s);
	assert_string_equal(s, "drwxrwxrwT");
	ev_mode_string(0120777, s);
	assert_string_equal(s, "lrwxrwxrwx");
	ev_mode_string(020620, s);
	assert_string_equal(s, "crw--w----");
	ev_mode_string(060660, s);
	assert_string_equal(s, "brw-rw----");
	ev_mode_string(010600, s);
	assert_string_equal(s, "prw-------");
	ev_mode_string(0140777, s);
	assert_string_equal(s, "srwxrwxrwx");
	/* no file type the kernel knows: the nine letters only */
	assert_int_equal(ev_mode_string(0170000 | 0644, s), 9);
	assert_string_equal(s, "rw-r--r--");
}

static void files(void **state)
{
	struct veto_ev_arg a = { .len = 11, .mode = 0100644 };

	strcpy(a.str, "/etc/passwd");
	assert_string_equal(arg_json(EA_FILE, &a), "{\"file_arg\":{\"path\":\"/etc/passwd\",\"permission\":\"-rw-r--r--\"}}");
	a.flags = VETO_ARG_CUT | VETO_ARG_TRUNC;
	a.mode = 040700;
	assert_string_equal(arg_json(EA_PATH, &a), "{\"path_arg\":{\"path\":\"/etc/passwd\",\"flags\":"
			    "\"unresolvedPathComponents\",\"permission\":\"drwx------\"}}");
	a.flags = VETO_ARG_NOPATH;
	a.mode = 0;
	assert_string_equal(arg_json(EA_BINPRM, &a), "{\"linux_binprm_arg\":{}}");
}

/* Tetragon has no inode argument: a path_arg, with the path of the policy's
 * value for that inode, or no path (flagged) for another inode */
static void inodes(void **state)
{
	static struct ev_inode known = { .hook = 7, .dev = 8, .ino = 9, .path = "/etc/passwd" };
	struct veto_ev_arg a = { .num = { 8, 9 }, .mode = 0100644 };

	pol.inodes = &known;
	pol.n_inodes = 1;
	rec.hook = 7;
	assert_string_equal(arg_json(EA_INODE, &a),
			    "{\"path_arg\":{\"path\":\"/etc/passwd\",\"permission\":\"-rw-r--r--\"}}");
	a.num[1] = 10;
	a.mode = 0;
	assert_string_equal(arg_json(EA_INODE, &a), "{\"path_arg\":{\"flags\":\"unresolvedPathComponents\"}}");
	pol.n_inodes = 0;
	pol.inodes = NULL;
	rec.hook = 0;
}

/* names for every number Tetragon names, the decimal string for the rest */
static void sockets(void **state)
{
	struct veto_ev_arg a = { .family = 2, .proto = 6, .type = 1, .state = 2, .sport = 1234, .dport = 80,
				 .saddr = { 10, 0, 0, 1 }, .daddr = { 10, 0, 0, 2 } };

	assert_string_equal(arg_json(EA_SOCK, &a), "{\"sock_arg\":{\"family\":\"AF_INET\",\"type\":\"SOCK_STREAM\","
			    "\"protocol\":\"IPPROTO_TCP\",\"saddr\":\"10.0.0.1\",\"daddr\":\"10.0.0.2\",\"sport\":1234,"
			    "\"dport\":80,\"state\":\"TCP_SYN_SENT\"}}");
	a.family = 16;
	a.proto = 262;
	a.type = 3;
	a.state = 0;
	assert_non_null(strstr(arg_json(EA_SOCK, &a), "\"family\":\"AF_NETLINK\",\"type\":\"SOCK_RAW\","
			       "\"protocol\":\"IPPROTO_MPTCP\""));
	assert_non_null(strstr(arg_json(EA_SOCK, &a), "\"state\":\"0\""));
	a.family = 46;
	a.proto = 58;
	a.type = 10;
	a.state = 13;
	assert_string_equal(arg_json(EA_SOCK, &a), "{\"sock_arg\":{\"family\":\"46\",\"type\":\"10\",\"protocol\":"
			    "\"58\",\"sport\":1234,\"dport\":80,\"state\":\"13\"}}");
	a.family = 65535;
	assert_string_equal(arg_json(EA_SOCKADDR, &a), "{\"sockaddr_arg\":{\"family\":\"65535\",\"port\":1234}}");
	a.family = 10;
	memset(a.saddr, 0, 16);
	a.saddr[15] = 1;
	assert_string_equal(arg_json(EA_SOCKADDR, &a), "{\"sockaddr_arg\":{\"family\":\"AF_INET6\",\"addr\":\"::1\","
			    "\"port\":1234}}");
}

/* process_credentials_arg: ProcessCredentials' fields, caps as name lists */
static void credentials(void **state)
{
	struct veto_ev_arg a = { .num = { 1000, (1ull << 1) | (1ull << 21) | (1ull << 63) } };

	/* CapabilitiesType names: bit 1 is DAC_OVERRIDE there */
	assert_string_equal(arg_json(EA_CRED, &a), "{\"process_credentials_arg\":{\"euid\":1000,\"caps\":"
			    "{\"effective\":[\"DAC_OVERRIDE\",\"CAP_SYS_ADMIN\",63]}}}");
	a.num[1] = 0;
	assert_string_equal(arg_json(EA_CRED, &a), "{\"process_credentials_arg\":{\"euid\":1000,\"caps\":{}}}");
}

/* the return object as returnArg declares it */
static void returns(void **state)
{
	struct jw w;

	jw_init(&w);
	hook.ret.type = EA_NOP;
	enc_return(&w, &ev, -13);
	hook.ret.type = EA_SIZE;
	enc_return(&w, &ev, 4096);
	hook.ret.type = EA_LONG;
	hook.ret.label = "n";
	enc_return(&w, &ev, -1);
	jw_raw(&w, "", 1);
	assert_string_equal(w.buf, "{\"int_arg\":-13},{\"size_arg\":\"4096\"},{\"long_arg\":\"-1\",\"label\":\"n\"}");
	hook.ret = (struct ev_arg_meta){ 0 };
	jw_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(integers), cmocka_unit_test(bytes),   cmocka_unit_test(permission),
		cmocka_unit_test(files),    cmocka_unit_test(inodes), cmocka_unit_test(sockets), cmocka_unit_test(returns),
		cmocka_unit_test(credentials),
	};
	return cmocka_run_group_tests_name("encode_args", tests, NULL, NULL);
}
