#include "isolation/proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isolation/syscalls.h"
#include "spec/base/cleanup.h"

int proc_stat(pid_t pid, uint64_t *start_time, bool *zombie)
{
	char path[64], buf[1024];
	cleanup_close int fd = -1;
	char *p;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ESRCH;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -ESRCH;
	buf[n] = '\0';
	/* The command name may contain spaces and parentheses: fields are
	 * counted from the last ')'. */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return -EINVAL;
	p += 2;
	if (zombie)
		*zombie = *p == 'Z' || *p == 'X';
	/* state is field 3; starttime is field 22, 19 fields further. */
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return -EINVAL;
		p++;
	}
	if (start_time)
		*start_time = strtoull(p, NULL, 10);
	return 0;
}

bool proc_alive(pid_t pid, uint64_t start_time)
{
	uint64_t st;
	bool zombie;

	if (pid <= 0 || proc_stat(pid, &st, &zombie) < 0)
		return false;
	return !zombie && st == start_time;
}

int proc_pidfd(pid_t pid, uint64_t start_time, struct berr *err)
{
	int fd = sys_pidfd_open(pid, 0);

	if (fd < 0)
		return errno == ESRCH ? -ESRCH : berr_sys(err, "pidfd_open %d", (int)pid);
	/* Checked after opening: the pidfd now pins the process, so if the
	 * start time still matches it is the right one. */
	if (!proc_alive(pid, start_time)) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

int proc_signal(int pidfd, int sig, struct berr *err)
{
	if (sys_pidfd_send_signal(pidfd, sig, NULL, 0) < 0)
		return berr_sys(err, "send signal %d", sig);
	return 0;
}

int proc_wait_exit(int pidfd, int timeout_ms)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	int ret;

	do {
		ret = poll(&pfd, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	return ret > 0 ? 0 : -ETIMEDOUT;
}

static int pidns_of(const char *pid, char *out, size_t size)
{
	char path[300];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%s/ns/pid", pid);
	n = readlink(path, out, size - 1);
	if (n < 0)
		return -errno;
	out[n] = '\0';
	return 0;
}

int proc_pidns_members(pid_t init, pid_t **pids, size_t *n, struct berr *err)
{
	cleanup_closedir DIR *d = NULL;
	char want[64], self[64], other[64], id[16];
	size_t cap = 0;
	struct dirent *e;

	*pids = NULL;
	*n = 0;
	snprintf(id, sizeof(id), "%d", (int)init);
	if (pidns_of(id, want, sizeof(want)) < 0)
		return -ESRCH;
	if (pidns_of("self", self, sizeof(self)) == 0 && strcmp(self, want) == 0)
		return berr_fail(err, ENOTSUP, "pid %d shares berth's pid namespace", (int)init);
	d = opendir("/proc");
	if (!d)
		return berr_sys(err, "open /proc");
	while ((e = readdir(d))) {
		pid_t *more;
		char *end;
		long pid = strtol(e->d_name, &end, 10);

		if (*end || pid <= 0 || pidns_of(e->d_name, other, sizeof(other)) < 0 ||
		    strcmp(other, want) != 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			more = realloc(*pids, cap * sizeof(**pids));
			if (!more) {
				free(*pids);
				*pids = NULL;
				*n = 0;
				return berr_sys(err, "processes of pid %d", (int)init);
			}
			*pids = more;
		}
		(*pids)[(*n)++] = (pid_t)pid;
	}
	/* The init first: a caller that signals in order reaches it first. */
	for (size_t i = 1; i < *n; i++)
		if ((*pids)[i] == init) {
			(*pids)[i] = (*pids)[0];
			(*pids)[0] = init;
		}
	return 0;
}
