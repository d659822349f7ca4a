/* The shim's first and last stages (shim.h), and berthd's side of its
 * socket. */
#include "runtime/engine/shim_internal.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "runtime/engine/exit.h"
#include "runtime/engine/log.h"
#include "runtime/images/layer_store.h"
#include "runtime/cgroups.h"
#include "runtime/host.h"
#include "runtime/runtime.h"
#include "spec/base/cleanup.h"
#include "spec/base/timestamp.h"

#define MSG_MAX (64 * 1024 + 256)
#define SEND_TIMEOUT_S 10
/* --- berthd's side ------------------------------------------------- */

/* A socket of the shim's kind, and the address of path for it. */
static int seqpacket_socket(const char *path, struct sockaddr_un *addr, struct berr *err)
{
	int fd;

	*addr = (struct sockaddr_un){ .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(addr->sun_path))
		return berr_fail(err, ENAMETOOLONG, "shim socket path %s is too long", path);
	strcpy(addr->sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return berr_sys(err, "socket");
	return fd;
}

static int seqpacket_connect(const char *path, struct berr *err)
{
	struct sockaddr_un addr;
	cleanup_close int fd = seqpacket_socket(path, &addr, err);

	if (fd < 0)
		return fd;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return berr_sys(err, "connect to the container's shim (%s)", path);
	return steal_fd(&fd);
}

int shim_request_reply(const char *socket_path, const char *msg, size_t len, int fd,
		       char *answer, size_t size, struct berr *err)
{
	cleanup_close int s = seqpacket_connect(socket_path, err);
	struct timeval tv = { .tv_sec = 30 };
	char reply[1024];
	long n;

	if (s < 0)
		return s;
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (rt_fd_send(s, msg, len, fd, err) < 0)
		return -EIO;
	n = rt_fd_recv(s, reply, sizeof(reply) - 1, NULL, err);
	if (n < 0)
		return (int)n;
	reply[n] = '\0';
	if (strncmp(reply, "ok", 2) == 0) {
		if (answer)
			snprintf(answer, size, "%s", reply[2] == ' ' ? reply + 3 : "");
		return 0;
	}
	if (strncmp(reply, "err ", 4) == 0)
		return berr_fail(err, EIO, "%s", reply + 4);
	return berr_fail(err, EPROTO, "the container's shim gave no answer");
}

int shim_request(const char *socket_path, const char *msg, size_t len, int fd,
		 struct berr *err)
{
	return shim_request_reply(socket_path, msg, len, fd, NULL, 0, err);
}

/* --- stage 1: set-up ------------------------------------------------ */

static int listen_on(const char *path, struct berr *err)
{
	struct sockaddr_un addr;
	cleanup_close int fd = seqpacket_socket(path, &addr, err);

	if (fd < 0)
		return fd;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || chmod(path, 0600) < 0 ||
	    listen(fd, 16) < 0)
		return berr_sys(err, "listen on %s", path);
	return steal_fd(&fd);
}

