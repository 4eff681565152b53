/* Namespace kinds, in the order of Tetragon's Namespaces message: one enum for
 * the process sensor's records (bpf/process.h), the engine's VS_NS dimension
 * (bpf/policy.h) and the policy parser. No kernel types. Names: src/util/ns.c. */
#ifndef VETO_BPF_NS_H
#define VETO_BPF_NS_H

enum veto_ns {
	VN_UTS, VN_IPC, VN_MNT, VN_PID, VN_PID_FOR_CHILDREN, VN_NET, VN_TIME,
	VN_TIME_FOR_CHILDREN, VN_CGROUP, VN_USER, VN__COUNT,
};

#endif
