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

void enc_compact(struct jw *w, const struct enc_ctx *ctx, const struct ev *e)
{
	const struct proc *p = e->proc;
	char where[96], tail[48];

	if (p->container.id[0])
		snprintf(where, sizeof(where), "%s:%.12s", p->container.runtime ? p->container.runtime : "container",
			 p->container.id);
	else
		snprintf(where, sizeof(where), "%s", ctx->node);
	text(w, e->kind == EV_PROCESS_EXEC ? "\xf0\x9f\x9a\x80 process " : "\xf0\x9f\x92\xa5 exit    ");
	text(w, where);
	text(w, " ");
	text(w, p->binary[0] ? p->binary : "<unknown>");
	if (p->args[0]) {
		text(w, " ");
		text(w, p->args);
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
