/* The registry's parts that need no kernel: refusals before anything loads
 * (YAML, check, names, size), the verbs' errors, modes of an unloaded
 * policy, and the folder's broken and removed files. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "load/registry.h"

#define HDR "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: "

static const uint32_t no_ns[VN__COUNT];

/* A policy as if loaded and then disabled: listed, no kernel part. */
static struct reg_entry *fake(struct registry *r, const char *name, enum reg_origin o, const char *source)
{
	struct reg_entry *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	e->name = strdup(name);
	e->source = strdup(source);
	e->text = strdup("");
	e->origin = o;
	e->state = REG_DISABLED;
	e->has_policy = true;
	e->c.n_hooks = 2;
	e->c.hooks = calloc(2, sizeof(*e->c.hooks));
	r->v = realloc(r->v, (r->n + 1) * sizeof(*r->v));
	r->v[r->n++] = e;
	return e;
}

static int add(struct registry *r, const char *src, const char *yaml, char *err, size_t errlen)
{
	struct diag_list d;
	int rc;

	diag_init(&d);
	rc = reg_add(r, REG_SOCKET, src, yaml, strlen(yaml), REG_MODE_POLICY, &d, err, errlen, NULL, 0);
	diag_free(&d);
	return rc;
}

static void broken_policies_change_nothing(void **state)
{
	struct registry r;
	char err[2048];

	reg_init(&r, no_ns, false, -1, NULL, NULL);
	fake(&r, "p", REG_SOCKET, "p.yaml");
	/* YAML */
	assert_int_equal(add(&r, "client.yaml", HDR "a\nspec: [\n", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "client.yaml:"));
	assert_non_null(strstr(err, ": error: "));
	/* check: the hook's name, at its line and column */
	assert_int_equal(add(&r, "client.yaml", HDR "a\nspec:\n  lsmhooks:\n  - hook: file_opn\n", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "client.yaml:7:11: error: "));
	/* nothing in it */
	assert_int_equal(add(&r, "empty.yaml", "# nothing\n", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "empty.yaml"));
	/* a name the set has: refused before compiling or loading */
	assert_int_equal(add(&r, "again.yaml", HDR "p\nspec:\n  lsmhooks:\n  - hook: file_open\n", err, sizeof(err)),
			 -EEXIST);
	assert_non_null(strstr(err, "a policy named p is already loaded (from socket p.yaml)"));
	/* one file naming two policies alike: the checker's located error */
	assert_int_equal(add(&r, "twice.yaml",
			     HDR "q\nspec:\n  lsmhooks:\n  - hook: file_open\n---\n" HDR "q\nspec:\n  lsmhooks:\n"
			     "  - hook: file_open\n", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "twice.yaml:9:1: error: duplicate policy name 'q'"));
	/* a name longer than a request carries: the parser's limit (253) */
	{
		char yaml[1024];
		snprintf(yaml, sizeof(yaml), HDR "%0256d\nspec:\n  lsmhooks:\n  - hook: file_open\n", 7);
		assert_int_equal(add(&r, "long.yaml", yaml, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "long.yaml:4:9: error: "));
	}
	assert_int_equal(r.n, 1);
	assert_string_equal(r.v[0]->name, "p");
	for (int i = 0; i < REG_MAX_POLICIES; i++)
		assert_false(r.id_used[i]);
	reg_free(&r);
}

static void too_big_is_refused(void **state)
{
	struct registry r;
	struct diag_list d;
	char err[256];

	reg_init(&r, no_ns, false, -1, NULL, NULL);
	diag_init(&d);
	assert_int_equal(reg_add(&r, REG_SOCKET, "big.yaml", "", REG_MAX_TEXT + 1, REG_MODE_POLICY, &d, err,
				 sizeof(err), NULL, 0), -EFBIG);
	assert_non_null(strstr(err, "big.yaml"));
	assert_int_equal(r.n, 0);
	diag_free(&d);
	reg_free(&r);
}

