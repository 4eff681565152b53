/* The ring buffer map and its reader. */
#include "events/ring.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ev_ring {
	int map_fd;
	bool reused;   /* the pinned map of an earlier agent */
	struct ring_buffer *rb;
	ev_ring_cb cb;
	void *ctx;
	uint64_t records;
	uint64_t left; /* records this drain may still take (0: no limit) */
	bool more;     /* the last drain stopped at its max */
	uint64_t lost[EVL__COUNT], reported[EVL__COUNT];
};

static int on_record(void *ctx, void *data, size_t len)
{
	struct ev_ring *r = ctx;

	r->records++;
	r->cb(r->ctx, data, len);
	/* a negative return stops libbpf's loop after this record */
	if (r->left && !--r->left) {
		r->more = true;
		return -EAGAIN;
	}
	return 0;
}

/* The ring pinned at pin when it is one of that size, else -1. */
static int pinned(const char *pin, size_t bytes)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	int fd = bpf_obj_get(pin);

	if (fd < 0)
		return -1;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.type != BPF_MAP_TYPE_RINGBUF || info.max_entries != bytes) {
		close(fd);
		return -1;
	}
	return fd;
}

int ev_ring_open(struct ev_ring **out, size_t bytes, const char *pin, ev_ring_cb cb, void *ctx)
{
	struct ev_ring *r = calloc(1, sizeof(*r));
	int err;

	*out = NULL;
	if (!r)
		return -ENOMEM;
	r->cb = cb;
	r->ctx = ctx;
	bytes = bytes ? bytes : EV_RING_DEFAULT_BYTES;
	r->map_fd = pin ? pinned(pin, bytes) : -1;
	r->reused = r->map_fd >= 0;
	/* the name the process sensor's map had: bpftool shows what it did */
	if (r->map_fd < 0)
		r->map_fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "proc_rb", 0, 0, bytes, NULL);
	if (r->map_fd < 0) {
		err = r->map_fd;
		free(r);
		return err;
	}
	/* a ring of another size goes: instances still writing to it are
	 * not adopted (engine_policy_adopt compares their ring) */
	if (pin && !r->reused && ((unlink(pin) && errno != ENOENT) || bpf_obj_pin(r->map_fd, pin))) {
		err = -errno;
		ev_ring_close(r);
		return err;
	}
	r->rb = ring_buffer__new(r->map_fd, on_record, r, NULL);
	if (!r->rb) {
		err = -errno;
		ev_ring_close(r);
		return err ? err : -EINVAL;
	}
	*out = r;
	return 0;
}

bool ev_ring_reused(const struct ev_ring *r)
{
	return r->reused;
}

int ev_ring_map_fd(const struct ev_ring *r)
{
	return r->map_fd;
}

int ev_ring_poll_fd(const struct ev_ring *r)
{
	return ring_buffer__epoll_fd(r->rb);
}

int ev_ring_drain(struct ev_ring *r, uint64_t max)
{
	int n;

	r->left = max;
	r->more = false;
	n = ring_buffer__consume(r->rb);
	return n < 0 ? (n == -EINTR ? 0 : n) : n;
}

bool ev_ring_more(const struct ev_ring *r)
{
	return r->more;
}

uint64_t ev_ring_records(const struct ev_ring *r)
{
	return r->records;
}

void ev_ring_close(struct ev_ring *r)
{
	if (!r)
		return;
	ring_buffer__free(r->rb);
	if (r->map_fd >= 0)
		close(r->map_fd);
	free(r);
}

void ev_ring_set_lost(struct ev_ring *r, enum ev_lost what, uint64_t total)
{
	r->lost[what] = total;
}

uint64_t ev_ring_lost(const struct ev_ring *r, enum ev_lost what)
{
	return r->lost[what];
}

uint64_t ev_ring_lost_new(struct ev_ring *r, enum ev_lost what)
{
	uint64_t n = r->lost[what] > r->reported[what] ? r->lost[what] - r->reported[what] : 0;

	if (n)
		r->reported[what] = r->lost[what];
	return n;
}

uint64_t ev_ring_lost_reported(const struct ev_ring *r, enum ev_lost what)
{
	return r->reported[what];
}

int ev_ring_each_fd(const struct ev_ring *r, objfd_fn fn, void *ctx)
{
	return fn(ctx, r->map_fd);
}
