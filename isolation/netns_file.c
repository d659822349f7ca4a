/* A network namespace held by a bind mount (see netns_file.h).
 *
 * unshare(CLONE_NEWNET) moves only the calling thread, so a thread of
 * our own makes the namespace and mounts its /proc/thread-self/ns/net
 * over the file, then ends; the rest of the process never leaves the
 * host's namespace. */
#include "isolation/netns_file.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

struct netns_job {
	const char *path;
	int errnum;
	const char *what;
};

static void *netns_thread(void *arg)
{
	struct netns_job *j = arg;
	char self[64];

	if (unshare(CLONE_NEWNET) < 0) {
		j->errnum = errno;
		j->what = "unshare the network namespace";
		return NULL;
	}
	snprintf(self, sizeof(self), "/proc/self/task/%d/ns/net", gettid());
	if (mount(self, j->path, NULL, MS_BIND, NULL) < 0) {
		j->errnum = errno;
		j->what = "bind-mount the network namespace";
	}
	return NULL;
}

int netns_file_create(const char *path, struct berr *err)
{
	struct netns_job j = { .path = path };
	pthread_t t;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0)
		return berr_sys(err, "create %s", path);
	close(fd);
	ret = pthread_create(&t, NULL, netns_thread, &j);
	if (ret != 0) {
		unlink(path);
		return berr_set(err, ret, "network namespace %s: start a thread", path);
	}
	pthread_join(t, NULL);
	if (j.errnum) {
		unlink(path);
		return berr_set(err, j.errnum, "network namespace %s: %s", path, j.what);
	}
	return 0;
}

int netns_file_bind(const char *from, const char *path, struct berr *err)
{
	int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);

	if (fd < 0)
		return berr_sys(err, "create %s", path);
	close(fd);
	if (mount(from, path, NULL, MS_BIND, NULL) < 0) {
		int ret = berr_sys(err, "bind-mount the network namespace %s at %s", from, path);

		unlink(path);
		return ret;
	}
	return 0;
}

int netns_file_remove(const char *path, struct berr *err)
{
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return berr_sys(err, "unmount the network namespace %s", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return berr_sys(err, "remove %s", path);
	return 0;
}
