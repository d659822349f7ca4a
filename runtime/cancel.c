#include "runtime/cancel.h"

#include <poll.h>

static int cancelled(const char *what, struct berr *err)
{
	return berr_fail(err, ECANCELED, "%s: interrupted", what);
}

int cancel_check(int cancel_fd, const char *what, struct berr *err)
{
	struct pollfd p = { .fd = cancel_fd, .events = POLLIN };

	if (cancel_fd <= 0)
		return 0;
	return poll(&p, 1, 0) > 0 && (p.revents & POLLIN) ? cancelled(what, err) : 0;
}

int cancel_wait(int fd, int cancel_fd, const char *what, struct berr *err)
{
	struct pollfd p[2] = {
		{ .fd = fd, .events = POLLIN },
		{ .fd = cancel_fd > 0 ? cancel_fd : -1, .events = POLLIN },
	};

	/* The signal is left pending for the caller (berth's run forwards
	 * it to a container that did start); only poll looks at it. */
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return berr_sys(err, "%s: poll", what);
		}
		if (p[1].revents & POLLIN)
			return cancelled(what, err);
		if (p[0].revents)
			return 0;
	}
}
