/* The monitor's own finish (shim.h: shim_remove): what rt_delete of a
 * stopped container comes to when it is only removal, as set-up found it
 * (rt_removal), done with system calls alone.  Anything unexpected leaves
 * the rest to stage 3, whose rt_delete tolerates what was removed here. */
#include "runtime/engine/shim_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <unistd.h>

#include "spec/base/cleanup.h"

/* The next tab-separated field of *p into buf; false when none fits. */
static bool field(const char **p, char *buf, size_t size)
{
	const char *end = strchr(*p, '\t');
	size_t len = end ? (size_t)(end - *p) : strlen(*p);

	if (len >= size)
		return false;
	memcpy(buf, *p, len);
	buf[len] = '\0';
	*p += len + (end ? 1 : 0);
	return true;
}

/* The OOM killer's count ("oom_kill N" in memory.oom_control or
 * memory.events); false when it cannot be read. */
static bool oom_kills(const char *path, unsigned long long *n)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	char buf[1024];
	ssize_t len;
	const char *k;

	if (fd < 0)
		return false;
	len = read(fd, buf, sizeof(buf) - 1);
	if (len <= 0)
		return false;
	buf[len] = '\0';
	for (k = buf; k; k = strchr(k, '\n') ? strchr(k, '\n') + 1 : NULL)
		if (strncmp(k, "oom_kill ", 9) == 0) {
			*n = strtoull(k + 9, NULL, 10);
			return true;
		}
	/* A kernel that does not count OOM kills. */
	*n = 0;
	return true;
}

/* The container's cgroup directory, then the empty parents the runtime
 * made (another container may still use one: it stays). */
static bool remove_cgroup(char *dir, long levels)
{
	if (rmdir(dir) < 0 && errno != ENOENT)
		return false;
	while (--levels > 0) {
		char *slash = strrchr(dir, '/');

		if (!slash || slash == dir)
			break;
		*slash = '\0';
		if (rmdir(dir) < 0 && errno != ENOENT)
			break;
	}
	return true;
}

/* The state directory's files, then itself (store_remove's way). */
static bool remove_state(int dirfd, const char *dir)
{
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	bool ok = true;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	while (ok && (de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			ok = unlinkat(dirfd, de->d_name, 0) == 0 || errno == ENOENT;
	closedir(d);
	return ok && (rmdir(dir) == 0 || errno == ENOENT);
}

int shim_remove(const struct shim_opts *o)
{
	const char *p = o->removal;
	char state[PATH_MAX], path[PATH_MAX];
	unsigned long long oom = 0;
	cleanup_close int dirfd = -1;

	if (!p || !field(&p, state, sizeof(state)) || !field(&p, path, sizeof(path)) || !state[0])
		return -1;
	/* An OOM kill goes into the exit file: the finish records it. */
	if (path[0] && (!oom_kills(path, &oom) || oom))
		return -1;
	/* As rt_delete: under the state's lock, and only while it is there
	 * (a delete that held the lock first removed it). */
	dirfd = open(state, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0 || flock(dirfd, LOCK_EX) < 0 || faccessat(dirfd, ".", F_OK, 0) < 0 ||
	    access(state, F_OK) < 0)
		return -1;
	while (*p) {
		char *colon;
		long levels;

		if (!field(&p, path, sizeof(path)))
			return -1;
		levels = strtol(path, &colon, 10);
		if (*colon != ':' || levels < 1 || !remove_cgroup(colon + 1, levels))
			return -1;
	}
	if (!remove_state(dirfd, state))
		return -1;
	if (o->rootfs_mount && umount2(o->rootfs_mount, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 &&
	    errno != EINVAL && errno != ENOENT)
		return -1;
	return 0;
}
