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
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "agent/request.h"
#include "events/pipeline.h"
#include "events/ring.h"
#include "load/policies.h"
#include "sensors/process.h"
#include "sinks/client.h"
#include "sinks/file.h"
#include "util/json.h"

#define MAX_CLIENTS 64
#define SWEEP_EVERY 30 /* seconds between checks for processes whose exit was lost */
#define DRAIN_MS 20    /* longest wait before events reach the sinks */
#define DRAIN_MAX 8192 /* records per round at most: clients and signals get their turn */
#define EXPORT_BATCH (256 * 1024) /* bytes of queued events written at once at most */
#define TRIM_DROP 1024 /* cache entries gone in one tick that mean a burst is draining */
#define CLIENTS_QUEUE_TOTAL (16u << 20) /* all streaming clients' queues together */
#define CLIENT_IDLE_S 5    /* to send a whole request */
#define CLIENT_BEHIND_S 10 /* dropping events without ever catching up: disconnected */

#define STR_(x) #x
#define STR(x) STR_(x)

enum { TAG_SENSOR = 1, TAG_SIGNAL, TAG_TIMER, TAG_LISTEN, TAG_CLIENT = 16 };

struct client {
	bool used;
	bool streaming;       /* getevents accepted */
	uint64_t since;       /* mono_ns of the accept */
	uint64_t behind_since; /* mono_ns of its first drop since its queue was last empty */
	struct client_sink out;
	struct request req;
	char in[REQ_MAX_LINE];
	size_t inlen;
	unsigned id;
};

struct agent {
	const struct agent_opts *o;
	struct pipeline pl;
	struct ev_ring *ring;
	struct proc_sensor *sensor;
	struct policy_set policies;
	uint64_t policy_lost_reported;
	uint64_t follow_lost_reported;
	struct file_sink sink;
	int epfd, sigfd, timerfd, lfd, recfd, lockfd;
	struct client clients[MAX_CLIENTS];
	unsigned next_client_id;
	struct jw json, json_anc, compact; /* encodings of the current event */
	bool have_json, have_json_anc, have_compact;
	uint64_t export_errors, export_err_logged;
	uint64_t export_dropped; /* the reader of stdout did not keep up */
	bool export_blocked;     /* stdout's reader took not all: retry once a round, not per event */
	int last_export_err, logged_export_err;
	uint64_t export_logged_at;
	uint64_t lost_reported;
	uint64_t ticks;
	uint64_t entries_last_tick;
	uint64_t exported;
	uint64_t drained_at;  /* mono_ns of the last drain of the ring */
	uint64_t client_drops; /* events not queued for a slow client */
	uint64_t clients_too_slow, clients_timed_out;
	bool trim_clients;     /* a big client queue was freed: give it back */
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

/* Streaming clients share CLIENTS_QUEUE_TOTAL: however many never read,
 * their queues together stay below it. */
static void set_shares(struct agent *a)
{
	size_t n = 0, share;

	for (int i = 0; i < MAX_CLIENTS; i++)
		n += a->clients[i].used && a->clients[i].streaming;
	share = n ? CLIENTS_QUEUE_TOTAL / n : CLIENT_QUEUE_MAX;
	for (int i = 0; i < MAX_CLIENTS; i++)
		a->clients[i].out.max = share < CLIENT_QUEUE_MAX ? share : CLIENT_QUEUE_MAX;
}

static void drop_client(struct agent *a, struct client *c, const char *why)
{
	if (!c->used)
		return;
	if (why)
		logmsg("client %u: %s", c->id, why);
	epoll_ctl(a->epfd, EPOLL_CTL_DEL, c->out.fd, NULL);
	if (c->out.cap > CLIENT_QUEUE_KEEP)
		a->trim_clients = true;
	client_sink_close(&c->out);
	c->used = false;
	if (c->streaming)
		set_shares(a);
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
		c->behind_since = 0; /* caught up */
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
	if (err == -ENOBUFS)
		a->export_dropped += n;
	else
		a->export_errors += n;
	/* once per reason and at most every 10 s, not per event: a nearly
	 * full disk takes small events and refuses big ones */
	if (err != a->last_export_err &&
	    (err != a->logged_export_err || now - a->export_logged_at >= 10000000000ull)) {
		logmsg("Error: export to %s failed: %s (events are counted as %s until it works again)",
		       export_name(a),
		       err == -ENOBUFS ? "its reader does not keep up (its queue is full)" : strerror(-err),
		       err == -ENOBUFS ? "export_dropped" : "export_errors");
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
			logmsg("export to %s works again (%" PRIu64 " events not exported so far)", export_name(a),
			       a->export_errors + a->export_dropped);
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
	a->export_blocked = r.queued != 0;
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
	else if (a->sink.len >= EXPORT_BATCH && !a->export_blocked)
		export_flush(a);
	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &a->clients[i];
		if (!c->used || !c->streaming || !filter_match(&c->req.filter, e))
			continue;
		w = encoded(a, e, c->req.format, c->req.ancestors);
		if (!w->oom && client_sink_queue(&c->out, w->buf, w->len)) {
			a->client_drops++;
			if (!c->behind_since)
				c->behind_since = mono_ns();
		}
	}
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
	jw_kuint(w, "export_dropped", a->export_dropped);
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
	jw_key(w, "client_faults");
	jw_obj_open(w);
	jw_kuint(w, "events_dropped", a->client_drops);
	jw_kuint(w, "too_slow", a->clients_too_slow);
	jw_kuint(w, "timed_out", a->clients_timed_out);
	jw_obj_close(w);
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
	set_shares(a);
	logmsg("client %u: streaming events (%s)", c->id, line);
	flush_client(a, c);
}

static void on_client_input(struct agent *a, struct client *c)
{
	char junk[REQ_MAX_LINE];
	ssize_t n;
	char *nl;

	/* after its request a client has nothing to say: read and ignore, a
	 * bounded amount per round */
	if (c->streaming)
		n = recv(c->out.fd, junk, sizeof(junk), MSG_DONTWAIT);
	else
		n = recv(c->out.fd, c->in + c->inlen, sizeof(c->in) - 1 - c->inlen, MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		drop_client(a, c, c->streaming ? "disconnected" : "closed before a request");
		return;
	}
	if (n < 0 || c->streaming)
		return;
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
	bool free_slot;

	if (fd < 0)
		return;
	for (int i = 0; i < MAX_CLIENTS && !c; i++)
		if (!a->clients[i].used)
			c = &a->clients[i];
	free_slot = c != NULL;
	/* full: the oldest client still without a request makes room, so idle
	 * connections cannot lock the others out */
	for (int i = 0; i < MAX_CLIENTS && !free_slot; i++) {
		struct client *o = &a->clients[i];
		if (!o->streaming && (!c || o->since < c->since))
			c = o;
	}
	if (c && !free_slot)
		drop_client(a, c, "no request yet and every slot is taken: closed for a new client");
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
	c->since = mono_ns();
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

/* Creates path's folder (0700) when missing. */
static int make_parent(const char *path)
{
	char *dir = strdup(path), *slash;
	int err = 0;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) && errno != EEXIST)
			err = -errno;
	}
	free(dir);
	return err;
}

