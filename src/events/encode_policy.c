/* The policy half of process_kprobe / process_lsm events: the hook, its
 * arguments as the policy declared them (Tetragon's *_arg objects), the
 * action, and what veto did (or, in monitor mode, would have done). */
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

void enc_policy_fields(struct jw *w, const struct ev *e)
{
	const struct veto_policy_event *pe = e->pol;
	const struct ev_hook *h = e->hook;
	bool deny = pe->ret != 0, kill = pe->action & VA_SIGKILL, slot = h->kind != EH_LSM;
	const char *ename;

	if (e->kind == EV_PROCESS_TRACEPOINT) {
		jw_kstr(w, "subsys", h->subsys);
		jw_kstr(w, "event", h->event);
	} else {
		jw_kstr(w, "function_name", ev_function_name(e));
	}
	jw_key(w, "args");
	jw_arr_open(w);
	for (unsigned i = 0; i < h->nargs; i++)
		if (h->args[i].read && h->args[i].type != EA_NOP)
			enc_arg(w, e, &h->args[i], &pe->args[i]);
	jw_arr_close(w);
	if (!slot || h->ret_probe) {
		/* an LSM hook's return is its verdict; a return probe's, the function's value */
		jw_key(w, "return");
		enc_return(w, e, slot ? pe->retval : pe->monitor ? 0 : pe->ret);
	}
	jw_kstr(w, "action", ev_action_name(pe->action));
	jw_kstr(w, "policy_name", ev_policy_name(e));
	/* veto's own summary: what the kernel did, so nobody has to infer it */
	jw_key(w, "enforcement");
	jw_obj_open(w);
	jw_kstr(w, "mode", pe->monitor ? "monitor" : "enforce");
	jw_kbool(w, pe->monitor ? "would_deny" : "denied", deny);
	if (deny && (ename = ev_errno_name(pe->ret)))
		jw_kstr(w, "errno", ename);
	jw_kbool(w, pe->monitor ? "would_kill" : "killed", kill);
	if (pe->action & VA_SIGNAL && !kill)
		jw_kbool(w, pe->monitor ? "would_signal" : "signaled", true);
	if (slot) /* a tracepoint or kprobe cannot stop the call: a kill lands after it */
		jw_kbool(w, "call_completes", true);
	jw_obj_close(w);
}
