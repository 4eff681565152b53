/* Process lifecycle sensor: loads bpf/process.bpf.c and reads its ring buffer. */
#ifndef VETO_SENSORS_PROCESS_H
#define VETO_SENSORS_PROCESS_H

#include <stddef.h>
#include <stdint.h>

#include "bpf/process.h"

struct proc_sensor;

/* Called once per raw record (struct veto_proc_event + sections); returns 0,
 * or a negative errno to stop consuming. */
typedef int (*proc_sensor_cb)(void *ctx, const void *data, size_t len);

/* Opens, loads and attaches the sensor. ringbuf_bytes: a power of two >= 4096
 * (0: default 8 MiB). On failure returns -errno and leaves a reason in
 * why (libbpf's last message). */
int proc_sensor_open(struct proc_sensor **out, size_t ringbuf_bytes, proc_sensor_cb cb, void *ctx,
		     char *why, size_t whylen);
/* The ring buffer map: policy programs write their events to it too, so one
 * consumer sees every event in order. */
int proc_sensor_ringbuf_fd(const struct proc_sensor *s);
/* File descriptor to poll for readiness (epoll). */
int proc_sensor_fd(const struct proc_sensor *s);
/* Consumes what is ready; returns the number of records or -errno. */
int proc_sensor_consume(struct proc_sensor *s);
/* Sums the per-CPU counters (enum veto_proc_counter). */
int proc_sensor_counters(const struct proc_sensor *s, uint64_t out[PROC_CNT__COUNT]);
void proc_sensor_close(struct proc_sensor *s);

#endif
