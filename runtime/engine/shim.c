#include "runtime/engine/shim_internal.h"

#include <fcntl.h>
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

/* --- output -------------------------------------------------------- */

static void drop_client(struct shim *s, size_t i)
{
	close(s->clients[i].fd);
	s->clients[i] = s->clients[--s->n_clients];
}

static void to_clients(struct shim *s, enum daemon_log_stream stream, const char *data,
		       size_t len)
{
	for (size_t i = 0; i < s->n_clients;) {
		struct shim_client *c = &s->clients[i];
		bool wanted = stream == LOG_STDERR ? c->err : c->out;

		if (wanted && !(s->o->tty ? shim_send_all(c->fd, data, len)
					  : shim_send_frame(c->fd, (int)stream, data, len))) {
			drop_client(s, i);
			continue;
		}
		i++;
	}
}

/* Read what one output fd has; false at its end. */
static bool pump_output(struct shim *s, int which)
{
	char buf[32768];
	ssize_t n;
	enum daemon_log_stream stream = which == 1 ? LOG_STDERR : LOG_STDOUT;

	do {
		n = read(s->out_fd[which], buf, sizeof(buf));
	} while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return true;
	if (n <= 0) {
		/* EIO from a terminal master: the last slave side closed. */
		shim_close_fd(&s->out_fd[which]);
		if (which == 0)
			s->tty_master = s->o->tty ? -1 : s->tty_master;
		return false;
	}
	shim_log_write(s, stream, buf, (size_t)n);
	to_clients(s, stream, buf, (size_t)n);
	return true;
}

/* --- input --------------------------------------------------------- */

static void close_stdin(struct shim *s)
{
	if (s->o->tty)
		return; /* the terminal stays: it is also the output */
	shim_close_fd(&s->in_fd);
}

static void flush_pending(struct shim *s)
{
	while (s->pending_off < s->pending_len && s->in_fd >= 0) {
		ssize_t n = write(s->in_fd, s->pending + s->pending_off,
				  s->pending_len - s->pending_off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			/* The container closed its stdin: input has nowhere to go. */
			s->pending_len = s->pending_off = 0;
			close_stdin(s);
			return;
		}
		s->pending_off += (size_t)n;
	}
	s->pending_len = s->pending_off = 0;
	if (s->close_in_when_flushed) {
		s->close_in_when_flushed = false;
		close_stdin(s);
	}
}

static void add_input(struct shim *s, const char *data, size_t len)
{
	/* Whatever does not fit waits in the socket: callers only read when
	 * the buffer is empty. */
	if (len > sizeof(s->pending))
		len = sizeof(s->pending);
	memcpy(s->pending, data, len);
	s->pending_len = len;
	s->pending_off = 0;
	flush_pending(s);
}