/* Only one agent per node: two would both attach and give a process two
 * exec_ids. Returns the lock's fd, or -EWOULDBLOCK with the holder's pid. */
static int take_lock(const char *path, long *holder)
{
	char pid[32] = "";
	ssize_t n;
	int fd, err = make_parent(path);

	*holder = 0;
	if (err)
		return err;
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		err = -errno;
		n = pread(fd, pid, sizeof(pid) - 1, 0);
		if (n > 0) {
			pid[n] = '\0';
			*holder = strtol(pid, NULL, 10);
		}
		close(fd);
		return err;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, pid, n, 0) != n) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* Binds the control socket. What is at path is replaced only when it is a
 * socket no agent answers on (one left by a crash): never a file, a symbolic
 * link or anything else (-EEXIST), never a live agent's (-EADDRINUSE). */
static int listen_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	if ((err = make_parent(path)))
		return err;
	if (!lstat(path, &st)) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			return -errno;
		err = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
		close(fd);
		if (!err || err == -EAGAIN)
			return -EADDRINUSE;
		if (unlink(path) && errno != ENOENT)
			return -errno;
	} else if (errno != ENOENT) {
		return -errno;
	}
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

/* Drains the ring; called every round once DRAIN_MS have passed, so clients
 * that keep the loop busy cannot delay the events. */
static void drain(struct agent *a, uint64_t now, uint64_t max)
{
	ev_ring_drain(a->ring, max);
	a->drained_at = now;
}

