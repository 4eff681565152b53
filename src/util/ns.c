/* The one table of namespace names. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "util/ns.h"

static const struct {
	const char *name, *policy;
} names[] = {
	[VN_UTS] = { "uts", "Uts" },
	[VN_IPC] = { "ipc", "Ipc" },
	[VN_MNT] = { "mnt", "Mnt" },
	[VN_PID] = { "pid", "Pid" },
	[VN_PID_FOR_CHILDREN] = { "pid_for_children", "PidForChildren" },
	[VN_NET] = { "net", "Net" },
	[VN_TIME] = { "time", "Time" },
	[VN_TIME_FOR_CHILDREN] = { "time_for_children", "TimeForChildren" },
	[VN_CGROUP] = { "cgroup", "Cgroup" },
	[VN_USER] = { "user", "User" },
};
/* the last kind named; ns_test checks the others */
_Static_assert(sizeof(names) / sizeof(names[0]) == VN__COUNT, "a name for every enum veto_ns");

const char *ns_name(enum veto_ns ns)
{
	return (unsigned)ns < VN__COUNT ? names[ns].name : NULL;
}

const char *ns_policy_name(enum veto_ns ns)
{
	return (unsigned)ns < VN__COUNT ? names[ns].policy : "?";
}

int ns_policy_from(const char *s, enum veto_ns *out)
{
	for (int i = 0; i < VN__COUNT; i++)
		if (!strcasecmp(s, names[i].policy)) {
			*out = i;
			return 0;
		}
	return -ENOENT;
}

const char *ns_policy_list(void)
{
	static char buf[160];

	if (!buf[0])
		for (int i = 0; i < VN__COUNT; i++) {
			if (i)
				strcat(buf, ", ");
			strcat(buf, names[i].policy);
		}
	return buf;
}
