/* Events from the store: its rows in time order, each line copied out of
 * SQLite's buffer (reading rewrites it) and replayed. */
#include "simulate/replay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

struct ctx {
	struct sim_replay x;
	char *buf;
	size_t row;
	char *err;
	size_t errlen;
	const char *path;
};

static int row(void *p, const char *json, size_t len)
{
	struct ctx *c = p;
	char why[96];
	size_t col;
	int r;

	c->row++;
	if (len > SIM_LINE_MAX) {
		snprintf(c->err, c->errlen, "%s: event %zu: longer than %u bytes", c->path, c->row, SIM_LINE_MAX);
		return -E2BIG;
	}
	memcpy(c->buf, json, len);
	r = sim_replay_line(&c->x, c->buf, len, &col, why, sizeof(why));
	if (r == -EINVAL)
		snprintf(c->err, c->errlen, "%s: event %zu:%zu: not an event: %s", c->path, c->row, col, why);
	else if (r == -ENOMEM)
		snprintf(c->err, c->errlen, "%s: out of memory", c->path);
	return r;
}

int sim_replay_store(const char *path, struct sim_report *r, char *err, size_t errlen)
{
	struct ctx c = { .err = err, .errlen = errlen, .path = path };
	struct store *s;
	int ret;

	err[0] = '\0';
	ret = store_open(&s, path, true, err, errlen);
	if (ret)
		return ret;
	c.buf = malloc(SIM_LINE_MAX + 1);
	if (!c.buf || sim_replay_begin(&c.x, r)) {
		free(c.buf);
		store_close(s);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	ret = store_scan(s, 0, 0, row, &c);
	if (ret && !err[0])
		snprintf(err, errlen, "%s: reading the store: %s", path, strerror(ret < 0 ? -ret : EIO));
	sim_replay_end(&c.x);
	free(c.buf);
	store_close(s);
	return ret < 0 ? ret : ret ? -EIO : 0;
}
