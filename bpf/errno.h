/* errno values for BPF programs (vmlinux.h carries no macros). */
#ifndef VETO_BPF_ERRNO_H
#define VETO_BPF_ERRNO_H

#define EPERM 1
#define ENOENT 2
#define EACCES 13

#define SIGHUP 1
#define SIGKILL 9
#define SIGUSR1 10

#endif
