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
#include "events/encode.h"
#include "events/redact.h"
#include "load/pin.h"
#include "util/duration.h"
#include "util/out.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: veto agent [OPTIONS]\n"
		"Runs in the foreground: observes every process start and exit, enforces\n"
		"the policies given, exports events as JSON lines (Tetragon's field names)\n"
		"and serves `veto getevents`.\n"
		"Logs go to stderr; a line with 'ready' says every sensor is attached.\n\n"
		"  --policy, --tracing-policy FILE|DIR  load TracingPolicy files (a folder: its *.yaml,\n"
		"                          *.yml), all or nothing; repeatable; not re-read\n"
		"  --policy-dir, --tracing-policy-dir DIR  the policy folder (default %s,\n"
		"                          which may be missing; Tetragon's is /etc/tetragon/tetragon.tp.d):\n"
		"                          its *.yaml, *.yml loaded at start and again on SIGHUP, each\n"
		"                          file whole or not at all\n"
		"  --export-file, --export-filename PATH  write events to PATH instead of stdout\n"
		"  --export-max-size, --export-file-max-size-mb MB  rotate the export file at this size\n"
		"                          (default 10; 0: never, where Tetragon takes 0 for 100)\n"
		"  --export-backups, --export-file-max-backups N  rotated files kept: PATH.1 .. PATH.N\n"
		"                          (default 5; 0: none, where Tetragon keeps all: a bound on disk use)\n"
		"  --export-file-compress  gzip the rotated files (PATH.1.gz .. PATH.N.gz), on a thread of\n"
		"                          their own\n"
		"  --export-file-rotation-interval DURATION  rotate this often too (Go syntax: 1h30m, 90s;\n"
		"                          default 0: by size only; at least 1s; an empty file is not rotated)\n"
		"  --process-cache-size N  running processes held at most (default %u): past it one is\n"
		"                          forgotten (counted, logged) and its later events say miss\n"
		"  --redaction-filters JSON  Tetragon's RedactionFilter objects, one or more: each\n"
		"                          `redact` regex's capture groups become ***** in process\n"
		"                          arguments before any sink sees them; `binary_regex` limits a\n"
		"                          filter to the binaries it matches\n"
		"  -o, --output json|compact  stdout format (default json)\n"
		"  --ancestors             exec and exit events list every ancestor, not only the\n"
		"                          parent (--enable-ancestors base)\n"
		"  --enable-ancestors LIST  events listing every ancestor, comma-separated: base\n"
		"                          (process_exec, process_exit; needed by the others), kprobe,\n"
		"                          tracepoint, lsm\n"
		"  --enable-process-cred   processes carry process_credentials and cap\n"
		"  --enable-process-ns     processes carry ns (their namespaces)\n"
		"  --export-veto           the export's policy events carry a \"veto\" key: what\n"
		"                          enforcement did (by default every line is a plain\n"
		"                          Tetragon event; getevents clients always get it)\n"
		"  --export-allowlist JSON export only events matching one of these Tetragon Filter\n"
		"                          objects (one per line: {\"event_set\":[\"PROCESS_LSM\"]}, ...)\n"
		"  --export-denylist JSON  never export events matching one of these (wins)\n"
		"  --field-filters JSON    Tetragon FieldFilter objects, one per line, applied to the\n"
		"                          export: {\"fields\":\"process.binary\",\"action\":\"INCLUDE\"}\n"
		"  --store PATH            also write every event into the event store at PATH (SQLite,\n"
		"                          created if missing; docs/store.md), for getevents --from-store,\n"
		"                          lineage and policy simulate; a separate thread writes it\n"
		"  --store-queue-size MB   events waiting for the store at most (default 64; past it they\n"
		"                          are dropped and counted)\n"
		"  --store-max-age DURATION  delete stored events older than this while running (Go\n"
		"                          syntax: 168h, 30m; default 0: keep)\n"
		"  --store-max-size MB     delete the oldest stored events while the store is bigger\n"
		"                          (default 0: no bound)\n"
		"  --socket PATH           control socket (default %s)\n"
		"  --lock-file PATH        one agent per node holds it (default %s)\n"
		"  --node-name NAME        node name in events and exec_ids (default: $HUBBLE_NODE_NAME,\n"
		"                          else $NODE_NAME, as Tetragon, else the host name; at most 64 bytes)\n"
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
		AGENT_DEFAULT_POLICY_DIR, AGENT_DEFAULT_CACHE_SIZE, AGENT_DEFAULT_SOCKET, AGENT_DEFAULT_LOCK, PIN_DEFAULT_DIR, HTTP_DEFAULT_ADDRESS);
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

