/* Which files a policy path names: the one folder reader of lint, try and
 * the agent, so that they accept the same folders. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "policy/policy.h"

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && !strcmp(s + a - b, suf);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_name(char ***v, size_t *n, char *name)
{
	char **nv;

	if (!name)
		return -ENOMEM;
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv) {
		free(name);
		return -ENOMEM;
	}
	nv[(*n)++] = name;
	*v = nv;
	return 0;
}

static int list_dir(const char *dir, char ***files, size_t *n, struct diag_list *d)
{
	DIR *dh = opendir(dir);
	struct dirent *de;
	int r = 0;

	if (!dh) {
		diag_add(d, dir, DIAG_ERROR, 0, 0, "cannot read: %s", strerror(errno));
		return 0;
	}
	while (!r && (de = readdir(dh))) {
		char *name;

		if (de->d_name[0] == '.' || !(has_suffix(de->d_name, ".yaml") || has_suffix(de->d_name, ".yml")))
			continue;
		r = add_name(files, n, asprintf(&name, "%s/%s", dir, de->d_name) < 0 ? NULL : name);
	}
	closedir(dh);
	if (!r && !*n)
		diag_add(d, dir, DIAG_ERROR, 0, 0, "no *.yaml or *.yml files in this folder");
	if (*n)
		qsort(*files, *n, sizeof(**files), cmp_names);
	return r;
}

int pol_expand(const char *path, char ***files, size_t *n, struct diag_list *d)
{
	struct stat st;
	int r;

	*files = NULL;
	*n = 0;
	if (strcmp(path, "-") && stat(path, &st)) {
		diag_add(d, path, DIAG_ERROR, 0, 0, "cannot read: %s", strerror(errno));
		return 0;
	}
	if (strcmp(path, "-") && S_ISDIR(st.st_mode))
		r = list_dir(path, files, n, d);
	else
		r = add_name(files, n, strdup(path));
	if (r) {
		pol_files_free(*files, *n);
		*files = NULL;
		*n = 0;
	}
	return r;
}

void pol_files_free(char **files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
}
