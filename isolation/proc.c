#include "isolation/proc.h"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
