/* One policy argument as the policy declared it: Tetragon's *_arg objects
 * (file_arg, sock_arg, int_arg, ...). */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "events/encode.h"
#include "util/base64.h"
#include "util/caps.h"

/* Tetragon's names of address families, socket types, protocols and TCP
 * states; a number it has no name for is written as its decimal string. */
static const char *const families[] = {
	[0] = "AF_UNSPEC", [1] = "AF_UNIX", [2] = "AF_INET", [3] = "AF_AX25", [4] = "AF_IPX",
	[5] = "AF_APPLETALK", [6] = "AF_NETROM", [7] = "AF_BRIDGE", [8] = "AF_ATMPVC", [9] = "AF_X25",
	[10] = "AF_INET6", [11] = "AF_ROSE", [12] = "AF_DECnet", [13] = "AF_NETBEUI", [14] = "AF_SECURITY",
	[15] = "AF_KEY", [16] = "AF_NETLINK", [17] = "AF_PACKET", [18] = "AF_ASH", [19] = "AF_ECONET",
	[20] = "AF_ATMSVC", [21] = "AF_RDS", [23] = "AF_IRDA", [24] = "AF_PPPOX", [25] = "AF_WANPIPE",
	[26] = "AF_LLC", [27] = "AF_IB", [28] = "AF_MPLS", [29] = "AF_CAN", [30] = "AF_TIPC",
	[31] = "AF_BLUETOOTH", [32] = "AF_IUCV", [33] = "AF_RXRPC", [34] = "AF_ISDN", [35] = "AF_PHONET",
	[36] = "AF_IEEE802154", [37] = "AF_CAIF", [38] = "AF_ALG", [39] = "AF_NFC", [40] = "AF_VSOCK",
	[41] = "AF_KCM", [42] = "AF_QIPCRTR", [43] = "AF_SMC", [44] = "AF_XDP", [45] = "AF_MCTP",
};

static const char *const sock_types[] = {
	[1] = "SOCK_STREAM", [2] = "SOCK_DGRAM", [3] = "SOCK_RAW", [4] = "SOCK_RDM",
	[5] = "SOCK_SEQPACKET", [6] = "SOCK_DCCP",
	[7] = "SOCK_PACKET", /* Tetragon's number for it (the kernel's is 10): as it writes */
};

static const char *const protocols[] = {
	[0] = "IPPROTO_IP", [1] = "IPPROTO_ICMP", [2] = "IPPROTO_IGMP", [4] = "IPPROTO_IPIP",
	[6] = "IPPROTO_TCP", [8] = "IPPROTO_EGP", [12] = "IPPROTO_PUP", [17] = "IPPROTO_UDP",
	[22] = "IPPROTO_IDP", [29] = "IPPROTO_TP", [33] = "IPPROTO_DCCP", [41] = "IPPROTO_IPV6",
	[46] = "IPPROTO_RSVP", [47] = "IPPROTO_GRE", [50] = "IPPROTO_ESP", [51] = "IPPROTO_AH",
	[92] = "IPPROTO_MTP", [94] = "IPPROTO_BEETPH", [98] = "IPPROTO_ENCAP",
	[103] = "IPPROTO_PIM", [108] = "IPPROTO_COMP", [132] = "IPPROTO_SCTP", [136] = "IPPROTO_UDPLITE",
	[137] = "IPPROTO_MPLS", [143] = "IPPROTO_ETHERNET", [255] = "IPPROTO_RAW",
};

static const char *const tcp_states[] = {
	[1] = "TCP_ESTABLISHED", [2] = "TCP_SYN_SENT", [3] = "TCP_SYN_RECV", [4] = "TCP_FIN_WAIT1",
	[5] = "TCP_FIN_WAIT2", [6] = "TCP_TIME_WAIT", [7] = "TCP_CLOSE", [8] = "TCP_CLOSE_WAIT",
	[9] = "TCP_LAST_ACK", [10] = "TCP_LISTEN", [11] = "TCP_CLOSING", [12] = "TCP_NEW_SYN_RECV",
};

#define NAMED(tab, v) ((v) < sizeof(tab) / sizeof((tab)[0]) ? (tab)[v] : NULL)

static void kname(struct jw *w, const char *key, const char *name, unsigned num)
{
	char buf[12];

	if (!name) {
		snprintf(buf, sizeof(buf), "%u", num);
		name = buf;
	}
	jw_kstr(w, key, name);
}

static const char *proto_name(unsigned p)
{
	return p == 262 ? "IPPROTO_MPTCP" : NAMED(protocols, p);
}

static void addr(struct jw *w, const char *key, unsigned family, const uint8_t *a)
{
	char buf[INET6_ADDRSTRLEN];

	if (family != 2 && family != 10)
		return;
	inet_ntop(family == 2 ? AF_INET : AF_INET6, a, buf, sizeof(buf));
	jw_kstr(w, key, buf);
}

