/* The commands' side of the control socket (agent/request.h). */
#ifndef VETO_CMD_CLIENT_H
#define VETO_CMD_CLIENT_H

#include <stddef.h>

#include "util/jsonr.h"

/* A connected socket, or -errno. */
int cmd_connect_agent(const char *path);
/* Sends line (without its newline) and body (len bytes, or NULL), reads the
 * one-line answer into answer, and when raw is not NULL the line itself
 * (free it). 0, or the exit status after printing why (the agent's error,
 * or no agent); answer is then empty. */
int cmd_ask_agent(const char *cmd, const char *sock, const char *line, const char *body, size_t len,
		  struct jr *answer, char **raw);

#endif
