/* veto reset: removes what veto left in the kernel (the pin folder). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "load/bpffs.h"
#include "load/pin.h"
#include "util/json.h"
#include "util/out.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: veto reset [-o text|json] [--bpf-dir DIR] [--force] [--list | --source FOLDER]\n"
		"Removes everything veto left in the kernel: the policy instances an agent\n"
		"pinned in DIR (they stay in force after a crash, a kill -9 or a stop with\n"
		"--keep-enforcing) and its ring buffer. Once their pins are gone and no agent\n"
		"holds them, the kernel unloads their programs: the policies end.\n"
		"Refused while an agent uses DIR (stop it: a graceful stop unloads too).\n\n"
		"  --bpf-dir DIR     the agent's pin folder (default %s)\n"
		"  --force           remove the pins even while an agent uses DIR: that agent\n"
		"                    holds its own references, so its policies stay in force\n"
		"                    until it stops, and are gone then\n"
		"  --list            show what is pinned (FOLDER, policy, id, mode, age), remove nothing\n"
		"  --source FOLDER   print the policy YAML kept with a pinned instance, remove nothing\n",
		PIN_DEFAULT_DIR);
}

/* An agent holds the folder's lock (see pin_root_open): 1, 0, or -errno. */
static int agent_holds(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = flock(fd, LOCK_EX | LOCK_NB) ? (errno == EWOULDBLOCK ? 1 : -errno) : 0;
	close(fd);
	return r;
}

static const char *mode_name(uint32_t m)
{
	return m == PIN_MONITOR ? "monitor" : "enforce";
}

static uint64_t age_s(const struct pin_state *s)
{
	struct timespec now;
	uint64_t ns;

	clock_gettime(CLOCK_REALTIME, &now);
	ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
	return ns > s->created ? (ns - s->created) / 1000000000ull : 0;
}

static void json_entry(struct jw *w, const struct pin_entry *e)
{
	jw_obj_open(w);
	jw_kstr(w, "folder", e->folder);
	jw_kbool(w, "complete", e->valid);
	if (e->valid) {
		jw_kstr(w, "policy", e->st.name);
		jw_kuint(w, "id", e->st.id);
		jw_kstr(w, "mode", mode_name(e->st.mode));
		jw_kuint(w, "age_seconds", age_s(&e->st));
		jw_kuint(w, "source_bytes", e->st.src_len);
	}
	jw_obj_close(w);
}

static void list(const char *dir, const struct pin_entry *v, size_t n)
{
	struct jw w;

	if (out_fmt == OUT_JSON) {
		jw_init(&w);
		jw_obj_open(&w);
		jw_kstr(&w, "bpf_dir", dir);
		jw_key(&w, "pinned");
		jw_arr_open(&w);
		for (size_t i = 0; i < n; i++)
			json_entry(&w, &v[i]);
		jw_arr_close(&w);
		jw_obj_close(&w);
		jw_flush_line(&w, stdout);
		jw_free(&w);
		return;
	}
	printf("%-32s %-24s %6s %-8s %8s %8s\n", "FOLDER", "POLICY", "ID", "MODE", "AGE", "SOURCE");
	for (size_t i = 0; i < n; i++) {
		const struct pin_state *s = &v[i].st;

		if (!v[i].valid)
			printf("%-32s %-24s (incomplete: no state; removed by the next agent or reset)\n", v[i].folder, "?");
		else
			printf("%-32s %-24s %6u %-8s %7llus %8u\n", v[i].folder, s->name, s->id, mode_name(s->mode),
			       (unsigned long long)age_s(s), s->src_len);
	}
}

static int source(const char *dir, const char *folder)
{
	char *text;
	size_t len;
	int r = pin_source(dir, folder, &text, &len);

	if (r) {
		out_error("reset: %s/policies/%s: %s", dir, folder,
			  r == -ENOENT ? "no such pinned instance, or no source kept with it" : strerror(-r));
		return 1;
	}
	if (out_fmt == OUT_JSON) {
		struct jw w;

		jw_init(&w);
		jw_obj_open(&w);
		jw_kstr(&w, "folder", folder);
		jw_key(&w, "source");
		jw_strn(&w, text, len);
		jw_obj_close(&w);
		jw_flush_line(&w, stdout);
		jw_free(&w);
	} else {
		fwrite(text, 1, len, stdout);
	}
	free(text);
	return 0;
}

