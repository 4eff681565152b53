#include "agent/tpolicy.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/log.h"

static void entry_json(struct jw *w, const struct reg_entry *e, int64_t now)
{
	uint64_t st[VETO_STAT__COUNT];
	char where[192];

	reg_stats(e, st);
	jw_obj_open(w);
	jw_kstr(w, "name", e->name);
	jw_kstr(w, "state", reg_state_name(e->state));
	if (e->error)
		jw_kstr(w, "error", e->error);
	jw_kbool(w, "running", e->inst != NULL);
	jw_kstr(w, "mode", e->monitor ? "monitor" : "enforce");
	jw_kstr(w, "origin", reg_origin_name(e->origin));
	jw_kstr(w, "source", e->source);
	jw_key(w, "hooks");
	jw_arr_open(w);
	for (size_t i = 0; e->has_policy && i < e->c.n_hooks; i++)
		jw_str(w, c_hook_where(&e->c.hooks[i], where, sizeof(where)));
	jw_arr_close(w);
	jw_kuint(w, "npost", st[VETO_STAT_POST]);
	jw_kuint(w, "nenforce", st[VETO_STAT_ENFORCE]);
	jw_kuint(w, "nmonitor", st[VETO_STAT_MONITOR]);
	jw_kuint(w, "kernel_memory", e->inst ? engine_policy_memlock(e->inst) : 0);
	jw_kuint(w, "age_seconds", now > e->added ? (uint64_t)(now - e->added) : 0);
	jw_obj_close(w);
}

void tp_list_json(const struct registry *r, struct jw *w)
{
	int64_t now = time(NULL);

	jw_arr_open(w);
	for (size_t i = 0; i < r->n; i++)
		entry_json(w, r->v[i], now);
	jw_arr_close(w);
}

static void answer(struct jw *w, const struct request *req, int rc, const char *err)
{
	jw_obj_open(w);
	if (rc) {
		jw_kstr(w, "error", err);
	} else {
		jw_kbool(w, "ok", true);
		jw_kstr(w, "request", request_verb(req->op));
	}
}

void tp_request(struct registry *r, const struct request *req, const char *body, struct jw *w)
{
	char err[4096] = "", added[1024] = "";
	const char *verb = request_verb(req->op);
	struct diag_list d;
	int rc = 0;

	switch (req->op) {
	case REQ_TP_LIST:
		jw_obj_open(w);
		jw_key(w, "policies");
		tp_list_json(r, w);
		jw_obj_close(w);
		return;
	case REQ_TP_ADD:
		diag_init(&d);
		rc = reg_add(r, REG_SOCKET, req->name, body, req->body_len,
			     req->mode == REQ_MODE_MONITOR ? REG_MODE_MONITOR :
			     req->mode == REQ_MODE_ENFORCE ? REG_MODE_ENFORCE : REG_MODE_POLICY,
			     &d, err, sizeof(err), added, sizeof(added));
		diag_free(&d);
		break;
	case REQ_TP_DELETE:
		rc = reg_delete(r, req->name, err, sizeof(err));
		break;
	case REQ_TP_ENABLE:
		rc = reg_enable(r, req->name, err, sizeof(err));
		break;
	case REQ_TP_DISABLE:
		rc = reg_disable(r, req->name, err, sizeof(err));
		break;
	case REQ_TP_SET_MODE:
		rc = reg_set_mode(r, req->name, req->mode == REQ_MODE_MONITOR, err, sizeof(err));
		break;
	default:
		rc = -1;
		snprintf(err, sizeof(err), "not a tracingpolicy request");
	}
	if (rc)
		logmsg("tracingpolicy %s %s: refused: %s", verb ? verb : "?", req->name, err);
	else if (req->op == REQ_TP_ADD)
		logmsg("tracingpolicy add: %s loaded from the client's %s", added, req->name);
	else
		logmsg("tracingpolicy %s %s%s%s", verb, req->name, req->op == REQ_TP_SET_MODE ? " " : "",
		       req->op == REQ_TP_SET_MODE ? (req->mode == REQ_MODE_MONITOR ? "monitor" : "enforce") : "");
	answer(w, req, rc, err);
	if (!rc && req->op == REQ_TP_ADD) {
		jw_key(w, "policies");
		jw_arr_open(w);
		for (char *s = added, *e; *s; s = *e ? e + 1 : e) {
			e = strchrnul(s, ',');
			jw_strn(w, s, (size_t)(e - s));
		}
		jw_arr_close(w);
	}
	jw_obj_close(w);
}
