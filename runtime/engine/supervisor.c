/* The lifecycle of berthd's containers: starting them under supervision
 * (supervise.h), learning of their exits, restart policies, stop, kill,
 * remove and wait, and finding everything again after a restart of
 * berthd.
 *
 * The supervisor loop holds one epoll set: the watches of supervision
 * (sv_watch_locked), the containers' OOM watches and a wake-up eventfd.
 * When a container's supervision ends, sv_release_locked says how it
 * ended, after it made sure nothing of it still runs; a restarted berthd
 * adopts the supervision of the containers recorded running, and records
 * the exits that happened while it was away. */
#include "runtime/engine/internal.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runtime/engine/bundle.h"
#include "spec/base/strv.h"
#include "runtime/engine/exit.h"
#include "runtime/engine/log.h"
#include "runtime/images/image_store.h"
#include "runtime/cgroups.h"
#include "runtime/images/layer_store.h"
#include "runtime/runtime.h"
#include "runtime/engine/supervise.h"
#include "spec/base/cleanup.h"
#include "spec/names.h"
#include "spec/base/timestamp.h"


#define WAKE_TAG ((void *)1)
/* An epoll entry with this bit is a container's OOM watch, not its
 * supervision's. */
#define OOM_BIT ((uintptr_t)1)

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_error(struct daemon_container *c, const char *msg)
{
	free(c->error);
	c->error = msg ? strdup(msg) : NULL;
}

/* OOMs while the container runs, as dockerd reports them: OOMKilled and
 * an oom event.  (A container without a memory cgroup has none to tell.)
 * The watch holds a reference of its own. */
static void watch_oom(struct daemon *d, struct daemon_container *c)
{
	struct rt_ctx ctx = { .root = d->oci_root };
	struct cgroup_oom_watch *w;
	struct epoll_event ev;
	struct berr ignored;
	short events = 0;
	int fd;

	if (c->oom || rt_oom_watch_open(&ctx, c->id, &w, &ignored) < 0)
		return;
	ev = (struct epoll_event){ .data.u64 = (uintptr_t)c | OOM_BIT };
	fd = rt_oom_watch_fd(w, &events);
	ev.events = (uint32_t)events;
	if (fd < 0 || epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		rt_oom_watch_free(w);
		return;
	}
	c->oom = w;
	c->refs++;
}

static void unwatch_oom(struct daemon *d, struct daemon_container *c)
{
	short events;

	if (!c->oom)
		return;
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, rt_oom_watch_fd(c->oom, &events), NULL);
	rt_oom_watch_free(c->oom);
	c->oom = NULL;
	daemon_put_locked(c); /* the watch's */
}

static void oom_locked(struct daemon *d, struct daemon_container *c)
{
	c->oom_killed = true;
	daemon_save_state_quiet(d, c);
	daemon_event_locked(d, c, "oom", NULL);
}

static void oom_event(struct daemon *d, struct daemon_container *c)
{
	struct berr ignored;
	uint64_t n = 0;

	if (!c->oom)
		return;
	if (rt_oom_watch_read(c->oom, &n, &ignored) < 0) {
		/* The cgroup is gone with the container. */
		unwatch_oom(d, c);
		return;
	}
	if (n)
		oom_locked(d, c);
}

/* --- start ------------------------------------------------------------------ */

struct start_job {
	struct daemon *d;
	struct daemon_container *c;
	char *dir, *rootfs;
	bool mounted;
};

static void job_free(struct start_job *j)
{
	free(j->dir);
	free(j->rootfs);
}

static int mount_rootfs(struct start_job *j, struct berr *err)
{
	struct image_rec img;
	cleanup_free char *upper = daemon_dir(j->d, j->c->id, "upper");
	cleanup_free char *work = daemon_dir(j->d, j->c->id, "work");
	struct berr ignored;
	int ret;

	ret = image_store_find(j->d->o.data_root, j->c->spec.image_id, &img, err);
	if (ret < 0)
		return berr_wrap(err, ret, "the container's image");
	/* A mount left by a supervision that died is replaced. */
	layer_store_umount(j->rootfs, &ignored);
	ret = layer_store_mount(j->d->o.data_root, img.layers, img.n_layers, upper, work,
				j->rootfs, j->c->spec.auto_remove, err);
	image_rec_free(&img);
	if (ret == 0)
		j->mounted = true;
	return ret;
}

static void hand_over_attaches(struct daemon *d, struct daemon_container *c)
{
	struct daemon_attach_req *reqs;
	size_t n;

	daemon_lock(d);
	reqs = c->pending;
	n = c->n_pending;
	c->pending = NULL;
	c->n_pending = 0;
	daemon_unlock(d);
	for (size_t i = 0; i < n; i++) {
		struct berr ignored;

		sv_attach(d, c, &reqs[i], &ignored);
		close(reqs[i].fd);
		free(reqs[i].extra);
	}
	free(reqs);
}

/* A realtime budget the container asks for must fit in its parent's,
 * which berthd holds (rt_cgroup_hold). */
