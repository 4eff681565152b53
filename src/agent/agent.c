/* The agent: one thread, one epoll loop over the sensor's ring buffer, a
 * signalfd, a 1 s timer, the control socket and its clients. */
#include "agent/agent.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "agent/request.h"
#include "events/pipeline.h"
#include "load/policies.h"
#include "sensors/process.h"
#include "sinks/client.h"
#include "sinks/file.h"
#include "util/json.h"

#define MAX_CLIENTS 64
#define SWEEP_EVERY 30 /* seconds between checks for processes whose exit was lost */
#define DRAIN_MS 20    /* longest wait before events reach the sinks */
#define EXPORT_BATCH (256 * 1024) /* bytes of queued events written at once at most */
#define TRIM_DROP 1024 /* cache entries gone in one tick that mean a burst is draining */

enum { TAG_SENSOR = 1, TAG_SIGNAL, TAG_TIMER, TAG_LISTEN, TAG_CLIENT = 16 };

struct client {
	bool used;
	bool streaming;       /* getevents accepted */
	struct client_sink out;
	struct request req;
	char in[REQ_MAX_LINE];
	size_t inlen;
	unsigned id;
};

struct agent {
	const struct agent_opts *o;
	struct pipeline pl;
	struct proc_sensor *sensor;
	struct policy_set policies;
	uint64_t policy_lost_reported;
	uint64_t follow_lost_reported;
	struct file_sink sink;
	int epfd, sigfd, timerfd, lfd, recfd;
	struct client clients[MAX_CLIENTS];
	unsigned next_client_id;
	struct jw json, json_anc, compact; /* encodings of the current event */
	bool have_json, have_json_anc, have_compact;
	uint64_t export_errors, export_err_logged;
	int last_export_err, logged_export_err;
	uint64_t export_logged_at;
	uint64_t lost_reported;
	uint64_t ticks;
	uint64_t entries_last_tick;
	uint64_t exported;
};

static void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logmsg(const char *fmt, ...)
{
	va_list ap;

	fputs("veto: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static const struct jw *encoded(struct agent *a, const struct ev *e, enum req_format fmt, bool anc)
{
	if (fmt == FMT_COMPACT) {
		if (!a->have_compact) {
			jw_reset(&a->compact);
			enc_compact(&a->compact, &a->pl.enc, e);
			a->have_compact = true;
		}
		return &a->compact;
	}
	if (anc && e->kind == EV_PROCESS_EXEC) {
		if (!a->have_json_anc) {
			jw_reset(&a->json_anc);
			enc_json(&a->json_anc, &a->pl.enc, e, true);
			a->have_json_anc = true;
		}
		return &a->json_anc;
	}
	if (!a->have_json) {
		jw_reset(&a->json);
		enc_json(&a->json, &a->pl.enc, e, false);
		a->have_json = true;
	}
	return &a->json;
}

static void drop_client(struct agent *a, struct client *c, const char *why)
{
	if (!c->used)
		return;
	if (why)
		logmsg("client %u: %s", c->id, why);
	epoll_ctl(a->epfd, EPOLL_CTL_DEL, c->out.fd, NULL);
	client_sink_close(&c->out);
	c->used = false;
}

static void want_write(struct agent *a, struct client *c, bool on)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | (on ? EPOLLOUT : 0),
				  .data.u64 = TAG_CLIENT + (c - a->clients) };

	epoll_ctl(a->epfd, EPOLL_CTL_MOD, c->out.fd, &ev);
}

static void flush_client(struct agent *a, struct client *c)
{
	int err = client_sink_flush(&c->out);
	char why[96];

	if (err == -EAGAIN) {
		want_write(a, c, true);
	} else if (err) {
		snprintf(why, sizeof(why), "disconnected (%s)", strerror(-err));
		drop_client(a, c, why);
	} else {
		want_write(a, c, false);
	}
}

static const char *export_name(const struct agent *a)
{
	return a->o->export_file ? a->o->export_file : "stdout";
}

static void export_failed(struct agent *a, int err, uint64_t n)
{
	uint64_t now;

	if (!n)
		return;
	now = mono_ns();
	a->export_errors += n;
	/* once per reason and at most every 10 s, not per event: a nearly
	 * full disk takes small events and refuses big ones */
	if (err != a->last_export_err &&
	    (err != a->logged_export_err || now - a->export_logged_at >= 10000000000ull)) {
		logmsg("Error: export to %s failed: %s (events are counted as export_errors until it works again)",
		       export_name(a), strerror(-err));
		a->logged_export_err = err;
		a->export_logged_at = now;
	}
	a->last_export_err = err;
}

