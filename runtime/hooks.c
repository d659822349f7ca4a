#include "runtime/hooks.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "isolation/syscalls.h"
#include "spec/base/cleanup.h"
#include "spec/names.h"

static const char *kind_name(enum spec_hook_kind kind)
{
	return names_name(names_hooks, kind);
}

/* The environment a hook runs with: its own when the config gives one,
 * else the one the caller hands down (the process's, for the hooks that
 * run in the container), else none. */
struct hook_env {
	const char *const *env;
	size_t n;
};

_Noreturn static void exec_hook(const struct spec_hook *h, const struct hook_env *dflt,
				int in, int out)
{
	const struct hook_env own = { (const char *const *)h->env, h->n_env };
	const struct hook_env *e = h->n_env || !dflt ? &own : dflt;
	const char *argv[h->n_args + 2];
	const char *envp[e->n + 1];
	sigset_t none;

	/* A caller running in the foreground holds signals blocked. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	dup2(in, 0);
	dup2(out, 1);
	dup2(out, 2);
	close_range(3, ~0U, 0);
	/* args[0] is argv[0]; with no args the path stands in for it. */
	if (h->n_args) {
		memcpy(argv, h->args, h->n_args * sizeof(*argv));
		argv[h->n_args] = NULL;
	} else {
		argv[0] = h->path;
		argv[1] = NULL;
	}
	if (e->n)
		memcpy(envp, e->env, e->n * sizeof(*envp));
	envp[e->n] = NULL;
	execve(h->path, (char *const *)argv, (char *const *)envp);
	/* out is closed by now; stderr is the same pipe. */
	dprintf(2, "exec %s: %s", h->path, strerror(errno));
	_exit(127);
}

/* How a hook's wait ended early. */
enum hook_end { HOOK_EXITED, HOOK_TIMED_OUT, HOOK_CANCELLED };

/* Collect output and wait for the hook, killing it at the deadline or
 * when the caller gives up (cancel_fd readable). */
static int wait_hook(pid_t pid, int pidfd, int out, int timeout_s, int cancel_fd,
		     char *buf, size_t size, int *status, enum hook_end *end)
{
	struct timespec start, now;
	size_t used = 0;
	bool out_open = true;

	*end = HOOK_EXITED;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd pfd[3] = {
			{ .fd = pidfd, .events = POLLIN },
			{ .fd = out_open ? out : -1, .events = POLLIN },
			{ .fd = cancel_fd > 0 ? cancel_fd : -1, .events = POLLIN },
		};
		int wait_ms = -1;

		if (timeout_s > 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			wait_ms = timeout_s * 1000 - (int)((now.tv_sec - start.tv_sec) * 1000 +
							   (now.tv_nsec - start.tv_nsec) / 1000000);
			if (wait_ms <= 0) {
				*end = HOOK_TIMED_OUT;
				kill(pid, SIGKILL);
				break;
			}
		}
		if (poll(pfd, 3, wait_ms) < 0 && errno != EINTR)
			break;
		if (pfd[2].revents & POLLIN) {
			*end = HOOK_CANCELLED;
			kill(pid, SIGKILL);
			break;
		}
		if (pfd[1].revents) {
			char scratch[4096];
			/* Past what the message can hold, output is drained and
			 * dropped: a hook must never block on a full pipe. */
			ssize_t n = used < size - 1 ? read(out, buf + used, size - 1 - used)
						    : read(out, scratch, sizeof(scratch));

			if (n <= 0)
				out_open = false;
			else if (used < size - 1)
				used += (size_t)n;
		}
		if (pfd[0].revents && !out_open)
			break;
		if (pfd[0].revents) {
			/* Exited: drain what is left without blocking. */
			ssize_t n;

			fcntl(out, F_SETFL, O_NONBLOCK);
			while (used < size - 1 && (n = read(out, buf + used, size - 1 - used)) > 0)
				used += (size_t)n;
			break;
		}
	}
	buf[used] = '\0';
	while (used && (buf[used - 1] == '\n'))
		buf[--used] = '\0';
	if (waitpid(pid, status, 0) < 0)
		return -errno;
	return 0;
}

