/* start: let the waiting container process run the user's program. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "runtime/hooks.h"
#include "runtime/internal.h"
#include "spec/cleanup.h"

/* Connect to the exec socket and wait for the outcome: the init closes
 * the connection when execve succeeds (close-on-exec) and writes the
 * error first when it fails. */
static int signal_start(struct store_container *c, struct berr *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char msg[sizeof(err->msg)];
	size_t used = 0;
	ssize_t n;

	if (fd < 0)
		return berr_sys(err, "socket");
	snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/" STORE_EXEC_SOCK,
		 c->dirfd);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return berr_sys(err, "connect to the container process");
	if (write(fd, "s", 1) != 1)
		return berr_sys(err, "start the container process");
	while (used < sizeof(msg) - 1 && (n = read(fd, msg + used, sizeof(msg) - 1 - used)) > 0)
		used += (size_t)n;
	msg[used] = '\0';
	if (used)
		return berr_set(err, 0, "%s", msg);
	return 0;
}

static int mark_running(struct store_container *c, struct berr *err)
{
	struct spec_state s = c->state;

	s.status = "running";
	return store_save(c, &s, err);
}

static int poststart(struct store_container *c, struct berr *err)
{
	cleanup_config struct spec_config *cfg = NULL;
	cleanup_free char *json = NULL;
	struct spec_state s = c->state;
	size_t len;
	int ret;

	ret = internal_load_config(c, &cfg, err);
	if (ret < 0 || !hooks_any(&cfg->hooks, HOOK_POSTSTART))
		return ret;
	s.status = "running";
	ret = spec_state_oci_json(&s, &json, &len, err);
	if (ret == 0)
		ret = hooks_run(&cfg->hooks, HOOK_POSTSTART, json, len, err);
	return ret;
}

int rt_start(const struct rt_ctx *ctx, const char *id, struct berr *err)
{
	struct store_container c;
	const char *status;
	int ret;

	ret = rt_check_id(id, err);
	if (ret < 0)
		return ret;
	ret = store_open(ctx->root, id, true, &c, err);
	if (ret < 0)
		return ret;
	status = internal_status(&c);
	if (strcmp(status, "created") != 0) {
		ret = berr_fail(err, EINVAL, "cannot start container \"%s\": it is %s, not created",
			       id, status);
		goto out;
	}
	ret = signal_start(&c, err);
	unlinkat(c.dirfd, STORE_EXEC_SOCK, 0);
	if (ret == 0)
		ret = mark_running(&c, err);
	/* poststart failures are reported, but the container runs on. */
	if (ret == 0)
		ret = poststart(&c, err);
out:
	store_close(&c);
	return ret;
}