static void client_input(struct shim *s, size_t i)
{
	struct shim_client *c = &s->clients[i];
	char buf[sizeof(s->pending)];
	ssize_t n;

	if (!c->in || !c->in_open || s->in_fd < 0 || s->pending_len)
		return;
	do {
		n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return;
	if (n > 0) {
		add_input(s, buf, (size_t)n);
		return;
	}
	/* The client's stdin ended (it half-closed) or it went away. */
	c->in_open = false;
	if (s->o->stdin_once) {
		if (s->pending_len)
			s->close_in_when_flushed = true;
		else
			close_stdin(s);
	}
	if (!c->out && !c->err)
		drop_client(s, i);
}

/* --- requests from berthd ----------------------------------------- */

static void do_attach(struct shim *s, int conn, const char *msg, size_t len, int fd)
{
	struct timeval tv = { .tv_sec = SEND_TIMEOUT_S };
	const char *nl = memchr(msg, '\n', len);
	int in = 0, out = 0, errs = 0;
	struct shim_client *c;

	if (fd < 0 || sscanf(msg, "attach %d %d %d", &in, &out, &errs) != 3) {
		if (fd >= 0)
			close(fd);
		shim_reply(conn, "err malformed attach request");
		return;
	}
	if (s->n_clients == SHIM_MAX_CLIENTS) {
		close(fd);
		shim_reply(conn, "err too many attached clients (at most %d)", SHIM_MAX_CLIENTS);
		return;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	c = &s->clients[s->n_clients++];
	*c = (struct shim_client){ .fd = fd, .in = in && s->o->open_stdin, .out = out,
			      .err = errs, .in_open = in && s->o->open_stdin };
	if (c->in && nl && (size_t)(nl + 1 - msg) < len && s->in_fd >= 0 && !s->pending_len)
		add_input(s, nl + 1, len - (size_t)(nl + 1 - msg));
	shim_reply(conn, "ok");
}

static void do_resize(struct shim *s, int conn, const char *msg)
{
	struct winsize ws = { 0 };
	unsigned h, w;

	if (sscanf(msg, "resize %u %u", &h, &w) != 2 || h > 65535 || w > 65535) {
		shim_reply(conn, "err malformed resize request");
		return;
	}
	if (s->tty_master < 0) {
		shim_reply(conn, "err the container has no terminal");
		return;
	}
	ws.ws_row = (unsigned short)h;
	ws.ws_col = (unsigned short)w;
	if (ioctl(s->tty_master, TIOCSWINSZ, &ws) < 0)
		shim_reply(conn, "err resize: %s", strerror(errno));
	else
		shim_reply(conn, "ok");
}

static void handle_request(struct shim *s)
{
	cleanup_close int conn = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	char *msg = NULL;
	struct berr err;
	int fd = -1;
	long n;

	if (conn < 0)
		return;
	msg = malloc(MSG_MAX + 1);
	if (!msg)
		return;
	n = rt_fd_recv(conn, msg, MSG_MAX, &fd, &err);
	if (n <= 0) {
		if (fd >= 0)
			close(fd);
		free(msg);
		return;
	}
	msg[n] = '\0';
	if (strncmp(msg, "attach ", 7) == 0) {
		do_attach(s, conn, msg, (size_t)n, fd);
		fd = -1;
	} else if (strncmp(msg, "resize ", 7) == 0) {
		do_resize(s, conn, msg);
	} else if (strncmp(msg, "exec ", 5) == 0) {
		shim_exec_request(s, conn, msg, (size_t)n, fd);
		fd = -1;
	} else if (strncmp(msg, "exec-resize ", 12) == 0) {
		shim_exec_resize(s, conn, msg);
	} else if (strncmp(msg, "ping", 4) == 0) {
		shim_reply(conn, "ok");
	} else {
		shim_reply(conn, "err unknown request");
	}
	if (fd >= 0)
		close(fd);
	free(msg);
}

/* --- set-up and exit ------------------------------------------------ */

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
static uint64_t oom_kills(struct shim *s)
{
	struct rt_ctx ctx = { .root = s->o->oci_root };
	struct berr ignored;
	uint64_t n = 0;

	rt_oom_kills(&ctx, s->o->id, &n, &ignored);
	return n;
}

static void write_exit(struct shim *s)
{
	struct daemon_exit x = {
		.code = WIFSIGNALED(s->status) ? 128 + WTERMSIG(s->status) : WEXITSTATUS(s->status),
		.signal = WIFSIGNALED(s->status) ? WTERMSIG(s->status) : 0,
		.oom_kills = oom_kills(s),
	};
	struct berr err;

	timestamp_now(x.finished, sizeof(x.finished));
	daemon_exit_write(s->o->exit_path, &x, &err);
}

static void reap(struct shim *s)
{
	struct signalfd_siginfo si;
	int status;
	pid_t pid;

	while (read(s->sig_fd, &si, sizeof(si)) == sizeof(si))
		;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == s->init && !s->exited) {
			s->exited = true;
			s->status = status;
			/* Recorded first: whatever happens to the shim from
			 * here on, the status is on disk. */
			write_exit(s);
			continue;
		}
		shim_exec_reaped(s, pid, status);
	}
}

