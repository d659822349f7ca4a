/* A console socket for tests: listens on PATH, takes the one terminal
 * master a runtime sends (SCM_RIGHTS), writes INPUT to it if given, and
 * copies what the terminal prints to stdout until it hangs up.
 *
 *   recvtty PATH [INPUT]
 *
 * It prints nothing else, so a test can compare its output. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int die(const char *what)
{
	fprintf(stderr, "recvtty: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int receive_fd(int conn)
{
	char data[256];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;
	int fd = -1;

	if (recvmsg(conn, &msg, 0) <= 0)
		die("recvmsg");
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (fd < 0) {
		errno = EPROTO;
		die("no fd in the message");
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char buf[4096];
	int sock, conn, master;

	if (argc < 2 || strlen(argv[1]) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "usage: recvtty PATH [INPUT]\n");
		return 2;
	}
	strcpy(addr.sun_path, argv[1]);
	sock = socket(AF_UNIX, SOCK_STREAM, 0);
	if (sock < 0 || bind(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(sock, 1) < 0)
		die(argv[1]);
	conn = accept(sock, NULL, NULL);
	if (conn < 0)
		die("accept");
	master = receive_fd(conn);
	close(conn);
	close(sock);
	unlink(argv[1]);
	if (argc > 2 && write(master, argv[2], strlen(argv[2])) < 0)
		die("write to the terminal");
	for (;;) {
		ssize_t n = read(master, buf, sizeof(buf));

		/* EIO: every peer of the terminal is closed. */
		if (n <= 0)
			break;
		if (write(1, buf, (size_t)n) != n)
			die("write");
	}
	return 0;
}
