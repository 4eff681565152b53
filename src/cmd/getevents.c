/* veto getevents: prints events, as `tetra getevents` does, from a running
 * agent (the agent applies the filters too, so it sends only what is
 * printed), from exported JSON lines on standard input when it is a file or
 * a pipe, or from an event store (--from-store). Every path prints each line
 * through one function. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "agent/agent.h"
#include "agent/request.h"
#include "cmd/client.h"
#include "cmd/cmd.h"
#include "events/compact.h"
#include "events/evjson.h"
#include "events/fields.h"
#include "events/filter.h"
#include "store/store.h"
#include "util/out.h"
#include "util/timefmt.h"

#define LINE_MAX_BYTES (1u << 20) /* an exported line, at most */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: veto getevents [-o json|compact] [-e TYPE,...] [--process REGEX,...]\n"
		"                      [--binary PATH,...] [--pid PID,...] [--policy-names NAME,...]\n"
		"                      [--pod REGEX,...] [--namespace NS,...] [-f FIELD,...] [-F FIELD,...]\n"
		"                      [--timestamps] [--color auto|always|never] [--ancestors]\n"
		"                      [-n COUNT] [--socket PATH] [--status]\n"
		"                      [--from-store PATH [--since T] [--until T]]\n"
		"Prints events from a running `veto agent`, or, when standard input is not a\n"
		"character device (a file or a pipe), the exported JSON lines read there, or\n"
		"the events of an event store (--from-store) in time order.\n"
		"  -o, --output        json (default) or compact (Tetragon's line, then what veto did)\n"
		"  -e, --event-types   PROCESS_EXEC, PROCESS_EXIT, PROCESS_KPROBE, PROCESS_TRACEPOINT,\n"
		"                      PROCESS_LSM (or process_exec, ...)\n"
		"  --process           regular expression on the binary (Go RE2 syntax)\n"
		"  --binary            exact binary path\n"
		"  --pid               process id\n"
		"  --policy-names      policy events of these policies\n"
		"  --pod, --namespace  pod regex, namespace: a process in no pod matches neither\n"
		"  -f, --include-fields  keep only these fields of the event (process.binary,...)\n"
		"  -F, --exclude-fields  drop these fields\n"
		"  --timestamps        print each event's time first (compact)\n"
		"  --color             colours of the compact form (auto: when stdout is a terminal)\n"
		"  --ancestors         exec events carry all ancestors (from an agent)\n"
		"  -n, --count N       exit after N events\n"
		"  --status            print the agent's counters as JSON and exit\n"
		"  --from-store PATH   the events of the store at PATH (veto agent --store, veto\n"
		"                      store import; their default is " STORE_DEFAULT_PATH ")\n"
		"  --since T, --until T  with --from-store: events at T or later, before T; T is\n"
		"                      an RFC 3339 time (2026-12-01T23:46:08Z, 2026-12-02T00:46:08.5+01:00)\n"
		"                      or a duration meaning that long ago (90m, 2h30m)\n"
		"Filter flags take comma-separated values and repeat; values of one flag are\n"
		"ORed, flags ANDed.\n");
}

/* What getevents does to each line, whichever way it came. */
struct printer {
	enum ev_format fmt;
	struct compact_opts copt;
	struct ev_filter filter;
	struct ev_match match;
	struct field_filter fields[2]; /* -f, -F */
	size_t nfields;
	struct jw w;
};

/* Prints line when it passes. 1 printed, 0 filtered out, -EINVAL bad (err),
 * -EPIPE stdout gone. */
static int print_line(struct printer *p, const char *line, char *err, size_t errlen)
{
	struct ev_view v;
	struct jr ev;
	bool changed;
	int rc;

	rc = jr_parse(line, &ev);
	if (rc || ev.type != JR_OBJ) {
		snprintf(err, errlen, rc == -ENOMEM ? "out of memory" : "not a JSON object");
		jr_free(&ev);
		return rc == -ENOMEM ? rc : -EINVAL;
	}
	evjson_view(&ev, &v);
	if (!filter_view_match(&p->filter, &v)) {
		jr_free(&ev);
		return 0;
	}
	changed = fields_apply(p->fields, p->nfields, &ev);
	jw_reset(&p->w);
	if (p->fmt == FMT_COMPACT)
		rc = compact_render(&p->w, &ev, &p->copt, err, errlen);
	else if (changed)
		fields_write(&p->w, &ev);
	else
		jw_raw(&p->w, line, strlen(line));
	jr_free(&ev);
	if (rc)
		return rc;
	jw_raw(&p->w, "\n", 1);
	if (p->w.oom)
		return -ENOMEM;
	if (fwrite(p->w.buf, 1, p->w.len, stdout) != p->w.len || fflush(stdout))
		return -EPIPE;
	return 1;
}

