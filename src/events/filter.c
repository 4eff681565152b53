#include "events/filter.h"

#include <string.h>

bool filter_match(const struct ev_filter *f, const struct ev *e)
{
	bool ok;

	if (f->kinds && !(f->kinds >> e->kind & 1))
		return false;
	if (f->npids) {
		ok = false;
		for (int i = 0; i < f->npids && !ok; i++)
			ok = f->pids[i] == e->proc->pid;
		if (!ok)
			return false;
	}
	if (f->nbinaries) {
		ok = false;
		for (int i = 0; i < f->nbinaries && !ok; i++)
			ok = !strcmp(f->binaries[i], e->proc->binary);
		if (!ok)
			return false;
	}
	return true;
}
