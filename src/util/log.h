/* The agent's log: "veto: ..." lines on stderr (it runs in the foreground,
 * its supervisor keeps them). */
#ifndef VETO_UTIL_LOG_H
#define VETO_UTIL_LOG_H

void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
