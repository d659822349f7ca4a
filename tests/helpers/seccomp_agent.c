/* A seccomp agent for tests (the runtime-spec's listenerPath side).
 *
 *   seccomp_agent PATH STATE_FILE ERRNO
 *
 * Listens on PATH.  For the Nth connection it saves the container process
 * state (the JSON payload) to STATE_FILE.N, takes the notification fd
 * (SCM_RIGHTS), and answers every notified syscall: ERRNO 0 makes it
 * return 0 without running, any other value makes it fail with that
 * errno.  Each answer is logged to STATE_FILE.log as "nr=N pid=P".  It
 * runs until killed. */
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_LISTENERS 16

static const char *state_file;
static int answer_errno;
static int connections;

static void die(const char *what)
{
	fprintf(stderr, "seccomp_agent: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The state JSON (read to end of file) and the fd of the first message. */
static int take_connection(int conn)
{
	static char json[1 << 16];
	char path[4096], tmp[4200];
	size_t used = 0;
	int fd = -1;
	FILE *f;

	for (;;) {
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} u;
		struct iovec iov = { .iov_base = json + used, .iov_len = sizeof(json) - 1 - used };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
		ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
				memcpy(&fd, CMSG_DATA(c), sizeof(int));
		used += (size_t)n;
		if (used == sizeof(json) - 1)
			break;
	}
	json[used] = '\0';
	/* Written aside and renamed: a test sees all of it or nothing. */
	snprintf(path, sizeof(path), "%s.%d", state_file, ++connections);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		die(tmp);
	fputs(json, f);
	fclose(f);
	if (rename(tmp, path) < 0)
		die(path);
	return fd;
}

static void answer(int listener)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	char log[4096];
	FILE *f;

	memset(&req, 0, sizeof(req));
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		return;
	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	resp.error = answer_errno ? -answer_errno : 0;
	resp.val = 0;
	ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	snprintf(log, sizeof(log), "%s.log", state_file);
	f = fopen(log, "a");
	if (f) {
		fprintf(f, "nr=%d pid=%u\n", req.data.nr, req.pid);
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct pollfd pfd[1 + MAX_LISTENERS];
	int n = 1, sock;

	if (argc != 4 || strlen(argv[1]) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "usage: seccomp_agent PATH STATE_FILE ERRNO\n");
		return 2;
	}
	state_file = argv[2];
	answer_errno = atoi(argv[3]);
	strcpy(addr.sun_path, argv[1]);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || bind(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(sock, 4) < 0)
		die(argv[1]);
	pfd[0] = (struct pollfd){ .fd = sock, .events = POLLIN };
	for (;;) {
		if (poll(pfd, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		for (int i = 1; i < n; i++) {
			if (pfd[i].revents & POLLIN)
				answer(pfd[i].fd);
			/* Every filtered process is gone. */
			if (pfd[i].revents & (POLLHUP | POLLERR)) {
				close(pfd[i].fd);
				pfd[i--] = pfd[--n];
			}
		}
		if (pfd[0].revents & POLLIN) {
			int conn = accept4(sock, NULL, NULL, SOCK_CLOEXEC);
			int fd;

			if (conn < 0)
				continue;
			fd = take_connection(conn);
			close(conn);
			if (fd >= 0 && n < 1 + MAX_LISTENERS)
				pfd[n++] = (struct pollfd){ .fd = fd, .events = POLLIN };
		}
	}
}
