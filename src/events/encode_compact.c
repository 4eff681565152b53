/* The compact line, as `tetra getevents -o compact` writes it:
 *   🚀 process NODE /bin/sh -c "exit 7"
 *   💥 exit    NODE /bin/sh -c "exit 7" 7
 *   🔒 LSM     NODE /usr/bin/cat file_open denied EPERM, killed
 * the label in blue, the node (or namespace/pod) in green, the binary in
 * magenta, arguments in cyan, an exit status in red; veto's outcome in red
 * after Tetragon's text. Every string from the event is written so that it
 * cannot act on a terminal (escapes below). */
#include "events/compact.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile/syscalls.h"
#include "events/encode.h"
#include "events/evjson.h"

#define E_PROCESS "\xf0\x9f\x9a\x80"
#define E_EXIT "\xf0\x9f\x92\xa5"
#define E_WRITE "\xf0\x9f\x93\x9d"
#define E_READ "\xf0\x9f\x93\x9a"
#define E_OPEN "\xf0\x9f\x93\xac"
#define E_OPENAT "\xf0\x9f\x93\xac\xef\xb8\x8f"
#define E_CLOSE "\xf0\x9f\x93\xaa"
#define E_MOUNT "\xf0\x9f\x92\xbe"
#define E_KEY "\xf0\x9f\x94\x91"
#define E_CLOCK "\xe2\x8f\xb0"
#define E_TOOL "\xf0\x9f\x94\xa7"
#define E_PLUG "\xf0\x9f\x94\x8c"
#define E_BROOM "\xf0\x9f\xa7\xb9"
#define E_SEND "\xf0\x9f\x93\xa4"
#define E_BEE "\xf0\x9f\x90\x9d"
#define E_MAP "\xf0\x9f\x97\xba"
#define E_QUESTION "\xe2\x9d\x93"
#define E_PHONE "\xe2\x98\x8e "
#define E_TP "\xe2\x81\x89\xef\xb8\x8f"
#define E_LOCK "\xf0\x9f\x94\x92"
#define E_STOP "\xf0\x9f\x9b\x91"

/* Tetragon's line length before its capability trailer. */
#define CAPS_COLUMN 120

enum col { C_PLAIN = 0, C_RED = 31, C_GREEN = 32, C_BLUE = 34, C_MAGENTA = 35, C_CYAN = 36 };

struct out {
	struct jw *w;
	bool color;
};

static void raw(struct out *o, const char *s)
{
	jw_raw(o->w, s, strlen(s));
}

/* The code point of the UTF-8 sequence at s (k > 1 bytes). */
static uint32_t code_point(const unsigned char *s, size_t k)
{
	if (k == 2)
		return (s[0] & 0x1fu) << 6 | (s[1] & 0x3fu);
	if (k == 3)
		return (s[0] & 0x0fu) << 12 | (s[1] & 0x3fu) << 6 | (s[2] & 0x3fu);
	return (s[0] & 0x07u) << 18 | (s[1] & 0x3fu) << 12 | (s[2] & 0x3fu) << 6 | (s[3] & 0x3fu);
}

/* What Go's strconv.IsPrint refuses, but for unassigned code points:
 * controls (C0, DEL, C1), spaces other than U+0020, line and paragraph
 * separators, format characters (the bidi controls among them), private
 * use and noncharacters. None of these reaches a terminal raw. */
