/* The argument types of TracingPolicy, one row each: name, class, the
 * operators matchArgs may use on it, how an integer is read and its range,
 * which argument options apply. */
#include <errno.h>
#include <string.h>

#include "policy/policy.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* an integer: bytes, signed, range */
#define INT(n, size, sign, min, max) { n, PTC_INT, POS_INT, size, sign, min, max, 0 }
/* the rest: read as 64 bits where it is read as a number at all */
#define OTHER(n, cls, ops, flags) { n, cls, ops, 8, false, 0, UINT64_MAX, flags }

static const struct pol_type_info types[PT__COUNT] = {
	[PT_INT8] = INT("int8", 1, true, INT8_MIN, INT8_MAX),
	[PT_UINT8] = INT("uint8", 1, false, 0, UINT8_MAX),
	[PT_INT16] = INT("int16", 2, true, INT16_MIN, INT16_MAX),
	[PT_UINT16] = INT("uint16", 2, false, 0, UINT16_MAX),
	[PT_INT32] = INT("int32", 4, true, INT32_MIN, INT32_MAX),
	[PT_UINT32] = INT("uint32", 4, false, 0, UINT32_MAX),
	[PT_INT64] = INT("int64", 8, true, INT64_MIN, INT64_MAX),
	[PT_UINT64] = INT("uint64", 8, false, 0, UINT64_MAX),
	[PT_INT] = INT("int", 4, true, INT32_MIN, INT32_MAX),
	[PT_LONG] = INT("long", 8, true, INT64_MIN, INT64_MAX),
	[PT_ULONG] = INT("ulong", 8, false, 0, UINT64_MAX),
	[PT_SIZE_T] = INT("size_t", 8, false, 0, UINT64_MAX),
	[PT_STRING] = OTHER("string", PTC_STRING, POS_STR, 0),
	/* its bytes are reported, never matched (matchArgs refused) */
	[PT_CHAR_BUF] = OTHER("char_buf", PTC_STRING, 0, PTF_SIZED | PTF_MAX_DATA),
	[PT_CHAR_IOVEC] = OTHER("char_iovec", PTC_STRING, POS_STR, PTF_SIZED | PTF_MAX_DATA),
	[PT_CONST_BUF] = OTHER("const_buf", PTC_STRING, POS_STR, 0),
	[PT_FILENAME] = OTHER("filename", PTC_STRING, POS_STR, 0),
	[PT_DATA_LOC] = OTHER("data_loc", PTC_STRING, POS_STR, 0),
	[PT_NET_DEVICE] = OTHER("net_device", PTC_STRING, POS_STR, 0),
	/* a descriptor is an int in the call; filters compare the file's path */
	[PT_FD] = { "fd", PTC_PATH, POS_STR, 4, true, INT32_MIN, INT32_MAX, 0 },
	[PT_FILE] = OTHER("file", PTC_PATH, POS_STR, 0),
	[PT_PATH] = OTHER("path", PTC_PATH, POS_STR, 0),
	[PT_DENTRY] = OTHER("dentry", PTC_PATH, POS_STR, 0),
	[PT_INODE] = OTHER("inode", PTC_PATH, POS_STR, 0),
	[PT_LINUX_BINPRM] = OTHER("linux_binprm", PTC_PATH, POS_STR, 0),
	[PT_KIOCB] = OTHER("kiocb", PTC_PATH, POS_STR, 0),
	[PT_SOCK] = OTHER("sock", PTC_SOCK, POS_SOCK, 0),
	[PT_SOCKET] = OTHER("socket", PTC_SOCK, POS_SOCK, 0),
	[PT_SKB] = OTHER("skb", PTC_SOCK, POS_SKB, 0),
	[PT_SOCKADDR] = OTHER("sockaddr", PTC_SOCK, POS_SOCKADDR, 0),
	[PT_KERNEL_CAP_T] = OTHER("kernel_cap_t", PTC_CAPS, POS_CAPS, 0),
	[PT_CAP_INHERITABLE] = OTHER("cap_inheritable", PTC_CAPS, POS_CAPS, 0),
	[PT_CAP_PERMITTED] = OTHER("cap_permitted", PTC_CAPS, POS_CAPS, 0),
	[PT_CAP_EFFECTIVE] = OTHER("cap_effective", PTC_CAPS, POS_CAPS, 0),
	/* one capability's number, CAP_ names accepted */
	[PT_CAPABILITY] = INT("capability", 4, true, 0, 63),
	[PT_SYSCALL64] = OTHER("syscall64", PTC_SYSCALL, POS_SYSCALL, 0),
	[PT_NOP] = OTHER("nop", PTC_OPAQUE, 0, 0),
	[PT_CRED] = OTHER("cred", PTC_OPAQUE, 0, 0),
	[PT_BPF_ATTR] = OTHER("bpf_attr", PTC_OPAQUE, 0, 0),
	[PT_PERF_EVENT] = OTHER("perf_event", PTC_OPAQUE, 0, 0),
	[PT_BPF_MAP] = OTHER("bpf_map", PTC_OPAQUE, 0, 0),
	[PT_BPF_PROG] = OTHER("bpf_prog", PTC_OPAQUE, 0, 0),
	[PT_USER_NAMESPACE] = OTHER("user_namespace", PTC_OPAQUE, 0, 0),
	[PT_IOV_ITER] = OTHER("iov_iter", PTC_OPAQUE, 0, PTF_MAX_DATA),
	[PT_LOAD_INFO] = OTHER("load_info", PTC_OPAQUE, 0, 0),
	[PT_MODULE] = OTHER("module", PTC_OPAQUE, 0, 0),
};

/* Other spellings TracingPolicy accepts for the same types. */
static const struct {
	const char *name;
	enum pol_type t;
} type_aliases[] = {
	{ "sint8", PT_INT8 }, { "sint16", PT_INT16 }, { "sint32", PT_INT32 }, { "sint64", PT_INT64 },
	{ "s8", PT_INT8 }, { "u8", PT_UINT8 }, { "s16", PT_INT16 }, { "u16", PT_UINT16 },
	{ "s32", PT_INT32 }, { "u32", PT_UINT32 }, { "s64", PT_INT64 }, { "u64", PT_UINT64 },
};

const struct pol_type_info *pol_type_info(enum pol_type t)
{
	static const struct pol_type_info unknown = OTHER("?", PTC_OPAQUE, 0, 0);

	return t < PT__COUNT ? &types[t] : &unknown;
}

const char *pol_type_name(enum pol_type t)
{
	return pol_type_info(t)->name;
}

enum pol_type_class pol_type_class(enum pol_type t)
{
	return pol_type_info(t)->cls;
}

int pol_type_from(const char *s, enum pol_type *out)
{
	for (int i = 0; i < PT__COUNT; i++)
		if (!strcmp(s, types[i].name)) {
			*out = i;
			return 0;
		}
	for (size_t i = 0; i < N(type_aliases); i++)
		if (!strcmp(s, type_aliases[i].name)) {
			*out = type_aliases[i].t;
			return 0;
		}
	return -ENOENT;
}
