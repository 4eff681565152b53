/* What this kernel can do, learned by trying (see `veto probe`). */
#ifndef VETO_PROBE_H
#define VETO_PROBE_H

#include <stdbool.h>

enum probe_kind {
	PK_LSM,
	PK_FENTRY,
	PK_KPROBE,
	PK_TP_BTF,
	PK_RAW_TP,
	PK_TRACEPOINT,
	PK_CGROUP,
	PK__COUNT,
};

/* One attempt: errors are 0 or a negative errno; stage says where it stopped. */
struct probe_try {
	bool tried;
	int load_err;
	int attach_err;
	char detail[160]; /* last useful line from libbpf or the reason it was not tried */
};

enum verdict {
	VERDICT_ENFORCE, /* LSM programs load, attach and deny */
	VERDICT_OBSERVE, /* tracing works: observe, kill after the fact */
	VERDICT_NONE,
};

struct probe_report {
	char release[65];
	char lsm[256];     /* contents of /sys/kernel/security/lsm */
	int lsm_err;       /* reading it */
	bool lsm_has_bpf;
	bool securityfs_mounted_by_us;
	bool tracefs_mounted_by_us;
	bool btf;
	struct probe_try kind[PK__COUNT];
	struct probe_try ringbuf;     /* map created and an event received */
	struct probe_try send_signal; /* signal delivered from a program */
	struct probe_try lsm_deny;    /* an exec really denied with EPERM */
	int lsm_deny_errno;           /* errno the denied exec got */
	enum verdict verdict;
};

const char *probe_kind_name(enum probe_kind k);
const char *probe_kind_section(enum probe_kind k);
bool probe_try_ok(const struct probe_try *t);
const char *verdict_name(enum verdict v);
/* Pure: derives the verdict and a one-line explanation from the results. */
enum verdict probe_verdict(const struct probe_report *r, char *why, int whylen);
/* Runs every check; returns 0 when it could probe, -errno otherwise. */
int probe_run(struct probe_report *r);

#endif
