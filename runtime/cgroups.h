/* The runtime's commands that act on a container's cgroups: pause,
 * resume, update, statistics and the event stream.  Like the rest of
 * runtime/ they never print; events come back through a callback. */
#ifndef BERTH_RUNTIME_CGROUPS_H
#define BERTH_RUNTIME_CGROUPS_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/runtime.h"
#include "spec/config.h"
#include "spec/base/err.h"
#include "spec/events.h"

struct cgroup_oom_watch;

/* Freeze every process of a running (or created) container and wait
 * until the kernel says they are frozen. */
int rt_pause(const struct rt_ctx *ctx, const char *id, struct berr *err);
int rt_resume(const struct rt_ctx *ctx, const char *id, struct berr *err);

/* Change the limits of a live container to what res sets (a zero number
 * is unset and keeps the current value). */
int rt_update(const struct rt_ctx *ctx, const char *id,
	      const struct spec_resources *res, struct berr *err);

/* Statistics of a container that still has processes (free with
 * spec_stats_release). */
int rt_stats(const struct rt_ctx *ctx, const char *id, struct spec_stats *st,
	     struct berr *err);

/* Out-of-memory kills of a container, for a supervisor of its own
 * (berthd): a watch to poll, and the number of kills so far, readable
 * while the container's cgroup exists, whatever its status.
 *
 * rt_oom_watch fills a watch the caller holds (see isolation/cgroup.h);
 * rt_oom_watch_open allocates one for callers outside this library, who
 * poll rt_oom_watch_fd for events (a v2 file always reads as ready: its
 * changes raise POLLPRI), read how many OOMs happened since with
 * rt_oom_watch_read (-ENOENT once the cgroup is gone) and free it with
 * rt_oom_watch_free. */
int rt_oom_watch(const struct rt_ctx *ctx, const char *id, struct cgroup_oom_watch *w,
		 struct berr *err);
int rt_oom_watch_open(const struct rt_ctx *ctx, const char *id,
		      struct cgroup_oom_watch **w, struct berr *err);
int rt_oom_watch_fd(const struct cgroup_oom_watch *w, short *events);
int rt_oom_watch_read(struct cgroup_oom_watch *w, uint64_t *new_ooms, struct berr *err);
void rt_oom_watch_free(struct cgroup_oom_watch *w);
int rt_oom_kills(const struct rt_ctx *ctx, const char *id, uint64_t *n, struct berr *err);

/* Is the host's cgroup layout unified (cgroup v2 only)?  Statistics
 * differ in form between the versions. */
int rt_cgroup_unified(bool *unified, struct berr *err);


enum rt_event_type {
	RT_EVENT_STATS,
	RT_EVENT_OOM,
};

struct rt_event {
	enum rt_event_type type;
	const struct spec_stats *stats; /* RT_EVENT_STATS only */
};

/* Watch a container: fn gets a stats event every interval_ms and an oom
 * event for each out-of-memory, until the container stops (0 returned)
 * or fn returns non-zero (returned as is).  Holds no lock while waiting,
 * so other commands (delete) go on meanwhile. */
int rt_events(const struct rt_ctx *ctx, const char *id, int interval_ms,
	      int (*fn)(const struct rt_event *ev, void *data), void *data,
	      struct berr *err);

#endif
