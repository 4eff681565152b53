/* veto store: the event store's own commands. `import` reads exported
 * events (Tetragon's files, the agent's, plain or gzip) into a store through
 * store_put_json, the agent's own ingest path, in one transaction: every
 * line is taken, or (a bad line, an unreadable file, a full disk) none. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cmd/cmd.h"
#include "store/import.h"
#include "store/store.h"
#include "util/json.h"
#include "util/lines.h"
#include "util/out.h"
#include "util/timefmt.h"

#define BAD_SHOWN 20 /* bad lines named one by one; the rest are counted */

static void import_usage(FILE *f)
{
	fprintf(f,
		"Usage: veto store import [--store PATH] [--skip-bad] [-o text|json] [FILE...]\n"
		"Reads exported events, one GetEventsResponse JSON object a line (Tetragon's\n"
		"export files and rotated backups, veto's --export-file; pretty-printed objects\n"
		"too), gzip-compressed or not, from each FILE ('-' or none: standard input) into\n"
		"the store, in one transaction: a bad line is an error (FILE:LINE: why) and\n"
		"nothing is imported. An event already in the store (the same line at the same\n"
		"time) is not added again; processes are one row per exec_id.\n"
		"  --store PATH   the store, created when missing (default " STORE_DEFAULT_PATH ")\n"
		"  --skip-bad     import the good lines of a damaged file: bad lines (and the\n"
		"                 unreadable end of a cut gzip file) are counted and named\n"
		"  -o json        the summary as JSON\n");
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: veto store COMMAND [ARGS]\n"
		   "The event store's commands (the store: a SQLite file, " STORE_DEFAULT_PATH " unless\n"
		   "--store says otherwise; read it with veto getevents --from-store, veto lineage):\n"
		   "  import   exported events into the store\n\n");
	import_usage(f);
}

struct file_sum {
	const char *name;
	unsigned long lines, events, bad;
};

struct import {
	struct store *s;
	bool skip_bad;
	bool said; /* an error that stops the import was printed */
	unsigned long bad;
	struct jw bad_json; /* the bad lines named, for -o json */
};

/* A bad line (0: the file as a whole) at col (0: none): named (the first
 * BAD_SHOWN), counted. */
static void bad_line(struct import *im, struct file_sum *fs, unsigned long line, unsigned long col, const char *why)
{
	char where[48] = "";

	im->bad++;
	fs->bad++;
	if (im->bad > BAD_SHOWN)
		return;
	if (line)
		snprintf(where, sizeof(where), col ? ":%lu:%lu" : ":%lu", line, col);
	if (out_fmt == OUT_JSON) {
		jw_obj_open(&im->bad_json);
		jw_kstr(&im->bad_json, "file", fs->name);
		if (line)
			jw_kuint(&im->bad_json, "line", line);
		if (col)
			jw_kuint(&im->bad_json, "column", col);
		jw_kstr(&im->bad_json, "error", why);
		jw_obj_close(&im->bad_json);
	} else {
		fprintf(stderr, "%s: %s%s: %s\n", im->skip_bad ? "Warning" : "Error", fs->name, where, why);
	}
}

/* A line store_put_json refused: its "col N: why" said as FILE:LINE:N
 * when the line is the file's (not one joined from a pretty-printed object). */
static void bad_place(struct import *im, struct file_sum *fs, unsigned long line, bool joined, const char *why)
{
	unsigned long col = 0;
	int n = 0;

	if (!joined && sscanf(why, "col %lu: %n", &col, &n) == 1 && n)
		why += n;
	else
		col = 0;
	bad_line(im, fs, line, col, why);
}

/* One file's events into the open transaction. 0, or -errno after saying
 * why (a file that cannot be read, the store failing). */
