/*
 * Lint: valid policies that do not do what their authors think. Each warning
 * says what the policy really does and how to fix it (docs/policy.md lists them).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct lc {
	const char *file;
	struct diag_list *d;
	struct pol_policy *p;
};

static void lw(struct lc *c, struct pol_pos pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void lw(struct lc *c, struct pol_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(c->d, c->file, DIAG_WARNING, pos.line, pos.col, fmt, ap);
	va_end(ap);
}

static const struct pol_action *find_action(const struct pol_selector *s, enum pol_action_kind k)
{
	for (size_t i = 0; i < s->n_actions; i++)
		if (s->actions[i].kind == k)
			return &s->actions[i];
	return NULL;
}

static const struct pol_action *first_enforcing(const struct pol_selector *s)
{
	for (size_t i = 0; i < s->n_actions; i++)
		if (pol_action_enforces(s->actions[i].kind))
			return &s->actions[i];
	return NULL;
}

static const char *hook_name(const struct pol_hook *h, char *buf, size_t sz)
{
	if (h->kind == PH_TRACEPOINT)
		snprintf(buf, sz, "%s/%s", h->subsystem ? h->subsystem : "?", h->event ? h->event : "?");
	else
		snprintf(buf, sz, "%s", h->call ? h->call : "?");
	return buf;
}

static bool syscall_name(const char *s)
{
	static const char *const pfx[] = { "sys_", "__x64_sys_", "__ia32_sys_", "__arm64_sys_", "__se_sys_",
					   "__do_sys_", "compat_sys_", "list:" };
	for (size_t i = 0; i < N(pfx); i++)
		if (!strncmp(s, pfx[i], strlen(pfx[i])))
			return true;
	return false;
}

static bool is_exec_hook(const struct pol_hook *h)
{
	return h->lsm_hook && pol_hook_checks_exec(h->lsm_hook);
}

static bool is_shell(const char *path, size_t len)
{
	static const char *const shells[] = { "sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "csh", "tcsh",
					      "fish", "busybox" };
	const char *b = memrchr(path, '/', len);

	b = b ? b + 1 : path;
	for (size_t i = 0; i < N(shells); i++)
		if (!strcmp(b, shells[i]))
			return true;
	return false;
}

static bool filter_on_type(const struct pol_filter *f, enum pol_type t)
{
	return f->kind == PF_ARGS && f->arg && f->arg->type == t;
}

/* The selector picks shells, by the executed file or (wrongly, see below) by the caller. */
static bool matches_shells(const struct pol_selector *s)
{
	for (size_t i = 0; i < s->n_filters; i++) {
		const struct pol_filter *f = &s->filters[i];
		bool path = f->kind == PF_BINARIES ||
			    (f->kind == PF_ARGS && f->arg && pol_type_class(f->arg->type) == PTC_PATH);
		if (!path || pol_op_negated(f->op))
			continue;
		for (size_t j = 0; j < f->n_values; j++)
			if (is_shell(f->values[j].raw, f->values[j].len))
				return true;
	}
	return false;
}

static bool has_live_values(const struct pol_filter *f)
{
	for (size_t i = 0; i < f->n_values; i++)
		if (!f->values[i].never_matches)
			return true;
	return false;
}

/* Something limits which workloads the selector applies to. */
static bool scoped(const struct pol_policy *p, const struct pol_selector *s)
{
	if (p->kind == PK_TRACING_POLICY_NAMESPACED || p->pod_selector || p->container_selector)
		return true;
	for (size_t i = 0; i < s->n_filters; i++) {
		const struct pol_filter *f = &s->filters[i];
		switch (f->kind) {
		case PF_NAMESPACES:
		case PF_BINARIES:
		case PF_PARENT_BINARIES:
		case PF_PIDS:
			if (has_live_values(f))
				return true;
			break;
		default:
			break;
		}
	}
	return false;
}

