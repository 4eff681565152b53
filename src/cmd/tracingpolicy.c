/* veto tracingpolicy (tp): a running agent's policies, changed through its
 * control socket. The agent does the work; this sends the request and
 * prints the answer. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/request.h"
#include "cmd/client.h"
#include "cmd/cmd.h"
#include "util/out.h"

static const char *sock = AGENT_DEFAULT_SOCKET;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: veto tracingpolicy (or tp) [--socket PATH] VERB [ARGS]\n"
		"Changes a running agent's policies; each change is whole or not at all.\n"
		"  add FILE [--mode enforce|monitor]  load FILE's policies (FILE is sent to the\n"
		"                                     agent; errors come back as FILE:LINE:COL)\n"
		"  delete NAME                        unload and forget a policy\n"
		"  enable NAME                        load a disabled policy again\n"
		"  disable NAME                       unload it, keep it listed\n"
		"  set-mode NAME enforce|monitor      switch without a window\n"
		"  list [-o json]                     NAME STATE MODE HOOKS NPOST NENFORCE\n"
		"                                     NMONITOR KERNELMEMORY AGE\n"
		"  --socket PATH  the agent's control socket (default %s)\n"
		"Exit status 0 when the agent did it, 1 with its reason otherwise.\n",
		AGENT_DEFAULT_SOCKET);
}

/* Each verb's own --help. */
static const struct {
	const char *verb, *args, *what;
} verb_help[] = {
	{ "add", "FILE [--mode enforce|monitor]",
	  "Sends FILE's content to the agent, which loads its policies whole or not at all;\n"
	  "errors come back as FILE:LINE:COL. --mode overrides the policies' own policy-mode." },
	{ "delete", "NAME", "Detaches the policy and forgets it." },
	{ "enable", "NAME", "Loads a disabled policy again; if the kernel refuses, it stays listed\n"
			    "as load_error with the reason." },
	{ "disable", "NAME", "Unloads the policy's kernel part and keeps it listed." },
	{ "set-mode", "NAME enforce|monitor", "Switches each hook's mode in place: at every instant each hook is\n"
					      "in one mode or the other." },
	{ "list", "[-o json]", "NAME STATE MODE HOOKS NPOST NENFORCE NMONITOR KERNELMEMORY AGE per policy." },
};
static const char *cur_verb;

static void verb_usage(FILE *f)
{
	for (size_t i = 0; i < sizeof(verb_help) / sizeof(verb_help[0]); i++)
		if (!strcmp(verb_help[i].verb, cur_verb)) {
			fprintf(f, "Usage: veto tracingpolicy %s %s [--socket PATH]\n%s\n", cur_verb, verb_help[i].args,
				verb_help[i].what);
			return;
		}
	usage(f);
}

/* Options after the verb: --socket, -o, --mode, --help. mode: NULL where the
 * verb takes none. Returns CMD_NEXT, or the exit status. */
static int options(int argc, char **argv, const char **mode)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "mode", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c, r;

	optind = 0; /* a new argv: getopt starts over */
	cur_verb = argv[0];
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		if (c == 's') {
			sock = optarg;
		} else if (c == 'm' && mode) {
			*mode = optarg;
		} else if (c == 'm') {
			out_error("tracingpolicy %s: takes no --mode", argv[0]);
			return 2;
		} else if ((r = cmd_opt_rest(c, verb_usage)) != CMD_NEXT) {
			return r;
		}
	}
	return CMD_NEXT;
}

/* The verb's positional arguments: exactly n of them. */
static int args(int argc, char **argv, int n, const char *what)
{
	if (argc - optind != n) {
		out_error("tracingpolicy %s: expected %s (see 'veto tracingpolicy --help')", argv[0], what);
		return 2;
	}
	return 0;
}

static int parse_mode(const char *verb, const char *s, enum req_mode *m)
{
	if (!strcmp(s, "enforce"))
		*m = REQ_MODE_ENFORCE;
	else if (!strcmp(s, "monitor"))
		*m = REQ_MODE_MONITOR;
	else {
		out_error("tracingpolicy %s: unknown mode '%s' (expected enforce or monitor)", verb, s);
		return 2;
	}
	return 0;
}

