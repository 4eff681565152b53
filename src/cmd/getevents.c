/* veto getevents: streams events from a running agent; the agent filters. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/request.h"
#include "cmd/client.h"
#include "cmd/cmd.h"
#include "util/out.h"

static void usage(FILE *f)
{
	char types[256];

	request_types(types, sizeof(types));
	fprintf(f,
		"Usage: veto getevents [-o json|compact] [--event-types T,...] [--binary PATH,...]\n"
		"                      [--pid PID,...] [--ancestors] [-n COUNT] [--socket PATH]\n"
		"Streams events from a running `veto agent`. Filters are applied in the agent.\n"
		"  --event-types    %s\n"
		"                   (comma-separated, repeatable)\n"
		"  --binary         exact binary path (comma-separated, repeatable)\n"
		"  --pid            process id (comma-separated, repeatable)\n"
		"  -n, --count N    exit after N events\n"
		"  --status         print the agent's counters as JSON and exit\n",
		types);
}

/* Splits a comma list into a request value (escaping is done by request_format). */
static int add_values(struct request *r, int key, const char *arg)
{
	char *dup = strdup(arg), *save = NULL;
	char why[256];
	int err = 0;

	if (!dup)
		return -ENOMEM;
	for (char *it = strtok_r(dup, ",", &save); it && !err; it = strtok_r(NULL, ",", &save)) {
		if (key == 'b') {
			if (r->filter.nbinaries >= FILTER_MAX || strlen(it) >= sizeof(r->filter.binaries[0])) {
				out_error("getevents: too many or too long --binary values (at most 16)");
				err = -EINVAL;
			} else {
				strcpy(r->filter.binaries[r->filter.nbinaries++], it);
			}
		} else {
			/* reuse the agent's parser for types and pids: one definition */
			char line[300];
			struct request tmp;
			snprintf(line, sizeof(line), "getevents %s=%s", key == 't' ? "types" : "pid", it);
			if (request_parse(line, &tmp, why, sizeof(why))) {
				out_error("getevents: %s", why);
				err = -EINVAL;
			} else if (key == 't') {
				r->filter.kinds |= tmp.filter.kinds;
			} else if (r->filter.npids >= FILTER_MAX) {
				out_error("getevents: too many --pid values (at most 16)");
				err = -EINVAL;
			} else {
				r->filter.pids[r->filter.npids++] = tmp.filter.pids[0];
			}
		}
	}
	free(dup);
	return err;
}

int cmd_getevents(int argc, char **argv)
{
	enum { O_TYPES = 256, O_BINARY, O_PID, O_SOCKET, O_ANC, O_STATUS };
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "event-types", required_argument, NULL, O_TYPES },
		{ "binary", required_argument, NULL, O_BINARY },
		{ "pid", required_argument, NULL, O_PID },
		{ "ancestors", no_argument, NULL, O_ANC },
		{ "count", required_argument, NULL, 'n' },
		{ "socket", required_argument, NULL, O_SOCKET },
		{ "status", no_argument, NULL, O_STATUS },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *sock = AGENT_DEFAULT_SOCKET;
	struct request r = { .op = REQ_GETEVENTS };
	char line[REQ_MAX_LINE + 1];
	long count = -1, seen = 0;
	bool header = false;
	FILE *in;
	int c, fd, err;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((c = getopt_long(argc, argv, "o:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (!strcmp(optarg, "compact")) {
				r.format = FMT_COMPACT;
			} else if (!strcmp(optarg, "json")) {
				r.format = FMT_JSON;
			} else {
				out_error("getevents: unknown output format '%s' (expected json or compact)", optarg);
				return 2;
			}
			break;
		case O_TYPES:
			if (add_values(&r, 't', optarg))
				return 2;
			break;
		case O_BINARY:
			if (add_values(&r, 'b', optarg))
				return 2;
			break;
		case O_PID:
			if (add_values(&r, 'p', optarg))
				return 2;
			break;
		case O_ANC:
			r.ancestors = true;
			break;
		case 'n': {
			char *end;
			count = strtol(optarg, &end, 10);
			if (*end || count <= 0) {
				out_error("getevents: bad --count '%s'", optarg);
				return 2;
			}
			break;
		}
		case O_SOCKET:
			sock = optarg;
			break;
		case O_STATUS:
			r.op = REQ_STATUS;
			break;
		default:
			if ((err = cmd_opt_rest(c, usage)) != CMD_NEXT)
				return err;
		}
	}
	if ((err = cmd_no_args("getevents", argc, argv)))
		return err;
	if (request_format(&r, line, sizeof(line) - 1)) {
		out_error("getevents: request too long");
		return 2;
	}
	strcat(line, "\n");
	fd = cmd_connect_agent(sock);
	if (fd < 0) {
		out_error("getevents: cannot connect to the agent at %s: %s%s", sock, strerror(-fd),
			  fd == -ENOENT || fd == -ECONNREFUSED ? " (is `veto agent` running?)" : "");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if (send(fd, line, strlen(line), MSG_NOSIGNAL) < 0) {
		out_error("getevents: sending the request: %s", strerror(errno));
		close(fd);
		return 1;
	}
	in = fdopen(fd, "r");
	if (!in) {
		close(fd);
		return 1;
	}
	while ((n = getline(&buf, &cap, in)) > 0) {
		if (buf[n - 1] == '\n')
			buf[--n] = '\0';
		if (!header) {
			header = true;
			if (!strncmp(buf, "{\"error\":", 9)) {
				/* the agent's message is JSON: show it as the error */
				out_error("getevents: agent refused the request: %s", buf);
				free(buf);
				fclose(in);
				return 1;
			}
			if (r.op == REQ_STATUS) {
				puts(buf);
				break;
			}
			continue;
		}
		if (!strncmp(buf, "{\"veto_lost\":", 13)) {
			out_warn("events dropped by the agent for this client: %s", buf);
			continue;
		}
		if (fwrite(buf, 1, n, stdout) != (size_t)n || putchar('\n') == EOF || fflush(stdout)) {
			/* our reader went away: stop quietly, the agent copes */
			break;
		}
		if (count > 0 && ++seen >= count)
			break;
	}
	free(buf);
	fclose(in);
	if (!header) {
		out_error("getevents: the agent closed the connection without answering");
		return 1;
	}
	return 0;
}
