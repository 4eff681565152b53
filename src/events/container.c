/* Container runtimes name the cgroup of a container after its 64-hex id:
 *   /docker/<id>                                      docker, cgroupfs driver
 *   /system.slice/docker-<id>.scope                   docker, systemd driver
 *   /kubepods/burstable/pod<uid>/<id>                 kubelet, cgroupfs driver
 *   /kubepods.slice/.../cri-containerd-<id>.scope     containerd, systemd driver
 *   /kubepods.slice/.../crio-<id>.scope               CRI-O
 *   /machine.slice/libpod-<id>.scope[/container]      podman
 * conmon's own cgroups (crio-conmon-, libpod-conmon-) are not containers. */
#include "events/container.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

static const struct {
	const char *prefix;
	const char *runtime;
} prefixes[] = {
	{ "cri-containerd-", "containerd" },
	{ "crio-", "cri-o" },
	{ "docker-", "docker" },
	{ "libpod-", "podman" },
};

static bool is_hex64(const char *s, size_t n)
{
	if (n != CONTAINER_ID_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return true;
}

/* Runtime of a bare-id component, from the components before it. */
static const char *runtime_of_parents(const char *path, size_t upto)
{
	if (upto >= 8 && !strncmp(path, "/docker/", 8))
		return "docker";
	if (memmem(path, upto, "/docker/", 8))
		return "docker";
	if (memmem(path, upto, "kubepods", 8))
		return "containerd";
	return NULL;
}

int container_from_cgroup(const char *path, struct container_id *c)
{
	size_t end = strlen(path);

	c->id[0] = '\0';
	c->runtime = NULL;
	while (end > 0) {
		size_t start = end, n;
		const char *comp;

		while (start > 0 && path[start - 1] != '/')
			start--;
		comp = path + start;
		n = end - start;
		if (n > 6 && !memcmp(comp + n - 6, ".scope", 6))
			n -= 6;
		for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
			size_t pl = strlen(prefixes[i].prefix);
			if (n > pl && !memcmp(comp, prefixes[i].prefix, pl) && is_hex64(comp + pl, n - pl)) {
				memcpy(c->id, comp + pl, CONTAINER_ID_LEN);
				c->id[CONTAINER_ID_LEN] = '\0';
				c->runtime = prefixes[i].runtime;
				return 0;
			}
		}
		if (is_hex64(comp, n)) {
			memcpy(c->id, comp, CONTAINER_ID_LEN);
			c->id[CONTAINER_ID_LEN] = '\0';
			c->runtime = runtime_of_parents(path, start);
			return 0;
		}
		end = start > 0 ? start - 1 : 0;
	}
	return -ENOENT;
}
