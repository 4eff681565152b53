#include "load/registry.h"

#include <bpf/bpf.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "load/event_meta.h"
#include "util/log.h"

static const char *const state_names[] = { "enabled", "disabled", "load_error" };
static const char *const origin_names[] = { "policy-dir", "policy", "socket" };

const char *reg_state_name(enum reg_state s)
{
	return state_names[s];
}

const char *reg_origin_name(enum reg_origin o)
{
	return origin_names[o];
}

void reg_init(struct registry *r, const uint32_t host_ns[VN__COUNT], bool walk_every_path, int ringbuf_fd,
	      void (*drain)(void *ctx), void *ctx)
{
	memset(r, 0, sizeof(*r));
	compile_env_host(&r->env, host_ns);
	r->env.walk_every_path = walk_every_path;
	r->ringbuf_fd = ringbuf_fd;
	r->drain = drain;
	r->ctx = ctx;
}

struct reg_entry *reg_find(const struct registry *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i]->has_policy && !strcmp(r->v[i]->name, name))
			return r->v[i];
	return NULL;
}

/* The id an earlier agent pinned name's instance with (its programs carry
 * it), or -1; reserved: another policy's pinned id. */
static int64_t pinned_id(const struct registry *r, const char *name, uint32_t id, bool *reserved)
{
	int64_t own = -1;

	*reserved = false;
	for (size_t i = 0; i < r->n_pinned; i++) {
		const struct pin_entry *p = &r->pinned[i];

		if (!p->valid || p->st.id >= REG_MAX_POLICIES)
			continue;
		if (!strcmp(p->st.name, name))
			own = p->st.id;
		else if (p->st.id == id)
			*reserved = true;
	}
	return own;
}

/* Ids are given round the table, not lowest first: a record a detached
 * program was still writing when the ring was drained would have to wait
 * for 255 other loads to meet another policy. A policy an earlier agent
 * pinned gets its id back (so it is adopted), and the others keep off the
 * ids still pinned while there are free ones. */
static int take_id(struct registry *r, const char *name, uint32_t *id)
{
	bool reserved;
	int64_t own = pinned_id(r, name, 0, &reserved);

	if (own >= 0 && !r->id_used[own]) {
		r->id_used[own] = true;
		*id = (uint32_t)own;
		return 0;
	}
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t k = 0; k < REG_MAX_POLICIES; k++) {
			uint32_t i = (r->next_id + k) % REG_MAX_POLICIES;

			if (r->id_used[i] || (pinned_id(r, name, i, &reserved), reserved && pass == 0))
				continue;
			r->id_used[i] = true;
			r->next_id = (i + 1) % REG_MAX_POLICIES;
			*id = i;
			return 0;
		}
	return -ENOSPC;
}

/* Loads e's instance: with pins, adopts the one an earlier agent left or
 * loads and pins it (with a socket add's text, to restore it from). */
static int instance_load(struct registry *r, struct reg_entry *e, char *why, size_t whylen)
{
	enum pin_how how;
	const char *dir;
	int rc;

	if (!r->pins)
		return engine_policy_load(&e->c, e->id, r->ringbuf_fd, &e->inst, why, whylen);
	rc = pin_policy(r->pins, &e->c, e->id, r->ringbuf_fd, e->pin_src ? e->pin_src->data : NULL,
			e->pin_src ? e->pin_src->len : 0, &e->inst, &how, why, whylen);
	if (!rc) {
		dir = engine_policy_dir(e->inst);
		logmsg("policy %s: %s%s%s", e->name, pin_how_name(how), dir ? " in " : "", dir ? dir : "");
	}
	return rc;
}

