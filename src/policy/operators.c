/* The operators of TracingPolicy, one row each: name, negation, where each
 * is valid and what it compares. check, lint, parse and compile read this
 * table. */
#include <errno.h>
#include <stdio.h>
#include <strings.h>

#include "policy/policy.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define ARGS_EQ (POS_INT | POS_STR | POS_CAPS | POS_SYSCALL)
#define SOCK_ALL (POS_SOCK | POS_SKB | POS_SOCKADDR)
#define CONN (POS_SOCK | POS_SKB) /* a connection; a sockaddr is one address */

/* In the order "valid: ..." messages list them. */
static const struct pol_op_info ops[] = {
	/* operator, name, negated, valid for, compares strings by, values, socket part */
	{ POP_EQUAL, "Equal", false, ARGS_EQ, POM_EXACT, POV_TYPED, POK_NONE },
	{ POP_NOT_EQUAL, "NotEqual", true, ARGS_EQ, POM_EXACT, POV_TYPED, POK_NONE },
	{ POP_IN, "In", false, POS_BIN | POS_SET | POS_LABEL, POM_EXACT, POV_TYPED, POK_NONE },
	{ POP_NOT_IN, "NotIn", true, POS_BIN | POS_SET | POS_LABEL, POM_EXACT, POV_TYPED, POK_NONE },
	{ POP_PREFIX, "Prefix", false, POS_STR | POS_BIN, POM_PREFIX, POV_TYPED, POK_NONE },
	{ POP_NOT_PREFIX, "NotPrefix", true, POS_STR | POS_BIN, POM_PREFIX, POV_TYPED, POK_NONE },
	{ POP_POSTFIX, "Postfix", false, POS_STR | POS_BIN, POM_POSTFIX, POV_TYPED, POK_NONE },
	{ POP_NOT_POSTFIX, "NotPostfix", true, POS_STR | POS_BIN, POM_POSTFIX, POV_TYPED, POK_NONE },
	{ POP_GT, "GT", false, POS_INT, POM_NONE, POV_TYPED, POK_NONE },
	{ POP_LT, "LT", false, POS_INT, POM_NONE, POV_TYPED, POK_NONE },
	{ POP_MASK, "Mask", false, POS_INT | POS_CAPS, POM_NONE, POV_TYPED, POK_NONE },
	{ POP_IN_MAP, "InMap", false, POS_INT | POS_SYSCALL, POM_NONE, POV_TYPED, POK_NONE },
	{ POP_NOT_IN_MAP, "NotInMap", true, POS_INT | POS_SYSCALL, POM_NONE, POV_TYPED, POK_NONE },
	{ POP_SADDR, "SAddr", false, SOCK_ALL, POM_NONE, POV_CIDR, POK_SADDR },
	{ POP_NOT_SADDR, "NotSAddr", true, SOCK_ALL, POM_NONE, POV_CIDR, POK_SADDR },
	{ POP_DADDR, "DAddr", false, CONN, POM_NONE, POV_CIDR, POK_DADDR },
	{ POP_NOT_DADDR, "NotDAddr", true, CONN, POM_NONE, POV_CIDR, POK_DADDR },
	{ POP_SPORT, "SPort", false, SOCK_ALL, POM_NONE, POV_PORTS, POK_SPORT },
	{ POP_NOT_SPORT, "NotSPort", true, SOCK_ALL, POM_NONE, POV_PORTS, POK_SPORT },
	{ POP_SPORT_PRIV, "SPortPriv", false, SOCK_ALL, POM_NONE, POV_NONE, POK_SPORT },
	{ POP_NOT_SPORT_PRIV, "NotSPortPriv", true, SOCK_ALL, POM_NONE, POV_NONE, POK_SPORT },
	{ POP_DPORT, "DPort", false, CONN, POM_NONE, POV_PORTS, POK_DPORT },
	{ POP_NOT_DPORT, "NotDPort", true, CONN, POM_NONE, POV_PORTS, POK_DPORT },
	{ POP_DPORT_PRIV, "DPortPriv", false, CONN, POM_NONE, POV_NONE, POK_DPORT },
	{ POP_NOT_DPORT_PRIV, "NotDPortPriv", true, CONN, POM_NONE, POV_NONE, POK_DPORT },
	{ POP_PROTOCOL, "Protocol", false, CONN, POM_NONE, POV_PROTOCOL, POK_PROTOCOL },
	{ POP_FAMILY, "Family", false, SOCK_ALL, POM_NONE, POV_FAMILY, POK_FAMILY },
	{ POP_STATE, "State", false, POS_SOCK, POM_NONE, POV_STATE, POK_STATE },
	{ POP_EXISTS, "Exists", false, POS_LABEL, POM_NONE, POV_NONE, POK_NONE },
	{ POP_DOES_NOT_EXIST, "DoesNotExist", true, POS_LABEL, POM_NONE, POV_NONE, POK_NONE },
	{ POP_NONE, "", false, 0, POM_NONE, POV_TYPED, POK_NONE },
};

const struct pol_op_info *pol_op_info(enum pol_op op)
{
	static const struct pol_op_info unknown = { POP__COUNT, "?", false, 0, POM_NONE, POV_TYPED, POK_NONE };

	for (size_t i = 0; i < N(ops); i++)
		if (ops[i].op == op)
			return &ops[i];
	return &unknown;
}

void pol_ops_list(char *buf, size_t sz, unsigned sets)
{
	size_t o = 0;
	bool first = true;

	buf[0] = 0;
	for (size_t i = 0; i < N(ops) && o < sz; i++) {
		if (!(ops[i].sets & sets))
			continue;
		o += (size_t)snprintf(buf + o, sz - o, "%s%s", first ? "" : ", ", ops[i].name);
		first = false;
	}
}

const char *pol_op_name(enum pol_op op)
{
	return pol_op_info(op)->name;
}

bool pol_op_negated(enum pol_op op)
{
	return pol_op_info(op)->negated;
}

int pol_op_from(const char *s, enum pol_op *out)
{
	for (size_t i = 0; i < N(ops); i++)
		if (ops[i].op != POP_NONE && !strcasecmp(s, ops[i].name)) {
			*out = ops[i].op;
			return 0;
		}
	if (!strcasecmp(s, "GreaterThan")) {
		*out = POP_GT;
		return 0;
	}
	if (!strcasecmp(s, "LessThan")) {
		*out = POP_LT;
		return 0;
	}
	return -ENOENT;
}
