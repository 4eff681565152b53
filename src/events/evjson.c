#include "events/evjson.h"

#include <stdlib.h>
#include <string.h>

const struct jr *evjson_inner(const struct jr *ev, int *kind, const char **name)
{
	*kind = -1;
	*name = NULL;
	if (ev->type != JR_OBJ)
		return NULL;
	for (size_t i = 0; i < ev->n; i++) {
		const struct jr *m = &ev->kids[i];
		if (!strcmp(m->key, "node_name") || !strcmp(m->key, "time") || !strcmp(m->key, "veto"))
			continue;
		for (int k = 0; k < EV__COUNT; k++) {
			if (!strcmp(m->key, ev_kind_name(k)) && m->type == JR_OBJ) {
				*kind = k;
				*name = m->key;
				return m;
			}
		}
		if (!*name)
			*name = m->key;
	}
	return NULL;
}

const char *evjson_str(const struct jr *obj, const char *path)
{
	char key[64];

	while (obj && obj->type == JR_OBJ) {
		size_t n = strcspn(path, ".");
		if (!path[n])
			return jr_str(obj, path);
		if (n >= sizeof(key))
			return "";
		memcpy(key, path, n);
		key[n] = '\0';
		obj = jr_get(obj, key);
		path += n + 1;
	}
	return "";
}

void evjson_view(const struct jr *ev, struct ev_view *v)
{
	const char *name;
	const struct jr *in = evjson_inner(ev, &v->kind, &name);
	const struct jr *p = in ? jr_get(in, "process") : NULL;
	const struct jr *pod = p ? jr_get(p, "pod") : NULL;

	v->pid = p ? (uint32_t)jr_uint(p, "pid") : 0;
	v->binary = evjson_str(p, "binary");
	v->arguments = evjson_str(p, "arguments");
	v->parent_binary = evjson_str(in, "parent.binary");
	v->docker = evjson_str(p, "docker");
	v->pod_namespace = evjson_str(pod, "namespace");
	v->pod_name = evjson_str(pod, "name");
	v->policy_name = evjson_str(in, "policy_name");
}
