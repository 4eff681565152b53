/* load: the running set of named policies, changed while the agent runs.
 * Every change is whole or nothing: a new policy is parsed, checked,
 * compiled, loaded and attached before anything running changes, and a
 * failure leaves the set as it was with the reason in the caller's buffer.
 * Policy ids index the decoder's metadata (events/meta.h); an id is given
 * again only after its instance is detached and the ring drained (and ids
 * go round the table), so a record never decodes against another policy. Single-threaded: the agent's
 * loop calls it. */
#ifndef VETO_LOAD_REGISTRY_H
#define VETO_LOAD_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compile/compile.h"
#include "events/meta.h"
#include "load/engine.h"
#include "load/guard.h"
#include "load/pin.h"
#include "policy/policy.h"

#define REG_MAX_POLICIES 256       /* policy ids 0 .. 255 */
#define REG_MAX_TEXT     (1u << 20) /* one policy file or request body */
#define REG_LOST_KINDS   2         /* enum veto_lost */

enum reg_origin { REG_DIR, REG_FILE, REG_SOCKET };
enum reg_state { REG_ENABLED, REG_DISABLED, REG_LOAD_ERROR };
/* The mode a change asks for: the policy's own, or one forced. */
enum reg_mode { REG_MODE_POLICY, REG_MODE_ENFORCE, REG_MODE_MONITOR };

struct reg_entry {
	char *name;
	enum reg_origin origin;
	char *source;            /* the file, or the name the client gave */
	char *text;              /* a folder's file as loaded, to see changes ("" otherwise) */
	size_t text_len;
	enum reg_state state;
	char *error;             /* load_error's reason (NULL otherwise) */
	bool monitor;
	bool has_policy;         /* ast and c hold it (not a file that never parsed) */
	struct pol_set ast;      /* this policy's document alone */
	struct compiled c;
	struct engine_policy *inst; /* loaded and attached; NULL when disabled */
	uint32_t id;             /* its policy id while inst */
	int64_t added;           /* CLOCK_REALTIME seconds */
	uint64_t base[VETO_STAT__COUNT]; /* counted by its earlier instances */
	struct reg_text *pin_src; /* a socket add's text, kept with its pins to restore it */
	struct guard_hold *held;  /* its objects and pins, protected while inst */
};

/* One add request's text, shared by the policies it added. */
struct reg_text {
	unsigned refs;
	size_t len;
	char data[];
};

struct registry {
	struct reg_entry **v;
	size_t n;
	struct compile_env env;
	int ringbuf_fd;
	/* reads every record the ring holds now: called between detaching an
	 * instance and giving its id again */
	void (*drain)(void *ctx);
	void *ctx;
	uint64_t lost_base[REG_LOST_KINDS]; /* lost by instances since unloaded */
	bool id_used[REG_MAX_POLICIES];
	uint32_t next_id;        /* where the search for a free id starts */
	struct ev_policy meta[REG_MAX_POLICIES]; /* by policy id: the decoder's table */
	const struct pin_root *pins; /* NULL: nothing pinned (policy try) */
	struct guard *guard;         /* NULL: no self-protection */
	struct pin_entry *pinned;    /* at start: what an earlier agent left, to adopt */
	size_t n_pinned;
};

void reg_init(struct registry *r, const uint32_t host_ns[VN__COUNT], bool walk_every_path, int ringbuf_fd,
	      void (*drain)(void *ctx), void *ctx);
/* Unloads and frees every policy (their pins go too). */
void reg_free(struct registry *r);
/* Frees the registry but leaves the pinned policies in force (a crash, or
 * a graceful stop with --keep-enforcing). */
void reg_release(struct registry *r);

/* From now on each instance is pinned under pins, or adopted from there
 * when an earlier agent left the same policy with the same id (load/pin.h).
 * Reads what is pinned now so that each name gets its pinned id back. */
int reg_use_pins(struct registry *r, const struct pin_root *pins);
/* From now on each instance's objects and pins are protected by g (load/
 * guard.h) from its load to its unload. */
void reg_use_guard(struct registry *r, struct guard *g);
/* After the start's policies: re-adds the policies added through the socket
 * that an earlier agent left pinned with their text (adopted as they run),
 * then removes every pinned instance no policy has. */
void reg_restore_pinned(struct registry *r);

/* Adds the policies of one file or request body (text, len; source names it
 * in diagnostics). From a file (origin REG_DIR or REG_FILE) the policies the
 * same file added before are replaced: the new ones attach first. A name
 * that another source has is refused. Problems go to d (file:line:col) and
 * the reason to err. added: the names, comma-separated (may be NULL).
 * 0 or -errno; on error nothing changed. */
int reg_add(struct registry *r, enum reg_origin origin, const char *source, const char *text, size_t len,
	    enum reg_mode mode, struct diag_list *d, char *err, size_t errlen, char *added, size_t addedlen);
/* Removes every policy that came from source (a folder's file gone). */
void reg_remove_source(struct registry *r, enum reg_origin origin, const char *source);
/* The verbs: 0, or -ENOENT (no such policy) or -errno, reason in err. */
int reg_delete(struct registry *r, const char *name, char *err, size_t errlen);
int reg_enable(struct registry *r, const char *name, char *err, size_t errlen);
int reg_disable(struct registry *r, const char *name, char *err, size_t errlen);
int reg_set_mode(struct registry *r, const char *name, bool monitor, char *err, size_t errlen);

struct reg_entry *reg_find(const struct registry *r, const char *name);
/* NPOST, NENFORCE, NMONITOR of an entry, its earlier instances included. */
void reg_stats(const struct reg_entry *e, uint64_t out[VETO_STAT__COUNT]);
/* What all loaded policies lost (enum veto_lost). */
uint64_t reg_lost(const struct registry *r, enum veto_lost what);
const char *reg_state_name(enum reg_state s);
const char *reg_origin_name(enum reg_origin o);

/* A folder's file that did not load: its policies keep running, marked
 * load_error with why; a file that never loaded gets an entry of its own
 * (named after the file) so that list shows it. 0 or -ENOMEM. */
int reg_note_error(struct registry *r, enum reg_origin origin, const char *source, const char *why);
/* Brings the policies of folder dir in line with its *.yaml and *.yml
 * files, each whole or not at all (see reg_add), and logs what changed and
 * what failed. missing_ok: a folder that does not exist holds no policy.
 * 0, or -errno when the folder cannot be read (nothing changed). */
int reg_sync_dir(struct registry *r, const char *dir, bool missing_ok);

/* The --policy files and folders at start (and policy try), each file as
 * reg_add, every file tried: problems in d, sorted. 0, or -errno with the
 * kernel's reason (if any) in err: then the caller unloads all. */
int reg_load_paths(struct registry *r, const char *const *paths, size_t n_paths, struct diag_list *d, char *err,
		   size_t errlen);
/* Logs d, one line each. */
void reg_log_diags(const struct diag_list *d);

/* Problems of d as one text, "file:line:col: error: message" per line. */
void reg_diag_text(const struct diag_list *d, char *out, size_t len);

#endif