/* One of user, group, other: rwx, with s/S or t/T in the x place. */
static void perm3(char *p, unsigned bits, bool special, char mark)
{
	p[0] = bits & 4 ? 'r' : '-';
	p[1] = bits & 2 ? 'w' : '-';
	if (special)
		p[2] = bits & 1 ? mark : (char)(mark - 'a' + 'A');
	else
		p[2] = bits & 1 ? 'x' : '-';
}

size_t ev_mode_string(unsigned mode, char out[11])
{
	static const char kinds[16] = { [1] = 'p', [2] = 'c', [4] = 'd', [6] = 'b', [8] = '-', [10] = 'l',
					 [12] = 's' };
	size_t n = 0;

	if (kinds[(mode >> 12) & 15])
		out[n++] = kinds[(mode >> 12) & 15];
	perm3(out + n, mode >> 6 & 7, mode & 04000, 's');
	perm3(out + n + 3, mode >> 3 & 7, mode & 02000, 's');
	perm3(out + n + 6, mode & 7, mode & 01000, 't');
	n += 9;
	out[n] = '\0';
	return n;
}

/* file_arg, path_arg, linux_binprm_arg: flags says a path is not whole, as
 * Tetragon's does; permission is the inode's mode, as ls writes it. */
static void path_obj(struct jw *w, const char *key, const struct veto_ev_arg *a)
{
	char perm[11];

	jw_key(w, key);
	jw_obj_open(w);
	if (!(a->flags & VETO_ARG_NOPATH))
		jw_key(w, "path"), jw_strn(w, a->str, strnlen(a->str, a->len));
	if (a->flags & (VETO_ARG_TRUNC | VETO_ARG_CUT))
		jw_kstr(w, "flags", "unresolvedPathComponents");
	if (a->mode) {
		ev_mode_string(a->mode, perm);
		jw_kstr(w, "permission", perm);
	}
	jw_obj_close(w);
}

/* A capability set as Tetragon's list of names (a bit it has no name for:
 * its number, as proto JSON writes an unknown enum value). */
static void cap_names(struct jw *w, const char *key, uint64_t set)
{
	jw_key(w, key);
	jw_arr_open(w);
	for (unsigned b = 0; b < 64; b++) {
		if (!(set >> b & 1))
			continue;
		if (cap_export_name(b))
			jw_str(w, cap_export_name(b));
		else
			jw_uint(w, b);
	}
	jw_arr_close(w);
}

/* A 64-bit integer: a string in proto JSON. */
static void kstr_u64(struct jw *w, const char *key, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	jw_kstr(w, key, buf);
}

static void kstr_s64(struct jw *w, const char *key, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	jw_kstr(w, key, buf);
}

/* A char_buf: the bytes copied, base64 as proto bytes are; num[0] is the
 * size the call gave, and a larger one says the copy was cut there. */
static void bytes_arg(struct jw *w, const struct veto_ev_arg *a)
{
	char b64[4 * ((VETO_STR_BUF + 2) / 3) + 1];
	size_t n = a->len < VETO_STR_BUF ? a->len : VETO_STR_BUF - 1;

	base64_encode(a->str, n, b64);
	if (a->num[0] <= n) {
		jw_kstr(w, "bytes_arg", b64);
		return;
	}
	jw_key(w, "truncated_bytes_arg");
	jw_obj_open(w);
	jw_kstr(w, "bytes_arg", b64);
	kstr_u64(w, "orig_size", a->num[0]);
	jw_obj_close(w);
}

/* The policy path an inode was resolved from, when the event's inode is one of them. */
static const char *inode_path(const struct ev *e, const struct veto_ev_arg *a)
{
	const struct ev_policy *c = e->policy;

	for (size_t i = 0; i < c->n_inodes; i++)
		if (c->inodes[i].hook == e->pol->hook && c->inodes[i].dev == a->num[0] && c->inodes[i].ino == a->num[1])
			return c->inodes[i].path;
	return NULL;
}

const char *ev_syscall_name(const struct ev *e, uint64_t nr)
{
	return e->policy->syscall_name ? e->policy->syscall_name(nr) : NULL;
}

