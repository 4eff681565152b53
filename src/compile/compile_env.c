/* What compile needs from the node (struct compile_env): this host's files,
 * namespaces and tracepoints, or none of them for lint. */
#include "compile/compile.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static uint64_t kernel_dev(uint64_t st_dev)
{
	/* the kernel's s_dev packs major:minor as 12:20 bits */
	return ((uint64_t)major(st_dev) << 20) | minor(st_dev);
}

static int host_stat(const char *path, uint64_t *dev, uint64_t *ino)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	*dev = kernel_dev(st.st_dev);
	*ino = st.st_ino;
	return 0;
}

/* Any path exists, at (0, 0): lint does not know the target's files. */
static int any_stat(const char *path, uint64_t *dev, uint64_t *ino)
{
	(void)path;
	*dev = *ino = 0;
	return 0;
}

void compile_env_portable(struct compile_env *env)
{
	memset(env, 0, sizeof(*env));
	env->portable = true;
	env->stat_path = any_stat;
	env->tp_format = tp_format_read;
}

void compile_env_host(struct compile_env *env, const uint32_t host_ns[VN__COUNT])
{
	memset(env, 0, sizeof(*env));
	env->stat_path = host_stat;
	env->tp_format = tp_format_read;
	env->hook_in_kernel = hook_in_kernel;
	memcpy(env->host_ns, host_ns, sizeof(env->host_ns));
}
