/* One entry per subcommand; each lives in src/cmd/<name>.c. */
#ifndef VETO_CMD_H
#define VETO_CMD_H

#include <stdio.h>

struct cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

/* The entry of v named name, or NULL: one lookup for commands and subcommands. */
const struct cmd *cmd_find(const struct cmd *v, size_t n, const char *name);
/* The names of v for a message: "a, b or c". */
void cmd_names(char *buf, size_t sz, const struct cmd *v, size_t n);
/* `veto GROUP SUB ...`: runs the subcommand of v that argv[1] names, or
 * prints usage (-h, --help, help: stdout and 0; none: stderr and 2) or an
 * error naming the choices (2). */
int cmd_dispatch(const char *group, const struct cmd *v, size_t n, int argc, char **argv, void (*usage)(FILE *));

int cmd_probe(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_policy_try(int argc, char **argv); /* src/cmd/policy_try.c */
int cmd_policy_features(int argc, char **argv); /* src/cmd/policy_features.c */
int cmd_policy_simulate(int argc, char **argv); /* src/cmd/policy_simulate.c */
int cmd_agent(int argc, char **argv);
int cmd_getevents(int argc, char **argv);
int cmd_reset(int argc, char **argv);
int cmd_tracingpolicy(int argc, char **argv); /* src/cmd/tracingpolicy.c */
int cmd_status(int argc, char **argv);        /* src/cmd/status.c */
int cmd_store(int argc, char **argv);         /* src/cmd/store.c */
int cmd_lineage(int argc, char **argv);       /* src/cmd/lineage.c */

/* What every command's option loop ends with: -o text|json, -v, -h and
 * unknown options. Returns CMD_NEXT to go on parsing, or the exit status to
 * return now. */
#define CMD_NEXT (-1)
int cmd_opt_rest(int c, void (*usage)(FILE *));
/* After the options: 0, or 2 with "Error: CMD: unexpected argument 'X'". */
int cmd_no_args(const char *cmd, int argc, char **argv);

/* A policy diagnostic as FILE:LINE:COL: severity: message (FILE: ... without
 * a line), or as a JSON object. */
struct diag;
struct jw;
void cmd_diag_text(FILE *f, const struct diag *x);
void cmd_diag_json(struct jw *w, const struct diag *x);

#endif
