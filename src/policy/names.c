/* Name tables of the TracingPolicy language and the kernel facts it names. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <strings.h>

#include "policy/policy.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Each filter and action by name; a reason when veto recognises it but refuses it. */
static const struct pol_feature filters[PF__COUNT] = {
	[PF_ARGS] = { "matchArgs", NULL }, [PF_RETURN_ARGS] = { "matchReturnArgs", NULL },
	[PF_BINARIES] = { "matchBinaries", NULL }, [PF_PARENT_BINARIES] = { "matchParentBinaries", NULL },
	[PF_NAMESPACES] = { "matchNamespaces", NULL },
	[PF_NAMESPACE_CHANGES] = { "matchNamespaceChanges", "veto does not track namespace changes" },
	[PF_PIDS] = { "matchPIDs", NULL }, [PF_CAPABILITIES] = { "matchCapabilities", NULL },
	[PF_CAPABILITY_CHANGES] = { "matchCapabilityChanges", "veto does not track capability changes" },
};

static const struct pol_feature actions[PA__COUNT] = {
	[PA_POST] = { "Post", NULL }, [PA_NOPOST] = { "NoPost", NULL }, [PA_SIGKILL] = { "Sigkill", NULL },
	[PA_SIGNAL] = { "Signal", NULL }, [PA_OVERRIDE] = { "Override", NULL },
	[PA_FOLLOWFD] = { "FollowFD", "file descriptor tracking; match the path at an LSM hook (file_open, "
				      "file_permission) instead" },
	[PA_UNFOLLOWFD] = { "UnfollowFD", "file descriptor tracking" },
	[PA_COPYFD] = { "CopyFD", "file descriptor tracking" },
	[PA_GETURL] = { "GetUrl", "side effects from userspace" },
	[PA_DNSLOOKUP] = { "DnsLookup", "side effects from userspace" },
	[PA_TRACKSOCK] = { "TrackSock", "socket tracking" },
	[PA_UNTRACKSOCK] = { "UntrackSock", "socket tracking" },
	[PA_NOTIFYENFORCER] = { "NotifyEnforcer", "veto enforces in the hook itself: Override at an LSM hook, or "
						  "Sigkill" },
	[PA_SET] = { "Set", "rewriting arguments" },
};

static const char *const capsets[PCS__COUNT] = {
	[PCS_EFFECTIVE] = "Effective", [PCS_INHERITABLE] = "Inheritable", [PCS_PERMITTED] = "Permitted",
};

