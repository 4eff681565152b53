/* A small JSON reader for the commands that print the agent's answers:
 * one value parsed into a tree, bounded in depth. */
#ifndef VETO_UTIL_JSONR_H
#define VETO_UTIL_JSONR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JR_MAX_DEPTH 32

enum jr_type { JR_NULL, JR_BOOL, JR_NUM, JR_STR, JR_ARR, JR_OBJ };

struct jr {
	enum jr_type type;
	char *key;        /* a member of an object: its name */
	char *str;        /* JR_STR: the text, unescaped; JR_NUM: as written */
	bool b;
	struct jr *kids;  /* JR_ARR, JR_OBJ */
	size_t n;
};

/* Parses s (one value, whitespace around it). 0, -EINVAL or -ENOMEM; on
 * error out is empty. */
int jr_parse(const char *s, struct jr *out);
void jr_free(struct jr *v);
/* The member key of obj, or NULL. */
const struct jr *jr_get(const struct jr *obj, const char *key);
/* A member's string ("" when absent or not a string) or number (0). */
const char *jr_str(const struct jr *obj, const char *key);
uint64_t jr_uint(const struct jr *obj, const char *key);

#endif