static int hold_realtime(struct daemon *d, const struct daemon_container *c, struct berr *err)
{
	struct spec_resources res;

	if (!c->spec.cpu_rt_runtime && !c->spec.cpu_rt_period)
		return 0;
	daemon_bundle_limits(&c->spec, &res);
	return rt_cgroup_hold_realtime(&d->cgroup_hold, &res.cpu, err);
}

static int do_start(struct daemon *d, struct daemon_container *c, struct berr *err)
{
	struct rt_ctx ctx = { .root = d->oci_root };
	struct start_job j = { .d = d, .c = c };
	struct daemon_bundle_in bin;
	struct daemon_share share = { 0 };
	struct berr ignored;
	char netns[PATH_MAX];
	pid_t init = 0;
	char now[48];
	int ret;

	j.dir = daemon_dir(d, c->id, NULL);
	j.rootfs = daemon_dir(d, c->id, "rootfs");
	if (!j.dir || !j.rootfs) {
		job_free(&j);
		return berr_set(err, ENOMEM, "start");
	}
	/* Leftovers of an earlier run: its runtime state. */
	rt_delete(&ctx, c->id, true, &ignored);
	ret = daemon_share_prepare(d, c, &share, err);
	if (ret == 0)
		ret = mount_rootfs(&j, err);
	if (ret == 0)
		ret = daemon_net_attach(d, c, netns, sizeof(netns), err);
	if (ret == 0) {
		bin = (struct daemon_bundle_in){ .spec = &c->spec, .id = c->id, .dir = j.dir,
						 .cgroup_parent = d->o.cgroup_parent,
						 .netns = netns[0] ? netns : NULL,
						 .ip = c->ep.ip[0] ? c->ep.ip : NULL,
						 .data_root = d->o.data_root,
						 .init_path = d->o.init_path,
						 .share = &share };
		ret = daemon_bundle_write(&bin, err);
	}
	daemon_share_release(&share);
	if (ret == 0)
		ret = daemon_net_join_files(d, c, err);
	/* Its peers' names in its /etc/hosts, and its own in theirs. */
	if (ret == 0)
		daemon_net_hosts_refresh_of(d, c);
	if (ret == 0)
		ret = hold_realtime(d, c, err);
	if (ret == 0)
		ret = sv_start(d, c, &init, err);
	if (ret < 0) {
		daemon_net_detach(d, c, &ignored);
		if (j.mounted)
			layer_store_umount(j.rootfs, &ignored);
		goto out;
	}
	timestamp_now(now, sizeof(now));
	daemon_lock(d);
	c->pid = init;
	c->status = DS_RUNNING;
	c->has_run = true;
	c->oom_killed = false;
	set_error(c, NULL);
	snprintf(c->started_at, sizeof(c->started_at), "%s", now);
	daemon_save_state_quiet(d, c);
	sv_watch_locked(d, c);
	watch_oom(d, c);
	daemon_unlock(d);
	hand_over_attaches(d, c);
	ret = rt_start(&ctx, c->id, err);
	if (ret < 0) {
		/* Supervision sees the init die and records the exit; the error
		 * and docker's exit code for it are ours to set. */
		daemon_lock(d);
		set_error(c, err->msg);
		c->exit_code = daemon_start_failure_code(err->msg);
		c->manual_stop = true;
		daemon_unlock(d);
		rt_kill(&ctx, c->id, SIGKILL, false, &ignored);
		goto out;
	}
	daemon_lock(d);
	daemon_event_locked(d, c, "start", NULL);
	daemon_unlock(d);
out:
	job_free(&j);
	return ret;
}

static void wait_not_busy(struct daemon *d, struct daemon_container *c)
{
	while (c->busy)
		pthread_cond_wait(&d->changed, &d->lock);
}

static int start_container(struct daemon *d, struct daemon_container *c, bool restart,
			   struct berr *err)
{
	int ret;

	daemon_lock(d);
	wait_not_busy(d, c);
	if (c->removed || c->status == DS_REMOVING) {
		daemon_unlock(d);
		return berr_not_found(err, "No such container: %s", c->id);
	}
	if (c->status == DS_RUNNING || c->status == DS_PAUSED) {
		daemon_unlock(d);
		return 1;
	}
	c->busy = true;
	c->restart_at = 0;
	if (!restart) {
		c->manual_stop = false;
		c->restart_count = 0;
	}
	daemon_unlock(d);
	ret = do_start(d, c, err);
	daemon_lock(d);
	c->busy = false;
	if (ret < 0 && c->status != DS_RUNNING) {
		set_error(c, err->msg);
		if (c->has_run || restart) {
			c->status = DS_EXITED;
			c->exit_code = daemon_start_failure_code(err->msg);
		}
		daemon_save_state_quiet(d, c);
	}
	pthread_cond_broadcast(&d->changed);
	daemon_unlock(d);
	return ret;
}

/* volumes: also the anonymous volumes only it used (docker rm -v, and
 * every --rm container). */
static int remove_container(struct daemon *d, struct daemon_container *c, bool volumes,
			    struct berr *err);
static bool is_running(struct daemon_container *c);