static void export_ok(struct agent *a, uint64_t n)
{
	if (!n)
		return;
	a->exported += n;
	if (a->last_export_err) {
		if (a->export_logged_at && mono_ns() - a->export_logged_at >= 1000000000ull)
			logmsg("export to %s works again (%" PRIu64 " failed events so far)", export_name(a),
			       a->export_errors);
		a->last_export_err = 0;
	}
}

/* Writes the events queued since the last call: once per round of the event
 * loop, so a drain of the ring costs one write, not one per event. */
static void export_flush(struct agent *a)
{
	struct file_sink_result r;

	if (!a->sink.nlines)
		return;
	file_sink_flush(&a->sink, &r);
	/* in the batch's order as far as it matters: its last state wins */
	if (r.last_ok) {
		export_failed(a, r.err, r.failed);
		export_ok(a, r.written);
	} else {
		export_ok(a, r.written);
		export_failed(a, r.err, r.failed);
	}
}

static void on_event(void *ctx, const struct ev *e)
{
	struct agent *a = ctx;
	const struct jw *w;
	int err;

	a->have_json = a->have_json_anc = a->have_compact = false;
	w = encoded(a, e, a->o->compact && !a->o->export_file ? FMT_COMPACT : FMT_JSON, a->o->ancestors);
	err = w->oom ? -ENOMEM : file_sink_add(&a->sink, w->buf, w->len);
	if (err)
		export_failed(a, err, 1);
	else if (a->sink.len >= EXPORT_BATCH)
		export_flush(a);
	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &a->clients[i];
		if (!c->used || !c->streaming || !filter_match(&c->req.filter, e))
			continue;
		w = encoded(a, e, c->req.format, c->req.ancestors);
		if (!w->oom)
			client_sink_queue(&c->out, w->buf, w->len);
	}
}

static int on_record(void *ctx, const void *data, size_t len)
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
	return 0;
}

static void status_json(struct agent *a, struct jw *w)
{
	uint64_t cnt[PROC_CNT__COUNT] = { 0 };
	struct proc_cache_stats cs;
	int nclients = 0;

	export_flush(a); /* exported counts what is in the file */
	proc_sensor_counters(a->sensor, cnt);
	proc_cache_stats(a->pl.cache, &cs);
	for (int i = 0; i < MAX_CLIENTS; i++)
		nclients += a->clients[i].used;
	jw_obj_open(w);
	jw_key(w, "events");
	jw_obj_open(w);
	jw_kuint(w, "process_exec", a->pl.events[EV_PROCESS_EXEC]);
	jw_kuint(w, "process_exit", a->pl.events[EV_PROCESS_EXIT]);
	jw_obj_close(w);
	jw_kuint(w, "exported", a->exported);
	jw_kuint(w, "export_errors", a->export_errors);
	jw_key(w, "lost");
	jw_obj_open(w);
	jw_kuint(w, "total", cnt[PROC_CNT_LOST]);
	jw_kuint(w, "process_exec", cnt[PROC_CNT_LOST_EXEC]);
	jw_kuint(w, "process_exit", cnt[PROC_CNT_LOST_EXIT]);
	jw_obj_close(w);
	jw_kuint(w, "ring_records", cnt[PROC_CNT_SENT]);
	jw_kuint(w, "bad_records", a->pl.bad_records);
	jw_key(w, "cache");
	jw_obj_open(w);
	jw_kuint(w, "live", cs.live);
	jw_kuint(w, "entries", cs.entries);
	jw_kuint(w, "misses", cs.misses);
	jw_kuint(w, "reaped", cs.reaped);
	jw_obj_close(w);
	jw_kuint(w, "clients", nclients);
	jw_obj_close(w);
}

static void reply_error(struct agent *a, struct client *c, const char *msg)
{
	struct jw w;

	jw_init(&w);
	jw_obj_open(&w);
	jw_kstr(&w, "error", msg);
	jw_obj_close(&w);
	if (!w.oom)
		client_sink_queue(&c->out, w.buf, w.len);
	jw_free(&w);
	client_sink_flush(&c->out);
	drop_client(a, c, NULL);
}

