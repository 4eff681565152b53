/* Pinned policy instances: the adopt-or-load decision, their state and
 * source, pruning, listing. The links and maps themselves: engine.c. */
#include "load/pin.h"

#include <bpf/bpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine.skel.h"
#include "load/bpffs.h"
#include "util/log.h"


#define NEW "new-"
#define OLD "old-"

int pin_root_open(struct pin_root *r, const char *dir, char *err, size_t errlen)
{
	char sub[PATH_MAX];
	int e;

	r->lockfd = -1;
	if (snprintf(r->dir, sizeof(r->dir), "%s", dir) >= (int)sizeof(r->dir)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -ENAMETOOLONG;
	}
	snprintf(sub, sizeof(sub), "%s/" PIN_POLICIES, dir);
	e = bpffs_prepare(dir, err, errlen);
	if (!e)
		e = bpffs_prepare(sub, err, errlen);
	if (e)
		return e;
	r->lockfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->lockfd < 0 || flock(r->lockfd, LOCK_EX | LOCK_NB)) {
		e = -errno;
		if (e == -EWOULDBLOCK)
			snprintf(err, errlen, "%s: another agent uses it (it holds its lock)", dir);
		else
			snprintf(err, errlen, "%s: %s", dir, strerror(-e));
		if (r->lockfd >= 0)
			close(r->lockfd);
		r->lockfd = -1;
		return e;
	}
	return 0;
}

void pin_root_close(struct pin_root *r, bool remove)
{
	char p[PATH_MAX];

	/* with no policy pinned the ring serves nobody either */
	snprintf(p, sizeof(p), "%s/" PIN_POLICIES, r->dir);
	if (r->lockfd >= 0 && (remove || bpffs_count(p, "") == 0)) {
		rmdir(p);
		unlink(pin_ring_path(r, p, sizeof(p)));
		rmdir(r->dir);
	}
	if (r->lockfd >= 0)
		close(r->lockfd);
	r->lockfd = -1;
}

const char *pin_ring_path(const struct pin_root *r, char *buf, size_t n)
{
	snprintf(buf, n, "%s/ring", r->dir);
	return buf;
}

enum pin_mode pin_mode_of(const struct compiled *c)
{
	return c->n_hooks && c->hooks[0].cfg.monitor ? PIN_MONITOR : PIN_ENFORCE;
}

static void add_str(struct sha256 *s, const char *str)
{
	uint32_t n = str ? (uint32_t)strlen(str) : 0;

	sha256_add(s, &n, sizeof(n));
	sha256_add(s, str ? str : "", n);
}

void pin_hash(const struct compiled *c, uint8_t out[SHA256_LEN])
{
	struct sha256 s;
	size_t elf_len;
	const void *elf = veto_engine__elf_bytes(&elf_len);
	uint32_t flags = c->n_follow | (uint32_t)c->follow_ns_pids << 24 | (uint32_t)compiled_reads_binaries(c) << 25 |
			 (uint32_t)compiled_has_lsm(c) << 26;

	sha256_init(&s);
	sha256_add(&s, elf, elf_len);
	sha256_add(&s, &flags, sizeof(flags));
	for (size_t i = 0; i < c->n_hooks; i++) {
		const struct c_hook *h = &c->hooks[i];
		struct veto_hook_cfg cfg = h->cfg;
		uint8_t top = c_hook_is_lsm(h) ? 0 : c_hook_word_top(h);

		cfg.monitor = 0; /* the mode is the state's, set on adoption */
		sha256_add(&s, &h->id, sizeof(h->id));
		add_str(&s, h->name);
		add_str(&s, h->attach);
		sha256_add(&s, &top, sizeof(top));
		sha256_add(&s, &cfg, sizeof(cfg));
	}
	for (size_t i = 0; i < c->n_strs; i++) {
		sha256_add(&s, &c->strs[i].key, sizeof(c->strs[i].key));
		sha256_add(&s, &c->strs[i].mask, sizeof(c->strs[i].mask));
	}
	for (size_t i = 0; i < c->n_nums; i++) {
		sha256_add(&s, &c->nums[i].key, sizeof(c->nums[i].key));
		sha256_add(&s, &c->nums[i].mask, sizeof(c->nums[i].mask));
	}
	for (size_t i = 0; i < c->n_addrs; i++) {
		sha256_add(&s, &c->addrs[i].key, sizeof(c->addrs[i].key));
		sha256_add(&s, &c->addrs[i].mask, sizeof(c->addrs[i].mask));
	}
	sha256_end(&s, out);
}