void daemon_remove_if_exited(struct daemon *d, struct daemon_container *c)
{
	struct berr ignored;
	bool gone;

	daemon_lock(d);
	/* A docker restart's own exit keeps an --rm container. */
	gone = c->status == DS_EXITED && c->spec.auto_remove && !c->busy && !c->removed &&
	       !c->restarting;
	daemon_unlock(d);
	if (gone)
		remove_container(d, c, true, &ignored);
}

int daemon_start(struct daemon *d, const char *ref, struct berr *err)
{
	struct daemon_container *c;
	int ret = daemon_get(d, ref, &c, err);

	if (ret < 0)
		return ret;
	ret = start_container(d, c, false, err);
	if (ret < 0 && c->spec.auto_remove) {
		struct berr ignored;
		bool running;

		daemon_lock(d);
		running = c->status == DS_RUNNING;
		daemon_unlock(d);
		/* docker removes an --rm container whose start failed. */
		if (!running)
			remove_container(d, c, true, &ignored);
	}
	/* A container quick enough to exit before its start returned. */
	daemon_remove_if_exited(d, c);
	daemon_put(d, c);
	return ret;
}

/* --- exits ------------------------------------------------------------------- */

static int restart_delay_ms(struct daemon_container *c)
{
	int shift = c->restart_count < 10 ? c->restart_count : 10;
	int64_t ms = 100LL << shift;

	return ms > 60000 ? 60000 : (int)ms;
}

static bool wants_restart(struct daemon_container *c)
{
	const char *p = c->spec.restart_name;

	if (c->manual_stop || !p || !*p || strcmp(p, "no") == 0)
		return false;
	if (strcmp(p, "always") == 0 || strcmp(p, "unless-stopped") == 0)
		return true;
	if (strcmp(p, "on-failure") == 0)
		return c->exit_code != 0 &&
		       (c->spec.restart_max == 0 || c->restart_count < c->spec.restart_max);
	return false;
}

/* The supervision of c has ended: record the exit and decide what comes
 * next.  Called with the lock held; may drop it to remove the container. */
static void handle_exit(struct daemon *d, struct daemon_container *c, bool orphaned)
{
	char codebuf[32];
	char *attrs[2] = { codebuf, NULL };
	struct sv_exit ex;
	bool remove;
	int code;

	unwatch_oom(d, c);
	sv_release_locked(d, c, orphaned, &ex);
	code = ex.code;
	/* Supervision counted the OOM kills: one the watch did not see. */
	if (ex.oom && !c->oom_killed)
		oom_locked(d, c);
	if (c->error && c->manual_stop && c->exit_code >= 126 && c->exit_code <= 128) {
		/* Start failed: keep the code that names why. */
		code = c->exit_code;
	} else if (ex.error) {
		set_error(c, ex.error);
	}
	c->exit_code = code;
	c->pid = 0;
	snprintf(c->finished_at, sizeof(c->finished_at), "%s", ex.finished);
	c->exits++;
	/* Its network goes when the supervisor next runs (daemon_net_reap). */
	c->net_stale = true;
	daemon_exec_container_exited_locked(d, c->id);
	snprintf(codebuf, sizeof(codebuf), "exitCode=%d", code);
	daemon_event_locked(d, c, "die", attrs);
	if (wants_restart(c)) {
		c->status = DS_RESTARTING;
		c->restart_count++;
		c->restart_at = mono_ms() + restart_delay_ms(c);
	} else {
		c->status = DS_EXITED;
	}
	remove = c->status == DS_EXITED && c->spec.auto_remove && !c->busy && !c->restarting;
	/* A record about to go is not saved first (on ext4 a rename over
	 * the old record waits for the new one's data to be written): a
	 * berthd killed before the removal finds the container's record
	 * running, its shim gone, and ends and removes it the same way.  A
	 * removal that fails saves the record itself. */
	if (!remove)
		daemon_save_state_quiet(d, c);
	pthread_cond_broadcast(&d->changed);
	if (remove) {
		struct berr ignored;

		c->refs++;
		daemon_unlock(d);
		remove_container(d, c, true, &ignored);
		daemon_lock(d);
		daemon_put_locked(c);
	}
}

int daemon_supervisor_fd(struct daemon *d)
{
	return d->epfd;
}

int daemon_supervisor_timeout(struct daemon *d)
{
	int64_t next = -1, now = mono_ms();

	daemon_lock(d);
	for (struct daemon_container *c = d->containers; c; c = c->next) {
		if (c->restart_at && (next < 0 || c->restart_at < next))
			next = c->restart_at;
		if (c->net_stale && !c->busy)
			next = now;
	}
	if (daemon_net_gone_due_locked(d))
		next = now;
	daemon_unlock(d);
	if (next < 0)
		return -1;
	return next <= now ? 0 : (int)(next - now);
}

/* The networks of exited containers, detached outside the lock with the
 * container held busy. */
