/* Enforcement that survives the agent: each policy instance pinned in a
 * BPF file system folder, adopted by the next agent when it is the same
 * policy, removed when no policy asks for it any more.
 *
 *   DIR/ring                     the ring buffer (src/events/ring.c)
 *   DIR/policies/ID-NAME/        one policy instance:
 *       link_NN, map_NAME        its links and maps (src/load/engine.c)
 *       state                    struct pin_state (an array map, 1 entry)
 *       source                   its YAML in PIN_CHUNK-byte entries, when given
 *
 *   DIR/policies/new-..., old-...  an instance being pinned, being replaced
 *
 * (The BPF file system refuses names with a dot.) DIR itself is flock()ed
 * by the agent that uses it. */
#ifndef VETO_LOAD_PIN_H
#define VETO_LOAD_PIN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compile/compile.h"
#include "load/engine.h"
#include "util/sha256.h"

#define PIN_DEFAULT_DIR "/sys/fs/bpf/veto"
#define PIN_POLICIES "policies" /* DIR/policies: the instances */
#define PIN_VERSION 1
#define PIN_CHUNK 4096
#define PIN_SOURCE_MAX (4u << 20)
#define PIN_NAME_MAX 256

enum pin_mode { PIN_ENFORCE, PIN_MONITOR };

/* The value of an instance's state map: what adoption compares. */
struct pin_state {
	uint32_t version;  /* PIN_VERSION */
	uint32_t id;       /* policy_id in the programs' rodata */
	uint32_t mode;     /* enum pin_mode */
	uint32_t src_len;  /* bytes of source (0: none) */
	uint64_t created;  /* CLOCK_REALTIME ns */
	uint8_t hash[SHA256_LEN]; /* pin_hash */
	char name[PIN_NAME_MAX];
};

struct pin_root {
	char dir[PATH_MAX / 2];
	int lockfd;
};

/* Prepares dir (see bpffs_prepare) and locks it: -EWOULDBLOCK when another
 * process (an agent) holds it. 0 or -errno, why in err. */
int pin_root_open(struct pin_root *r, const char *dir, char *err, size_t errlen);
/* Unlocks; remove, or no policy pinned: also the ring's pin and the
 * folders left empty. */
void pin_root_close(struct pin_root *r, bool remove);
/* DIR/ring, where the ring buffer is pinned. */
const char *pin_ring_path(const struct pin_root *r, char *buf, size_t n);

/* The fingerprint of what the kernel runs for c: the programs' object and
 * c's hooks and map entries, its mode left out. */
void pin_hash(const struct compiled *c, uint8_t out[SHA256_LEN]);
enum pin_mode pin_mode_of(const struct compiled *c);

enum pin_how {
	PIN_LOADED,   /* loaded and pinned */
	PIN_ADOPTED,  /* the pinned instance reopened: nothing loaded */
	PIN_REPLACED, /* loaded and pinned in place of a different pinned one */
	PIN_UNPINNED, /* loaded, but could not be pinned (see the log): ends with the agent */
};
const char *pin_how_name(enum pin_how how);

/* The adopt-or-load decision for one compiled policy with the policy id
 * id: the instance pinned for it is adopted when it is the same (version,
 * id, hash, its pins complete, its events to events_fd); otherwise c is
 * loaded and pinned, replacing that instance only once the new one is
 * attached (no moment without either). src (may be NULL): the YAML kept
 * with the pins, so a policy added at runtime can be read back. 0 or
 * -errno (nothing loaded, what was pinned as it was), why in err. */
int pin_policy(const struct pin_root *r, const struct compiled *c, uint32_t id, int events_fd, const char *src,
	       size_t src_len, struct engine_policy **out, enum pin_how *how, char *err, size_t errlen);
/* Records p's new mode in its state after a switch (set-mode): what
 * `veto reset --list` shows. 0 (also for an unpinned p) or -errno. */
int pin_set_mode(const struct engine_policy *p, enum pin_mode mode);
/* Removes every pinned instance but those of keep (n of them): what no
 * policy asks for any more. Logs each; returns how many went. */
int pin_prune(const struct pin_root *r, struct engine_policy *const *keep, size_t n);

/* One pinned instance, as pin_list reads it. */
struct pin_entry {
	char folder[PIN_NAME_MAX + 16]; /* under DIR/policies */
	bool valid;                     /* its state was read */
	struct pin_state st;
};
/* The instances pinned under dir, in name order; *v is malloc()ed. */
int pin_list(const char *dir, struct pin_entry **v, size_t *n);
/* An instance's stored YAML (malloc()ed, NUL-terminated), or -ENOENT. */
int pin_source(const char *dir, const char *folder, char **text, size_t *len);
/* Removes an instance's folder under dir; 0 or -errno. */
int pin_remove(const char *dir, const char *folder);

#endif
