#include "load/policies.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load/event_meta.h"
#include "load/pin.h"

static int add_file(struct policy_set *ps, const char *path, struct diag_list *d)
{
	struct pol_set *v = realloc(ps->files, (ps->n_files + 1) * sizeof(*v));
	int r;

	if (!v)
		return -ENOMEM;
	ps->files = v;
	memset(&v[ps->n_files], 0, sizeof(v[0]));
	r = pol_load_file(path, &v[ps->n_files], d);
	ps->n_files++;
	return r;
}

/* A policy's file as it is now, kept with its pins (NULL if unreadable). */
static char *read_source(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = f ? malloc(PIN_SOURCE_MAX + 1) : NULL;

	*len = buf ? fread(buf, 1, PIN_SOURCE_MAX + 1, f) : 0;
	if (f)
		fclose(f);
	return buf;
}

/* Adopts the pinned instance of c, or loads and pins it (see pin_policy). */
static int load_one(struct policy_set *ps, size_t k, const char *file, const struct pin_root *pins, int ringbuf_fd,
		    char *why, size_t whylen)
{
	size_t len;
	char *src;
	int r;

	if (!pins)
		return engine_policy_load(&ps->compiled[k], (uint32_t)k, ringbuf_fd, &ps->loaded[k], why, whylen);
	src = read_source(file, &len);
	r = pin_policy(pins, &ps->compiled[k], (uint32_t)k, ringbuf_fd, src, len, &ps->loaded[k], &ps->how[k], why,
		       whylen);
	free(src);
	return r;
}

int policy_set_load(struct policy_set *ps, const char *const *paths, size_t n_paths,
		    const uint32_t host_ns[VN__COUNT], int ringbuf_fd, bool walk_every_path,
		    const struct pin_root *pins, struct diag_list *d, char *err, size_t errlen)
{
	struct compile_env env;
	size_t total = 0, k = 0;
	int r = 0;

	memset(ps, 0, sizeof(*ps));
	err[0] = '\0';
	for (size_t i = 0; i < n_paths && r != -ENOMEM; i++) {
		char **files;
		size_t n;

		r = pol_expand(paths[i], &files, &n, d);
		for (size_t j = 0; j < n && r != -ENOMEM; j++) {
			r = add_file(ps, files[j], d);
			/* the file, not its folder: that is where to look */
			if (r && r != -ENOMEM)
				diag_add(d, files[j], DIAG_ERROR, 0, 0, "cannot read: %s", strerror(-r));
		}
		pol_files_free(files, n);
	}
	if (r == -ENOMEM || d->nerr)
		goto fail;

	compile_env_host(&env, host_ns);
	env.walk_every_path = walk_every_path;
	for (size_t f = 0; f < ps->n_files; f++)
		total += ps->files[f].n;
	ps->compiled = calloc(total ? total : 1, sizeof(*ps->compiled));
	ps->loaded = calloc(total ? total : 1, sizeof(*ps->loaded));
	ps->meta = calloc(total ? total : 1, sizeof(*ps->meta));
	ps->how = calloc(total ? total : 1, sizeof(*ps->how));
	ps->file = calloc(total ? total : 1, sizeof(*ps->file));
	if (!ps->compiled || !ps->loaded || !ps->meta || !ps->how || !ps->file) {
		r = -ENOMEM;
		goto fail;
	}
	/* compile everything before loading anything */
	for (size_t f = 0; f < ps->n_files; f++)
		for (size_t i = 0; i < ps->files[f].n; i++, k++) {
			ps->file[k] = ps->files[f].file;
			r = compile_policy(&ps->files[f].v[i], ps->files[f].file, &env, &ps->compiled[k], d);
			if (r == -ENOMEM)
				goto fail;
		}
	ps->n = total;
	if (d->nerr) {
		r = -EINVAL;
		goto fail;
	}
	for (k = 0; k < total; k++) {
		r = event_meta_fill(&ps->compiled[k], &ps->meta[k]);
		if (r)
			goto fail;
	}
	for (k = 0; k < total; k++) {
		char why[768];

		r = load_one(ps, k, ps->file[k], pins, ringbuf_fd, why, sizeof(why));
		if (r) {
			snprintf(err, errlen, "policy %s: %s%s", ps->compiled[k].src->name, why,
				 r == -EPERM && compiled_has_lsm(&ps->compiled[k]) ? " (this kernel refuses BPF LSM programs: see 'veto probe')" : "");
			goto fail;
		}
	}
	return 0;
fail:
	if (!r)
		r = -EINVAL;
	/* what was pinned before stays as it was */
	for (k = 0; ps->loaded && k < ps->n; k++)
		if (ps->loaded[k] && engine_policy_adopted(ps->loaded[k])) {
			engine_policy_release(ps->loaded[k]);
			ps->loaded[k] = NULL;
		}
	policy_set_unload(ps);
	return r;
}

void policy_set_release(struct policy_set *ps)
{
	for (size_t k = 0; ps && ps->loaded && k < ps->n; k++) {
		engine_policy_release(ps->loaded[k]);
		ps->loaded[k] = NULL;
	}
	policy_set_unload(ps);
}

void policy_set_unload(struct policy_set *ps)
{
	if (!ps)
		return;
	for (size_t k = 0; k < ps->n; k++) {
		if (ps->loaded)
			engine_policy_unload(ps->loaded[k]);
		if (ps->meta)
			event_meta_free(&ps->meta[k]);
		if (ps->compiled)
			compiled_free(&ps->compiled[k]);
	}
	for (size_t f = 0; f < ps->n_files; f++)
		pol_set_free(&ps->files[f]);
	free(ps->files);
	free(ps->compiled);
	free(ps->loaded);
	free(ps->meta);
	free(ps->how);
	free(ps->file);
	memset(ps, 0, sizeof(*ps));
}

uint64_t policy_set_lost(const struct policy_set *ps, enum veto_lost what)
{
	uint64_t n = 0;

	for (size_t k = 0; k < ps->n; k++)
		if (ps->loaded[k])
			n += engine_policy_lost(ps->loaded[k], what);
	return n;
}