static void on_request(struct agent *a, struct client *c, const char *line)
{
	char why[256];
	struct jw w;

	if (request_parse(line, &c->req, why, sizeof(why))) {
		logmsg("client %u: bad request: %s", c->id, why);
		reply_error(a, c, why);
		return;
	}
	jw_init(&w);
	if (c->req.op == REQ_STATUS) {
		status_json(a, &w);
		client_sink_queue(&c->out, w.buf, w.len);
		jw_free(&w);
		client_sink_flush(&c->out);
		drop_client(a, c, NULL);
		return;
	}
	jw_obj_open(&w);
	jw_kbool(&w, "ok", true);
	jw_kstr(&w, "request", "getevents");
	jw_obj_close(&w);
	client_sink_queue(&c->out, w.buf, w.len);
	jw_free(&w);
	c->streaming = true;
	logmsg("client %u: streaming events (%s)", c->id, line);
	flush_client(a, c);
}

static void on_client_input(struct agent *a, struct client *c)
{
	ssize_t n;
	char *nl;

	n = recv(c->out.fd, c->in + c->inlen, sizeof(c->in) - 1 - c->inlen, MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		drop_client(a, c, c->streaming ? "disconnected" : "closed before a request");
		return;
	}
	if (n < 0)
		return;
	if (c->streaming)
		return; /* nothing more is expected: ignore */
	c->inlen += n;
	c->in[c->inlen] = '\0';
	nl = memchr(c->in, '\n', c->inlen);
	if (!nl) {
		if (c->inlen >= sizeof(c->in) - 1) {
			logmsg("client %u: bad request: longer than %zu bytes", c->id, sizeof(c->in) - 1);
			reply_error(a, c, "request too long (no newline in 4095 bytes)");
		}
		return;
	}
	*nl = '\0';
	on_request(a, c, c->in);
}

static void on_accept(struct agent *a)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd = accept4(a->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	struct client *c = NULL;

	if (fd < 0)
		return;
	for (int i = 0; i < MAX_CLIENTS && !c; i++)
		if (!a->clients[i].used)
			c = &a->clients[i];
	if (!c) {
		static const char busy[] = "{\"error\":\"too many clients\"}\n";
		if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		}
		close(fd);
		return;
	}
	memset(c, 0, sizeof(*c));
	c->used = true;
	c->id = ++a->next_client_id;
	client_sink_init(&c->out, fd);
	/* the socket is root-only (0600); check the peer anyway */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || cred.uid != 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TAG_CLIENT + (c - a->clients) };
		epoll_ctl(a->epfd, EPOLL_CTL_ADD, fd, &ev);
		logmsg("client %u: refused: uid %u is not root", c->id, (unsigned)cred.uid);
		reply_error(a, c, "permission denied: the control socket is for root only");
		return;
	}
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.u64 = TAG_CLIENT + (c - a->clients) };
	if (epoll_ctl(a->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		client_sink_close(&c->out);
		c->used = false;
	}
}

