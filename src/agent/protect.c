#include "agent/protect.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"

int protect_open(struct guard **g, const struct agent_opts *o)
{
	struct guard_opts go = { .signallers = o->signallers, .n_signallers = o->n_signallers };
	char why[768], who[160] = "";
	size_t len = 0;
	int err;

	*g = NULL;
	if (o->no_protect) {
		logmsg("self-protection off (--no-protect): root can kill, trace and detach the agent");
		return 0;
	}
	err = guard_open(g, &go, why, sizeof(why));
	if (err == -EOPNOTSUPP) {
		logmsg("Warning: self-protection unavailable: %s", why);
		return 0;
	}
	if (err) {
		logmsg("Error: self-protection: %s (--no-protect runs without it)", why);
		return err;
	}
	for (size_t i = 0; i < o->n_signallers && len < sizeof(who); i++)
		len += snprintf(who + len, sizeof(who) - len, "%s%u", i ? "," : "", o->signallers[i]);
	logmsg("self-protection on: signals only from %s%s; no tracing; BPF objects read-only to others",
	       o->n_signallers ? "pid " : "no other process", who);
	return 0;
}

int protect_loading(struct guard *g, bool on)
{
	int err = guard_loading(g, on);

	if (err)
		logmsg("Error: self-protection: attaching the programs that guard pins: %s", strerror(-err));
	return err;
}

static int held(int err, struct guard_hold **h, const char *what)
{
	if (!err)
		err = guard_hold_err(*h);
	if (!err)
		return 0;
	logmsg("Error: self-protection: protecting %s: %s", what,
	       err == -ENOSPC ? "the guard's table is full" : strerror(-err));
	guard_release(*h);
	*h = NULL;
	return err;
}

int protect_base(struct guard *g, const struct ev_ring *ring, const struct proc_sensor *s,
		 struct guard_hold **h)
{
	int err = guard_hold_new(g, h);

	if (!err && *h && !(err = ev_ring_each_fd(ring, guard_hold_fd, *h)))
		err = proc_sensor_each_fd(s, guard_hold_fd, *h);
	return held(err, h, "the ring buffer and the process sensor");
}

int protect_pins(struct guard_hold *h, const struct pin_root *pins)
{
	char path[PATH_MAX];

	if (!h)
		return 0;
	guard_hold_path(h, pins->dir);
	if (!access(pin_ring_path(pins, path, sizeof(path)), F_OK))
		guard_hold_path(h, path);
	snprintf(path, sizeof(path), "%s/" PIN_POLICIES, pins->dir);
	if (!access(path, F_OK))
		guard_hold_path(h, path);
	if (guard_hold_err(h))
		logmsg("Error: self-protection: protecting the pin folder %s: %s", pins->dir, strerror(-guard_hold_err(h)));
	return guard_hold_err(h);
}

int protect_parse_signallers(const char *s, uint32_t ppid, uint32_t *out, size_t max, size_t *n)
{
	const char *p = s;

	*n = 0;
	if (!strcmp(s, "none"))
		return 0;
	for (;;) {
		size_t len = strcspn(p, ",");
		unsigned long v;
		char *end;

		if (len == 6 && !strncmp(p, "parent", 6)) {
			v = ppid;
		} else {
			errno = 0;
			v = strtoul(p, &end, 10);
			if (p[0] < '1' || p[0] > '9' || end != p + len || errno || v > INT32_MAX)
				return -EINVAL;
		}
		for (size_t i = 0; i < *n && v; i++)
			if (out[i] == v)
				v = 0; /* named twice: once is enough */
		if (v && *n == max)
			return -E2BIG;
		if (v)
			out[(*n)++] = (uint32_t)v;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}
