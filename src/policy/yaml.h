/*
 * A positioned YAML tree: libyaml's events built into nodes that keep their
 * line:col, bounded in depth and size (POL_MAX_DEPTH, POL_MAX_NODES), all
 * in one arena freed at once. What the TracingPolicy walkers read.
 */
#ifndef VETO_POLICY_YAML_H
#define VETO_POLICY_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/diag.h"

enum { Y_SCALAR, Y_SEQ, Y_MAP };

struct ynode {
	uint8_t type;
	bool plain; /* unquoted scalar: may be a number, bool or null */
	uint32_t line, col;
	uint32_t n; /* scalar: bytes; sequence: items; mapping: pairs */
	union {
		char *s;
		struct ynode **kids; /* mapping: key, value, key, value... */
	};
};

struct ydoc {
	struct ynode *root; /* NULL: an empty document */
	uint32_t line, col;
};

struct ablk;

struct ytree {
	struct ablk *arena; /* every node and string */
	struct ydoc *docs;
	size_t n_docs;
};

/* Builds the documents of buf into t: 0, 1 after reporting a located error
 * in d, or -ENOMEM. Free t with ytree_free whatever it returns. */
int ytree_build(struct ytree *t, const char *file, const char *buf, size_t len, struct diag_list *d);
void ytree_free(struct ytree *t);

/* A missing node, or a plain ~, null or empty scalar. */
bool y_is_null(const struct ynode *n);
/* What a node is, for messages: "a list", "a mapping", ... */
const char *y_kind(const struct ynode *n);
/* The value of key in a mapping, or NULL. */
const struct ynode *y_map_get(const struct ynode *map, const char *key);
/* Items of a list; 0 for null or anything else. */
uint32_t y_seq_len(const struct ynode *n);

#endif