/* Sends r (with body for add) and prints what the agent did. */
static int ask(const struct request *r, const char *body, const char *done)
{
	char line[REQ_MAX_LINE + 1], cmd[64];
	struct jr a;
	int rc;

	snprintf(cmd, sizeof(cmd), "tracingpolicy %s", request_verb(r->op));
	if (request_format(r, line, sizeof(line)) || strlen(line) >= REQ_MAX_LINE) {
		out_error("%s: the request is too long", cmd);
		return 2;
	}
	rc = cmd_ask_agent(cmd, sock, line, body, r->body_len, &a, NULL);
	if (rc)
		return rc;
	if (out_fmt == OUT_JSON)
		printf("{\"ok\":true,\"request\":\"%s\"}\n", request_verb(r->op));
	else if (done)
		printf("%s\n", done);
	jr_free(&a);
	return 0;
}

/* FILE whole, at most REQ_MAX_BODY bytes. */
static char *read_policy(const char *path, size_t *len)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK) : dup(0);
	size_t cap = 65536;
	char *buf = NULL, *nb;
	struct stat st;
	ssize_t n;

	*len = 0;
	if (fd < 0 || fstat(fd, &st)) {
		out_error("tracingpolicy add: %s: %s", path, strerror(errno));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		out_error("tracingpolicy add: %s: a folder (add one file at a time)", path);
		goto fail;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	while ((nb = realloc(buf, cap + 1))) {
		buf = nb;
		n = read(fd, buf + *len, cap - *len);
		if (n < 0) {
			out_error("tracingpolicy add: %s: %s", path, strerror(errno));
			goto fail;
		}
		*len += (size_t)n;
		if (!n)
			break;
		if (*len > REQ_MAX_BODY) {
			out_error("tracingpolicy add: %s: larger than %u bytes", path, REQ_MAX_BODY);
			goto fail;
		}
		if (*len == cap)
			cap *= 2;
	}
	if (!nb) {
		out_error("tracingpolicy add: out of memory");
		goto fail;
	}
	if (!*len) {
		out_error("tracingpolicy add: %s is empty", path);
		goto fail;
	}
	close(fd);
	return buf;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

static int tp_add(int argc, char **argv)
{
	struct request r = { .op = REQ_TP_ADD };
	const char *mode = NULL;
	char done[REQ_MAX_NAME + 32], *body;
	int rc = options(argc, argv, &mode);

	if (rc != CMD_NEXT || (rc = args(argc, argv, 1, "FILE")))
		return rc;
	if (mode && (rc = parse_mode("add", mode, &r.mode)))
		return rc;
	if (strlen(argv[optind]) >= sizeof(r.name)) {
		out_error("tracingpolicy add: file name longer than %d bytes", REQ_MAX_NAME - 1);
		return 2;
	}
	strcpy(r.name, argv[optind]);
	body = read_policy(argv[optind], &r.body_len);
	if (!body)
		return 1;
	snprintf(done, sizeof(done), "%s: added", r.name);
	rc = ask(&r, body, done);
	free(body);
	return rc;
}

/* delete, enable, disable: one NAME. */
static int by_name(int argc, char **argv, enum req_op op, const char *done)
{
	struct request r = { .op = op };
	char msg[REQ_MAX_NAME + 32];
	int rc = options(argc, argv, NULL);

	if (rc != CMD_NEXT || (rc = args(argc, argv, 1, "NAME")))
		return rc;
	if (strlen(argv[optind]) >= sizeof(r.name)) {
		out_error("tracingpolicy %s: no policy has a name that long", argv[0]);
		return 1;
	}
	strcpy(r.name, argv[optind]);
	snprintf(msg, sizeof(msg), "%s: %s", r.name, done);
	return ask(&r, NULL, msg);
}

static int tp_delete(int argc, char **argv)
{
	return by_name(argc, argv, REQ_TP_DELETE, "deleted");
}

static int tp_enable(int argc, char **argv)
{
	return by_name(argc, argv, REQ_TP_ENABLE, "enabled");
}

static int tp_disable(int argc, char **argv)
{
	return by_name(argc, argv, REQ_TP_DISABLE, "disabled");
}

static int tp_set_mode(int argc, char **argv)
{
	struct request r = { .op = REQ_TP_SET_MODE };
	char msg[REQ_MAX_NAME + 32];
	int rc = options(argc, argv, NULL);

	if (rc != CMD_NEXT || (rc = args(argc, argv, 2, "NAME and enforce|monitor")))
		return rc;
	if ((rc = parse_mode("set-mode", argv[optind + 1], &r.mode)))
		return rc;
	if (strlen(argv[optind]) >= sizeof(r.name)) {
		out_error("tracingpolicy set-mode: no policy has a name that long");
		return 1;
	}
	strcpy(r.name, argv[optind]);
	snprintf(msg, sizeof(msg), "%s: %s", r.name, argv[optind + 1]);
	return ask(&r, NULL, msg);
}

static void print_age(uint64_t s, char *buf, size_t n)
{
	if (s < 120)
		snprintf(buf, n, "%" PRIu64 "s", s);
	else if (s < 7200)
		snprintf(buf, n, "%" PRIu64 "m", s / 60);
	else if (s < 172800)
		snprintf(buf, n, "%" PRIu64 "h", s / 3600);
	else
		snprintf(buf, n, "%" PRIu64 "d", s / 86400);
}

static void print_list(const struct jr *list)
{
	printf("%-24s %-10s %-8s %-32s %8s %8s %8s %12s %5s\n", "NAME", "STATE", "MODE", "HOOKS", "NPOST", "NENFORCE",
	       "NMONITOR", "KERNELMEMORY", "AGE");
	for (size_t i = 0; list && i < list->n; i++) {
		const struct jr *p = &list->kids[i], *hooks = jr_get(p, "hooks");
		char hk[512] = "", age[16], mem[32];
		size_t o = 0;

		for (size_t h = 0; hooks && h < hooks->n && o < sizeof(hk); h++)
			o += (size_t)snprintf(hk + o, sizeof(hk) - o, "%s%s", h ? "," : "",
					      hooks->kids[h].str ? hooks->kids[h].str : "");
		print_age(jr_uint(p, "age_seconds"), age, sizeof(age));
		snprintf(mem, sizeof(mem), "%.2f MB", (double)jr_uint(p, "kernel_memory") / 1e6);
		printf("%-24s %-10s %-8s %-32s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %12s %5s\n", jr_str(p, "name"),
		       jr_str(p, "state"), jr_str(p, "mode"), hk[0] ? hk : "-", jr_uint(p, "npost"),
		       jr_uint(p, "nenforce"), jr_uint(p, "nmonitor"), mem, age);
		if (jr_str(p, "error")[0])
			printf("  REASON: %s\n", jr_str(p, "error"));
	}
}

static int tp_list(int argc, char **argv)
{
	char line[REQ_MAX_LINE];
	struct request r = { .op = REQ_TP_LIST };
	char *raw = NULL;
	struct jr a;
	int rc = options(argc, argv, NULL);

	if (rc != CMD_NEXT || (rc = args(argc, argv, 0, "no argument")))
		return rc;
	request_format(&r, line, sizeof(line));
	if ((rc = cmd_ask_agent("tracingpolicy list", sock, line, NULL, 0, &a, &raw)))
		return rc;
	if (out_fmt == OUT_JSON)
		fputs(raw, stdout); /* the agent's answer, as it sent it */
	else
		print_list(jr_get(&a, "policies"));
	free(raw);
	jr_free(&a);
	return 0;
}

static const struct cmd verbs[] = {
	{ "add", tp_add, "load a policy file" },
	{ "delete", tp_delete, "unload and forget a policy" },
	{ "enable", tp_enable, "load a disabled policy again" },
	{ "disable", tp_disable, "unload a policy, keep it listed" },
	{ "set-mode", tp_set_mode, "enforce or monitor, without a window" },
	{ "list", tp_list, "the policies, their state and counters" },
};

int cmd_tracingpolicy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const struct cmd *v;
	char names[128];
	int c, r;

	/* '+': options before the verb; the verb parses its own */
	while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
		if (c == 's')
			sock = optarg;
		else if ((r = cmd_opt_rest(c, usage)) != CMD_NEXT)
			return r;
	}
	cmd_names(names, sizeof(names), verbs, sizeof(verbs) / sizeof(verbs[0]));
	if (optind >= argc) {
		out_error("tracingpolicy: expected %s", names);
		usage(stderr);
		return 2;
	}
	v = cmd_find(verbs, sizeof(verbs) / sizeof(verbs[0]), argv[optind]);
	if (!v) {
		out_error("tracingpolicy: unknown verb '%s' (expected %s)", argv[optind], names);
		return 2;
	}
	argc -= optind;
	argv += optind;
	return v->run(argc, argv);
}
