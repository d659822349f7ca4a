/* Supervision by one shim process per container (supervise.h; the shim
 * itself is shim.c, which becomes the small berthd-monitor once the
 * container is made).
 *
 * berthd starts each container's shim with posix_spawn and holds a pidfd
 * of it in the supervisor's epoll set; when a shim exits, the container's
 * exit status is in the exit file the shim wrote.  A berthd that starts
 * finds the shims of the containers its records say are running (pid and
 * start time, so a reused pid is never mistaken for one) and opens pidfds
 * on them again; the exits that happened while it was away are in their
 * exit files.
 *
 * A shim that died (kill -9, a crash) leaves its container running,
 * reparented to pid 1, in its cgroup, over its mounted rootfs.  berthd
 * kills it and cleans up, as containerd does when a shim dies, rather
 * than adopt it: the shim held the only reader of the container's stdout
 * and stderr (the container would block, or die of SIGPIPE on its next
 * write, its logs lost), its terminal, its attached clients and its
 * execs, and the init is no longer the child of anyone who could read its
 * exit status.  A container nobody can log, attach to or exec into is not
 * one to report as running; and one reported exited must not run. */
#include "runtime/engine/supervise.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/engine/bundle.h"
#include "runtime/engine/exit.h"
#include "runtime/engine/internal.h"
#include "runtime/engine/shim.h"
#include "runtime/host.h"
#include "runtime/images/layer_store.h"
#include "runtime/runtime.h"
#include "spec/base/cleanup.h"
#include "spec/base/timestamp.h"

#define READY_TIMEOUT_MS 120000

/* --- start ------------------------------------------------------------------ */

static int read_ready(int fd, pid_t *pid, struct berr *err)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[1100];
	ssize_t n;

	if (poll(&p, 1, READY_TIMEOUT_MS) <= 0)
		return berr_fail(err, ETIMEDOUT, "the container's shim did not answer");
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return berr_fail(err, EIO, "the container's shim exited before it was ready");
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (strncmp(buf, "ok ", 3) == 0 && sscanf(buf + 3, "%d", pid) == 1)
		return 0;
	if (strncmp(buf, "err ", 4) == 0)
		return berr_fail(err, EIO, "%s", buf + 4);
	return berr_fail(err, EPROTO, "the container's shim answered \"%s\"", buf);
}

struct shim_paths {
	char *dir, *rootfs, *sock, *log, *exit_file, *monitor;
};

static void paths_free(struct shim_paths *p)
{
	free(p->dir);
	free(p->rootfs);
	free(p->sock);
	free(p->log);
	free(p->exit_file);
	free(p->monitor);
}

static int paths_get(struct daemon *d, const char *id, bool log_none, struct shim_paths *p,
		     struct berr *err)
{
	const char *slash;

	p->dir = daemon_dir(d, id, NULL);
	p->rootfs = daemon_dir(d, id, "rootfs");
	p->log = daemon_dir(d, id, "container.log");
	/* --log-driver none: the output is read by attached clients only. */
	if (p->log && log_none) {
		free(p->log);
		p->log = strdup("/dev/null");
	}
	p->exit_file = daemon_dir(d, id, "exit");
	p->sock = daemon_shim_socket(d, id);
	/* The shim's monitor is installed next to it. */
	slash = strrchr(d->o.shim_path, '/');
	if (asprintf(&p->monitor, "%.*s/berthd-monitor",
		     slash ? (int)(slash - d->o.shim_path) : 1, slash ? d->o.shim_path : ".") < 0)
		p->monitor = NULL;
	if (!p->dir || !p->rootfs || !p->log || !p->exit_file || !p->sock || !p->monitor)
		return berr_set(err, ENOMEM, "start");
	return 0;
}

static int spawn(struct daemon *d, struct daemon_container *c, const struct shim_paths *p,
		 int ready_fd, pid_t *pid, struct berr *err)
{
	const char *argv[28];
	char max_size[24], max_files[16];
	int n = 0, ret;

	argv[n++] = "berthd-shim";
	argv[n++] = "--root";
	argv[n++] = d->oci_root;
	argv[n++] = "--id";
	argv[n++] = c->id;
	argv[n++] = "--bundle";
	argv[n++] = p->dir;
	argv[n++] = "--log";
	argv[n++] = p->log;
	argv[n++] = "--exit-file";
	argv[n++] = p->exit_file;
	argv[n++] = "--socket";
	argv[n++] = p->sock;
	/* An --rm container's root filesystem is unmounted by its removal,
	 * after berthd has answered (trash.c), not by the shim's finish,
	 * which the client waits for. */
	if (!c->spec.auto_remove) {
		argv[n++] = "--rootfs";
		argv[n++] = p->rootfs;
	}
	argv[n++] = "--monitor";
	argv[n++] = p->monitor;
	if (c->spec.tty)
		argv[n++] = "--tty";
	if (c->spec.open_stdin)
		argv[n++] = "--stdin";
	if (c->spec.stdin_once)
		argv[n++] = "--stdin-once";
	if (daemon_bundle_own_netns(&c->spec))
		argv[n++] = "--loopback";
	if (c->spec.log_max_size > 0) {
		snprintf(max_size, sizeof(max_size), "%lld", (long long)c->spec.log_max_size);
		snprintf(max_files, sizeof(max_files), "%d",
			 c->spec.log_max_files > 0 ? c->spec.log_max_files : 1);
		argv[n++] = "--log-max-size";
		argv[n++] = max_size;
		argv[n++] = "--log-max-files";
		argv[n++] = max_files;
	}
	argv[n] = NULL;
	ret = daemon_spawn(d->shim_run_path, false, (char *const *)argv, ready_fd, 3, pid);
	if (ret != 0)
		return berr_set(err, ret, "run %s", d->o.shim_path);
	return 0;
}

