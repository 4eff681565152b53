/* What the kernel says of this process's own BPF objects, by their file
 * descriptors: the memory charged to each (fdinfo's memlock) and, for
 * programs, their run counts and times. For the metrics: no other part's
 * internals are needed, the fds are enough. */
#ifndef VETO_UTIL_BPF_FDS_H
#define VETO_UTIL_BPF_FDS_H

#include <stddef.h>
#include <stdint.h>

/* The memlock: line of fd's fdinfo (bytes), 0 when it has none. */
uint64_t bpf_fd_memlock(int fd);
/* The program's id (fdinfo's prog_id: a program's own, or the one a link
 * runs), 0 when fd has none. */
uint32_t bpf_fd_prog_id(int fd);
/* A map's id (map_id), a link's (link_id); 0 when fd is not one. */
uint32_t bpf_fd_map_id(int fd);
uint32_t bpf_fd_link_id(int fd);

struct bpf_prog_stat {
	uint32_t id;
	char name[16];     /* BPF_OBJ_NAME_LEN */
	uint64_t run_cnt;  /* counted while kernel.bpf_stats_enabled is on */
	uint64_t run_time_ns;
};

/* Every BPF program this process holds an fd of, each once (by id), at
 * most max of them into out. Returns how many, or -errno when /proc/self/fd
 * cannot be read. */
int bpf_self_progs(struct bpf_prog_stat *out, size_t max);
/* kernel.bpf_stats_enabled: 1 on, 0 off, -errno unreadable. */
int bpf_stats_enabled(void);

#endif
