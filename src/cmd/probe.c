/* veto probe: what this kernel can do, found by trying. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "probe/probe.h"
#include "util/json.h"
#include "util/out.h"

static const char *errname(int err)
{
	const char *n = strerrorname_np(-err);
	return n ? n : "?";
}

static void text_try(const char *label, const char *what, const struct probe_try *t)
{
	printf("  %-12s %-36s ", label, what);
	if (!t->tried)
		printf("not tried: %s\n", t->detail);
	else if (t->load_err)
		printf("refused: load: %s (%s)%s%s\n", strerror(-t->load_err), errname(t->load_err),
		       t->detail[0] ? ": " : "", t->detail);
	else if (t->attach_err)
		printf("refused: attach: %s (%s)%s%s\n", strerror(-t->attach_err), errname(t->attach_err),
		       t->detail[0] ? ": " : "", t->detail);
	else
		printf("works%s%s\n", t->detail[0] ? ": " : "", t->detail);
}

static void json_try(struct jw *w, const char *key, const char *what, const struct probe_try *t)
{
	int err = t->load_err ? t->load_err : t->attach_err;

	jw_key(w, key);
	jw_obj_open(w);
	if (what)
		jw_kstr(w, "attach", what);
	jw_kbool(w, "tried", t->tried);
	jw_kbool(w, "loads", t->tried && !t->load_err);
	jw_kbool(w, "works", probe_try_ok(t));
	if (err) {
		jw_kstr(w, "stage", t->load_err ? "load" : "attach");
		jw_kstr(w, "errno", errname(err));
		jw_kstr(w, "error", strerror(-err));
	}
	jw_kstr(w, "detail", t->detail);
	jw_obj_close(w);
}

static int print_json(const struct probe_report *r, const char *why)
{
	struct jw w;
	int err;

	jw_init(&w);
	jw_obj_open(&w);
	jw_kstr(&w, "kernel", r->release);
	jw_key(&w, "lsm");
	jw_obj_open(&w);
	if (r->lsm_err)
		jw_kstr(&w, "error", strerror(-r->lsm_err));
	else
		jw_kstr(&w, "active", r->lsm);
	jw_kbool(&w, "bpf", r->lsm_has_bpf);
	jw_obj_close(&w);
	jw_kbool(&w, "btf", r->btf);
	jw_key(&w, "programs");
	jw_obj_open(&w);
	for (int k = 0; k < PK__COUNT; k++)
		json_try(&w, probe_kind_name(k), probe_kind_section(k), &r->kind[k]);
	jw_obj_close(&w);
	json_try(&w, "ringbuf", NULL, &r->ringbuf);
	json_try(&w, "send_signal", NULL, &r->send_signal);
	json_try(&w, "lsm_deny", NULL, &r->lsm_deny);
	jw_kstr(&w, "verdict", verdict_name(r->verdict));
	jw_kstr(&w, "reason", why);
	jw_obj_close(&w);
	err = jw_flush_line(&w, stdout);
	jw_free(&w);
	return err;
}

static void print_text(const struct probe_report *r, const char *why)
{
	printf("kernel         %s\n", r->release);
	if (r->lsm_err)
		printf("active LSMs    unreadable: %s\n", strerror(-r->lsm_err));
	else
		printf("active LSMs    %s (bpf %s)\n", r->lsm, r->lsm_has_bpf ? "present" : "ABSENT");
	printf("BTF            %s\n", r->btf ? "present (/sys/kernel/btf/vmlinux)" : "absent");
	printf("programs\n");
	for (int k = 0; k < PK__COUNT; k++)
		text_try(probe_kind_name(k), probe_kind_section(k), &r->kind[k]);
	printf("features\n");
	text_try("ringbuf", "BPF_MAP_TYPE_RINGBUF", &r->ringbuf);
	text_try("send_signal", "bpf_send_signal()", &r->send_signal);
	text_try("lsm deny", "an exec denied by an lsm program", &r->lsm_deny);
	printf("verdict: %s: %s\n", verdict_name(r->verdict), why);
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: veto probe [-o text|json] [-v]\n"
		   "Loads and attaches a tiny program of each kind veto uses and reports\n"
		   "what this kernel allows. -v shows libbpf's messages.\n");
}

int cmd_probe(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct probe_report r;
	char why[512];
	int c, err;

	while ((c = getopt_long(argc, argv, "o:vh", opts, NULL)) != -1) {
		if ((err = cmd_opt_rest(c, usage)) != CMD_NEXT)
			return err;
	}
	if ((err = cmd_no_args("probe", argc, argv)))
		return err;
	err = probe_run(&r);
	if (err == -EPERM) {
		out_error("probe: needs root (CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON) to load programs");
		return 1;
	}
	if (err) {
		out_error("probe: %s", strerror(-err));
		return 1;
	}
	probe_verdict(&r, why, sizeof(why));
	if (out_fmt == OUT_JSON)
		return print_json(&r, why) ? 1 : 0;
	print_text(&r, why);
	return 0;
}
