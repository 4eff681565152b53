/* Loads the process sensor through its skeleton. */
#include "sensors/process.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "process.skel.h"
#include "util/bpflog.h"
#include "util/objfd.h"
#include "util/out.h"

struct proc_sensor {
	struct veto_process *skel;
	int ncpus;
};

int proc_sensor_open(struct proc_sensor **out, int ring_fd, char *why, size_t whylen)
{
	struct proc_sensor *s = calloc(1, sizeof(*s));
	const char *stage = "open";
	int err = 0;

	bpflog_reset();
	*out = NULL;
	if (!s) {
		err = -ENOMEM;
		goto fail;
	}
	s->ncpus = libbpf_num_possible_cpus();
	if (s->ncpus <= 0) {
		err = s->ncpus ? s->ncpus : -EINVAL;
		goto fail;
	}
	s->skel = veto_process__open();
	if (!s->skel) {
		err = -errno;
		goto fail;
	}
	stage = "ring buffer";
	err = bpf_map__reuse_fd(s->skel->maps.proc_rb, ring_fd);
	if (err)
		goto fail;
	stage = "load";
	err = veto_process__load(s->skel);
	if (err)
		goto fail;
	stage = "attach";
	err = veto_process__attach(s->skel);
	if (err)
		goto fail;
	*out = s;
	return 0;
fail:
	if (err >= 0)
		err = -EINVAL;
	if (why)
		snprintf(why, whylen, "%s: %s%s%s", stage, strerror(-err), bpflog_why()[0] ? ": " : "", bpflog_why());
	proc_sensor_close(s);
	return err;
}

int proc_sensor_counters(const struct proc_sensor *s, uint64_t out[PROC_CNT__COUNT])
{
	struct { uint64_t n[PROC_CNT__COUNT]; } *per;
	uint32_t zero = 0;
	int err = 0;

	memset(out, 0, sizeof(uint64_t) * PROC_CNT__COUNT);
	per = calloc(s->ncpus, sizeof(*per));
	if (!per)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.proc_counters), &zero, per)) {
		err = -errno;
	} else {
		for (int c = 0; c < s->ncpus; c++)
			for (int i = 0; i < PROC_CNT__COUNT; i++)
				out[i] += per[c].n[i];
	}
	free(per);
	return err;
}

void proc_sensor_close(struct proc_sensor *s)
{
	if (!s)
		return;
	veto_process__destroy(s->skel);
	free(s);
}

int proc_sensor_each_fd(const struct proc_sensor *s, objfd_fn fn, void *ctx)
{
	const struct bpf_object_skeleton *sk = s->skel->skeleton;
	struct bpf_link *links[8];
	size_t n = 0;

	for (int i = 0; i < sk->prog_cnt && n < sizeof(links) / sizeof(links[0]); i++)
		links[n++] = *sk->progs[i].link;
	return objfd_each(s->skel->obj, links, n, fn, ctx);
}
