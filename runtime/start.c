/* start: let the waiting container process run the user's program. */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "isolation/proc.h"
#include "runtime/debug.h"
#include "runtime/hooks.h"
#include "runtime/internal.h"
#include "spec/base/cleanup.h"

static int write_all(int fd, const void *buf, size_t len, struct berr *err)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berr_sys(err, "start the container process");
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int internal_start_send(int fd, const char *json, size_t len, struct berr *err)
{
	uint32_t len32 = (uint32_t)len;
	int ret;

	/* "s", a 32-bit length and the state the startContainer hooks read. */
	ret = write_all(fd, "s", 1, err);
	if (ret == 0)
		ret = write_all(fd, &len32, sizeof(len32), err);
	if (ret == 0)
		ret = write_all(fd, json, len, err);
	return ret;
}

static int send_start(int fd, struct store_container *c, struct berr *err)
{
	cleanup_free char *json = NULL;
	struct spec_state s = c->state;
	size_t len;
	int ret;

	s.status = "created";
	ret = spec_state_oci_json(&s, &json, &len, err);
	if (ret < 0)
		return ret;
	return internal_start_send(fd, json, len, err);
}

int internal_start_connect(const struct store_container *c, struct berr *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return berr_sys(err, "socket");
	snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/" STORE_EXEC_SOCK,
		 c->dirfd);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return berr_sys(err, "connect to the container process");
	return steal_fd(&fd);
}

/* Wait for the outcome: the init closes the connection when execve
 * succeeds (close-on-exec) and writes the error first when it fails. */
static int start_outcome(int fd, struct berr *err)
{
	char msg[sizeof(err->msg)];
	size_t used = 0;

	while (used < sizeof(msg) - 1) {
		long n = read(fd, msg + used, sizeof(msg) - 1 - used);

		if (n < 0 && errno == EINTR)
			continue;
		/* The connection was never accepted: the process ended
		 * before it got to the start (a reset, not an end). */
		if (n < 0 && errno == ECONNRESET && !used)
			return berr_fail(err, ECHILD,
					"the container process exited before it started");
		if (n <= 0)
			break;
		used += (size_t)n;
	}
	msg[used] = '\0';
	if (used)
		return berr_fail(err, EINVAL, "%s", msg);
	return 0;
}

static void warn(const struct rt_ctx *ctx, const struct berr *w)
{
	if (ctx->warn)
		ctx->warn(ctx->warn_arg, w);
}

/* poststart failures are warnings: the container runs on. */
static void poststart(const struct rt_ctx *ctx, struct store_container *c,
		      const struct spec_config *cfg)
{
	cleanup_config struct spec_config *loaded = NULL;
	cleanup_free char *json = NULL;
	struct spec_state s = c->state;
	struct berr err = { 0 };
	size_t len;

	if (!cfg) {
		if (internal_load_hooks(c, HOOK_POSTSTART, &loaded, &err) < 0) {
			warn(ctx, &err);
			return;
		}
		cfg = loaded;
	}
	if (!cfg || !hooks_any(&cfg->hooks, HOOK_POSTSTART))
		return;
	s.status = "running";
	if (spec_state_oci_json(&s, &json, &len, &err) < 0) {
		warn(ctx, &err);
		return;
	}
	hooks_run_all(&cfg->hooks, HOOK_POSTSTART, json, len, ctx->warn, ctx->warn_arg);
	debug_log(ctx, "poststart hooks run (%zu)", cfg->hooks.n[HOOK_POSTSTART]);
}

/* The init failed or will not get its filter answered: make sure it is
 * gone, so the container is stopped (delete removes the rest). */
static void stop_init(struct store_container *c)
{
	struct berr ignored;
	int pidfd = internal_init_pidfd(c, &ignored);

	if (pidfd < 0)
		return;
	proc_signal(pidfd, SIGKILL, &ignored);
	proc_wait_exit(pidfd, 5000);
	close(pidfd);
}

int internal_start_finish(const struct rt_ctx *ctx, struct store_container *c,
			  const struct spec_config *cfg, int fd, struct berr *err)
{
	int ret = start_outcome(fd, err);

	unlinkat(c->dirfd, STORE_EXEC_SOCK, 0);
	if (ret < 0) {
		stop_init(c);
		return ret;
	}
	debug_log(ctx, "container \"%s\" started: pid %d runs the program", c->state.id,
		  (int)c->state.pid);
	/* The state file keeps "created": a status is read live (the exec
	 * socket is gone, the init alive: running; internal_status), so
	 * rewriting the file, with its fdatasync and rename, would tell
	 * nobody anything. */
	poststart(ctx, c, cfg);
	return 0;
}

int rt_start(const struct rt_ctx *ctx, const char *id, struct berr *err)
{
	struct store_container c;
	cleanup_close int fd = -1;
	const char *status;
	int ret;

	ret = internal_open(ctx, id, true, &c, err);
	if (ret < 0)
		return ret;
	status = internal_status(&c);
	if (strcmp(status, "created") != 0) {
		ret = berr_fail(err, EINVAL, "cannot start container \"%s\": it is %s, not created",
			       id, status);
		goto out;
	}
	debug_log(ctx, "start container \"%s\": init pid %d", id, (int)c.state.pid);
	fd = internal_start_connect(&c, err);
	ret = fd < 0 ? fd : send_start(fd, &c, err);
	if (ret < 0) {
		unlinkat(c.dirfd, STORE_EXEC_SOCK, 0);
		stop_init(&c);
		goto out;
	}
	ret = internal_start_finish(ctx, &c, NULL, fd, err);
out:
	store_close(&c);
	return ret;
}
