/* veto agent: observe processes, export events, serve getevents clients. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/http.h"
#include "agent/protect.h"
#include "cmd/cmd.h"
#include "load/pin.h"
#include "util/out.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: veto agent [OPTIONS]\n"
		"Runs in the foreground: observes every process start and exit, enforces\n"
		"the policies given, exports events as JSON lines (Tetragon's field names)\n"
		"and serves `veto getevents`.\n"
		"Logs go to stderr; a line with 'ready' says every sensor is attached.\n\n"
		"  --policy FILE|DIR       load TracingPolicy files (a folder: its *.yaml, *.yml), all or\n"
		"                          nothing; repeatable; not re-read\n"
		"  --policy-dir DIR        the policy folder (default %s, which may be\n"
		"                          missing): its *.yaml, *.yml loaded at start and again on\n"
		"                          SIGHUP, each file whole or not at all\n"
		"  --export-file PATH      write events to PATH instead of stdout\n"
		"  --export-max-size MB    rotate the export file at this size (default 10, 0: never)\n"
		"  --export-backups N      rotated files kept: PATH.1 .. PATH.N (default 5)\n"
		"  -o, --output json|compact  stdout format (default json)\n"
		"  --export-allowlist JSON export only events matching one of these Tetragon Filter\n"
		"                          objects (one per line: {\"event_set\":[\"PROCESS_LSM\"]}, ...)\n"
		"  --export-denylist JSON  never export events matching one of these (wins)\n"
		"  --field-filters JSON    Tetragon FieldFilter objects, one per line, applied to the\n"
		"                          export: {\"fields\":\"process.binary\",\"action\":\"INCLUDE\"}\n"
		"  --ancestors             exec events carry every ancestor, not only the parent\n"
		"  --socket PATH           control socket (default %s)\n"
		"  --lock-file PATH        one agent per node holds it (default %s)\n"
		"  --node-name NAME        node name in events and exec_ids (default: host name)\n"
		"  --ringbuf-mb N          ring buffer size, a power of two (default 8)\n"
		"  --record FILE           also append the raw records to FILE (for benchmarks)\n"
		"  --bpf-dir DIR           pin folder on the BPF file system (default %s): each\n"
		"                          policy stays in force after a crash or kill -9, and the next\n"
		"                          agent adopts it\n"
		"  --keep-enforcing        SIGINT/SIGTERM leave the policies pinned, in force (by default\n"
		"                          a graceful stop unloads them; `veto reset` removes them)\n"
		"  --metrics-address HOST:PORT  serve Prometheus metrics at http://HOST:PORT/metrics\n"
		"                          ([IPV6]:PORT; :PORT: every interface; '': none; default %s)\n"
		"  --walk-every-path       resolve a file's path at every call; by default a path\n"
		"                          that rules out every selector is remembered per inode\n"
		"  --allow-signals-from LIST  who may signal the agent while it protects itself:\n"
		"                          pids and 'parent' (its unit manager), comma-separated,\n"
		"                          or 'none' (default: parent,1: systemd, or the shell\n"
		"                          that started it, and init)\n"
		"  --no-protect            no self-protection: by default (where BPF LSM works) no\n"
		"                          other process, root included, kills, stops or traces the\n"
		"                          agent, or detaches or writes its BPF programs and maps\n"
		"  -v, --verbose           show libbpf's messages\n"
		"SIGHUP re-reads the policy folder (added, changed, removed files; a broken\n"
		"file keeps its running version) and reopens the export file.\n"
		"Policies change at runtime with `veto tracingpolicy` (see its --help).\n",
		AGENT_DEFAULT_POLICY_DIR, AGENT_DEFAULT_SOCKET, AGENT_DEFAULT_LOCK, PIN_DEFAULT_DIR, HTTP_DEFAULT_ADDRESS);
}

static int parse_u64(const char *s, unsigned long long max, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	if (!*s || *end || errno || *v > max || s[0] == '-')
		return -EINVAL;
	return 0;
}

/* --export-allowlist, --export-denylist, --field-filters: parsed now, so a
 * bad filter stops the agent before it starts, with the line at fault.
 * which: 0 allowlist, 1 denylist, 2 field filters. */
static int export_filter_flag(struct agent_opts *o, int which, const char *arg)
{
	static const char *const names[] = { "--export-allowlist", "--export-denylist", "--field-filters" };
	struct ev_filter *f = &o->export_filter;
	const char *name = names[which];
	char err[400];
	int rc;

	if (which == 2)
		rc = fields_parse_lines(arg, &o->field_filters, &o->n_field_filters, err, sizeof(err));
	else if (which == 0)
		rc = filter_parse_lines(arg, &f->allow, &f->nallow, err, sizeof(err));
	else
		rc = filter_parse_lines(arg, &f->deny, &f->ndeny, err, sizeof(err));
	if (rc == -ENOMEM)
		snprintf(err, sizeof(err), "out of memory");
	if (rc)
		out_error("agent: %s:%s", name, err);
	return rc;
}