/* Something lets legitimate users of the blocked thing through; `exception` says an
 * earlier selector only records (first match wins, so it exempts what it matches). */
static bool allowlisted(const struct pol_policy *p, const struct pol_hook *h, size_t sel, bool exception)
{
	const struct pol_selector *s = &h->selectors[sel];

	if (p->pod_selector || p->container_selector)
		return true;
	for (size_t i = 0; i < s->n_filters; i++) {
		const struct pol_filter *f = &s->filters[i];
		if ((f->kind == PF_BINARIES || f->kind == PF_PIDS) && pol_op_negated(f->op) && has_live_values(f))
			return true;
		if (f->kind == PF_PARENT_BINARIES && has_live_values(f))
			return true;
	}
	return exception;
}

static void lint_values(struct lc *c, const struct pol_hook *h, struct pol_filter *f)
{
	const struct pol_op_info *op = pol_op_info(f->op);
	bool neg = op->negated;

	for (size_t i = 0; i < f->n_values; i++) {
		struct pol_value *v = &f->values[i];
		bool path = f->kind == PF_BINARIES || f->kind == PF_PARENT_BINARIES ||
			    (f->kind == PF_ARGS && f->arg && pol_type_class(f->arg->type) == PTC_PATH) ||
			    (f->kind == PF_RETURN_ARGS && f->arg && pol_type_class(f->arg->type) == PTC_PATH);
		bool text = path || (f->arg && pol_type_class(f->arg->type) == PTC_STRING);

		if (v->kind == PV_RAW && f->kind != PF_BINARIES && f->kind != PF_PARENT_BINARIES)
			continue; /* check refused it */
		if ((text || f->kind == PF_BINARIES || f->kind == PF_PARENT_BINARIES) &&
		    op->match != POM_NONE && v->len > POL_MAX_STR) {
			v->never_matches = true;
			lw(c, v->pos, "this %zu-byte value can never match: the kernel compares at most %d bytes "
			   "of a string or path%s; shorten it", v->len, POL_MAX_STR,
			   neg ? ", so it excludes nothing" : "");
			continue;
		}
		if (path && op->match != POM_POSTFIX && v->raw[0] != '/') {
			v->never_matches = true;
			lw(c, v->pos, "'%.64s' can never match: %s are absolute paths, so a %s value must start "
			   "with '/'%s; to match a file name anywhere use %s", v->raw,
			   f->kind == PF_ARGS || f->kind == PF_RETURN_ARGS ? "path arguments" : "binaries",
			   pol_op_name(f->op), neg ? " (as written it excludes nothing)" : "",
			   neg ? "NotPostfix" : "Postfix");
			continue;
		}
		if (f->op == POP_MASK && (v->kind == PV_UINT || v->kind == PV_INT) && v->v.u == 0) {
			v->never_matches = true;
			lw(c, v->pos, "Mask 0 can never match: no bit is set in it");
			continue;
		}
		if (f->kind == PF_NAMESPACES && v->kind == PV_UINT && v->v.u < POL_NS_INO_MIN) {
			v->never_matches = true;
			if (f->op == POP_NOT_IN)
				lw(c, v->pos, "'%s' is not a namespace: matchNamespaces values are namespace inode "
				   "numbers (%u and up, see 'lsns') or host_ns, so NotIn [\"%s\"] excludes nothing, "
				   "the host included, and the selector applies to every process on the node; to "
				   "exclude the host write values: [\"host_ns\"]", v->raw, POL_NS_INO_MIN, v->raw);
			else
				lw(c, v->pos, "'%s' is not a namespace: matchNamespaces values are namespace inode "
				   "numbers (%u and up, see 'lsns') or host_ns, so In [\"%s\"] matches nothing; "
				   "to match the host write values: [\"host_ns\"]", v->raw, POL_NS_INO_MIN, v->raw);
		}
	}
	(void)h;
}

/* On a kernel function, where veto could deny instead (for the hint): hooks of
 * bpf/hooks.def only, which the unit test checks. */
