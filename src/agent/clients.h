/* The control socket's clients: a fixed table of connections, each one
 * request (agent/request.h), then for getevents a sink on the bus. Bounded so
 * that no client, idle, slow or gone, holds the agent or its memory. */
#ifndef VETO_AGENT_CLIENTS_H
#define VETO_AGENT_CLIENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/request.h"
#include "sinks/bus.h"
#include "sinks/client.h"
#include "util/json.h"

#define MAX_CLIENTS 64
#define CLIENTS_BODY_TOTAL (4u << 20) /* policies being received at once, all clients */

struct client {
	bool used;
	bool streaming;       /* getevents accepted: its sink is on the bus */
	uint64_t since;       /* mono_ns of the accept */
	struct client_sink out;
	struct request req;
	char in[REQ_MAX_LINE];
	size_t inlen;
	char *body;           /* tracingpolicy add: the policy, read as it comes */
	size_t body_got;
	unsigned id;
};

/* Writes the answer to a status request. */
typedef void (*clients_status_fn)(void *ctx, struct jw *w);
/* Carries out a tracingpolicy request (body: add's policy) and writes the
 * answer. */
typedef void (*clients_policy_fn)(void *ctx, const struct request *req, const char *body, struct jw *w);

struct clients {
	int epfd;
	uint64_t tag;          /* epoll data of slot 0; slot i has tag + i */
	struct sink_bus *bus;
	clients_status_fn status;
	clients_policy_fn policy;
	void *ctx;
	struct client v[MAX_CLIENTS];
	unsigned next_id;
	uint64_t dropped_gone; /* events not queued for clients that left */
	uint64_t too_slow, timed_out;
	uint64_t refused;      /* peers that are not root */
	size_t body_bytes;     /* bodies being received, all clients */
	bool trim;             /* a big queue was freed: give it back */
};

void clients_init(struct clients *cs, int epfd, uint64_t tag, struct sink_bus *bus, clients_status_fn status,
		  clients_policy_fn policy, void *ctx);
/* Takes a connection from the listening socket. */
void clients_accept(struct clients *cs, int lfd);
/* epoll said slot is ready (events: EPOLLIN, EPOLLOUT, ...). */
void clients_ready(struct clients *cs, unsigned slot, uint32_t events);
/* Writes what this round queued, without waiting. */
void clients_flush(struct clients *cs);
/* Once a second: clients that hold a slot without asking, or never catch up. */
void clients_check(struct clients *cs);
/* At the stop: one last write to each, then all closed. */
void clients_close(struct clients *cs);
/* Connections open. */
unsigned clients_count(const struct clients *cs);
/* Events not queued for slow clients, those gone included. */
uint64_t clients_dropped(const struct clients *cs);

#endif
