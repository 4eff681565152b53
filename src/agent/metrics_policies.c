#include "agent/metrics_policies.h"

#include "load/registry.h"
#include "util/bpf_fds.h"

#define OBJS_MAX 256 /* an instance has a few dozen programs and maps */

void metrics_registry_rows(void *src, metrics_row_fn row, void *ctx)
{
	const struct registry *reg = src;

	for (size_t i = 0; i < reg->n; i++) {
		const struct reg_entry *e = reg->v[i];
		struct engine_obj objs[OBJS_MAX];
		struct metrics_prog progs[OBJS_MAX];
		uint64_t st[VETO_STAT__COUNT];
		size_t n = e->inst ? engine_policy_objs(e->inst, objs, OBJS_MAX) : 0;
		struct metrics_policy_row r = {
			.name = e->name,
			.mode = e->monitor ? "monitor" : "enforce",
			.state = reg_state_name(e->state),
			.counted = e->has_policy,
			.progs = progs,
		};

		reg_stats(e, st);
		r.npost = st[VETO_STAT_POST];
		r.nenforce = st[VETO_STAT_ENFORCE];
		r.nmonitor = st[VETO_STAT_MONITOR];
		r.kernel_memory = e->inst ? engine_policy_memlock(e->inst) : 0;
		for (size_t j = 0; j < n; j++)
			if (objs[j].prog)
				progs[r.n_progs++] = (struct metrics_prog){ bpf_fd_prog_id(objs[j].fd), objs[j].name };
		row(ctx, &r);
	}
}
