/* One policy argument as the policy declared it: Tetragon's *_arg objects
 * (file_arg, sock_arg, int_arg, ...). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "events/encode.h"
#include "util/caps.h"

static const char *family_name(unsigned f)
{
	switch (f) {
	case 1: return "AF_UNIX";
	case 2: return "AF_INET";
	case 10: return "AF_INET6";
	default: return NULL;
	}
}

static const char *proto_name(unsigned p)
{
	switch (p) {
	case 6: return "IPPROTO_TCP";
	case 17: return "IPPROTO_UDP";
	case 1: return "IPPROTO_ICMP";
	case 58: return "IPPROTO_ICMPV6";
	default: return NULL;
	}
}

static void addr(struct jw *w, const char *key, unsigned family, const uint8_t *a)
{
	char buf[INET6_ADDRSTRLEN];

	if (family != 2 && family != 10)
		return;
	inet_ntop(family == 2 ? AF_INET : AF_INET6, a, buf, sizeof(buf));
	jw_kstr(w, key, buf);
}

static void kname(struct jw *w, const char *key, const char *name, unsigned num)
{
	if (name)
		jw_kstr(w, key, name);
	else
		jw_kuint(w, key, num);
}

static void path_obj(struct jw *w, const char *key, const struct veto_ev_arg *a)
{
	jw_key(w, key);
	jw_obj_open(w);
	if (!(a->flags & VETO_ARG_NOPATH))
		jw_key(w, "path"), jw_strn(w, a->str, strnlen(a->str, a->len));
	if (a->flags & VETO_ARG_TRUNC)
		jw_kstr(w, "flags", "truncated");
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
	case EA_INODE:
		jw_key(w, "inode_arg");
		jw_obj_open(w);
		if (inode_path(e, a))
			jw_kstr(w, "path", inode_path(e, a));
		jw_kuint(w, "dev", a->num[0]);
		jw_kuint(w, "ino", a->num[1]);
		jw_obj_close(w);
		break;
	case EA_SOCK:
		jw_key(w, "sock_arg");
		jw_obj_open(w);
		kname(w, "family", family_name(a->family), a->family);
		kname(w, "protocol", proto_name(a->proto), a->proto);
		addr(w, "saddr", a->family, a->saddr);
		addr(w, "daddr", a->family, a->daddr);
		jw_kuint(w, "sport", a->sport);
		jw_kuint(w, "dport", a->dport);
		jw_obj_close(w);
		break;
	case EA_SOCKADDR:
		jw_key(w, "sockaddr_arg");
		jw_obj_open(w);
		kname(w, "family", family_name(a->family), a->family);
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
		jw_kuint(w, "cap_effective", a->num[1]);
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
	case EA_UINT64:
		jw_kuint(w, "uint_arg", a->num[0]);
		break;
	case EA_SYSCALL64:
		jw_key(w, "syscall_id");
		jw_obj_open(w);
		jw_kuint(w, "id", a->num[0] & ~(uint64_t)EV_SYSCALL_IA32);
		jw_kstr(w, "abi", a->num[0] & EV_SYSCALL_IA32 ? "i386" : "x64");
		if (ev_syscall_name(e, a->num[0]))
			jw_kstr(w, "name", ev_syscall_name(e, a->num[0]));
		jw_obj_close(w);
		break;
	case EA_SIZE:
		jw_kuint(w, "size_arg", a->num[0]);
		break;
	case EA_LONG:
		jw_kint(w, "long_arg", (int64_t)a->num[0]);
		break;
	default:
		jw_kint(w, "int_arg", (int32_t)a->num[0]);
	}
	if (m->label && *m->label)
		jw_kstr(w, "label", m->label);
	jw_obj_close(w);
}