/* Go's bool flag syntax: --flag, --flag=true, --flag=false. */
static int parse_bool(const char *flag, const char *arg, bool *v)
{
	static const char *const yes[] = { "true", "1", "t", "T", "TRUE", "True" };
	static const char *const no[] = { "false", "0", "f", "F", "FALSE", "False" };

	*v = true;
	if (!arg)
		return 0;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(arg, yes[i]))
			return 0;
		if (!strcmp(arg, no[i])) {
			*v = false;
			return 0;
		}
	}
	out_error("agent: bad --%s=%s (true or false)", flag, arg);
	return -EINVAL;
}

static int parse_interval(const char *flag, const char *arg, uint64_t *ns)
{
	char why[320];

	if (duration_parse(arg, ns, why, sizeof(why))) {
		out_error("agent: bad --%s: %s (a duration such as 1h30m, 90s; 0: off)", flag, why);
		return 2;
	}
	if (*ns && *ns < 1000000000ull) {
		out_error("agent: bad --%s '%s': at least 1s (the agent checks it once a second), or 0", flag, arg);
		return 2;
	}
	return 0;
}

/* The node name goes whole into every exec_id: one that does not fit is
 * refused, wherever it comes from, instead of cut. */
static int check_node_name(const char *given)
{
	const char *src[] = { "--node-name", "HUBBLE_NODE_NAME", "NODE_NAME" };
	const char *v[] = { given, getenv("HUBBLE_NODE_NAME"), getenv("NODE_NAME") };

	for (size_t i = 0; i < 3; i++) {
		if (!v[i] || (i && !*v[i]))
			continue;
		if (!*v[i] || strlen(v[i]) > AGENT_NODE_NAME_MAX) {
			out_error("agent: bad node name from %s '%s' (1 .. %d bytes)", src[i], v[i], AGENT_NODE_NAME_MAX);
			return 2;
		}
		return 0; /* the first one given is the one used */
	}
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
	       O_POLICY_DIR, O_METRICS, O_NOPROT, O_SIGNALS,
	       O_ROTATE_EVERY, O_COMPRESS, O_CACHE_SIZE, O_REDACT };
	enum { O_ENABLE_ANC = 512, O_CRED, O_NS, O_EXPORT_VETO };
	enum { O_ALLOW = 768, O_DENY, O_FIELDS }; /* the export's filters */
	enum { O_STORE = 1024, O_STORE_QUEUE, O_STORE_AGE, O_STORE_SIZE };
	static const struct option opts[] = {
		{ "export-file", required_argument, NULL, O_EXPORT },
		{ "export-max-size", required_argument, NULL, O_MAXSIZE },
		{ "export-backups", required_argument, NULL, O_BACKUPS },
		{ "output", required_argument, NULL, 'o' },
		{ "ancestors", no_argument, NULL, O_ANC },
		{ "enable-ancestors", required_argument, NULL, O_ENABLE_ANC },
		{ "enable-process-cred", no_argument, NULL, O_CRED },
		{ "enable-process-ns", no_argument, NULL, O_NS },
		{ "export-veto", no_argument, NULL, O_EXPORT_VETO },
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
		/* Tetragon's names: the first five are the same options as above */
		{ "export-filename", required_argument, NULL, O_EXPORT },
		{ "export-file-max-size-mb", required_argument, NULL, O_MAXSIZE },
		{ "export-file-max-backups", required_argument, NULL, O_BACKUPS },
		{ "tracing-policy", required_argument, NULL, O_POLICY },
		{ "tracing-policy-dir", required_argument, NULL, O_POLICY_DIR },
		{ "export-file-rotation-interval", required_argument, NULL, O_ROTATE_EVERY },
		{ "export-file-compress", optional_argument, NULL, O_COMPRESS },
		{ "process-cache-size", required_argument, NULL, O_CACHE_SIZE },
		{ "redaction-filters", required_argument, NULL, O_REDACT },
		{ "export-allowlist", required_argument, NULL, O_ALLOW },
		{ "export-denylist", required_argument, NULL, O_DENY },
		{ "field-filters", required_argument, NULL, O_FIELDS },
		{ "store", required_argument, NULL, O_STORE },
		{ "store-queue-size", required_argument, NULL, O_STORE_QUEUE },
		{ "store-max-age", required_argument, NULL, O_STORE_AGE },
		{ "store-max-size", required_argument, NULL, O_STORE_SIZE },
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
		.process_cache_size = AGENT_DEFAULT_CACHE_SIZE,
	};
	static const char *policies[64];
	const char *signallers = "parent,1";
	unsigned long long v;
	char why[512];
	int c, err, at = 0;

	while ((c = getopt_long(argc, argv, "o:vh", opts, &at)) != -1) {
		const char *flag = opts[at].name; /* as spelt: the alias or not */

		switch (c) {
		case O_EXPORT:
			o.export_file = optarg;
			break;
		case O_MAXSIZE:
			if (parse_u64(optarg, 1 << 20, &v)) {
				out_error("agent: bad --%s '%s' (MB, 0 .. 1048576)", flag, optarg);
				return 2;
			}
			o.export_max_bytes = v << 20;
			break;
		case O_BACKUPS:
			if (parse_u64(optarg, 1000, &v)) {
				out_error("agent: bad --%s '%s' (0 .. 1000)", flag, optarg);
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
			o.ancestors |= ENC_ANC_BASE;
			break;
		case O_ENABLE_ANC: {
			const char *bad;
			uint32_t kinds;

			err = enc_ancestors_parse(optarg, &kinds, &bad);
			if (err == -ENOENT) {
				out_error("agent: bad --enable-ancestors '%s': unknown type '%.*s' (base, kprobe, "
					  "tracepoint, lsm, comma-separated)", optarg, (int)strcspn(bad, ","), bad);
				return 2;
			}
			if (err) {
				out_error("agent: bad --enable-ancestors '%s': the other types need base", optarg);
				return 2;
			}
			o.ancestors |= kinds;
			break;
		}
		case O_CRED:
			o.process_cred = true;
			break;
		case O_NS:
			o.process_ns = true;
			break;
		case O_EXPORT_VETO:
			o.export_veto = true;
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
		case O_ROTATE_EVERY:
			if ((err = parse_interval(flag, optarg, &o.export_rotation_ns)))
				return err;
			break;
		case O_COMPRESS:
			if (parse_bool(flag, optarg, &o.export_compress))
				return 2;
			break;
		case O_REDACT:
			if (o.redact) {
				out_error("agent: --%s given twice: put every filter in one value", flag);
				return 2;
			}
			err = redact_parse(&o.redact, optarg, why, sizeof(why));
			if (err) {
				out_error("agent: bad --%s: %s", flag, err == -ENOMEM ? strerror(ENOMEM) : why);
				return 2;
			}
			break;
		case O_CACHE_SIZE:
			if (parse_u64(optarg, AGENT_MAX_CACHE_SIZE, &v) || !v) {
				out_error("agent: bad --%s '%s' (processes, 1 .. %u)", flag, optarg, AGENT_MAX_CACHE_SIZE);
				return 2;
			}
			o.process_cache_size = v;
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
		case O_STORE:
			if (!*optarg) {
				out_error("agent: bad --store '': a path to the store's file");
				return 2;
			}
			o.store_path = optarg;
			break;
		case O_STORE_QUEUE:
			if (parse_u64(optarg, 4096, &v) || !v) {
				out_error("agent: bad --%s '%s' (MB, 1 .. 4096)", flag, optarg);
				return 2;
			}
			o.store_queue_bytes = v << 20;
			break;
		case O_STORE_AGE:
			if ((err = parse_interval(flag, optarg, &o.store_max_age_ns)))
				return err;
			break;
		case O_STORE_SIZE:
			if (parse_u64(optarg, 1 << 20, &v)) {
				out_error("agent: bad --%s '%s' (MB, 0 .. 1048576; 0: no bound)", flag, optarg);
				return 2;
			}
			o.store_max_bytes = v << 20;
			break;
		default:
			if ((err = cmd_opt_rest(c, usage)) != CMD_NEXT)
				return err;
		}
	}
	if ((err = cmd_no_args("agent", argc, argv)) || (err = check_node_name(o.node_name)))
		return err;
	if (!o.store_path && (o.store_queue_bytes || o.store_max_age_ns || o.store_max_bytes)) {
		out_error("agent: --store-queue-size, --store-max-age and --store-max-size need --store PATH");
		return 2;
	}
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
	err = agent_run(&o) ? 1 : 0;
	redact_free(o.redact);
	return err;
}
