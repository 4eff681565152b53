/* The policy half of process_kprobe / process_lsm / process_tracepoint
 * events: the hook, its arguments as the policy declared them (Tetragon's
 * *_arg objects), the action, the policy's message and tags; and, in the
 * opt-in "veto" key, what veto did (or, in monitor mode, would have done). */
#include <stdio.h>
#include <string.h>

#include "events/encode.h"

const char *ev_action_name(uint32_t f)
{
	if (f & VA_SIGKILL)
		return "KPROBE_ACTION_SIGKILL";
	if (f & VA_OVERRIDE)
		return "KPROBE_ACTION_OVERRIDE";
	if (f & VA_SIGNAL)
		return "KPROBE_ACTION_SIGNAL";
	if (f & VA_POST)
		return "KPROBE_ACTION_POST";
	return "KPROBE_ACTION_NOPOST";
}

const char *ev_errno_name(int32_t ret)
{
	return ret < 0 && ret > -4096 ? strerrorname_np(-ret) : NULL;
}

const char *ev_policy_name(const struct ev *e)
{
	return e->policy->name ? e->policy->name : "";
}

const char *ev_function_name(const struct ev *e)
{
	const char *f = e->pol->kprobe ? e->hook->func_kprobe : e->hook->func;

	return f ? f : "";
}

static void args(struct jw *w, const struct ev *e)
{
	const struct ev_hook *h = e->hook;
	bool any = false;

	for (unsigned i = 0; i < h->nargs; i++) {
		if (!h->args[i].read || h->args[i].type == EA_NOP)
			continue;
		if (!any) {
			jw_key(w, "args");
			jw_arr_open(w);
			any = true;
		}
		enc_arg(w, e, &h->args[i], &e->pol->args[i]);
	}
	if (any)
		jw_arr_close(w);
}

static void message_tags(struct jw *w, const struct ev_hook *h, bool message, bool tags)
{
	if (message && h->message && *h->message)
		jw_kstr(w, "message", h->message);
	if (!tags || !h->n_tags)
		return;
	jw_key(w, "tags");
	jw_arr_open(w);
	for (size_t i = 0; i < h->n_tags; i++)
		jw_str(w, h->tags[i]);
	jw_arr_close(w);
}

static void kstr_nonempty(struct jw *w, const char *key, const char *s)
{
	if (s && *s)
		jw_kstr(w, key, s);
}

/* Each message's fields in the order of its proto (ProcessKprobe,
 * ProcessLsm, ProcessTracepoint), as protojson writes them. */
void enc_policy_fields(struct jw *w, const struct ev *e)
{
	const struct veto_policy_event *pe = e->pol;
	const struct ev_hook *h = e->hook;
	const char *action = ev_action_name(pe->action);

	switch (e->kind) {
	case EV_PROCESS_TRACEPOINT:
		kstr_nonempty(w, "subsys", h->subsys);
		kstr_nonempty(w, "event", h->event);
		args(w, e);
		kstr_nonempty(w, "policy_name", ev_policy_name(e));
		jw_kstr(w, "action", action);
		message_tags(w, h, true, true);
		break;
	case EV_PROCESS_LSM:
		kstr_nonempty(w, "function_name", ev_function_name(e));
		kstr_nonempty(w, "policy_name", ev_policy_name(e));
		message_tags(w, h, true, false);
		args(w, e);
		jw_kstr(w, "action", action);
		message_tags(w, h, false, true);
		break;
	default:
		kstr_nonempty(w, "function_name", ev_function_name(e));
		args(w, e);
		if (h->kind != EH_LSM && h->ret_probe) {
			/* the function's value, from its return probe, as returnArg's type */
			jw_key(w, "return");
			enc_return(w, e, pe->retval);
		}
		jw_kstr(w, "action", action);
		kstr_nonempty(w, "policy_name", ev_policy_name(e));
		message_tags(w, h, true, true);
	}
}

/* The first syscall_id argument's name, when the policy's table has it. */
static const char *syscall_arg_name(const struct ev *e)
{
	for (unsigned i = 0; i < e->hook->nargs; i++)
		if (e->hook->args[i].read && e->hook->args[i].type == EA_SYSCALL64)
			return ev_syscall_name(e, e->pol->args[i].num[0]);
	return NULL;
}

void enc_veto_key(struct jw *w, const struct ev *e)
{
	const struct veto_policy_event *pe = e->pol;
	bool deny = pe->ret != 0, kill = pe->action & VA_SIGKILL, mon = pe->monitor;
	const char *ename, *sys;

	jw_key(w, "veto");
	jw_obj_open(w);
	jw_kstr(w, "mode", mon ? "monitor" : "enforce");
	jw_kbool(w, mon ? "would_deny" : "denied", deny);
	if (deny && (ename = ev_errno_name(pe->ret)))
		jw_kstr(w, "errno", ename);
	jw_kbool(w, mon ? "would_kill" : "killed", kill);
	if (pe->action & VA_SIGNAL && !kill)
		jw_kbool(w, mon ? "would_signal" : "signaled", true);
	if (e->hook->kind != EH_LSM) /* a tracepoint or kprobe cannot stop the call: a kill lands after it */
		jw_kbool(w, "call_completes", true);
	else /* the LSM hook's verdict: what the kernel got */
		jw_kint(w, "return", mon ? 0 : pe->ret);
	if ((sys = syscall_arg_name(e)))
		jw_kstr(w, "syscall", sys);
	jw_obj_close(w);
}