static bool unprintable(uint32_t c)
{
	static const struct { uint32_t lo, hi; } r[] = {
		{ 0x00, 0x1f },       { 0x7f, 0xa0 },       { 0xad, 0xad },       { 0x600, 0x605 },
		{ 0x61c, 0x61c },     { 0x6dd, 0x6dd },     { 0x70f, 0x70f },     { 0x890, 0x891 },
		{ 0x8e2, 0x8e2 },     { 0x1680, 0x1680 },   { 0x180e, 0x180e },   { 0x2000, 0x200f },
		{ 0x2028, 0x202f },   { 0x205f, 0x2064 },   { 0x2066, 0x206f },   { 0x3000, 0x3000 },
		{ 0xd800, 0xf8ff },   { 0xfdd0, 0xfdef },   { 0xfeff, 0xfeff },   { 0xfff9, 0xfffb },
		{ 0x110bd, 0x110bd }, { 0x110cd, 0x110cd }, { 0x13430, 0x1343f }, { 0x1bca0, 0x1bca3 },
		{ 0x1d173, 0x1d17a }, { 0xe0001, 0xe0001 }, { 0xe0020, 0xe007f }, { 0xf0000, 0x10ffff },
	};

	if ((c & 0xfffe) == 0xfffe)
		return true;
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		if (c >= r[i].lo && c <= r[i].hi)
			return true;
	return false;
}

/* Does s need Go's quoting: a space, something unprintable, an invalid byte? */
static bool needs_quotes(const char *s, size_t n)
{
	for (size_t i = 0, k; i < n; i += k ? k : 1) {
		k = utf8_seq(s + i, n - i);
		if (k == 0 || s[i] == ' ' ||
		    unprintable(k == 1 ? (unsigned char)s[i] : code_point((const unsigned char *)s + i, k)))
			return true;
	}
	return false;
}

/* A string from the event as tetra writes it: as it is, or, when it holds a
 * space or anything unprintable, quoted as Go's %q does (\" \\ \t \n \x1b
 * \u202e ...), so that nothing in it acts on a terminal or reorders the line.
 * (tetra leaves pod names, function names and a few others unquoted; veto
 * quotes every string alike.) */
static void text(struct out *o, const char *s)
{
	static const char esc[] = "\a\b\f\n\r\t\v", letter[] = "abfnrtv";
	size_t n = strlen(s), run = 0;

	if (!n || !needs_quotes(s, n)) {
		jw_raw(o->w, s, n);
		return;
	}
	jw_raw(o->w, "\"", 1);
	for (size_t i = 0, k; i < n; i += k ? k : 1) {
		const unsigned char *u = (const unsigned char *)s + i;
		uint32_t c = 0;
		char e[12];

		k = utf8_seq(s + i, n - i);
		if (k > 1)
			c = code_point(u, k);
		if (k == 1 && (*u == '"' || *u == '\\'))
			snprintf(e, sizeof(e), "\\%c", *u);
		else if (k == 1 && *u && strchr(esc, *u))
			snprintf(e, sizeof(e), "\\%c", letter[strchr(esc, *u) - esc]);
		else if (k <= 1 && (k == 0 || unprintable(*u)))
			snprintf(e, sizeof(e), "\\x%02x", *u);
		else if (k > 1 && unprintable(c))
			snprintf(e, sizeof(e), c > 0xffff ? "\\U%08x" : "\\u%04x", (unsigned)c);
		else
			continue;
		jw_raw(o->w, s + run, i - run);
		raw(o, e);
		run = i + (k ? k : 1);
	}
	jw_raw(o->w, s + run, n - run);
	jw_raw(o->w, "\"", 1);
}

void compact_text(struct jw *w, const char *s)
{
	struct out o = { .w = w };

	text(&o, s);
}

static void on(struct out *o, enum col c)
{
	char b[8];

	if (o->color && c) {
		snprintf(b, sizeof(b), "\x1b[%dm", (int)c);
		raw(o, b);
	}
}

static void off(struct out *o, enum col c)
{
	if (o->color && c)
		raw(o, "\x1b[0m");
}

static void put(struct out *o, enum col c, const char *s)
{
	on(o, c);
	text(o, s);
	off(o, c);
}

/* "🚀 process": the emoji and the word padded to 7 columns, in blue. */
static void label(struct out *o, const char *emoji, const char *word)
{
	char b[64];

	snprintf(b, sizeof(b), "%s %-7s", emoji, word);
	on(o, C_BLUE);
	raw(o, b);
	off(o, C_BLUE);
}

