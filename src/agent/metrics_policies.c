#include "agent/metrics_policies.h"

#include "load/policies.h"
#include "util/bpf_fds.h"

#define OBJS_MAX 256 /* an instance has a few dozen programs and maps */

/* enforce when any hook enforces: that is what it can do */
static const char *mode(const struct compiled *c)
{
	for (size_t h = 0; h < c->n_hooks; h++)
		if (!c->hooks[h].cfg.monitor)
			return "enforce";
	return "monitor";
}

void metrics_policy_set_rows(void *src, metrics_row_fn row, void *ctx)
{
	const struct policy_set *ps = src;

	for (size_t i = 0; i < ps->n; i++) {
		struct engine_obj objs[OBJS_MAX];
		struct metrics_prog progs[OBJS_MAX];
		size_t n = ps->loaded[i] ? engine_policy_objs(ps->loaded[i], objs, OBJS_MAX) : 0;
		struct metrics_policy_row r = {
			.name = ps->compiled[i].src->name,
			.mode = mode(&ps->compiled[i]),
			.state = ps->loaded[i] ? "enabled" : "load_error",
			.progs = progs,
		};

		for (size_t j = 0; j < n; j++) {
			r.kernel_memory += bpf_fd_memlock(objs[j].fd);
			if (objs[j].prog)
				progs[r.n_progs++] = (struct metrics_prog){ bpf_fd_prog_id(objs[j].fd), objs[j].name };
		}
		row(ctx, &r);
	}
}
