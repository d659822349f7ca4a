/* The shim's exec'd processes: made by a helper with the runtime's
 * rt_exec (the monitor links no runtime), each the helper's child and,
 * once the helper has exited, the monitor's (it is a child subreaper), so
 * that the monitor reaps it with its real exit status; their stdio
 * pumped to and from their client's connection, their exit code written
 * to a file before the connection closes. */
#include "runtime/engine/shim_internal.h"

#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "spec/base/strv.h"
#include "runtime/engine/exit.h"
#include "runtime/engine/log.h"
#include "spec/base/cleanup.h"

#define SEND_TIMEOUT_S 10
#define HELPER_TIMEOUT_S 120

static void exec_free(struct shim_exec *x)
{
	shim_close_fd(&x->conn);
	shim_close_fd(&x->out_fd[0]);
	shim_close_fd(&x->out_fd[1]);
	shim_close_fd(&x->in_fd);
	shim_free(x, x->size);
}

/* One mapping for an exec and what it keeps: its exit file's path, its
 * process.json's, its input buffer (room for what came with the request,
 * a page at least); given back whole when it ends. */
static struct shim_exec *exec_alloc(const char *process, size_t process_len,
				    const char *exit_path, size_t exit_len, size_t extra_len)
{
	size_t cap = extra_len > SHIM_IN_BUF ? extra_len : SHIM_IN_BUF;
	size_t size = sizeof(struct shim_exec) + process_len + 1 + exit_len + 1 + cap;
	struct shim_exec *x = shim_alloc(size);
	char *p;

	if (!x)
		return NULL;
	x->size = size;
	p = (char *)(x + 1);
	x->process = memcpy(p, process, process_len);
	p += process_len + 1;
	x->exit_path = memcpy(p, exit_path, exit_len);
	p += exit_len + 1;
	x->pending = p;
	x->pending_cap = cap;
	return x;
}

static struct shim_exec *find(struct shim *s, const char *id)
{
	for (size_t i = 0; i < s->n_execs; i++)
		if (strcmp(s->execs[i]->id, id) == 0)
			return s->execs[i];
	return NULL;
}

static void set_size(int master, unsigned rows, unsigned cols)
{
	struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };

	if (master >= 0 && rows && cols && rows <= 65535 && cols <= 65535)
		ioctl(master, TIOCSWINSZ, &ws);
}

/* The process's stdio without a terminal: pipes to what the client
 * wants, /dev/null for the rest.  ends are the process's sides. */
