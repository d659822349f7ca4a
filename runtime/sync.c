#include "runtime/sync.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "isolation/fdpass.h"
#include "isolation/spawn.h"

int sync_pair(int fds[2], struct berr *err)
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
		return berr_sys(err, "socketpair");
	return 0;
}

int sync_send(int fd, enum sync_type type, int32_t value, const char *text,
	      int passfd, struct berr *err)
{
	struct sync_msg m = { .type = type, .value = value };
	size_t len = offsetof(struct sync_msg, text);

	if (text) {
		snprintf(m.text, sizeof(m.text), "%s", text);
		len += strlen(m.text) + 1;
	}
	return fdpass_send(fd, &m, len, passfd, err);
}

void sync_send_error(int fd, const struct berr *err)
{
	struct berr ignored;

	sync_send(fd, SYNC_ERROR, err->errnum, err->msg, -1, &ignored);
}

int sync_recv_or_eof(int fd, struct sync_msg *m, int *passfd, struct berr *err)
{
	long n;

	memset(m, 0, sizeof(*m));
	n = fdpass_recv(fd, m, sizeof(*m), passfd, err);
	/* A peer killed before it read what we sent (GO, to a process
	 * frozen or killed in its cgroup) resets the connection: it ended
	 * all the same. */
	if (n == -ECONNRESET) {
		berr_clear(err);
		n = 0;
	}
	if (n <= 0)
		return (int)n;
	if ((size_t)n < offsetof(struct sync_msg, text))
		return berr_fail(err, EPROTO, "short message from the container process");
	m->text[sizeof(m->text) - 1] = '\0';
	if (m->type == SYNC_ERROR) {
		snprintf(err->msg, sizeof(err->msg), "%s", m->text);
		err->errnum = m->value;
		return m->value ? -m->value : -EINVAL;
	}
	return 1;
}

int sync_recv(int fd, struct sync_msg *m, int *passfd, struct berr *err)
{
	int ret = sync_recv_or_eof(fd, m, passfd, err);

	if (ret == 0)
		return berr_fail(err, ECHILD, "the container process exited during setup");
	return ret < 0 ? ret : 0;
}

int sync_expect(int fd, enum sync_type type, struct sync_msg *m,
		struct berr *err)
{
	int ret = sync_recv(fd, m, NULL, err);

	if (ret < 0)
		return ret;
	if (m->type != type)
		return berr_fail(err, EPROTO, "container setup: expected step %d, got %d",
				(int)type, (int)m->type);
	return 0;
}

pid_t sync_spawn(bool early, uint64_t flags, int *cgroup_fd, int *pidfd, const int sync[2],
		 bool *go_sent, struct berr *err)
{
	pid_t pid = -1;
	int ret;

	*go_sent = early;
	if (early) {
		ret = sync_send(sync[0], SYNC_GO, 0, NULL, -1, err);
		if (ret < 0)
			return ret;
		pid = spawn_process_into(flags, *cgroup_fd, pidfd, err);
		if (pid == -EOPNOTSUPP) {
			struct sync_msg m;

			/* No child: take GO back and go the long way. */
			*go_sent = false;
			ret = sync_recv(sync[1], &m, NULL, err);
			if (ret < 0)
				return ret;
		}
	}
	if (!*go_sent)
		pid = spawn_process(flags, cgroup_fd, pidfd, err);
	return pid;
}