/* Reads one line of at most LINE_MAX_BYTES into buf (newline removed).
 * 1 a line, 0 end of input, -E2BIG a longer line (skipped to its end). */
static int read_line(FILE *in, char *buf)
{
	size_t n;

	if (!fgets(buf, LINE_MAX_BYTES + 2, in))
		return 0;
	n = strlen(buf);
	if (n && buf[n - 1] == '\n') {
		buf[n - 1] = '\0';
		return 1;
	}
	if (n <= LINE_MAX_BYTES)
		return 1; /* the last line, without a newline */
	while (fgets(buf, LINE_MAX_BYTES + 2, in) && !strchr(buf, '\n'))
		;
	return -E2BIG;
}

/* The stdin mode: each bad line is reported and counted; 1 at the end if any. */
static int from_stdin(struct printer *p, long count)
{
	char *buf = malloc(LINE_MAX_BYTES + 2), err[256];
	unsigned long lineno = 0, bad = 0;
	long seen = 0;
	int rc = 0;

	if (!buf)
		return 1;
	while (count < 0 || seen < count) {
		rc = read_line(stdin, buf);
		if (rc == 0)
			break;
		lineno++;
		if (rc == -E2BIG) {
			fprintf(stderr, "Error: stdin:%lu: line longer than %u bytes\n", lineno, LINE_MAX_BYTES);
			bad++;
			continue;
		}
		if (!buf[strspn(buf, " \t\r")])
			continue;
		rc = print_line(p, buf, err, sizeof(err));
		if (rc == -EPIPE || rc == -ENOMEM)
			break;
		if (rc < 0) {
			fprintf(stderr, "Error: stdin:%lu: %s\n", lineno, err);
			bad++;
		}
		seen += rc > 0;
	}
	free(buf);
	if (rc == -ENOMEM)
		out_error("getevents: out of memory");
	if (bad)
		out_error("getevents: %lu bad line%s on stdin", bad, bad == 1 ? "" : "s");
	return bad || rc == -ENOMEM ? 1 : 0;
}

/* The store's events, one print_line each, as the stdin mode prints. */
struct store_read {
	struct printer *p;
	const char *path;
	long count, seen;
	unsigned long n, bad;
	int rc; /* print_line's -EPIPE or -ENOMEM that stopped the scan */
};

static int store_line(void *ctx, const char *json, size_t len)
{
	struct store_read *sr = ctx;
	char err[256];
	int rc;

	sr->n++;
	if (strlen(json) != len) {
		snprintf(err, sizeof(err), "a NUL byte in the stored line");
		rc = -EINVAL;
	} else {
		rc = print_line(sr->p, json, err, sizeof(err));
	}
	if (rc == -EPIPE || rc == -ENOMEM) {
		sr->rc = rc;
		return 1;
	}
	if (rc < 0) {
		/* the line as the store holds it is named by its place in the range */
		fprintf(stderr, "Error: %s: event %lu of the range: %s\n", sr->path, sr->n, err);
		sr->bad++;
	}
	if (rc > 0 && sr->count > 0 && ++sr->seen >= sr->count)
		return 1;
	return 0;
}