const char *pin_how_name(enum pin_how how)
{
	switch (how) {
	case PIN_LOADED:
		return "loaded and pinned";
	case PIN_ADOPTED:
		return "adopted the pinned instance";
	case PIN_REPLACED:
		return "loaded and pinned in place of a different pinned instance";
	case PIN_UNPINNED:
		return "loaded, not pinned";
	}
	return "?";
}

/* ID-NAME, the name's bytes outside [A-Za-z0-9_-] as '_' (the BPF file
 * system refuses names with a dot) */
static void folder_of(const struct compiled *c, uint32_t id, char *buf, size_t n)
{
	int o = snprintf(buf, n, "%u-", id);

	for (const char *s = c->src->name; *s && (size_t)o + 1 < n && o < 200; s++, o++) {
		char ch = *s;
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
			  ch == '_' || ch == '-';

		buf[o] = ok ? ch : '_';
	}
	buf[o] = '\0';
}

static int read_state(const char *dir, struct pin_state *st)
{
	char p[PATH_MAX];
	struct bpf_map_info info;
	uint32_t len = sizeof(info), key = 0;
	int fd, r = 0;

	snprintf(p, sizeof(p), "%s/state", dir);
	fd = bpf_obj_get(p);
	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		r = -errno;
	else if (info.type != BPF_MAP_TYPE_ARRAY || info.value_size != sizeof(*st) || info.max_entries != 1)
		r = -EPROTO;
	else if (bpf_map_lookup_elem(fd, &key, st))
		r = -errno;
	else if (st->version != PIN_VERSION)
		r = -EPROTO;
	close(fd);
	st->name[sizeof(st->name) - 1] = '\0';
	return r;
}

static int pin_new_map(const char *dir, const char *file, const char *name, uint32_t value_size, uint32_t n,
		       const void *values, bool freeze)
{
	char p[PATH_MAX];
	int fd, r = 0;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, name, sizeof(uint32_t), value_size, n, NULL);
	if (fd < 0)
		return fd;
	for (uint32_t k = 0; k < n && !r; k++)
		if (bpf_map_update_elem(fd, &k, (const char *)values + (size_t)k * value_size, BPF_ANY))
			r = -errno;
	if (!r && freeze && bpf_map_freeze(fd))
		r = -errno;
	if (!r && bpf_obj_pin(fd, p))
		r = -errno;
	close(fd);
	return r;
}

static int write_source(const char *dir, const char *src, size_t len)
{
	uint32_t n = (uint32_t)((len + PIN_CHUNK - 1) / PIN_CHUNK);
	char *buf = calloc(n, PIN_CHUNK);
	int r;

	if (!buf)
		return -ENOMEM;
	memcpy(buf, src, len);
	r = pin_new_map(dir, "source", "veto_pin_src", PIN_CHUNK, n, buf, true);
	free(buf);
	return r;
}

/* state last: an instance without one is incomplete, never adopted */
static int write_state(const char *dir, const struct pin_state *st, const char *src)
{
	int r = st->src_len ? write_source(dir, src, st->src_len) : 0;

	return r ? r : pin_new_map(dir, "state", "veto_pin_state", sizeof(*st), 1, st, false);
}

static int set_mode(const char *dir, uint32_t mode)
{
	char p[PATH_MAX];
	struct pin_state st;
	uint32_t key = 0;
	int fd, r = read_state(dir, &st);

	if (r)
		return r;
	st.mode = mode;
	snprintf(p, sizeof(p), "%s/state", dir);
	fd = bpf_obj_get(p);
	if (fd < 0)
		return -errno;
	r = bpf_map_update_elem(fd, &key, &st, BPF_ANY) ? -errno : 0;
	close(fd);
	return r;
}

int pin_set_mode(const struct engine_policy *p, enum pin_mode mode)
{
	const char *dir = engine_policy_dir(p);

	return dir ? set_mode(dir, mode) : 0;
}

static void make_state(struct pin_state *st, const struct compiled *c, uint32_t id, size_t src_len)
{
	struct timespec ts;

	memset(st, 0, sizeof(*st));
	clock_gettime(CLOCK_REALTIME, &ts);
	st->version = PIN_VERSION;
	st->id = id;
	st->mode = pin_mode_of(c);
	st->src_len = src_len <= PIN_SOURCE_MAX ? (uint32_t)src_len : 0;
	st->created = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	pin_hash(c, st->hash);
	snprintf(st->name, sizeof(st->name), "%s", c->src->name);
}

