/* Container identity from a cgroup path (containerd, CRI-O, Docker, podman). */
#ifndef VETO_EVENTS_CONTAINER_H
#define VETO_EVENTS_CONTAINER_H

#include <stddef.h>

#define CONTAINER_ID_LEN 64

struct container_id {
	char id[CONTAINER_ID_LEN + 1]; /* full hex id, "" when not in a container */
	const char *runtime;            /* "containerd", "cri-o", "docker", "podman" or NULL */
};

/* Finds the innermost path component that names a container; returns 0 when
 * found, -ENOENT otherwise (c->id is then ""). */
int container_from_cgroup(const char *path, struct container_id *c);

#endif
