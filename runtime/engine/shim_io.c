/* What the monitor's two halves (shim_monitor.c: the container;
 * shim_exec.c: the processes exec'd into it) both use: the poll set, and
 * reading and writing berthd's connections.  Below both, so that neither calls the other's
 * helpers. */
#include "runtime/engine/shim_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
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
	if (s->n_slots == SHIM_MAX_SLOTS)
		return -ENOMEM;
	s->pfd[s->n_slots] = (struct pollfd){ .fd = fd, .events = events };
	s->slots[s->n_slots++] = (struct shim_slot){ .kind = (uint16_t)kind & 15,
						     .idx = (uint16_t)idx & 2047,
						     .which = (uint16_t)which & 1 };
	return 0;
}

void *shim_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void shim_free(void *p, size_t size)
{
	if (p)
		munmap(p, size);
}

/* rt_fd_recv's work, here because the runtime's host.c would bring the
 * whole runtime (cgroups, libcgroup) into the monitor. */
long shim_recv(int sock, void *data, size_t len, int *fd)
{
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = data, .iov_len = len };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *cm;
	ssize_t n;

	*fd = -1;
	do {
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(fd, CMSG_DATA(cm), sizeof(int));
	return n;
}

/* musl has no execveat(3); the system call is the same for both libcs. */
int shim_execveat(int fd, char *const argv[])
{
	return (int)syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
}