/* LSM hooks of kernels 5.10 to 6.18 (include/linux/lsm_hook_defs.h), sorted */
static const char *const lsm_hooks[] = {
	"audit_rule_free", "audit_rule_init", "audit_rule_known", "audit_rule_match",
	"backing_file_alloc", "backing_file_free", "bdev_alloc_security", "bdev_free_security",
	"bdev_setintegrity", "binder_set_context_mgr", "binder_transaction", "binder_transfer_binder",
	"binder_transfer_file", "bpf", "bpf_map", "bpf_map_alloc_security", "bpf_map_create",
	"bpf_map_free", "bpf_map_free_security", "bpf_prog", "bpf_prog_alloc_security",
	"bpf_prog_free", "bpf_prog_free_security", "bpf_prog_load", "bpf_token_capable",
	"bpf_token_cmd", "bpf_token_create", "bpf_token_free", "bprm_check_security",
	"bprm_committed_creds", "bprm_committing_creds", "bprm_creds_for_exec",
	"bprm_creds_from_file", "capable", "capget", "capset", "cred_alloc_blank", "cred_free",
	"cred_getlsmprop", "cred_getsecid", "cred_prepare", "cred_transfer",
	"current_getlsmprop_subj", "current_getsecid_subj", "d_instantiate", "dentry_create_files_as",
	"dentry_init_security", "file_alloc_security", "file_fcntl", "file_free_security",
	"file_ioctl", "file_ioctl_compat", "file_lock", "file_mprotect", "file_open",
	"file_permission", "file_post_open", "file_receive", "file_release", "file_send_sigiotask",
	"file_set_fowner", "file_truncate", "fs_context_dup", "fs_context_parse_param",
	"fs_context_submount", "getprocattr", "getselfattr", "ib_alloc_security",
	"ib_endport_manage_subnet", "ib_free_security", "ib_pkey_access", "inet_conn_established",
	"inet_conn_request", "inet_csk_clone", "initramfs_populated", "inode_alloc_security",
	"inode_copy_up", "inode_copy_up_xattr", "inode_create", "inode_file_getattr",
	"inode_file_setattr", "inode_follow_link", "inode_free_security", "inode_free_security_rcu",
	"inode_get_acl", "inode_getattr", "inode_getlsmprop", "inode_getsecctx", "inode_getsecid",
	"inode_getsecurity", "inode_getxattr", "inode_init_security", "inode_init_security_anon",
	"inode_invalidate_secctx", "inode_killpriv", "inode_link", "inode_listsecurity",
	"inode_listxattr", "inode_mkdir", "inode_mknod", "inode_need_killpriv", "inode_notifysecctx",
	"inode_permission", "inode_post_create_tmpfile", "inode_post_remove_acl",
	"inode_post_removexattr", "inode_post_set_acl", "inode_post_setattr", "inode_post_setxattr",
	"inode_readlink", "inode_remove_acl", "inode_removexattr", "inode_rename", "inode_rmdir",
	"inode_set_acl", "inode_setattr", "inode_setintegrity", "inode_setsecctx",
	"inode_setsecurity", "inode_setxattr", "inode_symlink", "inode_unlink", "inode_xattr_skipcap",
	"ipc_getlsmprop", "ipc_getsecid", "ipc_permission", "ismaclabel", "kernel_act_as",
	"kernel_create_files_as", "kernel_load_data", "kernel_module_request",
	"kernel_post_load_data", "kernel_post_read_file", "kernel_read_file", "kernfs_init_security",
	"key_alloc", "key_free", "key_getsecurity", "key_permission", "key_post_create_or_update",
	"lock_kernel_down", "locked_down", "lsmprop_to_secctx", "mmap_addr", "mmap_backing_file",
	"mmap_file", "move_mount", "mptcp_add_subflow", "msg_msg_alloc_security",
	"msg_msg_free_security", "msg_queue_alloc_security", "msg_queue_associate",
	"msg_queue_free_security", "msg_queue_msgctl", "msg_queue_msgrcv", "msg_queue_msgsnd",
	"netlink_send", "path_chmod", "path_chown", "path_chroot", "path_link", "path_mkdir",
	"path_mknod", "path_notify", "path_post_mknod", "path_rename", "path_rmdir", "path_symlink",
	"path_truncate", "path_unlink", "perf_event_alloc", "perf_event_free", "perf_event_open",
	"perf_event_read", "perf_event_write", "post_notification", "ptrace_access_check",
	"ptrace_traceme", "quota_on", "quotactl", "release_secctx", "req_classify_flow",
	"sb_add_mnt_opt", "sb_alloc_security", "sb_clone_mnt_opts", "sb_delete", "sb_eat_lsm_opts",
	"sb_free_mnt_opts", "sb_free_security", "sb_kern_mount", "sb_mnt_opts_compat", "sb_mount",
	"sb_pivotroot", "sb_remount", "sb_set_mnt_opts", "sb_show_options", "sb_statfs", "sb_umount",
	"sctp_assoc_established", "sctp_assoc_request", "sctp_bind_connect", "sctp_sk_clone",
	"secctx_to_secid", "secid_to_secctx", "secmark_refcount_dec", "secmark_refcount_inc",
	"secmark_relabel_packet", "sem_alloc_security", "sem_associate", "sem_free_security",
	"sem_semctl", "sem_semop", "setprocattr", "setselfattr", "settime", "shm_alloc_security",
	"shm_associate", "shm_free_security", "shm_shmat", "shm_shmctl", "sk_alloc_security",
	"sk_clone_security", "sk_free_security", "sk_getsecid", "sock_graft", "socket_accept",
	"socket_bind", "socket_connect", "socket_create", "socket_getpeername",
	"socket_getpeersec_dgram", "socket_getpeersec_stream", "socket_getsockname",
	"socket_getsockopt", "socket_listen", "socket_post_create", "socket_recvmsg",
	"socket_sendmsg", "socket_setsockopt", "socket_shutdown", "socket_sock_rcv_skb",
	"socket_socketpair", "syslog", "task_alloc", "task_fix_setgid", "task_fix_setgroups",
	"task_fix_setuid", "task_free", "task_getioprio", "task_getlsmprop_obj", "task_getpgid",
	"task_getscheduler", "task_getsecid", "task_getsecid_obj", "task_getsecid_subj",
	"task_getsid", "task_kill", "task_movememory", "task_prctl", "task_prlimit", "task_setioprio",
	"task_setnice", "task_setpgid", "task_setrlimit", "task_setscheduler", "task_to_inode",
	"tun_dev_alloc_security", "tun_dev_attach", "tun_dev_attach_queue", "tun_dev_create",
	"tun_dev_free_security", "tun_dev_open", "unix_may_send", "unix_stream_connect",
	"uring_allowed", "uring_cmd", "uring_override_creds", "uring_sqpoll", "userns_create",
	"vm_enough_memory", "watch_key", "xfrm_decode_session", "xfrm_policy_alloc_security",
	"xfrm_policy_clone_security", "xfrm_policy_delete_security", "xfrm_policy_free_security",
	"xfrm_policy_lookup", "xfrm_state_alloc", "xfrm_state_alloc_acquire",
	"xfrm_state_delete_security", "xfrm_state_free_security", "xfrm_state_pol_flow_match",
};

