/* Running a CNI plugin: its binary found in CNI_PATH, the call's
 * parameters in its environment, the network config on stdin, the
 * result (or an error result) on stdout, exit status 0 for success.
 *
 * posix_spawn, not fork: berthd has threads (runtime/engine/engine.h).
 * A plugin that hangs is killed after PLUGIN_TIMEOUT_MS, so that a
 * container's start or removal cannot wait forever. */
#include "runtime/network/cni_exec.h"
#include "runtime/network/internal.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "spec/base/cleanup.h"
#include "spec/json_read.h"

#define PLUGIN_TIMEOUT_MS 60000
#define PLUGIN_MAX_OUTPUT (1 << 20)

static int find_plugin(const char *cni_path, const char *type, char *path, size_t n,
		       struct berr *err)
{
	const char *p = cni_path;

	if (!*type || strchr(type, '/') || strcmp(type, ".") == 0 || strcmp(type, "..") == 0)
		return berr_invalid(err, "invalid CNI plugin type \"%s\"", type);
	while (*p) {
		size_t len = strcspn(p, ":");

		if (len && (size_t)snprintf(path, n, "%.*s/%s", (int)len, p, type) < n &&
		    access(path, X_OK) == 0)
			return 0;
		p += len;
		if (*p == ':')
			p++;
	}
	return berr_not_found(err, "CNI plugin \"%s\" not found in %s", type, cni_path);
}

static int build_env(const struct cni_call *c, char env[6][PATH_MAX + 32])
{
	snprintf(env[0], sizeof(env[0]), "CNI_COMMAND=%s", c->command);
	snprintf(env[1], sizeof(env[1]), "CNI_CONTAINERID=%s", c->container_id);
	snprintf(env[2], sizeof(env[2]), "CNI_NETNS=%s", c->netns ? c->netns : "");
	snprintf(env[3], sizeof(env[3]), "CNI_IFNAME=%s", c->ifname);
	snprintf(env[4], sizeof(env[4]), "CNI_PATH=%s", c->cni_path);
	/* The plugins run iptables and friends by name. */
	snprintf(env[5], sizeof(env[5]),
		 "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	return 0;
}

static int spawn_plugin(const char *path, char env[6][PATH_MAX + 32], int in, int out,
			pid_t *pid)
{
	char *argv[] = { (char *)path, NULL };
	char *envp[] = { env[0], env[1], env[2], env[3], env[4], env[5], NULL };
	const int fds[3] = { in, out, -1 };

	return net_tool_spawn(path, argv, envp, fds, pid);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Feed config to in and collect out until the plugin closes it. */
static int exchange(int *inp, int out, const char *config, size_t len, char **buf,
		    size_t *got, const char *what, struct berr *err)
{
	size_t sent = 0, cap = 0;
	int in = *inp;
	int64_t end = now_ms() + PLUGIN_TIMEOUT_MS;

	for (;;) {
		struct pollfd p[2] = { { .fd = out, .events = POLLIN },
				       { .fd = in, .events = POLLOUT } };
		int64_t left = end - now_ms();
		int n;

		if (left <= 0)
			return berr_fail(err, ETIMEDOUT, "%s: no answer in %d s", what,
					 PLUGIN_TIMEOUT_MS / 1000);
		n = poll(p, in >= 0 ? 2 : 1, (int)left);
		if (n < 0 && errno != EINTR)
			return berr_sys(err, "%s: poll", what);
		if (n <= 0)
			continue;
		if (in >= 0 && p[1].revents) {
			ssize_t w = write(in, config + sent, len - sent);

			if (w < 0 && errno != EAGAIN && errno != EINTR)
				return berr_sys(err, "%s: write its config", what);
			if (w > 0)
				sent += (size_t)w;
			if (sent == len || (w < 0 && errno == EPIPE)) {
				close(in);
				in = *inp = -1;
			}
		}
		if (p[0].revents) {
			ssize_t r;

			if (*got + 4096 + 1 > cap) {
				char *grown;

				if (cap >= PLUGIN_MAX_OUTPUT)
					return berr_fail(err, EMSGSIZE, "%s: output too large",
							 what);
				cap = cap ? cap * 2 : 8192;
				grown = realloc(*buf, cap);
				if (!grown)
					return berr_set(err, ENOMEM, "%s", what);
				*buf = grown;
			}
			r = read(out, *buf + *got, cap - *got - 1);
			if (r < 0 && errno != EINTR && errno != EAGAIN)
				return berr_sys(err, "%s: read its result", what);
			if (r == 0)
				break;
			if (r > 0)
				*got += (size_t)r;
		}
	}
	return 0;
}

/* The "msg" (and "details") of an error result, else the raw output. */
static int plugin_failed(const char *what, const char *out, int status, struct berr *err)
{
	cleanup_tree yajl_val tree = NULL;
	struct berr ignored;

	if (out && *out && jr_parse(out, strlen(out), &tree, &ignored) == 0) {
		yajl_val msg = jr_get(tree, "msg"), details = jr_get(tree, "details");

		if (YAJL_IS_STRING(msg) && YAJL_IS_STRING(details) && *YAJL_GET_STRING(details))
			return berr_fail(err, EIO, "%s: %s: %s", what, YAJL_GET_STRING(msg),
					 YAJL_GET_STRING(details));
		if (YAJL_IS_STRING(msg))
			return berr_fail(err, EIO, "%s: %s", what, YAJL_GET_STRING(msg));
	}
	if (WIFSIGNALED(status))
		return berr_fail(err, EIO, "%s: killed by signal %d", what, WTERMSIG(status));
	return berr_fail(err, EIO, "%s: exit status %d%s%.200s", what, WEXITSTATUS(status),
			 out && *out ? ": " : "", out ? out : "");
}

int cni_exec(const struct cni_call *call, const char *type, const char *config,
	     size_t config_len, char **out, struct berr *err)
{
	char path[PATH_MAX], what[128], env[6][PATH_MAX + 32];
	cleanup_free char *buf = NULL;
	int inp[2] = { -1, -1 }, outp[2] = { -1, -1 };
	size_t got = 0;
	int ret, status = 0;
	pid_t pid;

	snprintf(what, sizeof(what), "CNI plugin %s %s", type, call->command);
	ret = find_plugin(call->cni_path, type, path, sizeof(path), err);
	if (ret < 0)
		return ret;
	build_env(call, env);
	if (pipe2(inp, O_CLOEXEC) < 0)
		return berr_sys(err, "%s: pipe", what);
	if (pipe2(outp, O_CLOEXEC) < 0) {
		ret = berr_sys(err, "%s: pipe", what);
		close(inp[0]);
		close(inp[1]);
		return ret;
	}
	ret = spawn_plugin(path, env, inp[0], outp[1], &pid);
	close(inp[0]);
	close(outp[1]);
	if (ret != 0) {
		close(inp[1]);
		close(outp[0]);
		return berr_set(err, ret, "%s: run %s", what, path);
	}
	/* A plugin that exits without reading its config must not kill us. */
	fcntl(inp[1], F_SETFL, O_NONBLOCK);
	ret = exchange(&inp[1], outp[0], config, config_len, &buf, &got, what, err);
	if (inp[1] >= 0)
		close(inp[1]);
	close(outp[0]);
	if (ret < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (ret < 0)
		return ret;
	if (buf)
		buf[got] = '\0';
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return plugin_failed(what, buf, status, err);
	*out = buf ? steal_ptr(buf) : strdup("");
	if (!*out)
		return berr_set(err, ENOMEM, "%s", what);
	return 0;
}