static void reap_networks(struct daemon *d)
{
	for (;;) {
		struct daemon_container *c = NULL;
		struct berr err;

		daemon_lock(d);
		for (struct daemon_container *p = d->containers; p && !c; p = p->next)
			if (p->net_stale && !p->busy && !is_running(p))
				c = p;
		if (c) {
			c->net_stale = false;
			c->busy = true;
			c->refs++;
		}
		daemon_unlock(d);
		if (!c)
			return;
		if (daemon_net_detach(d, c, &err) < 0) {
			daemon_lock(d);
			set_error(c, err.msg);
			daemon_unlock(d);
		}
		daemon_lock(d);
		c->busy = false;
		pthread_cond_broadcast(&d->changed);
		daemon_unlock(d);
		/* An --rm container whose removal met the detach busy. */
		daemon_remove_if_exited(d, c);
		daemon_put(d, c);
	}
}

void daemon_supervise(struct daemon *d)
{
	struct epoll_event evs[32];
	int n = epoll_wait(d->epfd, evs, 32, 0);

	/* OOM watches first: an end of supervision closes its container's watch,
	 * whose event may be later in this batch. */
	daemon_lock(d);
	for (int i = 0; i < n; i++)
		if (evs[i].data.u64 & OOM_BIT && evs[i].data.ptr != WAKE_TAG)
			oom_event(d, (struct daemon_container *)(uintptr_t)(evs[i].data.u64 &
									     ~OOM_BIT));
	daemon_unlock(d);
	for (int i = 0; i < n; i++) {
		struct daemon_container *c = evs[i].data.ptr;

		if (c != WAKE_TAG && evs[i].data.u64 & OOM_BIT)
			continue;

		if (c == WAKE_TAG) {
			uint64_t v;

			if (read(d->wake_fd, &v, sizeof(v)) < 0) {
				/* nothing to clear */
			}
			continue;
		}
		daemon_lock(d);
		if (sv_watching_locked(c)) {
			handle_exit(d, c, false);
			daemon_put_locked(c); /* the epoll set's */
		}
		daemon_unlock(d);
	}
	for (;;) {
		struct daemon_container *due = NULL;
		int64_t now = mono_ms();
		struct berr ignored;

		daemon_lock(d);
		for (struct daemon_container *c = d->containers; c && !due; c = c->next)
			if (c->restart_at && c->restart_at <= now && !c->busy)
				due = c;
		if (due) {
			due->restart_at = 0;
			due->refs++;
		}
		daemon_unlock(d);
		if (!due)
			break;
		if (start_container(d, due, true, &ignored) == 0) {
			daemon_lock(d);
			daemon_event_locked(d, due, "restart", NULL);
			daemon_unlock(d);
		}
		daemon_put(d, due);
	}
	reap_networks(d);
	daemon_net_gone_run(d);
}

/* --- stop, kill, restart, remove ------------------------------------------------ */

static bool is_running(struct daemon_container *c)
{
	return c->status == DS_RUNNING || c->status == DS_PAUSED;
}

/* The container ref names, held for the caller (daemon_put), when it is
 * running: what needs its process (a signal, a terminal) has nothing to
 * act on otherwise. */
static int get_running(struct daemon *d, const char *ref, struct daemon_container **out,
		       struct berr *err)
{
	struct daemon_container *c;
	bool running;
	int ret = daemon_get(d, ref, &c, err);

	if (ret < 0)
		return ret;
	daemon_lock(d);
	running = is_running(c);
	daemon_unlock(d);
	if (!running) {
		ret = berr_conflict(err, ESRCH, "Container %s is not running", c->id);
		daemon_put(d, c);
		return ret;
	}
	*out = c;
	return 0;
}

/* Wait until c's exit was recorded (exits moved past seen) or timeout. */
static bool wait_exit_locked(struct daemon *d, struct daemon_container *c, uint64_t seen,
			     int timeout_ms)
{
	int64_t end = mono_ms() + timeout_ms;

	while (c->exits == seen && sv_watching_locked(c)) {
		int64_t left = end - mono_ms();
		struct timespec ts;

		if (timeout_ms >= 0 && left <= 0)
			return false;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&d->changed, &d->lock, &ts);
	}
	return true;
}

/* A frozen container takes no signal: as docker does, berthd thaws a
 * paused container once the signal is on its way. */
static int signal_container(struct daemon *d, struct daemon_container *c, int sig,
			    struct berr *err)
{
	struct rt_ctx ctx = { .root = d->oci_root };
	struct berr ignored;
	bool paused;
	int ret = rt_kill(&ctx, c->id, sig, false, err);

	daemon_lock(d);
	paused = c->status == DS_PAUSED;
	daemon_unlock(d);
	if (ret < 0 || !paused)
		return ret;
	if (rt_resume(&ctx, c->id, &ignored) == 0 || sig == SIGKILL) {
		daemon_lock(d);
		if (c->status == DS_PAUSED) {
			c->status = DS_RUNNING;
			daemon_save_state_quiet(d, c);
			daemon_event_locked(d, c, "unpause", NULL);
		}
		daemon_unlock(d);
	}
	return ret;
}

