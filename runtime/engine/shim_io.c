/* What the shim's two halves (shim.c: the container; shim_exec.c: the
 * processes exec'd into it) both use: the poll set, and writing to
 * berthd's connections.  Below both, so that neither calls the other's
 * helpers. */
#include "runtime/engine/shim_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

void shim_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int64_t shim_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool shim_send_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

bool shim_send_frame(int fd, int stream, const void *data, size_t len)
{
	unsigned char hdr[8] = { (unsigned char)stream, 0, 0, 0,
				 (unsigned char)(len >> 24), (unsigned char)(len >> 16),
				 (unsigned char)(len >> 8), (unsigned char)len };

	return shim_send_all(fd, hdr, sizeof(hdr)) && shim_send_all(fd, data, len);
}

void shim_reply(int conn, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0 && send(conn, buf, (size_t)(n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1),
			  MSG_NOSIGNAL) < 0) {
		/* berthd went away; nothing to tell */
	}
}

int shim_add_slot(struct shim *s, int fd, short events, enum shim_slot_kind kind, size_t idx,
		  int which)
{
	if (s->n_slots == s->cap_slots) {
		size_t cap = s->cap_slots ? 2 * s->cap_slots : 64;
		struct pollfd *p = realloc(s->pfd, cap * sizeof(*p));
		struct shim_slot *sl;

		if (!p)
			return -ENOMEM;
		s->pfd = p;
		sl = realloc(s->slots, cap * sizeof(*sl));
		if (!sl)
			return -ENOMEM;
		s->slots = sl;
		s->cap_slots = cap;
	}
	s->pfd[s->n_slots] = (struct pollfd){ .fd = fd, .events = events };
	s->slots[s->n_slots++] = (struct shim_slot){ .kind = kind, .idx = idx, .which = which };
	return 0;
}