/* Protects e's instance: its maps, programs and links, and its pins. */
static int hold_instance(struct registry *r, struct reg_entry *e)
{
	const char *dir = engine_policy_dir(e->inst);
	DIR *d;
	struct dirent *x;
	int fd, err = guard_hold_new(r->guard, &e->held);

	if (err || !e->held)
		return err;
	engine_policy_each_fd(e->inst, guard_hold_fd, e->held);
	if (dir && !guard_hold_path(e->held, dir) && (d = opendir(dir))) {
		while ((x = readdir(d))) {
			char path[PATH_MAX];

			if (x->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, x->d_name);
			guard_hold_path(e->held, path);
			/* by id too: its state and source maps have no other fd */
			if ((fd = bpf_obj_get(path)) >= 0) {
				guard_hold_fd(e->held, fd);
				close(fd);
			}
		}
		closedir(d);
	}
	err = guard_hold_err(e->held);
	if (err) {
		guard_release(e->held);
		e->held = NULL;
	}
	return err;
}

/* Loads e's compiled policy as a new instance and gives the decoder its
 * metadata before anything can read its records. */
static int load_instance(struct registry *r, struct reg_entry *e, char *err, size_t errlen)
{
	char why[768];
	int rc;

	if (take_id(r, e->name, &e->id)) {
		snprintf(err, errlen, "policy %s: %d policies are loaded, the most the agent holds", e->name,
			 REG_MAX_POLICIES);
		return -ENOSPC;
	}
	rc = event_meta_fill(&e->c, &r->meta[e->id]);
	if (rc) {
		r->id_used[e->id] = false;
		snprintf(err, errlen, "policy %s: %s", e->name, strerror(-rc));
		return rc;
	}
	/* no fd of it for anyone else between its creation and its protection */
	rc = guard_loading(r->guard, true);
	if (!rc) {
		rc = instance_load(r, e, why, sizeof(why));
		if (!rc && (rc = hold_instance(r, e))) {
			snprintf(why, sizeof(why), "self-protection: protecting it: %s", strerror(-rc));
			if (engine_policy_adopted(e->inst))
				engine_policy_release(e->inst);
			else
				engine_policy_unload(e->inst);
			e->inst = NULL;
		}
		guard_loading(r->guard, false);
	} else {
		snprintf(why, sizeof(why), "self-protection: %s", strerror(-rc));
	}
	if (rc) {
		event_meta_free(&r->meta[e->id]);
		r->id_used[e->id] = false;
		snprintf(err, errlen, "policy %s: %s%s", e->name, why,
			 rc == -EPERM && compiled_has_lsm(&e->c) ?
			 " (this kernel refuses BPF LSM programs: see 'veto probe')" : "");
	}
	return rc;
}

/* Detaches e's instance (keep_pins: closes it, what is pinned stays in
 * force), reads what it left in the ring, then frees its id: after the
 * drain no record names the id. */
static void drop_instance(struct registry *r, struct reg_entry *e, bool drain, bool keep_pins)
{
	uint64_t now[VETO_STAT__COUNT];

	if (!e->inst)
		return;
	if (!engine_policy_stats(e->inst, now))
		for (int k = 0; k < VETO_STAT__COUNT; k++)
			e->base[k] += now[k];
	/* the ring's loss totals only grow */
	for (int k = 0; k < REG_LOST_KINDS; k++)
		r->lost_base[k] += engine_policy_lost(e->inst, k);
	guard_release(e->held); /* before its pins go */
	e->held = NULL;
	if (keep_pins)
		engine_policy_release(e->inst);
	else
		engine_policy_unload(e->inst);
	e->inst = NULL;
	if (drain && r->drain)
		r->drain(r->ctx);
	event_meta_free(&r->meta[e->id]);
	r->id_used[e->id] = false;
}

static void unload_instance(struct registry *r, struct reg_entry *e, bool drain)
{
	drop_instance(r, e, drain, false);
}

static void text_put(struct reg_text *t)
{
	if (t && !--t->refs)
		free(t);
}

static void entry_free(struct registry *r, struct reg_entry *e)
{
	if (!e)
		return;
	unload_instance(r, e, true);
	text_put(e->pin_src);
	if (e->has_policy)
		compiled_free(&e->c);
	pol_set_free(&e->ast);
	free(e->name);
	free(e->source);
	free(e->text);
	free(e->error);
	free(e);
}