static int from_store(struct printer *p, const char *path, int64_t since, int64_t until, long count)
{
	struct store_read sr = { .p = p, .path = path, .count = count };
	struct store *s;
	char err[512];
	int rc;

	rc = store_open(&s, path, true, err, sizeof(err));
	if (rc) {
		out_error("getevents: --from-store: %s", err);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	rc = store_scan(s, since, until, store_line, &sr);
	if (rc < 0)
		out_error("getevents: %s: %s", path, sqlite3_errmsg(store_db(s)));
	else if (sr.rc == -ENOMEM)
		out_error("getevents: out of memory");
	else if (sr.bad)
		out_error("getevents: %lu bad event%s in %s", sr.bad, sr.bad == 1 ? "" : "s", path);
	store_close(s);
	return rc < 0 || sr.rc == -ENOMEM || sr.bad ? 1 : 0;
}

/* --since/--until: 0 or 2 with the error said. */
static int time_flag(const char *flag, const char *arg, int64_t *ns)
{
	struct timespec now;
	char why[400];

	clock_gettime(CLOCK_REALTIME, &now);
	if (timefmt_parse_arg(arg, (int64_t)now.tv_sec * 1000000000 + now.tv_nsec, ns, why, sizeof(why))) {
		out_error("getevents: %s: %s", flag, why);
		return 2;
	}
	return 0;
}

/* The agent's answer, then its events. */
static int from_agent(struct printer *p, const struct request *r, const char *sock, long count)
{
	char line[REQ_MAX_LINE + 1], err[256], *buf;
	bool header = false;
	long seen = 0;
	int fd, rc, status = 0;
	FILE *in;

	if (request_format(r, line, sizeof(line) - 1)) {
		out_error("getevents: request too long (filters too many or too long)");
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
	buf = malloc(LINE_MAX_BYTES + 2);
	if (!in || !buf) {
		free(buf);
		in ? fclose(in) : close(fd);
		return 1;
	}
	while ((rc = read_line(in, buf)) != 0) {
		if (rc < 0) {
			out_warn("getevents: skipped a line longer than %u bytes from the agent", LINE_MAX_BYTES);
			continue;
		}
		if (!header) {
			header = true;
			if (!strncmp(buf, "{\"error\":", 9)) {
				/* the agent's message is JSON: show it as the error */
				out_error("getevents: agent refused the request: %s", buf);
				status = 1;
				break;
			}
			if (r->op == REQ_STATUS) {
				puts(buf);
				break;
			}
			continue;
		}
		if (!strncmp(buf, "{\"veto_lost\":", 13)) {
			out_warn("events dropped by the agent for this client: %s", buf);
			continue;
		}
		rc = print_line(p, buf, err, sizeof(err));
		if (rc == -EPIPE)
			break; /* our reader went away: stop quietly, the agent copes */
		if (rc < 0)
			out_warn("getevents: an event from the agent: %s", err);
		if (rc > 0 && count > 0 && ++seen >= count)
			break;
	}
	free(buf);
	fclose(in);
	if (!header) {
		out_error("getevents: the agent closed the connection without answering");
		return 1;
	}
	return status;
}

/* The filter flags, gathered as one Tetragon Filter object. */
struct flags {
	struct jw json;
	const char *key[6];
	char *vals[6];
};

enum { F_TYPES, F_BIN, F_PID, F_POD, F_NS, F_POL };
static const char *const filter_keys[] = { "event_set", "binary_regex", "pid", "pod_regex", "namespace",
					    "policy_names" };

/* Adds optarg's comma-separated values to the key; checks event types and
 * pids here, where the flag's name can be said. */
static int add_flag(struct flags *fl, int key, const char *flag, const char *arg)
{
	char *dup = strdup(arg), *save = NULL, pat[1200], *last;
	size_t len;

	/* the values so far: NUL-separated, an empty one ends them */
	for (last = fl->vals[key]; last && *last; last += strlen(last) + 1)
		;
	len = last ? (size_t)(last - fl->vals[key]) : 0;

	if (!dup)
		return -ENOMEM;
	for (char *it = strtok_r(dup, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
		char kinds[160];
		enum ev_kind k;
		char *end, *grown;
		unsigned long v;

		if (key == F_TYPES && filter_kind_parse(it, &k)) {
			filter_kinds_list(kinds, sizeof(kinds));
			out_error("getevents: %s: unknown event type '%s' (expected %s)", flag, it, kinds);
			goto bad;
		}
		if (key == F_PID) {
			errno = 0;
			v = strtoul(it, &end, 10);
			if (*end || errno || v == 0 || v > UINT32_MAX || it[0] == '-') {
				out_error("getevents: %s: bad process id '%s'", flag, it);
				goto bad;
			}
		}
		if (key == F_BIN && !strcmp(flag, "--binary")) {
			filter_regex_quote(it, pat, sizeof(pat));
			it = pat;
		}
		grown = realloc(fl->vals[key], len + strlen(it) + 2);
		if (!grown)
			goto bad;
		fl->vals[key] = grown;
		/* values kept NUL-separated */
		memcpy(grown + len, it, strlen(it) + 1);
		len += strlen(it) + 1;
		grown[len] = '\0';
	}
	free(dup);
	return 0;
bad:
	free(dup);
	return -EINVAL;
}

/* The Filter JSON of the flags, "" when none was given. */
static void flags_json(struct flags *fl, char *out, size_t outlen)
{
	bool any = false;

	jw_init(&fl->json);
	jw_obj_open(&fl->json);
	for (int k = 0; k < 6; k++) {
		if (!fl->vals[k])
			continue;
		any = true;
		jw_key(&fl->json, filter_keys[k]);
		jw_arr_open(&fl->json);
		for (const char *v = fl->vals[k]; *v; v += strlen(v) + 1) {
			if (k == F_PID)
				jw_uint(&fl->json, strtoul(v, NULL, 10));
			else
				jw_str(&fl->json, v);
		}
		jw_arr_close(&fl->json);
		free(fl->vals[k]);
	}
	jw_obj_close(&fl->json);
	snprintf(out, outlen, "%.*s", any && !fl->json.oom ? (int)fl->json.len : 0, fl->json.buf);
	jw_free(&fl->json);
}

static int fields_flag(struct printer *p, bool include, const char *flag, const char *arg)
{
	struct field_filter *f = &p->fields[include ? 0 : 1];
	char err[200];

	f->include = include;
	if (fields_parse_paths(f, arg, err, sizeof(err))) {
		out_error("getevents: %s: %s", flag, err);
		return -EINVAL;
	}
	return 0;
}

int cmd_getevents(int argc, char **argv)
{
	enum { O_BINARY = 256, O_PID, O_SOCKET, O_ANC, O_STATUS, O_PROCESS, O_POD, O_NS, O_POL, O_TS, O_COLOR,
	       O_STORE, O_SINCE, O_UNTIL };
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "event-types", required_argument, NULL, 'e' },
		{ "process", required_argument, NULL, O_PROCESS },
		{ "binary", required_argument, NULL, O_BINARY },
		{ "pid", required_argument, NULL, O_PID },
		{ "pod", required_argument, NULL, O_POD },
		{ "namespace", required_argument, NULL, O_NS },
		{ "policy-names", required_argument, NULL, O_POL },
		{ "include-fields", required_argument, NULL, 'f' },
		{ "exclude-fields", required_argument, NULL, 'F' },
		{ "timestamps", no_argument, NULL, O_TS },
		{ "color", required_argument, NULL, O_COLOR },
		{ "ancestors", no_argument, NULL, O_ANC },
		{ "count", required_argument, NULL, 'n' },
		{ "socket", required_argument, NULL, O_SOCKET },
		{ "status", no_argument, NULL, O_STATUS },
		{ "from-store", required_argument, NULL, O_STORE },
		{ "since", required_argument, NULL, O_SINCE },
		{ "until", required_argument, NULL, O_UNTIL },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *sock = AGENT_DEFAULT_SOCKET, *color = "auto", *term = getenv("TERM"), *store = NULL;
	const char *agent_only = NULL, *range = NULL;
	int64_t since = 0, until = 0;
	bool until_set = false;
	static struct request r = { .op = REQ_GETEVENTS };
	static struct printer p;
	struct flags fl = { 0 };
	char why[320];
	long count = -1;
	struct stat st;
	struct jr obj;
	int c, err = 0;

	while ((c = getopt_long(argc, argv, "o:e:f:F:n:h", opts, NULL)) != -1 && !err) {
		switch (c) {
		case 'o':
			if (!strcmp(optarg, "compact")) {
				p.fmt = FMT_COMPACT;
			} else if (!strcmp(optarg, "json")) {
				p.fmt = FMT_JSON;
			} else {
				out_error("getevents: unknown output format '%s' (expected json or compact)", optarg);
				return 2;
			}
			break;
		case 'e':
			err = add_flag(&fl, F_TYPES, "--event-types", optarg);
			break;
		case O_PROCESS:
		case O_BINARY:
			err = add_flag(&fl, F_BIN, c == O_BINARY ? "--binary" : "--process", optarg);
			break;
		case O_PID:
			err = add_flag(&fl, F_PID, "--pid", optarg);
			break;
		case O_POD:
			err = add_flag(&fl, F_POD, "--pod", optarg);
			break;
		case O_NS:
			err = add_flag(&fl, F_NS, "--namespace", optarg);
			break;
		case O_POL:
			err = add_flag(&fl, F_POL, "--policy-names", optarg);
			break;
		case 'f':
		case 'F':
			err = fields_flag(&p, c == 'f', c == 'f' ? "--include-fields" : "--exclude-fields", optarg);
			break;
		case O_TS:
			p.copt.timestamps = true;
			break;
		case O_COLOR:
			if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never")) {
				out_error("getevents: unknown --color '%s' (expected auto, always or never)", optarg);
				return 2;
			}
			color = optarg;
			break;
		case O_ANC:
			r.ancestors = true;
			agent_only = "--ancestors";
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
			agent_only = "--socket";
			break;
		case O_STATUS:
			r.op = REQ_STATUS;
			agent_only = "--status";
			break;
		case O_STORE:
			store = optarg;
			break;
		case O_SINCE:
		case O_UNTIL:
			range = c == O_SINCE ? "--since" : "--until";
			if (time_flag(range, optarg, c == O_SINCE ? &since : &until))
				return 2;
			until_set |= c == O_UNTIL;
			break;
		default:
			if ((err = cmd_opt_rest(c, usage)) != CMD_NEXT)
				return err;
			err = 0;
		}
	}
	if (err)
		return 2;
	if ((err = cmd_no_args("getevents", argc, argv)))
		return err;
	if (range && !store) {
		out_error("getevents: %s: only with --from-store (an agent streams what happens from now on)", range);
		return 2;
	}
	if (store && agent_only) {
		out_error("getevents: %s: not with --from-store (it is for a running agent)", agent_only);
		return 2;
	}
	if (store && since && until && since >= until) {
		out_error("getevents: --since is not before --until: no event can be in between");
		return 2;
	}
	if (until_set && !until)
		until = -1; /* the epoch itself: 0 would mean no bound */
	if (store && !store[0]) {
		out_error("getevents: --from-store: an empty path");
		return 2;
	}
	p.nfields = p.fields[1].n ? 2 : p.fields[0].n ? 1 : 0;
	if (p.nfields == 2 && !p.fields[0].n)
		p.fields[0].include = false; /* no -f: an empty exclude, a no-op */
	/* Tetragon's colour rule (fatih/color): a terminal, not TERM=dumb, no NO_COLOR */
	p.copt.color = !strcmp(color, "always") ||
		       (!strcmp(color, "auto") && isatty(1) && !(term && !strcmp(term, "dumb")) &&
			!(getenv("NO_COLOR") && getenv("NO_COLOR")[0]));
	flags_json(&fl, r.filter_json, sizeof(r.filter_json));
	if (r.filter_json[0]) {
		/* one parser for the agent and for us: the JSON the agent gets */
		if (jr_parse(r.filter_json, &obj) || filter_parse_obj(&obj, &p.match, why, sizeof(why))) {
			out_error("getevents: %s", why);
			jr_free(&obj);
			return 2;
		}
		jr_free(&obj);
		p.filter.allow = &p.match;
		p.filter.nallow = 1;
	}
	jw_init(&p.w);
	/* as tetra: a file or a pipe on stdin is an export to print */
	if (store)
		err = from_store(&p, store, since, until, count);
	else if (r.op == REQ_GETEVENTS && !fstat(0, &st) && !S_ISCHR(st.st_mode))
		err = from_stdin(&p, count);
	else
		err = from_agent(&p, &r, sock, count);
	jw_free(&p.w);
	filter_matches_free(&p.match, p.filter.nallow);
	return err;
}
