#include "load/event_meta.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compile/syscalls.h"

_Static_assert(EV_SYSCALL_IA32 == SYSCALL_IA32, "syscall64 values: one i386 bit");

/* How Tetragon writes an argument of a policy's declared type. */
static enum ev_arg_type arg_type(enum pol_type t)
{
	switch (t) {
	case PT_NOP: return EA_NOP;
	case PT_FILE: return EA_FILE;
	case PT_LINUX_BINPRM: return EA_BINPRM;
	case PT_PATH: case PT_DENTRY: return EA_PATH;
	case PT_INODE: return EA_INODE;
	case PT_SOCK: case PT_SOCKET: return EA_SOCK;
	case PT_SOCKADDR: return EA_SOCKADDR;
	case PT_CAPABILITY: return EA_CAPABILITY;
	case PT_CRED: return EA_CRED;
	case PT_USER_NAMESPACE: return EA_USER_NS;
	case PT_STRING: case PT_FILENAME: return EA_STRING;
	case PT_CHAR_BUF: return EA_BYTES;
	case PT_UINT8: case PT_UINT16: case PT_UINT32: return EA_UINT32;
	case PT_UINT64: case PT_ULONG: return EA_UINT64;
	case PT_SYSCALL64: return EA_SYSCALL64;
	case PT_SIZE_T: return EA_SIZE;
	case PT_LONG: case PT_INT64: return EA_LONG;
	default: return EA_INT;
	}
}

static void fill_hook(const struct c_hook *h, struct ev_hook *o)
{
	o->id = h->id;
	o->ret_probe = h->cfg.ret_probe;
	if (c_hook_is_lsm(h)) {
		/* a kprobe on security_<hook> reports the function it attached to */
		o->kind = EH_LSM;
		o->func = hook_table[h->id].name;
		o->func_kprobe = hook_table[h->id].func;
	} else {
		o->kind = h->cfg.slot_kind == VK_TRACEPOINT || h->cfg.slot_kind == VK_RAWTP ? EH_TRACEPOINT : EH_KPROBE;
		o->func = o->func_kprobe = h->cfg.slot_kind == VK_KPROBE ? h->attach : h->name;
	}
	if (o->kind == EH_TRACEPOINT && h->src) {
		o->subsys = h->src->subsystem;
		o->event = h->src->event;
	}
	if (h->src) {
		o->message = h->src->message;
		o->tags = h->src->tags;
		o->n_tags = h->src->n_tags;
	}
	o->nargs = h->nargs < VETO_ARG_MAX ? h->nargs : VETO_ARG_MAX;
	if (h->src && h->src->has_return_arg) {
		o->ret.type = arg_type(h->src->return_arg.type);
		o->ret.label = h->src->return_arg.label;
	}
	for (unsigned i = 0; i < o->nargs; i++) {
		o->args[i].type = arg_type(h->arg_type[i]);
		o->args[i].read = h->cfg.need_args & (1u << i);
		o->args[i].number = h->kind[i] == AK_ulong;
		o->args[i].label = h->arg_label[i];
	}
}

int event_meta_fill(const struct compiled *c, struct ev_policy *out)
{
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < c->n_nums; i++)
		n += c->nums[i].path != NULL;
	out->hooks = calloc(c->n_hooks ? c->n_hooks : 1, sizeof(*out->hooks));
	out->inodes = calloc(n ? n : 1, sizeof(*out->inodes));
	if (!out->hooks || !out->inodes) {
		event_meta_free(out);
		return -ENOMEM;
	}
	out->name = c->src ? c->src->name : NULL;
	out->syscall_name = syscall_name;
	for (size_t i = 0; i < c->n_hooks; i++)
		fill_hook(&c->hooks[i], &out->hooks[i]);
	out->n_hooks = c->n_hooks;
	for (size_t i = 0; i < c->n_nums; i++) {
		struct ev_inode *in = &out->inodes[out->n_inodes];
		if (!c->nums[i].path)
			continue;
		in->hook = c->nums[i].key.hook;
		in->dev = c->nums[i].key.a;
		in->ino = c->nums[i].key.b;
		in->path = c->nums[i].path;
		out->n_inodes++;
	}
	return 0;
}

void event_meta_free(struct ev_policy *m)
{
	if (!m)
		return;
	free(m->hooks);
	free(m->inodes);
	memset(m, 0, sizeof(*m));
}
