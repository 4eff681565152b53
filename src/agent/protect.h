/* The agent's self-protection: the guard opened first (or why it cannot
 * be), then what the agent loaded held by it. */
#ifndef VETO_AGENT_PROTECT_H
#define VETO_AGENT_PROTECT_H

#include <stddef.h>
#include <stdint.h>

#include "agent/agent.h"
#include "events/ring.h"
#include "load/guard.h"
#include "load/pin.h"
#include "sensors/process.h"

/* Opens the guard unless o->no_protect, and logs what it protects. Where the
 * kernel cannot (no BPF LSM) it logs why and *g is NULL: 0. -errno (logged)
 * when it failed where it could work: the agent stops. */
int protect_open(struct guard **g, const struct agent_opts *o);
/* guard_loading, and a log line when it fails. */
int protect_loading(struct guard *g, bool on);
/* One holder for the ring and the sensor (g NULL: *h NULL, 0). 0 or -errno,
 * logged, nothing held. */
int protect_base(struct guard *g, const struct ev_ring *ring, const struct proc_sensor *s,
		 struct guard_hold **h);
/* Adds the pin folder, its ring and its policies folder to h (the base
 * holder). 0 or -errno, logged; on failure h holds nothing. */
int protect_pins(struct guard_hold *h, const struct pin_root *pins);

/* --allow-signals-from: "none", or a comma-separated list of pids and the
 * word "parent" (the agent's parent, ppid), each kept once. 0, or -EINVAL
 * (not that form), -E2BIG (more than max). Pure. */
int protect_parse_signallers(const char *s, uint32_t ppid, uint32_t *out, size_t max, size_t *n);

#endif