/* Clients that hold a slot without asking, or never catch up. */
static void check_clients(struct agent *a)
{
	uint64_t now = mono_ns();
	char why[96];

	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &a->clients[i];
		if (!c->used)
			continue;
		if (!c->streaming && now - c->since >= CLIENT_IDLE_S * 1000000000ull) {
			a->clients_timed_out++;
			drop_client(a, c, "no request within " STR(CLIENT_IDLE_S) " s: closed");
		} else if (c->behind_since && now - c->behind_since >= CLIENT_BEHIND_S * 1000000000ull) {
			a->clients_too_slow++;
			snprintf(why, sizeof(why), "too slow: %" PRIu64 " events dropped in " STR(CLIENT_BEHIND_S)
				 " s without catching up: disconnected", c->out.dropped);
			drop_client(a, c, why);
		}
	}
	if (a->trim_clients) {
		malloc_trim(0);
		a->trim_clients = false;
	}
}

/* logrotate renamed the export file: write to a new one at the path */
static void on_hup(struct agent *a)
{
	int err;

	if (!a->o->export_file) {
		logmsg("SIGHUP: nothing to reopen (exporting to stdout)");
		return;
	}
	export_flush(a);
	err = file_sink_reopen(&a->sink);
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
	check_clients(a);
	err = file_sink_check(&a->sink);
	if (err < 0)
		logmsg("Error: the export file %s was deleted; creating it again: %s", a->o->export_file,
		       file_open_why(err));
	else if (err)
		logmsg("the export file %s was deleted: writing to a new one", a->o->export_file);
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
	ev_ring_close(a->ring);
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
	if (a->lockfd >= 0)
		close(a->lockfd);
}

int agent_run(const struct agent_opts *o)
{
	static struct agent ag;
	struct agent *a = &ag;
	struct itimerspec its = { .it_interval = { 1, 0 }, .it_value = { 1, 0 } };
	char node[HOST_NAME_MAX + 1] = "", why[512];
	struct epoll_event evs[32];
	sigset_t mask;
	long holder;
	int err, n, stop_sig = 0;

	memset(a, 0, sizeof(*a));
	a->o = o;
	a->epfd = a->sigfd = a->timerfd = a->lfd = a->recfd = a->lockfd = -1;
	jw_init(&a->json);
	jw_init(&a->json_anc);
	jw_init(&a->compact);

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
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

	a->lockfd = take_lock(o->lock_file, &holder);
	if (a->lockfd < 0) {
		err = a->lockfd;
		if (err == -EWOULDBLOCK)
			logmsg("Error: another agent is running: pid %ld holds %s", holder, o->lock_file);
		else
			logmsg("Error: lock file %s: %s", o->lock_file, file_open_why(err));
		goto out;
	}
	err = file_sink_open(&a->sink, o->export_file, o->export_max_bytes, o->export_backups);
	if (err) {
		logmsg("Error: cannot open export file %s: %s", o->export_file, file_open_why(err));
		goto out;
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
	err = ev_ring_open(&a->ring, o->ringbuf_bytes, on_record, a);
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
	if (o->n_policies) {
		struct diag_list d;

		diag_init(&d);
		err = policy_set_load(&a->policies, o->policies, o->n_policies, a->pl.enc.host_ns,
				      ev_ring_map_fd(a->ring), o->walk_every_path, &d, why, sizeof(why));
		diag_sort(&d);
		for (size_t i = 0; i < d.n; i++) {
			const struct diag *x = &d.v[i];
			if (x->line)
				logmsg("%s:%u:%u: %s: %s", x->file, x->line, x->col, diag_sev_name(x->sev), x->msg);
			else
				logmsg("%s: %s: %s", x->file, diag_sev_name(x->sev), x->msg);
		}
		diag_free(&d);
		if (err) {
			logmsg("Error: no policy loaded: %s", why[0] ? why : "the policies have errors (above)");
			goto out;
		}
		pipeline_set_policies(&a->pl, a->policies.meta, a->policies.n);
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
	    (err = epoll_add(a->epfd, ev_ring_poll_fd(a->ring), TAG_SENSOR)) ||
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
		drain(a, mono_ns(), 0); /* no limit: nothing else waits now */
		export_flush(a);
		for (int i = 0; i < MAX_CLIENTS; i++)
			if (a->clients[i].used && a->clients[i].out.len)
				client_sink_flush(&a->clients[i].out);
		check_lost(a);
		logmsg("stopping on %s: %" PRIu64 " exec and %" PRIu64 " exit events, %" PRIu64 " exported, %" PRIu64
		       " export errors, %" PRIu64 " dropped (slow reader), %" PRIu64 " records lost",
		       strsignal(stop_sig), a->pl.events[EV_PROCESS_EXEC], a->pl.events[EV_PROCESS_EXIT], a->exported,
		       a->export_errors, a->export_dropped + a->sink.nlines, a->lost_reported);
		err = 0;
	}
out:
	cleanup(a);
	return err;
}