static int freeze(struct daemon *d, const char *ref, bool on, struct berr *err)
{
	struct rt_ctx ctx = { .root = d->oci_root };
	struct daemon_container *c;
	int ret = daemon_get(d, ref, &c, err);

	if (ret < 0)
		return ret;
	daemon_lock(d);
	wait_not_busy(d, c);
	if (c->status != DS_RUNNING && c->status != DS_PAUSED)
		ret = berr_conflict(err, ESRCH, "Container %s is not running", c->id);
	else if (on && c->status == DS_PAUSED)
		ret = berr_conflict(err, EBUSY, "Container %s is already paused", c->id);
	else if (!on && c->status != DS_PAUSED)
		ret = berr_conflict(err, EBUSY, "Container %s is not paused", c->id);
	if (ret == 0)
		c->busy = true;
	daemon_unlock(d);
	if (ret < 0) {
		daemon_put(d, c);
		return ret;
	}
	ret = on ? rt_pause(&ctx, c->id, err) : rt_resume(&ctx, c->id, err);
	daemon_lock(d);
	c->busy = false;
	/* The container may have exited meanwhile: its exit wins. */
	if (ret == 0 && (c->status == DS_RUNNING || c->status == DS_PAUSED)) {
		c->status = on ? DS_PAUSED : DS_RUNNING;
		daemon_save_state_quiet(d, c);
		daemon_event_locked(d, c, on ? "pause" : "unpause", NULL);
	}
	pthread_cond_broadcast(&d->changed);
	daemon_unlock(d);
	daemon_remove_if_exited(d, c);
	daemon_put(d, c);
	return ret;
}

int daemon_pause(struct daemon *d, const char *ref, struct berr *err)
{
	return freeze(d, ref, true, err);
}

int daemon_unpause(struct daemon *d, const char *ref, struct berr *err)
{
	return freeze(d, ref, false, err);
}

static int stop_container(struct daemon *d, struct daemon_container *c, int timeout,
			  const char *signame, struct berr *err)
{
	uint64_t seen;
	int sig = SIGTERM, ret;

	if (signame && *signame)
		sig = names_signal(signame);
	else if (c->spec.stop_signal && *c->spec.stop_signal)
		sig = names_signal(c->spec.stop_signal);
	if (sig <= 0)
		return berr_invalid(err, "invalid stop signal \"%s\"", signame);
	if (timeout < 0)
		timeout = c->spec.stop_timeout >= 0 ? c->spec.stop_timeout : 10;
	daemon_lock(d);
	if (c->status == DS_RESTARTING) {
		/* A stop cancels a pending restart. */
		c->restart_at = 0;
		c->manual_stop = true;
		c->status = DS_EXITED;
		daemon_save_state_quiet(d, c);
		pthread_cond_broadcast(&d->changed);
		daemon_unlock(d);
		return 0;
	}
	if (!is_running(c)) {
		daemon_unlock(d);
		return 1;
	}
	c->manual_stop = true;
	daemon_save_state_quiet(d, c);
	seen = c->exits;
	daemon_unlock(d);
	ret = signal_container(d, c, sig, err);
	daemon_lock(d);
	if (ret < 0 || !wait_exit_locked(d, c, seen, timeout * 1000)) {
		struct berr ignored;

		daemon_unlock(d);
		signal_container(d, c, SIGKILL, &ignored);
		daemon_lock(d);
		wait_exit_locked(d, c, seen, 30000);
	}
	if (c->exits != seen || !sv_watching_locked(c))
		daemon_event_locked(d, c, "stop", NULL);
	daemon_unlock(d);
	return 0;
}

int daemon_stop(struct daemon *d, const char *ref, int timeout, const char *signal,
		struct berr *err)
{
	struct daemon_container *c;
	int ret = daemon_get(d, ref, &c, err);

	if (ret < 0)
		return ret;
	ret = stop_container(d, c, timeout, signal, err);
	daemon_put(d, c);
	return ret;
}

int daemon_restart(struct daemon *d, const char *ref, int timeout, struct berr *err)
{
	struct daemon_container *c;
	int ret = daemon_get(d, ref, &c, err);

	if (ret < 0)
		return ret;
	daemon_lock(d);
	c->restarting = true;
	daemon_unlock(d);
	ret = stop_container(d, c, timeout, NULL, err);
	if (ret >= 0)
		ret = start_container(d, c, false, err);
	daemon_lock(d);
	c->restarting = false;
	if (ret >= 0) {
		daemon_event_locked(d, c, "restart", NULL);
		ret = 0;
	}
	daemon_unlock(d);
	/* A start that failed leaves an --rm container to go now. */
	daemon_remove_if_exited(d, c);
	daemon_put(d, c);
	return ret;
}

int daemon_kill(struct daemon *d, const char *ref, const char *signame, struct berr *err)
{
	struct daemon_container *c;
	char attr[48];
	char *attrs[2] = { attr, NULL };
	int sig = SIGKILL, ret;

	if (signame && *signame) {
		sig = names_signal(signame);
		if (sig <= 0)
			return berr_invalid(err, "Invalid signal: %s", signame);
	}
	ret = get_running(d, ref, &c, err);
	if (ret < 0)
		return ret;
	ret = signal_container(d, c, sig, err);
	if (ret == 0) {
		snprintf(attr, sizeof(attr), "signal=%d", sig);
		daemon_lock(d);
		daemon_event_locked(d, c, "kill", attrs);
		daemon_unlock(d);
	}
	daemon_put(d, c);
	return ret;
}

