/* Capability names (linux/capability.h): the policy parser, lint and both encoders. */
#ifndef VETO_UTIL_CAPS_H
#define VETO_UTIL_CAPS_H

/* "CAP_CHOWN" ...; NULL past the last known capability. */
const char *cap_name(unsigned bit);
/* The name in exported events: Tetragon's CapabilitiesType enum, which is
 * cap_name() but for bit 1, "DAC_OVERRIDE"; NULL past the last known. */
const char *cap_export_name(unsigned bit);
/* From a name, any case: 0 and *out, or -ENOENT. */
int cap_from(const char *s, unsigned *out);

#endif