static int make_stdio(struct shim *s, int stdio[3], int ends[3], struct berr *err)
{
	int p[2];

	for (int i = 0; i < 3; i++)
		stdio[i] = ends[i] = -1;
	if (s->o->tty)
		return 0; /* the terminal is the container's stdio */
	if (s->o->open_stdin) {
		if (pipe2(p, O_CLOEXEC) < 0)
			return berr_sys(err, "pipe");
		stdio[0] = p[0];
		s->in_fd = p[1];
		fcntl(s->in_fd, F_SETFL, O_NONBLOCK);
	} else {
		stdio[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (stdio[0] < 0)
			return berr_sys(err, "open /dev/null");
	}
	for (int i = 1; i < 3; i++) {
		if (pipe2(p, O_CLOEXEC) < 0)
			return berr_sys(err, "pipe");
		s->out_fd[i - 1] = p[0];
		stdio[i] = p[1];
	}
	ends[0] = stdio[0];
	ends[1] = stdio[1];
	ends[2] = stdio[2];
	return 0;
}

static int create(struct shim *s, struct berr *err)
{
	struct rt_ctx ctx = { .root = s->o->oci_root };
	struct rt_create_opts co = {
		.id = s->o->id,
		.bundle = s->o->bundle,
		.foreground_tty = s->o->tty,
	};
	struct rt_created out = { .pid = -1, .tty_master = -1 };
	int stdio[3], ends[3];
	int ret;

	ret = make_stdio(s, stdio, ends, err);
	if (ret < 0)
		return ret;
	if (!s->o->tty) {
		co.has_stdio = true;
		memcpy(co.stdio, stdio, sizeof(stdio));
	}
	ret = rt_create(&ctx, &co, &out, err);
	/* The container has its own copies now. */
	for (int i = 0; i < 3; i++)
		if (ends[i] >= 0)
			close(ends[i]);
	if (ret < 0)
		return ret;
	s->init = out.pid;
	if (s->o->tty) {
		s->tty_master = out.tty_master;
		s->out_fd[0] = out.tty_master;
		if (s->o->open_stdin)
			s->in_fd = dup(out.tty_master);
	}
	for (int i = 0; i < 2; i++)
		if (s->out_fd[i] >= 0)
			fcntl(s->out_fd[i], F_SETFL, O_NONBLOCK);
	rt_proc_start_time(s->init, &s->init_start);
	if (s->o->loopback) {
		ret = rt_loopback_up(s->init, err);
		if (ret < 0) {
			struct berr ignored;

			rt_delete(&ctx, s->o->id, true, &ignored);
			waitpid(s->init, NULL, 0);
			return ret;
		}
	}
	return 0;
}

/* How many processes the OOM killer took from the container, read while
 * its cgroup still exists (berthd reports OOMKilled and an oom event). */
/* Tell berthd why the shim could not start. */
static int refuse(const struct shim_opts *o, const struct berr *err)
{
	char msg[sizeof(err->msg) + 8];
	int n = snprintf(msg, sizeof(msg), "err %s", err->msg);

	if (write(o->ready_fd, msg, (size_t)n) < 0) {
		/* berthd is gone: nobody to tell */
	}
	return 1;
}


/* Tabs separate --removal's fields; a newline would break ps's line. */
static bool plain(const char *path)
{
	return !strpbrk(path, "\t\n");
}

/* A field of --removal at buf + *used; false when it does not fit. */
static bool append(char *buf, size_t size, size_t *used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static bool append(char *buf, size_t size, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *used, size - *used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - *used)
		return false;
	*used += (size_t)n;
	return true;
}

/* rt_removal's answer as the monitor's --removal (shim.h: shim_remove);
 * false when the finish must delete the container. */
static bool removal_arg(const struct shim_opts *o, char *buf, size_t size)
{
	struct rt_ctx ctx = { .root = o->oci_root };
	struct rt_removal r;
	struct berr ignored;
	size_t used = 0;
	bool ok;

	if (rt_removal(&ctx, o->id, &r, &ignored) < 0)
		return false;
	ok = plain(r.state_dir) && (!r.oom_file || plain(r.oom_file)) &&
	     append(buf, size, &used, "%s\t%s", r.state_dir, r.oom_file ? r.oom_file : "");
	for (size_t i = 0; ok && i < r.n; i++) {
		const struct rt_removal_dir *d = &r.cgroups[i];
		size_t base = strlen(d->created);
		long levels = 1;

		/* The directory and the parents up to created. */
		ok = strncmp(d->dir, d->created, base) == 0 && plain(d->dir);
		for (const char *c = d->dir + (ok ? base : 0); ok && *c; c++)
			levels += *c == '/';
		ok = ok && append(buf, size, &used, "\t%ld:%s", levels, d->dir);
	}
	rt_removal_release(&r);
	return ok;
}

/* Stage 2: the monitor, in this process, with exactly the fds it needs
 * (whatever else set-up or the runtime left open goes with the execve). */
static int become_monitor(struct shim *s)
{
	struct shim_opts m = *s->o;
	char *argv[SHIM_ARGV_MAX];
	char buf[128];
	char removal[8192];
	int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	m.init = s->init;
	m.removal = removal_arg(s->o, removal, sizeof(removal)) ? removal : NULL;
	m.fds = (struct shim_fds){ s->log_fd, s->listen_fd, s->out_fd[0], s->out_fd[1],
				   s->in_fd, s->tty_master, exe };
	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	if (m.monitor_path && shim_argv(&m, NULL, argv, buf, sizeof(buf)) == 0) {
		const int fds[] = { m.fds.log, m.fds.listen, m.fds.out, m.fds.err, m.fds.in,
				    m.fds.tty, m.fds.exe };

		for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
			if (fds[i] >= 0)
				fcntl(fds[i], F_SETFD, 0);
		execve(m.monitor_path, argv, environ);
	}
	/* No monitor to execute: this process monitors, at its size. */
	return shim_monitor_run(&m);
}

int shim_run(const struct shim_opts *o)
{
	struct shim s = {
		.o = o,
		.log_fd = -1,
		.out_fd = { -1, -1 },
		.in_fd = -1,
		.tty_master = -1,
		.listen_fd = -1,
		.sig_fd = -1,
		.exe_fd = -1,
	};
	struct berr err = { 0 };
	sigset_t mask;
	char ready[64];
	int ret;

	/* The container's processes are made from this one: first of all,
	 * out of their reach (CVE-2019-5736).  On x86_64 the ELF entry
	 * did it before glibc started (cmd/berthd/helpers/shim.c): this
	 * finds the view and goes on, or applies the fallback. */
	ret = rt_seal_self(o->argv, environ, &err);
	if (ret < 0)
		return refuse(o, &err);

	/* A session of its own, so that signals meant for berthd's process
	 * group never reach the shim; a subreaper, so that a container init
	 * made in two stages is still our child.  SIGCHLD stays blocked
	 * into the monitor, which reaps. */
	setsid();
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	s.log_fd = open(o->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (s.log_fd < 0)
		ret = berr_sys(&err, "open %s", o->log_path);
	else
		ret = 0;
	if (ret == 0) {
		s.listen_fd = listen_on(o->socket_path, &err);
		ret = s.listen_fd < 0 ? s.listen_fd : 0;
	}
	if (ret == 0)
		ret = create(&s, &err);
	if (ret < 0) {
		refuse(o, &err);
		if (s.listen_fd >= 0)
			unlink(o->socket_path);
		if (o->rootfs_mount)
			layer_store_umount(o->rootfs_mount, &err);
		return 1;
	}
	snprintf(ready, sizeof(ready), "ok %d %llu\n", (int)s.init,
		 (unsigned long long)s.init_start);
	if (write(o->ready_fd, ready, strlen(ready)) < 0) {
		/* berthd is gone; the container still needs us */
	}
	close(o->ready_fd);
	return become_monitor(&s);
}

/* --- stage 3: the finish ----------------------------------------------- */

int shim_finish(const struct shim_opts *o)
{
	struct rt_ctx ctx = { .root = o->oci_root };
	struct daemon_exit x;
	struct berr ignored;
	uint64_t oom = 0;

	/* The monitor recorded the status; this adds how many processes
	 * the OOM killer took, read while the cgroup still exists (berthd
	 * reports OOMKilled and an oom event). */
	if (o->exit_path) {
		bool recorded = daemon_exit_read(o->exit_path, &x, &ignored) == 0;

		if (!recorded) {
			x = (struct daemon_exit){
				.code = WIFSIGNALED(o->status) ? 128 + WTERMSIG(o->status)
							       : WEXITSTATUS(o->status),
				.signal = WIFSIGNALED(o->status) ? WTERMSIG(o->status) : 0,
			};
			timestamp_now(x.finished, sizeof(x.finished));
		}
		if (rt_oom_kills(&ctx, o->id, &oom, &ignored) == 0)
			x.oom_kills = oom;
		if (!recorded || oom)
			daemon_exit_write(o->exit_path, &x, &ignored);
	}
	if (o->socket_path)
		unlink(o->socket_path);
	rt_delete(&ctx, o->id, true, &ignored);
	if (o->rootfs_mount)
		layer_store_umount(o->rootfs_mount, &ignored);
	return 0;
}
