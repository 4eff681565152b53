/* The commands' side of the control socket: connect, one request, one answer. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cmd/client.h"
#include "util/out.h"

int cmd_connect_agent(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -errno;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int cmd_ask_agent(const char *cmd, const char *sock, const char *line, const char *body, size_t len,
		  struct jr *answer, char **raw)
{
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *in;
	int fd = cmd_connect_agent(sock), err;

	if (fd < 0) {
		out_error("%s: cannot connect to the agent at %s: %s%s", cmd, sock, strerror(-fd),
			  fd == -ENOENT || fd == -ECONNREFUSED ? " (is `veto agent` running?)" : "");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	err = send_all(fd, line, strlen(line));
	if (!err)
		err = send_all(fd, "\n", 1);
	if (!err && body)
		err = send_all(fd, body, len);
	in = fdopen(fd, "r");
	if (!in) {
		close(fd);
		out_error("%s: %s", cmd, strerror(errno));
		return 1;
	}
	/* the agent may answer before the whole body went (a refusal): read it */
	n = getline(&buf, &cap, in);
	fclose(in);
	if (n <= 0) {
		free(buf);
		out_error("%s: the agent closed the connection without answering%s%s", cmd, err ? ": " : "",
			  err ? strerror(-err) : "");
		return 1;
	}
	if (jr_parse(buf, answer) || answer->type != JR_OBJ) {
		out_error("%s: the agent's answer is not JSON: %s", cmd, buf);
		free(buf);
		jr_free(answer);
		return 1;
	}
	if (jr_get(answer, "error")) {
		out_error("%s: %s", cmd, jr_str(answer, "error"));
		jr_free(answer);
		free(buf);
		return 1;
	}
	if (raw)
		*raw = buf;
	else
		free(buf);
	return 0;
}
