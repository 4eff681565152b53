/* Shared by bpf/probe.bpf.c and src/probe/: no kernel types here. */
#ifndef VETO_BPF_PROBE_H
#define VETO_BPF_PROBE_H

#define PROBE_RB_MAGIC 0x7665746fu /* "veto" */

#endif
