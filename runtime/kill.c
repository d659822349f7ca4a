/* kill: a signal to the container's init, or to all its processes. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "isolation/cgroup.h"
#include "isolation/proc.h"
#include "runtime/debug.h"
#include "runtime/internal.h"
#include "runtime/rootless.h"
#include "spec/base/cleanup.h"

/* Without a cgroup (unprivileged, no delegated subtree) the container's
 * processes are those of its pid namespace.  Unlike a cgroup's, that list
 * cannot be frozen while it is signalled: a process forked meanwhile may
 * miss a signal other than SIGKILL, which the init's death extends to
 * the whole namespace anyway. */
static int kill_pidns(struct store_container *c, int sig, struct berr *err)
{
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	int ret = rootless_pids(c->state.pid, &pids, &n, err);

	for (size_t i = 0; i < n && ret == 0; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			ret = berr_sys(err, "signal %d to pid %d", sig, (int)pids[i]);
	return ret;
}

static int kill_all(struct store_container *c, int sig, struct berr *err)
{
	struct cgroup cg;
	int ret = internal_cgroup(c, &cg, err);

	if (ret < 0)
		return ret;
	ret = cg.none ? kill_pidns(c, sig, err) : cgroup_signal_all(&cg, sig, err);
	cgroup_release(&cg);
	return ret;
}

/* A v1 freezer holds even a SIGKILL'd init until thawed. */
static void thaw_killed(struct store_container *c)
{
	struct berr ignored;
	struct cgroup cg;

	if (internal_cgroup(c, &cg, &ignored) == 0) {
		cgroup_thaw_killed(&cg);
		cgroup_release(&cg);
	}
}

int rt_kill(const struct rt_ctx *ctx, const char *id, int sig, bool all,
	    struct berr *err)
{
	struct store_container c;
	const char *status;
	int ret, pidfd;

	ret = internal_open(ctx, id, false, &c, err);
	if (ret < 0)
		return ret;
	status = internal_status(&c);
	debug_log(ctx, "kill container \"%s\" (%s): signal %d to %s", id, status, sig,
		  all ? "every process" : "its init");
	if (strcmp(status, "creating") == 0) {
		ret = berr_fail(err, ESRCH, "cannot signal \"%s\": container not running", id);
		goto out;
	}
	/* --all reaches what is left in the cgroup even once the init is gone:
	 * in a pid namespace it shares (a pod's), its children outlive it, and
	 * containerd's shim kills them this way after the init exits.  A
	 * cgroup already gone has nothing left to signal. */
	if (all) {
		ret = kill_all(&c, sig, err);
		if (ret == -ENOENT && strcmp(status, "stopped") == 0)
			ret = 0;
		goto out;
	}
	/* The phrase containerd's shim matches to mean "already exited". */
	if (strcmp(status, "stopped") == 0) {
		ret = berr_fail(err, ESRCH, "cannot signal \"%s\": container not running", id);
		goto out;
	}
	pidfd = internal_init_pidfd(&c, err);
	if (pidfd == -ESRCH)
		ret = berr_fail(err, ESRCH, "cannot signal \"%s\": container not running", id);
	else if (pidfd < 0)
		ret = pidfd;
	else {
		ret = proc_signal(pidfd, sig, err);
		close(pidfd);
		if (ret == 0 && sig == SIGKILL)
			thaw_killed(&c);
	}
out:
	store_close(&c);
	return ret;
}
