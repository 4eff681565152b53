/* A hook's argument slots: which kind of argument each is and how the
 * kernel reads it (an LSM hook's own, or a tracepoint's or kprobe's as the
 * policy declares them), and the programs a hook runs as. */
#include "compile/run.h"

#include <stdio.h>
#include <string.h>

/* Does a policy type read a hook argument of this kind? */
static bool type_fits(enum pol_type t, enum arg_kind k)
{
	if (t == PT_NOP) /* declared so that later indexes line up: never read */
		return true;
	switch (k) {
	case AK_linux_binprm: return t == PT_LINUX_BINPRM || t == PT_FILE;
	case AK_file: return t == PT_FILE || t == PT_PATH;
	case AK_inode: return t == PT_INODE;
	case AK_dentry: return t == PT_DENTRY || t == PT_PATH;
	case AK_path: return t == PT_PATH;
	case AK_socket: return t == PT_SOCKET || t == PT_SOCK;
	case AK_sockaddr: return t == PT_SOCKADDR;
	case AK_cred: return t == PT_CRED;
	case AK_userns: return t == PT_USER_NAMESPACE;
	case AK_kstr: return t == PT_STRING || t == PT_FILENAME;
	case AK_task: return t == PT_NOP;
	case AK_ptr: return t == PT_NOP; /* no fields read: a bpf_attr_arg would be empty */
	case AK_int: case AK_uint: case AK_ulong: case AK_flag: case AK_umode:
		return pol_type_class(t) == PTC_INT;
	default: return false;
	}
}

/* An LSM hook (lsmhooks:, or a kprobe on its security_* function): the
 * arguments are the hook's own, read as bpf/hooks.def says. */
static bool no_resolve(struct cc *c, const struct pol_arg *a)
{
	if (a->resolve)
		cerr(c, a->pos, "unsupported: resolve: %.64s (veto reads an argument as its declared type and does "
			     "not follow BTF field paths)", a->resolve);
	return !a->resolve;
}

/* The return value is read as an integer (a register): returnArg may say
 * which kind, nothing else. */
static bool ret_arg_ok(struct cc *c, const struct pol_hook *ph)
{
	enum pol_type t = ph->return_arg.type;

	if (!ph->has_return_arg || pol_type_class(t) == PTC_INT || t == PT_NOP)
		return true;
	cerr(c, ph->return_arg.pos, "unsupported: returnArg of type %s: veto reports the return value as an "
		     "integer (int, long, size_t, uint64, ...)", pol_type_name(t));
	return false;
}

bool setup_lsm(struct cc *c, struct c_hook *h, const struct pol_hook *ph, int id)
{
	const struct hook_info *hi = &hook_table[id];
	bool ok = ret_arg_ok(c, ph);

	h->id = (uint32_t)id;
	h->name = hi->name;
	h->nargs = hi->nargs;
	memcpy(h->kind, hi->args, sizeof(h->kind));
	h->cfg.kprobe = ph->kind == PH_KPROBE;
	for (size_t i = 0; i < ph->n_args; i++) {
		const struct pol_arg *a = &ph->args[i];

		if (!no_resolve(c, a)) {
			ok = false;
			continue;
		}

		if (a->index >= hi->nargs) {
			cerr(c, a->pos, "argument index %u: %s has %u arguments", a->index, hi->name, hi->nargs);
			ok = false;
			continue;
		}
		if (!type_fits(a->type, hi->args[a->index])) {
			cerr(c, a->pos, "argument %u of %s is a %s: type '%s' cannot read it", a->index, hi->name,
			     arg_kind_name(hi->args[a->index]), pol_type_name(a->type));
			ok = false;
			continue;
		}
		h->arg_type[a->index] = a->type;
		h->arg_label[a->index] = a->label;
		if (a->type != PT_NOP)
			h->cfg.need_args |= 1u << a->index;
	}
	return ok;
}

bool type_signed(enum pol_type t)
{
	return t == PT_INT8 || t == PT_INT16 || t == PT_INT32 || t == PT_INT64 || t == PT_INT || t == PT_LONG ||
	       t == PT_FD || t == PT_CAPABILITY;
}

static unsigned type_size(enum pol_type t)
{
	switch (t) {
	case PT_INT8: case PT_UINT8: return 1;
	case PT_INT16: case PT_UINT16: return 2;
	case PT_INT32: case PT_UINT32: case PT_INT: case PT_FD: case PT_CAPABILITY: return 4;
	default: return 8;
	}
}

/* How a slot reads an argument of this policy type, and how matchArgs
 * treats it. false: veto cannot read it. */
