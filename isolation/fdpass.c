#include "isolation/fdpass.h"

#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "spec/base/cleanup.h"

int fdpass_send(int sock, const void *data, size_t len, int fd, struct berr *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *cmsg;

		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0) {
		if (errno != EINTR)
			return berr_sys(err, "send message");
	}
	return 0;
}

long fdpass_recv(int sock, void *data, size_t len, int *fd, struct berr *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = data, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cmsg;
	ssize_t n;

	if (fd)
		*fd = -1;
	do {
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return berr_sys(err, "receive message");
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS) {
			int passed;

			memcpy(&passed, CMSG_DATA(cmsg), sizeof(int));
			if (fd)
				*fd = passed;
			else
				close(passed);
		}
	}
	return n;
}

int fdpass_connect(const char *path, struct berr *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	cleanup_close int dirfd = -1;
	cleanup_close int fd = -1;
	cleanup_free char *copy = NULL;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return berr_sys(err, "socket");
	if (strlen(path) < sizeof(addr.sun_path)) {
		strcpy(addr.sun_path, path);
	} else {
		copy = strdup(path);
		if (!copy)
			return berr_sys(err, "connect %s", path);
		dirfd = open(dirname(copy), O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dirfd < 0)
			return berr_sys(err, "connect %s", path);
		snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/%s",
			 dirfd, strrchr(path, '/') + 1);
	}
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return berr_sys(err, "connect %s", path);
	return steal_fd(&fd);
}
