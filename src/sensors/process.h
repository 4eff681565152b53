/* Process lifecycle sensor: loads bpf/process.bpf.c, writing to the ring
 * buffer events/ring.h made, and reads its counters. */
#ifndef VETO_SENSORS_PROCESS_H
#define VETO_SENSORS_PROCESS_H

#include <stddef.h>
#include <stdint.h>

#include "bpf/process.h"
#include "util/objfd.h"

struct proc_sensor;

/* Opens, loads and attaches the sensor; its records go to the ring buffer
 * map ring_fd (ev_ring_map_fd). On failure returns -errno and leaves a
 * reason in why (libbpf's last message). */
int proc_sensor_open(struct proc_sensor **out, int ring_fd, char *why, size_t whylen);
/* Sums the per-CPU counters (enum veto_proc_counter). */
int proc_sensor_counters(const struct proc_sensor *s, uint64_t out[PROC_CNT__COUNT]);
void proc_sensor_close(struct proc_sensor *s);
/* Every map, program and link fd of the sensor (the guard protects them). */
int proc_sensor_each_fd(const struct proc_sensor *s, objfd_fn fn, void *ctx);

#endif
