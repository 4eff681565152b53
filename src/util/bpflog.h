/* libbpf's messages, captured once for every loader: the first warning names
 * the failing program, the verifier's last words say why. With -v, every
 * message is echoed to stderr. */
#ifndef VETO_BPFLOG_H
#define VETO_BPFLOG_H

/* Starts a new attempt: installs the capture (once) and forgets the last one. */
void bpflog_reset(void);
/* Why the last attempt failed: "prog 'x': ...: verifier: ..." or "". */
const char *bpflog_why(void);

#endif
