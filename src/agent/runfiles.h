/* The agent's files at fixed paths: the lock that keeps it alone on the
 * node and the control socket clients connect to. */
#ifndef VETO_AGENT_RUNFILES_H
#define VETO_AGENT_RUNFILES_H

/* Only one agent per node: two would both attach and give a process two
 * exec_ids. Returns the lock's fd, or -EWOULDBLOCK with the holder's pid. */
int take_lock(const char *path, long *holder);
/* Binds the control socket (0600). What is at path is replaced only when it
 * is a socket no agent answers on (one left by a crash): never a file, a
 * symbolic link or anything else (-EEXIST), never a live agent's
 * (-EADDRINUSE). Returns the listening fd or -errno. */
int listen_socket(const char *path);

#endif
