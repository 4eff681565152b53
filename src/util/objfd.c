#include "util/objfd.h"

#include <bpf/libbpf.h>

int objfd_each(struct bpf_object *obj, struct bpf_link *const *links, size_t n, objfd_fn fn, void *ctx)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	int r;

	bpf_object__for_each_map(map, obj)
		if (bpf_map__fd(map) >= 0 && (r = fn(ctx, bpf_map__fd(map))))
			return r;
	bpf_object__for_each_program(prog, obj)
		if (bpf_program__fd(prog) >= 0 && (r = fn(ctx, bpf_program__fd(prog))))
			return r;
	for (size_t i = 0; i < n; i++)
		if (links[i] && bpf_link__fd(links[i]) >= 0 && (r = fn(ctx, bpf_link__fd(links[i]))))
			return r;
	return 0;
}
