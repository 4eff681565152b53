/* The AST as normalised TracingPolicy JSON, for 'veto policy show'. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "policy/show.h"
#include "util/caps.h"
#include "util/json.h"

static void json_value(struct jw *w, const struct pol_filter *f, const struct pol_value *v)
{
	char buf[INET6_ADDRSTRLEN + 8];

	switch (v->kind) {
	case PV_INT:
		jw_int(w, v->v.i);
		return;
	case PV_UINT:
		if (f && (f->kind == PF_CAPABILITIES || f->kind == PF_CAPABILITY_CHANGES)) {
			jw_str(w, cap_name((unsigned)v->v.u));
			return;
		}
		if (f && f->kind == PF_NAMESPACE_CHANGES) {
			jw_str(w, ns_policy_name((enum veto_ns)v->v.u));
			return;
		}
		jw_uint(w, v->v.u);
		return;
	case PV_CIDR: {
		size_t o;
		inet_ntop(v->v.cidr.family == 4 ? AF_INET : AF_INET6, v->v.cidr.addr, buf, sizeof(buf));
		o = strlen(buf);
		snprintf(buf + o, sizeof(buf) - o, "/%u", v->v.cidr.prefix);
		jw_str(w, buf);
		return;
	}
	case PV_PORTS:
		if (v->v.ports.lo == v->v.ports.hi)
			snprintf(buf, sizeof(buf), "%u", v->v.ports.lo);
		else
			snprintf(buf, sizeof(buf), "%u:%u", v->v.ports.lo, v->v.ports.hi);
		jw_str(w, buf);
		return;
	default:
		jw_strn(w, v->raw, v->len);
	}
}

static void json_arg(struct jw *w, const struct pol_arg *a, bool with_index)
{
	jw_obj_open(w);
	if (with_index)
		jw_kuint(w, "index", a->index);
	jw_kstr(w, "type", pol_type_name(a->type));
	if (a->label)
		jw_kstr(w, "label", a->label);
	if (a->max_data)
		jw_kbool(w, "maxData", true);
	if (a->return_copy)
		jw_kbool(w, "returnCopy", true);
	if (a->size_arg_index)
		jw_kuint(w, "sizeArgIndex", a->size_arg_index);
	if (a->resolve)
		jw_kstr(w, "resolve", a->resolve);
	jw_obj_close(w);
}

static void json_actions(struct jw *w, const char *key, const struct pol_action *v, size_t n)
{
	static const char *const scopes[] = { "thread", "process", "global" };

	if (!n)
		return;
	jw_key(w, key);
	jw_arr_open(w);
	for (size_t i = 0; i < n; i++) {
		const struct pol_action *a = &v[i];
		jw_obj_open(w);
		jw_kstr(w, "action", pol_action_name(a->kind));
		if (a->has_arg_error)
			jw_kint(w, "argError", a->arg_error);
		if (a->has_arg_sig)
			jw_kint(w, "argSig", a->arg_sig);
		if (a->rate_limit_sec) {
			jw_kuint(w, "rateLimitSeconds", a->rate_limit_sec);
			jw_kstr(w, "rateLimitScope", scopes[a->rate_scope]);
		}
		if (a->kernel_stack_trace)
			jw_kbool(w, "kernelStackTrace", true);
		if (a->user_stack_trace)
			jw_kbool(w, "userStackTrace", true);
		jw_obj_close(w);
	}
	jw_arr_close(w);
}

static void json_selector(struct jw *w, const struct pol_selector *s)
{
	jw_obj_open(w);
	for (int k = 0; k < PF__COUNT; k++) {
		bool any = false;
		for (size_t i = 0; i < s->n_filters; i++) {
			const struct pol_filter *f = &s->filters[i];
			if ((int)f->kind != k)
				continue;
			if (!any) {
				jw_key(w, pol_filter_name(k));
				jw_arr_open(w);
				any = true;
			}
			jw_obj_open(w);
			if (k == PF_ARGS || k == PF_RETURN_ARGS)
				jw_kuint(w, "index", f->index);
			if (k == PF_NAMESPACES)
				jw_kstr(w, "namespace", ns_policy_name(f->ns));
			if (k == PF_CAPABILITIES || k == PF_CAPABILITY_CHANGES) {
				jw_kstr(w, "type", pol_capset_name(f->capset));
				jw_kbool(w, "isNamespaceCapability", f->is_namespace_capability);
			}
			jw_kstr(w, "operator", pol_op_name(f->op));
			if (k == PF_PIDS) {
				jw_kbool(w, "followForks", f->follow_forks);
				jw_kbool(w, "isNamespacePID", f->is_namespace_pid);
			}
			if (k == PF_BINARIES || k == PF_PARENT_BINARIES)
				jw_kbool(w, "followChildren", f->follow_children);
			jw_key(w, "values");
			jw_arr_open(w);
			for (size_t j = 0; j < f->n_values; j++)
				json_value(w, f, &f->values[j]);
			jw_arr_close(w);
			jw_obj_close(w);
		}
		if (any)
			jw_arr_close(w);
	}
	json_actions(w, "matchActions", s->actions, s->n_actions);
	json_actions(w, "matchReturnActions", s->return_actions, s->n_return_actions);
	jw_obj_close(w);
}

static void json_label_selector(struct jw *w, const char *key, const struct pol_label_selector *s)
{
	if (!s)
		return;
	jw_key(w, key);
	jw_obj_open(w);
	jw_key(w, "matchLabels");
	jw_obj_open(w);
	for (size_t i = 0; i < s->n_labels; i++)
		jw_kstr(w, s->keys[i], s->vals[i]);
	jw_obj_close(w);
	jw_key(w, "matchExpressions");
	jw_arr_open(w);
	for (size_t i = 0; i < s->n_exprs; i++) {
		jw_obj_open(w);
		jw_kstr(w, "key", s->exprs[i].key);
		jw_kstr(w, "operator", pol_op_name(s->exprs[i].op));
		jw_key(w, "values");
		jw_arr_open(w);
		for (size_t j = 0; j < s->exprs[i].n_values; j++)
			jw_str(w, s->exprs[i].values[j]);
		jw_arr_close(w);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_obj_close(w);
}

static void json_hook(struct jw *w, const struct pol_hook *h)
{
	jw_obj_open(w);
	jw_kstr(w, "kind", pol_hook_kind_name(h->kind));
	if (h->kind == PH_TRACEPOINT) {
		jw_kstr(w, "subsystem", h->subsystem);
		jw_kstr(w, "event", h->event);
		jw_kbool(w, "raw", h->raw);
	} else {
		jw_kstr(w, h->kind == PH_LSM ? "hook" : "call", h->call);
	}
	if (h->kind == PH_KPROBE) {
		jw_kbool(w, "syscall", h->syscall);
		jw_kbool(w, "return", h->ret);
		if (h->ignore_call_not_found)
			jw_kbool(w, "ignoreCallNotFound", true);
	}
	jw_kstr(w, "class", pol_hook_class_name(h->cls));
	if (h->lsm_hook)
		jw_kstr(w, "lsmHook", h->lsm_hook);
	jw_key(w, "args");
	jw_arr_open(w);
	for (size_t i = 0; i < h->n_args; i++)
		json_arg(w, &h->args[i], true);
	jw_arr_close(w);
	if (h->has_return_arg) {
		jw_key(w, "returnArg");
		json_arg(w, &h->return_arg, false);
	}
	jw_key(w, "selectors");
	jw_arr_open(w);
	for (size_t i = 0; i < h->n_selectors; i++)
		json_selector(w, &h->selectors[i]);
	jw_arr_close(w);
	if (h->message)
		jw_kstr(w, "message", h->message);
	if (h->n_tags) {
		jw_key(w, "tags");
		jw_arr_open(w);
		for (size_t i = 0; i < h->n_tags; i++)
			jw_str(w, h->tags[i]);
		jw_arr_close(w);
	}
	jw_obj_close(w);
}

void pol_show_json(struct jw *w, const struct pol_policy *p)
{
	static const char *const modes[] = { "default", "enforce", "monitor" };

	jw_obj_open(w);
	jw_kstr(w, "apiVersion", "cilium.io/v1alpha1");
	jw_kstr(w, "kind", p->kind == PK_TRACING_POLICY ? "TracingPolicy" : "TracingPolicyNamespaced");
	jw_key(w, "metadata");
	jw_obj_open(w);
	jw_kstr(w, "name", p->name);
	if (p->namespace)
		jw_kstr(w, "namespace", p->namespace);
	jw_obj_close(w);
	jw_kstr(w, "mode", modes[p->mode]);
	json_label_selector(w, "podSelector", p->pod_selector);
	json_label_selector(w, "containerSelector", p->container_selector);
	jw_key(w, "lists");
	jw_arr_open(w);
	for (size_t i = 0; i < p->n_lists; i++) {
		jw_obj_open(w);
		jw_kstr(w, "name", p->lists[i].name);
		jw_kstr(w, "type", pol_list_type_name(p->lists[i].type));
		jw_key(w, "values");
		jw_arr_open(w);
		for (size_t j = 0; j < p->lists[i].n_values; j++)
			json_value(w, NULL, &p->lists[i].values[j]);
		jw_arr_close(w);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_key(w, "options");
	jw_obj_open(w);
	for (size_t i = 0; i < p->n_options; i++)
		jw_kstr(w, p->options[i].name, p->options[i].value);
	jw_obj_close(w);
	jw_key(w, "hooks");
	jw_arr_open(w);
	for (size_t i = 0; i < p->n_hooks; i++)
		json_hook(w, &p->hooks[i]);
	jw_arr_close(w);
	jw_obj_close(w);
}