static int import_file(struct import *im, struct file_sum *fs)
{
	const char *label = strcmp(fs->name, "-") ? fs->name : "stdin";
	unsigned long line;
	struct lines *l;
	const char *text;
	char why[512];
	size_t len;
	int fd, rc;

	fd = strcmp(fs->name, "-") ? open(fs->name, O_RDONLY | O_CLOEXEC) : dup(0);
	im->said = true; /* until the end, an early return has said why */
	if (fd < 0) {
		rc = -errno;
		out_error("store import: %s: %s", label, strerror(errno));
		return rc;
	}
	if ((rc = lines_open(&l, fd))) {
		out_error("store import: out of memory");
		return rc;
	}
	im->said = false;
	fs->name = label;
	while ((rc = lines_next(l, &text, &len, &line, why, sizeof(why))) != 0) {
		if (rc == -EIO) {
			/* the rest of the file cannot be read: with --skip-bad the lines
			 * before it stay, like any bad line's neighbours */
			snprintf(why + strlen(why), sizeof(why) - strlen(why), " after line %lu%s", lines_count(l),
				 im->skip_bad ? " (the rest of the file skipped)" : "");
			bad_line(im, fs, 0, 0, why);
			rc = im->skip_bad ? 0 : -EINVAL;
			break;
		}
		if (rc == -EINVAL) {
			bad_line(im, fs, line, 0, why);
			continue;
		}
		rc = store_put_json(im->s, text, len, why, sizeof(why));
		if (rc == -EINVAL) {
			bad_place(im, fs, line, lines_joined(l), why);
			continue;
		}
		if (rc) {
			out_error("store import: %s:%lu: %s%s", label, line, why,
				  rc == -ENOSPC ? " (the disk is full)" : "");
			im->said = true;
			break;
		}
		fs->events++;
	}
	fs->lines = lines_count(l);
	lines_close(l);
	return rc;
}

static void print_time(const char *key, int64_t ns)
{
	char t[TIMEFMT_LEN];

	timefmt_rfc3339(ns < 0 ? 0 : (uint64_t)ns, t);
	printf("  %-16s %s\n", key, t);
}

static int summary(struct import *im, const char *path, const struct file_sum *fs, int nfiles,
		   const struct store_added *a, uint64_t copies)
{
	char t[TIMEFMT_LEN];
	struct jw w;
	int rc;

	if (out_fmt != OUT_JSON) {
		printf("imported %llu event%s into %s\n", (unsigned long long)a->events, a->events == 1 ? "" : "s",
		       path);
		for (int i = 0; i < nfiles; i++) {
			printf("  %s: %lu line%s, %lu event%s", fs[i].name, fs[i].lines, fs[i].lines == 1 ? "" : "s",
			       fs[i].events, fs[i].events == 1 ? "" : "s");
			if (fs[i].bad)
				printf(", %lu bad skipped", fs[i].bad);
			printf("\n");
		}
		for (size_t i = 0; i < a->ntypes; i++)
			printf("  %-16s %llu\n", a->types[i].name, (unsigned long long)a->types[i].n);
		printf("  %-16s %llu\n", "new processes", (unsigned long long)a->processes);
		if (copies)
			printf("  %-16s %llu (the same line at the same time, stored before)\n", "copies dropped",
			       (unsigned long long)copies);
		if (a->events) {
			print_time("first", a->first);
			print_time("last", a->last);
		}
		return fflush(stdout) ? 1 : 0;
	}
	jw_init(&w);
	jw_obj_open(&w);
	jw_kstr(&w, "store", path);
	jw_key(&w, "files");
	jw_arr_open(&w);
	for (int i = 0; i < nfiles; i++) {
		jw_obj_open(&w);
		jw_kstr(&w, "file", fs[i].name);
		jw_kuint(&w, "lines", fs[i].lines);
		jw_kuint(&w, "events", fs[i].events);
		jw_kuint(&w, "bad", fs[i].bad);
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	jw_kuint(&w, "events", a->events);
	jw_key(&w, "types");
	jw_obj_open(&w);
	for (size_t i = 0; i < a->ntypes; i++)
		jw_kuint(&w, a->types[i].name, a->types[i].n);
	jw_obj_close(&w);
	jw_kuint(&w, "processes", a->processes);
	jw_kuint(&w, "copies", copies);
	if (a->events) {
		timefmt_rfc3339(a->first < 0 ? 0 : (uint64_t)a->first, t);
		jw_kstr(&w, "first", t);
		timefmt_rfc3339(a->last < 0 ? 0 : (uint64_t)a->last, t);
		jw_kstr(&w, "last", t);
	}
	jw_kuint(&w, "skipped", im->bad);
	if (im->bad) {
		jw_key(&w, "bad_lines");
		jw_raw(&w, im->bad_json.buf, im->bad_json.len);
		jw_arr_close(&w);
	}
	jw_obj_close(&w);
	rc = jw_flush_line(&w, stdout);
	jw_free(&w);
	return rc ? 1 : 0;
}

static const char *file_kind(mode_t m)
{
	return S_ISDIR(m) ? "a folder" : S_ISCHR(m) || S_ISBLK(m) ? "a device" : S_ISFIFO(m) ? "a FIFO" : "a socket";
}

/* The files named: each there and something to read (a FIFO, like
 * <(zcat ...), is; a device or a folder is not), before anything starts. */
static int check_files(char **files, int n)
{
	struct stat st;

	for (int i = 0; i < n; i++) {
		if (!strcmp(files[i], "-"))
			continue;
		if (stat(files[i], &st) < 0) {
			out_error("store import: %s: %s", files[i], strerror(errno));
			return 1;
		}
		if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
			out_error("store import: %s: not a file (%s)", files[i], file_kind(st.st_mode));
			return 1;
		}
	}
	return 0;
}