static bool slot_reader(enum pol_type t, struct veto_arg_read *rd, enum arg_kind *k)
{
	static const struct { enum pol_type t; uint8_t how; enum arg_kind k; } ptrs[] = {
		{ PT_FILE, VR_FILE, AK_file }, { PT_PATH, VR_PATH, AK_path }, { PT_DENTRY, VR_DENTRY, AK_dentry },
		{ PT_INODE, VR_INODE, AK_inode }, { PT_LINUX_BINPRM, VR_BINPRM, AK_linux_binprm },
		{ PT_SOCKET, VR_SOCKET, AK_socket }, { PT_SOCK, VR_SOCK, AK_socket },
		{ PT_SOCKADDR, VR_SOCKADDR, AK_sockaddr }, { PT_CRED, VR_CRED, AK_cred },
	};

	if (t == PT_SYSCALL64) {
		rd->how = VR_SYSCALL64;
		*k = AK_ulong;
		return true;
	}
	if (pol_type_class(t) == PTC_INT || t == PT_FD) {
		rd->how = type_signed(t) ? VR_SINT : VR_UINT;
		rd->size = (uint8_t)type_size(t);
		*k = AK_ulong;
		return true;
	}
	if (t == PT_STRING || t == PT_FILENAME || t == PT_DATA_LOC) {
		rd->how = VR_KSTR;
		*k = AK_kstr;
		return true;
	}
	if (t == PT_NOP) {
		rd->how = VR_NONE;
		*k = AK_ptr;
		return true;
	}
	for (size_t i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++)
		if (ptrs[i].t == t) {
			rd->how = ptrs[i].how;
			rd->size = 8;
			*k = ptrs[i].k;
			return true;
		}
	return false;
}

enum type_readers compile_type_readable(enum pol_type t)
{
	struct veto_arg_read rd;
	enum arg_kind k;

	if (t == PT_CHAR_BUF)
		return TR_KPROBES; /* char_buf_reader */
	return slot_reader(t, &rd, &k) ? TR_BOTH : TR_NONE;
}

/* A char_buf: bytes, as many as another argument (sizeArgIndex) or the
 * return value (returnCopy) says; only kprobes can read either. */
static bool char_buf_reader(struct cc *c, const struct pol_hook *ph, const struct pol_arg *a,
			    struct veto_arg_read *rd)
{
	if (ph->kind != PH_KPROBE) {
		cerr(c, a->pos, "unsupported: char_buf on a tracepoint: veto reads a buffer's bytes on kprobes "
			     "(sizeArgIndex, returnCopy); type string reads a NUL-ended string");
		return false;
	}
	if (a->max_data) {
		cerr(c, a->pos, "unsupported: maxData: veto copies at most %d bytes of a char_buf (a longer one is "
			     "written as truncated_bytes_arg with its orig_size)", VETO_STR_BUF - 1);
		return false;
	}
	if (!a->return_copy && !a->size_arg_index) {
		cerr(c, a->pos, "char_buf needs sizeArgIndex (the argument holding its size, from 1) or returnCopy "
			     "(as many bytes as the function returns)");
		return false;
	}
	if (!a->return_copy && a->size_arg_index > VETO_ARG_MAX) {
		cerr(c, a->pos, "unsupported: sizeArgIndex %u: veto reads a size from the first %d arguments",
		     a->size_arg_index, VETO_ARG_MAX);
		return false;
	}
	rd->how = a->return_copy ? VR_RETBUF : VR_BUF;
	rd->size = a->return_copy ? 0 : (uint8_t)a->size_arg_index;
	return true;
}

/* A tracepoint argument: the record field its index names, read by the
 * field's layout and the policy's type. */
static bool tp_field_reader(struct cc *c, const struct pol_hook *ph, const struct pol_arg *a,
			    const struct tp_format *fmt, struct veto_arg_read *rd)
{
	const struct tp_field *f;
	bool syscalls = !strcmp(ph->subsystem, "syscalls") || !strcmp(ph->subsystem, "raw_syscalls");

	if (a->index >= fmt->n) {
		cerr(c, a->pos, "argument index %u: %s/%s has %zu fields (0 to %zu, common_* included: see its "
			     "format file in tracefs)", a->index, ph->subsystem, ph->event, fmt->n, fmt->n - 1);
		return false;
	}
	f = &fmt->f[a->index];
	rd->off = f->off;
	if (rd->how == VR_KSTR) {
		if (!strncmp(f->type, "__data_loc", 10)) {
			rd->how = VR_DATALOC;
			rd->size = 4;
		} else if (strchr(f->type, '[')) {
			rd->how = VR_CHARS;
			rd->size = (uint8_t)(f->size < VETO_STR_BUF - 1 ? f->size : VETO_STR_BUF - 1);
		} else if (strchr(f->type, '*')) {
			/* a syscall's string arguments point into the caller's memory */
			rd->how = syscalls || strstr(f->type, "__user") ? VR_USTR : VR_KSTR;
			rd->size = 8;
		} else {
			cerr(c, a->pos, "field %u (%s %s) is not a string: type '%s' cannot read it", a->index, f->type,
			     f->name, pol_type_name(a->type));
			return false;
		}
		return true;
	}
	if (rd->how == VR_NONE)
		return true;
	if (f->size > 8 || strchr(f->type, '[')) {
		cerr(c, a->pos, "field %u (%s %s) is %u bytes: veto reads integers and pointers of up to 8", a->index,
		     f->type, f->name, f->size);
		return false;
	}
	if (rd->how == VR_SINT || rd->how == VR_UINT)
		rd->how = f->is_signed || type_signed(a->type) ? VR_SINT : VR_UINT;
	rd->size = (uint8_t)f->size;
	return true;
}