/* The shim's pid goes on disk before the shim makes anything: a berthd
 * killed from here until the container is recorded running finds this
 * shim again at its start and ends it (sv_end_stray_locked). */
static void note_shim(struct daemon *d, struct daemon_container *c, pid_t pid)
{
	daemon_lock(d);
	c->shim_pid = pid;
	c->shim_start = 0;
	if (pid > 0)
		rt_proc_start_time(pid, &c->shim_start);
	daemon_save_state_quiet(d, c);
	daemon_unlock(d);
}

int sv_start(struct daemon *d, struct daemon_container *c, pid_t *init, struct berr *err)
{
	struct rt_ctx ctx = { .root = d->oci_root };
	struct shim_paths p = { 0 };
	struct berr ignored;
	int ready[2], ret, status;
	pid_t pid;

	ret = paths_get(d, c->id,
			c->spec.log_driver && strcmp(c->spec.log_driver, "none") == 0, &p, err);
	if (ret < 0)
		goto out;
	unlink(p.exit_file);
	if (pipe2(ready, O_CLOEXEC) < 0) {
		ret = berr_sys(err, "pipe");
		goto out;
	}
	ret = spawn(d, c, &p, ready[1], &pid, err);
	close(ready[1]);
	if (ret < 0) {
		close(ready[0]);
		goto out;
	}
	c->shim_pidfd = rt_child_pidfd(pid);
	note_shim(d, c, pid);
	ret = read_ready(ready[0], init, err);
	close(ready[0]);
	if (ret < 0) {
		/* A shim that failed exits by itself; reap it here.  One that
		 * died before it was ready may have created the container. */
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (c->shim_pidfd >= 0)
			close(c->shim_pidfd);
		c->shim_pidfd = -1;
		rt_delete(&ctx, c->id, true, &ignored);
		note_shim(d, c, 0);
	}
out:
	paths_free(&p);
	return ret;
}

/* --- watching and the end --------------------------------------------------- */

int sv_watch_locked(struct daemon *d, struct daemon_container *c)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

	if (c->shim_pidfd < 0)
		return -ESRCH;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, c->shim_pidfd, &ev) < 0)
		return -errno;
	c->refs++; /* the epoll set's */
	return 0;
}

bool sv_watching_locked(const struct daemon_container *c)
{
	return c->shim_pidfd >= 0;
}

void sv_forget_locked(struct daemon *d, struct daemon_container *c)
{
	if (c->shim_pidfd < 0)
		return;
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, c->shim_pidfd, NULL);
	close(c->shim_pidfd);
	c->shim_pidfd = -1;
	daemon_put_locked(c); /* the epoll set's */
}

/* What a dead shim left: every process of the container's cgroup (its
 * execs too), the cgroup and the runtime's state, the rootfs mount, the
 * socket.  Done before the exit is recorded, so that no one sees the
 * container exited while its processes live. */
static void reclaim(struct daemon *d, struct daemon_container *c)
{
	struct rt_ctx ctx = { .root = d->oci_root };
	cleanup_free char *rootfs = daemon_dir(d, c->id, "rootfs");
	cleanup_free char *sock = daemon_shim_socket(d, c->id);
	struct berr ignored;

	rt_delete(&ctx, c->id, true, &ignored);
	if (rootfs)
		layer_store_umount(rootfs, &ignored);
	if (sock)
		unlink(sock);
}

static void read_exit(struct daemon *d, struct daemon_container *c, struct sv_exit *out)
{
	cleanup_free char *path = daemon_dir(d, c->id, "exit");
	struct daemon_exit x;
	struct berr ignored;

	timestamp_now(out->finished, sizeof(out->finished));
	if (!path || daemon_exit_read(path, &x, &ignored) < 0)
		return;
	out->code = x.code;
	if (x.finished[0])
		snprintf(out->finished, sizeof(out->finished), "%s", x.finished);
	out->known = true;
	out->oom = x.oom_kills > 0;
}