static int run_one(const struct spec_hook *h, const struct hook_env *dflt,
		   enum spec_hook_kind kind, size_t i, const char *state, size_t len,
		   int cancel_fd, struct berr *err)
{
	int in[2], out[2];
	cleanup_close int pidfd = -1;
	char output[512];
	enum hook_end end;
	int status = 0;
	pid_t pid;

	/* stdin is a socket so that writing to a hook that exits without
	 * reading gives EPIPE, not SIGPIPE (MSG_NOSIGNAL). */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0)
		return berr_sys(err, "hook %s[%zu]: socketpair", kind_name(kind), i);
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return berr_sys(err, "hook %s[%zu]: pipe", kind_name(kind), i);
	}
	pid = fork();
	if (pid == 0)
		exec_hook(h, dflt, in[0], out[1]);
	close(in[0]);
	close(out[1]);
	if (pid < 0) {
		close(in[1]);
		close(out[0]);
		return berr_sys(err, "hook %s[%zu]: fork", kind_name(kind), i);
	}
	pidfd = sys_pidfd_open(pid, 0);
	/* A hook that ignores its stdin is not an error: its exit status
	 * tells how it went. */
	while (len > 0) {
		ssize_t n = send(in[1], state, len, MSG_NOSIGNAL);

		if (n <= 0)
			break;
		state += n;
		len -= (size_t)n;
	}
	close(in[1]);
	wait_hook(pid, pidfd, out[0], h->timeout_set ? h->timeout : 0, cancel_fd, output,
		  sizeof(output), &status, &end);
	close(out[0]);
	if (end == HOOK_TIMED_OUT)
		return berr_fail(err, ETIMEDOUT, "hook %s[%zu] %s: timed out after %d s",
				 kind_name(kind), i, h->path, h->timeout);
	if (end == HOOK_CANCELLED)
		return berr_fail(err, ECANCELED, "hook %s[%zu] %s killed: interrupted",
				 kind_name(kind), i, h->path);
	if (WIFSIGNALED(status))
		return berr_fail(err, ECANCELED, "hook %s[%zu] %s: killed by signal %d%s%s",
				 kind_name(kind), i, h->path, WTERMSIG(status),
				 output[0] ? ": " : "", output);
	if (WEXITSTATUS(status))
		return berr_fail(err, ECANCELED, "hook %s[%zu] %s: exit status %d%s%s",
				 kind_name(kind), i, h->path, WEXITSTATUS(status),
				 output[0] ? ": " : "", output);
	return 0;
}

static int run_list(const struct spec_hooks *hooks, const struct hook_env *dflt,
		    enum spec_hook_kind kind, const char *state_json, size_t len,
		    int cancel_fd, struct berr *err)
{
	for (size_t i = 0; i < hooks->n[kind]; i++) {
		int ret = run_one(&hooks->list[kind][i], dflt, kind, i, state_json, len,
				  cancel_fd, err);

		if (ret < 0)
			return ret;
	}
	return 0;
}

int hooks_run(const struct spec_hooks *hooks, enum spec_hook_kind kind,
	      const char *state_json, size_t len, int cancel_fd, struct berr *err)
{
	return run_list(hooks, NULL, kind, state_json, len, cancel_fd, err);
}

int hooks_run_env(const struct spec_hooks *hooks, enum spec_hook_kind kind,
		  const char *state_json, size_t len, const char *const *env,
		  size_t n_env, struct berr *err)
{
	const struct hook_env dflt = { env, n_env };

	return run_list(hooks, &dflt, kind, state_json, len, 0, err);
}

void hooks_run_all(const struct spec_hooks *hooks, enum spec_hook_kind kind,
		   const char *state_json, size_t len,
		   void (*warn)(void *arg, const struct berr *w), void *arg)
{
	for (size_t i = 0; i < hooks->n[kind]; i++) {
		struct berr err = { 0 };

		if (run_one(&hooks->list[kind][i], NULL, kind, i, state_json, len, 0, &err) < 0 &&
		    warn)
			warn(arg, &err);
	}
}