/* security_<x>() wrappers whose LSM hook has another name */
static const struct {
	const char *fn, *hook;
} lsm_irregular[] = {
	{ "security_bprm_check", "bprm_check_security" },
	{ "security_bpf_map_alloc", "bpf_map_alloc_security" },
	{ "security_bpf_prog_alloc", "bpf_prog_alloc_security" },
	{ "security_bpf_map_free", "bpf_map_free_security" },
	{ "security_bpf_prog_free", "bpf_prog_free_security" },
	{ "security_sb_alloc", "sb_alloc_security" },
	{ "security_sb_free", "sb_free_security" },
	{ "security_inode_alloc", "inode_alloc_security" },
	{ "security_inode_free", "inode_free_security" },
	{ "security_file_alloc", "file_alloc_security" },
	{ "security_file_free", "file_free_security" },
	{ "security_task_free", "task_free" },
	{ "security_sk_alloc", "sk_alloc_security" },
	{ "security_sk_free", "sk_free_security" },
};

const char *pol_filter_name(enum pol_filter_kind k)
{
	return k < PF__COUNT ? filters[k].name : "?";
}

const char *pol_filter_unsupported(enum pol_filter_kind k)
{
	return k < PF__COUNT ? filters[k].unsupported : NULL;
}

const char *pol_action_name(enum pol_action_kind k)
{
	return k < PA__COUNT ? actions[k].name : "?";
}

const char *pol_action_unsupported(enum pol_action_kind k)
{
	return k < PA__COUNT ? actions[k].unsupported : NULL;
}

const char *pol_capset_name(enum pol_capset c)
{
	return c < PCS__COUNT ? capsets[c] : "?";
}

const char *pol_hook_kind_name(enum pol_hook_kind k)
{
	static const char *const n[] = { "kprobe", "lsmhook", "tracepoint", "uprobe" };
	return k <= PH_UPROBE ? n[k] : "?";
}

const char *pol_hook_class_name(enum pol_hook_class c)
{
	static const char *const n[] = { "lsm", "syscall", "kernel-function", "tracepoint", "uprobe" };
	return c <= PHC_UPROBE ? n[c] : "?";
}

const char *pol_list_type_name(enum pol_list_type t)
{
	static const char *const n[] = { "syscalls", "generated_syscalls", "generated_ftrace" };
	return t <= PLT_GENERATED_FTRACE ? n[t] : "?";
}

static int lookup_ci(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (names[i] && !strcasecmp(s, names[i]))
			return i;
	return -1;
}

int pol_action_from(const char *s, enum pol_action_kind *out)
{
	for (int i = 0; i < PA__COUNT; i++)
		if (!strcasecmp(s, actions[i].name)) {
			*out = i;
			return 0;
		}
	return -ENOENT;
}

