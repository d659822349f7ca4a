/* Running iptables and ip6tables as the CNI plugins run them: the
 * binaries found by name in the standard directories (whichever backend,
 * legacy or nf_tables, the host's alternatives chose, so that berthd's
 * rules and the plugins' land in the same tables), -w to wait for the
 * xtables lock rather than fail while another caller holds it.
 *
 * posix_spawn, not fork: berthd has threads (runtime/engine/engine.h). */
#include "runtime/network/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define IPT_DIRS "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define IPT_MAX_ARGS 24

static int find_binary(const char *name, char *path, size_t n, struct berr *err)
{
	const char *p = IPT_DIRS;

	while (*p) {
		size_t len = strcspn(p, ":");

		if ((size_t)snprintf(path, n, "%.*s/%s", (int)len, p, name) < n &&
		    access(path, X_OK) == 0)
			return 0;
		p += len + (p[len] == ':');
	}
	return berr_not_found(err, "%s not found in %s (berthd's networks need it)", name,
			      IPT_DIRS);
}

static int spawn_quiet(const char *path, char *const argv[], int in_fd, int err_fd, pid_t *pid)
{
	static char *const envp[] = { "PATH=" IPT_DIRS, NULL };
	const int fds[3] = { in_fd, -1, err_fd };

	return net_tool_spawn(path, argv, envp, fds, pid);
}

/* Run name -w args... (stdin: input, or /dev/null when NULL). */
static int run(const char *name, const char *const args[], const char *input, char *msg,
	       size_t msgn, struct berr *err)
{
	char path[PATH_MAX], *argv[IPT_MAX_ARGS + 3];
	size_t n = 0, got = 0;
	int pipefd[2], in[2] = { -1, -1 }, status, ret;
	pid_t pid;

	msg[0] = '\0';
	ret = find_binary(name, path, sizeof(path), err);
	if (ret < 0)
		return ret;
	argv[n++] = (char *)name;
	argv[n++] = "-w";
	for (size_t i = 0; args[i]; i++) {
		if (n >= IPT_MAX_ARGS + 2)
			return berr_fail(err, E2BIG, "%s: too many arguments", name);
		argv[n++] = (char *)args[i];
	}
	argv[n] = NULL;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return berr_sys(err, "%s: pipe", name);
	/* The input is small (a few rules): the pipe holds it whole. */
	if (input && pipe2(in, O_CLOEXEC) < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return berr_sys(err, "%s: pipe", name);
	}
	if (input && write(in[1], input, strlen(input)) != (ssize_t)strlen(input)) {
		ret = berr_sys(err, "%s: its input", name);
		close(in[0]);
		close(in[1]);
		close(pipefd[0]);
		close(pipefd[1]);
		return ret;
	}
	if (input)
		close(in[1]);
	ret = spawn_quiet(path, argv, in[0], pipefd[1], &pid);
	close(pipefd[1]);
	if (input)
		close(in[0]);
	if (ret != 0) {
		close(pipefd[0]);
		errno = ret;
		return berr_sys(err, "run %s", path);
	}
	/* What it says on stderr: the reason, when it fails. */
	for (;;) {
		char buf[256];
		ssize_t r = read(pipefd[0], buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		for (ssize_t i = 0; i < r && got + 1 < msgn; i++)
			msg[got++] = buf[i] == '\n' ? ' ' : buf[i];
	}
	msg[got] = '\0';
	while (got && msg[got - 1] == ' ')
		msg[--got] = '\0';
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return berr_sys(err, "wait for %s", name);
	if (!WIFEXITED(status))
		return berr_fail(err, EIO, "%s killed by signal %d", name, WTERMSIG(status));
	return WEXITSTATUS(status);
}

int net_iptables(bool v6, const char *const args[], char *msg, size_t msgn, struct berr *err)
{
	return run(v6 ? "ip6tables" : "iptables", args, NULL, msg, msgn, err);
}

int net_iptables_restore(bool v6, const char *input, char *msg, size_t msgn, struct berr *err)
{
	const char *const args[] = { "--noflush", NULL };

	return run(v6 ? "ip6tables-restore" : "iptables-restore", args, input, msg, msgn, err);
}