void enc_arg(struct jw *w, const struct ev *e, const struct ev_arg_meta *m, const struct veto_ev_arg *a)
{
	jw_obj_open(w);
	switch (m->type) {
	case EA_FILE:
		path_obj(w, "file_arg", a);
		break;
	case EA_BINPRM:
		path_obj(w, "linux_binprm_arg", a);
		break;
	case EA_PATH:
		path_obj(w, "path_arg", a);
		break;
	case EA_INODE: {
		/* Tetragon has no inode argument: a path_arg with the policy's
		 * path for that inode; another inode's path is not known here */
		const char *ip = inode_path(e, a);
		char perm[11];

		jw_key(w, "path_arg");
		jw_obj_open(w);
		if (ip)
			jw_kstr(w, "path", ip);
		else
			jw_kstr(w, "flags", "unresolvedPathComponents");
		if (a->mode) {
			ev_mode_string(a->mode, perm);
			jw_kstr(w, "permission", perm);
		}
		jw_obj_close(w);
		break;
	}
	case EA_SOCK:
		jw_key(w, "sock_arg");
		jw_obj_open(w);
		kname(w, "family", NAMED(families, a->family), a->family);
		kname(w, "type", NAMED(sock_types, a->type), a->type);
		kname(w, "protocol", proto_name(a->proto), a->proto);
		addr(w, "saddr", a->family, a->saddr);
		addr(w, "daddr", a->family, a->daddr);
		jw_kuint(w, "sport", a->sport);
		jw_kuint(w, "dport", a->dport);
		kname(w, "state", NAMED(tcp_states, a->state), a->state);
		jw_obj_close(w);
		break;
	case EA_SOCKADDR:
		jw_key(w, "sockaddr_arg");
		jw_obj_open(w);
		kname(w, "family", NAMED(families, a->family), a->family);
		addr(w, "addr", a->family, a->saddr);
		jw_kuint(w, "port", a->sport);
		jw_obj_close(w);
		break;
	case EA_CAPABILITY:
		jw_key(w, "capability_arg");
		jw_obj_open(w);
		jw_kint(w, "value", (int64_t)a->num[0]);
		if (cap_name((unsigned)a->num[0]))
			jw_kstr(w, "name", cap_name((unsigned)a->num[0]));
		jw_obj_close(w);
		break;
	case EA_CRED:
		jw_key(w, "process_credentials_arg");
		jw_obj_open(w);
		jw_kuint(w, "euid", a->num[0]);
		jw_key(w, "caps");
		jw_obj_open(w);
		if (a->num[1])
			cap_names(w, "effective", a->num[1]);
		jw_obj_close(w);
		jw_obj_close(w);
		break;
	case EA_USER_NS:
		jw_key(w, "user_ns_arg");
		jw_obj_open(w);
		jw_key(w, "ns");
		jw_obj_open(w);
		jw_kuint(w, "inum", a->num[0]);
		jw_obj_close(w);
		jw_obj_close(w);
		break;
	case EA_STRING:
		jw_key(w, "string_arg");
		jw_strn(w, a->str, strnlen(a->str, a->len));
		break;
	case EA_UINT32:
		jw_kuint(w, "uint_arg", (uint32_t)a->num[0]);
		break;
	case EA_BYTES:
		bytes_arg(w, a);
		break;
	case EA_SYSCALL64:
		jw_key(w, "syscall_id");
		jw_obj_open(w);
		jw_kuint(w, "id", a->num[0] & ~(uint64_t)EV_SYSCALL_IA32);
		jw_kstr(w, "abi", a->num[0] & EV_SYSCALL_IA32 ? "i386" : "x64");
		jw_obj_close(w);
		break;
	case EA_UINT64:
	case EA_SIZE:
		kstr_u64(w, "size_arg", a->num[0]);
		break;
	case EA_LONG:
		kstr_s64(w, "long_arg", (int64_t)a->num[0]);
		break;
	default:
		jw_kint(w, "int_arg", (int32_t)a->num[0]);
	}
	if (m->label && *m->label)
		jw_kstr(w, "label", m->label);
	jw_obj_close(w);
}

void enc_return(struct jw *w, const struct ev *e, int64_t v)
{
	struct veto_ev_arg a = { .num = { (uint64_t)v } };
	struct ev_arg_meta m = e->hook->ret;

	/* no returnArg declared: Tetragon's default, an int */
	if (m.type == EA_NOP)
		m.type = EA_INT;
	enc_arg(w, e, &m, &a);
}

/* The tables above read backwards, for what reads exported events. */
int ev_sock_value(enum ev_sock_field f, const char *name, size_t n, unsigned *out)
{
	const char *const *tab = f == EVS_FAMILY ? families : f == EVS_TYPE ? sock_types : protocols;
	size_t len = f == EVS_FAMILY ? sizeof(families) / sizeof(families[0]) :
		     f == EVS_TYPE ? sizeof(sock_types) / sizeof(sock_types[0]) : sizeof(protocols) / sizeof(protocols[0]);
	unsigned v = 0;

	for (size_t i = 0; i < len; i++)
		if (tab[i] && strlen(tab[i]) == n && !memcmp(tab[i], name, n)) {
			*out = (unsigned)i;
			return 0;
		}
	if (f == EVS_PROTOCOL && n == 13 && !memcmp(name, "IPPROTO_MPTCP", 13)) {
		*out = 262;
		return 0;
	}
	/* a number the tables have no name for, written as kname does */
	if (!n || n > 5)
		return -ENOENT;
	for (size_t i = 0; i < n; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -ENOENT;
		v = v * 10 + (unsigned)(name[i] - '0');
	}
	*out = v;
	return 0;
}