/* raw_syscalls/sys_enter read only by its id runs as the raw tracepoint,
 * whose second argument is the id: the same value without the kernel
 * filling a record first (a cost on every system call). */
static void sys_enter_raw(struct c_hook *h, const struct pol_hook *ph)
{
	if (strcmp(ph->subsystem, "raw_syscalls") || strcmp(ph->event, "sys_enter"))
		return;
	for (unsigned i = 0; i < VETO_ARG_MAX; i++) {
		const struct veto_arg_read *rd = &h->cfg.rd[i];

		if ((h->cfg.need_args >> i & 1) && (rd->off != 8 || rd->size != 8 ||
		    (rd->how != VR_SINT && rd->how != VR_UINT && rd->how != VR_SYSCALL64)))
			return;
	}
	for (unsigned i = 0; i < VETO_ARG_MAX; i++)
		if (h->cfg.need_args >> i & 1)
			h->cfg.rd[i].off = 1;
	h->cfg.slot_kind = VK_RAWTP;
	snprintf(h->attach, sizeof(h->attach), "%s", ph->event);
}

/* a raw tracepoint's arguments are words the slot program loads */
_Static_assert(12 <= VETO_TP_WORDS, "a raw tracepoint's 12 arguments fit the kernel's words");

/* A tracepoint or a kprobe on a function that is not an LSM hook: its own
 * slot program, told where each argument is. */
