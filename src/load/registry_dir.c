/* The policy folder: read at start and on SIGHUP, one change per file. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "load/registry.h"
#include "util/log.h"

static int is_policy_file(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	if (d->d_name[0] == '.')
		return 0;
	return (n > 5 && !strcmp(d->d_name + n - 5, ".yaml")) || (n > 4 && !strcmp(d->d_name + n - 4, ".yml"));
}

/* A whole regular file of at most REG_MAX_TEXT bytes, or why not. */
static int read_text(const char *path, char **out, size_t *len, char *why, size_t whylen)
{
	struct stat st;
	size_t got = 0;
	char *buf;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), rc = 0;

	*out = NULL;
	if (fd < 0 || fstat(fd, &st)) {
		rc = -errno;
		snprintf(why, whylen, "cannot read: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	if (S_ISDIR(st.st_mode))
		rc = -EISDIR;
	else if (!S_ISREG(st.st_mode))
		rc = -EINVAL;
	else if (st.st_size > REG_MAX_TEXT)
		rc = -EFBIG;
	if (rc) {
		close(fd);
		if (rc == -EINVAL)
			snprintf(why, whylen, "not a regular file (%s): policies are read from regular files",
				 S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISSOCK(st.st_mode) ? "a socket" : "a device");
		else
			snprintf(why, whylen, "cannot read: %s", rc == -EFBIG ? "larger than 1 MiB" : strerror(-rc));
		return rc;
	}
	buf = malloc((size_t)st.st_size + 1);
	while (buf && got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n <= 0) {
			rc = n ? -errno : 0;
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	if (!buf || rc) {
		free(buf);
		snprintf(why, whylen, "cannot read: %s", strerror(buf ? -rc : ENOMEM));
		return buf ? rc : -ENOMEM;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return 0;
}

static bool unchanged(const struct registry *r, const char *path, const char *text, size_t len)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct reg_entry *e = r->v[i];
		if (e->origin == REG_DIR && !strcmp(e->source, path))
			return e->text_len == len && !memcmp(e->text, text, len) && e->state != REG_LOAD_ERROR;
	}
	return false;
}

static bool known(const struct registry *r, const char *path)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i]->origin == REG_DIR && !strcmp(r->v[i]->source, path))
			return true;
	return false;
}

void reg_log_diags(const struct diag_list *d)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct diag *x = &d->v[i];
		if (x->line)
			logmsg("%s:%u:%u: %s: %s", x->file, x->line, x->col, diag_sev_name(x->sev), x->msg);
		else
			logmsg("%s: %s: %s", x->file, diag_sev_name(x->sev), x->msg);
	}
}

static void sync_file(struct registry *r, const char *path)
{
	char err[2048], added[512], why[256], *text;
	bool had = known(r, path);
	struct diag_list d;
	size_t len = 0;
	int rc = read_text(path, &text, &len, why, sizeof(why));

	if (rc) {
		snprintf(err, sizeof(err), "%s: %s", path, why);
		logmsg("Error: policy folder: %s%s", err, had ? "; the running version is kept" : "");
		reg_note_error(r, REG_DIR, path, err);
		return;
	}
	if (unchanged(r, path, text, len)) {
		free(text);
		return;
	}
	diag_init(&d);
	rc = reg_add(r, REG_DIR, path, text, len, REG_MODE_POLICY, &d, err, sizeof(err), added, sizeof(added));
	diag_sort(&d);
	reg_log_diags(&d);
	if (rc) {
		logmsg("Error: policy folder: %s not loaded%s", path, had ? "; the running version is kept" : "");
		if (!d.nerr) /* a reason without a line: the kernel's, or a name taken */
			logmsg("Error: %s", err);
		reg_note_error(r, REG_DIR, path, err);
	} else {
		logmsg("policy folder: %s %s from %s", had ? "replaced" : "loaded", added, path);
	}
	diag_free(&d);
	free(text);
}

int reg_sync_dir(struct registry *r, const char *dir, bool missing_ok)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, is_policy_file, alphasort);
	char path[4096];

	if (n < 0) {
		int rc = -errno;
		if (rc != -ENOENT || !missing_ok)
			return rc;
		logmsg("policy folder %s does not exist: no policy from it", dir);
		n = 0;
	}
	/* files gone first: a policy that moved to another file keeps its name */
	for (size_t i = r->n; i-- > 0;) {
		struct reg_entry *e = r->v[i];
		bool present = false;

		if (e->origin != REG_DIR)
			continue;
		for (int j = 0; j < n && !present; j++) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[j]->d_name);
			present = !strcmp(path, e->source);
		}
		if (!present) {
			char *gone = strdup(e->source);
			if (!gone)
				continue;
			reg_remove_source(r, REG_DIR, gone);
			logmsg("policy folder: %s removed: its policies unloaded", gone);
			free(gone);
			i = r->n; /* entries moved: look again from the end */
		}
	}
	for (int j = 0; j < n; j++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[j]->d_name);
		sync_file(r, path);
		free(names[j]);
	}
	free(names);
	return 0;
}

int reg_load_paths(struct registry *r, const char *const *paths, size_t n_paths, struct diag_list *d, char *err,
		   size_t errlen)
{
	int rc = 0;

	err[0] = '\0';
	/* every file is tried: all their problems are reported at once */
	for (size_t i = 0; i < n_paths; i++) {
		char **files, why[256], kerr[1024];
		size_t n;

		if (pol_expand(paths[i], &files, &n, d))
			return -ENOMEM;
		for (size_t j = 0; j < n; j++) {
			size_t nerr = d->nerr, len;
			char *text;
			int fr = read_text(files[j], &text, &len, why, sizeof(why));

			if (fr) {
				diag_add(d, files[j], DIAG_ERROR, 0, 0, "%s", why);
			} else {
				fr = reg_add(r, REG_FILE, files[j], text, len, REG_MODE_POLICY, d, kerr, sizeof(kerr),
					     NULL, 0);
				/* a kernel's refusal has no line: it is the reason */
				if (fr && d->nerr == nerr && !err[0])
					snprintf(err, errlen, "%s", kerr);
				free(text);
			}
			if (fr && !rc)
				rc = fr;
		}
		pol_files_free(files, n);
	}
	if (d->nerr && !rc)
		rc = -EINVAL;
	diag_sort(d);
	return rc;
}