static const struct {
	const char *fn, *lsm;
} lsm_hints[] = {
	{ "tcp_connect", "socket_connect" }, { "tcp_v4_connect", "socket_connect" },
	{ "sys_connect", "socket_connect" }, { "sys_bind", "socket_bind" },
	{ "inet_csk_listen_start", "socket_listen" }, { "sys_listen", "socket_listen" },
	{ "sys_execve", "bprm_check_security" }, { "sys_execveat", "bprm_check_security" },
	{ "sys_open", "file_open and inode_create" }, { "sys_openat", "file_open and inode_create" },
	{ "sys_openat2", "file_open and inode_create" }, { "fd_install", "file_open" },
	{ "sys_write", "file_permission" }, { "sys_linkat", "inode_link" }, { "sys_symlinkat", "inode_symlink" },
	{ "sys_unlinkat", "inode_unlink and inode_rmdir" }, { "sys_renameat2", "inode_rename" },
	{ "sys_mount", "sb_mount" }, { "sys_ptrace", "ptrace_access_check" },
	{ "sys_setuid", "task_fix_setuid" }, { "__sys_setuid", "task_fix_setuid" },
	{ "sys_init_module", "kernel_read_file" }, { "sys_finit_module", "kernel_read_file" },
	{ "do_init_module", "kernel_load_data and kernel_read_file" }, { "commit_creds", "task_fix_setuid" },
	{ "sys_bpf", "bpf" }, { "bpf_check", "bpf" }, { "create_user_ns", "userns_create" },
};

const char *pol_lint_lsm_hint(size_t i)
{
	return i < N(lsm_hints) ? lsm_hints[i].lsm : NULL;
}

static const char *lsm_instead(const struct pol_hook *h)
{
	const char *fn = h->call;

	if (!fn)
		return NULL;
	if (!strncmp(fn, "__x64_", 6))
		fn += 6;
	for (size_t i = 0; i < N(lsm_hints); i++)
		if (!strcmp(fn, lsm_hints[i].fn))
			return lsm_hints[i].lsm;
	return NULL;
}

static void lint_sigkill_effect(struct lc *c, const struct pol_hook *h, const struct pol_selector *s)
{
	const struct pol_action *kill = find_action(s, PA_SIGKILL), *ovr = find_action(s, PA_OVERRIDE);
	const char *alt = lsm_instead(h);
	char name[160];

	if (!kill)
		kill = find_action(s, PA_SIGNAL);
	hook_name(h, name, sizeof(name));
	if (kill && h->cls == PHC_TRACEPOINT)
		lw(c, kill->pos, "%s on tracepoint %s kills the caller but cannot stop the operation: a "
		   "tracepoint only observes, the system call still completes (a file opened with O_CREAT is "
		   "still created); deny at an LSM hook instead (lsmhooks%s%s)",
		   pol_action_name(kill->kind), name, alt ? ": " : "", alt ? alt : "");
	else if (kill && h->cls == PHC_SYSCALL && !ovr)
		lw(c, kill->pos, "%s on system call %s kills the caller only after the call completes: the "
		   "signal is delivered on the way back to user space, so the operation still happens; deny "
		   "at an LSM hook instead%s%s%s",
		   pol_action_name(kill->kind), name, alt ? " (" : "", alt ? alt : "", alt ? ")" : "");
	else if (kill && h->cls == PHC_KFUNC)
		lw(c, kill->pos, "%s on %s kills the caller after the function has run: %s is not a security "
		   "hook, so the operation still happens; to deny it, use an LSM hook%s%s%s",
		   pol_action_name(kill->kind), name, name, alt ? " (" : "", alt ? alt : "", alt ? ")" : "");
}

static const struct pol_filter *arg_filter(const struct pol_selector *s, uint32_t index)
{
	for (size_t i = 0; i < s->n_filters; i++)
		if (s->filters[i].kind == PF_ARGS && s->filters[i].arg && s->filters[i].arg->index == index)
			return &s->filters[i];
	return NULL;
}