static void verbs_on_unknown_names(void **state)
{
	struct registry r;
	char err[256];

	reg_init(&r, no_ns, false, -1, NULL, NULL);
	assert_int_equal(reg_delete(&r, "nope", err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no policy named nope"));
	assert_int_equal(reg_enable(&r, "nope", err, sizeof(err)), -ENOENT);
	assert_int_equal(reg_disable(&r, "nope", err, sizeof(err)), -ENOENT);
	assert_int_equal(reg_set_mode(&r, "nope", true, err, sizeof(err)), -ENOENT);
	reg_free(&r);
}

/* a disabled policy's mode is what its next enable loads */
static void mode_of_a_disabled_policy(void **state)
{
	struct registry r;
	struct reg_entry *e;
	char err[256];

	reg_init(&r, no_ns, false, -1, NULL, NULL);
	e = fake(&r, "p", REG_SOCKET, "p.yaml");
	assert_int_equal(reg_set_mode(&r, "p", true, err, sizeof(err)), 0);
	assert_true(e->monitor);
	assert_int_equal(e->c.hooks[0].cfg.monitor, 1);
	assert_int_equal(e->c.hooks[1].cfg.monitor, 1);
	assert_int_equal(reg_set_mode(&r, "p", false, err, sizeof(err)), 0);
	assert_false(e->monitor);
	assert_int_equal(e->c.hooks[1].cfg.monitor, 0);
	assert_int_equal(reg_disable(&r, "p", err, sizeof(err)), 0);
	assert_int_equal(e->state, REG_DISABLED);
	assert_int_equal(reg_delete(&r, "p", err, sizeof(err)), 0);
	assert_int_equal(r.n, 0);
	reg_free(&r);
}

/* a folder's broken file: listed as load_error by its file's name; a
 * running version of it is kept and marked; a removed file goes */
static void folder_broken_and_removed(void **state)
{
	char dir[] = "/tmp/veto-reg-XXXXXX", path[256];
	struct registry r;
	struct reg_entry *e;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bad.yaml", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(HDR "bad\nspec:\n  lsmhooks:\n  - hook: file_opn\n", f);
	fclose(f);
	reg_init(&r, no_ns, false, -1, NULL, NULL);
	e = fake(&r, "kept", REG_DIR, "/elsewhere/kept.yaml");
	assert_int_equal(reg_sync_dir(&r, dir, false), 0);
	/* kept.yaml is not in the folder: gone; bad.yaml: listed with its reason */
	assert_int_equal(r.n, 1);
	e = r.v[0];
	assert_string_equal(e->name, "bad.yaml");
	assert_int_equal(e->state, REG_LOAD_ERROR);
	assert_false(e->has_policy);
	assert_non_null(strstr(e->error, "bad.yaml:7:11: error: "));
	assert_null(reg_find(&r, "bad.yaml")); /* not a policy: no verb applies */
	/* a running version of a file that broke is kept, marked */
	e = fake(&r, "run", REG_DIR, "/x/run.yaml");
	e->state = REG_ENABLED;
	assert_int_equal(reg_note_error(&r, REG_DIR, "/x/run.yaml", "it broke"), 0);
	assert_int_equal(e->state, REG_LOAD_ERROR);
	assert_string_equal(e->error, "it broke");
	assert_int_equal(r.n, 2);
	unlink(path);
	assert_int_equal(reg_sync_dir(&r, dir, false), 0);
	assert_int_equal(r.n, 0);
	rmdir(dir);
	/* a missing folder: an error when named, nothing when the default */
	assert_int_equal(reg_sync_dir(&r, dir, false), -ENOENT);
	assert_int_equal(reg_sync_dir(&r, dir, true), 0);
	reg_free(&r);
}

static void diag_text_has_every_error(void **state)
{
	struct diag_list d;
	char out[256];

	diag_init(&d);
	diag_add(&d, "a.yaml", DIAG_ERROR, 3, 5, "first");
	diag_add(&d, "a.yaml", DIAG_WARNING, 4, 1, "a warning");
	diag_add(&d, "a.yaml", DIAG_ERROR, 0, 0, "whole file");
	reg_diag_text(&d, out, sizeof(out));
	assert_string_equal(out, "a.yaml:3:5: error: first\na.yaml: error: whole file");
	diag_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(broken_policies_change_nothing),
		cmocka_unit_test(too_big_is_refused),
		cmocka_unit_test(verbs_on_unknown_names),
		cmocka_unit_test(mode_of_a_disabled_policy),
		cmocka_unit_test(folder_broken_and_removed),
		cmocka_unit_test(diag_text_has_every_error),
	};
	return cmocka_run_group_tests_name("registry", tests, NULL, NULL);
}
