/* One entry per subcommand; each lives in src/cmd/<name>.c. */
#ifndef VETO_CMD_H
#define VETO_CMD_H

struct cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

int cmd_probe(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_agent(int argc, char **argv);
int cmd_getevents(int argc, char **argv);

#endif
