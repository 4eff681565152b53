#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "events/container.h"

#define ID "551e161c47d8ff0eb665438a7bcd5b4e3ef5a297282b40a92b7c77d6bd168eb3"

static void runtimes(void **state)
{
	static const struct {
		const char *path, *runtime;
	} cases[] = {
		{ "/docker/" ID, "docker" },
		{ "/system.slice/docker-" ID ".scope", "docker" },
		{ "/kubepods/burstable/pod3a1b2c3d-1111-2222-3333-444455556666/" ID, "containerd" },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/cri-containerd-" ID ".scope",
		  "containerd" },
		{ "/kubepods.slice/kubepods-besteffort.slice/x.slice/crio-" ID ".scope", "cri-o" },
		{ "/machine.slice/libpod-" ID ".scope/container", "podman" },
		{ "/user.slice/libpod-" ID ".scope", "podman" },
	};
	struct container_id c;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(container_from_cgroup(cases[i].path, &c), 0);
		assert_string_equal(c.id, ID);
		assert_non_null(c.runtime);
		assert_string_equal(c.runtime, cases[i].runtime);
	}
}

static void not_containers(void **state)
{
	struct container_id c;

	assert_int_equal(container_from_cgroup("/", &c), -ENOENT);
	assert_string_equal(c.id, "");
	assert_int_equal(container_from_cgroup("/user.slice/user-0.slice/session-1.scope", &c), -ENOENT);
	assert_int_equal(container_from_cgroup("/machine.slice/libpod-conmon-" ID ".scope", &c), -ENOENT);
	assert_int_equal(container_from_cgroup("/kubepods.slice/crio-conmon-" ID ".scope", &c), -ENOENT);
	/* 63 hex or upper case: not an id */
	assert_int_equal(container_from_cgroup("/docker/551e161c47d8ff0eb665438a7bcd5b4e3ef5a297282b40a92b7c77d6bd168eb", &c),
			 -ENOENT);
	assert_int_equal(container_from_cgroup("/docker/551E161C47D8FF0EB665438A7BCD5B4E3EF5A297282B40A92B7C77D6BD168EB3", &c),
			 -ENOENT);
	assert_int_equal(container_from_cgroup("", &c), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(runtimes),
		cmocka_unit_test(not_containers),
	};
	return cmocka_run_group_tests_name("container", tests, NULL, NULL);
}