static void lint_hook_semantics(struct lc *c, const struct pol_hook *h, const struct pol_selector *s,
				bool has_arg1)
{
	const struct pol_action *e = first_enforcing(s);
	const char *lsm = h->lsm_hook;

	if (!e || !lsm)
		return;
	if (!strcmp(lsm, "inode_permission") || !strcmp(lsm, "file_permission")) {
		const struct pol_filter *m = arg_filter(s, 1);
		if (!m || (m->op != POP_MASK && m->op != POP_EQUAL))
			lw(c, e->pos, "%s runs for every access, reads included%s: without a filter on the "
			   "access mask every reader of these files is hit too; %sadd a matchArgs on index 1 with "
			   "operator Mask and values [\"2\"] (MAY_WRITE) to stop only writers", lsm,
			   lsm[0] == 'i' ? " (and every directory on the way)" : "",
			   has_arg1 ? "" : "declare '- index: 1, type: int' in args and ");
	}
	if (!strcmp(lsm, "file_open"))
		lw(c, e->pos, "file_open runs after open(O_CREAT) has created a missing file: this denies opening "
		   "existing files, but a new file at these paths is still created; to stop creation also deny "
		   "at inode_create");
	if (!strcmp(lsm, "file_permission"))
		lw(c, e->pos, "file_permission runs on each read or write of a file that is already open: the "
		   "open itself succeeds and O_TRUNC has already emptied the file; to stop writers earlier deny "
		   "at inode_permission (with a MAY_WRITE mask) or file_open");
}

static void lint_selector(struct lc *c, const struct pol_hook *h, size_t idx, bool exception, bool has_arg1)
{
	const struct pol_selector *s = &h->selectors[idx];
	const struct pol_action *e = first_enforcing(s);
	char name[160];

	hook_name(h, name, sizeof(name));
	for (size_t i = 0; i < s->n_filters; i++)
		lint_values(c, h, &s->filters[i]);
	for (size_t i = 0; i < s->n_actions; i++) {
		const struct pol_action *a = &s->actions[i];
		/* Override is refused off LSM hooks: advise it only where it loads */
		if (a->kind == PA_SIGKILL && a->has_arg_error && h->cls == PHC_LSM)
			lw(c, a->arg_error_pos, "argError has no effect on Sigkill in Tetragon, where Sigkill chooses "
			   "no return value; veto's LSM hook returns it (%d) as it kills; to deny with it under both, "
			   "add a separate '- action: Override' with argError: %d", a->arg_error, a->arg_error);
		else if (a->kind == PA_SIGKILL && a->has_arg_error)
			lw(c, a->arg_error_pos, "argError has no effect on Sigkill: the call completes and the caller "
			   "dies afterwards; to make the call fail with an errno, deny at an LSM hook (lsmhooks) "
			   "with '- action: Override' and argError");
		if (a->kind == PA_OVERRIDE && a->has_arg_error && a->arg_error == 0)
			lw(c, a->arg_error_pos, "Override with argError 0 lets the operation succeed: use a negative "
			   "errno such as -1 (EPERM)");
	}
	if (is_exec_hook(h)) {
		bool on_file = false;
		const struct pol_filter *bin = NULL;
		for (size_t i = 0; i < s->n_filters; i++) {
			if (filter_on_type(&s->filters[i], PT_LINUX_BINPRM) || filter_on_type(&s->filters[i], PT_FILE))
				on_file = true;
			if (s->filters[i].kind == PF_BINARIES && !bin)
				bin = &s->filters[i];
		}
		if (bin && !on_file)
			lw(c, bin->pos, "matchBinaries matches the process calling %s, which is the program doing "
			   "the exec, not the one being executed: this selector fires when these binaries start "
			   "another program (a shell running any command, so 'sh -c' health checks die), while "
			   "starting them is not matched ('kubectl exec -- /bin/sh' still gets its shell); to "
			   "act on the program being executed, declare '- index: 0, type: linux_binprm' and match it "
			   "with matchArgs (e.g. operator Postfix, values [\"/sh\", \"/bash\"])", name);
	}
	if (!e)
		return;
	if (!scoped(c->p, s))
		lw(c, e->pos, "%s applies to every process on the node, the host and all pods: this selector "
		   "has no matchNamespaces, matchBinaries or matchPIDs; scope it, e.g. matchNamespaces Pid "
		   "NotIn [\"host_ns\"] to leave the host alone",
		   pol_action_name(e->kind));
	lint_sigkill_effect(c, h, s);
	lint_hook_semantics(c, h, s, has_arg1);
	if (is_exec_hook(h) && matches_shells(s) && !allowlisted(c->p, h, idx, exception))
		lw(c, e->pos, "this blocks shell execution with no allowlist: liveness and readiness probes "
		   "('sh -c ...'), init containers and entrypoint wrappers run shells too and will be killed; "
		   "run with Post for a while, then exempt what needs a shell: an earlier selector with action "
		   "Post matching it (first match wins), or matchBinaries NotIn");
}

