/* pause, resume, update, stats, events. */
#include "runtime/cgroups.h"

#include <poll.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <time.h>

#include "isolation/cgroup.h"
#include "runtime/debug.h"
#include "runtime/internal.h"

/* Open the container, check its status is one of want ("running",
 * "created", "paused"; a NULL-terminated list) and load its cgroup. */
static int open_live(const struct rt_ctx *ctx, const char *id, bool exclusive,
		     const char *const *want, const char *action,
		     struct store_container *c, struct cgroup *cg, struct berr *err)
{
	const char *status;
	int ret;

	ret = internal_open(ctx, id, exclusive, c, err);
	if (ret < 0)
		return ret;
	status = internal_status(c);
	ret = -1;
	for (const char *const *w = want; *w; w++)
		if (strcmp(status, *w) == 0)
			ret = 0;
	if (ret < 0) {
		ret = berr_fail(err, strcmp(status, "stopped") == 0 ? ESRCH : EBUSY,
			       "cannot %s container \"%s\": it is %s", action, id, status);
		store_close(c);
		return ret;
	}
	ret = internal_cgroup(c, cg, err);
	if (ret == 0 && cg->none) {
		ret = cgroup_none_error(action, err);
		cgroup_release(cg);
	}
	if (ret < 0)
		store_close(c);
	return ret;
}

static void close_live(struct store_container *c, struct cgroup *cg)
{
	cgroup_release(cg);
	store_close(c);
}

static int freeze(const struct rt_ctx *ctx, const char *id, bool on, struct berr *err)
{
	static const char *const can_pause[] = { "running", "created", NULL };
	static const char *const can_resume[] = { "paused", NULL };
	struct store_container c;
	struct cgroup cg;
	int ret;

	ret = open_live(ctx, id, true, on ? can_pause : can_resume, on ? "pause" : "resume",
			&c, &cg, err);
	if (ret < 0)
		return ret;
	ret = cgroup_freeze(&cg, on, err);
	if (ret == 0)
		debug_log(ctx, "container \"%s\" %s", id, on ? "frozen" : "thawed");
	close_live(&c, &cg);
	return ret;
}

int rt_pause(const struct rt_ctx *ctx, const char *id, struct berr *err)
{
	return freeze(ctx, id, true, err);
}

int rt_resume(const struct rt_ctx *ctx, const char *id, struct berr *err)
{
	return freeze(ctx, id, false, err);
}

static const char *const live[] = { "running", "created", "paused", NULL };

int rt_update(const struct rt_ctx *ctx, const char *id,
	      const struct spec_resources *res, struct berr *err)
{
	struct spec_resources r = *res;
	struct store_container c;
	struct cgroup cg;
	int ret;

	ret = open_live(ctx, id, true, live, "update", &c, &cg, err);
	if (ret < 0)
		return ret;
	internal_drop_kernel_memory(ctx, &r.memory);
	ret = cgroup_update(&cg, &r, err);
	close_live(&c, &cg);
	return ret;
}

int rt_stats(const struct rt_ctx *ctx, const char *id, struct spec_stats *st,
	     struct berr *err)
{
	struct store_container c;
	struct cgroup cg;
	int ret;

	memset(st, 0, sizeof(*st));
	ret = open_live(ctx, id, false, live, "read the statistics of", &c, &cg, err);
	if (ret < 0)
		return ret;
	ret = cgroup_stats(&cg, st, err);
	close_live(&c, &cg);
	return ret;
}

/* The container's cgroup, whatever its status. */
static int any_cgroup(const struct rt_ctx *ctx, const char *id, struct cgroup *cg,
		      struct berr *err)
{
	struct store_container c;
	int ret;

	ret = internal_open(ctx, id, false, &c, err);
	if (ret < 0)
		return ret;
	ret = internal_cgroup(&c, cg, err);
	store_close(&c);
	return ret;
}

int rt_oom_watch(const struct rt_ctx *ctx, const char *id, struct cgroup_oom_watch *w,
		 struct berr *err)
{
	struct cgroup cg;
	int ret;

	ret = any_cgroup(ctx, id, &cg, err);
	if (ret < 0)
		return ret;
	ret = cgroup_oom_watch(&cg, w, err);
	cgroup_release(&cg);
	return ret;
}

int rt_oom_watch_open(const struct rt_ctx *ctx, const char *id,
		      struct cgroup_oom_watch **w, struct berr *err)
{
	struct cgroup_oom_watch *nw = calloc(1, sizeof(*nw));
	int ret;