/* A number member as written in the JSON (proto JSON writes 64-bit ones as
 * strings), "0" when absent. */
static const char *num(const struct jr *obj, const char *key)
{
	const struct jr *v = obj ? jr_get(obj, key) : NULL;

	return v && (v->type == JR_NUM || v->type == JR_STR) && v->str[0] ? v->str : "0";
}

/* args[i]'s member key (file_arg, int_arg, ...), or NULL. */
static const struct jr *arg(const struct jr *in, size_t i, const char *key)
{
	const struct jr *a = jr_get(in, "args");

	if (!a || a->type != JR_ARR || i >= a->n || a->kids[i].type != JR_OBJ)
		return NULL;
	return key ? jr_get(&a->kids[i], key) : &a->kids[i];
}

static size_t nargs(const struct jr *in)
{
	const struct jr *a = jr_get(in, "args");

	return a && a->type == JR_ARR ? a->n : 0;
}

static const char *arg_path(const struct jr *in, size_t i, const char *key)
{
	return evjson_str(arg(in, i, key), "path");
}

static void sock(struct out *o, const struct jr *in)
{
	const struct jr *s = arg(in, 0, "sock_arg");

	on(o, C_CYAN);
	raw(o, "tcp ");
	text(o, jr_str(s, "saddr"));
	raw(o, ":");
	raw(o, num(s, "sport"));
	raw(o, " -> ");
	text(o, jr_str(s, "daddr"));
	raw(o, ":");
	raw(o, num(s, "dport"));
	off(o, C_CYAN);
}

/* function_name without the architecture's syscall prefix. */
static const char *cut_prefix(const char *f)
{
	static const char *const pre[] = { "__x64_", "__ia32_", "__arm64_" };

	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
		if (!strncmp(f, pre[i], strlen(pre[i])))
			return f + strlen(pre[i]);
	return f;
}

/* The kprobe line after the process: Tetragon's words for the functions its
 * own policies hook, the function name for any other. */