/* Why the instance in dir is not c's, or NULL when it may be adopted. */
static const char *differs(const char *dir, const struct pin_state *want, struct pin_state *have)
{
	int r = read_state(dir, have);

	if (r == -EPROTO)
		return "its state is of another format";
	if (r)
		return "it has no state (incomplete)";
	if (have->id != want->id)
		return "another policy id";
	if (memcmp(have->hash, want->hash, SHA256_LEN))
		return "the policy or veto's programs changed";
	return NULL;
}

/* Pins the loaded instance p in tmp, then moves tmp to dir in one rename:
 * a folder at dir is always complete. What was at dir is removed after. */
static int pin_fresh(const struct pin_root *r, struct engine_policy *p, const char *folder, const char *dir,
		     const struct pin_state *st, const char *src, bool *replaced, char *why, size_t whylen)
{
	char tmp[PATH_MAX], old[PATH_MAX];
	int e;

	snprintf(tmp, sizeof(tmp), "%s/" PIN_POLICIES "/" NEW "%s", r->dir, folder);
	snprintf(old, sizeof(old), "%s/" PIN_POLICIES "/" OLD "%s", r->dir, folder);
	bpffs_remove(tmp);
	if (mkdir(tmp, 0700)) {
		e = -errno;
		snprintf(why, whylen, "%s: %s", tmp, strerror(-e));
		return e;
	}
	e = engine_policy_pin(p, tmp, why, whylen);
	if (!e && (e = write_state(tmp, st, src)))
		snprintf(why, whylen, "its state: %s", strerror(-e));
	*replaced = bpffs_exists(dir);
	if (!e && *replaced) {
		bpffs_remove(old);
		if (rename(dir, old))
			e = -errno;
	}
	if (!e && rename(tmp, dir)) {
		e = -errno;
		if (*replaced)
			rename(old, dir);
	}
	if (e) {
		if (!why[0])
			snprintf(why, whylen, "moving it to %s: %s", dir, strerror(-e));
		engine_policy_moved(p, NULL);
		bpffs_remove(tmp);
		return e;
	}
	if (*replaced)
		bpffs_remove(old); /* the old links go: the new ones are attached */
	return engine_policy_moved(p, dir);
}

int pin_policy(const struct pin_root *r, const struct compiled *c, uint32_t id, int events_fd, const char *src,
	       size_t src_len, struct engine_policy **out, enum pin_how *how, char *err, size_t errlen)
{
	char folder[PIN_NAME_MAX + 16], dir[PATH_MAX], why[512] = "";
	struct pin_state want, have;
	const char *diff;
	bool replaced = false;
	int e;

	make_state(&want, c, id, src ? src_len : 0);
	if (src && src_len > PIN_SOURCE_MAX)
		logmsg("Warning: policy %s: its source (%zu bytes) is not kept with its pins (at most %u)",
		       c->src->name, src_len, PIN_SOURCE_MAX);
	folder_of(c, id, folder, sizeof(folder));
	snprintf(dir, sizeof(dir), "%s/" PIN_POLICIES "/%s", r->dir, folder);
	if (bpffs_exists(dir)) {
		diff = differs(dir, &want, &have);
		if (!diff) {
			e = engine_policy_adopt(c, id, dir, events_fd, out, why, sizeof(why));
			if (!e) {
				if (have.mode != want.mode && set_mode(dir, want.mode))
					logmsg("Warning: policy %s: recording its mode in %s failed", c->src->name, dir);
				*how = PIN_ADOPTED;
				return 0;
			}
			diff = why;
		}
		logmsg("policy %s: the instance pinned in %s is not adopted (%s): loading the policy in its place",
		       c->src->name, dir, diff);
	}
	e = engine_policy_load(c, id, events_fd, out, err, errlen);
	if (e)
		return e;
	why[0] = '\0';
	e = pin_fresh(r, *out, folder, dir, &want, src, &replaced, why, sizeof(why));
	if (e) {
		logmsg("Warning: policy %s: not pinned (%s): it is in force while this agent runs only", c->src->name,
		       why);
		*how = PIN_UNPINNED;
		return 0;
	}
	*how = replaced ? PIN_REPLACED : PIN_LOADED;
	return 0;
}

static bool kept(const char *name, struct engine_policy *const *keep, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *d = keep[i] ? engine_policy_dir(keep[i]) : NULL;
		const char *base = d ? strrchr(d, '/') : NULL;

		if (base && !strcmp(base + 1, name))
			return true;
	}
	return false;
}

