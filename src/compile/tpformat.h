/* The record layout of a tracepoint, as tracefs describes it in
 * events/<subsystem>/<event>/format. */
#ifndef VETO_COMPILE_TPFORMAT_H
#define VETO_COMPILE_TPFORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tp_field {
	char type[96];  /* "const char *", "__data_loc char[]", "unsigned long[6]" */
	char name[64];
	uint16_t off, size;
	bool is_signed;
};

/* Fields in the file's order, common_* ones included: a policy's args
 * index counts them all. */
struct tp_format {
	struct tp_field *f;
	size_t n;
};

/* 0, -EINVAL (not a format file: *line says where) or -ENOMEM. */
int tp_format_parse(const char *text, struct tp_format *out, unsigned *line);
void tp_format_free(struct tp_format *f);
/* Reads <tracefs>/events/<subsys>/<event>/format from the first tracefs
 * mounted at /sys/kernel/tracing or /sys/kernel/debug/tracing. 0 or -errno. */
int tp_format_read(const char *subsys, const char *event, struct tp_format *out);

#endif
