/* The agent: one thread, one epoll loop over the ring buffer, a signalfd, a
 * 1 s timer, the control socket and its clients. Here the wiring: ring ->
 * pipeline -> bus -> sinks (the export, each getevents client). */
#include "agent/agent.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "agent/clients.h"
#include "agent/http.h"
#include "agent/metrics_policies.h"
#include "agent/metrics_text.h"
#include "agent/protect.h"
#include "agent/runfiles.h"
#include "agent/status.h"
#include "agent/tpolicy.h"
#include "events/pipeline.h"
#include "events/redact.h"
#include "events/ring.h"
#include "load/pin.h"
#include "load/registry.h"
#include "probe/probe.h"
#include "sensors/process.h"
#include "sinks/bus.h"
#include "sinks/export.h"
#include "sinks/fieldmask.h"
#include "sinks/metrics.h"
#include "sinks/store.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/version.h"

#define SWEEP_EVERY 30 /* seconds between checks for processes whose exit was lost */
#define DRAIN_MS 20    /* longest wait before events reach the sinks */
#define DRAIN_MAX 8192 /* records per round at most: clients and signals get their turn */
#define TRIM_DROP 1024 /* cache entries gone in one tick that mean a burst is draining */

enum { TAG_SENSOR = 1, TAG_SIGNAL, TAG_TIMER, TAG_LISTEN, TAG_CLIENT = 16 };
#define TAG_HTTP (1ull << 32) /* the metrics' listener, then its connections */

struct agent {
	const struct agent_opts *o;
	struct ev_ring *ring;
	struct pipeline pl;
	struct sink_bus bus;
	struct export_sink exp;
	struct fieldmask_sink mask;  /* before exp when --field-filters are given */
	struct metrics_sink metrics;
	struct store_sink store;     /* --store: on the bus when store_path */
	struct http_server http;
	struct clients clients;
	struct proc_sensor *sensor;
	struct registry reg;
	struct pin_root pins;
	bool unpin;           /* at the end, unload what is pinned (a graceful stop) */
	struct probe_report probe;  /* at start: the kernel's verdict for status */
	char verdict_why[256];
	uint64_t started_ns;
	struct guard *guard;
	struct guard_hold *held; /* what the guard protects beside the policies */
	int epfd, sigfd, timerfd, lfd, recfd, lockfd;
	uint64_t ticks;
	uint64_t entries_last_tick;
	uint64_t drained_at;  /* mono_ns of the last drain of the ring */
	uint64_t evicted_logged; /* cache evictions already logged */
	uint64_t gave_up_logged; /* arguments masked whole, already logged */
};

static void on_event(void *ctx, const struct ev *e)
{
	struct agent *a = ctx;

	sink_bus_emit(&a->bus, e);
}

static void flush_export(void *ctx)
{
	struct agent *a = ctx;

	export_sink_flush(&a->exp);
}

static void on_record(void *ctx, const void *data, size_t len)
{
	struct agent *a = ctx;

	if (a->recfd >= 0) {
		uint32_t n = len;
		if (write(a->recfd, &n, sizeof(n)) != sizeof(n) || write(a->recfd, data, len) != (ssize_t)len) {
			logmsg("Error: recording raw events: %s; recording stopped", strerror(errno));
			close(a->recfd);
			a->recfd = -1;
		}
	}
	pipeline_push(&a->pl, data, len);
}

/* Reads the writers' loss counters into the ring's totals. 0, or -errno
 * when the process sensor's could not be read. */
static int read_lost(struct agent *a)
{
	uint64_t cnt[PROC_CNT__COUNT];

	ev_ring_set_lost(a->ring, EVL_POLICY, reg_lost(&a->reg, VETO_LOST_EVENTS));
	ev_ring_set_lost(a->ring, EVL_FOLLOW, reg_lost(&a->reg, VETO_LOST_FOLLOW));
	if (!a->sensor || proc_sensor_counters(a->sensor, cnt))
		return -EIO;
	ev_ring_set_lost(a->ring, EVL_PROCESS, cnt[PROC_CNT_LOST]);
	ev_ring_set_lost(a->ring, EVL_PROCESS_EXEC, cnt[PROC_CNT_LOST_EXEC]);
	ev_ring_set_lost(a->ring, EVL_PROCESS_EXIT, cnt[PROC_CNT_LOST_EXIT]);
	return 0;
}