/* A new store's folder is not there: said (SQLite would only say it
 * cannot open the file). */
static bool folder_missing(const char *path)
{
	char dir[4096];
	struct stat st;
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		return false;
	slash[slash == dir] = '\0';
	if (stat(dir, &st) < 0) {
		out_error("store import: %s: its folder %s: %s", path, dir, strerror(errno));
		return true;
	}
	return false;
	return true;
}

static const char *db_message(struct store *s)
{
	return sqlite3_errmsg(store_db(s));
}

/* Removes a store this run created and could not fill: no empty leftovers. */
static void remove_created(const char *path)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char p[4096];

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		/* a name cut short would be another file's */
		if ((size_t)snprintf(p, sizeof(p), "%s%s", path, sfx[i]) < sizeof(p))
			unlink(p);
	}
}

static int cmd_import(int argc, char **argv)
{
	enum { O_STORE = 256, O_SKIP };
	static const struct option opts[] = {
		{ "store", required_argument, NULL, O_STORE },
		{ "skip-bad", no_argument, NULL, O_SKIP },
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static char *stdin_only[] = { "-" };
	struct import im = { 0 };
	const char *path = STORE_DEFAULT_PATH;
	struct store_added added;
	struct store_mark mark;
	struct file_sum *fs;
	uint64_t copies = 0;
	char err[512], **files;
	struct stat st;
	bool created, committed = false;
	int c, nfiles, rc = 0, status = 1;

	optind = 0;
	while ((c = getopt_long(argc, argv, "o:vh", opts, NULL)) != -1) {
		switch (c) {
		case O_STORE:
			if (!optarg[0]) {
				out_error("store import: --store: an empty path");
				return 2;
			}
			path = optarg;
			break;
		case O_SKIP:
			im.skip_bad = true;
			break;
		default:
			if ((rc = cmd_opt_rest(c, import_usage)) != CMD_NEXT)
				return rc;
		}
	}
	files = optind < argc ? argv + optind : stdin_only;
	nfiles = optind < argc ? argc - optind : 1;
	if (optind >= argc && isatty(0)) {
		out_error("store import: no FILE, and standard input is a terminal (give files, or pipe them in)");
		return 2;
	}
	if (check_files(files, nfiles))
		return 1;
	fs = calloc((size_t)nfiles, sizeof(*fs));
	if (!fs)
		return 1;
	created = stat(path, &st) < 0;
	if (created && errno != ENOENT) {
		out_error("store import: %s: %s", path, strerror(errno));
		free(fs);
		return 1;
	}
	/* SQLite would make a device or a FIFO a database, its journal beside */
	if (!created && !S_ISREG(st.st_mode)) {
		out_error("store import: %s: not a file (%s)", path, file_kind(st.st_mode));
		free(fs);
		return 1;
	}
	/* the default store's folder is veto's own: made when missing */
	if (created && !strcmp(path, STORE_DEFAULT_PATH))
		mkdir("/var/lib/veto", 0700);
	if (created && folder_missing(path)) {
		free(fs);
		return 1;
	}
	rc = store_open(&im.s, path, false, err, sizeof(err));
	if (rc) {
		out_error("store import: %s", err);
		free(fs);
		return 1;
	}
	jw_init(&im.bad_json);
	jw_arr_open(&im.bad_json);
	rc = store_begin(im.s);
	if (rc) {
		out_error("store import: %s: %s%s", path, db_message(im.s),
			  rc == -EBUSY ? " (another writer, such as the agent, holds it)" : "");
		goto out;
	}
	rc = store_mark(im.s, &mark);
	for (int i = 0; i < nfiles && !rc; i++) {
		fs[i].name = files[i];
		rc = import_file(&im, &fs[i]);
	}
	if (!rc && im.bad && !im.skip_bad) {
		rc = -EINVAL;
		if (im.bad > BAD_SHOWN && out_fmt != OUT_JSON)
			fprintf(stderr, "Error: ... and %lu more bad lines\n", im.bad - BAD_SHOWN);
	}
	if (!rc)
		rc = store_drop_copies(im.s, &mark, &copies);
	if (!rc)
		rc = store_added(im.s, &mark, &added);
	if (rc) {
		store_rollback(im.s);
		if (rc == -EINVAL && out_fmt == OUT_JSON) {
			struct jw w;

			jw_init(&w);
			jw_obj_open(&w);
			snprintf(err, sizeof(err), "store import: %lu bad line%s: nothing imported", im.bad,
				 im.bad == 1 ? "" : "s");
			jw_kstr(&w, "error", err);
			jw_key(&w, "bad_lines");
			jw_raw(&w, im.bad_json.buf, im.bad_json.len);
			jw_arr_close(&w);
			jw_obj_close(&w);
			jw_flush_line(&w, stdout);
			jw_free(&w);
		} else if (rc == -EINVAL && im.bad) {
			out_error("store import: %lu bad line%s: nothing imported%s", im.bad, im.bad == 1 ? "" : "s",
				  " (--skip-bad imports the others)");
		} else if (!im.said) {
			out_error("store import: %s: %s", path, db_message(im.s));
		}
		goto out;
	}
	rc = store_commit(im.s);
	if (rc) {
		out_error("store import: %s: committing: %s", path, db_message(im.s));
		goto out;
	}
	committed = true;
	if (im.bad)
		fprintf(stderr, "Warning: store import: %lu bad line%s skipped\n", im.bad, im.bad == 1 ? "" : "s");
	status = summary(&im, path, fs, nfiles, &added, copies);
out:
	store_close(im.s);
	if (!committed && created)
		remove_created(path);
	jw_free(&im.bad_json);
	free(fs);
	return status;
}

static const struct cmd subs[] = {
	{ "import", cmd_import, "exported events (Tetragon's, veto's, gzip or not) into the store" },
};

int cmd_store(int argc, char **argv)
{
	return cmd_dispatch("store", subs, sizeof(subs) / sizeof(subs[0]), argc, argv, usage);
}