void reg_free(struct registry *r)
{
	for (size_t i = 0; i < r->n; i++)
		entry_free(r, r->v[i]);
	free(r->v);
	r->v = NULL;
	r->n = 0;
	free(r->pinned);
	r->pinned = NULL;
	r->n_pinned = 0;
}

void reg_release(struct registry *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i]->inst && engine_policy_dir(r->v[i]->inst))
			drop_instance(r, r->v[i], false, true);
	reg_free(r);
}

static void unlink_at(struct registry *r, size_t i)
{
	memmove(&r->v[i], &r->v[i + 1], (r->n - i - 1) * sizeof(r->v[0]));
	r->n--;
}

static bool from(const struct reg_entry *e, enum reg_origin origin, const char *source)
{
	return e->origin == origin && !strcmp(e->source, source);
}

void reg_remove_source(struct registry *r, enum reg_origin origin, const char *source)
{
	for (size_t i = r->n; i-- > 0;)
		if (from(r->v[i], origin, source)) {
			struct reg_entry *e = r->v[i];
			unlink_at(r, i);
			entry_free(r, e);
		}
}

void reg_diag_text(const struct diag_list *d, char *out, size_t len)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < d->n && o < len; i++) {
		const struct diag *x = &d->v[i];
		int n;

		if (x->sev != DIAG_ERROR)
			continue;
		if (x->line)
			n = snprintf(out + o, len - o, "%s%s:%u:%u: error: %s", o ? "\n" : "", x->file, x->line, x->col,
				     x->msg);
		else
			n = snprintf(out + o, len - o, "%s%s: error: %s", o ? "\n" : "", x->file, x->msg);
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

/* Moves each policy of set into its own entry (set is emptied). */
static int split(struct pol_set *set, struct reg_entry **v, enum reg_origin origin, const char *source,
		 const char *text, size_t len)
{
	for (size_t i = 0; i < set->n; i++) {
		struct reg_entry *e = calloc(1, sizeof(*e));

		v[i] = e;
		if (!e)
			return -ENOMEM;
		e->origin = origin;
		e->source = strdup(source);
		/* a folder's file: kept to see whether it changed */
		e->text = malloc(origin == REG_DIR ? len + 1 : 1);
		e->ast.file = strdup(set->file ? set->file : source);
		e->ast.v = calloc(1, sizeof(*e->ast.v));
		if (!e->source || !e->text || !e->ast.file || !e->ast.v)
			return -ENOMEM;
		if (origin == REG_DIR) {
			memcpy(e->text, text, len);
			e->text_len = len;
		}
		e->text[e->text_len] = '\0';
	}
	for (size_t i = 0; i < set->n; i++)
		if (!(v[i]->name = strdup(set->v[i].name ? set->v[i].name : "")))
			return -ENOMEM;
	for (size_t i = 0; i < set->n; i++) {
		v[i]->ast.v[0] = set->v[i];
		v[i]->ast.n = 1;
	}
	set->n = 0;
	return 0;
}

/* A name of the new set that the set has twice, or that another source has. */
static int names_free(const struct registry *r, struct reg_entry **v, size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		const struct reg_entry *o = reg_find(r, v[i]->name);

		for (size_t j = 0; j < i; j++)
			if (!strcmp(v[j]->name, v[i]->name)) {
				snprintf(err, errlen, "%s: two policies are named %s", v[i]->source, v[i]->name);
				return -EEXIST;
			}
		if (o && (v[i]->origin == REG_SOCKET || !from(o, v[i]->origin, v[i]->source))) {
			snprintf(err, errlen, "%s: a policy named %s is already loaded (from %s %s): delete it first",
				 v[i]->source, v[i]->name, reg_origin_name(o->origin), o->source);
			return -EEXIST;
		}
	}
	return 0;
}