bool setup_slot(struct cc *c, struct c_hook *h, const struct pol_hook *ph, unsigned slot)
{
	struct tp_format fmt = { 0 };
	bool tp = ph->kind == PH_TRACEPOINT, ok = ret_arg_ok(c, ph), fields = tp && !ph->raw;
	int r;

	if (slot >= VETO_SLOT_MAX) {
		cerr(c, ph->pos, "more than %d tracepoints and kprobes in one policy: split it", VETO_SLOT_MAX);
		return false;
	}
	h->id = VH__COUNT + slot;
	h->cfg.slot_kind = !tp ? VK_KPROBE : ph->raw ? VK_RAWTP : VK_TRACEPOINT;
	h->cfg.kprobe = !tp;
	if (tp && ph->raw) {
		/* arguments are the tracepoint's own (TP_PROTO), by index */
		h->name = ph->event;
		snprintf(h->attach, sizeof(h->attach), "%s", ph->event);
		h->nargs = ph->n_args < VETO_ARG_MAX ? (unsigned)ph->n_args : VETO_ARG_MAX;
	} else if (tp) {
		h->name = ph->event;
		snprintf(h->attach, sizeof(h->attach), "%s/%s", ph->subsystem, ph->event);
		r = c->env->tp_format ? c->env->tp_format(ph->subsystem, ph->event, &fmt) : -ENOSYS;
		if (r && c->env->portable) {
			fields = false; /* this machine's kernel says nothing about the target's */
		} else if (r) {
			cerr(c, ph->call_pos, "tracepoint %s/%s: %s%s", ph->subsystem, ph->event,
			     r == -ENOENT ? "this kernel has no such tracepoint" : strerror(-r),
			     r == -ENODEV ? " (tracefs is not mounted: mount -t tracefs nodev /sys/kernel/tracing)" : "");
			return false;
		}
		h->nargs = ph->n_args < VETO_ARG_MAX ? (unsigned)ph->n_args : VETO_ARG_MAX;
	} else {
		if (ph->call_list) {
			cerr(c, ph->call_pos, "unsupported: a kprobe on list:%s: write one kprobe per function",
			     ph->call_list);
			return false;
		}
		h->name = ph->call;
		/* syscall wrappers take the caller's registers; x86-64 names them __x64_sys_* */
		h->cfg.syscall = ph->syscall && (!strncmp(ph->call, "sys_", 4) || strstr(ph->call, "_sys_"));
		snprintf(h->attach, sizeof(h->attach), "%s%s", h->cfg.syscall && !strncmp(ph->call, "sys_", 4) ?
			 "__x64_" : "", ph->call);
		h->cfg.ret_probe = ph->ret;
		h->nargs = VETO_ARG_MAX;
	}
	for (size_t i = 0; i < ph->n_args; i++) {
		const struct pol_arg *a = &ph->args[i];
		unsigned slot_i = tp ? (unsigned)i : a->index;
		struct veto_arg_read rd = { 0 };
		enum arg_kind k;

		if (!no_resolve(c, a)) {
			ok = false;
			continue;
		}
		if (slot_i >= VETO_ARG_MAX) {
			cerr(c, a->pos, "unsupported: %s %u: veto reads the first %d arguments", tp ? "argument" :
			     "argument index", tp ? (unsigned)i + 1 : a->index, VETO_ARG_MAX);
			ok = false;
			continue;
		}
		if (a->type == PT_CHAR_BUF) {
			if (!char_buf_reader(c, ph, a, &rd)) {
				ok = false;
				continue;
			}
			k = AK_ptr;
		} else if (!slot_reader(a->type, &rd, &k)) {
			cerr(c, a->pos, "unsupported: veto cannot read a %s argument on %s", pol_type_name(a->type),
			     tp ? "a tracepoint" : "a kprobe");
			ok = false;
			continue;
		}
		if (tp && ph->raw) {
			if (a->index >= 12) {
				cerr(c, a->pos, "argument index %u: a tracepoint has at most 12 arguments", a->index);
				ok = false;
				continue;
			}
			rd.off = (uint16_t)a->index;
			if (rd.how == VR_SINT || rd.how == VR_UINT)
				rd.size = (uint8_t)type_size(a->type);
		} else if (tp) {
			if (fields && !tp_field_reader(c, ph, a, &fmt, &rd)) {
				ok = false;
				continue;
			}
		} else {
			rd.off = (uint16_t)a->index;
			if (rd.how == VR_RETBUF && !h->cfg.ret_probe) {
				cerr(c, a->pos, "returnCopy needs 'return: true' on the hook: the data is read on return");
				ok = false;
				continue;
			}
			if (rd.how == VR_KSTR && h->cfg.syscall)
				rd.how = VR_USTR; /* a syscall's strings are the caller's */
		}
		h->cfg.rd[slot_i] = rd;
		h->kind[slot_i] = k;
		h->arg_type[slot_i] = a->type;
		h->arg_label[slot_i] = a->label;
		if (rd.how != VR_NONE)
			h->cfg.need_args |= 1u << slot_i;
	}
	tp_format_free(&fmt);
	if (ok && tp && !ph->raw)
		sys_enter_raw(h, ph);
	return ok;
}

int c_hook_progs(const struct c_hook *h, char names[2][32])
{
	unsigned slot = h->id - VH__COUNT;

	if (c_hook_is_lsm(h)) {
		snprintf(names[0], 32, "%s", hook_table[h->id].prog);
		return 1;
	}
	snprintf(names[0], 32, "veto_%s_%u", h->cfg.slot_kind == VK_TRACEPOINT ? "tp" :
		 h->cfg.slot_kind == VK_RAWTP ? "rt" : "kp", slot);
	if (!h->cfg.ret_probe)
		return 1;
	snprintf(names[1], 32, "veto_kr_%u", slot);
	return 2;
}

const char *c_hook_where(const struct c_hook *h, char *buf, size_t n)
{
	if (c_hook_is_lsm(h))
		snprintf(buf, n, "lsm/%s", h->name);
	else
		snprintf(buf, n, "%s/%s", h->cfg.slot_kind == VK_TRACEPOINT ? "tracepoint" :
			 h->cfg.slot_kind == VK_RAWTP ? "raw_tp" : h->cfg.ret_probe ? "kprobe+kretprobe" : "kprobe",
			 h->attach);
	return buf;
}

uint8_t c_hook_word_top(const struct c_hook *h)
{
	uint8_t top = 0;

	for (unsigned a = 0; a < VETO_ARG_MAX; a++) {
		const struct veto_arg_read *rd = &h->cfg.rd[a];
		unsigned k;

		if (!(h->cfg.need_args & (1u << a)))
			continue;
		if (h->cfg.slot_kind == VK_RAWTP)
			k = rd->off;
		else if (h->cfg.slot_kind == VK_TRACEPOINT && !(rd->off & 7) && rd->size == 8 && rd->how != VR_CHARS)
			k = rd->off / 8u;
		else
			continue;
		if (k + 1 > top && k < VETO_TP_WORDS)
			top = (uint8_t)(k + 1);
	}
	return top;
}