static void on_status(void *ctx, struct jw *w)
{
	struct agent *a = ctx;
	struct status_parts p = { .ring = a->ring, .sensor = a->sensor, .pl = &a->pl, .exp = &a->exp,
				  .clients = &a->clients, .reg = &a->reg, .probe = &a->probe,
				  .verdict_why = a->verdict_why, .started_ns = a->started_ns,
				  .store = a->o->store_path ? &a->store : NULL };

	export_sink_flush(&a->exp); /* exported counts what is in the file */
	read_lost(a);
	status_json(w, &p);
}

static void on_policy(void *ctx, const struct request *req, const char *body, struct jw *w)
{
	struct agent *a = ctx;

	tp_request(&a->reg, req, body, w);
}

static void on_metrics(void *ctx, struct jw *w)
{
	struct agent *a = ctx;
	struct status_parts st = { .ring = a->ring, .sensor = a->sensor, .pl = &a->pl, .exp = &a->exp,
				   .clients = &a->clients, .store = a->o->store_path ? &a->store : NULL };
	struct metrics_parts p = { .version = VETO_VERSION, .sink = &a->metrics, .st = &st,
				   .policies = metrics_registry_rows, .policies_src = &a->reg };

	read_lost(a);
	metrics_text_write(w, &p);
}

static void check_lost(struct agent *a)
{
	struct ev_ring *r = a->ring;
	bool sensor_read = read_lost(a) == 0;
	uint64_t n, total, exec, ex;

	if ((n = ev_ring_lost_new(r, EVL_POLICY)))
		logmsg("Warning: %" PRIu64 " policy events lost (ring buffer full): the kernel still enforced, "
		       "the events are missing; total %" PRIu64, n, ev_ring_lost(r, EVL_POLICY));
	if ((n = ev_ring_lost_new(r, EVL_FOLLOW)))
		logmsg("Warning: %" PRIu64 " processes not followed (followChildren/followForks map full): "
		       "their descendants are not matched as such; total %" PRIu64, n, ev_ring_lost(r, EVL_FOLLOW));
	if (!sensor_read || !(n = ev_ring_lost_new(r, EVL_PROCESS)))
		return;
	total = ev_ring_lost(r, EVL_PROCESS);
	exec = ev_ring_lost(r, EVL_PROCESS_EXEC);
	ex = ev_ring_lost(r, EVL_PROCESS_EXIT);
	logmsg("Warning: %" PRIu64 " records lost (ring buffer full): %" PRIu64 " exec, %" PRIu64 " exit, %" PRIu64
	       " fork; total %" PRIu64, n, exec, ex, total - exec - ex, total);
}

