/* What a replay found, per candidate policy and selector, and its two
 * renderings: text for people (every string from the events escaped as
 * the compact renderer escapes it) and JSON for tools. */
#ifndef VETO_SIMULATE_REPORT_H
#define VETO_SIMULATE_REPORT_H

#include <stdio.h>

#include "simulate/tree.h"

#define SIM_ROWS     256 /* processes listed per selector */
#define SIM_EXAMPLES 5   /* unmatched events shown per policy */
#define SIM_LOST     100 /* processes listed that would not have run */
#define SIM_KINDS    16  /* event types not simulated, by name */

struct sim_row {
	char *binary, *container;
	char first[40], last[40];
	uint64_t count;
	uint64_t lost;   /* kills: descendants that would not have run */
};

struct sim_sel {
	uint64_t matched, after_kill, undecided;
	uint8_t udim;
	const char *uwhy;
	struct sim_row *rows;
	size_t n_rows;
	uint64_t rows_more; /* matches of processes past SIM_ROWS */
};

struct sim_example {
	char time[40], hook[64], binary[256], arg[256];
};

struct sim_pol_report {
	struct sim_sel (*sel)[VETO_SEL_MAX]; /* per hook */
	uint64_t unmatched, after_kill;
	struct sim_example ex[SIM_EXAMPLES];
	unsigned n_ex;
};

struct sim_lost {
	char *binary, *exec_id, *killer_binary;
	bool denied; /* its exec denied (killer_binary: the caller), not an ancestor killed */
	char time[40];
	uint32_t policy;
};

struct sim_report {
	const char *source;
	struct sim_policy *pol;
	size_t n_pol;
	struct sim_pol_report *per;
	uint64_t lines, events, exec, exit, other_hook, not_simulated;
	struct { char name[48]; uint64_t n; } kinds[SIM_KINDS];
	unsigned n_kinds;
	struct sim_lost lost[SIM_LOST];
	unsigned n_lost;
	uint64_t lost_total;
};

int sim_report_init(struct sim_report *r, struct sim_policy *pol, size_t n, const char *source);
void sim_report_free(struct sim_report *r);
/* A decided match of selector sel at hook h of policy k by process node;
 * the row's index (for the descendants a kill costs), or SIM_NONE. */
uint32_t sim_report_match(struct sim_report *r, size_t k, size_t h, unsigned sel, const struct sim_node *node,
			  const struct sim_event *e);
void sim_report_unmatched(struct sim_report *r, size_t k, const struct sim_event *e);
void sim_report_kind(struct sim_report *r, const struct sim_str *name);
void sim_report_lost(struct sim_report *r, const struct sim_tree *t, uint32_t node, const struct sim_event *e);
/* What a selector does in enforce mode: "kill", "deny", "signal", "post". */
const char *sim_sel_action(const struct sim_hook *sh, unsigned sel);
/* Whether anything would have been denied or killed. */
bool sim_report_stops(const struct sim_report *r);
int sim_report_text(const struct sim_report *r, FILE *f);
int sim_report_json(const struct sim_report *r, FILE *f);

#endif
