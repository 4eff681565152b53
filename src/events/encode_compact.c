/* One line per event for people, in the spirit of `tetra getevents -o compact`:
 *   🚀 process NODE /bin/sh -c "exit 7"
 *   💥 exit    NODE /bin/sh -c "exit 7" 7
 * NODE is the container (runtime:short id) when the process is in one. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "compile/syscalls.h"
#include "events/encode.h"

static void text(struct jw *w, const char *s)
{
	jw_raw(w, s, strlen(s));
}

/* What a process chose (its path, its arguments) goes to a terminal: control
 * characters become '?', so no event can move the cursor or recolour it. */
static void untrusted(struct jw *w, const char *s, size_t n)
{
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != 0x7f)
			continue;
		jw_raw(w, s + run, i - run);
		jw_raw(w, "?", 1);
		run = i + 1;
	}
	jw_raw(w, s + run, n - run);
}

/*   🔒 lsm     NODE /bin/sh file_open /etc/passwd [42] policy-name: denied EPERM, killed */
static void policy_line(struct jw *w, const char *where, const struct ev *e)
{
	const struct veto_policy_event *pe = e->pol;
	const struct proc *p = e->proc;
	char buf[160];

	text(w, e->kind == EV_PROCESS_LSM ? "\xf0\x9f\x94\x92 lsm     " :
		e->kind == EV_PROCESS_TRACEPOINT ? "\xf0\x9f\x94\x92 tp      " : "\xf0\x9f\x94\x92 kprobe  ");
	text(w, where);
	text(w, " ");
	untrusted(w, p->binary && p->binary[0] ? p->binary : "<unknown>",
		  strlen(p->binary && p->binary[0] ? p->binary : "<unknown>"));
	text(w, " ");
	text(w, ev_function_name(e));
	for (unsigned i = 0; e->hook && i < e->hook->nargs && i < VETO_ARG_MAX; i++) {
		const struct veto_ev_arg *a = &pe->args[i];
		if (!(e->hook->cfg.need_args & (1u << i)) || (a->flags & VETO_ARG_NOPATH))
			continue;
		if (a->len) {
			text(w, " ");
			untrusted(w, a->str, strnlen(a->str, a->len));
		} else if (e->hook->arg_type[i] == PT_SYSCALL64 && syscall_name(a->num[0])) {
			text(w, " ");
			text(w, syscall_name(a->num[0]));
		} else if (e->hook->kind[i] == AK_ulong) { /* numbers of tracepoints and kprobes */
			snprintf(buf, sizeof(buf), " %lld", (long long)a->num[0]);
			text(w, buf);
		}
	}
	snprintf(buf, sizeof(buf), " [%u] %s: ", pe->pid, ev_policy_name(e));
	text(w, buf);
	if (pe->monitor)
		text(w, "monitor, would ");
	if (pe->ret) {
		const char *n = strerrorname_np(-pe->ret);
		snprintf(buf, sizeof(buf), "%s %s", pe->monitor ? "deny" : "denied", n ? n : "?");
		text(w, buf);
	} else if (e->hook && !c_hook_is_lsm(e->hook)) {
		text(w, "call completes"); /* a tracepoint or kprobe cannot deny */
	} else {
		text(w, pe->monitor ? "allow" : "allowed");
	}
	if (pe->action & VA_SIGKILL)
		text(w, pe->monitor ? ", kill" : ", killed");
}

void enc_compact(struct jw *w, const struct enc_ctx *ctx, const struct ev *e)
{
	const struct proc *p = e->proc;
	char where[96], tail[48];

	if (p->container.id[0])
		snprintf(where, sizeof(where), "%s:%.12s", p->container.runtime ? p->container.runtime : "container",
			 p->container.id);
	else
		snprintf(where, sizeof(where), "%s", ctx->node);
	if (e->pol) {
		policy_line(w, where, e);
		return;
	}
	text(w, e->kind == EV_PROCESS_EXEC ? "\xf0\x9f\x9a\x80 process " : "\xf0\x9f\x92\xa5 exit    ");
	text(w, where);
	text(w, " ");
	untrusted(w, p->binary[0] ? p->binary : "<unknown>", strlen(p->binary[0] ? p->binary : "<unknown>"));
	if (p->args[0]) {
		text(w, " ");
		untrusted(w, p->args, strlen(p->args));
	}
	snprintf(tail, sizeof(tail), " [%u]", p->pid);
	text(w, tail);
	if (e->kind == EV_PROCESS_EXIT) {
		int sig = e->exit_code & 0x7f;
		const char *abbrev = sig ? sigabbrev_np(sig) : NULL;
		if (sig)
			snprintf(tail, sizeof(tail), " SIG%s", abbrev ? abbrev : "?");
		else
			snprintf(tail, sizeof(tail), " %u", (e->exit_code >> 8) & 0xff);
		text(w, tail);
	}
}
