#include "isolation/cgroup_v2.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "isolation/fsutil.h"
#include "spec/cleanup.h"

/* How long destroy waits for killed processes to leave the cgroup. */
#define DESTROY_TIMEOUT_MS 10000

/* rmdir dir, then its parents while they are empty, up to and including
 * created. */
static void rmdir_chain(const char *dir, const char *created)
{
	cleanup_free char *path = strdup(dir);
	size_t stop = strlen(created);

	if (!path || strncmp(path, created, stop) != 0)
		return;
	while (strlen(path) >= stop) {
		char *slash;

		if (rmdir(path) < 0 && errno != ENOENT)
			return;
		slash = strrchr(path, '/');
		if (!slash)
			return;
		*slash = '\0';
	}
}

int cgroup_v2_create(const char *dir, const char *mnt, char **created,
		     struct berr *err)
{
	cleanup_free char *path = strdup(dir);
	char *p, *slash;
	int ret;

	*created = NULL;
	if (!path)
		return berr_sys(err, "cgroup %s", dir);
	for (p = path + strlen(mnt) + 1;; p = slash + 1) {
		slash = strchr(p, '/');
		if (slash)
			*slash = '\0';
		if (mkdir(path, 0755) == 0) {
			if (!*created && !(*created = strdup(path))) {
				ret = berr_sys(err, "cgroup %s", dir);
				goto fail;
			}
		} else if (errno != EEXIST) {
			ret = berr_sys(err, "create cgroup %s", path);
			goto fail;
		}
		if (!slash)
			break;
		*slash = '/';
	}
	if (!*created)
		return berr_fail(err, EEXIST, "cgroup %s already exists", dir);
	return 0;
fail:
	if (*created) {
		rmdir_chain(dir, *created);
		free(*created);
		*created = NULL;
	}
	return ret;
}

int cgroup_v2_enter(const char *dir, pid_t pid, struct berr *err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	return fsutil_write_at(AT_FDCWD, dir, "cgroup.procs", buf, err);
}

int cgroup_v2_pids(const char *dir, pid_t **pids, size_t *n, struct berr *err)
{
	cleanup_free char *path = NULL;
	cleanup_fclose FILE *f = NULL;
	pid_t *list = NULL;
	size_t count = 0, cap = 0;
	int pid;

	if (asprintf(&path, "%s/cgroup.procs", dir) < 0)
		return berr_sys(err, "cgroup %s", dir);
	f = fopen(path, "re");
	if (!f)
		return berr_sys(err, "read %s", path);
	while (fscanf(f, "%d", &pid) == 1) {
		if (count == cap) {
			pid_t *grown;

			cap = cap ? cap * 2 : 16;
			grown = realloc(list, cap * sizeof(*list));
			if (!grown) {
				free(list);
				return berr_sys(err, "read %s", path);
			}
			list = grown;
		}
		list[count++] = pid;
	}
	*pids = list;
	*n = count;
	return 0;
}

int cgroup_v2_signal_all(const char *dir, int sig, struct berr *err)
{
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	int ret;

	/* cgroup.kill also reaches processes forked while we iterate. */
	if (sig == SIGKILL && fsutil_write_at(AT_FDCWD, dir, "cgroup.kill", "1", NULL) == 0)
		return 0;
	ret = cgroup_v2_pids(dir, &pids, &n, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			return berr_sys(err, "signal %d to pid %d", sig, (int)pids[i]);
	return 0;
}

static bool populated(const char *dir)
{
	char buf[256];
	char *p;

	if (fsutil_read_at(AT_FDCWD, dir, "cgroup.events", buf, sizeof(buf)) < 0)
		return false;
	p = strstr(buf, "populated ");
	return p && p[10] == '1';
}

/* Wait for the kernel to report the cgroup empty (cgroup.events changes
 * raise POLLPRI). */
static int wait_empty(const char *dir, struct berr *err)
{
	cleanup_free char *path = NULL;
	cleanup_close int fd = -1;
	struct timespec start, now;

	if (asprintf(&path, "%s/cgroup.events", dir) < 0)
		return berr_sys(err, "cgroup %s", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : berr_sys(err, "open %s", path);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (populated(dir)) {
		struct pollfd pfd = { .fd = fd, .events = POLLPRI };
		long elapsed;

		clock_gettime(CLOCK_MONOTONIC, &now);
		elapsed = (now.tv_sec - start.tv_sec) * 1000 +
			  (now.tv_nsec - start.tv_nsec) / 1000000;
		if (elapsed > DESTROY_TIMEOUT_MS)
			return berr_fail(err, EBUSY, "cgroup %s still has processes", dir);
		poll(&pfd, 1, 100);
	}
	return 0;
}

int cgroup_v2_destroy(const char *dir, const char *created, struct berr *err)
{
	struct berr ignored;
	int ret;

	/* Only what berth made is berth's to remove. */
	if (!created || access(dir, F_OK) < 0)
		return 0;
	if (populated(dir)) {
		cgroup_v2_signal_all(dir, SIGKILL, &ignored);
		ret = wait_empty(dir, err);
		if (ret < 0)
			return ret;
	}
	if (rmdir(dir) < 0 && errno != ENOENT)
		return berr_sys(err, "remove cgroup %s", dir);
	rmdir_chain(dir, created);
	return 0;
}