static int reset(const char *dir, bool force, bool only_list, const char *src)
{
	struct pin_entry *v;
	struct jw w;
	bool ring_gone = false;
	char ring[PATH_MAX], sub[PATH_MAX];
	size_t n;
	int held, r, bad = 0;

	if (!bpffs_exists(dir) && (src || only_list)) {
		if (only_list)
			list(dir, NULL, 0);
		else
			out_error("reset: %s does not exist: nothing is pinned", dir);
		return only_list ? 0 : 1;
	}
	if (!bpffs_exists(dir)) {
		if (out_fmt != OUT_JSON) {
			printf("nothing to remove: %s does not exist\n", dir);
			return 0;
		}
		jw_init(&w);
		jw_obj_open(&w);
		jw_kstr(&w, "bpf_dir", dir);
		jw_key(&w, "removed");
		jw_arr_open(&w);
		jw_arr_close(&w);
		jw_kbool(&w, "ring", false);
		jw_kbool(&w, "agent_running", false);
		jw_obj_close(&w);
		jw_flush_line(&w, stdout);
		jw_free(&w);
		return 0;
	}
	if (!bpffs_is(dir)) {
		out_error("reset: %s is not on a BPF file system: not a pin folder", dir);
		return 1;
	}
	if (src)
		return source(dir, src);
	r = pin_list(dir, &v, &n);
	if (r) {
		out_error("reset: reading %s: %s", dir, strerror(-r));
		return 1;
	}
	if (only_list) {
		list(dir, v, n);
		free(v);
		return 0;
	}
	held = agent_holds(dir);
	if (held && !force) {
		out_error("reset: %s: %s", dir, held > 0 ? "an agent uses it: stop the agent (a graceful stop unloads "
							  "its policies), or use --force" : strerror(-held));
		free(v);
		return 1;
	}
	jw_init(&w);
	jw_obj_open(&w);
	jw_kstr(&w, "bpf_dir", dir);
	jw_key(&w, "removed");
	jw_arr_open(&w);
	for (size_t i = 0; i < n; i++) {
		r = pin_remove(dir, v[i].folder);
		if (r) {
			out_error("reset: removing %s/policies/%s: %s", dir, v[i].folder, strerror(-r));
			bad++;
			continue;
		}
		json_entry(&w, &v[i]);
		if (out_fmt == OUT_JSON)
			continue;
		if (v[i].valid)
			printf("removed policy %s (%s, id %u, %s)\n", v[i].st.name, v[i].folder, v[i].st.id,
			       mode_name(v[i].st.mode));
		else
			printf("removed incomplete instance %s\n", v[i].folder);
	}
	jw_arr_close(&w);
	free(v);
	snprintf(ring, sizeof(ring), "%s/ring", dir);
	if (bpffs_exists(ring)) {
		if (unlink(ring)) {
			out_error("reset: removing %s: %s", ring, strerror(errno));
			bad++;
		} else {
			ring_gone = true;
			if (out_fmt != OUT_JSON)
				printf("removed the ring buffer %s\n", ring);
		}
	}
	snprintf(sub, sizeof(sub), "%s/policies", dir);
	rmdir(sub);
	if (rmdir(dir) && errno != ENOENT) {
		out_error("reset: %s: %s (left in place: not made by veto?)", dir, strerror(errno));
		bad++;
	} else if (out_fmt != OUT_JSON) {
		printf("removed %s\n", dir);
	}
	jw_kbool(&w, "ring", ring_gone);
	jw_kbool(&w, "agent_running", held > 0);
	jw_obj_close(&w);
	if (out_fmt == OUT_JSON)
		jw_flush_line(&w, stdout);
	jw_free(&w);
	if (held > 0)
		out_warn("reset: an agent still uses %s: its policies stay in force until it stops", dir);
	return bad ? 1 : 0;
}

int cmd_reset(int argc, char **argv)
{
	enum { O_BPFDIR = 256, O_FORCE, O_LIST, O_SOURCE };
	static const struct option opts[] = {
		{ "bpf-dir", required_argument, NULL, O_BPFDIR },
		{ "force", no_argument, NULL, O_FORCE },
		{ "list", no_argument, NULL, O_LIST },
		{ "source", required_argument, NULL, O_SOURCE },
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *dir = PIN_DEFAULT_DIR, *src = NULL;
	bool force = false, only_list = false;
	int c, err;

	while ((c = getopt_long(argc, argv, "o:vh", opts, NULL)) != -1) {
		switch (c) {
		case O_BPFDIR:
			dir = optarg;
			break;
		case O_FORCE:
			force = true;
			break;
		case O_LIST:
			only_list = true;
			break;
		case O_SOURCE:
			src = optarg;
			break;
		default:
			if ((err = cmd_opt_rest(c, usage)) != CMD_NEXT)
				return err;
		}
	}
	if ((err = cmd_no_args("reset", argc, argv)))
		return err;
	if (dir[0] != '/') {
		out_error("reset: bad --bpf-dir '%s' (an absolute path)", dir);
		return 2;
	}
	if (only_list && src) {
		out_error("reset: --list and --source: one at a time");
		return 2;
	}
	if (geteuid() != 0) {
		out_error("reset: needs root (the pins are root's)");
		return 1;
	}
	return reset(dir, force, only_list, src);
}