static void kprobe(struct out *o, const struct jr *in, struct jw *lab)
{
	const char *f = cut_prefix(jr_str(in, "function_name"));
	struct out lo = { lab, o->color };
	size_t n = nargs(in);

	if (!strcmp(f, "sys_write") || !strcmp(f, "sys_read")) {
		label(&lo, f[4] == 'w' ? E_WRITE : E_READ, f + 4);
		put(o, C_CYAN, arg_path(in, 0, "file_arg"));
		raw(o, " ");
		if (n > 2) {
			on(o, C_CYAN);
			raw(o, num(arg(in, 2, NULL), "size_arg"));
			raw(o, " bytes");
			off(o, C_CYAN);
		}
	} else if (!strcmp(f, "fd_install")) {
		label(&lo, E_OPEN, "open");
		put(o, C_CYAN, arg_path(in, 1, "file_arg"));
	} else if (!strcmp(f, "sys_openat") || !strcmp(f, "sys_open")) {
		label(&lo, E_OPENAT, f + 4);
		put(o, C_CYAN, jr_str(arg(in, 1, NULL), "string_arg"));
	} else if (!strcmp(f, "sys_close")) {
		label(&lo, E_CLOSE, "close");
		put(o, C_CYAN, arg_path(in, 0, "file_arg"));
	} else if (!strcmp(f, "sys_mount") || !strcmp(f, "sys_pivot_root")) {
		label(&lo, E_MOUNT, f + 4);
		put(o, C_CYAN, jr_str(arg(in, 0, NULL), "string_arg"));
		raw(o, " ");
		put(o, C_CYAN, jr_str(arg(in, 1, NULL), "string_arg"));
	} else if (!strcmp(f, "sys_setuid")) {
		label(&lo, E_KEY, "setuid");
		if (n > 0) {
			on(o, C_CYAN);
			raw(o, num(arg(in, 0, NULL), "int_arg"));
			off(o, C_CYAN);
		}
	} else if (!strcmp(f, "sys_clock_settime") || !strcmp(f, "proc_exec_connector")) {
		label(&lo, f[0] == 's' ? E_CLOCK : E_TOOL, f[0] == 's' ? "clock_settime" : f);
		o->w->len--; /* no word after the process: drop the separator */
	} else if (!strcmp(f, "sys_setns")) {
		static const struct { long v; const char *n; } ns[] = {
			{ 0, "any" }, { 0x2000000, "cgroup" }, { 0x8000000, "ipc" }, { 0x40000000, "net" },
			{ 0x20000, "mnt" }, { 0x20000000, "pid" }, { 0x80, "time" }, { 0x10000000, "user" },
			{ 0x4000000, "uts" },
		};
		long v = strtol(num(arg(in, 1, NULL), "int_arg"), NULL, 10);

		label(&lo, E_TOOL, "setns");
		for (size_t i = 0; n > 1 && i < sizeof(ns) / sizeof(ns[0]); i++)
			if (ns[i].v == v)
				raw(o, ns[i].n);
	} else if (!strcmp(f, "tcp_connect") || !strcmp(f, "tcp_close") || !strcmp(f, "tcp_sendmsg")) {
		label(&lo, f[4] == 'c' && f[5] == 'o' ? E_PLUG : f[4] == 'c' ? E_BROOM : E_SEND,
		      f[4] == 'c' && f[5] == 'o' ? "connect" : f + 4);
		if (n > 0)
			sock(o, in);
		if (f[4] == 's') {
			raw(o, " bytes ");
			raw(o, num(arg(in, 1, NULL), "int_arg"));
		}
	} else if (!strcmp(f, "security_file_permission") && n > 1) {
		const char *act = num(arg(in, 1, NULL), "int_arg");

		label(&lo, !strcmp(act, "2") ? E_WRITE : !strcmp(act, "4") ? E_READ : E_QUESTION,
		      !strcmp(act, "2") ? "write" : !strcmp(act, "4") ? "read" : f);
		put(o, C_CYAN, arg_path(in, 0, "file_arg"));
	} else if (!strcmp(f, "security_mmap_file") && n > 1) {
		unsigned long prot = strtoul(num(arg(in, 1, NULL), "uint_arg"), NULL, 10);
		char tag[16];

		snprintf(tag, sizeof(tag), "mmap-%s%s%s", prot & 1 ? "r" : "", prot & 2 ? "w" : "",
			 prot & 4 ? "x" : "");
		label(&lo, E_WRITE, tag);
		put(o, C_CYAN, arg_path(in, 0, "file_arg"));
	} else if (!strcmp(f, "security_path_truncate") && n > 0) {
		label(&lo, E_WRITE, "truncate");
		put(o, C_CYAN, arg_path(in, 0, "path_arg"));
	} else if (!strcmp(f, "security_file_permission") || !strcmp(f, "security_mmap_file") ||
		   !strcmp(f, "security_path_truncate")) {
		label(&lo, E_QUESTION, f);
	} else {
		label(&lo, E_QUESTION, "syscall");
		text(o, jr_str(in, "function_name"));
	}
}

/* raw_syscalls/sys_enter: the system call's name from its first argument. */
static void raw_syscall(struct out *o, const struct jr *in)
{
	const struct jr *id = arg(in, 0, "syscall_id");
	const char *abi = id ? jr_str(id, "abi") : "x64";
	const char *nr = id ? num(id, "id") : num(arg(in, 0, NULL), "long_arg");
	bool i386 = !strcmp(abi, "i386");
	const char *name = NULL;
	char *end;
	long long v = strtoll(nr, &end, 10);

	if (!*end && v >= 0 && (i386 || !strcmp(abi, "x64")))
		name = syscall_name((uint64_t)v | (i386 ? SYSCALL_IA32 : 0));
	if (name && i386)
		raw(o, "i386/");
	raw(o, name ? name : "unknown");
}

