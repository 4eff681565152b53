/* The process tree a replay rebuilds from the recorded events: by exec_id,
 * each process's parent, binary, container, the follow ids each candidate
 * policy gives it (followChildren, followForks), and whether enforce mode
 * would have killed it or kept it from running. */
#ifndef VETO_SIMULATE_TREE_H
#define VETO_SIMULATE_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "simulate/eval.h"

#define SIM_NONE ((uint32_t)-1)

struct sim_node {
	char *exec_id, *binary, *container;
	uint64_t hash;        /* of exec_id */
	size_t id_len;
	uint32_t parent;      /* index, or SIM_NONE */
	uint32_t pid;
	bool exec_seen;       /* its exec (or an ancestor list) was recorded */
	bool complete;        /* every ancestor's binary is known: follow ids are whole */
	uint32_t killed_by;   /* 1 + policy that kills it, 0: none */
	uint32_t kill_hook, kill_sel, kill_row; /* where the report counts it */
	uint32_t never_ran;   /* 1 + policy that killed an ancestor before its exec */
	uint32_t killer;      /* never_ran: the killed ancestor, or the caller of a denied exec */
	uint32_t deny_by;     /* 1 + policy that denies this process's next exec of deny_path */
	uint32_t deny_hook, deny_sel, deny_row;
	char *deny_path;
	uint64_t *follow;     /* per policy */
};

struct sim_tree {
	struct sim_node *v;
	size_t n, cap;
	uint32_t *slots;      /* hash of exec_id -> index + 1 */
	size_t nslots;
	size_t n_policies;
	const struct sim_policy *pol;
};

int sim_tree_init(struct sim_tree *t, const struct sim_policy *pol, size_t n);
void sim_tree_free(struct sim_tree *t);
/* The process of an event (created, or completed from an exec); its index,
 * SIM_NONE without an exec_id, or -ENOMEM as (uint32_t)-2. */
#define SIM_NOMEM ((uint32_t)-2)
uint32_t sim_tree_proc(struct sim_tree *t, const struct sim_event *e);
/* The follow ids of process i and of its parent, for policy k. */
void sim_tree_follow(const struct sim_tree *t, uint32_t i, size_t k, struct sim_follow *f);

#endif
