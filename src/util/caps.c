#include <errno.h>
#include <stddef.h>
#include <strings.h>

#include "util/caps.h"

/* linux/capability.h, by number */
static const char *const caps[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
	"CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
	"CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};
#define NCAPS (sizeof(caps) / sizeof(caps[0]))

const char *cap_name(unsigned bit)
{
	return bit < NCAPS ? caps[bit] : NULL;
}

const char *cap_export_name(unsigned bit)
{
	/* Tetragon's CapabilitiesType enum names bit 1 without the prefix */
	return bit == 1 ? "DAC_OVERRIDE" : cap_name(bit);
}

int cap_from(const char *s, unsigned *out)
{
	for (unsigned i = 0; i < NCAPS; i++)
		if (!strcasecmp(s, caps[i])) {
			*out = i;
			return 0;
		}
	return -ENOENT;
}