static int remove_files(struct daemon *d, struct daemon_container *c, struct berr *err)
{
	struct rt_ctx ctx = { .root = d->oci_root };
	cleanup_free char *dir = daemon_dir(d, c->id, NULL);
	struct berr ignored;
	int ret;

	if (!dir)
		return berr_set(err, ENOMEM, "remove");
	rt_delete(&ctx, c->id, true, &ignored);
	/* Its process is gone: its network's DEL need not hold the removal
	 * (net_gone.c). */
	ret = d->slirp ? daemon_net_detach(d, c, err) : daemon_net_defer_detach(d, c, err);
	if (ret == 0)
		ret = daemon_share_remove(d, c->id, err);
	if (ret < 0)
		return ret;
	/* The rootfs is unmounted there, after the answer (an --rm
	 * container's shim leaves it mounted for that). */
	return daemon_trash_put(&d->trash, dir, c->id, err);
}

static int remove_container(struct daemon *d, struct daemon_container *c, bool volumes,
			    struct berr *err)
{
	int ret;

	daemon_lock(d);
	wait_not_busy(d, c);
	if (c->removed || c->status == DS_REMOVING) {
		daemon_unlock(d);
		return 0;
	}
	c->busy = true;
	c->status = DS_REMOVING;
	c->restart_at = 0;
	daemon_unlock(d);
	ret = remove_files(d, c, err);
	daemon_lock(d);
	c->busy = false;
	if (ret < 0) {
		c->status = DS_DEAD;
		set_error(c, err->msg);
		c->removal_failures++;
		daemon_save_state_quiet(d, c);
	} else {
		for (struct daemon_container **p = &d->containers; *p; p = &(*p)->next) {
			if (*p == c) {
				*p = c->next;
				break;
			}
		}
		c->removed = true;
		for (size_t i = 0; i < c->n_pending; i++) {
			close(c->pending[i].fd);
			free(c->pending[i].extra);
		}
		c->n_pending = 0;
		daemon_exec_forget_container_locked(d, c->id);
		if (volumes) {
			char **gone = daemon_mounts_remove_anonymous_locked(d, &c->spec);

			for (size_t i = 0; gone && gone[i]; i++)
				daemon_event_volume_locked(d, "destroy", gone[i]);
			strv_free(gone);
		}
		daemon_event_locked(d, c, "destroy", NULL);
		daemon_put_locked(c); /* the table's */
	}
	pthread_cond_broadcast(&d->changed);
	daemon_unlock(d);
	return ret;
}

int daemon_remove(struct daemon *d, const char *ref, bool force, bool volumes,
		  struct berr *err)
{
	struct daemon_container *c;
	int ret = daemon_get(d, ref, &c, err);

	if (ret < 0)
		return ret;
	daemon_lock(d);
	if (is_running(c) || c->status == DS_RESTARTING) {
		uint64_t seen = c->exits;

		if (!force) {
			ret = berr_conflict(err, EBUSY,
					"cannot remove container \"/%s\": container is %s: stop the "
					"container before removing or force remove",
					c->name, daemon_status_name(c->status));
			daemon_unlock(d);
			daemon_put(d, c);
			return ret;
		}
		c->manual_stop = true;
		c->restart_at = 0;
		if (is_running(c)) {
			struct berr ignored;

			daemon_unlock(d);
			signal_container(d, c, SIGKILL, &ignored);
			daemon_lock(d);
			wait_exit_locked(d, c, seen, 30000);
		}
	}
	daemon_unlock(d);
	ret = remove_container(d, c, volumes, err);
	daemon_put(d, c);
	return ret;
}

/* --- wait, attach, resize ----------------------------------------------------- */

int daemon_wait(struct daemon *d, struct daemon_container *c, enum daemon_wait_cond cond,
		bool (*gone)(void *arg), void *arg, int *code, struct berr *err)
{
	uint64_t seen, failures;
	int ret = 0;

	daemon_lock(d);
	seen = c->exits;
	failures = c->removal_failures;
	for (;;) {
		struct timespec ts;

		/* Checked at every wake-up: a container that exited while it
		 * was busy (its network being detached, a start that failed)
		 * is not running once it is free, with no exit to come. */
		if (cond == WAIT_NOT_RUNNING && !is_running(c) && c->status != DS_RESTARTING &&
		    !c->busy)
			break;
		if (cond == WAIT_REMOVED ? c->removed : c->exits != seen)
			break;
		if (cond != WAIT_REMOVED && c->removed)
			break;
		if (cond == WAIT_REMOVED && c->removal_failures != failures) {
			ret = berr_fail(err, EIO, "%s", c->error ? c->error : "removal failed");
			break;
		}
		if ((gone && gone(arg)) || d->stopping) {
			ret = berr_fail(err, ECONNRESET, "the client went away");
			break;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 250 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&d->changed, &d->lock, &ts);
	}
	*code = c->exit_code;
	daemon_unlock(d);
	return ret;
}