void sv_release_locked(struct daemon *d, struct daemon_container *c, bool orphaned,
		       struct sv_exit *out)
{
	*out = (struct sv_exit){ .code = 128 + SIGKILL };
	if (c->shim_pidfd >= 0) {
		siginfo_t si = { 0 };

		/* Our child (not after a restart of berthd): reap it.  A shim
		 * that is not ours, or did not exit 0, may have left the
		 * container behind. */
		if (waitid((idtype_t)P_PIDFD, (id_t)c->shim_pidfd, &si, WEXITED | WNOHANG) < 0 ||
		    si.si_code != CLD_EXITED || si.si_status != 0)
			orphaned = true;
		epoll_ctl(d->epfd, EPOLL_CTL_DEL, c->shim_pidfd, NULL);
		close(c->shim_pidfd);
		c->shim_pidfd = -1;
	}
	if (orphaned)
		reclaim(d, c);
	read_exit(d, c, out);
	/* Without a recorded status, reclaim killed what the shim left:
	 * 128 + SIGKILL says so, as containerd reports it. */
	if (!out->known)
		out->error = "the container's shim died; berthd killed the container";
	c->shim_pid = 0;
	c->shim_start = 0;
}

int sv_adopt_locked(struct daemon *d, struct daemon_container *c)
{
	struct berr ignored;
	int fd;

	if (c->shim_pid <= 0 || !rt_proc_alive(c->shim_pid, c->shim_start))
		return -ESRCH;
	fd = rt_proc_pidfd(c->shim_pid, c->shim_start, &ignored);
	if (fd < 0)
		return -ESRCH;
	c->shim_pidfd = fd;
	if (sv_watch_locked(d, c) < 0) {
		close(fd);
		c->shim_pidfd = -1;
		return -ESRCH;
	}
	return 0;
}

/* Nobody will talk to such a shim or learn of its exit, so it goes, with
 * what it made, before anything else (a new start) could meet it.  Even
 * without one, a berthd killed in a start may have left the rootfs
 * mounted, or a container created. */
void sv_end_stray_locked(struct daemon *d, struct daemon_container *c)
{
	struct berr ignored;
	int fd;

	if (c->shim_pid > 0) {
		fd = rt_proc_pidfd(c->shim_pid, c->shim_start, &ignored);
		if (fd >= 0) {
			if (rt_proc_signal(fd, SIGKILL, &ignored) == 0)
				rt_proc_wait_exit(fd, 10000);
			close(fd);
		}
	}
	reclaim(d, c);
	if (c->shim_pid > 0) {
		c->shim_pid = 0;
		c->shim_start = 0;
		daemon_save_state_quiet(d, c);
	}
}

/* --- streams and execs ------------------------------------------------------ */

/* head, then extra (any bytes, NULs included), as one message. */
static int request(struct daemon *d, struct daemon_container *c, const char *head,
		   const char *extra, size_t extra_len, int fd, char *answer, size_t size,
		   struct berr *err)
{
	cleanup_free char *sock = daemon_shim_socket(d, c->id);
	cleanup_free char *msg = NULL;
	size_t len = strlen(head);

	if (!sock || !(msg = malloc(len + extra_len + 1)))
		return berr_set(err, ENOMEM, "talk to the container's shim");
	memcpy(msg, head, len);
	if (extra_len)
		memcpy(msg + len, extra, extra_len);
	return shim_request_reply(sock, msg, len + extra_len, fd, answer, size, err);
}

int sv_attach(struct daemon *d, struct daemon_container *c,
	      const struct daemon_attach_req *req, struct berr *err)
{
	char head[64];

	snprintf(head, sizeof(head), "attach %d %d %d\n", req->in, req->out, req->err);
	return request(d, c, head, req->extra, req->extra_len, req->fd, NULL, 0, err);
}

int sv_resize(struct daemon *d, struct daemon_container *c, unsigned h, unsigned w,
	      struct berr *err)
{
	char head[64];

	snprintf(head, sizeof(head), "resize %u %u", h, w);
	return request(d, c, head, NULL, 0, -1, NULL, 0, err);
}

int sv_exec(struct daemon *d, struct daemon_container *c, const struct sv_exec *x, int fd,
	    pid_t *pid, struct berr *err)
{
	cleanup_free char *head = NULL;
	char answer[64];
	int ret;

	if (asprintf(&head, "exec %s %d %d %d %d %u %u\n%s\n%s\n", x->id, x->tty, x->in, x->out,
		     x->err, x->rows, x->cols, x->process, x->exit_path) < 0) {
		head = NULL;
		return berr_set(err, ENOMEM, "exec");
	}
	ret = request(d, c, head, x->extra, x->extra_len, fd, answer, sizeof(answer), err);
	if (ret == 0)
		*pid = (pid_t)atoi(answer);
	return ret;
}

int sv_exec_resize(struct daemon *d, struct daemon_container *c, const char *exec_id,
		   unsigned h, unsigned w, struct berr *err)
{
	char head[160];

	snprintf(head, sizeof(head), "exec-resize %s %u %u", exec_id, h, w);
	return request(d, c, head, NULL, 0, -1, NULL, 0, err);
}