int pin_prune(const struct pin_root *r, struct engine_policy *const *keep, size_t n)
{
	char dir[PATH_MAX];
	struct pin_entry *v;
	size_t nv;
	int gone = 0;

	snprintf(dir, sizeof(dir), "%s", r->dir);
	if (pin_list(dir, &v, &nv))
		return 0;
	for (size_t i = 0; i < nv; i++) {
		int e;

		if (kept(v[i].folder, keep, n))
			continue;
		e = pin_remove(dir, v[i].folder);
		if (e)
			logmsg("Error: removing the pinned instance %s/" PIN_POLICIES "/%s: %s", dir, v[i].folder,
			       strerror(-e));
		else
			logmsg("removed the pinned instance %s (policy %s): no policy asks for it", v[i].folder,
			       v[i].valid ? v[i].st.name : "unknown: incomplete");
		gone += !e;
	}
	free(v);
	return gone;
}

static int by_folder(const void *a, const void *b)
{
	return strcmp(((const struct pin_entry *)a)->folder, ((const struct pin_entry *)b)->folder);
}

int pin_list(const char *dir, struct pin_entry **v, size_t *n)
{
	char p[PATH_MAX];
	struct dirent *e;
	DIR *d;
	size_t cap = 0;

	*v = NULL;
	*n = 0;
	snprintf(p, sizeof(p), "%s/" PIN_POLICIES, dir);
	d = opendir(p);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		struct pin_entry *x;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || strlen(e->d_name) >= sizeof(x->folder))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 8;
			x = realloc(*v, cap * sizeof(*x));
			if (!x) {
				closedir(d);
				free(*v);
				*v = NULL;
				*n = 0;
				return -ENOMEM;
			}
			*v = x;
		}
		x = &(*v)[(*n)++];
		memset(x, 0, sizeof(*x));
		snprintf(x->folder, sizeof(x->folder), "%s", e->d_name);
		snprintf(p, sizeof(p), "%s/" PIN_POLICIES "/%s", dir, e->d_name);
		x->valid = !read_state(p, &x->st);
	}
	closedir(d);
	if (*n)
		qsort(*v, *n, sizeof(**v), by_folder);
	return 0;
}

/* one name under DIR/policies, never a way out of it */
static bool folder_ok(const char *folder)
{
	return folder[0] && !strchr(folder, '/') && strcmp(folder, ".") && strcmp(folder, "..");
}

int pin_source(const char *dir, const char *folder, char **text, size_t *len)
{
	char p[PATH_MAX];
	struct pin_state st;
	uint32_t chunks;
	char *buf;
	int fd, e;

	*text = NULL;
	*len = 0;
	if (!folder_ok(folder))
		return -EINVAL;
	snprintf(p, sizeof(p), "%s/" PIN_POLICIES "/%s", dir, folder);
	e = read_state(p, &st);
	if (e)
		return e;
	if (!st.src_len || st.src_len > PIN_SOURCE_MAX)
		return -ENOENT;
	snprintf(p, sizeof(p), "%s/" PIN_POLICIES "/%s/source", dir, folder);
	fd = bpf_obj_get(p);
	if (fd < 0)
		return -errno;
	chunks = (st.src_len + PIN_CHUNK - 1) / PIN_CHUNK;
	buf = calloc(chunks, PIN_CHUNK);
	e = buf ? 0 : -ENOMEM;
	for (uint32_t k = 0; k < chunks && !e; k++)
		if (bpf_map_lookup_elem(fd, &k, buf + (size_t)k * PIN_CHUNK))
			e = -errno;
	close(fd);
	if (e) {
		free(buf);
		return e;
	}
	/* the last chunk was zero-filled past the end: room for the NUL */
	if (st.src_len % PIN_CHUNK == 0) {
		char *b = realloc(buf, (size_t)st.src_len + 1);
		if (!b) {
			free(buf);
			return -ENOMEM;
		}
		buf = b;
	}
	buf[st.src_len] = '\0';
	*text = buf;
	*len = st.src_len;
	return 0;
}

int pin_remove(const char *dir, const char *folder)
{
	char p[PATH_MAX];

	if (!folder_ok(folder))
		return -EINVAL;
	snprintf(p, sizeof(p), "%s/" PIN_POLICIES "/%s", dir, folder);
	return bpffs_remove(p);
}