static int insert(struct registry *r, struct reg_entry **v, size_t n)
{
	struct reg_entry **nv = realloc(r->v, (r->n + n) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	r->v = nv;
	memcpy(&r->v[r->n], v, n * sizeof(*v));
	r->n += n;
	return 0;
}

static void log_hooks(const struct reg_entry *e)
{
	for (size_t h = 0; h < e->c.n_hooks; h++) {
		const struct c_hook *k = &e->c.hooks[h];
		char where[192], progs[2][32];
		int n = c_hook_progs(k, progs);

		logmsg("policy %s: %s on %s (%s%s%s)%s", e->name, k->cfg.monitor ? "monitoring" : "enforcing",
		       c_hook_where(k, where, sizeof(where)), progs[0], n > 1 ? ", " : "", n > 1 ? progs[1] : "",
		       k->cfg.pcache ? "; paths that match no selector remembered" : "");
	}
}

static void apply_mode(struct pol_set *set, enum reg_mode mode)
{
	for (size_t i = 0; i < set->n && mode != REG_MODE_POLICY; i++)
		set->v[i].mode = mode == REG_MODE_MONITOR ? PM_MONITOR : PM_ENFORCE;
}

/* Keeps only the policy named only (restoring one policy of a pinned text). */
static size_t keep_only(struct registry *r, struct reg_entry **v, size_t n, const char *only)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (!only || !strcmp(v[i]->name, only))
			v[k++] = v[i];
		else
			entry_free(r, v[i]);
	return k;
}

/* A socket add's text, shared by its policies, for their pins. */
static int share_text(struct reg_entry **v, size_t n, const char *text, size_t len)
{
	struct reg_text *t = malloc(sizeof(*t) + len);

	if (!t)
		return -ENOMEM;
	t->refs = (unsigned)n;
	t->len = len;
	memcpy(t->data, text, len);
	for (size_t i = 0; i < n; i++)
		v[i]->pin_src = t;
	return 0;
}

static int add_text(struct registry *r, enum reg_origin origin, const char *source, const char *text, size_t len,
		    enum reg_mode mode, const char *only, struct diag_list *d, char *err, size_t errlen, char *added,
		    size_t addedlen)
{
	struct pol_set set = { 0 };
	struct reg_entry **v = NULL;
	size_t n = 0, done = 0, nerr = d->nerr, o = 0;
	int rc;

	err[0] = '\0';
	if (added)
		added[0] = '\0';
	if (len > REG_MAX_TEXT) {
		snprintf(err, errlen, "%s: %zu bytes, more than a policy may have (%u)", source, len, REG_MAX_TEXT);
		return -EFBIG;
	}
	rc = pol_parse_buf(source, text, len, &set, d);
	if (!rc && d->nerr == nerr)
		rc = pol_check(&set, d);
	if (!rc && d->nerr == nerr)
		rc = pol_lint(&set, d);
	if (rc)
		goto fail;
	if (d->nerr != nerr) {
		rc = -EINVAL;
		goto fail;
	}
	if (!set.n) {
		snprintf(err, errlen, "%s: no policy in it", source);
		rc = -EINVAL;
		goto fail;
	}
	apply_mode(&set, mode);
	n = set.n;
	v = calloc(n, sizeof(*v));
	rc = v ? split(&set, v, origin, source, text, len) : -ENOMEM;
	if (!rc && only && !(n = keep_only(r, v, n, only))) {
		snprintf(err, errlen, "%s: no policy named %s in it", source, only);
		rc = -ENOENT;
	}
	if (!rc && origin == REG_SOCKET && r->pins)
		rc = share_text(v, n, text, len);
	if (!rc)
		rc = names_free(r, v, n, err, errlen);
	if (rc)
		goto fail;
	/* compile all before loading any */
	for (size_t i = 0; i < n; i++) {
		rc = compile_policy(&v[i]->ast.v[0], source, &r->env, &v[i]->c, d);
		if (rc)
			goto fail;
		v[i]->has_policy = true;
		v[i]->monitor = n && v[i]->c.n_hooks && v[i]->c.hooks[0].cfg.monitor;
	}
	if (d->nerr != nerr) {
		rc = -EINVAL;
		goto fail;
	}
	for (; done < n; done++) {
		rc = load_instance(r, v[done], err, errlen);
		if (rc)
			goto fail;
		v[done]->added = time(NULL);
	}
	/* the new ones are in force: now the old version of the file goes */
	if (origin != REG_SOCKET)
		reg_remove_source(r, origin, source);
	rc = insert(r, v, n);
	if (rc)
		goto fail;
	for (size_t i = 0; i < n; i++)
		log_hooks(v[i]);
	for (size_t i = 0; added && i < n && o < addedlen; i++)
		o += (size_t)snprintf(added + o, addedlen - o, "%s%s", i ? "," : "", v[i]->name);
	free(v);
	return 0;
fail:
	if (!err[0]) {
		if (rc == -ENOMEM)
			snprintf(err, errlen, "%s: out of memory", source);
		else if (d->nerr != nerr)
			reg_diag_text(d, err, errlen);
		else
			snprintf(err, errlen, "%s: %s", source, strerror(rc < 0 ? -rc : EINVAL));
	}
	/* what an earlier agent pinned stays as it was */
	for (size_t i = 0; v && i < n; i++) {
		if (v[i] && v[i]->inst && engine_policy_adopted(v[i]->inst))
			drop_instance(r, v[i], true, true);
		entry_free(r, v[i]);
	}
	free(v);
	pol_set_free(&set);
	return rc < 0 ? rc : -EINVAL;
}