int pol_capset_from(const char *s, enum pol_capset *out)
{
	int i = lookup_ci(capsets, PCS__COUNT, s);
	if (i < 0)
		return -ENOENT;
	*out = i;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

bool pol_lsm_hook_known(const char *name)
{
	return bsearch(&name, lsm_hooks, N(lsm_hooks), sizeof(lsm_hooks[0]), cmp_str) != NULL;
}

const char *pol_lsm_for_kprobe(const char *call)
{
	const char **hit;
	const char *x;

	for (size_t i = 0; i < N(lsm_irregular); i++)
		if (!strcmp(call, lsm_irregular[i].fn))
			return lsm_irregular[i].hook;
	if (strncmp(call, "security_", 9))
		return NULL;
	x = call + 9;
	hit = bsearch(&x, lsm_hooks, N(lsm_hooks), sizeof(lsm_hooks[0]), cmp_str);
	return hit ? *hit : NULL;
}

bool pol_hook_checks_exec(const char *name)
{
	static const char *const execs[] = { "bprm_check_security", "bprm_creds_for_exec", "bprm_creds_from_file" };
	const char *lsm = pol_lsm_for_kprobe(name);

	if (!lsm)
		lsm = name;
	for (size_t i = 0; i < N(execs); i++)
		if (!strcmp(lsm, execs[i]))
			return true;
	return false;
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t c = prev[j - 1] + ((a[i - 1] | 32) != (b[j - 1] | 32));
			if (prev[j] + 1 < c)
				c = prev[j] + 1;
			if (cur[j - 1] + 1 < c)
				c = cur[j - 1] + 1;
			cur[j] = c;
		}
		memcpy(prev, cur, (lb + 1) * sizeof(size_t));
	}
	return prev[lb];
}

const char *pol_suggest(const char *s, const char *const *cands, size_t n)
{
	size_t best = 99, limit = strlen(s) / 3 + 1;
	const char *hit = NULL;

	if (limit > 3)
		limit = 3;
	for (size_t i = 0; i < n; i++) {
		size_t d;
		if (!cands[i] || !cands[i][0])
			continue;
		d = edit_distance(s, cands[i]);
		if (d < best) {
			best = d;
			hit = cands[i];
		}
	}
	return best <= limit ? hit : NULL;
}

const char *pol_suggest_lsm_hook(const char *s)
{
	char buf[128];

	if (!strncmp(s, "security_", 9)) {
		const char *h = pol_lsm_for_kprobe(s);
		if (h)
			return h;
		s += 9;
	}
	snprintf(buf, sizeof(buf), "%s_security", s);
	if (pol_lsm_hook_known(buf)) {
		const char *x = buf;
		const char **hit = bsearch(&x, lsm_hooks, N(lsm_hooks), sizeof(lsm_hooks[0]), cmp_str);
		return *hit;
	}
	return pol_suggest(s, lsm_hooks, N(lsm_hooks));
}

static int named_or_number(const char *s, const char *const *names, const int *nums, size_t n,
			   uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(s, names[i])) {
			*out = (uint64_t)nums[i];
			return 0;
		}
	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int pol_proto_from(const char *s, uint64_t *out)
{
	static const char *const n[] = { "IPPROTO_IP", "IPPROTO_ICMP", "IPPROTO_TCP", "IPPROTO_UDP",
					 "IPPROTO_ICMPV6", "IPPROTO_SCTP", "IPPROTO_RAW", "IPPROTO_MPTCP" };
	static const int v[] = { 0, 1, 6, 17, 58, 132, 255, 262 };
	return named_or_number(s, n, v, N(n), 65535, out);
}

int pol_family_from(const char *s, uint64_t *out)
{
	static const char *const n[] = { "AF_UNSPEC", "AF_UNIX", "AF_LOCAL", "AF_INET", "AF_INET6",
					 "AF_NETLINK", "AF_PACKET", "AF_VSOCK", "AF_XDP" };
	static const int v[] = { 0, 1, 1, 2, 10, 16, 17, 40, 44 };
	return named_or_number(s, n, v, N(n), 65535, out);
}

int pol_tcp_state_from(const char *s, uint64_t *out)
{
	static const char *const n[] = { "TCP_ESTABLISHED", "TCP_SYN_SENT", "TCP_SYN_RECV",
					 "TCP_FIN_WAIT1", "TCP_FIN_WAIT2", "TCP_TIME_WAIT", "TCP_CLOSE",
					 "TCP_CLOSE_WAIT", "TCP_LAST_ACK", "TCP_LISTEN", "TCP_CLOSING",
					 "TCP_NEW_SYN_RECV" };
	static const int v[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	return named_or_number(s, n, v, N(n), 255, out);
}

bool pol_action_enforces(enum pol_action_kind k)
{
	return k == PA_SIGKILL || k == PA_OVERRIDE || k == PA_SIGNAL;
}
