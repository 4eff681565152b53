#include "util/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <pcre2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* The subject is often chosen by whoever runs the watched process (argv, a
 * path): a pattern with nested repeats must not let it stall the reader. */
#define REGEX_MATCH_LIMIT 1000000
#define REGEX_DEPTH_LIMIT 10000

struct regex {
	pcre2_code *code;
	pcre2_match_context *mctx;
	int groups;
};

/* RE2 reads UTF-8 and its \d \w \s and \b are ASCII only (no PCRE2_UCP);
 * its `$` is the end of the text, not "before a final newline"; it has no
 * \C; subjects with invalid UTF-8 are still searched. */
#define REGEX_OPTIONS (PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY | \
		       PCRE2_NEVER_BACKSLASH_C)

int regex_compile(struct regex **out, const char *pattern, char *err, size_t errlen)
{
	PCRE2_UCHAR msg[160];
	PCRE2_SIZE off;
	uint32_t refs = 0;
	struct regex *re;
	int code;

	*out = NULL;
	re = calloc(1, sizeof(*re));
	if (!re)
		return -ENOMEM;
	re->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, REGEX_OPTIONS,
				 &code, &off, NULL);
	if (!re->code) {
		free(re);
		if (code == PCRE2_ERROR_NOMEMORY)
			return -ENOMEM;
		pcre2_get_error_message(code, msg, sizeof(msg));
		snprintf(err, errlen, "bad regular expression at byte %zu: %s",
			 (size_t)off + 1, (char *)msg);
		return -EINVAL;
	}
	/* RE2 has no back-references; they are also what makes a match slow. */
	pcre2_pattern_info(re->code, PCRE2_INFO_BACKREFMAX, &refs);
	if (refs) {
		regex_free(re);
		snprintf(err, errlen, "bad regular expression: back-references (\\%u) are not "
			 "supported", refs);
		return -EINVAL;
	}
	pcre2_pattern_info(re->code, PCRE2_INFO_CAPTURECOUNT, &refs);
	re->groups = (int)refs;
	re->mctx = pcre2_match_context_create(NULL);
	if (!re->mctx) {
		regex_free(re);
		return -ENOMEM;
	}
	pcre2_set_match_limit(re->mctx, REGEX_MATCH_LIMIT);
	pcre2_set_depth_limit(re->mctx, REGEX_DEPTH_LIMIT);
	*out = re;
	return 0;
}

void regex_free(struct regex *re)
{
	if (!re)
		return;
	pcre2_match_context_free(re->mctx);
	pcre2_code_free(re->code);
	free(re);
}

int regex_groups(const struct regex *re)
{
	return re->groups;
}

/* pcre2_match on s[0, len) from byte `from`: > 0 for a match, 0 for none. */
static int run(const struct regex *re, const char *s, size_t len, size_t from,
	       pcre2_match_data *md)
{
	int rc;

	if (from > len)
		return 0;
	rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, from, 0, md, re->mctx);
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc == PCRE2_ERROR_NOMEMORY)
		return -ENOMEM;
	if (rc < 0)
		return -ERANGE;
	/* 0: a match whose groups did not fit md (regex_match asks for none) */
	return 1;
}

int regex_match(const struct regex *re, const char *s, size_t len)
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	int rc;

	if (!md)
		return -ENOMEM;
	rc = run(re, s, len, 0, md);
	pcre2_match_data_free(md);
	return rc > 0 ? 1 : rc;
}

int regex_search(const struct regex *re, const char *s, size_t len, size_t from,
		 struct regex_span *spans, int nspans)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re->code, NULL);
	PCRE2_SIZE *ov;
	int rc;

	if (!md)
		return -ENOMEM;
	rc = run(re, s, len, from, md);
	if (rc > 0) {
		ov = pcre2_get_ovector_pointer(md);
		for (int i = 0; i < nspans && i <= re->groups; i++) {
			bool unset = ov[2 * i] == PCRE2_UNSET;

			spans[i].start = unset ? -1 : (long)ov[2 * i];
			spans[i].end = unset ? -1 : (long)ov[2 * i + 1];
		}
		rc = re->groups + 1;
	}
	pcre2_match_data_free(md);
	return rc;
}
