/* The namespaces of a rootless berthd outlive it: a container runs on
 * after berthd was killed, in berthd's user namespace, with its rootfs
 * and network namespace mounted in berthd's mount namespace.  A berthd
 * started again must be in those same namespaces to find them, so a
 * holder (a process that only waits, as podman's pause process) keeps
 * them, and each start joins the holder's (runtime.h,
 * rt_rootless_enter). */
#include "runtime/runtime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isolation/proc.h"
#include "runtime/rootless.h"
#include "spec/base/cleanup.h"
#include "spec/base/fsutil.h"

/* The holder named in file: its pid and start time (false when none is
 * named). */
static bool read_holder(const char *file, pid_t *pid, uint64_t *start)
{
	cleanup_free char *text = NULL;
	struct berr ignored;
	size_t len;
	int p = 0;

	if (fsutil_read_file(file, &text, &len, &ignored) < 0)
		return false;
	if (sscanf(text, "%d %" SCNu64, &p, start) != 2 || p <= 0)
		return false;
	*pid = p;
	return true;
}

/* A pidfd of the live holder of file, or -ESRCH.  It must be the user's
 * own process (the file is in the user's directory, but a process is
 * checked anyway before its namespaces are taken). */
static int holder_pidfd(const char *file, pid_t *pid, struct berr *err)
{
	char proc[64];
	uint64_t start;
	struct stat st;
	int fd;

	if (!read_holder(file, pid, &start))
		return -ESRCH;
	fd = proc_pidfd(*pid, start, err);
	if (fd < 0)
		return fd;
	snprintf(proc, sizeof(proc), "/proc/%d", (int)*pid);
	if (stat(proc, &st) < 0 || st.st_uid != geteuid()) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

static int join(int pidfd, struct berr *err)
{
	/* Both at once, through the pidfd: the mount namespace belongs to
	 * the user namespace joined with it. */
	if (setns(pidfd, CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return berr_sys(err, "join the user and mount namespace of berthd's holder");
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return berr_sys(err, "become root in the user namespace");
	return 0;
}

/* The holder itself: out of berthd's session, with nothing open, waiting
 * for a signal that ends it. */
static void __attribute__((noreturn)) hold(void)
{
	sigset_t all;

	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	close_range(0, ~0U, 0);
	open("/dev/null", O_RDWR);
	if (dup(0) < 0 || dup(0) < 0 || chdir("/") < 0)
		_exit(1);
	prctl(PR_SET_NAME, "berthd-userns", 0, 0, 0);
	for (;;)
		pause();
}

/* Start the holder in our namespaces, a grandchild (init reaps it, not
 * berthd), and name it in file. */
static int start_holder(const char *file, struct berr *err)
{
	int p[2], status;
	pid_t mid, pid = 0;
	uint64_t start;
	bool zombie;
	char text[64];

	if (pipe2(p, O_CLOEXEC) < 0)
		return berr_sys(err, "pipe");
	mid = fork();
	if (mid < 0) {
		close(p[0]);
		close(p[1]);
		return berr_sys(err, "fork");
	}
	if (mid == 0) {
		pid_t h;

		setsid();
		h = fork();
		if (h == 0)
			hold();
		_exit(h > 0 && write(p[1], &h, sizeof(h)) == sizeof(h) ? 0 : 1);
	}
	close(p[1]);
	while (waitpid(mid, &status, 0) < 0 && errno == EINTR)
		;
	if (read(p[0], &pid, sizeof(pid)) != sizeof(pid) || pid <= 0) {
		close(p[0]);
		return berr_fail(err, ECHILD, "start the holder of berthd's namespaces");
	}
	close(p[0]);
	if (proc_stat(pid, &start, &zombie) < 0)
		return berr_fail(err, ESRCH, "the holder of berthd's namespaces ended at once");
	snprintf(text, sizeof(text), "%d %" PRIu64 "\n", (int)pid, start);
	return fsutil_write_atomic(file, text, strlen(text), 0600, err);
}

int rt_rootless_enter(const char *user, const char *hold_file, struct berr *err)
{
	pid_t pid;
	int fd = holder_pidfd(hold_file, &pid, err), ret;

	if (fd >= 0) {
		ret = join(fd, err);
		close(fd);
		return ret;
	}
	if (fd != -ESRCH)
		return fd;
	ret = rootless_unshare(user, err);
	if (ret == 0)
		ret = start_holder(hold_file, err);
	return ret;
}

/* Is a process other than us and the holder in our user namespace? */
static bool others_in_userns(pid_t holder)
{
	cleanup_closedir DIR *dir = opendir("/proc");
	char self[64] = "", link[64], path[64];
	struct dirent *e;
	ssize_t n = readlink("/proc/self/ns/user", self, sizeof(self) - 1);

	if (!dir || n <= 0)
		return true;
	self[n] = '\0';
	while ((e = readdir(dir))) {
		pid_t pid = (pid_t)atoi(e->d_name);

		if (pid <= 0 || pid == getpid() || pid == holder)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue; /* another user's, or gone */
		link[n] = '\0';
		if (strcmp(link, self) == 0)
			return true;
	}
	return false;
}

void rt_rootless_leave(const char *hold_file)
{
	struct berr ignored;
	pid_t pid;
	int fd = holder_pidfd(hold_file, &pid, &ignored);

	if (fd < 0) {
		unlink(hold_file);
		return;
	}
	if (!others_in_userns(pid) && proc_signal(fd, SIGKILL, &ignored) == 0) {
		proc_wait_exit(fd, 5000);
		unlink(hold_file);
	}
	close(fd);
}
