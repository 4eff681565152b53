/* One regex engine for every pattern a user gives veto (event filters,
 * redaction). Tetragon's patterns are Go RE2; veto compiles them with PCRE2
 * set up to read them the same way (see docs/events.md, "Regular
 * expressions", for what still differs). */
#ifndef VETO_UTIL_REGEX_H
#define VETO_UTIL_REGEX_H

#include <stddef.h>

struct regex;

/* A capture group's place in the subject; start == -1 when it took no part. */
struct regex_span {
	long start, end;
};

/* Compiles pattern. 0, -EINVAL (err says why and at which byte of the
 * pattern, counted from 1) or -ENOMEM. */
int regex_compile(struct regex **out, const char *pattern, char *err, size_t errlen);
void regex_free(struct regex *re);

/* Does re match anywhere in s[0, len)? 1, 0, or -ERANGE when the match
 * gave up (too much backtracking: the caller decides what that means). */
int regex_match(const struct regex *re, const char *s, size_t len);

/* The first match at or after byte `from`: fills spans[0] (the whole match)
 * and spans[1..] (the groups), up to nspans. Returns how many groups the
 * pattern has plus one, 0 when nothing matches, or -ERANGE. */
int regex_search(const struct regex *re, const char *s, size_t len, size_t from,
		 struct regex_span *spans, int nspans);

/* The number of capture groups in the pattern. */
int regex_groups(const struct regex *re);

#endif