int reg_add(struct registry *r, enum reg_origin origin, const char *source, const char *text, size_t len,
	    enum reg_mode mode, struct diag_list *d, char *err, size_t errlen, char *added, size_t addedlen)
{
	return add_text(r, origin, source, text, len, mode, NULL, d, err, errlen, added, addedlen);
}

void reg_use_guard(struct registry *r, struct guard *g)
{
	r->guard = g;
}

int reg_use_pins(struct registry *r, const struct pin_root *pins)
{
	r->pins = pins;
	free(r->pinned);
	r->pinned = NULL;
	r->n_pinned = 0;
	return pin_list(pins->dir, &r->pinned, &r->n_pinned);
}

void reg_restore_pinned(struct registry *r)
{
	struct engine_policy **keep;
	size_t k = 0;

	for (size_t i = 0; r->pins && i < r->n_pinned; i++) {
		const struct pin_entry *p = &r->pinned[i];
		char src[PIN_NAME_MAX + 32], err[1024];
		struct diag_list d;
		size_t len;
		char *text;
		int rc;

		if (!p->valid || !p->st.src_len || reg_find(r, p->st.name))
			continue;
		if (pin_source(r->pins->dir, p->folder, &text, &len)) {
			logmsg("Warning: policy %s: its text pinned in %s cannot be read: it is not restored",
			       p->st.name, p->folder);
			continue;
		}
		snprintf(src, sizeof(src), "pinned:%s", p->folder);
		diag_init(&d);
		rc = add_text(r, REG_SOCKET, src, text, len, p->st.mode == PIN_MONITOR ? REG_MODE_MONITOR :
			      REG_MODE_ENFORCE, p->st.name, &d, err, sizeof(err), NULL, 0);
		if (rc)
			logmsg("Error: policy %s, added through the socket before: not restored: %s", p->st.name, err);
		else
			logmsg("policy %s: restored from the text pinned with it", p->st.name);
		diag_free(&d);
		free(text);
	}
	keep = calloc(r->n ? r->n : 1, sizeof(*keep));
	if (r->pins && keep) {
		for (size_t i = 0; i < r->n; i++)
			if (r->v[i]->inst)
				keep[k++] = r->v[i]->inst;
		pin_prune(r->pins, keep, k);
	}
	free(keep);
	free(r->pinned);
	r->pinned = NULL;
	r->n_pinned = 0;
}

static struct reg_entry *named(const struct registry *r, const char *name, char *err, size_t errlen)
{
	struct reg_entry *e = reg_find(r, name);

	if (!e)
		snprintf(err, errlen, "no policy named %s (see 'veto tracingpolicy list')", name);
	return e;
}

