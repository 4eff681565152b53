/* Decoding of the process sensor's and the policy programs' records. */
#include "events/decode.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

size_t proc_join_reversed(const char *rev, size_t len, char *out, size_t outlen)
{
	size_t o = 0, end = len;

	if (outlen == 0)
		return 0;
	/* walk the components from the last one (the root side) back */
	while (end > 0) {
		size_t stop = end;
		size_t start;

		if (rev[stop - 1] == '\0')
			stop--;
		start = stop;
		while (start > 0 && rev[start - 1] != '\0')
			start--;
		if (stop > start && o + 1 + (stop - start) < outlen) {
			out[o++] = '/';
			memcpy(out + o, rev + start, stop - start);
			o += stop - start;
		}
		end = start;
	}
	if (o == 0 && outlen > 1)
		out[o++] = '/';
	out[o] = '\0';
	return o;
}

static bool needs_quotes(const char *s, size_t n)
{
	if (n == 0)
		return true;
	for (size_t i = 0; i < n; i++)
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')
			return true;
	return false;
}

size_t proc_format_args(const char *argv, size_t len, int skip_first, char *out, size_t outlen)
{
	size_t o = 0, i = 0;
	bool first = true;

	if (outlen == 0)
		return 0;
	if (skip_first) {
		while (i < len && argv[i])
			i++;
		i++;
	}
	while (i < len) {
		size_t start = i, n;
		bool q;

		while (i < len && argv[i])
			i++;
		n = i - start;
		i++;
		/* worst case: separator, quotes and every byte escaped */
		if (o + 2 * n + 4 >= outlen)
			break;
		if (!first)
			out[o++] = ' ';
		first = false;
		q = needs_quotes(argv + start, n);
		if (q)
			out[o++] = '"';
		for (size_t k = 0; k < n; k++) {
			char c = argv[start + k];
			if (q && (c == '"' || c == '\\'))
				out[o++] = '\\';
			out[o++] = c;
		}
		if (q)
			out[o++] = '"';
	}
	out[o] = '\0';
	return o;
}

/* A path section: a string, its NUL optional, cut to fit out. */
static void plain(const char *p, size_t len, char *out, size_t outlen)
{
	size_t n = strnlen(p, len < outlen ? len : outlen - 1);

	memcpy(out, p, n);
	out[n] = '\0';
}

bool proc_path_normal(const char *s)
{
	if (s[0] != '/')
		return false;
	for (const char *c = s; *c; c++) {
		if (*c != '/')
			continue;
		if (c[1] == '/' || (c[1] == '.' && (c[2] == '/' || !c[2] || (c[2] == '.' && (c[3] == '/' || !c[3])))))
			return false;
	}
	return true;
}

/* The binary's section: the name as exec'd, then the file's path (see
 * PROC_BIN_MAX). The name when whole and normal: it keeps what the user
 * ran (a symlink's name); else the path, which the policy engine matches. */
static void binary(struct proc_decoded *out, const char *p, size_t len)
{
	size_t n = strnlen(p, len);

	if (n && n < len && n < PROC_PATH_MAX - 1) {
		plain(p, n, out->binary, sizeof(out->binary));
		if (proc_path_normal(out->binary)) {
			out->h.flags &= ~(PROC_F_TRUNC_PATH | PROC_F_ERR_PATH);
			return;
		}
	}
	if (n < len)
		plain(p + n + 1, len - n - 1, out->binary, sizeof(out->binary));
	else
		out->binary[0] = '\0';
}

size_t proc_argv_rest(const char *argv, size_t len, const char **rest)
{
	size_t i = strnlen(argv, len);

	i = i < len ? i + 1 : len;
	*rest = argv + i;
	return len - i;
}

int proc_decode(const void *data, size_t len, struct proc_decoded *out)
{
	const struct veto_proc_event *h = &out->h; /* the copy: aligned, read once */
	const char *p, *rest;
	size_t total;

	if (len < sizeof(*h))
		return -EINVAL;
	memcpy(&out->h, data, sizeof(*h));
	total = (size_t)h->path_len + h->args_len + h->cwd_len + h->cgrp_len;
	if (h->size > len || h->size < sizeof(*h) || total > h->size - sizeof(*h) ||
	    h->path_len >= PROC_BIN_MAX || h->args_len >= PROC_ARGS_MAX ||
	    h->cwd_len >= PROC_CWD_MAX || h->cgrp_len >= PROC_CGRP_MAX)
		return -EINVAL;
	if (h->type < PROC_EV_EXEC || h->type > PROC_EV_EXIT)
		return -EINVAL;
	out->binary[0] = out->args[0] = out->cwd[0] = out->cgroup[0] = '\0';
	out->argv_len = 0;
	if (h->type != PROC_EV_EXEC)
		return 0;
	p = (const char *)data + sizeof(*h);
	binary(out, p, h->path_len);
	p += h->path_len;
	proc_format_args(p, h->args_len, 1, out->args, sizeof(out->args));
	out->argv_len = proc_argv_rest(p, h->args_len, &rest);
	memcpy(out->argv, rest, out->argv_len);
	p += h->args_len;
	if (!(h->flags & PROC_F_ERR_CWD))
		plain(p, h->cwd_len, out->cwd, sizeof(out->cwd));
	p += h->cwd_len;
	proc_join_reversed(p, h->cgrp_len, out->cgroup, sizeof(out->cgroup));
	return 0;
}

/* Ends s[0..n) at len; false when len lies (past the buffer). */
static bool end_str(char *s, size_t n, size_t len)
{
	if (len >= n)
		return false;
	s[len] = '\0';
	return true;
}

int policy_decode(const void *data, size_t len, const struct ev_policy *v, size_t n, struct pol_decoded *out)
{
	struct veto_policy_event *r = &out->r;

	out->policy = NULL;
	out->hook = NULL;
	if (len < sizeof(*r))
		return -EINVAL;
	memcpy(r, data, sizeof(*r));
	if (r->type != VETO_EV_POLICY || r->size != sizeof(*r) || !memchr(r->comm, 0, sizeof(r->comm)))
		return -EINVAL;
	/* the kernel side ends each string at its len; a slot a hook does not
	 * fill keeps an earlier event's, whose len fits its buffer too */
	if (!end_str(r->binary, sizeof(r->binary), r->bin_len))
		return -EINVAL;
	for (int i = 0; i < VETO_ARG_MAX; i++)
		if (!end_str(r->args[i].str, sizeof(r->args[i].str), r->args[i].len))
			return -EINVAL;
	/* a policy's programs report only its own hooks */
	if (r->hook >= VETO_HOOK_MAX || r->policy_id >= n)
		return -EINVAL;
	out->policy = &v[r->policy_id];
	for (size_t i = 0; i < out->policy->n_hooks; i++)
		if (out->policy->hooks[i].id == r->hook)
			out->hook = &out->policy->hooks[i];
	return out->hook ? 0 : -EINVAL;
}