static int make_pipes(struct shim_exec *x, int ends[3], struct berr *err)
{
	int p[2];

	ends[0] = ends[1] = ends[2] = -1;
	if (x->conn >= 0 && x->in) {
		if (pipe2(p, O_CLOEXEC) < 0)
			return berr_sys(err, "pipe");
		ends[0] = p[0];
		x->in_fd = p[1];
		fcntl(x->in_fd, F_SETFL, O_NONBLOCK);
	}
	for (int i = 1; i < 3; i++) {
		bool wanted = x->conn >= 0 && (i == 1 ? x->out : x->err);

		if (!wanted)
			continue;
		if (pipe2(p, O_CLOEXEC) < 0)
			return berr_sys(err, "pipe");
		x->out_fd[i - 1] = p[0];
		ends[i] = p[1];
		fcntl(p[0], F_SETFL, O_NONBLOCK);
	}
	for (int i = 0; i < 3; i++) {
		if (ends[i] >= 0)
			continue;
		ends[i] = open("/dev/null", (i ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
		if (ends[i] < 0)
			return berr_sys(err, "open /dev/null");
	}
	return 0;
}

/* The helper (berthd-shim --exec-helper, from the view set-up left us)
 * with the process's stdio ends and one end of a socket for its answer;
 * returns our end. */
static int spawn_helper(struct shim *s, const char *process_path, const int ends[3],
			pid_t *pid, struct berr *err)
{
	struct shim_opts h = *s->o;
	char *argv[SHIM_ARGV_MAX];
	char buf[64];
	int sp[2];

	if (s->exe_fd < 0)
		return berr_fail(err, ENOEXEC, "the shim lost its runtime: no exec");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return berr_sys(err, "socketpair");
	h.init = 0;
	h.process_path = process_path;
	memcpy(h.stdio, ends, sizeof(h.stdio));
	h.reply_fd = sp[1];
	if (shim_argv(&h, "--exec-helper", argv, buf, sizeof(buf)) < 0) {
		close(sp[0]);
		close(sp[1]);
		return berr_fail(err, E2BIG, "exec: the helper's command line is too long");
	}
	/* vfork: the child only clears close-on-exec and executes. */
	*pid = vfork();
	if (*pid == 0) {
		for (int i = 0; i < 3; i++)
			if (ends[i] >= 0)
				fcntl(ends[i], F_SETFD, 0);
		fcntl(sp[1], F_SETFD, 0);
		shim_execveat(s->exe_fd, argv);
		_exit(127);
	}
	close(sp[1]);
	if (*pid < 0) {
		close(sp[0]);
		return berr_sys(err, "start the exec helper");
	}
	return sp[0];
}

/* The helper's answer: "ok PID" with the terminal's master, or "err
 * MESSAGE".  The helper is reaped here, by its pid: the process it made
 * may already be ours and ended, and waits for the loop, which knows its
 * pid by then. */
static int helper_answer(int sock, pid_t helper, pid_t *pid, int *master, struct berr *err)
{
	struct timeval tv = { .tv_sec = HELPER_TIMEOUT_S };
	char reply[sizeof(err->msg) + 8];
	int fd = -1, ret = 0;
	long n;

	setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = shim_recv(sock, reply, sizeof(reply) - 1, &fd);
	if (n < 0)
		kill(helper, SIGKILL);
	while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
		;
	if (n < 0)
		return berr_set(err, (int)-n, "wait for the exec helper");
	reply[n] = '\0';
	if (strncmp(reply, "ok ", 3) == 0) {
		*pid = (pid_t)atoi(reply + 3);
		*master = fd;
		return *pid > 0 ? 0 : berr_fail(err, EPROTO, "the exec helper gave no pid");
	}
	if (fd >= 0)
		close(fd);
	if (strncmp(reply, "err ", 4) == 0)
		ret = berr_fail(err, EIO, "%s", reply + 4);
	else
		ret = berr_fail(err, EPROTO, "the exec helper ended without an answer");
	return ret;
}

static int start(struct shim *s, struct shim_exec *x, const char *process_path,
		 unsigned rows, unsigned cols, struct berr *err)
{
	int ends[3] = { -1, -1, -1 };
	int ret = 0, sock = -1, master = -1;
	pid_t helper = -1;

	if (!x->tty)
		ret = make_pipes(x, ends, err);
	if (ret == 0) {
		sock = spawn_helper(s, process_path, ends, &helper, err);
		ret = sock < 0 ? sock : 0;
	}
	/* The helper has its own copies now. */
	for (int i = 0; i < 3; i++)
		if (ends[i] >= 0)
			close(ends[i]);
	if (ret == 0) {
		ret = helper_answer(sock, helper, &x->pid, &master, err);
		close(sock);
	}
	if (ret < 0)
		return ret;
	if (x->tty) {
		if (master < 0)
			return berr_fail(err, EPROTO, "the exec helper sent no terminal");
		x->master = master;
		x->out_fd[0] = master;
		fcntl(x->master, F_SETFL, O_NONBLOCK);
		set_size(x->master, rows, cols);
		if (x->conn >= 0 && x->in)
			x->in_fd = fcntl(x->master, F_DUPFD_CLOEXEC, 3);
	} else if (master >= 0) {
		close(master);
	}
	return 0;
}

/* "exec ID TTY IN OUT ERR ROWS COLS\nPROCESS_JSON\nEXIT_FILE\n<stdin bytes>" */
void shim_exec_request(struct shim *s, int conn, const char *msg, size_t len, int fd)
{
	struct timeval tv = { .tv_sec = SEND_TIMEOUT_S };
	char id[65];
	const char *nl1 = memchr(msg, '\n', len);
	const char *nl2 = nl1 ? memchr(nl1 + 1, '\n', len - (size_t)(nl1 + 1 - msg)) : NULL;
	const char *nl3 = nl2 ? memchr(nl2 + 1, '\n', len - (size_t)(nl2 + 1 - msg)) : NULL;
	const char *extra = nl3 ? nl3 + 1 : NULL;
	size_t extra_len = nl3 ? len - (size_t)(extra - msg) : 0;
	int tty, in, out, errs;
	unsigned rows, cols;
	struct shim_exec *x;
	struct berr err = { 0 };

	if (!nl3 || sscanf(msg, "exec %64s %d %d %d %d %u %u", id, &tty, &in, &out, &errs,
			   &rows, &cols) != 7) {
		if (fd >= 0)
			close(fd);
		shim_reply(conn, "err malformed exec request");
		return;
	}
	if (s->n_execs == SHIM_MAX_EXECS || s->exited || find(s, id)) {
		if (fd >= 0)
			close(fd);
		shim_reply(conn, "err %s", s->exited ? "the container is stopping"
					 : find(s, id) ? "this exec already runs"
						       : "too many execs at once");
		return;
	}
	x = exec_alloc(nl1 + 1, (size_t)(nl2 - nl1 - 1), nl2 + 1, (size_t)(nl3 - nl2 - 1),
		       extra_len);
	if (!x) {
		if (fd >= 0)
			close(fd);
		shim_reply(conn, "err out of memory");
		return;
	}
	snprintf(x->id, sizeof(x->id), "%s", id);
	x->conn = fd;
	x->tty = tty;
	x->in = in;
	x->out = out;
	x->err = errs;
	x->conn_open = fd >= 0;
	x->out_fd[0] = x->out_fd[1] = x->in_fd = x->master = -1;
	if (fd >= 0) {
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	if (start(s, x, x->process, rows, cols, &err) < 0) {
		/* berthd tells the client, on its own copy of the connection. */
		exec_free(x);
		shim_reply(conn, "err %s", err.msg);
		return;
	}
	/* Input goes through a buffer; what came with the request first. */
	if (x->in_fd >= 0 && extra_len) {
		memcpy(x->pending, extra, extra_len);
		x->pending_len = extra_len;
	}
	s->execs[s->n_execs++] = x;
	shim_reply(conn, "ok %d", (int)x->pid);
}

void shim_exec_resize(struct shim *s, int conn, const char *msg)
{
	char id[65];
	unsigned h, w;
	struct shim_exec *x;
	struct winsize ws = { 0 };

	if (sscanf(msg, "exec-resize %64s %u %u", id, &h, &w) != 3 || h > 65535 || w > 65535) {
		shim_reply(conn, "err malformed exec-resize request");
		return;
	}
	x = find(s, id);
	if (!x || x->exited) {
		shim_reply(conn, "err the exec is not running");
		return;
	}
	if (x->master < 0) {
		shim_reply(conn, "err the exec has no terminal");
		return;
	}
	ws.ws_row = (unsigned short)h;
	ws.ws_col = (unsigned short)w;
	if (ioctl(x->master, TIOCSWINSZ, &ws) < 0)
		shim_reply(conn, "err resize: %s", strerror(errno));
	else
		shim_reply(conn, "ok");
}

/* --- the loop's side ------------------------------------------------ */

void shim_exec_poll(struct shim *s)
{
	for (size_t i = 0; i < s->n_execs; i++) {
		struct shim_exec *x = s->execs[i];

		/* The client's input is read only when there is room for it;
		 * a client that sends nothing is noticed going away through
		 * the output it can no longer take. */
		if (x->conn >= 0 && x->conn_open && !x->pending_len)
			shim_add_slot(s, x->conn, POLLIN, SLOT_EXEC_CONN, i, 0);
		for (int k = 0; k < 2; k++)
			if (x->out_fd[k] >= 0)
				shim_add_slot(s, x->out_fd[k], POLLIN, SLOT_EXEC_OUTPUT, i, k);
		if (x->pending_len && x->in_fd >= 0)
			shim_add_slot(s, x->in_fd, POLLOUT, SLOT_EXEC_STDIN, i, 0);
	}
}

static void drop_conn(struct shim_exec *x)
{
	shim_close_fd(&x->conn);
	x->conn_open = false;
	/* Nobody types any more. */
	if (!x->tty)
		shim_close_fd(&x->in_fd);
}

static void close_input(struct shim_exec *x)
{
	/* A terminal stays: it is also the output.  (A client that types
	 * ^D ends the terminal's input itself.) */
	if (!x->tty)
		shim_close_fd(&x->in_fd);
}

static void flush(struct shim_exec *x)
{
	while (x->pending_off < x->pending_len && x->in_fd >= 0) {
		ssize_t n = write(x->in_fd, x->pending + x->pending_off,
				  x->pending_len - x->pending_off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			/* The process closed its stdin. */
			close_input(x);
			break;
		}
		x->pending_off += (size_t)n;
	}
	x->pending_len = x->pending_off = 0;
	if (!x->conn_open)
		close_input(x);
}

static void conn_input(struct shim_exec *x)
{
	ssize_t n;

	char discard[4096];
	char *buf = x->pending ? x->pending : discard;
	size_t size = x->pending ? x->pending_cap : sizeof(discard);

	do {
		n = recv(x->conn, buf, size, MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return;
	if (n < 0) {
		drop_conn(x);
		return;
	}
	if (n == 0) {
		/* The client's stdin ended (it half-closed): so does the
		 * process's, once what came before is written. */
		x->conn_open = false;
		if (!x->pending_len)
			close_input(x);
		return;
	}
	if (!x->in || x->in_fd < 0 || buf == discard)
		return; /* input nobody asked for */
	x->pending_len = (size_t)n;
	x->pending_off = 0;
	flush(x);
}

static void output(struct shim_exec *x, int which)
{
	char buf[SHIM_OUT_BUF];
	ssize_t n;

	do {
		n = read(x->out_fd[which], buf, sizeof(buf));
	} while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return;
	if (n <= 0) {
		/* EIO from a terminal master: the last slave side closed. */
		if (x->out_fd[which] == x->master) {
			x->master = -1;
			if (x->in_fd >= 0 && x->tty)
				shim_close_fd(&x->in_fd);
		}
		shim_close_fd(&x->out_fd[which]);
		return;
	}
	if (x->conn < 0)
		return;
	if (!(x->tty ? shim_send_all(x->conn, buf, (size_t)n)
		     : shim_send_frame(x->conn, which ? LOG_STDERR : LOG_STDOUT, buf, (size_t)n)))
		drop_conn(x);
}

void shim_exec_event(struct shim *s, const struct shim_slot *sl, short revents)
{
	struct shim_exec *x;

	(void)revents;
	if (sl->idx >= s->n_execs)
		return;
	x = s->execs[sl->idx];
	switch (sl->kind) {
	case SLOT_EXEC_CONN:
		if (x->conn >= 0 && x->conn_open && !x->pending_len)
			conn_input(x);
		break;
	case SLOT_EXEC_OUTPUT:
		if (x->out_fd[sl->which] >= 0)
			output(x, sl->which);
		break;
	case SLOT_EXEC_STDIN:
		if (x->pending_len)
			flush(x);
		break;
	default:
		break;
	}
}

bool shim_exec_reaped(struct shim *s, pid_t pid, int status)
{
	for (size_t i = 0; i < s->n_execs; i++) {
		struct shim_exec *x = s->execs[i];

		if (x->pid != pid || x->exited)
			continue;
		x->exited = true;
		x->status = status;
		x->drain_until = shim_now_ms() + SHIM_DRAIN_MS;
		return true;
	}
	return false;
}

static void write_exit(struct shim_exec *x)
{
	struct daemon_exit e = {
		.code = WIFSIGNALED(x->status) ? 128 + WTERMSIG(x->status) : WEXITSTATUS(x->status),
		.signal = WIFSIGNALED(x->status) ? WTERMSIG(x->status) : 0,
	};
	struct berr err;

	daemon_exit_write(x->exit_path, &e, &err);
}

/* The exit code first, then the end of the client's stream. */
static void finish(struct shim_exec *x)
{
	/* What is still in the pipes comes out before the end. */
	for (int k = 0; k < 2; k++) {
		while (x->out_fd[k] >= 0) {
			struct pollfd p = { .fd = x->out_fd[k], .events = POLLIN };

			if (poll(&p, 1, 0) <= 0)
				break;
			output(x, k);
		}
	}
	write_exit(x);
#ifdef __GLIBC__
	/* The exit file's writer used the heap: give it back, or the pages
	 * stay with the shim for the container's life (musl's malloc gives
	 * back by itself). */
	malloc_trim(0);
#endif
	if (x->conn >= 0)
		shutdown(x->conn, SHUT_RDWR);
	exec_free(x);
}

int shim_exec_finish_done(struct shim *s)
{
	int64_t now = shim_now_ms(), next = -1;

	for (size_t i = 0; i < s->n_execs;) {
		struct shim_exec *x = s->execs[i];

		if (x->exited &&
		    ((x->out_fd[0] < 0 && x->out_fd[1] < 0) || now >= x->drain_until)) {
			finish(x);
			s->execs[i] = s->execs[--s->n_execs];
			continue;
		}
		if (x->exited && (next < 0 || x->drain_until < next))
			next = x->drain_until;
		i++;
	}
	return next < 0 ? -1 : (int)(next > now ? next - now : 0);
}

void shim_exec_finish_all(struct shim *s)
{
	for (size_t i = 0; i < s->n_execs; i++) {
		struct shim_exec *x = s->execs[i];

		/* The container's init is gone, and with it its pid
		 * namespace: the kernel has killed every exec. */
		if (!x->exited) {
			while (waitpid(x->pid, &x->status, 0) < 0 && errno == EINTR)
				;
			x->exited = true;
		}
		finish(x);
	}
	s->n_execs = 0;
}
