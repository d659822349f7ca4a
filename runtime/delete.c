/* delete: stop what is left, run poststop hooks, remove every trace. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "isolation/cgroup.h"
#include "isolation/proc.h"
#include "isolation/rootfs.h"
#include "runtime/debug.h"
#include "runtime/hooks.h"
#include "runtime/internal.h"
#include "spec/base/cleanup.h"
#include "spec/config.h"

/* Kill the init and wait for it to be gone (it is usually not our child,
 * so wait on its pidfd rather than waitpid). */
static int stop_init(struct store_container *c, struct berr *err)
{
	int pidfd = internal_init_pidfd(c, err);
	int ret;

	if (pidfd == -ESRCH)
		return 0;
	if (pidfd < 0)
		return pidfd;
	ret = proc_signal(pidfd, SIGKILL, err);
	/* Killed already through its cgroup and reaped by its parent since
	 * the pidfd was opened: gone, as asked (a slow machine shows it). */
	if (ret == -ESRCH) {
		close(pidfd);
		return 0;
	}
	if (ret == 0 && proc_wait_exit(pidfd, 10000) < 0)
		ret = berr_fail(err, ETIMEDOUT, "the container's init did not exit");
	close(pidfd);
	return ret;
}

static void poststop(const struct rt_ctx *ctx, struct store_container *c)
{
	cleanup_config struct spec_config *cfg = NULL;
	cleanup_free char *json = NULL;
	struct spec_state s = c->state;
	struct berr err = { 0 };
	size_t len;
	int ret;

	/* The spec makes poststop failures warnings: delete goes on. */
	ret = internal_load_hooks(c, HOOK_POSTSTOP, &cfg, &err);
	if (ret == 0 && (!cfg || !hooks_any(&cfg->hooks, HOOK_POSTSTOP)))
		return;
	s.status = "stopped";
	s.pid = 0;
	if (ret == 0)
		ret = spec_state_oci_json(&s, &json, &len, &err);
	if (ret == 0) {
		hooks_run_all(&cfg->hooks, HOOK_POSTSTOP, json, len, ctx->warn, ctx->warn_arg);
		debug_log(ctx, "poststop hooks run (%zu)", cfg->hooks.n[HOOK_POSTSTOP]);
	}
	else if (ctx->warn)
		ctx->warn(ctx->warn_arg, &err);
}

/* The cgroup of a container whose state is missing or damaged: its own
 * directory, from the cgroupsPath of its stored config (create records
 * the state before it makes any cgroup, so without a state there is
 * usually none; a damaged state leaves the parents, which nothing says
 * berth made). */
static int cgroup_from_config(const struct store_container *c, const char *id,
			      struct cgroup *cg)
{
	cleanup_config struct spec_config *cfg = NULL;
	cleanup_free char *path = NULL;
	struct berr ignored;

	if (internal_load_config(c, &cfg, &ignored) < 0 ||
	    cgroup_spec_path(cfg->linux.cgroups_path, id, &path, &ignored) < 0)
		return -1;
	return cgroup_locate(cg, path, true, &ignored);
}

/* Without a mount namespace the container's rootfs was bound in the
 * caller's: detached now, with everything mounted below it. */
static int release_rootfs(const struct store_container *c, struct berr *err)
{
	unsigned long long id = store_extra_ull(c, "host_mount");

	if (!id || !c->state.rootfs)
		return 0;
	return rootfs_release(c->state.rootfs, (int)id, err);
}

static int destroy(const struct rt_ctx *ctx, const char *id, struct store_container *c,
		   struct berr *err)
{
	struct berr ignored;
	struct cgroup cg;
	bool have_cg = c->has_state ? internal_cgroup(c, &cg, &ignored) == 0
				    : cgroup_from_config(c, id, &cg) == 0;
	int ret;

	/* Everything dies at once, a paused container too (a v1 freezer is
	 * thawed after the SIGKILL, or the init could never exit). */
	if (have_cg)
		cgroup_signal_all(&cg, SIGKILL, &ignored);
	ret = stop_init(c, err);
	if (ret == 0)
		debug_log(ctx, "processes of container \"%s\" killed", id);
	if (ret == 0 && have_cg) {
		ret = cgroup_destroy(&cg, err);
		if (ret == 0)
			debug_log(ctx, "cgroup removed");
	}
	if (have_cg)
		cgroup_release(&cg);
	if (ret == 0 && c->has_state)
		ret = release_rootfs(c, err);
	if (ret < 0)
		return ret;
	if (c->has_state)
		poststop(ctx, c);
	ret = store_remove(c, err);
	if (ret == 0)
		debug_log(ctx, "state %s removed", c->dir);
	return ret;
}

int rt_delete(const struct rt_ctx *ctx, const char *id, bool force,
	      struct berr *err)
{
	struct store_container c;
	const char *status;
	int ret;

	/* Forced, a damaged state is no obstacle: what it would have said
	 * is found again from the config. */
	ret = rt_check_id(id, err);
	if (ret == 0)
		ret = force ? store_open_damaged(ctx->root, id, &c, err)
			    : store_open(ctx->root, id, true, &c, err);
	if (ret < 0)
		return ret;
	if (c.damage[0] && ctx->warn) {
		struct berr w = { 0 };

		berr_fail(&w, EINVAL, "%s (removing what is left)", c.damage);
		ctx->warn(ctx->warn_arg, &w);
	}
	status = internal_status(&c);
	debug_log(ctx, "delete container \"%s\" (%s)", id, status);
	if (!force && (strcmp(status, "running") == 0 || strcmp(status, "paused") == 0)) {
		ret = berr_fail(err, EBUSY,
			       "cannot delete container \"%s\": it is %s (stop it first, or "
			       "use --force)",
			       id, status);
		goto out;
	}
	ret = destroy(ctx, id, &c, err);
out:
	store_close(&c);
	return ret;
}