static int listen_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[sizeof(sa.sun_path)];
	char *slash;
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) && errno != EEXIST)
			return -errno;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* a socket file left by a crashed agent: replace it, unless one answers */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		close(fd);
		return -EADDRINUSE;
	}
	unlink(path);
	close(fd);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	{
		mode_t old = umask(0077);
		err = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
		umask(old);
	}
	if (err || chmod(path, 0600) || listen(fd, 16)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static void check_lost(struct agent *a)
{
	uint64_t cnt[PROC_CNT__COUNT], plost = policy_set_lost(&a->policies, VETO_LOST_EVENTS);
	uint64_t flost = policy_set_lost(&a->policies, VETO_LOST_FOLLOW);

	if (plost > a->policy_lost_reported) {
		logmsg("Warning: %" PRIu64 " policy events lost (ring buffer full): the kernel still enforced, "
		       "the events are missing; total %" PRIu64, plost - a->policy_lost_reported, plost);
		a->policy_lost_reported = plost;
	}
	if (flost > a->follow_lost_reported) {
		logmsg("Warning: %" PRIu64 " processes not followed (followChildren/followForks map full): "
		       "their descendants are not matched as such; total %" PRIu64, flost - a->follow_lost_reported,
		       flost);
		a->follow_lost_reported = flost;
	}
	if (proc_sensor_counters(a->sensor, cnt))
		return;
	if (cnt[PROC_CNT_LOST] > a->lost_reported) {
		logmsg("Warning: %" PRIu64 " records lost (ring buffer full): %" PRIu64 " exec, %" PRIu64
		       " exit, %" PRIu64 " fork; total %" PRIu64,
		       cnt[PROC_CNT_LOST] - a->lost_reported, cnt[PROC_CNT_LOST_EXEC], cnt[PROC_CNT_LOST_EXIT],
		       cnt[PROC_CNT_LOST] - cnt[PROC_CNT_LOST_EXEC] - cnt[PROC_CNT_LOST_EXIT], cnt[PROC_CNT_LOST]);
		a->lost_reported = cnt[PROC_CNT_LOST];
	}
}

static bool pid_exists(uint32_t pid, void *ctx)
{
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

static void drain_sensor(void *ctx)
{
	struct agent *a = ctx;

	proc_sensor_consume(a->sensor);
}

static void on_tick(struct agent *a)
{
	struct proc_cache_stats cs;
	uint64_t exp;

	if (read(a->timerfd, &exp, sizeof(exp)) < 0) {
	}
	a->ticks++;
	check_lost(a);
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
}

static int epoll_add(int epfd, int fd, uint64_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static void cleanup(struct agent *a)
{
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (a->clients[i].used)
			drop_client(a, &a->clients[i], NULL);
	policy_set_unload(&a->policies);
	proc_sensor_close(a->sensor);
	pipeline_fini(&a->pl);
	file_sink_close(&a->sink);
	jw_free(&a->json);
	jw_free(&a->json_anc);
	jw_free(&a->compact);
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
}

int agent_run(const struct agent_opts *o)
{
	static struct agent ag;
	struct agent *a = &ag;
	struct itimerspec its = { .it_interval = { 1, 0 }, .it_value = { 1, 0 } };
	char node[HOST_NAME_MAX + 1] = "", why[512];
	struct epoll_event evs[32];
	sigset_t mask;
	int err, n, stop_sig = 0;

	memset(a, 0, sizeof(*a));
	a->o = o;
	a->epfd = a->sigfd = a->timerfd = a->lfd = a->recfd = -1;
	jw_init(&a->json);
	jw_init(&a->json_anc);
	jw_init(&a->compact);

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (o->node_name)
		snprintf(node, sizeof(node), "%s", o->node_name);
	else if (gethostname(node, sizeof(node)))
		snprintf(node, sizeof(node), "localhost");
	err = pipeline_init(&a->pl, node, on_event, a);
	if (err) {
		logmsg("Error: %s", strerror(-err));
		return err;
	}
	pipeline_set_host(&a->pl);

	err = file_sink_open(&a->sink, o->export_file, o->export_max_bytes, o->export_backups);
	if (err) {
		logmsg("Error: cannot open export file %s: %s", o->export_file, strerror(-err));
		goto out;
	}
	if (o->record_file) {
		a->recfd = open(o->record_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (a->recfd < 0) {
			err = -errno;
			logmsg("Error: cannot open %s: %s", o->record_file, strerror(errno));
			goto out;
		}
	}
	a->lfd = listen_socket(o->socket_path);
	if (a->lfd < 0) {
		err = a->lfd;
		logmsg("Error: control socket %s: %s%s", o->socket_path, strerror(-err),
		       err == -EADDRINUSE ? " (another agent is running)" : "");
		goto out;
	}
	err = proc_sensor_open(&a->sensor, o->ringbuf_bytes, on_record, a, why, sizeof(why));
	if (err) {
		logmsg("Error: process sensor: %s", why);
		goto out;
	}
	logmsg("process sensor attached: tp_btf/sched_process_exec, tp_btf/sched_process_fork, tp_btf/sched_process_exit");
	if (o->n_policies) {
		struct diag_list d;

		diag_init(&d);
		err = policy_set_load(&a->policies, o->policies, o->n_policies, a->pl.enc.host_ns,
				      proc_sensor_ringbuf_fd(a->sensor), o->walk_every_path, &d, why, sizeof(why));
		diag_sort(&d);
		for (size_t i = 0; i < d.n; i++)
			logmsg("%s:%u:%u: %s: %s", d.v[i].file, d.v[i].line, d.v[i].col, diag_sev_name(d.v[i].sev),
			       d.v[i].msg);
		diag_free(&d);
		if (err) {
			logmsg("Error: no policy loaded: %s", why[0] ? why : "the policies have errors (above)");
			goto out;
		}
		pipeline_set_policies(&a->pl, a->policies.compiled, a->policies.n);
		for (size_t i = 0; i < a->policies.n; i++) {
			const struct compiled *c = &a->policies.compiled[i];
			for (size_t h = 0; h < c->n_hooks; h++) {
				char where[192], progs[2][32];
				int n = c_hook_progs(&c->hooks[h], progs);

				logmsg("policy %s: %s on %s (%s%s%s)%s", c->src->name,
				       c->hooks[h].cfg.monitor ? "monitoring" : "enforcing",
				       c_hook_where(&c->hooks[h], where, sizeof(where)), progs[0], n > 1 ? ", " : "",
				       n > 1 ? progs[1] : "",
				       c->hooks[h].cfg.pcache ? "; paths that match no selector remembered" : "");
			}
		}
	}
	/* after attaching: what starts from now on is seen by the sensor */
	n = proc_cache_scan(a->pl.cache, "/proc");
	if (n < 0)
		logmsg("Warning: reading /proc: %s; processes started before the agent are unknown", strerror(-n));
	else
		logmsg("learned %d running processes from /proc", n);

	a->epfd = epoll_create1(EPOLL_CLOEXEC);
	a->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	a->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (a->epfd < 0 || a->sigfd < 0 || a->timerfd < 0 || timerfd_settime(a->timerfd, 0, &its, NULL) ||
	    (err = epoll_add(a->epfd, proc_sensor_fd(a->sensor), TAG_SENSOR)) ||
	    (err = epoll_add(a->epfd, a->sigfd, TAG_SIGNAL)) || (err = epoll_add(a->epfd, a->timerfd, TAG_TIMER)) ||
	    (err = epoll_add(a->epfd, a->lfd, TAG_LISTEN))) {
		err = err ? err : -errno;
		logmsg("Error: setting up the event loop: %s", strerror(-err));
		goto out;
	}
	logmsg("ready: node %s, exporting to %s, control socket %s", node,
	       o->export_file ? o->export_file : "stdout", o->socket_path);

	while (!stop_sig) {
		/* the sensor wakes us only when its ring fills up: drain it on a
		 * short timeout too, which bounds an event's delay */
		n = epoll_wait(a->epfd, evs, sizeof(evs) / sizeof(evs[0]), DRAIN_MS);
		if (n == 0)
			proc_sensor_consume(a->sensor);
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
				proc_sensor_consume(a->sensor);
			} else if (tag == TAG_SIGNAL) {
				struct signalfd_siginfo si;
				if (read(a->sigfd, &si, sizeof(si)) == sizeof(si))
					stop_sig = si.ssi_signo;
			} else if (tag == TAG_TIMER) {
				on_tick(a);
			} else if (tag == TAG_LISTEN) {
				on_accept(a);
			} else if (tag >= TAG_CLIENT && tag < TAG_CLIENT + MAX_CLIENTS) {
				struct client *c = &a->clients[tag - TAG_CLIENT];
				if (!c->used)
					continue;
				if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
					on_client_input(a, c);
				if (c->used && (evs[i].events & EPOLLOUT))
					flush_client(a, c);
			}
		}
		/* push what this round produced to the file and the clients */
		export_flush(a);
		for (int i = 0; i < MAX_CLIENTS; i++)
			if (a->clients[i].used && a->clients[i].out.len)
				flush_client(a, &a->clients[i]);
	}
	if (stop_sig) {
		/* drain what the kernel already produced, then flush */
		proc_sensor_consume(a->sensor);
		export_flush(a);
		for (int i = 0; i < MAX_CLIENTS; i++)
			if (a->clients[i].used && a->clients[i].out.len)
				client_sink_flush(&a->clients[i].out);
		check_lost(a);
		logmsg("stopping on %s: %" PRIu64 " exec and %" PRIu64 " exit events, %" PRIu64 " exported, %" PRIu64
		       " export errors, %" PRIu64 " records lost",
		       strsignal(stop_sig), a->pl.events[EV_PROCESS_EXEC], a->pl.events[EV_PROCESS_EXIT], a->exported,
		       a->export_errors, a->lost_reported);
		err = 0;
	}
out:
	cleanup(a);
	return err;
}
