/* `veto agent`: the event loop (sensor -> pipeline -> sinks) and the control
 * socket. It logs to stderr: it is the command's main loop. */
#ifndef VETO_AGENT_H
#define VETO_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/guard.h"
#include "events/fields.h"
#include "events/filter.h"

struct redactor;

#define AGENT_DEFAULT_SOCKET "/run/veto/veto.sock"
#define AGENT_DEFAULT_LOCK "/run/veto/agent.lock"
#define AGENT_DEFAULT_POLICY_DIR "/etc/veto/policies.d"
#define AGENT_DEFAULT_CACHE_SIZE 65536 /* Tetragon's --process-cache-size */
#define AGENT_MAX_CACHE_SIZE 4194304u   /* the kernel's largest pid_max */
#define AGENT_NODE_NAME_MAX 64          /* HOST_NAME_MAX: what exec_ids hold */

struct agent_opts {
	const char *export_file;   /* NULL: stdout */
	uint64_t export_max_bytes; /* rotate at this size (0: never) */
	int export_backups;
	bool compact;              /* stdout in the compact format */
	uint32_t ancestors;        /* --enable-ancestors: kinds (1u << EV_*) listing `ancestors` */
	bool walk_every_path;      /* no remembered path verdicts (see compile_env) */
	const char *socket_path;
	const char *lock_file;     /* one agent per node holds it */
	const char *node_name;     /* NULL: the host name */
	size_t ringbuf_bytes;      /* 0: default */
	const char *record_file;   /* raw records are appended here (benchmarks) */
	const char *metrics_address; /* HOST:PORT of GET /metrics; NULL or "": none */
	const char *const *policies; /* policy files or folders, loaded at start */
	size_t n_policies;
	const char *policy_dir;      /* read at start and on SIGHUP */
	bool policy_dir_given;       /* --policy-dir: a missing folder is an error */
	const char *bpf_dir;       /* the pin folder (load/pin.h) */
	bool keep_enforcing;       /* a graceful stop leaves the pinned policies in force */
	bool no_protect;           /* no self-protection (guard) */
	uint32_t signallers[GUARD_MAX_SIGNALLERS]; /* pids allowed to signal the agent */
	size_t n_signallers;
	bool process_cred;         /* --enable-process-cred: process_credentials and cap */
	bool process_ns;           /* --enable-process-ns: ns */
	bool export_veto;          /* --export-veto: the export's policy events carry "veto" */
	/* Tetragon's export and cache flags */
	uint64_t export_rotation_ns; /* rotate the export file this often too (0: never) */
	bool export_compress;        /* gzip the rotated export files */
	size_t process_cache_size;   /* running processes held at most (0: no bound) */
	struct redactor *redact;     /* secrets taken out of arguments (NULL: none) */
	struct ev_filter export_filter;      /* --export-allowlist, --export-denylist */
	struct field_filter *field_filters;  /* --field-filters, applied to the export */
	size_t n_field_filters;
	/* --store: the event store (sinks/store.h); NULL: none */
	const char *store_path;
	uint64_t store_queue_bytes;  /* 0: the default */
	uint64_t store_max_age_ns;   /* retention (0: none) */
	uint64_t store_max_bytes;
};

/* The node name of events and exec_ids: --node-name, else HUBBLE_NODE_NAME,
 * else NODE_NAME (as Tetragon), else the host name. *from says which. */
void agent_node_name(const struct agent_opts *o, char *out, size_t n, const char **from);

/* Runs until SIGINT/SIGTERM (SIGHUP re-reads the policy folder and reopens
 * the export file), which unload the policies (unless keep_enforcing); any
 * other end leaves them pinned, in force. Returns 0 after a clean stop, or -errno when it
 * could not start (the reason was printed). */
int agent_run(const struct agent_opts *o);

#endif