/* What veto did, from the "veto" key: "denied EPERM, killed",
 * "monitor, would deny EPERM", "call completes". */
static void outcome(struct out *o, const struct jr *v)
{
	static const struct { const char *key, *say; } parts[] = {
		{ "denied", "denied" },   { "would_deny", "would deny" }, { "killed", "killed" },
		{ "would_kill", "would kill" }, { "signaled", "signaled" }, { "would_signal", "would signal" },
		{ "call_completes", "call completes" },
	};
	bool monitor = !strcmp(jr_str(v, "mode"), "monitor");
	int said = 0;

	raw(o, " ");
	on(o, C_RED);
	if (monitor)
		raw(o, "monitor");
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		const struct jr *b = jr_get(v, parts[i].key);
		if (!b || b->type != JR_BOOL || !b->b)
			continue;
		raw(o, monitor || said ? ", " : "");
		raw(o, parts[i].say);
		if (i < 2 && jr_str(v, "errno")[0]) {
			raw(o, " ");
			text(o, jr_str(v, "errno"));
		}
		said++;
	}
	if (!said)
		raw(o, monitor ? ", would allow" : "allowed");
	off(o, C_RED);
}

/* "🛑 CAP_SYS_ADMIN" where tetra shows it: it tests the positions of the
 * effective list, so a list of 22 or more capabilities shows it. */
static bool sys_admin(const struct jr *proc)
{
	const struct jr *cap = jr_get(proc, "cap");
	const struct jr *eff = cap ? jr_get(cap, "effective") : NULL;

	return eff && eff->type == JR_ARR && eff->n > 21;
}

/* Tetragon's "%s %*s": the trailer right-aligned to column 120 (the line
 * counted in bytes, the trailer in characters, escapes included). */
static void caps_trailer(struct out *o, size_t line_len, const struct jr *proc)
{
	const char *caps = sys_admin(proc) ? E_STOP " CAP_SYS_ADMIN" : "";
	size_t runes = sys_admin(proc) ? 15 : 0, pad = line_len < CAPS_COLUMN ? CAPS_COLUMN - line_len : 0;

	if (o->color)
		runes += 9; /* its colour escapes, written even around nothing */
	if (!runes)
		return;
	raw(o, " ");
	for (size_t i = runes; i < pad; i++)
		raw(o, " ");
	on(o, C_MAGENTA);
	raw(o, caps);
	off(o, C_MAGENTA);
}

/* "2026-12-02T13:29:35.000000000Z": Go's RFC 3339 with 9 fraction digits. */
static void timestamp(struct out *o, const char *t)
{
	const char *dot = strchr(t, '.'), *z = strchr(t, 'Z');
	size_t digits;

	if (!t[0]) {
		raw(o, "1970-01-01T00:00:00.000000000Z "); /* as tetra: no time, the epoch */
		return;
	}
	if (!z || z[1] || (dot && dot > z)) {
		text(o, t); /* not UTC as exports write it: as it is */
		raw(o, " ");
		return;
	}
	digits = dot ? (size_t)(z - dot - 1) : 0;
	jw_raw(o->w, t, (size_t)((dot ? dot : z) - t));
	raw(o, ".");
	if (dot)
		jw_raw(o->w, dot + 1, digits > 9 ? 9 : digits);
	for (size_t i = digits; i < 9; i++)
		raw(o, "0");
	raw(o, "Z ");
}