int cmd_agent(int argc, char **argv)
{
	enum { O_EXPORT = 256, O_MAXSIZE, O_BACKUPS, O_SOCKET, O_NODE, O_RINGBUF, O_RECORD, O_ANC, O_POLICY, O_WALK, O_LOCK, O_BPFDIR, O_KEEP,
	       O_POLICY_DIR, O_METRICS, O_NOPROT, O_SIGNALS };
	enum { O_ALLOW = 512, O_DENY, O_FIELDS }; /* the export's filters */
	static const struct option opts[] = {
		{ "export-file", required_argument, NULL, O_EXPORT },
		{ "export-max-size", required_argument, NULL, O_MAXSIZE },
		{ "export-backups", required_argument, NULL, O_BACKUPS },
		{ "output", required_argument, NULL, 'o' },
		{ "ancestors", no_argument, NULL, O_ANC },
		{ "socket", required_argument, NULL, O_SOCKET },
		{ "lock-file", required_argument, NULL, O_LOCK },
		{ "node-name", required_argument, NULL, O_NODE },
		{ "ringbuf-mb", required_argument, NULL, O_RINGBUF },
		{ "record", required_argument, NULL, O_RECORD },
		{ "policy", required_argument, NULL, O_POLICY },
		{ "policy-dir", required_argument, NULL, O_POLICY_DIR },
		{ "walk-every-path", no_argument, NULL, O_WALK },
		{ "bpf-dir", required_argument, NULL, O_BPFDIR },
		{ "keep-enforcing", no_argument, NULL, O_KEEP },
		{ "metrics-address", required_argument, NULL, O_METRICS },
		{ "no-protect", no_argument, NULL, O_NOPROT },
		{ "allow-signals-from", required_argument, NULL, O_SIGNALS },
		{ "export-allowlist", required_argument, NULL, O_ALLOW },
		{ "export-denylist", required_argument, NULL, O_DENY },
		{ "field-filters", required_argument, NULL, O_FIELDS },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct agent_opts o = {
		.export_max_bytes = 10ull << 20,
		.export_backups = 5,
		.socket_path = AGENT_DEFAULT_SOCKET,
		.lock_file = AGENT_DEFAULT_LOCK,
		.bpf_dir = PIN_DEFAULT_DIR,
		.policy_dir = AGENT_DEFAULT_POLICY_DIR,
		.metrics_address = HTTP_DEFAULT_ADDRESS,
	};
	static const char *policies[64];
	const char *signallers = "parent,1";
	unsigned long long v;
	int c, err;

	while ((c = getopt_long(argc, argv, "o:vh", opts, NULL)) != -1) {
		switch (c) {
		case O_EXPORT:
			o.export_file = optarg;
			break;
		case O_MAXSIZE:
			if (parse_u64(optarg, 1 << 20, &v)) {
				out_error("agent: bad --export-max-size '%s' (MB, 0 .. 1048576)", optarg);
				return 2;
			}
			o.export_max_bytes = v << 20;
			break;
		case O_BACKUPS:
			if (parse_u64(optarg, 1000, &v)) {
				out_error("agent: bad --export-backups '%s' (0 .. 1000)", optarg);
				return 2;
			}
			o.export_backups = v;
			break;
		case 'o':
			if (!strcmp(optarg, "compact")) {
				o.compact = true;
			} else if (strcmp(optarg, "json")) {
				out_error("agent: unknown output format '%s' (expected json or compact)", optarg);
				return 2;
			}
			break;
		case O_ANC:
			o.ancestors = true;
			break;
		case O_WALK:
			o.walk_every_path = true;
			break;
		case O_BPFDIR:
			if (optarg[0] != '/') {
				out_error("agent: bad --bpf-dir '%s' (an absolute path on a BPF file system)", optarg);
				return 2;
			}
			o.bpf_dir = optarg;
			break;
		case O_KEEP:
			o.keep_enforcing = true;
			break;
		case O_SOCKET:
			o.socket_path = optarg;
			break;
		case O_LOCK:
			o.lock_file = optarg;
			break;
		case O_NODE:
			o.node_name = optarg;
			break;
		case O_RINGBUF:
			if (parse_u64(optarg, 1024, &v) || !v || (v & (v - 1))) {
				out_error("agent: bad --ringbuf-mb '%s' (a power of two, 1 .. 1024)", optarg);
				return 2;
			}
			o.ringbuf_bytes = v << 20;
			break;
		case O_METRICS:
			if (*optarg) {
				struct sockaddr_storage ss;
				socklen_t len;
				char why[320];

				if (http_parse_address(optarg, &ss, &len, why, sizeof(why))) {
					out_error("agent: bad --metrics-address %s", why);
					return 2;
				}
			}
			o.metrics_address = optarg;
			break;
		case O_RECORD:
			o.record_file = optarg;
			break;
		case O_POLICY_DIR:
			o.policy_dir = optarg;
			o.policy_dir_given = true;
			break;
		case O_POLICY:
			if (o.n_policies == sizeof(policies) / sizeof(policies[0])) {
				out_error("agent: more than 64 --policy options: put the files in a folder");
				return 2;
			}
			policies[o.n_policies++] = optarg;
			o.policies = policies;
			break;
		case O_NOPROT:
			o.no_protect = true;
			break;
		case O_SIGNALS:
			signallers = optarg;
			break;
		case O_ALLOW:
		case O_DENY:
		case O_FIELDS:
			if (export_filter_flag(&o, c - O_ALLOW, optarg))
				return 2;
			break;
		default:
			if ((err = cmd_opt_rest(c, usage)) != CMD_NEXT)
				return err;
		}
	}
	if ((err = cmd_no_args("agent", argc, argv)))
		return err;
	err = protect_parse_signallers(signallers, (uint32_t)getppid(), o.signallers, GUARD_MAX_SIGNALLERS,
				       &o.n_signallers);
	if (err) {
		out_error("agent: bad --allow-signals-from '%s' (%s)", signallers,
			  err == -E2BIG ? "at most 8 processes" : "pids and 'parent', comma-separated, or 'none'");
		return 2;
	}
	if (geteuid() != 0) {
		out_error("agent: needs root (to load BPF programs and own the control socket)");
		return 1;
	}
	return agent_run(&o) ? 1 : 0;
}