int daemon_attach(struct daemon *d, const char *ref, int fd, bool in, bool out, bool errs,
		  const char *extra, size_t extra_len, struct berr *err)
{
	struct daemon_container *c;
	struct daemon_attach_req *grown;
	int ret;

	ret = daemon_get(d, ref, &c, err);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	daemon_lock(d);
	if (!is_running(c) || c->busy) {
		/* Output from the very start: the connection waits for the
		 * next start, which hands it to its new supervision. */
		grown = realloc(c->pending, (c->n_pending + 1) * sizeof(*grown));
		if (!grown) {
			daemon_unlock(d);
			close(fd);
			daemon_put(d, c);
			return berr_set(err, ENOMEM, "attach");
		}
		c->pending = grown;
		grown[c->n_pending] = (struct daemon_attach_req){ .fd = fd, .in = in, .out = out,
								 .err = errs };
		if (extra_len && (grown[c->n_pending].extra = malloc(extra_len))) {
			memcpy(grown[c->n_pending].extra, extra, extra_len);
			grown[c->n_pending].extra_len = extra_len;
		}
		c->n_pending++;
		daemon_event_locked(d, c, "attach", NULL);
		daemon_unlock(d);
		daemon_put(d, c);
		return 0;
	}
	daemon_event_locked(d, c, "attach", NULL);
	daemon_unlock(d);
	ret = sv_attach(d, c,
			&(struct daemon_attach_req){ .fd = fd, .in = in, .out = out, .err = errs,
						     .extra = (char *)extra, .extra_len = extra_len },
			err);
	close(fd);
	daemon_put(d, c);
	return ret;
}

int daemon_resize(struct daemon *d, const char *ref, unsigned h, unsigned w,
		  struct berr *err)
{
	struct daemon_container *c;
	int ret = get_running(d, ref, &c, err);

	if (ret < 0)
		return ret;
	ret = sv_resize(d, c, h, w, err);
	daemon_put(d, c);
	return ret;
}

/* --- open and close --------------------------------------------------------------- */

static int mkdir_one(const char *p, mode_t mode, struct berr *err)
{
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return berr_sys(err, "create %s", p);
	return 0;
}

/* A berthd killed between recording a start and the runtime's start
 * leaves the container created, its process waiting for a start nobody
 * will send: reported running, it would never run. */
static bool start_interrupted(struct daemon *d, struct daemon_container *c)
{
	struct rt_ctx ctx = { .root = d->oci_root };
	struct arena a = { 0 };
	struct spec_state s;
	struct berr ignored;
	bool created = rt_state(&ctx, c->id, &a, &s, &ignored) == 0 && s.status &&
		       strcmp(s.status, "created") == 0;

	arena_release(&a);
	return created;
}

/* It ends as a start that failed would (do_start): the error says why,
 * and no restart policy loops on it. */
static void end_interrupted_start(struct daemon *d, struct daemon_container *c)
{
	static const char msg[] = "berthd stopped while it started the container";
	struct rt_ctx ctx = { .root = d->oci_root };
	struct berr ignored;

	set_error(c, msg);
	c->exit_code = daemon_start_failure_code(msg);
	c->manual_stop = true;
	rt_kill(&ctx, c->id, SIGKILL, false, &ignored);
}

/* After a restart of berthd: a container whose record says it runs has
 * its supervision adopted again; one whose record says otherwise may
 * have one that a killed berthd started and never recorded, which ends
 * here before a new start could meet it. */
static void recover(struct daemon *d, struct daemon_container *c)
{
	if (c->status != DS_RUNNING && c->status != DS_PAUSED) {
		sv_end_stray_locked(d, c);
		/* A network a killed berthd never detached. */
		c->net_stale = true;
	} else {
		daemon_net_load_locked(d, c);
	}
	/* As docker: "always" restarts even a container stopped by hand when
	 * the daemon starts. */
	if (c->status == DS_EXITED && c->has_run && c->spec.restart_name &&
	    strcmp(c->spec.restart_name, "always") == 0) {
		c->manual_stop = false;
		c->restart_at = mono_ms();
		return;
	}
	if (c->status == DS_RESTARTING) {
		c->restart_at = mono_ms();
		return;
	}
	if (c->status != DS_RUNNING && c->status != DS_PAUSED)
		return;
	if (sv_adopt_locked(d, c) == 0) {
		if (start_interrupted(d, c))
			end_interrupted_start(d, c);
		watch_oom(d, c);
		return;
	}
	/* Its supervision is gone: the exit happened while berthd was
	 * away, or the supervision died with it. */
	handle_exit(d, c, true);
}

/* Each shim makes the container's processes, so it must run from a view
 * of its binary that nobody can write (CVE-2019-5736).  Made here once,
 * the view spares each shim its own: the open_tree, the second execve,
 * and the detached mount's removal at its end (0.27 to 0.38 ms a start
 * here).  Shims find themselves sealed and go on; where no view can be
 * made, each seals itself as before.  Fd 10 or above: spawning dups the
 * shim's answer pipe to 3, which must not be the fd executed. */
