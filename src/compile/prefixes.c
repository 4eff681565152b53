/* The map entries finished: sorted, duplicates merged, and each prefix's
 * selectors carried into the longer entries that extend it (an LPM trie
 * returns the longest match only); and lookups in the finished entries. */
#include "compile/run.h"

#include <string.h>

static int cmp_str(const void *a, const void *b)
{
	const struct c_str *x = a, *y = b;
	int r = memcmp(&x->key.hook, &y->key.hook, 2);

	if (r)
		return r;
	r = memcmp(x->key.s, y->key.s, sizeof(x->key.s));
	return r ? r : (int)x->key.prefixlen - (int)y->key.prefixlen;
}

static bool str_extends(const struct c_str *longer, const struct c_str *pfx)
{
	size_t n = (pfx->key.prefixlen - 16) / 8;

	return longer->key.hook == pfx->key.hook && longer->key.dim == pfx->key.dim &&
	       longer->key.prefixlen >= pfx->key.prefixlen && !memcmp(longer->key.s, pfx->key.s, n);
}

static int cmp_addr(const void *a, const void *b)
{
	const struct c_addr *x = a, *y = b;
	int r = memcmp(&x->key.hook, &y->key.hook, 2 + 16);

	return r ? r : (int)x->key.prefixlen - (int)y->key.prefixlen;
}

static bool addr_extends(const struct c_addr *longer, const struct c_addr *pfx)
{
	unsigned bits = pfx->key.prefixlen - 16, full = bits / 8, rest = bits % 8;

	if (longer->key.hook != pfx->key.hook || longer->key.dim != pfx->key.dim ||
	    longer->key.prefixlen < pfx->key.prefixlen || memcmp(longer->key.addr, pfx->key.addr, full))
		return false;
	return !rest || ((longer->key.addr[full] ^ pfx->key.addr[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

static int cmp_num(const void *a, const void *b)
{
	return memcmp(&((const struct c_num *)a)->key, &((const struct c_num *)b)->key, sizeof(struct veto_num_key));
}

/* Sorted so that a prefix comes right before what extends it: one pass with
 * a stack of open prefixes merges duplicates and inherits shorter masks. */
#define FINISH_LPM(c, arr, n, cmp, extends, type)                                               \
	do {                                                                                    \
		size_t out_ = 0, depth_ = 0;                                                    \
		size_t *stack_;                                                                 \
		if (!(n))                                                                       \
			break;                                                                  \
		qsort(arr, n, sizeof(type), cmp);                                               \
		stack_ = calloc(n, sizeof(*stack_));                                            \
		if (!stack_) {                                                                  \
			(c)->err = -ENOMEM;                                                     \
			break;                                                                  \
		}                                                                               \
		for (size_t i_ = 0; i_ < (n); i_++) {                                           \
			if (out_ && !cmp(&(arr)[out_ - 1], &(arr)[i_])) {                       \
				(arr)[out_ - 1].mask |= (arr)[i_].mask;                         \
				continue;                                                       \
			}                                                                       \
			(arr)[out_++] = (arr)[i_];                                              \
		}                                                                               \
		(n) = out_;                                                                     \
		for (size_t i_ = 0; i_ < (n); i_++) {                                           \
			while (depth_ && !extends(&(arr)[i_], &(arr)[stack_[depth_ - 1]]))      \
				depth_--;                                                       \
			if (depth_)                                                             \
				(arr)[i_].mask |= (arr)[stack_[depth_ - 1]].mask;               \
			stack_[depth_++] = i_;                                                  \
		}                                                                               \
		free(stack_);                                                                   \
	} while (0)

static void finish_nums(struct compiled *o)
{
	size_t out = 0;

	if (!o->n_nums)
		return;
	qsort(o->nums, o->n_nums, sizeof(*o->nums), cmp_num);
	for (size_t i = 0; i < o->n_nums; i++) {
		if (out && !cmp_num(&o->nums[out - 1], &o->nums[i])) {
			o->nums[out - 1].mask |= o->nums[i].mask;
			continue;
		}
		o->nums[out++] = o->nums[i];
	}
	o->n_nums = out;
}

void finish_entries(struct cc *c)
{
	struct compiled *out = c->out;

	if (!c->err)
		FINISH_LPM(c, out->strs, out->n_strs, cmp_str, str_extends, struct c_str);
	if (!c->err)
		FINISH_LPM(c, out->addrs, out->n_addrs, cmp_addr, addr_extends, struct c_addr);
	if (!c->err)
		finish_nums(out);
}

uint64_t compiled_follow_binary(const struct compiled *c, const char *path)
{
	struct c_str k = { .key = { .hook = VETO_FOLLOW_HOOK } };
	size_t len = strlen(path);
	const struct c_str *e;

	if (len >= sizeof(k.key.s))
		return 0;
	memcpy(k.key.s, path, len);
	k.key.prefixlen = (uint32_t)(16 + 8 * (len + 1));
	e = c->n_strs ? bsearch(&k, c->strs, c->n_strs, sizeof(k), cmp_str) : NULL;
	return e ? e->mask : 0;
}

uint64_t compiled_follow_pid(const struct compiled *c, uint32_t pid, enum veto_pid_view view)
{
	struct c_num k = { .key = { .hook = VETO_FOLLOW_HOOK, .dim = (uint8_t)view, .a = pid } };
	const struct c_num *e = c->n_nums ? bsearch(&k, c->nums, c->n_nums, sizeof(k), cmp_num) : NULL;

	return e ? e->mask : 0;
}