static void lint_policy(struct lc *c)
{
	struct pol_policy *p = c->p;
	char name[160];

	/* TracingPolicyNamespaced is refused (check): no advice towards it */
	if (p->kind == PK_TRACING_POLICY && p->namespace && !p->name_from_file)
		lw(c, p->pos, "metadata.namespace does not limit a TracingPolicy: it is cluster-wide and applies "
		   "to every pod and the host, '%s' included or not; scope its selectors (matchNamespaces, "
		   "matchBinaries, matchPIDs) or drop metadata.namespace", p->namespace);
	if (!p->n_hooks && !p->n_unsupported)
		lw(c, p->pos, "this policy has no kprobes, lsmhooks or tracepoints: it does nothing");
	for (size_t i = 0; i < p->n_hooks; i++) {
		const struct pol_hook *h = &p->hooks[i];
		if (h->unsupported)
			continue;
		hook_name(h, name, sizeof(name));
		if (h->kind == PH_KPROBE && h->call && h->syscall && !h->has_syscall && !syscall_name(h->call))
			lw(c, h->call_pos, "syscall defaults to true, but %s is not a system call: its arguments "
			   "would be read as a system call's; add 'syscall: false'", name);
		if (h->kind == PH_KPROBE && h->call && !h->syscall && !strncmp(h->call, "sys_", 4))
			lw(c, h->call_pos, "%s is a system call but syscall is false: its arguments are read as a "
			   "plain function's and come out wrong; set 'syscall: true'", name);
		if (h->has_return_arg && !h->ret)
			lw(c, h->return_arg.pos, "returnArg has no effect without 'return: true' on the hook");
		bool exception = false, has_arg1 = false;
		for (size_t j = 0; j < h->n_args; j++)
			has_arg1 = has_arg1 || h->args[j].index == 1;
		for (size_t j = 0; j < h->n_selectors; j++) {
			lint_selector(c, h, j, exception, has_arg1);
			if (h->selectors[j].n_filters && !first_enforcing(&h->selectors[j]))
				exception = true;
		}
	}
}

int pol_lint(struct pol_set *s, struct diag_list *d)
{
	for (size_t i = 0; i < s->n; i++) {
		struct lc c = { .file = s->file, .d = d, .p = &s->v[i] };
		if (s->v[i].broken)
			continue;
		lint_policy(&c);
	}
	return d->oom ? -ENOMEM : 0;
}

int pol_load_file(const char *path, struct pol_set *out, struct diag_list *d)
{
	int r = pol_parse_file(path, out, d);

	if (!r)
		r = pol_check(out, d);
	if (!r)
		r = pol_lint(out, d);
	return r;
}