static int shim_view_open(struct daemon *d)
{
	struct berr ignored;

	d->shim_view = rt_readonly_view(d->o.shim_path, 10, &ignored);
	if (d->shim_view < 0)
		return (d->shim_run_path = strdup(d->o.shim_path)) ? 0 : -ENOMEM;
	return asprintf(&d->shim_run_path, "/proc/self/fd/%d", d->shim_view) < 0 ? -ENOMEM : 0;
}

/* The parent is kept made while berthd runs (rt_cgroup_hold); where it
 * cannot be (a rootless berthd, a cgroup berthd may not write), each
 * container makes and removes it as before. */
static void hold_cgroup_parent(struct daemon *d)
{
	cleanup_free char *record = NULL;
	struct berr ignored;

	if (rt_rootless() || asprintf(&record, "%s/cgroup-parent", d->o.root) < 0)
		return;
	rt_cgroup_hold(d->o.cgroup_parent, record, &d->cgroup_hold, &ignored);
}

int daemon_open(struct daemon *d, const struct daemon_opts *o, struct berr *err)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = WAKE_TAG };
	int ret;

	memset(d, 0, sizeof(*d));
	d->o = *o;
	d->epfd = d->wake_fd = d->shim_view = -1;
	pthread_mutex_init(&d->lock, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_cond_init(&d->changed, &ca);
		pthread_condattr_destroy(&ca);
	}
	if (asprintf(&d->oci_root, "%s/oci", o->root) < 0 ||
	    asprintf(&d->shim_dir, "%s/shim", o->root) < 0 || shim_view_open(d) < 0)
		return berr_set(err, ENOMEM, "daemon");
	ret = mkdir_one(o->root, 0700, err);
	if (ret == 0)
		ret = mkdir_one(d->oci_root, 0700, err);
	if (ret == 0)
		hold_cgroup_parent(d);
	if (ret == 0)
		ret = mkdir_one(d->shim_dir, 0700, err);
	if (ret == 0)
		ret = image_store_init(o->data_root, err);
	if (ret == 0)
		ret = image_store_migrate(o->data_root, err);
	/* The removed containers' files a killed berthd left go first: an
	 * --rm container's root may still be mounted there, an overlay on
	 * image layers that the gc deletes once no image names them, and a
	 * layer must not change under a mounted overlay. */
	if (ret == 0)
		ret = daemon_trash_open(&d->trash, o->data_root, err);
	if (ret == 0)
		ret = image_store_gc(o->data_root, err);
	if (ret == 0)
		ret = daemon_exec_init(d, err);
	if (ret == 0)
		ret = daemon_net_init(d, err);
	if (ret < 0)
		return ret;
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	d->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->epfd < 0 || d->wake_fd < 0 ||
	    epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->wake_fd, &ev) < 0)
		return berr_sys(err, "epoll");
	ret = daemon_migrate_all(d, err);
	if (ret == 0)
		ret = daemon_load_all(d, err);
	if (ret < 0)
		return ret;
	daemon_lock(d);
	for (struct daemon_container *c = d->containers, *next; c; c = next) {
		next = c->next;
		c->refs++;
		recover(d, c);
		next = c->next;
		daemon_put_locked(c);
	}
	daemon_unlock(d);
	daemon_net_gone_recover(d);
	return daemon_health_start(d, err);
}

void daemon_shutdown_begin(struct daemon *d)
{
	daemon_lock(d);
	d->stopping = true;
	pthread_cond_broadcast(&d->changed);
	/* Not reaped yet (they are taken off before): the pids are theirs.
	 * What a helper leaves in the store's tmp goes at the next start. */
	for (size_t i = 0; i < DAEMON_HELPERS; i++)
		if (d->helpers[i] > 0)
			kill(d->helpers[i], SIGTERM);
	daemon_unlock(d);
}

void daemon_close(struct daemon *d)
{
	daemon_shutdown_begin(d);
	daemon_health_stop(d);
	daemon_net_gone_flush(d);
	daemon_lock(d);
	d->stopping = true;
	while (d->containers) {
		struct daemon_container *c = d->containers;

		d->containers = c->next;
		unwatch_oom(d, c);
		sv_forget_locked(d, c);
		daemon_put_locked(c);
	}
	for (size_t i = 0; i < DAEMON_EVENTS; i++)
		daemon_event_free(&d->events[i]);
	daemon_unlock(d);
	if (d->epfd >= 0)
		close(d->epfd);
	if (d->wake_fd >= 0)
		close(d->wake_fd);
	daemon_exec_close(d);
	daemon_net_close(d);
	daemon_trash_close(&d->trash);
	rt_cgroup_unhold(&d->cgroup_hold);
	free(d->oci_root);
	free(d->shim_dir);
	free(d->shim_run_path);
	if (d->shim_view >= 0)
		close(d->shim_view);
}
