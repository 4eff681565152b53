/* One line per event for people, in the spirit of `tetra getevents -o compact`:
 *   🚀 process NODE /bin/sh -c "exit 7"
 *   💥 exit    NODE /bin/sh -c "exit 7" 7
 * NODE is the container (runtime:short id) when the process is in one. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "events/encode.h"

static void text(struct jw *w, const char *s)
{
	jw_raw(w, s, strlen(s));
}

/* Whether the UTF-8 sequence at s (k bytes; 0: an invalid byte) would act on
 * a terminal or reorder the line: C0 controls, DEL, C1 controls (U+009B is
 * CSI), and the bidi controls (U+061C, U+200E/F, U+202A..E, U+2066..9). */
static bool acts_on_terminal(const unsigned char *s, size_t k)
{
	uint32_t cp;

	if (k == 0)
		return true;
	if (k == 1)
		return s[0] < 0x20 || s[0] == 0x7f;
	if (k == 2)
		cp = (s[0] & 0x1fu) << 6 | (s[1] & 0x3fu);
	else if (k == 3)
		cp = (s[0] & 0x0fu) << 12 | (s[1] & 0x3fu) << 6 | (s[2] & 0x3fu);
	else
		return false;
	return cp <= 0x9f || cp == 0x61c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

static bool needs_quotes(const char *s, size_t n)
{
	if (n == 0)
		return true;
	for (size_t i = 0, k; i < n; i += k ? k : 1) {
		k = utf8_seq(s + i, n - i);
		if ((s[i] && strchr(" \"'\\", s[i])) || acts_on_terminal((const unsigned char *)s + i, k))
			return true;
	}
	return false;
}

/* What a process chose (its path, each argument) goes to a terminal, one word
 * each: a word with a blank, a quote, a backslash, something a terminal acts
 * on, or nothing is quoted, with \" \\ \xHH (controls, invalid bytes) and
 * \uHHHH (C1, bidi) inside, so that distinct words print differently and a
 * shell reads them back (as $'...' would). */
static void word(struct jw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;

	if (!needs_quotes(s, n)) {
		jw_raw(w, s, n);
		return;
	}
	jw_raw(w, "\"", 1);
	for (size_t i = 0, k; i < n; i += k ? k : 1) {
		const unsigned char *u = (const unsigned char *)s + i;
		char e[8] = { '\\' };
		size_t el;

		k = utf8_seq(s + i, n - i);
		if (*u == '"' || *u == '\\') {
			e[1] = *u;
			el = 2;
		} else if (k > 1 && acts_on_terminal(u, k)) {
			uint32_t cp = k == 2 ? (u[0] & 0x1fu) << 6 | (u[1] & 0x3fu) :
					       (u[0] & 0x0fu) << 12 | (u[1] & 0x3fu) << 6 | (u[2] & 0x3fu);
			snprintf(e, sizeof(e), "\\u%04x", (unsigned)cp);
			el = 6;
		} else if (acts_on_terminal(u, k)) {
			e[1] = 'x', e[2] = hex[*u >> 4], e[3] = hex[*u & 15];
			el = 4;
		} else {
			continue;
		}
		jw_raw(w, s + run, i - run);
		jw_raw(w, e, el);
		run = i + (k ? k : 1);
	}
	jw_raw(w, s + run, n - run);
	jw_raw(w, "\"", 1);
}

static void str_word(struct jw *w, const char *s)
{
	word(w, s, strlen(s));
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
	str_word(w, p->binary && p->binary[0] ? p->binary : "<unknown>");
	text(w, " ");
	text(w, ev_function_name(e));
	for (unsigned i = 0; i < e->hook->nargs; i++) {
		const struct veto_ev_arg *a = &pe->args[i];
		const struct ev_arg_meta *m = &e->hook->args[i];
		if (!m->read || (a->flags & VETO_ARG_NOPATH))
			continue;
		if (a->len) {
			text(w, " ");
			word(w, a->str, strnlen(a->str, a->len));
		} else if (m->type == EA_SYSCALL64 && ev_syscall_name(e, a->num[0])) {
			text(w, " ");
			text(w, ev_syscall_name(e, a->num[0]));
		} else if (m->number) { /* numbers of tracepoints and kprobes */
			snprintf(buf, sizeof(buf), " %lld", (long long)a->num[0]);
			text(w, buf);
		}
	}
	snprintf(buf, sizeof(buf), " [%u] %s: ", pe->pid, ev_policy_name(e));
	text(w, buf);
	if (pe->monitor)
		text(w, "monitor, would ");
	if (pe->ret) {
		const char *n = ev_errno_name(pe->ret);
		snprintf(buf, sizeof(buf), "%s %s", pe->monitor ? "deny" : "denied", n ? n : "?");
		text(w, buf);
	} else if (e->hook->kind != EH_LSM) {
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
	str_word(w, p->binary[0] ? p->binary : "<unknown>");
	/* each argument a word of its own: argv[1..], not the joined arguments */
	for (size_t i = 0, n; i < p->argv_len; i += n + 1) {
		n = strnlen(p->argv + i, p->argv_len - i);
		text(w, " ");
		word(w, p->argv + i, n);
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