static bool pid_exists(uint32_t pid, void *ctx)
{
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* Drains the ring; called every round once DRAIN_MS have passed, so clients
 * that keep the loop busy cannot delay the events. */
static void drain(struct agent *a, uint64_t now, uint64_t max)
{
	ev_ring_drain(a->ring, max);
	a->drained_at = now;
}

/* The policy folder again, then the export file: logrotate renamed it,
 * write to a new one at the path. */
static void on_hup(struct agent *a)
{
	int err = reg_sync_dir(&a->reg, a->o->policy_dir, !a->o->policy_dir_given);

	if (err)
		logmsg("Error: SIGHUP: policy folder %s: %s; the running policies are kept", a->o->policy_dir,
		       strerror(-err));
	if (!a->o->export_file) {
		logmsg("SIGHUP: nothing to reopen (exporting to stdout)");
		return;
	}
	export_sink_flush(&a->exp);
	err = file_sink_reopen(&a->exp.f);
	if (err)
		logmsg("Error: SIGHUP: reopening %s: %s", a->o->export_file, file_open_why(err));
	else
		logmsg("SIGHUP: reopened %s", a->o->export_file);
}

/* The sweep reads every queued record before it retires anything: an exit
 * still queued keeps its process. */
static void drain_sensor(void *ctx)
{
	struct agent *a = ctx;

	drain(a, mono_ns(), UINT64_MAX);
}

static void on_tick(struct agent *a)
{
	struct proc_cache_stats cs;
	uint64_t exp;
	int err;

	if (read(a->timerfd, &exp, sizeof(exp)) < 0) {
	}
	a->ticks++;
	check_lost(a);
	clients_check(&a->clients);
	http_check(&a->http, mono_ns());
	err = file_sink_check(&a->exp.f);
	if (err < 0)
		logmsg("Error: the export file %s was deleted; creating it again: %s", a->o->export_file,
		       file_open_why(err));
	else if (err)
		logmsg("the export file %s was deleted: writing to a new one", a->o->export_file);
	export_sink_tick(&a->exp, mono_ns());
	if (a->ticks % SWEEP_EVERY == 0)
		pipeline_sweep(&a->pl, mono_ns(), pid_exists, drain_sensor, a);
	else
		proc_cache_reap(a->pl.cache, mono_ns(), false);
	/* a burst drains: give its memory back. free() alone keeps it (glibc's
	 * trim threshold grew when libbpf freed its large load-time buffers,
	 * and entries still alive pin the heap between freed ones) */
	proc_cache_stats(a->pl.cache, &cs);
	if (cs.entries + TRIM_DROP <= a->entries_last_tick)
		malloc_trim(0);
	a->entries_last_tick = cs.entries;
	if (cs.evicted > a->evicted_logged) {
		logmsg("Warning: process cache full (--process-cache-size %zu): %" PRIu64 " running processes "
		       "forgotten, their later events say miss; total %" PRIu64, a->o->process_cache_size,
		       cs.evicted - a->evicted_logged, cs.evicted);
		a->evicted_logged = cs.evicted;
	}
	if (a->o->redact) {
		struct redact_stats rs;

		redact_stats(a->o->redact, &rs);
		if (rs.gave_up > a->gave_up_logged) {
			logmsg("Warning: --redaction-filters: %" PRIu64 " processes' arguments masked whole (too many "
			       "or too costly matches); total %" PRIu64, rs.gave_up - a->gave_up_logged, rs.gave_up);
			a->gave_up_logged = rs.gave_up;
		}
	}
}

static int epoll_add(int epfd, int fd, uint64_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static void cleanup(struct agent *a)
{
	clients_close(&a->clients);
	http_close(&a->http);
	metrics_sink_fini(&a->metrics);
	a->reg.drain = NULL; /* the ring may be gone: records left are not read */
	if (a->unpin)
		reg_free(&a->reg);
	else
		reg_release(&a->reg); /* fail closed: what is pinned stays */
	proc_sensor_close(a->sensor);
	ev_ring_close(a->ring);
	guard_release(a->held); /* before the pins go */
	pin_root_close(&a->pins, a->unpin);
	guard_close(a->guard); /* last: nothing it protects is left */
	pipeline_fini(&a->pl);
	file_sink_close(&a->exp.f);
	store_sink_close(&a->store); /* writes what is queued */
	fieldmask_sink_fini(&a->mask);
	sink_bus_fini(&a->bus);
	if (a->lfd >= 0) {
		close(a->lfd);
		unlink(a->o->socket_path);
	}
	if (a->recfd >= 0)
		close(a->recfd);
	if (a->epfd >= 0)
		close(a->epfd);
	if (a->sigfd >= 0)
		close(a->sigfd);
	if (a->timerfd >= 0)
		close(a->timerfd);
	if (a->lockfd >= 0)
		close(a->lockfd);
}

void agent_node_name(const struct agent_opts *o, char *out, size_t n, const char **from)
{
	static const char *const env[] = { "HUBBLE_NODE_NAME", "NODE_NAME" };
	const char *v;

	if (o->node_name) {
		snprintf(out, n, "%s", o->node_name);
		*from = "--node-name";
		return;
	}
	for (size_t i = 0; i < sizeof(env) / sizeof(env[0]); i++) {
		v = getenv(env[i]);
		if (v && *v) {
			snprintf(out, n, "%s", v);
			*from = env[i];
			return;
		}
	}
	*from = "the host name";
	if (gethostname(out, n))
		snprintf(out, n, "localhost");
}

int agent_run(const struct agent_opts *o)
{
	static struct agent ag;
	struct agent *a = &ag;
	struct itimerspec its = { .it_interval = { 1, 0 }, .it_value = { 1, 0 } };
	char node[HOST_NAME_MAX + 1] = "", why[512];
	struct epoll_event evs[32];
	sigset_t mask;
	const char *node_from;
	long holder;
	int err, n, stop_sig = 0;

	memset(a, 0, sizeof(*a));
	a->o = o;
	a->epfd = a->sigfd = a->timerfd = a->lfd = a->recfd = a->lockfd = a->pins.lockfd = -1;
	sink_bus_init(&a->bus, &a->pl.enc);
	metrics_sink_init(&a->metrics);
	http_init(&a->http);

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	a->started_ns = mono_ns();

	agent_node_name(o, node, sizeof(node), &node_from);
	err = pipeline_init(&a->pl, node, on_event, a);
	if (err) {
		logmsg("Error: %s", strerror(-err));
		return err;
	}
	proc_cache_set_max(a->pl.cache, o->process_cache_size);
	proc_cache_set_redactor(a->pl.cache, o->redact); /* before /proc is read */
	pipeline_set_host(&a->pl);
	a->pl.enc.cred = o->process_cred;
	a->pl.enc.ns = o->process_ns;
	a->pl.enc.ancestors = o->ancestors;

	a->lockfd = take_lock(o->lock_file, &holder);
	if (a->lockfd < 0) {
		err = a->lockfd;
		if (err == -EWOULDBLOCK)
			logmsg("Error: another agent is running: pid %ld holds %s", holder, o->lock_file);
		else
			logmsg("Error: lock file %s: %s", o->lock_file, file_open_why(err));
		goto out;
	}
	/* what status reports: probed once, before any sensor sees the test */
	if (probe_run(&a->probe)) {
		a->probe.verdict = VERDICT_NONE;
		snprintf(a->verdict_why, sizeof(a->verdict_why), "the probe could not run");
	} else {
		probe_verdict(&a->probe, a->verdict_why, sizeof(a->verdict_why));
	}
	logmsg("kernel: %s: %s", verdict_name(a->probe.verdict), a->verdict_why);
	err = export_sink_open(&a->exp, o->export_file, o->export_max_bytes, o->export_backups,
			       o->compact && !o->export_file ? FMT_COMPACT : FMT_JSON, o->ancestors);
	if (err) {
		logmsg("Error: cannot open export file %s: %s", o->export_file, file_open_why(err));
		goto out;
	}
	a->exp.s.veto_key = o->export_veto;
	err = export_sink_rotation(&a->exp, o->export_rotation_ns, o->export_compress);
	if (err) {
		logmsg("Error: the export file's compressor: %s", strerror(-err));
		goto out;
	}
	if (o->export_filter.nallow || o->export_filter.ndeny)
		a->exp.s.filter = &o->export_filter;
	fieldmask_sink_init(&a->mask, &a->exp.s, o->field_filters, o->n_field_filters);
	/* the export: every event it wants, first */
	sink_bus_add(&a->bus, o->n_field_filters ? &a->mask.s : &a->exp.s);
	sink_bus_add(&a->bus, &a->metrics.s);
	if (o->store_path) {
		struct store_sink_opts so = { .path = o->store_path, .queue_bytes = o->store_queue_bytes,
					      .max_age_ns = o->store_max_age_ns, .max_bytes = o->store_max_bytes };

		err = store_sink_open(&a->store, &so, why, sizeof(why));
		if (!err && (err = store_sink_start(&a->store)))
			snprintf(why, sizeof(why), "its writer thread: %s", strerror(-err));
		if (err) {
			logmsg("Error: store %s", why);
			goto out;
		}
		sink_bus_add(&a->bus, &a->store.s);
	}
	if (o->record_file) {
		a->recfd = file_open_safe(o->record_file, true);
		if (a->recfd < 0) {
			err = a->recfd;
			logmsg("Error: cannot open record file %s: %s", o->record_file, file_open_why(err));
			goto out;
		}
	}
	a->lfd = listen_socket(o->socket_path);
	if (a->lfd < 0) {
		err = a->lfd;
		logmsg("Error: control socket %s: %s", o->socket_path,
		       err == -EADDRINUSE ? "an agent answers on it" :
		       err == -EEXIST ? "it exists and is not a socket (refused: only a stale socket is replaced)" :
		       strerror(-err));
		goto out;
	}
	err = protect_open(&a->guard, o); /* first: it covers what follows */
	if (err)
		goto out;
	if ((err = protect_loading(a->guard, true)))
		goto out;
	err = pin_root_open(&a->pins, o->bpf_dir, why, sizeof(why));
	if (err) {
		logmsg("Error: pin folder: %s", why);
		goto out;
	}
	err = ev_ring_open(&a->ring, o->ringbuf_bytes, pin_ring_path(&a->pins, why, sizeof(why)), on_record, a);
	if (ev_ring_reused(a->ring))
		logmsg("ring buffer: the one pinned in %s (what policies wrote while no agent read comes first)",
		       o->bpf_dir);
	if (err) {
		logmsg("Error: ring buffer: %s", strerror(-err));
		goto out;
	}
	err = proc_sensor_open(&a->sensor, ev_ring_map_fd(a->ring), why, sizeof(why));
	if (err) {
		logmsg("Error: process sensor: %s", why);
		goto out;
	}
	logmsg("process sensor attached: tp_btf/sched_process_exec, tp_btf/sched_process_fork, tp_btf/sched_process_exit");
	reg_init(&a->reg, a->pl.enc.host_ns, o->walk_every_path, ev_ring_map_fd(a->ring), drain_sensor, a);
	pipeline_set_policies(&a->pl, a->reg.meta, REG_MAX_POLICIES);
	reg_use_guard(&a->reg, a->guard);
	err = reg_use_pins(&a->reg, &a->pins);
	if (err) {
		logmsg("Error: reading what is pinned in %s: %s", o->bpf_dir, strerror(-err));
		goto out;
	}
	if (o->n_policies) {
		struct diag_list d;

		diag_init(&d);
		err = reg_load_paths(&a->reg, o->policies, o->n_policies, &d, why, sizeof(why));
		reg_log_diags(&d);
		diag_free(&d);
		if (err) {
			logmsg("Error: no policy loaded: %s", why[0] ? why : "the policies have errors (above)");
			goto out;
		}
	}
	err = reg_sync_dir(&a->reg, o->policy_dir, !o->policy_dir_given);
	if (err) {
		logmsg("Error: policy folder %s: %s", o->policy_dir, strerror(-err));
		goto out;
	}
	reg_restore_pinned(&a->reg);
	if ((err = protect_base(a->guard, a->ring, a->sensor, &a->held)) || (err = protect_pins(a->held, &a->pins)))
		goto out;
	protect_loading(a->guard, false);
	/* after attaching: what starts from now on is seen by the sensor */
	n = proc_cache_scan(a->pl.cache, "/proc");
	if (n < 0)
		logmsg("Warning: reading /proc: %s; processes started before the agent are unknown", strerror(-n));
	else
		logmsg("learned %d running processes from /proc", n);
	/* announced before ready, as Tetragon does: a reader knows every process */
	if (n > 0 && (n = pipeline_announce_procfs(&a->pl, flush_export, a)) < 0)
		logmsg("Warning: announcing the processes from /proc: %s", strerror((int)-n));

	a->epfd = epoll_create1(EPOLL_CLOEXEC);
	a->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	a->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	clients_init(&a->clients, a->epfd, TAG_CLIENT, &a->bus, on_status, on_policy, a);
	if (a->epfd < 0 || a->sigfd < 0 || a->timerfd < 0 || timerfd_settime(a->timerfd, 0, &its, NULL) ||
	    (err = epoll_add(a->epfd, ev_ring_poll_fd(a->ring), TAG_SENSOR)) ||
	    (err = epoll_add(a->epfd, a->sigfd, TAG_SIGNAL)) || (err = epoll_add(a->epfd, a->timerfd, TAG_TIMER)) ||
	    (err = epoll_add(a->epfd, a->lfd, TAG_LISTEN))) {
		err = err ? err : -errno;
		logmsg("Error: setting up the event loop: %s", strerror(-err));
		goto out;
	}
	if (o->metrics_address && *o->metrics_address) {
		/* the metrics are no reason to stop enforcing: a busy port is logged */
		if (http_open(&a->http, o->metrics_address, a->epfd, TAG_HTTP, on_metrics, a, why, sizeof(why)))
			logmsg("Error: metrics: %s; serving no metrics", why);
		else
			logmsg("metrics: http://%s/metrics", o->metrics_address);
	}
	logmsg("ready: node %s (from %s), exporting to %s%s%s, control socket %s", node, node_from,
	       o->export_file ? o->export_file : "stdout", o->store_path ? " and the store " : "",
	       o->store_path ? o->store_path : "", o->socket_path);

	while (!stop_sig) {
		/* the sensor wakes us only when its ring fills up: drain it on a
		 * short timeout too, which bounds an event's delay */
		uint64_t now;

		n = epoll_wait(a->epfd, evs, sizeof(evs) / sizeof(evs[0]), ev_ring_more(a->ring) ? 0 : DRAIN_MS);
		now = mono_ns();
		if (ev_ring_more(a->ring) || now - a->drained_at >= DRAIN_MS * 1000000ull)
			drain(a, now, DRAIN_MAX);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			logmsg("Error: epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			uint64_t tag = evs[i].data.u64;

			if (tag == TAG_SENSOR) {
				drain(a, now, DRAIN_MAX);
			} else if (tag == TAG_SIGNAL) {
				struct signalfd_siginfo si;
				if (read(a->sigfd, &si, sizeof(si)) != sizeof(si))
					continue;
				if (si.ssi_signo == SIGHUP)
					on_hup(a);
				else
					stop_sig = si.ssi_signo;
			} else if (tag == TAG_TIMER) {
				on_tick(a);
			} else if (tag == TAG_LISTEN) {
				clients_accept(&a->clients, a->lfd);
			} else if (tag >= TAG_HTTP) {
				http_ready(&a->http, tag - TAG_HTTP, evs[i].events);
			} else if (tag >= TAG_CLIENT) {
				clients_ready(&a->clients, tag - TAG_CLIENT, evs[i].events);
			}
		}
		/* push what this round produced to the file and the clients */
		export_sink_flush(&a->exp);
		clients_flush(&a->clients);
	}
	if (stop_sig) {
		/* drain what the kernel already produced, then flush */
		drain(a, mono_ns(), 0); /* no limit: nothing else waits now */
		export_sink_flush(&a->exp);
		clients_close(&a->clients);
		check_lost(a);
		logmsg("stopping on %s: %" PRIu64 " exec and %" PRIu64 " exit events, %" PRIu64 " exported, %" PRIu64
		       " export errors, %" PRIu64 " dropped (slow reader), %" PRIu64 " records lost",
		       strsignal(stop_sig), a->pl.events[EV_PROCESS_EXEC], a->pl.events[EV_PROCESS_EXIT],
		       a->exp.s.st.written, a->exp.s.st.failed, a->exp.s.st.dropped + export_sink_queued(&a->exp),
		       ev_ring_lost_reported(a->ring, EVL_PROCESS));
		a->unpin = !o->keep_enforcing;
		if (a->reg.n)
			logmsg(a->unpin ? "unloading %zu policies" : "--keep-enforcing: %zu policies stay in force, pinned in %s",
			       a->reg.n, o->bpf_dir);
		err = 0;
	}
out:
	cleanup(a);
	return err;
}