int compact_render(struct jw *w, const struct jr *ev, const struct compact_opts *opt, char *err,
		   size_t errlen)
{
	struct out o = { w, opt->color };
	const struct jr *in, *proc, *pod, *veto;
	const char *name;
	struct jw lab;
	size_t start;
	int kind;

	in = evjson_inner(ev, &kind, &name);
	if (!in) {
		snprintf(err, errlen, name ? "unknown event type '%.64s'" : "not an event", name);
		return -EINVAL;
	}
	proc = jr_get(in, "process");
	if (!proc || proc->type != JR_OBJ) {
		snprintf(err, errlen, "%s: process field is not set", name);
		return -EINVAL;
	}
	if (opt->timestamps)
		timestamp(&o, jr_str(ev, "time"));
	start = w->len;
	/* the label depends on the arguments: written aside, then moved first */
	jw_init(&lab);
	pod = jr_get(proc, "pod");
	if (pod && jr_str(pod, "name")[0]) {
		on(&o, C_GREEN);
		text(&o, jr_str(pod, "namespace"));
		raw(&o, "/");
		text(&o, jr_str(pod, "name"));
		off(&o, C_GREEN);
	} else {
		put(&o, C_GREEN, jr_str(ev, "node_name"));
	}
	raw(&o, " ");
	put(&o, C_MAGENTA, jr_str(proc, "binary"));
	raw(&o, " ");
	switch (kind) {
	case EV_PROCESS_EXEC:
	case EV_PROCESS_EXIT:
		label(&(struct out){ &lab, o.color }, kind == EV_PROCESS_EXEC ? E_PROCESS : E_EXIT,
		      kind == EV_PROCESS_EXEC ? "process" : "exit");
		put(&o, C_CYAN, jr_str(proc, "arguments"));
		if (kind == EV_PROCESS_EXIT) {
			raw(&o, " ");
			on(&o, C_RED);
			if (jr_str(in, "signal")[0])
				text(&o, jr_str(in, "signal"));
			else
				raw(&o, num(in, "status"));
			off(&o, C_RED);
		}
		break;
	case EV_PROCESS_KPROBE:
		kprobe(&o, in, &lab);
		break;
	case EV_PROCESS_TRACEPOINT:
		if (!strcmp(jr_str(in, "subsys"), "raw_syscalls") && !strcmp(jr_str(in, "event"), "sys_enter")) {
			label(&(struct out){ &lab, o.color }, E_PHONE, "syscall");
			raw_syscall(&o, in);
		} else {
			label(&(struct out){ &lab, o.color }, E_TP, "tracepoint");
			text(&o, jr_str(in, "subsys"));
			raw(&o, " ");
			text(&o, jr_str(in, "event"));
		}
		break;
	default:
		label(&(struct out){ &lab, o.color }, E_LOCK, "LSM");
		text(&o, jr_str(in, "function_name"));
	}
	veto = jr_get(ev, "veto");
	if (veto && veto->type == JR_OBJ)
		outcome(&o, veto);
	/* the label, then a space, before what was written from start */
	jw_raw(&lab, " ", 1);
	jw_raw(w, lab.buf, lab.len); /* room at the end, then rotate */
	if (!w->oom && !lab.oom) {
		size_t body = w->len - lab.len - start;
		memmove(w->buf + start + lab.len, w->buf + start, body);
		memcpy(w->buf + start, lab.buf, lab.len);
	}
	jw_free(&lab);
	caps_trailer(&o, w->len - start, proc);
	return w->oom ? -ENOMEM : 0;
}

/* The agent's compact sinks: the event's JSON (with the "veto" key), read
 * back and rendered, so that they print what getevents prints. */
void enc_compact(struct jw *w, const struct enc_ctx *ctx, const struct ev *e)
{
	static const struct compact_opts plain;
	char err[128];
	struct jw j;
	struct jr v;

	jw_init(&j);
	enc_json(&j, ctx, e, ENC_VETO); /* the outcome comes from the veto key */
	jw_raw(&j, "", 1); /* its NUL */
	if (j.oom || jr_parse(j.buf, &v)) {
		w->oom = true;
	} else {
		if (compact_render(w, &v, &plain, err, sizeof(err)))
			w->oom = true; /* the encoder's own JSON always renders */
		jr_free(&v);
	}
	jw_free(&j);
}
