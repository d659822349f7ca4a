/* The shim's second stage, the monitor (shim.h): the container's
 * streams, berthd's requests, the init's exit.  It runs as
 * berthd-monitor, a small static program, for the container's whole life:
 * nothing here calls the runtime (execs go through a helper, shim_exec.c;
 * the end through the finish, shim.c), and its buffers are small, so that
 * a shim costs a few pages of its own. */
#include "runtime/engine/shim_internal.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "runtime/engine/exit.h"
#include "runtime/engine/log.h"
#include "spec/base/cleanup.h"
#include "spec/base/timestamp.h"

#define MSG_MAX (64 * 1024 + 256)
#define SEND_TIMEOUT_S 10

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
	char buf[SHIM_OUT_BUF];
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
	ssize_t n;

	if (!c->in || !c->in_open || s->in_fd < 0 || s->pending_len)
		return;
	/* Straight into the (empty) buffer. */
	do {
		n = recv(c->fd, s->pending, sizeof(s->pending), MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return;
	if (n > 0) {
		s->pending_len = (size_t)n;
		s->pending_off = 0;
		flush_pending(s);
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
	int fd = -1;
	long n;

	if (conn < 0)
		return;
	msg = shim_alloc(MSG_MAX + 1);
	if (!msg)
		return;
	n = shim_recv(conn, msg, MSG_MAX, &fd);
	if (n <= 0) {
		if (fd >= 0)
			close(fd);
		shim_free(msg, MSG_MAX + 1);
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
	shim_free(msg, MSG_MAX + 1);
}

/* Recorded as soon as the init is reaped, so that whatever happens to
 * the shim from here on the status is on disk; the finish adds the OOM
 * count (it reads the cgroup, which the monitor cannot). */
static void write_exit(struct shim *s)
{
	struct daemon_exit x = {
		.code = WIFSIGNALED(s->status) ? 128 + WTERMSIG(s->status) : WEXITSTATUS(s->status),
		.signal = WIFSIGNALED(s->status) ? WTERMSIG(s->status) : 0,
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

/* Let go of every client and exec; the socket goes first, so that no
 * request comes to a shim that no longer serves. */
static void end(struct shim *s)
{
	for (size_t i = 0; i < s->n_clients; i++) {
		shutdown(s->clients[i].fd, SHUT_RDWR);
		close(s->clients[i].fd);
	}
	s->n_clients = 0;
	unlink(s->o->socket_path);
	shim_close_fd(&s->listen_fd);
	shim_exec_finish_all(s);
}

/* Stage 3, in this process (berthd's pidfd sees one process to the end). */
static int become_finish(struct shim *s)
{
	struct shim_opts f = *s->o;
	char *argv[SHIM_ARGV_MAX];
	char buf[64];

	/* Most containers need no runtime to go (shim_remove): no second
	 * program on the path of a client waiting for the removal. */
	if (shim_remove(s->o) == 0)
		return 0;
	f.init = 0;
	f.status = s->status;
	if (s->exe_fd < 0 || shim_argv(&f, "--finish", argv, buf, sizeof(buf)) < 0)
		return 1;
	shim_execveat(s->exe_fd, argv);
	/* berthd sees a shim that did not exit 0 and cleans up itself. */
	return 1;
}

int shim_monitor_run(const struct shim_opts *o)
{
	struct shim *s = shim_alloc(sizeof(*s));
	sigset_t mask;

	if (!s)
		return 1;
	s->o = o;
	s->log_fd = o->fds.log;
	s->out_fd[0] = o->fds.out;
	s->out_fd[1] = o->fds.err;
	s->in_fd = o->fds.in;
	s->tty_master = o->fds.tty;
	s->listen_fd = o->fds.listen;
	s->exe_fd = o->fds.exe;
	s->init = o->init;
	/* Set-up passed on these and nothing else (a few fds above 2); the
	 * helpers get none of them. */
	for (int fd = 3; fd < 64; fd++)
		if (fcntl(fd, F_GETFD) == 0)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	s->sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (s->sig_fd >= 0) {
		/* The init may have ended before anyone listened. */
		reap(s);
		loop(s);
	}
	if (!s->exited) {
		/* Only a failed poll gets here: wait for the init anyway. */
		while (waitpid(s->init, &s->status, 0) < 0 && errno == EINTR)
			;
		s->exited = true;
		write_exit(s);
	}
	end(s);
	return become_finish(s);
}