int reg_delete(struct registry *r, const char *name, char *err, size_t errlen)
{
	struct reg_entry *e = named(r, name, err, errlen);

	if (!e)
		return -ENOENT;
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i] == e)
			unlink_at(r, i);
	entry_free(r, e);
	return 0;
}

int reg_enable(struct registry *r, const char *name, char *err, size_t errlen)
{
	struct reg_entry *e = named(r, name, err, errlen);
	char why[1024];
	int rc;

	if (!e)
		return -ENOENT;
	if (e->inst && e->state == REG_ENABLED)
		return 0;
	if (e->inst) { /* load_error with an earlier version still running */
		snprintf(err, errlen, "policy %s: its file has errors and the previous version runs: %s", name,
			 e->error ? e->error : "");
		return -EINVAL;
	}
	rc = load_instance(r, e, why, sizeof(why));
	if (rc) {
		free(e->error);
		e->error = strdup(why);
		e->state = REG_LOAD_ERROR;
		snprintf(err, errlen, "%s", why);
		return rc;
	}
	free(e->error);
	e->error = NULL;
	e->state = REG_ENABLED;
	return 0;
}

int reg_disable(struct registry *r, const char *name, char *err, size_t errlen)
{
	struct reg_entry *e = named(r, name, err, errlen);

	if (!e)
		return -ENOENT;
	unload_instance(r, e, true);
	if (e->state == REG_ENABLED)
		e->state = REG_DISABLED;
	return 0;
}

int reg_set_mode(struct registry *r, const char *name, bool monitor, char *err, size_t errlen)
{
	struct reg_entry *e = named(r, name, err, errlen);
	int rc;

	if (!e)
		return -ENOENT;
	if (e->inst && (rc = engine_policy_set_mode(e->inst, &e->c, monitor))) {
		snprintf(err, errlen, "policy %s: writing its mode: %s (unchanged)", name, strerror(-rc));
		return rc;
	}
	if (e->inst && pin_set_mode(e->inst, monitor ? PIN_MONITOR : PIN_ENFORCE))
		logmsg("Warning: policy %s: its pinned state keeps the old mode", name);
	/* what a later enable loads, and what events report */
	for (size_t i = 0; i < e->c.n_hooks; i++)
		e->c.hooks[i].cfg.monitor = monitor;
	e->monitor = monitor;
	return 0;
}

void reg_stats(const struct reg_entry *e, uint64_t out[VETO_STAT__COUNT])
{
	uint64_t now[VETO_STAT__COUNT] = { 0 };

	if (e->inst)
		engine_policy_stats(e->inst, now);
	for (int k = 0; k < VETO_STAT__COUNT; k++)
		out[k] = e->base[k] + now[k];
}

uint64_t reg_lost(const struct registry *r, enum veto_lost what)
{
	uint64_t n = what < REG_LOST_KINDS ? r->lost_base[what] : 0;

	for (size_t i = 0; i < r->n; i++)
		if (r->v[i]->inst)
			n += engine_policy_lost(r->v[i]->inst, what);
	return n;
}

int reg_note_error(struct registry *r, enum reg_origin origin, const char *source, const char *why)
{
	struct reg_entry *e;
	const char *base = strrchr(source, '/');
	bool found = false;

	for (size_t i = 0; i < r->n; i++) {
		char *dup;

		e = r->v[i];
		if (!from(e, origin, source))
			continue;
		found = true;
		if (!(dup = strdup(why)))
			return -ENOMEM;
		free(e->error);
		e->error = dup;
		e->state = REG_LOAD_ERROR;
	}
	if (found)
		return 0;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->origin = origin;
	e->state = REG_LOAD_ERROR;
	e->added = time(NULL);
	e->name = strdup(base ? base + 1 : source);
	e->source = strdup(source);
	e->error = strdup(why);
	e->text = strdup("");
	if (!e->name || !e->source || !e->error || !e->text || insert(r, &e, 1)) {
		entry_free(r, e);
		return -ENOMEM;
	}
	return 0;
}
