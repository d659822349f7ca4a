/* `run` in the foreground: the caller's terminal and signals go to the
 * container, the container's exit status comes back. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "isolation/console.h"
#include "runtime/runtime.h"
#include "spec/base/cleanup.h"

/* Copy what is readable on from to to; false at end of input. */
static bool pump(int from, int to)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n <= 0)
		return n < 0 && errno == EINTR;
	for (ssize_t done = 0; done < n;) {
		ssize_t w = write(to, buf + done, (size_t)(n - done));

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		done += w;
	}
	return true;
}

static void copy_winsize(int from, int to)
{
	struct winsize ws;

	if (ioctl(from, TIOCGWINSZ, &ws) == 0)
		ioctl(to, TIOCSWINSZ, &ws);
}

static int exit_status(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Reap children; true once pid is among them. */
static bool reap(pid_t pid, int *status)
{
	int st;
	pid_t p;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		if (p == pid) {
			*status = exit_status(st);
			return true;
		}
	}
	return false;
}

int rt_wait_foreground(pid_t pid, int tty_master, int *status,
		       struct berr *err)
{
	sigset_t all, old;
	cleanup_close int sfd = -1;
	struct termios saved;
	bool raw = false, in_open = tty_master >= 0, out_open = tty_master >= 0;

	/* Every signal that can be caught is forwarded; SIGCHLD tells us
	 * the container (or an adopted descendant) exited. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	sfd = signalfd(-1, &all, SFD_CLOEXEC);
	if (sfd < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return berr_sys(err, "signalfd");
	}
	if (tty_master >= 0 && isatty(0)) {
		raw = console_set_raw(0, &saved, err) == 0;
		copy_winsize(0, tty_master);
	}
	for (;;) {
		struct pollfd pfd[3] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = in_open ? 0 : -1, .events = POLLIN },
			{ .fd = out_open ? tty_master : -1, .events = POLLIN },
		};
		struct signalfd_siginfo si;

		if (reap(pid, status))
			break;
		if (poll(pfd, 3, -1) < 0 && errno != EINTR)
			break;
		if (pfd[2].revents && !pump(tty_master, 1))
			out_open = false;
		if (pfd[1].revents && !pump(0, tty_master))
			in_open = false;
		if (!(pfd[0].revents & POLLIN) || read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGCHLD)
			continue;
		if (si.ssi_signo == SIGWINCH && tty_master >= 0)
			copy_winsize(0, tty_master);
		else
			kill(pid, (int)si.ssi_signo);
	}
	/* Drain what the terminal still holds. */
	while (out_open) {
		struct pollfd p = { .fd = tty_master, .events = POLLIN };

		if (poll(&p, 1, 0) <= 0 || !pump(tty_master, 1))
			break;
	}
	if (raw)
		tcsetattr(0, TCSANOW, &saved);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return 0;
}