	*w = NULL;
	if (!nw)
		return berr_set(err, ENOMEM, "watch the OOMs of %s", id);
	nw->fd = nw->aux_fd = -1;
	ret = rt_oom_watch(ctx, id, nw, err);
	if (ret < 0) {
		free(nw);
		return ret;
	}
	*w = nw;
	return 0;
}

int rt_oom_watch_fd(const struct cgroup_oom_watch *w, short *events)
{
	return cgroup_oom_fd(w, events);
}

int rt_oom_watch_read(struct cgroup_oom_watch *w, uint64_t *new_ooms, struct berr *err)
{
	return cgroup_oom_read(w, new_ooms, err);
}

void rt_oom_watch_free(struct cgroup_oom_watch *w)
{
	if (!w)
		return;
	cgroup_oom_close(w);
	free(w);
}

int rt_cgroup_unified(bool *unified, struct berr *err)
{
	enum cgroup_layout layout = CGROUP_HYBRID;
	int ret = cgroup_detect_layout(&layout, err);

	*unified = ret == 0 && layout == CGROUP_UNIFIED;
	return ret;
}

int rt_oom_kills(const struct rt_ctx *ctx, const char *id, uint64_t *n, struct berr *err)
{
	struct cgroup cg;
	int ret;

	*n = 0;
	ret = any_cgroup(ctx, id, &cg, err);
	if (ret < 0)
		return ret;
	*n = cgroup_oom_kills(&cg);
	cgroup_release(&cg);
	return 0;
}

/* Still there and not stopped? */
static bool alive(const struct rt_ctx *ctx, const char *id)
{
	struct store_container c;
	struct berr ignored;
	bool yes;

	if (store_open(ctx->root, id, false, &c, &ignored) < 0)
		return false;
	yes = strcmp(internal_status(&c), "stopped") != 0;
	store_close(&c);
	return yes;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int emit_stats(const struct rt_ctx *ctx, const char *id,
		      int (*fn)(const struct rt_event *ev, void *data), void *data,
		      struct berr *err)
{
	struct spec_stats st;
	struct rt_event ev = { RT_EVENT_STATS, &st };
	int ret = rt_stats(ctx, id, &st, err);

	if (ret < 0)
		return ret;
	ret = fn(&ev, data);
	spec_stats_release(&st);
	return ret;
}

/* Hand the OOMs the watch has seen to fn. */
static int emit_ooms(struct cgroup_oom_watch *w, int (*fn)(const struct rt_event *ev, void *data),
		     void *data, bool *gone, struct berr *err)
{
	uint64_t ooms = 0;
	int ret = 0;

	if (w->fd < 0)
		return 0;
	ret = cgroup_oom_read(w, &ooms, err);
	if (ret == -ENOENT) {
		*gone = true;
		return 0;
	}
	for (uint64_t i = 0; i < ooms && ret == 0; i++) {
		struct rt_event ev = { RT_EVENT_OOM, NULL };

		ret = fn(&ev, data);
	}
	return ret;
}

int rt_events(const struct rt_ctx *ctx, const char *id, int interval_ms,
	      int (*fn)(const struct rt_event *ev, void *data), void *data,
	      struct berr *err)
{
	struct cgroup_oom_watch w = { .fd = -1, .aux_fd = -1 };
	struct store_container c;
	struct berr ignored;
	struct cgroup cg;
	int pidfd, ret;
	bool gone = false;
	long next;

	ret = open_live(ctx, id, false, live, "watch", &c, &cg, err);
	if (ret < 0)
		return ret;
	/* A container without a memory controller has no OOMs to tell. */
	cgroup_oom_watch(&cg, &w, &ignored);
	/* The init's exit ends the stream at once. */
	pidfd = internal_init_pidfd(&c, &ignored);
	close_live(&c, &cg);
	next = now_ms() + interval_ms;
	while (ret == 0 && !gone) {
		struct pollfd pfd[2] = { { .fd = -1 }, { .fd = pidfd, .events = POLLIN } };
		long wait = next - now_ms();

		if (w.fd >= 0)
			pfd[0].fd = cgroup_oom_fd(&w, &pfd[0].events);
		if (wait > 0 && poll(pfd, 2, (int)wait) > 0) {
			if (pfd[1].revents)
				gone = true;
			ret = emit_ooms(&w, fn, data, &gone, err);
			continue;
		}
		if (!alive(ctx, id))
			break;
		ret = emit_stats(ctx, id, fn, data, err);
		/* It may have stopped between the check and the read. */
		if (ret < 0 && !alive(ctx, id))
			ret = 0;
		next += interval_ms;
	}
	if (pidfd >= 0)
		close(pidfd);
	cgroup_oom_close(&w);
	return ret;
}