static void build_slots(struct shim *s)
{
	s->n_slots = 0;
	shim_add_slot(s, s->sig_fd, POLLIN, SLOT_SIGNALS, 0, 0);
	shim_add_slot(s, s->listen_fd, POLLIN, SLOT_LISTEN, 0, 0);
	for (int i = 0; i < 2; i++)
		if (s->out_fd[i] >= 0)
			shim_add_slot(s, s->out_fd[i], POLLIN, SLOT_OUTPUT, 0, i);
	for (size_t i = 0; i < s->n_clients; i++) {
		struct shim_client *c = &s->clients[i];

		if (c->in && c->in_open && s->in_fd >= 0 && !s->pending_len)
			shim_add_slot(s, c->fd, POLLIN, SLOT_CLIENT, i, 0);
	}
	if (s->pending_len && s->in_fd >= 0)
		shim_add_slot(s, s->in_fd, POLLOUT, SLOT_STDIN, 0, 0);
	shim_exec_poll(s);
}

static void loop(struct shim *s)
{
	int64_t drain_until = 0;

	for (;;) {
		int timeout = shim_exec_finish_done(s);
		bool client_slots = false;

		if (s->exited) {
			int64_t left;

			if (!drain_until)
				drain_until = shim_now_ms() + SHIM_DRAIN_MS;
			left = drain_until - shim_now_ms();
			if ((s->out_fd[0] < 0 && s->out_fd[1] < 0) || left <= 0)
				return;
			if (timeout < 0 || left < timeout)
				timeout = (int)left;
		}
		build_slots(s);
		if (poll(s->pfd, s->n_slots, timeout) < 0 && errno != EINTR)
			return;
		for (size_t i = 0; i < s->n_slots; i++) {
			const struct shim_slot *sl = &s->slots[i];
			short rev = s->pfd[i].revents;

			if (!rev)
				continue;
			switch (sl->kind) {
			case SLOT_SIGNALS:
				reap(s);
				break;
			case SLOT_OUTPUT:
				while (s->out_fd[sl->which] >= 0 && pump_output(s, sl->which) &&
				       s->exited)
					;
				break;
			case SLOT_STDIN:
				if (s->pending_len)
					flush_pending(s);
				break;
			case SLOT_CLIENT:
				client_slots = true;
				break;
			case SLOT_LISTEN:
				break;
			default:
				shim_exec_event(s, sl, rev);
			}
		}
		/* Clients may be dropped while walking: go from the end. */
		for (size_t i = s->n_slots; client_slots && i-- > 0;) {
			const struct shim_slot *sl = &s->slots[i];

			if (sl->kind == SLOT_CLIENT && s->pfd[i].revents && sl->idx < s->n_clients)
				client_input(s, sl->idx);
		}
		/* Last: a request may add clients and execs, which the slots
		 * of this turn do not know. */
		if (s->pfd[1].revents)
			handle_request(s);
	}
}

static void cleanup(struct shim *s)
{
	struct rt_ctx ctx = { .root = s->o->oci_root };
	struct berr ignored;

	for (size_t i = 0; i < s->n_clients; i++) {
		shutdown(s->clients[i].fd, SHUT_RDWR);
		close(s->clients[i].fd);
	}
	s->n_clients = 0;
	shim_close_fd(&s->listen_fd);
	shim_exec_finish_all(s);
	free(s->pfd);
	free(s->slots);
	unlink(s->o->socket_path);
	rt_delete(&ctx, s->o->id, true, &ignored);
	if (s->o->rootfs_mount)
		layer_store_umount(s->o->rootfs_mount, &ignored);
}

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
	};
	struct berr err = { 0 };
	sigset_t mask;
	char ready[64];
	int ret;

	/* The container's processes are made from this one: first of all,
	 * out of their reach (CVE-2019-5736). */
	ret = rt_seal_self(o->argv, environ, &err);
	if (ret < 0)
		return refuse(o, &err);

	/* A session of its own, so that signals meant for berthd's process
	 * group never reach the shim; a subreaper, so that a container init
	 * made in two stages is still our child. */
	setsid();
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	s.sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	s.log_fd = open(o->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (s.sig_fd < 0 || s.log_fd < 0)
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
	loop(&s);
	if (!s.exited) {
		/* Only a failed poll gets here: wait for the init anyway. */
		while (waitpid(s.init, &s.status, 0) < 0 && errno == EINTR)
			;
		s.exited = true;
		write_exit(&s);
	}
	cleanup(&s);
	return 0;
}
