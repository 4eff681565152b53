/* veto's version: `veto --version`, the agent's status, veto_build_info. */
#ifndef VETO_UTIL_VERSION_H
#define VETO_UTIL_VERSION_H

#ifndef VETO_VERSION
#define VETO_VERSION "0.1.0"
#endif

#endif
